"""The rest of the Server Chat API: slots, wait time, surveys (pre-chat, exit, offline), transcript."""
import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL
from tests.support.wire import accept, agent, as_list, bearer_headers, consumer_headers, request_chat


def cget(url, **params):
    return requests.get(url, headers=consumer_headers(), params=params)


def cput(url, body):
    return requests.post(url, json=body, headers={**consumer_headers(), "X-HTTP-Method-Override": "PUT"})


def base(live):
    return f"{live.url}/api/account/{ACCOUNT}"


def test_available_slots_and_wait_time(live):
    assert cget(f"{base(live)}/chat/availableSlots", v=1, NC="true").json() == {"availableSlots": 0}
    assert cget(f"{base(live)}/chat/estimatedWaitTime", skill=HUMAN_SKILL).json() == {"estimatedWaitTime": -1}
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)  # maxChats 3
    assert cget(f"{base(live)}/chat/availableSlots", skill=HUMAN_SKILL).json() == {"availableSlots": 3}
    assert cget(f"{base(live)}/chat/availableSlots", skill="nope").json() == {"availableSlots": 0}
    assert cget(f"{base(live)}/chat/estimatedWaitTime", skill=HUMAN_SKILL).json() == {"estimatedWaitTime": 0}
    uris = [request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL) for _ in range(3)]
    chats = [accept(session_url, bearer) for _ in range(3)]
    # all slots taken and no chat has ended yet: not enough data to estimate
    assert cget(f"{base(live)}/chat/estimatedWaitTime", skill=HUMAN_SKILL).json() == {"estimatedWaitTime": -2}
    live.advance(10)  # keep the consumers alive: each poll refreshes their chat
    for uri in uris:
        cget(f"{uri}/info")
    live.advance(20)
    cget(f"{uris[1]}/info"), cget(f"{uris[2]}/info")
    requests.post(f"{chats[0]}/events", json={"event": {"@type": "state", "state": "ended"}}, headers=bearer_headers(bearer))
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)  # takes the freed slot
    accept(session_url, bearer)
    wait = cget(f"{base(live)}/chat/estimatedWaitTime", skill=HUMAN_SKILL).json()["estimatedWaitTime"]
    assert wait == 30  # one chat of 30 s handled by the one agent, nobody queued ahead


def test_pre_chat_survey_answers_reach_the_agent(live):
    survey = cget(f"{base(live)}/chat/preSurvey", v=1, NC="true").json()["survey"]
    questions = survey["questions"]["question"]
    assert survey["header"].startswith("To help us serve you better")
    assert [q["type"] for q in questions] == ["Text Field", "Text Field", "Dropdown Box"]
    assert questions[0]["mandatory"] == "false" and "lastKnownValue" in questions[0]
    assert cget(f"{base(live)}//chat//preSurvey").status_code in (200, 308)
    answers = {"id": survey["id"], "question": [{"id": questions[0]["id"], "answer": "Grace"},
                                                {"id": questions[2]["id"], "answer": "Billing"}]}
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL, survey=answers)
    chat_url = accept(session_url, bearer)
    visit_url = {l["@rel"]: l["@href"] for l in requests.get(chat_url, headers=bearer_headers(bearer)).json()["chat"]["link"]}["visit-id"]
    visit = requests.get(visit_url, headers=bearer_headers(bearer)).json()["visit"]
    answered = {q["label"]: q["answer"] for q in as_list(visit["preChatSurvey"]["survey"]["question"])}
    assert answered == {"What is your name?": "Grace", "What do you need help with?": "Billing"}
    bad = {"id": survey["id"], "question": [{"id": questions[2]["id"], "answer": "Cats"}]}
    r = requests.post(f"{base(live)}/chat/request", json={"request": {"skill": BOT_SKILL, "survey": bad}},
                      headers=consumer_headers())
    assert r.status_code == 400


def test_exit_survey_with_csat(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    requests.post(f"{uri}/events", json={"event": {"@type": "state", "state": "ended"}}, headers=consumer_headers())
    survey = cget(f"{uri}/exitSurvey", v=1, NC="true").json()["survey"]
    csat, resolved, comment = survey["questions"]["question"]
    assert resolved["label"] == "Was your issue resolved?"  # the FCR question (docs/fidelity.md, Metrics)
    assert [e["value"] for e in resolved["entry"]] == ["Yes", "No"]
    assert isinstance(survey["id"], int) and csat["mandatory"] is False
    assert [e["value"] for e in csat["entry"]] == ["1", "2", "3", "4", "5"]
    r = cput(f"{uri}/exitSurvey?v=1&NC=true", {"survey": {"id": survey["id"], "question": [
        {"id": csat["id"], "answer": "5"}, {"id": comment["id"], "answer": "Quick and kind"}]}})
    assert r.status_code == 200
    stored = live.sb.chats[uri.rsplit("/", 1)[1]].surveys["exit"]
    assert stored == {str(csat["id"]): ["5"], str(comment["id"]): ["Quick and kind"]}
    # the documented alternative: the structure sent back with lastKnownValue / checked entries
    filled = {"survey": {"id": survey["id"], "questions": {"question": [
        {**csat, "entry": [{**e, "checked": e["value"] == "4"} for e in csat["entry"]]}]}}}
    assert cput(f"{uri}/exitSurvey", filled).status_code == 200
    assert live.sb.chats[uri.rsplit("/", 1)[1]].surveys["exit"] == {str(csat["id"]): ["4"]}
    assert cput(f"{uri}/exitSurvey", {"survey": {"question": [{"id": csat["id"], "answer": "9"}]}}).status_code == 400
    assert cput(f"{uri}/exitSurvey", {"nothing": 1}).status_code == 400


def test_offline_survey(live):
    survey = cget(f"{base(live)}/chat/offlineSurvey", v=1, NC="true").json()["survey"]
    q = survey["questions"]["question"]
    answers = {"survey": {"id": survey["id"], "question": [{"id": q[0]["id"], "answer": "Natalie"},
                                                           {"id": q[1]["id"], "answer": "natalie@mail.com"},
                                                           {"id": q[2]["id"], "answer": "Call me back"}]}}
    assert cput(f"{base(live)}/chat/offlineSurvey?v=1&NC=true", answers).status_code == 200
    assert live.sb.offline_messages[0]["answers"][q[1]["id"]] == ["natalie@mail.com"]
    missing = {"survey": {"id": survey["id"], "question": [{"id": q[0]["id"], "answer": "Natalie"}]}}
    assert cput(f"{base(live)}/chat/offlineSurvey", missing).status_code == 400  # mandatory questions


def test_transcript_requests_are_recorded(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    assert cput(f"{uri}/transcriptRequest?v=1&NC=true", {"email": "visitorEmail@gmail.com"}).status_code == 200
    assert cput(f"{uri}/transcriptWithSubjectRequest", {"email": "a@b.co", "subject": "Our chat"}).status_code == 200
    assert cput(f"{uri}/transcriptRequest", {"email": "not-an-email"}).status_code == 400
    requests_ = live.sb.chats[uri.rsplit("/", 1)[1]].transcript_requests
    assert [(r["email"], r["subject"]) for r in requests_] == [("visitorEmail@gmail.com", None), ("a@b.co", "Our chat")]


def test_persona_is_seeded_and_overridable(live):
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, persona={"name": "Ada", "city": "London"},
                       visitorIp="10.1.2.3")
    visitor = live.sb.chats[uri.rsplit("/", 1)[1]].visitor
    assert (visitor.persona.name, visitor.persona.city, visitor.ip) == ("Ada", "London", "10.1.2.3")
    assert "@" in visitor.persona.email and visitor.persona.user_agent.startswith("Mozilla/5.0")
