"""The rest of the Chat Agent API: agent info, available agents and slots, typing, names,
agent survey, multi-chat data, visits, ONLY_TO_REP and rich content."""
import pytest
import requests

from tests.support.constants import (ACCOUNT, BOT_ID, BOT_NAME, BOT_SKILL, BOT_SKILL_ID, DEMO_ADMIN,
                                     DEMO_AGENT, DEMO_BOT, DEMO_BOT_B, HUMAN_SKILL)
from tests.support.wire import (accept, accepted_chat, agent, as_list, bearer_headers, consumer_headers,
                                request_chat)


def get(url, bearer, **params):
    return requests.get(url, headers=bearer_headers(bearer), params=params)


def put(url, bearer, body):
    return requests.post(url, json=body, headers={**bearer_headers(bearer), "X-HTTP-Method-Override": "PUT"})


@pytest.fixture
def chatting(live):
    """demo-bot holds Ada's chat: (bearer, session_url, agent chat url, visitor chat url)."""
    return accepted_chat(live.url, ACCOUNT, DEMO_BOT, skill=BOT_SKILL, persona={"name": "Ada Lovelace"},
                         survey={"id": 1, "question": []})


def test_agent_info(live, chatting):
    bearer, session_url, _, _ = chatting
    info = get(f"{session_url}/info.json", bearer, v=1, NC="true").json()["info"]
    assert info["link"] == {"@href": f"{session_url}/info", "@rel": "self"}
    assert (info["agentName"], info["displayName"], info["loginName"], info["id"], info["maxChats"]) == (
        BOT_NAME, BOT_NAME, DEMO_BOT.login, BOT_ID, "5")
    assert info["availability"] == {"chat": "Online", "voice": "Offline"}
    assert info["skillsInfo"] == {"skillInfo": {"id": BOT_SKILL_ID, "name": BOT_SKILL}}


def test_available_agents(live, chatting):
    bearer, session_url, _, _ = chatting
    body = get(f"{session_url}/availableAgents.json", bearer, v=1, NC="true").json()["availableAgents"]
    agents = {a["userName"]: a for a in body["agents"]["agent"]}
    assert set(agents) == {DEMO_BOT.login, DEMO_AGENT.login, DEMO_ADMIN.login, DEMO_BOT_B.login}
    bot = agents[DEMO_BOT.login]
    assert (bot["@chatState"], bot["@maxChats"], bot["chats"], bot["skills"]) == ("2", "5", "1", {"skill": BOT_SKILL_ID})
    assert agents[DEMO_AGENT.login]["@chatState"] == "1" and "chats" not in agents[DEMO_AGENT.login]
    assert agents[DEMO_ADMIN.login]["skills"] is None
    assert body["link"]["@rel"] == "next" and "availableAgents?timeStamp=" in body["link"]["@href"]
    online = get(f"{session_url}/availableAgents.json", bearer, chatState="Online").json()["availableAgents"]
    assert online["agents"]["agent"]["userName"] == DEMO_BOT.login
    by_number = get(f"{session_url}/availableAgents", bearer, chatState="1").json()["availableAgents"]
    assert {a["userName"] for a in by_number["agents"]["agent"]} == {DEMO_AGENT.login, DEMO_ADMIN.login,
                                                                     DEMO_BOT_B.login}
    by_skill = get(f"{session_url}/availableAgents", bearer, skill=HUMAN_SKILL).json()["availableAgents"]
    assert by_skill["agents"]["agent"]["userName"] == DEMO_AGENT.login
    assert get(f"{session_url}/availableAgents", bearer, chatState="Sleepy").status_code == 400


def test_available_slots(live, chatting):
    bearer, session_url, _, _ = chatting
    assert get(f"{session_url}/chat/availableSlots.json", bearer).json() == {"availableSlots": 4}
    assert get(f"{session_url}/chat/availableSlots", bearer, skill=BOT_SKILL).json() == {"availableSlots": 4}
    assert get(f"{session_url}/chat/availableSlots", bearer, skill=HUMAN_SKILL).json() == {"availableSlots": 0}
    assert get(f"{session_url}/chat/availableSlots", bearer, agent=DEMO_BOT.login).json() == {"availableSlots": 4}
    assert get(f"{session_url}/chat/availableSlots", bearer, agent=DEMO_BOT.login, skill="x").status_code == 400
    assert get(f"{session_url}/chat/availableSlots", bearer, maxWaitTime=90000).status_code == 400


def test_typing_both_ways(live, chatting):
    bearer, _, chat_url, uri = chatting
    assert get(f"{chat_url}/info/agentTyping.json", bearer).json() == {"agentTyping": "not-typing"}
    r = put(f"{chat_url}/info/agentTyping.json?v=1&NC=true", bearer, {"agentTyping": "typing"})
    assert r.status_code == 201
    assert requests.get(f"{uri}/info/agentTyping", headers=consumer_headers()).json() == {"agentTyping": "typing"}
    assert requests.get(f"{uri}/info", headers=consumer_headers()).json()["info"]["agentTyping"] == "typing"
    r = requests.post(f"{uri}/info/visitorTyping?v=1&NC=true", json={"visitorTyping": "typing"},
                      headers={**consumer_headers(), "X-HTTP-Method-Override": "PUT"})
    assert r.status_code == 200
    assert get(f"{chat_url}/info/visitorTyping", bearer).json() == {"visitorTyping": "typing"}
    # a line ends the typing
    requests.post(f"{chat_url}/events", json={"event": {"@type": "line", "text": "done"}}, headers=bearer_headers(bearer))
    assert get(f"{chat_url}/info/agentTyping", bearer).json() == {"agentTyping": "not-typing"}
    assert put(f"{chat_url}/info/agentTyping", bearer, {"agentTyping": "maybe"}).status_code == 400


def test_visitor_name(live, chatting):
    bearer, _, chat_url, uri = chatting
    assert get(f"{chat_url}/info/visitorName.json", bearer).json() == {"visitorName": "visitor"}
    assert requests.get(f"{uri}/info/visitorName", headers=consumer_headers()).json() == {"visitorName": "You"}
    r = requests.put(f"{uri}/info/visitorName?v=1&NC=true", json={"visitorName": "Natalie"}, headers=consumer_headers())
    assert r.status_code == 201
    assert get(f"{chat_url}/info/visitorName", bearer).json() == {"visitorName": "Natalie"}
    requests.post(f"{uri}/events", json={"event": {"@type": "line", "text": "hi"}}, headers=consumer_headers())
    last = as_list(get(f"{chat_url}/events", bearer, **{"from": 4}).json()["events"]["event"])[-1]
    assert last["by"] == "Natalie"
    assert requests.put(f"{uri}/info/visitorName", json={"visitorName": ""}, headers=consumer_headers()).status_code == 400


def test_agent_survey(live, chatting):
    bearer, _, chat_url, _ = chatting
    survey = get(f"{chat_url}/survey.json", bearer, v=1, NC="true").json()["survey"]
    questions = survey["questions"]["question"]
    assert questions[0]["type"] == "Radio Button" and questions[0]["mandatory"] == "false"
    qid = questions[0]["id"]
    r = put(f"{chat_url}/survey.json?v=1&NC=true", bearer,
            {"survey": {"id": survey["id"], "question": [{"id": qid, "answer": "Yes"}]}})
    assert r.status_code == 200
    assert live.sb.chats[chat_url.rsplit("/", 1)[1]].surveys["agent"] == {qid: ["Yes"]}
    bad = put(f"{chat_url}/survey", bearer, {"survey": {"id": survey["id"], "question": [{"id": qid, "answer": "Maybe"}]}})
    assert bad.status_code == 400


def test_only_to_rep_and_rich_content(live, chatting):
    bearer, _, chat_url, uri = chatting
    post = lambda event: requests.post(f"{chat_url}/events", json={"event": event}, headers=bearer_headers(bearer))
    assert post({"@type": "line", "text": "note for agents", "textType": "plain", "subType": "ONLY_TO_REP"}).status_code == 201
    card = {"type": "vertical", "elements": [{"type": "text", "text": "Pick one"},
                                             {"type": "button", "title": "Yes", "click": {"actions": [{"type": "publishText", "text": "yes"}]}}]}
    assert post({"@type": "line", "textType": "rich-content", "json": card}).status_code == 201
    assert post({"@type": "line", "textType": "rich-content"}).status_code == 400
    agent_side = get(f"{chat_url}/events", bearer, **{"from": 4}).json()["events"]["event"]
    assert agent_side[0]["subType"] == "ONLY_TO_REP"
    assert agent_side[1]["json"] == card and agent_side[1]["textType"] == "rich-content"
    visitor_side = requests.get(f"{uri}/events?from=4", headers=consumer_headers()).json()["events"]
    assert visitor_side["event"]["json"] == card  # one event: the note is not there
    assert {l["@rel"]: l["@href"] for l in visitor_side["link"]}["next"].endswith("?from=6")
    assert requests.get(f"{uri}/events/4", headers=consumer_headers()).status_code == 404


def test_multi_chat_data(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    ids = [accept(session_url, bearer).rsplit("/", 1)[1] for _ in range(2)]
    body = get(f"{session_url}/chat.json", bearer, chatSessionKeys=",".join(ids), fromEventIds="0,3", v=1,
               NC="true").json()["chats"]["chat"]
    assert [c["info"]["chatSessionKey"] for c in body] == ids
    assert len(body[0]["events"]["event"]) == 4
    assert body[1]["events"]["event"]["@id"] == "3"
    assert get(f"{session_url}/chat", bearer).status_code == 400
    assert get(f"{session_url}/chat", bearer, chatSessionKeys="nope").status_code == 404


def test_visit_and_custom_variables(live, chatting):
    bearer, session_url, chat_url, _ = chatting
    chat = get(chat_url, bearer).json()["chat"]
    visit_url = {l["@rel"]: l["@href"] for l in chat["link"]}["visit-id"]
    visit = get(f"{visit_url}.json", bearer, v=1, NC="true").json()["visit"]
    assert visit["visitorInfo"]["name"] == "Ada Lovelace"
    assert visit["ipAddress"] == visit["visitorInfo"]["ip"]
    assert chat["info"]["visitorInfo"]["name"] == "Ada Lovelace"
    variables = {v["name"]: v["value"] for v in get(f"{visit_url}/customVariables", bearer).json()
                 ["customVariables"]["customVariable"]}
    assert variables["name"] == "Ada Lovelace" and "@" in variables["email"]
    assert get(f"{session_url}/visits/visit/H1K1", bearer).status_code == 404


def test_agent_session_with_cs(live, chatting):
    bearer, session_url, chat_url, _ = chatting
    body = get(session_url, bearer, cs=1).json()["agentSession"]
    assert body["chatSessions"]["chatSession"]["link"]["@href"] == chat_url
