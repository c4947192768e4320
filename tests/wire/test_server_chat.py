"""Server Chat API core: app key, availability, chat request, chat, events, lines, end."""
import pytest
import requests

from tests.support.constants import (ACCOUNT, ACCOUNT_KEY, BOT_ENGAGEMENT_ID, BOT_NAME, BOT_SKILL,
                                     BOT_SKILL_ID, CAMPAIGN_ID, DEMO_AGENT, DEMO_BOT, GLOBAL_KEY, HUMAN_SKILL,
                                     OTHER_ACCOUNT_KEY, UNKNOWN_ACCOUNT)
from tests.support.wire import accept, agent, as_list, bearer_headers, consumer_headers, request_chat


def cget(url, key=GLOBAL_KEY, **params):
    return requests.get(url, headers=consumer_headers(key), params=params)


def cpost(url, body, key=GLOBAL_KEY):
    return requests.post(url, json=body, headers=consumer_headers(key))


def base(live):
    return f"{live.url}/api/account/{ACCOUNT}"


@pytest.mark.parametrize("key", [GLOBAL_KEY, ACCOUNT_KEY])
def test_app_key_header(live, key):
    r = cget(f"{base(live)}/chat/availability", key, v=1, NC="true")
    assert r.status_code == 200 and r.json() == {"availability": False}


def test_app_key_as_query_parameter(live):
    r = requests.get(f"{base(live)}/chat/availability", params={"v": 1, "appKey": GLOBAL_KEY})
    assert r.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "LivePerson appKey=wrong"},
                                     {"Authorization": f"LivePerson appKey={OTHER_ACCOUNT_KEY}"},
                                     {"Authorization": "Bearer abc"}])
def test_missing_or_foreign_app_key_is_401(live, headers):
    r = requests.get(f"{base(live)}/chat/availability", headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["responseStatus"] == "UNAUTHORIZED"


def test_discovery_root(live):
    r = cget(base(live), v=1)
    assert r.status_code == 200
    rels = {l["@rel"]: l["@href"] for l in r.json()["account"]["link"]}
    assert rels["chat-request"] == f"{base(live)}/chat/request"
    assert {"self", "chat-availability", "chat-available-slots", "chat-estimatedWaitTime",
            "prechat-survey", "chat-offline-survey"} <= set(rels)


def test_availability_follows_agents(live):
    assert cget(f"{base(live)}/chat/availability", skill=BOT_SKILL).json() == {"availability": False}
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    assert cget(f"{base(live)}/chat/availability", skill=BOT_SKILL).json() == {"availability": True}
    assert cget(f"{base(live)}/chat/availability", skill=BOT_SKILL_ID, maxWaitTime=0).json() == {"availability": True}
    assert cget(f"{base(live)}/chat/availability", skill=HUMAN_SKILL).json() == {"availability": False}
    assert cget(f"{base(live)}/chat/availability", agent=DEMO_BOT.login).json() == {"availability": True}
    assert cget(f"{base(live)}/chat/availability", skill="no-such-skill").json() == {"availability": False}
    assert cget(f"{base(live)}/chat/availability", agent=DEMO_BOT.login, skill="x").status_code == 400
    assert cget(f"{base(live)}/chat/availability", maxWaitTime="soon").status_code == 400


def test_availability_with_max_wait_zero_needs_a_free_slot(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)  # maxChats 3
    for _ in range(3):
        request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
        accept(session_url, bearer)
    assert cget(f"{base(live)}/chat/availability", skill=HUMAN_SKILL, maxWaitTime=0).json() == {"availability": False}
    assert cget(f"{base(live)}/chat/availability", skill=HUMAN_SKILL).json() == {"availability": True}


@pytest.mark.parametrize("fields", [{"skill": BOT_SKILL}, {"skill": BOT_SKILL_ID}, {"skill": int(BOT_SKILL_ID)},
                                    {"engagementId": int(BOT_ENGAGEMENT_ID)},
                                    {"engagementId": BOT_ENGAGEMENT_ID, "campaignId": CAMPAIGN_ID}])
def test_chat_request_by_skill_or_engagement(live, fields):
    r = cpost(f"{base(live)}/chat/request?v=1&NC=true", {"request": fields})
    assert r.status_code == 200
    assert r.content == b""
    uri = r.headers["Location"]
    assert uri.startswith(f"{base(live)}/chat/H")
    info = cget(f"{uri}/info").json()["info"]
    assert info["skillName"] == BOT_SKILL and info["skillId"] == int(BOT_SKILL_ID)
    assert info["state"] == "waiting"


def test_documented_example_request(live):
    body = {"request": {"skill": BOT_SKILL, "interactionTimeout": 40,
                        "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/537.36",
                        "LETagVisitorId": "rloXnVgEQ-iQuoOytvKNqA", "LETagSessionId": "rN82d4rATN6EuiA4cJwaPg",
                        "LETagContextId": "2", "engagementId": int(BOT_ENGAGEMENT_ID), "campaignId": int(CAMPAIGN_ID),
                        "language": "en-US"}}
    r = cpost(f"{base(live)}/chat/request?v=1&NC=true", body)
    assert r.status_code == 200
    info = cget(r.headers["Location"] + "/info").json()["info"]
    assert info["sharkVisitorId"] == "rloXnVgEQ-iQuoOytvKNqA"
    assert info["sharkSessionId"] == "rN82d4rATN6EuiA4cJwaPg"
    assert info["engagementId"] == BOT_ENGAGEMENT_ID and info["campaignId"] == CAMPAIGN_ID
    assert info["chatTimeout"] == 40 and info["language"] == "en-US"


@pytest.mark.parametrize("body", [{}, {"skill": BOT_SKILL}, {"request": BOT_SKILL},
                                  {"request": {"skill": "no-such-skill"}},
                                  {"request": {"engagementId": 42}},
                                  {"request": {"skill": BOT_SKILL, "interactionTimeout": "x"}}])
def test_bad_chat_requests_are_400(live, body):
    r = cpost(f"{base(live)}/chat/request?v=1&NC=true", body)
    assert r.status_code == 400
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"


def test_malformed_json_is_400(live):
    r = requests.post(f"{base(live)}/chat/request", data=b"{", headers=consumer_headers())
    assert r.status_code == 400


def test_waiting_chat_resource(live):
    agent(live.url, ACCOUNT, *DEMO_BOT, online=False)  # on duty, but Away
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = cget(uri, v=1, NC="true")
    chat = r.json()["chat"]
    rels = {l["@rel"]: l["@href"] for l in chat["link"]}
    assert rels["self"] == uri and rels["events"] == f"{uri}/events" and rels["next"] == f"{uri}?from=3"
    for rel in ("transcript-request", "transcript-with-subject-request", "exit-survey", "custom-variables"):
        assert rel in rels
    events = chat["events"]["event"]
    # nobody Online on the skill: routing (4), then "all agents busy" (2)
    assert [(e["@type"], e.get("state"), e.get("systemMessageId")) for e in events] == [
        ("state", "waiting", None), ("line", None, "4"), ("line", None, "2")]
    assert chat["info"]["visitorName"] == "You"


def test_agent_and_customer_see_one_chat(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    agent_chat = accept(session_url, bearer)
    assert agent_chat.rsplit("/", 1)[1] == uri.rsplit("/", 1)[1]
    r = cpost(f"{uri}/events?v=1&NC=true", {"event": {"@type": "line", "text": "Hi, I need help"}})
    assert r.status_code == 201 and r.content == b""
    assert r.headers["Location"] == f"{uri}/events/4"
    requests.post(f"{agent_chat}/events", json={"event": {"@type": "line", "text": "<p>Sure</p>", "textType": "html"}},
                  headers=bearer_headers(bearer))
    page = cget(f"{uri}/events", **{"from": 2}).json()["events"]
    seen = [(e["@id"], e["@type"], e.get("source"), e.get("text")) for e in page["event"]]
    assert seen == [("2", "state", None, None), ("3", "line", "system", "You are now chatting with Demo Bot."),
                    ("4", "line", "visitor", "Hi, I need help"), ("5", "line", "agent", "<p>Sure</p>")]
    assert {l["@rel"]: l["@href"] for l in page["link"]}["next"] == f"{uri}/events?from=6"
    agent_view = requests.get(f"{agent_chat}/events?from=2", headers=bearer_headers(bearer)).json()["events"]["event"]
    assert [(e["@id"], e.get("text")) for e in agent_view] == [(s[0], s[3]) for s in seen]
    assert cget(f"{uri}/events/5").json()["event"]["by"] == BOT_NAME


def test_visitor_html_is_kept_as_plain_text(live):
    agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    cpost(f"{uri}/events", {"event": {"@type": "line", "text": "<img src=x onerror=alert(1)>", "textType": "html"}})
    event = cget(f"{uri}/events/2").json()["event"]
    assert event["textType"] == "plain" and event["text"] == "<img src=x onerror=alert(1)>"


def test_visitor_ends_the_chat(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    agent_chat = accept(session_url, bearer)
    r = cpost(f"{uri}/events?v=1&NC=true", {"event": {"@type": "state", "state": "ended"}})
    assert r.status_code == 201
    assert cget(f"{uri}/info").json()["info"]["state"] == "ended"
    last = as_list(requests.get(f"{agent_chat}/events?from=4", headers=bearer_headers(bearer)).json()["events"]["event"])
    assert (last[-1]["@type"], last[-1]["state"]) == ("state", "ended")
    # ended chats free the agent's slot and refuse lines from either side
    assert requests.get(f"{session_url}/chatSessions", headers=bearer_headers(bearer)).json() == {"chatSessions": {}}
    assert cpost(f"{uri}/events", {"event": {"@type": "line", "text": "hello?"}}).status_code == 409
    r = requests.post(f"{agent_chat}/events", json={"event": {"@type": "line", "text": "bye"}},
                      headers=bearer_headers(bearer))
    assert r.status_code == 409


def test_waiting_chat_can_be_abandoned(live):
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    assert cpost(f"{uri}/events", {"event": {"@type": "state", "state": "ended"}}).status_code == 201
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    ring = requests.get(f"{session_url}/incomingRequests", headers=bearer_headers(bearer)).json()
    assert ring["incomingRequests"]["ringingCount"] == "0"


@pytest.mark.parametrize("event", [{"@type": "line"}, {"@type": "line", "text": "   "},
                                   {"@type": "state", "state": "chatting"}, {"text": "no type"}])
def test_bad_visitor_events_are_400(live, event):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert cpost(f"{uri}/events", {"event": event}).status_code == 400


def test_unknown_chat_is_404(live):
    for r in (cget(f"{base(live)}/chat/H1-00000000000000000000000000000000K1"),
              cget(f"{base(live)}/chat/nope/events"),
              cpost(f"{base(live)}/chat/nope/events", {"event": {"@type": "line", "text": "x"}})):
        assert r.status_code == 404
        assert r.json()["error"]["responseStatus"] == "NOT_FOUND"


def test_unknown_account_is_404(live):
    r = requests.get(f"{live.url}/api/account/{UNKNOWN_ACCOUNT}/chat/availability", headers=consumer_headers())
    assert r.status_code == 404
