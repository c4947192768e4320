"""Lifecycle rules on a moved clock: ring timeout, visitor timeout (6), agent session timeout
and logout (23), continuity, no agent on duty (2). No sleeping: the clock is moved."""
import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID
from tests.support.wire import (accept, agent, bearer_headers, consumer_headers, events, login, request_chat,
                                ringing, start_agent_session)


def test_visitor_who_stops_polling_is_disconnected(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, interactionTimeout=40)
    chat_url = accept(session_url, bearer)
    live.advance(30)
    requests.get(f"{uri}/info", headers=consumer_headers())  # the documented keep-alive
    live.advance(30)
    assert requests.get(f"{chat_url}/info", headers=bearer_headers(bearer)).json()["info"]["state"] == "chatting"
    live.advance(41)  # no visitor call for more than chatTimeout
    tail = events(chat_url, bearer_headers(bearer), 4)
    assert [(e["@type"], e.get("systemMessageId"), e.get("state")) for e in tail] == [
        ("line", "6", None), ("state", None, "ended")]
    assert requests.get(f"{session_url}/chatSessions", headers=bearer_headers(bearer)).json() == {"chatSessions": {}}


def test_agent_session_that_stops_polling_is_dropped_and_its_chats_requeued(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    accept(session_url, bearer)
    for _ in range(5):  # the visitor keeps polling, the agent does not
        live.advance(30)
        requests.get(f"{uri}/info", headers=consumer_headers())
    r = requests.get(f"{session_url}/availability", headers=bearer_headers(bearer))
    assert r.status_code == 404  # the session is gone
    tail = events(uri, consumer_headers(), 4)
    assert [(e["@type"], e.get("systemMessageId"), e.get("state")) for e in tail] == [
        ("line", "23", None), ("state", None, "waiting")]
    # the bearer itself is still good: a new session picks the requeued chat up
    other = start_agent_session(live.url, ACCOUNT, bearer)
    requests.post(f"{other}/availability", json={"availability": {"chat": "Online"}},
                  headers={**bearer_headers(bearer), "X-HTTP-Method-Override": "PUT"})
    assert ringing(other, bearer) == 1


def test_second_session_keeps_the_chats_when_the_first_goes(live):
    body = login(live.url, ACCOUNT, *DEMO_BOT)
    first = start_agent_session(live.url, ACCOUNT, body["bearer"])
    requests.post(f"{first}/availability", json={"availability": {"chat": "Online"}},
                  headers={**bearer_headers(body["bearer"]), "X-HTTP-Method-Override": "PUT"})
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(first, body["bearer"])
    second_bearer, second = agent(live.url, ACCOUNT, *DEMO_BOT)
    chat_id = chat_url.rsplit("/", 1)[1]
    # continuity: the other device sees the same chat
    sessions = requests.get(f"{second}/chatSessions", headers=bearer_headers(second_bearer)).json()
    assert sessions["chatSessions"]["chatSession"]["chatSessionKey"] == chat_id
    requests.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  cookies={"Session_id": body["sessionId"]})
    r = requests.get(f"{second}/chat/{chat_id}/info", headers=bearer_headers(second_bearer))
    assert r.json()["info"]["state"] == "chatting"
    assert "23" not in [e.get("systemMessageId") for e in events(uri, consumer_headers())]


def test_logout_requeues_the_chats(live):
    body = login(live.url, ACCOUNT, *DEMO_AGENT)
    session_url = start_agent_session(live.url, ACCOUNT, body["bearer"])
    requests.post(f"{session_url}/availability", json={"availability": {"chat": "Online"}},
                  headers={**bearer_headers(body["bearer"]), "X-HTTP-Method-Override": "PUT"})
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    accept(session_url, body["bearer"])
    requests.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  cookies={"Session_id": body["sessionId"]})
    assert events(uri, consumer_headers())[-1]["state"] == "waiting"
    assert requests.get(f"{uri}/info", headers=consumer_headers()).json()["info"]["state"] == "waiting"


def test_no_agent_on_duty_says_so(live):
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert [e.get("systemMessageId") for e in events(uri, consumer_headers())] == [None, "4", "2"]
    base = f"{live.url}/api/account/{ACCOUNT}/chat"
    assert requests.get(f"{base}/availability?skill={HUMAN_SKILL}", headers=consumer_headers()).json() == {"availability": False}
    assert requests.get(f"{base}/estimatedWaitTime?skill={HUMAN_SKILL}", headers=consumer_headers()).json() == {"estimatedWaitTime": -1}
    # an agent who comes on duty later still gets the waiting chat
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    assert ringing(session_url, bearer) == 1


def test_max_chats_is_respected_for_transfers_too(live):
    human_bearer, human = agent(live.url, ACCOUNT, *DEMO_AGENT)  # maxChats 3
    for _ in range(3):
        request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
        accept(human, human_bearer)
    bot_bearer, bot = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(bot, bot_bearer)
    r = requests.post(f"{chat_url}/transfer", json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}}},
                      headers=bearer_headers(bot_bearer))
    assert r.status_code == 200
    assert ringing(human, human_bearer) == 0  # full: the transfer waits in the queue


def test_ringing_chat_times_out_to_the_next_agent_without_sleeping(live):
    first_bearer, first = agent(live.url, ACCOUNT, *DEMO_BOT)
    second_bearer, second = agent(live.url, ACCOUNT, *DEMO_AGENT)
    request_chat(live.url, ACCOUNT)  # no skill: any Online agent of the account may take it
    rung = [ringing(first, first_bearer), ringing(second, second_bearer)]
    assert sorted(rung) == [0, 1]
    live.advance(31)
    assert [ringing(first, first_bearer), ringing(second, second_bearer)] == rung[::-1]


def test_a_ring_shows_on_every_online_session_of_the_agent(live):
    first_bearer, first = agent(live.url, ACCOUNT, *DEMO_AGENT)
    second_bearer, second = agent(live.url, ACCOUNT, *DEMO_AGENT)
    away_bearer, away = agent(live.url, ACCOUNT, *DEMO_AGENT, online=False)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert [ringing(first, first_bearer), ringing(second, second_bearer), ringing(away, away_bearer)] == [1, 1, 0]
    # the agent answers from the device that did not ring first; the ring stops everywhere
    rung_first = live.sb.chats[next(iter(live.sb.chats))].ringing_session_id == first.rsplit("/", 1)[1]
    taker, taker_bearer = (second, second_bearer) if rung_first else (first, first_bearer)
    chat_url = accept(taker, taker_bearer)
    assert chat_url.startswith(taker)
    assert [ringing(first, first_bearer), ringing(second, second_bearer)] == [0, 0]
    live.advance(31)  # nothing rings out later either
    assert [ringing(first, first_bearer), ringing(second, second_bearer)] == [0, 0]
