"""Server Chat API: the chat resource's `custom-variables` link answers (read only)."""
import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, OTHER_ACCOUNT, OTHER_ACCOUNT_KEY
from tests.support.wire import consumer_headers, request_chat


def link(uri, rel):
    chat = requests.get(uri, headers=consumer_headers()).json()["chat"]
    return next(l["@href"] for l in chat["link"] if l["@rel"] == rel)


def test_the_variables_the_request_gave(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, customVariables={
        "customVariable": [{"name": "plan", "value": "gold"}, {"name": "orders", "value": 3}]})
    href = link(uri, "custom-variables")
    assert href == f"{uri}/customVariables"
    r = requests.get(href, headers=consumer_headers())
    assert r.status_code == 200
    assert r.json() == {"customVariables": {"customVariable": [
        {"name": "plan", "value": "gold"}, {"name": "orders", "value": "3"}]}}
    r = requests.get(f"{href}.xml", headers=consumer_headers())
    assert r.status_code == 200 and "<customVariables>" in r.text


def test_one_variable_is_an_object_none_is_null(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL,
                       customVariables={"customVariable": {"name": "plan", "value": "gold"}})
    body = requests.get(f"{uri}/customVariables", headers=consumer_headers()).json()
    assert body == {"customVariables": {"customVariable": {"name": "plan", "value": "gold"}}}
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert requests.get(f"{uri}/customVariables",
                        headers=consumer_headers()).json() == {"customVariables": None}


def test_errors(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = requests.get(f"{uri}/customVariables")  # no app key
    assert r.status_code == 401 and r.json()["error"]["responseStatus"] == "UNAUTHORIZED"
    r = requests.get(f"{live.url}/api/account/{ACCOUNT}/chat/H1-0K1/customVariables",
                     headers=consumer_headers())
    assert r.status_code == 404
    other = uri.replace(ACCOUNT, OTHER_ACCOUNT)  # another account never sees the chat
    r = requests.get(f"{other}/customVariables",
                     headers=consumer_headers(OTHER_ACCOUNT_KEY))
    assert r.status_code == 404
    r = requests.put(f"{uri}/customVariables", json={}, headers=consumer_headers())
    assert r.status_code == 405  # no write is documented
