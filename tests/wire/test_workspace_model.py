"""What the agent workspace is built on, without a browser: the persona's device from its user
agent, the live view's chat summary (the visitor panel's fields, how a chat ended, the surveys),
the canned responses in the snapshot, and the agent list without watching administrators."""
import pytest
import requests

from mock_server.model.ids import IdGenerator
from mock_server.model.personas import USER_AGENTS, describe, device_type, make_persona
from mock_server.model.seed import ConfigError, build_accounts, load_config

from tests.support.constants import (ACCOUNT, DEMO_ADMIN, DEMO_AGENT, DEMO_BOT, DEMO_BOT_B, HUMAN_SKILL, OTHER_ACCOUNT,
                                     SHOP_AGENT)
from tests.support.wire import accept, agent, bearer_headers, consumer_headers, login, request_chat

ANDROID = ("Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Mobile Safari/537.36")
ANDROID_TABLET = ("Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36")
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.5 Mobile/15E148 Safari/604.1")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.5 Mobile/15E148 Safari/604.1")
WINDOWS = USER_AGENTS[0]


@pytest.mark.parametrize("user_agent, expected", [
    (ANDROID, ("Chrome 131", "ANDROID", "MOBILE")),
    (ANDROID_TABLET, ("Chrome 131", "ANDROID", "TABLET")),  # Android without "Mobile": a tablet
    (IPHONE, ("Safari 17.5", "IOS", "MOBILE")),
    (IPAD, ("Safari 17.5", "IOS", "TABLET")),
    (WINDOWS, ("Chrome 131", "WINDOWS", "DESKTOP")),
    (USER_AGENTS[1], ("Safari 18.1", "MAC_OSX", "DESKTOP")),
    (USER_AGENTS[2], ("Firefox 133", "WINDOWS", "DESKTOP")),
    ("curl/8.5.0", ("curl 8.5", "", "DESKTOP")),
    ("", ("", "", "DESKTOP")),
])
def test_browser_system_and_device_come_from_the_user_agent(user_agent, expected):
    assert describe(user_agent) == expected


def test_the_device_rule_on_its_own():
    assert device_type("Mozilla/5.0 (iPod touch; CPU iPhone OS 15_0 like Mac OS X)", "iOS", "iPod") == "MOBILE"
    assert device_type("Mozilla/5.0 (Mobile; rv:48.0; KAIOS/2.5)", "KaiOS") == "MOBILE"
    assert device_type("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0)", "Chrome OS") == "DESKTOP"


def test_a_persona_follows_its_user_agent_unless_told_otherwise():
    for seed in range(40):  # the drawn personas agree with their own user agents
        persona = make_persona(seed)
        assert (persona.browser, persona.operating_system, persona.device) == describe(persona.user_agent)
    edited = make_persona(7, {"userAgent": ANDROID})  # e.g. edited on the consumer page
    assert (edited.user_agent, edited.device, edited.operating_system) == (ANDROID, "MOBILE", "ANDROID")
    assert make_persona(7, {"userAgent": IPAD}).device == "TABLET"
    told = make_persona(7, {"userAgent": ANDROID, "device": "DESKTOP", "browser": "Kiosk 1"})
    assert (told.device, told.browser, told.operating_system) == ("DESKTOP", "Kiosk 1", "ANDROID")


def test_an_edited_name_or_country_brings_no_stale_email_or_code():
    renamed = make_persona(7, {"name": "José Ñandú"})
    assert renamed.email == "jose.nandu@example.com"
    assert make_persona(7, {"name": "José Ñandú", "email": "j@n.example"}).email == "j@n.example"
    assert make_persona(7, {"country": "Germany"}).country_code == "DE"
    assert make_persona(7, {"country": "Portugal"}).country_code == ""
    assert make_persona(7, {"country": "Portugal", "countryCode": "PT"}).country_code == "PT"


def _visit(chat_url: str, bearer: str) -> dict:
    r = requests.get(chat_url, headers=bearer_headers(bearer))
    assert r.status_code == 200, r.text
    link = next(l["@href"] for l in r.json()["chat"]["link"] if l["@rel"] == "visit-id")
    return requests.get(link, headers=bearer_headers(bearer)).json()["visit"]


def test_the_agent_sees_the_device_of_the_request_user_agent(live):
    bearer, session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, userAgent=ANDROID)  # the documented field
    visit = _visit(accept(session, bearer), bearer)
    assert visit["userAgent"] == ANDROID
    assert visit["visitorInfo"]["device"] == "MOBILE" and visit["visitorInfo"]["operatingSystem"] == "ANDROID"
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"userAgent": IPAD})  # the sandbox's
    assert _visit(accept(session, bearer), bearer)["visitorInfo"]["device"] == "TABLET"
    r = requests.get(f"{live.url}/_sandbox/persona", params={"seed": 3, "userAgent": IPHONE})
    assert r.json()["persona"]["device"] == "MOBILE" and r.json()["persona"]["browser"] == "Safari 17.5"


def _snapshot(live, bearer: str, account: str = ACCOUNT) -> dict:
    r = requests.get(f"{live.url}/_sandbox/accounts/{account}/live", headers=bearer_headers(bearer))
    assert r.status_code == 200, r.text
    return r.json()


def test_the_snapshot_carries_the_accounts_canned_responses(live):
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    canned = _snapshot(live, bearer)["cannedResponses"]
    assert canned[0] == {"title": "Greeting", "category": "Opening",
                         "text": "Hi {visitorName}, this is {agentName}. How can I help you today?"}
    assert 3 <= len(canned) <= 10 and all(c["title"] and c["text"] for c in canned)
    other = login(live.url, OTHER_ACCOUNT, *SHOP_AGENT)["bearer"]
    assert [c["title"] for c in _snapshot(live, other, OTHER_ACCOUNT)["cannedResponses"]] == ["Greeting", "Goodbye"]
    assert requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live").status_code == 401
    assert requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live",
                        headers=bearer_headers(other)).status_code == 401  # another account's bearer


def test_canned_responses_in_the_config_are_checked():
    config = load_config()
    config["accounts"][0]["cannedResponses"] = [{"title": "No text"}]
    with pytest.raises(ConfigError, match="canned response 1 needs a 'title' and a 'text'"):
        build_accounts(config, IdGenerator(1))
    config["accounts"][0]["cannedResponses"] = "Hello"
    with pytest.raises(ConfigError, match="must be a list"):
        build_accounts(config, IdGenerator(1))
    del config["accounts"][0]["cannedResponses"]
    assert build_accounts(config, IdGenerator(1))[ACCOUNT].canned_responses == []


def test_an_administrator_who_takes_no_chats_is_not_an_agent(live):
    agent(live.url, ACCOUNT, *DEMO_ADMIN)  # logged in, with an agent session, Online
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    names = [a["loginName"] for a in _snapshot(live, bearer)["agents"]]
    assert names == [DEMO_BOT.login, DEMO_BOT_B.login, DEMO_AGENT.login]


def test_the_chat_summary_has_what_the_visitor_panel_shows(live):
    bearer, session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    prechat = live.sb.accounts[ACCOUNT].surveys["preChat"]
    name_q, email_q, topic_q = sorted(prechat.questions, key=lambda q: q.order)
    chat_uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={
        "name": "Pia Panel", "phone": "+351 912 345 678", "city": "Porto", "country": "Portugal",
        "ip": "203.0.113.9", "userAgent": ANDROID, "page": "https://shop.example.com/orders/track"},
        survey={"id": prechat.id, "question": [{"id": name_q.id, "answer": "Pia"},
                                               {"id": topic_q.id, "answer": "Orders"}]},
        customVariables={"customVariable": [{"name": "cart", "value": "3 items"}]})
    summary = _snapshot(live, bearer)["chats"][0]
    v = summary["visitor"]
    assert (v["name"], v["phone"], v["city"], v["country"], v["ip"]) == (
        "Pia Panel", "+351 912 345 678", "Porto", "Portugal", "203.0.113.9")
    assert (v["userAgent"], v["device"], v["browser"], v["operatingSystem"]) == (ANDROID, "MOBILE", "Chrome 131", "ANDROID")
    assert v["page"] == "https://shop.example.com/orders/track" and v["email"]
    assert summary["preChat"] == [
        {"id": name_q.id, "label": "What is your name?", "answer": ["Pia"], "csat": False},
        {"id": topic_q.id, "label": "What do you need help with?", "answer": ["Orders"], "csat": False}]
    assert summary["customVariables"] == [{"name": "cart", "value": "3 items"}]
    assert summary["state"] == "waiting" and summary["waitingSince"] == summary["created"]
    assert summary["endedBy"] is None and summary["exitSurvey"] is None and summary["agentSurvey"] is None

    chat_url = accept(session, bearer)
    assert _snapshot(live, bearer)["chats"][0]["waitingSince"] is None
    r = requests.post(f"{chat_uri}/events", json={"event": {"@type": "state", "state": "ended"}},
                      headers=consumer_headers())
    assert r.status_code == 201, r.text
    exit_survey = live.sb.accounts[ACCOUNT].surveys["exit"]
    csat = next(q for q in exit_survey.questions if q.csat)
    comment = next(q for q in exit_survey.questions if q.type == "Text Area")
    r = requests.put(f"{chat_uri}/exitSurvey", headers=consumer_headers(), json={"survey": {
        "id": exit_survey.id, "question": [{"id": csat.id, "answer": "5"}, {"id": comment.id, "answer": "Great"}]}})
    assert r.status_code in (200, 201), r.text
    agent_survey = live.sb.accounts[ACCOUNT].surveys["agent"]
    resolved = agent_survey.questions[0]
    r = requests.put(f"{chat_url}/survey", headers=bearer_headers(bearer), json={"survey": {
        "id": agent_survey.id, "question": [{"id": resolved.id, "answer": "Yes"}]}})
    assert r.status_code in (200, 201), r.text
    summary = _snapshot(live, bearer)["chats"][0]
    assert summary["endedBy"] == "visitor" and summary["endedTime"]
    assert summary["exitSurvey"] == [
        {"id": csat.id, "label": "How satisfied were you with this chat?", "answer": ["5"], "csat": True},
        {"id": comment.id, "label": "Anything else you would like to tell us?", "answer": ["Great"], "csat": False}]
    assert summary["agentSurvey"] == [{"id": resolved.id, "label": "Was the customer's issue resolved?",
                                       "answer": ["Yes"], "csat": False}]


def test_a_timed_out_chat_says_so(live):
    bearer, session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    accept(session, bearer)
    live.advance(45)  # the customer makes no call for longer than chatTimeout (40 s)
    summary = _snapshot(live, bearer)["chats"][0]
    assert summary["state"] == "ended" and summary["endedBy"] == "visitor-timeout"
