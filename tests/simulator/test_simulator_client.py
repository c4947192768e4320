"""The simulator's client library: every Chat Agent method typed, retries, re-login on 401."""
import io
import json
import socket
import threading

import pytest

from simulator.bot import BotOptions, BotRunner
from simulator.brains import make_brain
from simulator.client import AgentClient, ApiError, ConnectionFailed, LivePersonError, RetryPolicy
from simulator.login import Credentials
from simulator.report import Reporter
from simulator.responses import AgentInfo, AvailableAgent, ChatResource, Survey, TransferSkill, Visit
from simulator.transport import Transport
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, BOT_NAME, BOT_SKILL, BOT_SKILL_ID, DEMO_AGENT, DEMO_BOT,
                                     HUMAN_SKILL, HUMAN_SKILL_ID)
from tests.support.server import StubHandler, stub_server
from tests.support.sim import WatchedReporter

NO_WAIT = RetryPolicy((0.0, 0.0, 0.0))


def _online(live, user: str, password: str, report=None):
    client = AgentClient(live.url, ACCOUNT, report=report or (lambda *a, **k: None))
    client.login_user(user, password)
    session = client.start_agent_session()
    session.set_availability("Online")
    return client, session


def test_every_chat_agent_method_returns_typed_results(live):
    bot, session = _online(live, *DEMO_BOT)

    info = session.info()
    assert isinstance(info, AgentInfo)
    assert (info.agent_name, info.login_name, info.max_chats, info.availability.chat) == \
        (BOT_NAME, DEMO_BOT.login, 5, "Online")
    assert [(s.id, s.name) for s in info.skills] == [(BOT_SKILL_ID, BOT_SKILL)]
    status = session.status(with_chats=True)
    assert status.availability.chat == "Online" and status.chat_sessions == []
    assert status.links["incoming-requests"].endswith("/incomingRequests")
    assert session.set_availability("Occupied", chat_reason_id="1").chat == "Occupied"
    session.set_availability("Online")

    agents = session.available_agents()
    assert all(isinstance(a, AvailableAgent) for a in agents.agents)
    me, human = agents.by_login(DEMO_BOT.login), agents.by_login(DEMO_AGENT.login)
    assert (me.chat_state, me.max_chats, me.user_type, me.skills[0].name) == ("Online", 5, "bot", BOT_SKILL)
    assert human.chat_state == "Offline" and agents.next_url and "timeStamp=" in agents.next_url
    assert [a.user_name for a in session.available_agents(chat_state="Online").agents] == [DEMO_BOT.login]
    assert session.available_slots() == 5 and session.available_slots(skill=HUMAN_SKILL) == 0
    assert session.available_slots(agent=DEMO_BOT.login) == 5

    visitor = VisitorClient(live.url, ACCOUNT).request_chat(
        skill=BOT_SKILL, persona={"name": "Jamie Rivera", "city": "Lyon"},
        customVariables={"customVariable": [{"name": "plan", "value": "gold"}]})
    chat = session.accept(session.incoming_requests().accept_url)
    assert [c.chat_session_key for c in session.chat_sessions()] == [chat.id]
    assert [c.chat_session_key for c in session.status(with_chats=True).chat_sessions] == [chat.id]

    resource = chat.resource()
    assert isinstance(resource, ChatResource)
    assert {"transfer", "agent-survey", "visit-id", "events", "info"} <= set(resource.links)
    assert resource.info.visitor_info["name"] == "Jamie Rivera" and resource.info.state == "chatting"
    visitor.poll()
    assert chat.visitor_name() == "visitor"
    visitor.set_name("Jamie")
    assert chat.visitor_name() == "Jamie" and chat.info().visitor_name == "Jamie"

    visitor.set_typing(True)
    assert chat.visitor_typing() == "typing"
    chat.set_agent_typing(True)
    assert chat.agent_typing() == "typing" and visitor.agent_typing() == "typing"
    chat.set_agent_typing("not-typing")
    assert visitor.agent_typing() == "not-typing"
    with pytest.raises(ValueError):
        chat.set_agent_typing("maybe")

    private = chat.add_private_line("note for colleagues")
    card = chat.add_rich_content({"type": "vertical", "elements": [{"type": "text", "text": "Hi"}]})
    assert chat.event(private).only_to_rep and chat.event(card).json["type"] == "vertical"
    seen_by_visitor = {e.id for e in visitor.poll().events}
    assert card in seen_by_visitor and private not in seen_by_visitor

    data = session.chats_data([chat.id], [card])
    assert [[e.id for e in c.events.events] for c in data] == [[card]]
    assert data[0].info.chat_session_key == chat.id

    survey = chat.survey()
    assert isinstance(survey, Survey) and survey.questions[0].entries[0].value == "Yes"
    chat.submit_survey(survey.id, {survey.questions[0].id: "Yes", survey.questions[1].id: "All good"})
    assert live.sb.chats[chat.id].surveys["agent"][survey.questions[0].id] == ["Yes"]

    visit = chat.visit()
    assert isinstance(visit, Visit) and visit.visitor_info["city"] == "Lyon"
    assert session.visit(visit.id).id == visit.id
    assert chat.visit_custom_variables()["plan"] == "gold"

    assert chat.transfer_skills() == []  # nobody else is on duty
    with pytest.raises(ApiError) as refused:
        chat.transfer(skill_id=HUMAN_SKILL_ID, text="needs a person")
    assert refused.value.status == 400
    _, _human_session = _online(live, *DEMO_AGENT)
    assert chat.transfer_skills() == [TransferSkill(HUMAN_SKILL_ID, HUMAN_SKILL, 1)]
    chat.transfer(skill_id=HUMAN_SKILL_ID, text="needs a person")
    with pytest.raises(ApiError) as gone:
        chat.info()
    assert gone.value.status == 404 and session.chat_sessions() == []
    bot.logout()


def test_domain_lookup_lists_every_service(live):
    client = AgentClient(live.url, ACCOUNT)
    services = client.domains.all_services()
    assert {"agentVep", "conversationVep", "accountConfigReadOnly"} <= set(services)
    assert services["agentVep"] == live.host


def test_a_401_logs_in_again_and_repeats_the_call(live):
    report = WatchedReporter("bot")
    client = AgentClient(live.url, ACCOUNT, report=report)
    old = client.login_user(*DEMO_BOT)
    live.advance(1801)  # the login expires; the next call gets 401
    session = client.start_agent_session()
    assert session.availability().chat == "Away"
    assert client.bearer != old.bearer and client.auth.generation == 2
    assert report.count("session.relogin") == 1
    client.logout()
    with pytest.raises(LivePersonError, match="not logged in"):  # logged out on purpose: no re-login
        client.start_agent_session()


class _Scripted(StubHandler):
    """Answers each request with the next status of `statuses` (then 200); counts requests."""

    statuses: list = []
    seen: list = []
    hold = threading.Event()  # a status of None means: never answer until `hold` is set

    def _respond(self):
        self.seen.append((self.command, self.path))
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            self.hold.wait(10)
            return
        self.answer(status, {"ok": True} if status < 400 else
                    {"error": {"message": "busy", "internalCode": 1, "responseStatus": "X"}})

    do_GET = do_POST = _respond


@pytest.fixture
def scripted_server():
    _Scripted.statuses, _Scripted.seen = [], []
    _Scripted.hold = threading.Event()
    with stub_server(_Scripted) as server:
        yield f"http://127.0.0.1:{server.server_port}", _Scripted
        _Scripted.hold.set()  # free a handler still holding its answer back


def test_5xx_is_retried_with_the_policy_and_4xx_is_not(scripted_server):
    url, handler = scripted_server
    report = WatchedReporter("bot")
    transport = Transport(retry=NO_WAIT, report=report)
    handler.statuses = [503, 500]
    assert transport.post_json(f"{url}/x", {"a": 1}) == {"ok": True}  # even a POST: LP's advice
    assert len(handler.seen) == 3 and report.count("http.retry") == 2

    handler.statuses, handler.seen = [404], []
    with pytest.raises(ApiError) as not_found:
        transport.get_json(f"{url}/x")
    assert not_found.value.status == 404 and len(handler.seen) == 1

    handler.statuses, handler.seen = [502, 502, 502, 502], []
    with pytest.raises(ApiError) as exhausted:
        transport.get_json(f"{url}/x")
    assert exhausted.value.status == 502 and exhausted.value.message == "busy"
    assert len(handler.seen) == 4  # one try and the policy's three retries
    assert RetryPolicy().delays == (5.0, 10.0, 15.0)  # the documented default pauses


def test_an_unreachable_server_is_retried_then_reported(scripted_server):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = WatchedReporter("bot")
    transport = Transport(retry=RetryPolicy((0.0, 0.0)), report=report)
    with pytest.raises(ConnectionFailed):
        transport.post_json(f"http://127.0.0.1:{port}/login", {})
    assert report.count("http.retry") == 2  # nothing was sent, so even a POST may go again


def test_a_post_that_may_have_arrived_is_not_sent_twice(scripted_server):
    url, handler = scripted_server
    transport = Transport(timeout=0.3, retry=NO_WAIT)
    handler.statuses = [None]  # the server takes the request and never answers
    with pytest.raises(ConnectionFailed):
        transport.post_json(f"{url}/events", {"event": {"@type": "line", "text": "once"}})
    assert handler.seen == [("POST", "/events")]
    handler.statuses, handler.seen = [None], []
    assert transport.get_json(f"{url}/events") == {"ok": True}  # a GET is safe to repeat
    assert handler.seen == [("GET", "/events"), ("GET", "/events")]


def test_log_lines_are_one_structured_event_each_in_text_or_json():
    text, js = io.StringIO(), io.StringIO()
    Reporter("bot", stream=text)("line.sent", "H1-aK1", id=4, text="Hello there", skipped=None)
    Reporter("bot", stream=js, fmt="json")("line.sent", "H1-aK1", id=4, text="Hello there")
    assert text.getvalue().split(" ", 1)[1] == 'bot chat=H1-aK1 line.sent id=4 text="Hello there"\n'
    event = json.loads(js.getvalue())
    assert (event["role"], event["chat"], event["event"], event["id"], event["text"]) == \
        ("bot", "H1-aK1", "line.sent", 4, "Hello there")
    assert js.getvalue().count("\n") == 1


def test_max_chats_minus_one_is_unlimited_unless_the_bot_is_capped():
    options = BotOptions("http://127.0.0.1:9", ACCOUNT, Credentials("b", password="p"))
    runner = BotRunner(options, make_brain("transcript"))
    runner.agent = AgentInfo.from_json({"maxChats": "-1", "availability": {"chat": "Online"}})
    assert runner.agent.unlimited and runner.capacity is None
    options.max_chats = 3
    assert runner.capacity == 3
    runner.agent = AgentInfo.from_json({"maxChats": "2"})
    assert runner.capacity == 2
