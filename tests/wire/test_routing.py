"""Routing: FIFO per skill, ringing only Online agents with the skill and a free slot, maxChats."""
import requests

from tests.support.constants import (ACCOUNT, BOT_ENGAGEMENT_ID, BOT_SKILL, BOT_SKILL_ID, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL)
from tests.support.wire import (accept, agent, chat_id_of, consumer_headers, go_online, login, request_chat,
                                ringing, start_agent_session)


def test_queue_is_fifo_per_skill(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uris = [request_chat(live.url, ACCOUNT, skill=BOT_SKILL) for _ in range(3)]
    accepted = [chat_id_of(accept(session_url, bearer)) for _ in range(3)]
    assert accepted == [chat_id_of(u) for u in uris]


def test_chats_only_ring_agents_with_the_skill(live):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    human_bearer, human_session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert ringing(bot_session, bot_bearer) == 0
    assert ringing(human_session, human_bearer) == 1
    request_chat(live.url, ACCOUNT, engagementId=BOT_ENGAGEMENT_ID)  # the bot engagement
    assert ringing(bot_session, bot_bearer) == 1
    assert ringing(human_session, human_bearer) == 1


def test_away_agents_get_no_rings_until_online(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT, online=False)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert ringing(session_url, bearer) == 0
    go_online(session_url, bearer)
    assert ringing(session_url, bearer) == 1
    go_online(session_url, bearer, "Away")
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert ringing(session_url, bearer) == 1  # the first still rings; the new one waits


def test_capacity_follows_max_chats(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)  # maxChats 3
    uris = [request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL) for _ in range(5)]
    assert ringing(session_url, bearer) == 3
    for _ in range(3):
        accept(session_url, bearer)
    assert ringing(session_url, bearer) == 0
    # the customer of an accepted chat leaves: a slot frees and the 4th chat rings
    requests.post(f"{uris[0]}/events", json={"event": {"@type": "state", "state": "ended"}},
                  headers=consumer_headers())
    assert ringing(session_url, bearer) == 1
    assert chat_id_of(accept(session_url, bearer)) == chat_id_of(uris[3])


def test_least_loaded_session_rings_first(live):
    first_bearer, first = agent(live.url, ACCOUNT, *DEMO_BOT)
    second_bearer, second = agent(live.url, ACCOUNT, *DEMO_AGENT)
    # make demo-agent also able to take bot chats: give it the bot skill through the model
    live.sb.accounts[ACCOUNT].user_by_login(DEMO_AGENT.login).skill_ids.append(BOT_SKILL_ID)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert ringing(first, first_bearer) == 1
    assert ringing(second, second_bearer) == 1


def test_ring_timeout_moves_the_chat_on(live):
    first_bearer, first = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT)  # no skill: any Online agent may take it
    assert ringing(first, first_bearer) == 1
    second_bearer, second = agent(live.url, ACCOUNT, *DEMO_AGENT)
    # another agent comes Online: the ringing chat stays put until its ring times out
    assert ringing(second, second_bearer) == 0
    live.advance(31)
    assert ringing(first, first_bearer) == 0
    assert ringing(second, second_bearer) == 1


def test_logout_takes_the_agent_out_of_routing(live):
    body = login(live.url, ACCOUNT, *DEMO_BOT)
    session_url = start_agent_session(live.url, ACCOUNT, body["bearer"])
    go_online(session_url, body["bearer"])
    requests.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  cookies={"Session_id": body["sessionId"]})
    bearer, other = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert ringing(other, bearer) == 1
