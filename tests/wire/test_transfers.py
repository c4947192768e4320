"""Transfers: to a skill (15) or an agent (13), the note for the next agent only, rings at the target."""
import pytest
import requests

from tests.support.constants import (ACCOUNT, ADMIN_ID, AGENT_ID, AGENT_NAME, BOT_NAME, BOT_SKILL,
                                     BOT_SKILL_ID, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID)
from tests.support.wire import (accept, agent, as_list, bearer_headers, consumer_headers, go_online,
                                request_chat, say)


def ring_count(session_url, bearer):
    r = requests.get(f"{session_url}/incomingRequests", headers=bearer_headers(bearer))
    return int(r.json()["incomingRequests"]["ringingCount"])


@pytest.fixture
def bot_chat(live):
    """A customer chatting with demo-bot, demo-agent on duty: (bot, human, bot_chat_url, consumer_uri)."""
    bot = agent(live.url, ACCOUNT, *DEMO_BOT)
    human = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(bot[1], bot[0])
    say(uri, consumer_headers(), "agent please")
    return bot, human, chat_url, uri


def test_skills_available_for_transfer(live, bot_chat):
    (bearer, _), _, chat_url, _ = bot_chat
    r = requests.get(f"{chat_url}/transfer.json?v=1&NC=true", headers=bearer_headers(bearer))
    assert r.status_code == 200
    # only skills with someone on duty other than this agent: support-human (one object)
    assert r.json() == {"transfer": {"skill": {"id": HUMAN_SKILL_ID, "name": HUMAN_SKILL, "onlineAgents": "1"}}}


def test_transfer_to_skill(live, bot_chat):
    (bot_bearer, bot_session), (human_bearer, human_session), chat_url, uri = bot_chat
    r = requests.post(f"{chat_url}/transfer.json?v=1&NC=true",
                      json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": "Customer asked for a human"}},
                      headers=bearer_headers(bot_bearer))
    assert r.status_code == 200
    # the bot loses the chat at once; it rings at the human
    assert requests.get(chat_url, headers=bearer_headers(bot_bearer)).status_code == 404
    assert requests.get(f"{bot_session}/chatSessions", headers=bearer_headers(bot_bearer)).json() == {"chatSessions": {}}
    assert ring_count(human_session, human_bearer) == 1
    human_chat = accept(human_session, human_bearer)
    events = requests.get(f"{human_chat}/events?from=0", headers=bearer_headers(human_bearer)).json()["events"]["event"]
    shape = [(e["@type"], e.get("state"), e.get("source"), e.get("systemMessageId"), e.get("subType")) for e in events]
    assert shape[4:] == [("line", None, "visitor", None, "REGULAR"),
                         ("line", None, "agent", None, "ONLY_TO_REP"),
                         ("line", None, "system", "15", "REGULAR"),
                         ("state", "waiting", None, None, None),
                         ("state", "chatting", None, None, None),
                         ("line", None, "system", "3", "REGULAR")]
    assert events[5]["text"] == "Customer asked for a human" and events[5]["by"] == BOT_NAME
    assert HUMAN_SKILL in events[6]["text"]
    assert events[9]["text"] == "You are now chatting with Alex."
    info = requests.get(f"{human_chat}/info", headers=bearer_headers(human_bearer)).json()["info"]
    assert info["agentName"] == AGENT_NAME and info["state"] == "chatting"
    # the visitor sees the transfer but never the note
    seen = as_list(requests.get(f"{uri}/events?from=0", headers=consumer_headers()).json()["events"]["event"])
    assert "ONLY_TO_REP" not in {e.get("subType") for e in seen}
    assert [e.get("systemMessageId") for e in seen if e.get("systemMessageId")] == ["4", "3", "15", "3"]
    consumer_info = requests.get(f"{uri}/info", headers=consumer_headers()).json()["info"]
    assert consumer_info["skillName"] == HUMAN_SKILL


def test_transfer_to_agent_with_text_beside_transfer(live, bot_chat):
    (bot_bearer, _), (human_bearer, human_session), chat_url, uri = bot_chat
    go_online(human_session, human_bearer, "Occupied")  # Occupied agents still take transfers
    r = requests.post(f"{chat_url}/transfer.json?v=1&NC=true",
                      json={"transfer": {"agent": {"id": AGENT_ID}, "skill": {"id": BOT_SKILL_ID}},
                            "text": "Over to you"}, headers=bearer_headers(bot_bearer))
    assert r.status_code == 200
    assert ring_count(human_session, human_bearer) == 1
    human_chat = accept(human_session, human_bearer)
    texts = [(e.get("systemMessageId"), e.get("text")) for e in
             requests.get(f"{human_chat}/events", headers=bearer_headers(human_bearer)).json()["events"]["event"]]
    assert (None, "Over to you") in texts
    assert ("13", "The chat has been transferred to Alex.") in texts


def test_occupied_agents_get_no_new_chats(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    go_online(session_url, bearer, "Occupied")
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert ring_count(session_url, bearer) == 0


@pytest.mark.parametrize("body, status", [
    ({"transfer": {"skill": {"id": "999"}}}, 400),
    ({"transfer": {"agent": {"id": "999"}}}, 400),
    ({"transfer": {"agent": {"id": ADMIN_ID}}}, 400),  # demo-admin has no agent session
    ({"transfer": {"skill": {"id": BOT_SKILL_ID}}}, 400),  # only the bot itself is on support-bot
    ({"transfer": {}}, 400),
    ({"transfer": {"skill": HUMAN_SKILL_ID}}, 400),
    ({"skill": {"id": HUMAN_SKILL_ID}}, 400),
])
def test_bad_transfers_are_refused_and_keep_the_chat(live, bot_chat, body, status):
    (bearer, _), _, chat_url, _ = bot_chat
    r = requests.post(f"{chat_url}/transfer", json=body, headers=bearer_headers(bearer))
    assert r.status_code == status
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"
    assert requests.get(f"{chat_url}/info", headers=bearer_headers(bearer)).json()["info"]["state"] == "chatting"


def test_transfer_of_an_ended_chat_is_refused(live, bot_chat):
    (bearer, _), _, chat_url, _ = bot_chat
    requests.post(f"{chat_url}/events", json={"event": {"@type": "state", "state": "ended"}}, headers=bearer_headers(bearer))
    r = requests.post(f"{chat_url}/transfer", json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}}},
                      headers=bearer_headers(bearer))
    assert r.status_code == 409
