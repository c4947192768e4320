"""The main path end to end: a customer chats, an agent answers, ends, logs out."""
import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_BOT
from tests.support.wire import accept, agent, as_list, bearer_headers, consumer_headers, request_chat


def test_customer_and_bot_share_one_chat(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    chat_uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    ring = requests.get(f"{session_url}/incomingRequests.json?v=1&NC=true",
                        headers=bearer_headers(bearer)).json()
    assert ring["incomingRequests"]["ringingCount"] == "1"
    agent_chat = accept(session_url, bearer)
    r = requests.post(f"{chat_uri}/events?v=1&NC=true", json={"event": {"@type": "line", "text": "hi"}},
                      headers=consumer_headers())
    assert r.status_code == 201
    events = requests.get(f"{agent_chat}/events.json?from=0&v=1&NC=true",
                          headers=bearer_headers(bearer)).json()["events"]
    texts = [e.get("text") for e in as_list(events["event"])]
    assert "hi" in texts
