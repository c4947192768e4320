"""Conformance: every method of the Chat Agent API (spec §5) and the Server Chat API (Part A),
called with the docs' own example bodies, answered with the docs' status and example shape.

The account is built after the docs' examples (tests/fixtures/docs_account.yaml), so bodies such as
{"transfer": {"skill": {"id": 2}}} and the Start Chat example request work verbatim."""
import pytest
import requests
import yaml

from tests.support.constants import GLOBAL_KEY
from tests.support.paths import FIXTURES
from tests.support.server import serve

ACCOUNT = "25025413"  # the account of the docs' examples (tests/fixtures/docs_account.yaml)
CONFIG = FIXTURES / "docs_account.yaml"


def assert_shape(actual, example, path="$"):
    """Every key of the docs' example is in the answer, with the same JSON kind, recursively."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        for key, value in example.items():
            assert key in actual, f"{path}: missing key {key!r} (has {sorted(actual)})"
            assert_shape(actual[key], value, f"{path}.{key}")
    elif isinstance(example, list):
        # LivePerson's mapping sends a single item as the item itself, not a one-item list.
        items = actual if isinstance(actual, list) else [actual]
        if example and items:
            assert_shape(items[0], example[0], f"{path}[0]")
    elif example is None:
        return
    else:
        kind = bool if isinstance(example, bool) else (int, float) if isinstance(example, (int, float)) else str
        assert isinstance(actual, kind) and not (kind is not bool and isinstance(actual, bool)), \
            f"{path}: expected {kind} like {example!r}, got {actual!r}"


# --- the docs' example responses (verbatim where the docs are consistent; see docs/fidelity.md) ---
LINK = {"@href": "https://x", "@rel": "location"}
AGENT_SESSION = {"agentSessionLocation": {"link": LINK}}
AVAILABILITY = {"availability": {"chat": "Online", "voice": "Offline"}}
AVAILABLE_AGENTS = {"availableAgents": {"agents": {"agent": [{
    "@chatState": "4", "@id": "2", "@maxChats": "-1", "@voiceState": "1", "email": "test@test.com",
    "nickname": "Agent1-Nickname", "privilegeGroup": "administrators", "skills": {"skill": ["2", "4"]},
    "userName": "Agent1"}]}, "link": {"@href": "https://webserver/...", "@rel": "next"}}}
SLOTS = {"availableSlots": 1}
AGENT_INFO = {"info": {"link": {"@href": "https://x", "@rel": "self"}, "agentName": "John Smith",
                       "displayName": "John Smith", "loginName": "John@company.com", "id": "25025413",
                       "maxChats": "-1", "availability": {"chat": "Online", "voice": "Offline"},
                       "skillsInfo": {"skillInfo": [{"id": "25975313", "name": "Sales"}]}}}
RINGING_NONE = {"incomingRequests": {"ringingCount": "0"}}
CHAT_LOCATION = {"chatLocation": {"link": LINK}}
CHAT_SESSIONS = {"chatSessions": {"chatSession": [{"link": {"@href": "https://x", "@rel": "chat-session"},
                                                   "chatSessionKey": "H31879676690579736-632532233958645150K8414055",
                                                   "startTime": 1440934609097}]}}
EVENT_STATE = {"@id": "0", "@type": "state", "time": "2018-01-29T08:19:43.963-05:00", "state": "waiting"}
EVENT_LINE = {"@id": "1", "@type": "line", "time": "2018-01-29T08:19:43.976-05:00", "textType": "plain",
              "text": "Thank you for choosing to chat with us.  An agent will be with you shortly.",
              "by": "info", "source": "system", "systemMessageId": "4", "subType": "REGULAR"}
AGENT_INFO_BLOCK = {"link": [{"@href": "https://x", "@rel": "self"}], "state": "chatting",
                    "chatSessionKey": "H2170755172687460894-b7d761017809489ea1a257461eb373eeK8457415",
                    "agentName": "Barber", "agentId": 311098910, "startTime": "2018-01-29T08:19:43.976-05:00",
                    "duration": 0, "lastUpdate": "2018-01-29T08:20:54.560-05:00", "chatTimeout": 40,
                    "visitorId": 1215602164887992, "agentTyping": "not-typing", "visitorTyping": "not-typing",
                    "visitorName": "visitor", "rtSessionId": 4295036103, "sharkVisitorId": "QzZDNhYTViMjA1OTJjN2Y5",
                    "sharkSessionId": "ttJpjOmRQ0adbOusBi5UlA", "engagementId": "311098710",
                    "campaignId": "311098610", "language": "en-US"}
CHAT = {"chat": {"link": [{"@href": "https://x", "@rel": "self"}],
                 "events": {"link": [{"@href": "https://x", "@rel": "self"}], "event": [EVENT_STATE, EVENT_LINE]},
                 "info": AGENT_INFO_BLOCK}}
EVENTS = {"events": {"link": [{"@href": "https://x", "@rel": "self"}], "event": [EVENT_STATE, EVENT_LINE]}}
CHAT_EVENT_LOCATION = {"chatEventLocation": {"link": LINK}}
TRANSFER_SKILLS = {"transfer": {"skill": [{"id": "25975313", "name": "Sales", "onlineAgents": "1"}]}}
PRECHAT = {"survey": {"id": "40216", "title": "", "header": "To help us serve you better...", "questions": {
    "question": [{"mandatory": "true", "validationType": "alpha_numeric", "order": "0", "logicId": "4",
                  "id": "12786273", "type": "Dropdown Box", "label": "With whom would you like to chat?"}]}}}
EXIT_SURVEY = {"survey": {"id": 361348, "title": "", "header": "", "questions": {"question": [
    {"type": "Radio Button", "validationType": "alpha_numeric", "id": 4991315, "logicId": 1, "order": 0,
     "mandatory": False, "label": "Would you like us to email you a transcript of this chat?",
     "entry": [{"checked": False, "value": "yes", "displayValue": "Yes"}]}]}}}
CONSUMER_INFO = {"info": {**{k: v for k, v in AGENT_INFO_BLOCK.items() if k not in ("agentName", "agentId")},
                          "visitorName": "You", "skillName": "Sales", "skillId": 25975313,
                          "sharkContextId": "3"}}


@pytest.fixture
def docs():
    """A live sandbox on the docs-shaped account."""
    with serve(yaml.safe_load(CONFIG.read_text()), seed=99) as server:
        yield server


class Walk:
    """A client that calls the APIs exactly as the method pages write them."""

    def __init__(self, live):
        self.url = live.url
        self.base = f"{live.url}/api/account/{ACCOUNT}"
        self.consumer = {"Authorization": f"LivePerson appKey={GLOBAL_KEY}", "Content-Type": "application/json",
                         "Accept": "application/json"}

    def login(self, username, password):
        r = requests.post(f"{self.base}/login?v=1.3", json={"username": username, "password": password},
                          headers={"Content-Type": "application/json", "Accept": "application/json"})
        assert r.status_code == 200
        self.agent = {"Authorization": f"Bearer {r.json()['bearer']}", "Content-Type": "application/json",
                      "Accept": "application/json"}
        return r.json()

    def call(self, method, url, body=None, status=200, put=False, headers=None):
        headers = dict(headers or self.agent)
        if put:
            headers["X-HTTP-Method-Override"] = "PUT"
        r = requests.request(method, url, json=body, headers=headers)
        assert r.status_code == status, f"{method} {url}: {r.status_code} {r.text}"
        return r


def test_chat_agent_api_every_method(docs):
    w = Walk(docs)
    w.login("Barber", "barber-pass")
    # 5.1 start agent session, body {"loginData": ""}
    r = w.call("POST", f"{w.base}/agentSession?v=1&NC=true", {"loginData": ""})
    assert_shape(r.json(), AGENT_SESSION)
    s = r.json()["agentSessionLocation"]["link"]["@href"]
    # 5.3 set availability (POST + X-HTTP-Method-Override: PUT), 5.2 read it back
    w.call("POST", f"{s}/availability?v=1&NC=true", {"availability": {"chat": "Online"}}, put=True)
    assert_shape(w.call("GET", f"{s}/availability?v=1&NC=true").json(), AVAILABILITY)
    # 5.6 agent information
    assert_shape(w.call("GET", f"{s}/info?v=1&NC=true").json()["info"],
                 {k: v for k, v in AGENT_INFO["info"].items() if k != "skillsInfo"})
    # 5.4 available agents (?skill=Default&v=1 style filters), 5.5 available slots
    agents = w.call("GET", f"{s}/availableAgents?v=1&NC=true").json()
    assert_shape(agents, AVAILABLE_AGENTS)
    assert_shape(w.call("GET", f"{s}/chat/availableSlots?skill=Sales&maxWaitTime=200&v=1").json(), SLOTS)
    assert_shape(w.call("GET", f"{s}/chat/availableSlots?agent=Barber&v=1").json(), SLOTS)
    # 5.7 incoming requests, nothing ringing
    assert w.call("GET", f"{s}/incomingRequests?v=1&NC=true").json() == RINGING_NONE
    # a visitor starts a chat with the Start Chat example body
    r = w.call("POST", f"{w.base}/chat/request?v=1&NC=true", START_CHAT_EXAMPLE, headers=w.consumer)
    visitor_chat = r.headers["Location"]
    # 5.8 accept with the documented empty object
    ringing = w.call("GET", f"{s}/incomingRequests?v=1&NC=true").json()["incomingRequests"]
    assert ringing["ringingCount"] == "1"
    r = w.call("POST", f"{s}/incomingRequests?v=1&NC=true", {}, status=201)
    assert_shape(r.json(), CHAT_LOCATION)
    chat = r.json()["chatLocation"]["link"]["@href"]
    # 5.9 chat sessions, 5.10 chat resource, 5.12 events, 5.15 info
    sessions = w.call("GET", f"{s}/chatSessions?v=1&NC=true").json()
    assert isinstance(sessions["chatSessions"]["chatSession"], dict)  # one session: an object
    assert_shape(sessions, CHAT_SESSIONS)
    assert_shape(w.call("GET", f"{chat}?v=1&NC=true").json(), CHAT)
    assert_shape(w.call("GET", f"{chat}/events?v=1&NC=true&from=0").json(), EVENTS)
    assert_shape(w.call("GET", f"{chat}/info?v=1&NC=true").json()["info"], AGENT_INFO_BLOCK)
    # 5.11 multi-chat data
    key = chat.rsplit("/", 1)[1]
    multi = w.call("GET", f"{s}/chat?chatSessionKeys={key}&fromEventIds=0&v=1&NC=true").json()
    assert_shape(multi["chats"]["chat"], CHAT["chat"])
    # 5.13 add lines: the html example (its quotes escaped) and the ONLY_TO_REP example
    r = w.call("POST", f"{chat}/events?v=1&NC=true", {"event": {
        "@type": "line", "text": "<div dir=\"ltr\" style=\"direction: ltr; text-align: left;\">this is a line of text</div>",
        "textType": "html"}}, status=201)
    assert_shape(r.json(), CHAT_EVENT_LOCATION)
    w.call("POST", f"{chat}/events?v=1&NC=true", {"event": {
        "@type": "line", "text": "This is a private message, only visible to agents", "textType": "plain",
        "subType": "ONLY_TO_REP"}}, status=201)
    # 5.16 visitor name, 5.17/5.18 agent typing, 5.19 visitor typing (200: the docs' 201 on GETs is a slip)
    assert w.call("GET", f"{chat}/info/visitorName?v=1&NC=true").json() == {"visitorName": "visitor"}
    w.call("POST", f"{chat}/info/agentTyping?v=1&NC=true", {"agentTyping": "typing"}, status=201, put=True)
    assert w.call("GET", f"{chat}/info/agentTyping?v=1&NC=true").json() == {"agentTyping": "typing"}
    assert w.call("GET", f"{chat}/info/visitorTyping?v=1&NC=true").json() == {"visitorTyping": "not-typing"}
    # 5.22 / 5.23 agent survey (the consumer-side answer shape, as the spec suggests)
    survey = w.call("GET", f"{chat}/survey?v=1&NC=true").json()
    assert_shape(survey, {"survey": {k: v for k, v in PRECHAT["survey"].items() if k != "header"}})
    question = survey["survey"]["questions"]["question"][0]
    w.call("POST", f"{chat}/survey?v=1&NC=true", {"survey": {"id": survey["survey"]["id"], "question": [
        {"id": question["id"], "answer": "Yes"}]}}, put=True)
    # visits and cs=1 (Postman)
    visit = w.call("GET", f"{s}/visits/visit/{key.split('-')[0]}K{key.rsplit('K', 1)[1]}?v=1&NC=true").json()
    assert visit["visit"]["@id"].startswith("H")
    assert "chatSessions" in w.call("GET", f"{s}?v=1&NC=true&cs=1").json()["agentSession"]
    # 5.20 / 5.21 transfer: Agent1 (id 6) comes on duty on Sales (id 2); both documented bodies work
    other = Walk(docs)
    other.login("Agent1", "agent1-pass")
    s2 = other.call("POST", f"{other.base}/agentSession?v=1&NC=true", {"loginData": ""}).json()[
        "agentSessionLocation"]["link"]["@href"]
    other.call("POST", f"{s2}/availability?v=1&NC=true", {"availability": {"chat": "Online"}}, put=True)
    assert_shape(w.call("GET", f"{chat}/transfer?v=1&NC=true").json(), TRANSFER_SKILLS)
    w.call("POST", f"{chat}/transfer?v=1&NC=true", {"transfer": {"skill": {"id": 2},
                                                                "text": "I think this person needs some help from you."}})
    chat2 = other.call("POST", f"{s2}/incomingRequests?v=1&NC=true", {}, status=201).json()[
        "chatLocation"]["link"]["@href"]
    events = other.call("GET", f"{chat2}/events?v=1&NC=true&from=0").json()["events"]["event"]
    assert "I think this person needs some help from you." in [e.get("text") for e in events]
    # 5.14 end chat: 201 with chatLocation pointing at an event
    r = other.call("POST", f"{chat2}/events?v=1&NC=true", {"event": {"@type": "state", "state": "ended"}}, status=201)
    assert_shape(r.json(), CHAT_LOCATION)
    assert "/events/" in r.json()["chatLocation"]["link"]["@href"]
    assert requests.get(f"{visitor_chat}/info", headers=w.consumer).json()["info"]["state"] == "ended"


START_CHAT_EXAMPLE = {"request": {"skill": "Sales", "interactionTimeout": 40,
                                  "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/56.0.2924.87 Safari/537.36",
                                  "LETagVisitorId": "rloXnVgEQ-iQuoOytvKNqA", "LETagSessionId": "rN82d4rATN6EuiA4cJwaPg",
                                  "LETagContextId": "2", "engagementId": 27469613, "campaignId": 26948813,
                                  "language": "en-US"}}


def test_server_chat_api_every_method(docs):
    w = Walk(docs)
    c = w.consumer
    # A.2 discovery
    rels = {l["@rel"] for l in w.call("GET", f"{w.base}?v=1", headers=c).json()["account"]["link"]}
    assert {"chat-request", "chat-availability", "chat-available-slots", "chat-estimatedWaitTime",
            "prechat-survey", "chat-offline-survey"} <= rels
    # A.3 before the chat
    assert w.call("GET", f"{w.base}/chat/availability?v=1&NC=true&skill=Sales", headers=c).json() == {"availability": False}
    assert_shape(w.call("GET", f"{w.base}/chat/availableSlots?v=1&NC=true&skill=Sales", headers=c).json(), SLOTS)
    assert w.call("GET", f"{w.base}/chat/estimatedWaitTime?v=1&NC=true&skill=Sales", headers=c).json() == {"estimatedWaitTime": -1}
    assert_shape(w.call("GET", f"{w.base}/chat/preSurvey?v=1&NC=true", headers=c).json(), PRECHAT)
    offline = w.call("GET", f"{w.base}/chat/offlineSurvey?v=1&NC=true", headers=c).json()
    assert_shape(offline, {"survey": {k: v for k, v in PRECHAT["survey"].items()}})
    q = offline["survey"]["questions"]["question"]
    w.call("POST", f"{w.base}/chat/offlineSurvey?v=1&NC=true", {"survey": {"id": offline["survey"]["id"], "question": [
        {"id": q[0]["id"], "answer": "natalie"}, {"id": q[1]["id"], "answer": "natalie@mail.com"},
        {"id": q[2]["id"], "answer": "Please call"}]}}, headers=c, put=True)
    # the bot comes on duty: availability turns true
    w.login("Barber", "barber-pass")
    s = w.call("POST", f"{w.base}/agentSession?v=1&NC=true", {"loginData": ""}).json()["agentSessionLocation"]["link"]["@href"]
    w.call("POST", f"{s}/availability?v=1&NC=true", {"availability": {"chat": "Online"}}, put=True)
    assert w.call("GET", f"{w.base}/chat/availability?v=1&NC=true&skill=sales-bot", headers=c).json() == {"availability": True}
    # A.4 start chat with the documented example, verbatim
    r = w.call("POST", f"{w.base}/chat/request?v=1&NC=true", START_CHAT_EXAMPLE, headers=c)
    assert r.content == b"" and r.headers["Location"].startswith(f"{w.base}/chat/H")
    uri = r.headers["Location"]
    w.call("POST", f"{s}/incomingRequests?v=1&NC=true", {}, status=201)
    # A.5 chat resource, events, info
    chat = w.call("GET", f"{uri}?v=1&NC=true", headers=c).json()
    assert {"transcript-request", "exit-survey", "next"} <= {l["@rel"] for l in chat["chat"]["link"]}
    assert_shape(w.call("GET", f"{uri}/events?v=1&NC=true&from=0", headers=c).json(), EVENTS)
    assert_shape(w.call("GET", f"{uri}/info?v=1&NC=true", headers=c).json()["info"],
                 {k: v for k, v in CONSUMER_INFO["info"].items() if k not in ("skillId",)})
    # A.6 visitor actions
    r = w.call("POST", f"{uri}/events?v=1&NC=true", {"event": {"@type": "line", "text": "hi"}}, headers=c, status=201)
    assert r.headers["Location"].startswith(f"{uri}/events/")
    w.call("POST", f"{uri}/info/visitorTyping?v=1&NC=true", {"visitorTyping": "typing"}, headers=c, put=True)
    assert w.call("GET", f"{uri}/info/visitorTyping?v=1&NC=true", headers=c).json() == {"visitorTyping": "typing"}
    assert w.call("GET", f"{uri}/info/agentTyping?v=1&NC=true", headers=c).json() == {"agentTyping": "not-typing"}
    assert w.call("GET", f"{uri}/info/visitorName?v=1&NC=true", headers=c).json() == {"visitorName": "You"}
    w.call("POST", f"{uri}/info/visitorName?v=1&NC=true", {"visitorName": "Natalie"}, headers=c, put=True, status=201)
    w.call("POST", f"{uri}/transcriptRequest?v=1&NC=true", {"email": "visitorEmail@gmail.com"}, headers=c, put=True)
    w.call("POST", f"{uri}/events?v=1&NC=true", {"event": {"@type": "state", "state": "ended"}}, headers=c, status=201)
    assert w.call("GET", f"{uri}/info?v=1&NC=true", headers=c).json()["info"]["state"] == "ended"
    # A.7 exit survey: get, then submit the JS SDK's compact answers
    survey = w.call("GET", f"{uri}/exitSurvey?v=1&NC=true", headers=c).json()
    assert_shape(survey, EXIT_SURVEY)
    first = survey["survey"]["questions"]["question"][0]
    w.call("POST", f"{uri}/exitSurvey?v=1&NC=true", {"survey": {"id": survey["survey"]["id"], "question": [
        {"id": first["id"], "answer": "5"}]}}, headers=c, put=True)
