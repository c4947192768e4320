"""Chat Agent API core: sessions, availability, ringing, accept, chat resource, events, lines."""
import re

import pytest
import requests

from tests.support.constants import ACCOUNT, BOT_ID, BOT_NAME, BOT_SKILL, DEMO_AGENT, DEMO_BOT
from tests.support.wire import (JSON, accept, agent, as_list, bearer_headers, consumer_headers, go_online,
                                login, request_chat, start_agent_session)

CHAT_ID = re.compile(r"^H\d+-[0-9a-f]{32}K\d+$")


def get(url, bearer, **params):
    return requests.get(url, headers={"Authorization": f"Bearer {bearer}"}, params=params)


def post(url, bearer, body, override=None):
    headers = bearer_headers(bearer)
    if override:
        headers["X-HTTP-Method-Override"] = override
    return requests.post(url, json=body, headers=headers)


@pytest.fixture
def bot(live):
    """demo-bot logged in with an agent session, Online."""
    return agent(live.url, ACCOUNT, *DEMO_BOT)


@pytest.fixture
def chatting(live, bot):
    """A chat on support-bot accepted by demo-bot: (bearer, session_url, agent_chat_url, consumer_uri)."""
    bearer, session_url = bot
    consumer_uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    return bearer, session_url, accept(session_url, bearer), consumer_uri


def test_start_agent_session_as_sample_app_does(live):
    bearer = login(live.url, ACCOUNT, *DEMO_BOT)["bearer"]
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession.json?v=1&NC=true",
                      json={"loginData": {"userName": DEMO_BOT.login, "password": DEMO_BOT.password}},
                      headers={"AUTHORIZATION": f"Bearer {bearer}"})
    assert r.status_code == 200
    location = r.json()["agentSessionLocation"]["link"]
    assert location["@rel"] == "location"
    assert re.fullmatch(rf"{live.url}/api/account/{ACCOUNT}/agentSession/\d+", location["@href"])


def test_agent_session_resource(live, bot):
    bearer, session_url = bot
    r = get(session_url, bearer, v=1, NC="true", cs=1)
    assert r.status_code == 200
    body = r.json()["agentSession"]
    assert body["@id"] == session_url.rsplit("/", 1)[1]
    rels = {l["@rel"]: l["@href"] for l in body["link"]}
    assert rels["self"] == session_url
    assert body["availability"]["chat"] == "Online"


def test_availability_get_and_set(live):
    bearer = login(live.url, ACCOUNT, *DEMO_BOT)["bearer"]
    session_url = start_agent_session(live.url, ACCOUNT, bearer)
    r = get(f"{session_url}/availability.json", bearer, v=1, NC="true")
    assert r.status_code == 200 and r.json() == {"availability": {"chat": "Away", "voice": "Offline"}}
    for state in ("Online", "Occupied", "Away"):
        r = go_online(session_url, bearer, state)
        assert r.status_code == 200
        assert r.json()["availability"]["chat"] == state
        assert get(f"{session_url}/availability", bearer).json()["availability"]["chat"] == state


@pytest.mark.parametrize("body", [{"availability": {"chat": "Sleeping"}}, {"availability": "Online"},
                                  {"chat": "Online"}])
def test_invalid_availability_is_400(live, bot, body):
    bearer, session_url = bot
    r = post(f"{session_url}/availability.json?v=1&NC=true", bearer, body, override="PUT")
    assert r.status_code == 400
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"


def test_set_availability_needs_the_put_override(live, bot):
    bearer, session_url = bot
    r = post(f"{session_url}/availability.json?v=1&NC=true", bearer, {"availability": {"chat": "Away"}})
    assert r.status_code == 405
    assert r.json()["error"]["responseStatus"] == "METHOD_NOT_ALLOWED"


def test_incoming_requests_ring_and_accept(live, bot):
    bearer, session_url = bot
    r = get(f"{session_url}/incomingRequests.json", bearer, v=1, NC="true")
    assert r.json() == {"incomingRequests": {"ringingCount": "0"}}
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    body = get(f"{session_url}/incomingRequests.json", bearer).json()["incomingRequests"]
    assert body["ringingCount"] == "1"
    assert body["link"]["@href"] == f"{session_url}/incomingRequests"  # single object, no query
    r = requests.post(body["link"]["@href"] + ".json?v=1&NC=true", json={"chat": "start"},
                      headers=bearer_headers(bearer))
    assert r.status_code == 201
    href = r.json()["chatLocation"]["link"]["@href"]
    assert href.startswith(f"{session_url}/chat/")
    assert CHAT_ID.match(href.rsplit("/", 1)[1])
    # ringingCount drops at once, so a client that accepts on every ring never double-accepts
    assert get(f"{session_url}/incomingRequests.json", bearer).json() == {
        "incomingRequests": {"ringingCount": "0"}}


@pytest.mark.parametrize("raw", [b"{}", b'{"chat": "start"}', b'{"": ""}', b""])
def test_accept_body_variants(live, bot, raw):
    bearer, session_url = bot
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = requests.post(f"{session_url}/incomingRequests?v=1&NC=true", data=raw,
                      headers={"Authorization": f"Bearer {bearer}"})
    assert r.status_code == 201


def test_accept_with_nothing_ringing_is_404(live, bot):
    bearer, session_url = bot
    r = post(f"{session_url}/incomingRequests.json?v=1&NC=true", bearer, {})
    assert r.status_code == 404
    assert r.json()["error"]["responseStatus"] == "NOT_FOUND"


def test_chat_resource_after_accept(live, chatting):
    bearer, session_url, chat_url, _ = chatting
    chat_id = chat_url.rsplit("/", 1)[1]
    r = get(f"{chat_url}.json", bearer, v=1, NC="true")
    assert r.status_code == 200
    chat = r.json()["chat"]
    rels = {l["@rel"]: l["@href"] for l in chat["link"]}
    assert rels["self"] == chat_url
    assert rels["events"] == f"{chat_url}/events"
    assert rels["info"] == f"{chat_url}/info"
    assert rels["next"] == f"{chat_url}?from=4"
    visit_id = re.sub(r"-[0-9a-f]{32}", "", chat_id)
    assert rels["visit-id"] == f"{session_url}/visits/visit/{visit_id}"
    for rel in ("collaboration-channels", "transfer", "transfer-account", "agent-survey"):
        assert rels[rel].startswith(chat_url)
    events = chat["events"]
    assert isinstance(events["link"], list)
    assert {l["@rel"]: l["@href"] for l in events["link"]}["next"] == f"{chat_url}/events?from=4"
    kinds = [(e["@id"], e["@type"], e.get("state"), e.get("systemMessageId")) for e in events["event"]]
    assert kinds == [("0", "state", "waiting", None), ("1", "line", None, "4"),
                     ("2", "state", "chatting", None), ("3", "line", None, "3")]
    assert events["event"][1]["text"] == ("Thank you for choosing to chat with us.  "
                                          "An agent will be with you shortly.")
    assert events["event"][3]["text"] == "You are now chatting with Demo Bot."
    assert events["event"][1]["by"] == "info" and events["event"][1]["source"] == "system"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", events["event"][0]["time"])
    info = chat["info"]
    assert info["state"] == "chatting"
    assert info["chatSessionKey"] == chat_id
    assert info["agentName"] == BOT_NAME
    assert info["agentId"] == int(BOT_ID)
    assert info["chatTimeout"] == 40
    assert info["visitorName"] == "visitor"
    assert {l["@rel"] for l in info["link"]} == {"self", "visitor-name", "visitor-typing", "agent-typing"}


def test_chat_resource_from_limits_events(live, chatting):
    bearer, _, chat_url, _ = chatting
    chat = get(chat_url, bearer, **{"from": 3}).json()["chat"]
    assert chat["events"]["event"]["@id"] == "3"  # one event: an object, not a list


def test_events_poll_with_from_and_next(live, chatting):
    bearer, _, chat_url, consumer_uri = chatting
    page = get(f"{chat_url}/events.json", bearer, **{"from": 4}, v=1, NC="true").json()["events"]
    assert "event" not in page
    next_url = {l["@rel"]: l["@href"] for l in page["link"]}["next"]
    assert next_url == f"{chat_url}/events?from=4"
    requests.post(f"{consumer_uri}/events", json={"event": {"@type": "line", "text": "hello"}},
                  headers=consumer_headers())
    # the sample app rewrites /events to /events.json and appends &v=1&NC=true
    page = requests.get(next_url.replace("/events", "/events.json") + "&v=1&NC=true",
                        headers={"Authorization": f"Bearer {bearer}"}).json()["events"]
    event = page["event"]
    assert isinstance(event, dict)
    assert (event["@id"], event["@type"], event["source"], event["text"]) == ("4", "line", "visitor", "hello")
    assert event["by"] == "You" and event["textType"] == "plain" and event["subType"] == "REGULAR"
    assert {l["@rel"]: l["@href"] for l in page["link"]}["next"] == f"{chat_url}/events?from=5"


def test_events_from_must_be_a_non_negative_integer(live, chatting):
    bearer, _, chat_url, _ = chatting
    assert get(f"{chat_url}/events", bearer, **{"from": "abc"}).status_code == 400
    assert get(f"{chat_url}/events", bearer, **{"from": "-1"}).status_code == 400


def test_add_lines_plain_and_html(live, chatting):
    bearer, _, chat_url, consumer_uri = chatting
    html = "<p dir='ltr' style='direction: ltr; text-align: left;'>Hello</p>"
    r = post(f"{chat_url}/events.json?v=1&NC=true", bearer,
             {"event": {"@type": "line", "text": html, "textType": "html"}})
    assert r.status_code == 201
    assert r.json() == {"chatEventLocation": {"link": {"@href": f"{chat_url}/events/4", "@rel": "location"}}}
    r = post(f"{chat_url}/events", bearer, {"event": {"@type": "line", "text": "plain words"}})
    assert r.status_code == 201
    event = get(f"{chat_url}/events/4", bearer).json()["event"]
    assert (event["text"], event["textType"], event["source"], event["by"]) == (html, "html", "agent", BOT_NAME)
    seen = as_list(requests.get(f"{consumer_uri}/events?from=4", headers=consumer_headers()).json()["events"]["event"])
    assert [(e["text"], e["textType"]) for e in seen] == [(html, "html"), ("plain words", "plain")]


@pytest.mark.parametrize("event", [
    {"@type": "line"}, {"@type": "line", "text": ""}, {"@type": "line", "text": 5},
    {"@type": "line", "text": "x", "textType": "pdf"}, {"@type": "bogus"}, {"@type": "state", "state": "chatting"},
])
def test_bad_events_are_400(live, chatting, event):
    bearer, _, chat_url, _ = chatting
    r = post(f"{chat_url}/events", bearer, {"event": event})
    assert r.status_code == 400
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"


def test_malformed_json_is_400(live, chatting):
    bearer, _, chat_url, _ = chatting
    r = requests.post(f"{chat_url}/events", data=b'{"event": {', headers=bearer_headers(bearer))
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "The request body is not valid JSON"


def test_end_chat(live, chatting):
    bearer, session_url, chat_url, consumer_uri = chatting
    r = post(f"{chat_url}/events.json?v=1&NC=true", bearer, {"event": {"@type": "state", "state": "ended"}})
    assert r.status_code == 201
    assert r.json()["chatLocation"]["link"]["@href"] == f"{chat_url}/events/5"
    events = get(f"{chat_url}/events", bearer, **{"from": 4}).json()["events"]["event"]
    assert events[0]["systemMessageId"] == "5"
    assert (events[1]["@type"], events[1]["state"]) == ("state", "ended")
    # the chat is not deleted: both sides can still read it
    assert get(chat_url, bearer).json()["chat"]["info"]["state"] == "ended"
    assert requests.get(consumer_uri, headers=consumer_headers()).json()["chat"]["info"]["state"] == "ended"
    assert get(f"{session_url}/chatSessions", bearer).json() == {"chatSessions": {}}


def test_line_to_an_ended_chat_is_refused(live, chatting):
    bearer, _, chat_url, _ = chatting
    post(f"{chat_url}/events", bearer, {"event": {"@type": "state", "state": "ended"}})
    r = post(f"{chat_url}/events", bearer, {"event": {"@type": "line", "text": "too late"}})
    assert r.status_code == 409
    assert r.json()["error"]["responseStatus"] == "CONFLICT"
    r = post(f"{chat_url}/events", bearer, {"event": {"@type": "state", "state": "ended"}})
    assert r.status_code == 409


def test_chat_sessions(live, bot):
    bearer, session_url = bot
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    first, second = accept(session_url, bearer), accept(session_url, bearer)
    sessions = get(f"{session_url}/chatSessions.json", bearer, v=1, NC="true").json()["chatSessions"]["chatSession"]
    assert [s["link"]["@href"] for s in sessions] == [first, second]
    assert all(s["link"]["@rel"] == "chat-session" for s in sessions)
    assert sessions[0]["chatSessionKey"] == first.rsplit("/", 1)[1]
    assert isinstance(sessions[0]["startTime"], int)


def test_chat_info(live, chatting):
    bearer, _, chat_url, _ = chatting
    info = get(f"{chat_url}/info.json", bearer, v=1, NC="true").json()["info"]
    assert info["state"] == "chatting" and info["agentTyping"] == "not-typing"
    assert {l["@rel"]: l["@href"] for l in info["link"]}["self"] == f"{chat_url}/info"


def test_accept_header_alone_gives_json(live, bot):
    bearer, session_url = bot
    r = requests.get(f"{session_url}/availability?v=1&NC=true",
                     headers={"Authorization": f"Bearer {bearer}", "Accept": "application/json"})
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["availability"]["chat"] == "Online"


def test_hrefs_follow_the_request_host(live, bot):
    bearer, session_url = bot
    r = requests.get(f"{session_url}/incomingRequests", headers={
        "Authorization": f"Bearer {bearer}", "Host": "bots.example:8443", "X-Forwarded-Proto": "https"})
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = requests.get(f"{session_url}/incomingRequests", headers={
        "Authorization": f"Bearer {bearer}", "Host": "bots.example:8443"})
    assert r.json()["incomingRequests"]["link"]["@href"].startswith("http://bots.example:8443/api/account/")


def test_unknown_agent_session_is_404(live, bot):
    bearer, session_url = bot
    r = get(f"{live.url}/api/account/{ACCOUNT}/agentSession/123/availability", bearer)
    assert r.status_code == 404
    assert r.json()["error"]["responseStatus"] == "NOT_FOUND"


def test_another_users_agent_session_is_refused(live, bot):
    _, session_url = bot
    human = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    r = get(f"{session_url}/availability", human)
    assert r.status_code == 403


def test_unknown_chat_is_404(live, bot):
    bearer, session_url = bot
    r = get(f"{session_url}/chat/H1-00000000000000000000000000000000K1", bearer)
    assert r.status_code == 404
    assert r.json()["error"]["responseStatus"] == "NOT_FOUND"
    r = post(f"{session_url}/chat/nope/events", bearer, {"event": {"@type": "line", "text": "x"}})
    assert r.status_code == 404


def test_a_chat_not_accepted_by_this_agent_is_404(live, bot):
    bearer, session_url = bot
    consumer_uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_id = consumer_uri.rsplit("/", 1)[1]
    assert get(f"{session_url}/chat/{chat_id}", bearer).status_code == 404  # ringing, not accepted


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "LivePerson appKey=x"])
def test_no_or_bad_bearer_is_401(live, bot, header):
    _, session_url = bot
    headers = {"Authorization": header} if header else {}
    for r in (requests.get(f"{session_url}/incomingRequests.json", headers=headers),
              requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession", json={"loginData": ""},
                            headers={**JSON, **headers})):
        assert r.status_code == 401
        error = r.json()["error"]
        assert error["responseStatus"] == "UNAUTHORIZED"
        assert set(error) == {"time", "message", "internalCode", "responseStatus"}


def test_unknown_path_and_method_get_the_envelope(live, bot):
    bearer, session_url = bot
    r = get(f"{session_url}/nothingHere", bearer)
    assert r.status_code == 404 and r.json()["error"]["responseStatus"] == "NOT_FOUND"
    r = requests.delete(f"{session_url}/availability", headers=bearer_headers(bearer))
    assert r.status_code == 405 and r.json()["error"]["responseStatus"] == "METHOD_NOT_ALLOWED"
