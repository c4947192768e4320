"""Routing: FIFO per skill, ringing only Online agents with the skill and a free slot, maxChats."""
import requests

from .lp import accept, agent, bearer_headers, consumer_headers, go_online, request_chat

ACCOUNT = "12345678"


def ringing(session_url, bearer) -> int:
    r = requests.get(f"{session_url}/incomingRequests.json?v=1&NC=true", headers=bearer_headers(bearer))
    return int(r.json()["incomingRequests"]["ringingCount"])


def chat_id(url):
    return url.rsplit("/", 1)[1]


def test_queue_is_fifo_per_skill(live):
    bearer, session_url = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    uris = [request_chat(live.url, ACCOUNT, skill="support-bot") for _ in range(3)]
    accepted = [chat_id(accept(session_url, bearer)) for _ in range(3)]
    assert accepted == [chat_id(u) for u in uris]


def test_chats_only_ring_agents_with_the_skill(live):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    human_bearer, human_session = agent(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")
    request_chat(live.url, ACCOUNT, skill="support-human")
    assert ringing(bot_session, bot_bearer) == 0
    assert ringing(human_session, human_bearer) == 1
    request_chat(live.url, ACCOUNT, engagementId="5001001")  # the bot engagement
    assert ringing(bot_session, bot_bearer) == 1
    assert ringing(human_session, human_bearer) == 1


def test_away_agents_get_no_rings_until_online(live):
    bearer, session_url = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass", online=False)
    request_chat(live.url, ACCOUNT, skill="support-bot")
    assert ringing(session_url, bearer) == 0
    go_online(session_url, bearer)
    assert ringing(session_url, bearer) == 1
    go_online(session_url, bearer, "Away")
    request_chat(live.url, ACCOUNT, skill="support-bot")
    assert ringing(session_url, bearer) == 1  # the first still rings; the new one waits


def test_capacity_follows_max_chats(live):
    bearer, session_url = agent(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")  # maxChats 3
    uris = [request_chat(live.url, ACCOUNT, skill="support-human") for _ in range(5)]
    assert ringing(session_url, bearer) == 3
    for _ in range(3):
        accept(session_url, bearer)
    assert ringing(session_url, bearer) == 0
    # the customer of an accepted chat leaves: a slot frees and the 4th chat rings
    requests.post(f"{uris[0]}/events", json={"event": {"@type": "state", "state": "ended"}},
                  headers=consumer_headers())
    assert ringing(session_url, bearer) == 1
    assert chat_id(accept(session_url, bearer)) == chat_id(uris[3])


def test_least_loaded_session_rings_first(live):
    first_bearer, first = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    second_bearer, second = agent(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")
    # make demo-agent also able to take bot chats: give it the bot skill through the model
    live.sb.accounts[ACCOUNT].user_by_login("demo-agent").skill_ids.append("2001001")
    request_chat(live.url, ACCOUNT, skill="support-bot")
    request_chat(live.url, ACCOUNT, skill="support-bot")
    assert ringing(first, first_bearer) == 1
    assert ringing(second, second_bearer) == 1


def test_ring_timeout_moves_the_chat_on(live):
    first_bearer, first = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    request_chat(live.url, ACCOUNT)  # no skill: any Online agent may take it
    assert ringing(first, first_bearer) == 1
    second_bearer, second = agent(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")
    # another agent comes Online: the ringing chat stays put until its ring times out
    assert ringing(second, second_bearer) == 0
    live.advance(31)
    assert ringing(first, first_bearer) == 0
    assert ringing(second, second_bearer) == 1


def test_logout_takes_the_agent_out_of_routing(live):
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/login?v=1.3",
                      json={"username": "demo-bot", "password": "demo-bot-pass"})
    body = r.json()
    from .lp import start_agent_session
    session_url = start_agent_session(live.url, ACCOUNT, body["bearer"])
    go_online(session_url, body["bearer"])
    requests.post(f"{live.url}/api/account/{ACCOUNT}/logout", json={"csrf": body["csrf"]},
                  cookies={"Session_id": body["sessionId"]})
    bearer, other = agent(live.url, ACCOUNT, "demo-bot", "demo-bot-pass")
    request_chat(live.url, ACCOUNT, skill="support-bot")
    assert ringing(other, bearer) == 1
