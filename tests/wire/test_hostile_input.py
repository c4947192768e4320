"""Hostile input over the wire: invalid Unicode, absurd numbers, deep or huge bodies, XML for every
answer. Each bad request gets LivePerson's envelope (never a 500), and every reader still answers."""
import json
from xml.etree.ElementTree import fromstring

import pytest
import requests

from mock_server.model.seed import load_config

from tests.support.constants import (ACCOUNT, AGENT_ID, BOT_SKILL, BOT_SKILL_ID, CAMPAIGN_ID, DEMO_ADMIN,
                                     DEMO_AGENT, GLOBAL_KEY, HUMAN_SKILL)
from tests.support.server import serve
from tests.support.wire import (accepted_chat, as_list, assert_envelope, bearer_headers, consumer_headers,
                                login, request_chat)

LONE = '"\\ud800"'  # a lone UTF-16 surrogate, as a JSON string literal


@pytest.fixture
def chat(live):
    """A chat demo-agent has accepted: (agent bearer, agent chat url, visitor chat url)."""
    bearer, _, agent_url, visitor_url = accepted_chat(live.url, ACCOUNT, DEMO_AGENT, skill=HUMAN_SKILL)
    return bearer, agent_url, visitor_url


def every_reader_answers(live, bearer, agent_url, visitor_url):
    """Both APIs (JSON and XML), the live view and the home page still answer 200."""
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    checks = [(agent_url, bearer_headers(bearer)), (f"{agent_url}/events", bearer_headers(bearer)),
              (f"{agent_url}/info", bearer_headers(bearer)), (visitor_url, consumer_headers()),
              (f"{visitor_url}/events", consumer_headers()), (f"{visitor_url}/info", consumer_headers()),
              (f"{live.url}/_sandbox/accounts/{ACCOUNT}/live", bearer_headers(admin)),
              (f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills", bearer_headers(admin)),
              (f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users", bearer_headers(admin))]
    for url, headers in checks:
        assert requests.get(url, headers=headers).status_code == 200, url
        xml = requests.get(url, headers={**headers, "Accept": "application/xml"})
        assert xml.status_code == 200, url
        fromstring(xml.content)  # well-formed
    assert requests.get(f"{live.url}/").status_code == 200


def test_a_lone_surrogate_is_refused_everywhere_and_breaks_nothing(live, chat):
    bearer, agent_url, visitor_url = chat
    consumer, agent_h = consumer_headers(), bearer_headers(bearer)
    admin = bearer_headers(login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"])
    users = f"{live.url}/api/account/{ACCOUNT}/configuration/le-users"
    attempts = [
        ("POST", f"{visitor_url}/events", consumer, '{"event": {"@type": "line", "text": %s}}' % LONE),
        ("POST", f"{agent_url}/events", agent_h, '{"event": {"@type": "line", "text": %s}}' % LONE),
        ("PUT", f"{visitor_url}/info/visitorName", consumer, '{"visitorName": %s}' % LONE),
        ("POST", f"{agent_url}/transfer", agent_h,
         '{"transfer": {"skill": {"id": "%s"}, "text": %s}}' % (BOT_SKILL_ID, LONE)),
        ("PUT", f"{agent_url}/survey", agent_h, '{"survey": {"question": [{"id": "1", "answer": %s}]}}' % LONE),
        ("PUT", f"{visitor_url}/exitSurvey", consumer, '{"survey": {"question": [{"id": %s}]}}' % LONE),
        ("POST", f"{live.url}/api/account/{ACCOUNT}/chat/request", consumer,
         '{"request": {"skill": %s}}' % LONE),
        ("POST", f"{live.url}/api/account/{ACCOUNT}/chat/request", consumer,
         '{"request": {"skill": "%s", "persona": {"name": %s}}}' % (BOT_SKILL, LONE)),
        ("POST", f"{users}/skills", admin, '{"name": %s}' % LONE),
        ("POST", f"{users}/users", admin, '{"loginName": "x", "fullName": %s, "nickname": "x", '
                                          '"passwordSh": "p"}' % LONE),
        ("POST", f"{live.url}/api/account/{ACCOUNT}/login", {"Content-Type": "application/json"},
         '{"username": %s, "password": "x"}' % LONE),
        ("POST", f"{visitor_url}/events", consumer, '{%s: 1, "event": {"@type": "line", "text": "x"}}' % LONE),
    ]
    for method, url, headers, body in attempts:
        r = requests.request(method, url, data=body.encode(), headers=headers)
        error = assert_envelope(r, 400)
        assert "Unicode" in error["message"], (url, error)
    # a lone surrogate percent-encoded in the query is decoded with replacement, not stored raw
    r = requests.get(f"{live.url}/api/account/{ACCOUNT}/chat/availability?skill=%ED%A0%80",
                     headers=consumer)
    assert r.status_code == 200 and r.json() == {"availability": False}
    every_reader_answers(live, bearer, agent_url, visitor_url)
    lines = [e for e in as_list(requests.get(f"{visitor_url}/events", headers=consumer).json()
                                ["events"].get("event")) if e["@type"] == "line"]
    assert all(e["source"] == "system" for e in lines)  # nothing got in


def test_control_characters_are_kept_in_json_and_replaced_in_xml(live, chat):
    bearer, agent_url, visitor_url = chat
    r = requests.post(f"{visitor_url}/events", data=b'{"event": {"@type": "line", "text": "a\\u0000b\\u0001c"}}',
                      headers=consumer_headers())
    assert r.status_code == 201
    event = requests.get(r.headers["Location"], headers=consumer_headers()).json()["event"]
    assert event["text"] == "a\x00b\x01c"
    xml = requests.get(r.headers["Location"], headers={**consumer_headers(), "Accept": "application/xml"})
    assert fromstring(xml.content).findtext("text") == "a\ufffdb\ufffdc"
    every_reader_answers(live, bearer, agent_url, visitor_url)


@pytest.mark.parametrize("number", ["1e999", "-1e999", "NaN", "Infinity", "-Infinity", "9" * 400, "-" + "9" * 19])
def test_absurd_numbers_in_bodies_are_400(live, chat, number):
    bearer, agent_url, visitor_url = chat
    admin = bearer_headers(login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"])
    before = requests.get(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users", headers=admin).json()
    for method, url, headers, body in [
        ("POST", f"{live.url}/api/account/{ACCOUNT}/chat/request", consumer_headers(),
         '{"request": {"skill": "%s", "interactionTimeout": %s}}' % (BOT_SKILL, number)),
        ("PUT", f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users/{AGENT_ID}", admin,
         '{"maxChats": %s}' % number),
        ("POST", f"{visitor_url}/events", consumer_headers(), '{"event": {"@type": "line", "text": "x", "n": %s}}' % number),
    ]:
        assert_envelope(requests.request(method, url, data=body, headers=headers), 400)
    after = requests.get(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/users", headers=admin).json()
    assert after == before


@pytest.mark.parametrize("digits", ["\u00b2", "\u0663", "\uff11", "1\u00b2", "+1", "0x10", "1.5"])
def test_non_ascii_digits_are_not_numbers(live, chat, digits):
    bearer, agent_url, visitor_url = chat
    quoted = requests.utils.quote(digits)
    for url, headers in [(f"{agent_url}/events?from={quoted}", bearer_headers(bearer)),
                         (f"{visitor_url}/events?from={quoted}", consumer_headers()),
                         (f"{agent_url}?from={quoted}", bearer_headers(bearer)),
                         (f"{live.url}/api/account/{ACCOUNT}/chat/availability?skill={BOT_SKILL}&maxWaitTime={quoted}",
                          consumer_headers())]:
        assert_envelope(requests.get(url, headers=headers), 400)
    session_url = agent_url.rsplit("/chat/", 1)[0]
    chat_id = agent_url.rsplit("/", 1)[1]
    assert_envelope(requests.get(f"{session_url}/chat?chatSessionKeys={chat_id}&fromEventIds={quoted}",
                                 headers=bearer_headers(bearer)), 400)
    assert_envelope(requests.get(f"{agent_url}/events/{quoted}", headers=bearer_headers(bearer)), 404)
    assert_envelope(requests.get(f"{visitor_url}/events/{quoted}", headers=consumer_headers()), 404)
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request", headers=consumer_headers(),
                      data=json.dumps({"request": {"skill": BOT_SKILL, "interactionTimeout": digits}}))
    assert_envelope(r, 400)
    # a visitorId of odd digits is kept as text, and the chat stays readable
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, visitorId=digits)
    info = requests.get(f"{uri}/info", headers=consumer_headers())
    assert info.status_code == 200 and info.json()["info"]["visitorId"] == digits


def test_deep_nesting_is_400_in_json_and_xml(live, chat):
    _, _, visitor_url = chat
    url = f"{live.url}/api/account/{ACCOUNT}/chat/request"
    for depth in (65, 1000, 100_000):
        body = '{"request": ' + "[" * depth + "]" * depth + "}"
        error = assert_envelope(requests.post(url, data=body, headers=consumer_headers()), 400)
        assert "nested" in error["message"]
        xml = "<request>" + "<a>" * depth + "</a>" * depth + "</request>"
        r = requests.post(url, data=xml, headers={**consumer_headers(), "Content-Type": "application/xml"})
        assert_envelope(r, 400)
    # brackets inside strings are text, not nesting
    text = "[" * 500 + "{" * 500
    r = requests.post(f"{visitor_url}/events", headers=consumer_headers(),
                      data=json.dumps({"event": {"@type": "line", "text": text}}))
    assert r.status_code == 201
    # rich content a dozen levels deep is fine
    deep = {"type": "vertical", "elements": [{"type": "text", "text": "x"}]}
    for _ in range(12):
        deep = {"type": "vertical", "elements": [deep]}
    r = requests.post(url, headers=consumer_headers(), data=json.dumps({"request": {"skill": BOT_SKILL}, "x": deep}))
    assert r.status_code == 200


def test_bodies_over_the_limit_are_413(live, chat):
    _, _, visitor_url = chat
    big = json.dumps({"event": {"@type": "line", "text": "x" * (1024 * 1024)}})
    error = assert_envelope(requests.post(f"{visitor_url}/events", data=big, headers=consumer_headers()), 413)
    assert error["responseStatus"] == "REQUEST_ENTITY_TOO_LARGE"

    def chunks():  # no Content-Length: the limit holds for a streamed body too
        yield b'{"event": {"@type": "line", "text": "'
        for _ in range(40):
            yield b"y" * 32768
        yield b'"}}'
    assert_envelope(requests.post(f"{visitor_url}/events", data=chunks(), headers=consumer_headers()), 413)
    events = requests.get(f"{visitor_url}/events", headers=consumer_headers()).json()["events"]["event"]
    assert all(len(e.get("text") or "") < 1000 for e in as_list(events))


def test_the_body_limit_is_configurable():
    config = load_config()
    config["settings"] = {**(config.get("settings") or {}), "max_body_bytes": 2048}
    with serve(config, seed=1) as server:
        url = f"{server.url}/api/account/{ACCOUNT}/chat/request"
        ok = json.dumps({"request": {"skill": BOT_SKILL, "pad": "x" * 1500}})
        assert requests.post(url, data=ok, headers=consumer_headers()).status_code == 200
        too_big = json.dumps({"request": {"skill": BOT_SKILL, "pad": "x" * 2100}})
        error = assert_envelope(requests.post(url, data=too_big, headers=consumer_headers()), 413)
        assert "2048" in error["message"]


# (path, credential): "agent" is demo-agent's bearer, "consumer" the Server Chat app key.
XML_GETS = [
    ("/api/account/{a}/service/baseURI", None), ("/csdr/account/{a}/service/agentVep/baseURI", None),
    *[(p, "agent") for p in (
        "{agent}", "{agent}/events", "{agent}/info", "{agent}/info/visitorName", "{agent}/info/visitorTyping",
        "{agent}/info/agentTyping", "{agent}/transfer", "{agent}/survey", "{session}", "{session}?cs=1",
        "{session}/info", "{session}/availability", "{session}/incomingRequests", "{session}/chatSessions",
        "{session}/availableAgents", "{session}/chat/availableSlots", "{session}/chat?chatSessionKeys={chat_id}",
        "/api/account/{a}/configuration/le-users/skills", "/api/account/{a}/configuration/le-users/skills/{skill}",
        "/api/account/{a}/configuration/le-users/users", "/api/account/{a}/configuration/le-campaigns/campaigns",
        "/api/account/{a}/configuration/le-campaigns/campaigns/{campaign}/engagements",
        "/_sandbox/accounts/{a}/live")],
    *[(p, "consumer") for p in (
        "{visitor}", "{visitor}/events", "{visitor}/info", "{visitor}/exitSurvey", "/api/account/{a}",
        "/api/account/{a}/chat/availability", "/api/account/{a}/chat/availableSlots",
        "/api/account/{a}/chat/estimatedWaitTime", "/api/account/{a}/chat/preSurvey",
        "/api/account/{a}/chat/offlineSurvey", "/_sandbox/accounts/{a}/engagements")],
    ("/_sandbox/health", None), ("/_sandbox/clock", None), ("/_sandbox/persona?seed=3", None),
    ("/api/account/{a}/nothing-here", None),
]


def test_every_json_answer_has_a_well_formed_xml_form(live, chat):
    bearer, agent_url, visitor_url = chat
    # the chat carries what used to break XML: a control character and an exit survey keyed by ids
    requests.post(f"{visitor_url}/events", data=b'{"event": {"@type": "line", "text": "bell\\u0007"}}',
                  headers=consumer_headers())
    names = {"a": ACCOUNT, "skill": BOT_SKILL_ID, "campaign": CAMPAIGN_ID, "agent": agent_url, "visitor": visitor_url,
             "session": agent_url.rsplit("/chat/", 1)[0], "chat_id": agent_url.rsplit("/", 1)[1]}
    credentials = {"agent": {"Authorization": f"Bearer {bearer}"},
                   "consumer": {"Authorization": f"LivePerson appKey={GLOBAL_KEY}"}, None: {}}
    for template, credential in XML_GETS:
        path = template.format(**names)
        url = path if path.startswith("http") else f"{live.url}{path}"
        headers = credentials[credential]
        as_json = requests.get(url, headers=headers)
        assert as_json.status_code < 500, (url, as_json.text[:200])
        assert as_json.headers["Content-Type"].startswith("application/json"), url
        for target, extra in ((url, {"Accept": "application/xml"}), (_with_xml_suffix(url), {})):
            r = requests.get(target, headers={**headers, **extra})
            assert r.status_code == as_json.status_code, (target, r.status_code, r.text[:200])
            assert r.headers["Content-Type"].startswith("application/xml"), (target, r.headers["Content-Type"])
            fromstring(r.content)  # well-formed, or this raises


def test_xml_mapping_of_lists_and_objects_with_several_keys(live):
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/login.xml",
                      json=DEMO_ADMIN.credentials)
    root = fromstring(r.content)
    assert r.status_code == 200 and root.tag == "response"
    bearer = root.findtext("bearer")
    assert root.find("config").findtext("loginName") == DEMO_ADMIN.login
    assert [p.text for p in root.find("config").findall("userPrivileges")][:2] == ["100", "101"]
    skills = requests.get(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills.xml",
                          headers={"Authorization": f"Bearer {bearer}"})
    root = fromstring(skills.content)
    assert root.tag == "items" and {i.findtext("name") for i in root.findall("item")} >= {BOT_SKILL, HUMAN_SKILL}
    clock = fromstring(requests.get(f"{live.url}/_sandbox/clock.xml").content)
    assert clock.tag == "response" and clock.findtext("movable") == "true"


def _with_xml_suffix(url: str) -> str:
    base, _, query = url.partition("?")
    return f"{base}.xml" + (f"?{query}" if query else "")


def test_a_normal_chat_still_works_after_all_of_it(live, chat):
    bearer, agent_url, visitor_url = chat
    for body in ('{"event": {"@type": "line", "text": %s}}' % LONE, "[" * 5000, '{"event": 1e999}'):
        requests.post(f"{visitor_url}/events", data=body, headers=consumer_headers())
    assert requests.post(f"{visitor_url}/events", json={"event": {"@type": "line", "text": "hi"}},
                         headers=consumer_headers()).status_code == 201
    assert requests.post(f"{agent_url}/events", json={"event": {"@type": "line", "text": "hello"}},
                         headers=bearer_headers(bearer)).status_code == 201
    texts = [e.get("text") for e in as_list(requests.get(f"{visitor_url}/events", headers=consumer_headers())
                                            .json()["events"]["event"])]
    assert texts[-2:] == ["hi", "hello"]


def test_the_clock_cannot_be_moved_out_of_range(live, chat):
    bearer, agent_url, visitor_url = chat
    for seconds in (1e300, 10**17, -1, "60", True):
        r = requests.post(f"{live.url}/_sandbox/clock/advance", json={"seconds": seconds})
        assert_envelope(r, 400)
    assert requests.post(f"{live.url}/_sandbox/clock/advance", json={"seconds": 5}).status_code == 200
    every_reader_answers(live, bearer, agent_url, visitor_url)
