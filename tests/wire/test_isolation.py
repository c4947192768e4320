"""Accounts are sealed: no bearer, session or chat id of one account works on another."""
import requests

from .lp import accept, agent, bearer_headers, consumer_headers, request_chat

ACCOUNT, OTHER = "12345678", "87654321"
OTHER_KEY = "fa07120214c5be4a34d944c4ea68733c"


def test_bearer_on_another_accounts_path_is_refused(live):
    bearer, _ = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    r = requests.post(f"{live.url}/api/account/{OTHER}/agentSession?v=1&NC=true", json={"loginData": ""},
                      headers=bearer_headers(bearer))
    assert r.status_code == 401
    assert r.json()["error"]["responseStatus"] == "UNAUTHORIZED"


def test_session_and_chat_ids_do_not_cross_accounts(live):
    bearer, session_url = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    uri = request_chat(live.url, ACCOUNT, skill="support-bot")
    chat_url = accept(session_url, bearer)
    other_bearer, other_session = agent(live.url, OTHER, "shop-bot", "shop-bot-pass")
    session_id, chat_id = session_url.rsplit("/", 1)[1], chat_url.rsplit("/", 1)[1]
    # the other account's user cannot reach this account's session or chat by id...
    r = requests.get(f"{live.url}/api/account/{OTHER}/agentSession/{session_id}/availability",
                     headers=bearer_headers(other_bearer))
    assert r.status_code == 404
    r = requests.get(f"{other_session}/chat/{chat_id}", headers=bearer_headers(other_bearer))
    assert r.status_code == 404
    # ...nor through the consumer side with its own key
    r = requests.get(f"{live.url}/api/account/{OTHER}/chat/{chat_id}", headers=consumer_headers(OTHER_KEY))
    assert r.status_code == 404
    # and this account's chat is untouched by the attempts
    r = requests.get(f"{chat_url}/info", headers=bearer_headers(bearer))
    assert r.json()["info"]["state"] == "chatting"


def test_other_accounts_skills_do_not_route_here(live):
    other_bearer, other_session = agent(live.url, OTHER, "shop-bot", "shop-bot-pass")
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request",
                      json={"request": {"skill": "sales-bot"}}, headers=consumer_headers())
    assert r.status_code == 400
    request_chat(live.url, OTHER, key=OTHER_KEY, skill="sales-bot")
    r = requests.get(f"{other_session}/incomingRequests", headers=bearer_headers(other_bearer))
    assert r.json()["incomingRequests"]["ringingCount"] == "1"
