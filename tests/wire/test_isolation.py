"""Accounts are sealed: no bearer, session or chat id of one account works on another."""
import requests

from tests.support.constants import (ACCOUNT, BOT_SKILL, DEMO_BOT, OTHER_ACCOUNT, OTHER_ACCOUNT_KEY, SHOP_BOT,
                                     SHOP_BOT_SKILL)
from tests.support.wire import accept, agent, bearer_headers, consumer_headers, request_chat


def test_bearer_on_another_accounts_path_is_refused(live):
    bearer, _ = agent(live.url, ACCOUNT, *DEMO_BOT)
    r = requests.post(f"{live.url}/api/account/{OTHER_ACCOUNT}/agentSession?v=1&NC=true", json={"loginData": ""},
                      headers=bearer_headers(bearer))
    assert r.status_code == 401
    assert r.json()["error"]["responseStatus"] == "UNAUTHORIZED"


def test_session_and_chat_ids_do_not_cross_accounts(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(session_url, bearer)
    other_bearer, other_session = agent(live.url, OTHER_ACCOUNT, *SHOP_BOT)
    session_id, chat_id = session_url.rsplit("/", 1)[1], chat_url.rsplit("/", 1)[1]
    # the other account's user cannot reach this account's session or chat by id...
    r = requests.get(f"{live.url}/api/account/{OTHER_ACCOUNT}/agentSession/{session_id}/availability",
                     headers=bearer_headers(other_bearer))
    assert r.status_code == 404
    r = requests.get(f"{other_session}/chat/{chat_id}", headers=bearer_headers(other_bearer))
    assert r.status_code == 404
    # ...nor through the consumer side with its own key
    r = requests.get(f"{live.url}/api/account/{OTHER_ACCOUNT}/chat/{chat_id}",
                     headers=consumer_headers(OTHER_ACCOUNT_KEY))
    assert r.status_code == 404
    # and this account's chat is untouched by the attempts
    r = requests.get(f"{chat_url}/info", headers=bearer_headers(bearer))
    assert r.json()["info"]["state"] == "chatting"


def test_other_accounts_skills_do_not_route_here(live):
    other_bearer, other_session = agent(live.url, OTHER_ACCOUNT, *SHOP_BOT)
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request",
                      json={"request": {"skill": SHOP_BOT_SKILL}}, headers=consumer_headers())
    assert r.status_code == 400
    request_chat(live.url, OTHER_ACCOUNT, key=OTHER_ACCOUNT_KEY, skill=SHOP_BOT_SKILL)
    r = requests.get(f"{other_session}/incomingRequests", headers=bearer_headers(other_bearer))
    assert r.json()["incomingRequests"]["ringingCount"] == "1"
