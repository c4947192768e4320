"""The simulator against a live sandbox: bot + scripted customer, client login, keep-alive."""
import threading

import pytest
import requests

from simulator.__main__ import main as simulator_main
from simulator.brains import make_brain
from simulator.brains.transcript import load_transcript
from simulator.client import LTR_PARAGRAPH, AgentClient, Unauthorized
from simulator.customer import ScriptedCustomer
from simulator.responses import EventsPage
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, BOT_APP_KEYS, BOT_ENGAGEMENT_ID, BOT_ID, BOT_NAME, BOT_SKILL,
                                     BOT_SKILL_ID, DEMO_BOT, HUMAN_SKILL)
from tests.support.sim import WatchedReporter, run_bot
from tests.support.waiting import WAIT
from tests.support.wire import bearer_headers

# demo-bot's app keys, as AgentClient.login_app's keyword arguments
APP_KEYS = {"app_key": BOT_APP_KEYS["appKey"], "secret": BOT_APP_KEYS["secret"],
            "access_token": BOT_APP_KEYS["accessToken"],
            "access_token_secret": BOT_APP_KEYS["accessTokenSecret"]}
SIX_LINES = ["Hi", "My order is late", "It is order 42", "Can you check?", "Thanks", "Bye"]


def _bot(live, once=True, **options):
    """A transcript bot (demo-bot, polling every 50 ms) running on its own thread, Online:
    (runner, thread, exit codes)."""
    return run_bot(live, make_brain("transcript"), once=once, **options)


def _customer(live, lines, **kw) -> ScriptedCustomer:
    return ScriptedCustomer(VisitorClient(live.url, ACCOUNT), lines, skill=BOT_SKILL,
                            timeout=WAIT, poll=0.05, report=WatchedReporter("customer"), **kw)


def _agent_call_status(live, bearer: str) -> int:
    """Status of a bearer call (starting an agent session) made with `bearer`."""
    return requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                         json={"loginData": ""}, headers=bearer_headers(bearer)).status_code


def test_bot_and_customer_play_the_sample_app_transcript(live):
    server_events = []
    live.sb.bus.subscribe(lambda e: server_events.append(e.kind))
    runner, thread, exit_codes = _bot(live, once=True)
    assert runner.online.wait(WAIT)
    bearer = runner.client.bearer

    customer = _customer(live, SIX_LINES)
    result = customer.run()
    thread.join(WAIT)

    transcript = load_transcript()
    assert result.error is None and result.ok
    assert [r.plain_text for r in result.replies] == transcript
    assert [r.text for r in result.replies] == [LTR_PARAGRAPH.format(t) for t in transcript]
    assert all(r.text_type == "html" and r.by == BOT_NAME for r in result.replies)
    assert result.ended_by == "agent" and result.answered == 6

    # The visitor's whole chat: five transcript lines in order, then the agent's end, last.
    events = customer.chat.resource().events.events
    agent_lines = [e for e in events if e.is_agent_line]
    assert [e.plain_text for e in agent_lines] == transcript
    assert events[-1].is_ended and events[-2].system_message_id == 5
    assert max(e.id for e in agent_lines) < events[-1].id
    assert customer.chat.info().state == "ended"

    # Then the bot logged out (after the end) and exited cleanly; its bearer is dead.
    assert not thread.is_alive() and exit_codes == [0]
    assert server_events.index("logout") > server_events.index("chat.ended")
    assert _agent_call_status(live, bearer) == 401
    assert runner.chats_done == [result.chat_id]


def test_application_login_and_chat_agent_calls(live):
    client = AgentClient(live.url, ACCOUNT)
    login = client.login_app(DEMO_BOT.login, **APP_KEYS)
    assert login.login_name == DEMO_BOT.login and login.user_id == BOT_ID
    assert login.services["agentVep"] == live.host and login.services["conversationVep"] == live.host
    assert login.session_id and login.session_id == client.transport.cookie("Session_id")

    session = client.start_agent_session()
    assert session.availability().chat == "Away"
    assert session.set_availability("Online").chat == "Online"
    assert session.incoming_requests().ringing_count == 0

    visitor = VisitorClient(live.url, ACCOUNT).request_chat(skill=BOT_SKILL)
    ring = session.incoming_requests()
    assert ring.ringing_count == 1 and ring.accept_url.endswith("/incomingRequests")
    chat = session.accept(ring.accept_url)
    assert chat.id == visitor.id
    assert [c.chat_session_key for c in session.chat_sessions()] == [chat.id]
    first = chat.resource()
    assert [e.id for e in first.events.events] == [0, 1, 2, 3] and first.info.state == "chatting"
    assert chat.poll().events == []  # the cursor moved past what the resource showed

    visitor.add_line("one line only")
    page = chat.poll()  # a single event arrives as an object on the wire: still a list here
    assert [(e.source, e.text) for e in page.events] == [("visitor", "one line only")]
    line_id = chat.add_line("plain answer")
    assert [e.text for e in visitor.poll().events if e.id == line_id] == ["plain answer"]

    assert chat.info().agent_name == BOT_NAME
    end_id = chat.end()
    assert chat.poll().events[-1].id == end_id and chat.info().state == "ended"
    assert session.chat_sessions() == []

    client.logout()
    assert _agent_call_status(live, login.bearer) == 401
    client.close()


def test_visitor_availability_and_chat_requests_by_skill_id_and_engagement(live):
    visitor = VisitorClient(live.url, ACCOUNT)
    assert visitor.availability(skill=BOT_SKILL) is False
    agent = AgentClient(live.url, ACCOUNT)
    agent.login_user(*DEMO_BOT)
    session = agent.start_agent_session()
    session.set_availability("Online")
    assert visitor.availability(skill=BOT_SKILL) is True
    assert visitor.availability(skill=HUMAN_SKILL) is False

    by_id = visitor.request_chat(skill=BOT_SKILL_ID)  # the id of support-bot
    by_engagement = visitor.request_chat(engagement_id=BOT_ENGAGEMENT_ID)  # routes to support-bot
    assert session.incoming_requests().ringing_count == 2
    info = by_engagement.info()
    assert info.state == "waiting" and info.skill_name == BOT_SKILL
    assert [e.system_message_id for e in by_id.poll().events if e.is_line] == [4]
    by_id.end()
    assert by_id.resource().info.state == "ended"
    agent.logout()


def test_responses_accept_both_json_spellings():
    one = EventsPage.from_json({"link": {"href": "u/events?from=3", "rel": "next"},
                                "event": {"id": 2, "type": "line", "text": "<b>a &amp; b</b>",
                                          "textType": "html", "source": "agent",
                                          "systemMessageId": "3"}})
    assert one.next_url == "u/events?from=3"
    (event,) = one.events
    assert (event.id, event.is_agent_line, event.system_message_id) == (2, True, 3)
    assert event.plain_text == "a & b"
    many = EventsPage.from_json({"link": [{"@href": "s", "@rel": "self"},
                                          {"@href": "n", "@rel": "next"}],
                                 "event": [{"@id": "0", "@type": "state", "state": "ended"},
                                           {"@id": "1", "@type": "line", "source": "visitor"}]})
    assert many.next_url == "n" and many.events[0].is_ended and many.events[1].is_visitor_line
    assert EventsPage.from_json({"link": []}).events == []


def test_application_login_with_a_wrong_secret_is_refused(live):
    client = AgentClient(live.url, ACCOUNT)
    with pytest.raises(Unauthorized) as caught:
        client.login_app(DEMO_BOT.login, **{**APP_KEYS, "secret": "wrong"})
    assert caught.value.status == 401 and caught.value.response_status == "UNAUTHORIZED"


def test_keep_alive_refreshes_then_logs_in_again_after_expiry(live):
    client = AgentClient(live.url, ACCOUNT)
    old = client.login_user(*DEMO_BOT)
    assert client.auth.keep_alive() == "refreshed"

    live.advance(1801)  # past the sandbox's 30-minute idle TTL: the login is dead
    assert client.auth.keep_alive() == "relogged"
    assert client.bearer != old.bearer and client.auth.generation == 2
    assert _agent_call_status(live, old.bearer) == 401
    assert client.start_agent_session().id
    client.logout()


def test_keep_alive_timer_refreshes(live):
    reporter = WatchedReporter("bot")
    client = AgentClient(live.url, ACCOUNT, report=reporter)
    client.login_user(*DEMO_BOT)
    client.start_keepalive(0.02)
    assert reporter.wait_for("session.refreshed", times=2)
    client.logout()  # also stops the timer
    assert reporter.count("session.refresh_failed") == 0


def test_bot_recovers_when_its_login_expires(live):
    runner, thread, exit_codes = _bot(live, once=False)
    assert runner.online.wait(WAIT)
    first_bearer = runner.client.bearer

    live.advance(1801)  # the next call is refused (401): the client logs in again, the bot goes Online
    assert runner.report.wait_for("availability", times=2)
    assert runner.report.count("session.relogin") == 1 and runner.client.bearer != first_bearer

    result = _customer(live, ["hello", "bye"]).run()
    assert result.ok and [r.plain_text for r in result.replies] == load_transcript()[:2]

    second_bearer = runner.client.bearer
    runner.stop()
    thread.join(WAIT)
    assert exit_codes == [0]
    assert _agent_call_status(live, second_bearer) == 401  # stop() logs out


def test_bot_serves_concurrent_chats_each_with_its_own_cursor(live):
    runner, thread, exit_codes = _bot(live, once=False)
    assert runner.online.wait(WAIT)
    results = {}
    customers = [threading.Thread(target=lambda n=n: results.__setitem__(
        n, _customer(live, [f"{n}: hi", f"{n}: more", f"{n}: thanks"]).run())) for n in range(3)]
    for c in customers:
        c.start()
    for c in customers:
        c.join(WAIT)

    expected = load_transcript()[:3]
    assert len(results) == 3
    for result in results.values():
        assert result.ok and result.ended_by == "visitor"
        assert [r.plain_text for r in result.replies] == expected
    chat_ids = {r.chat_id for r in results.values()}
    assert runner.report.wait_until(lambda: set(runner.chats_done) == chat_ids)

    runner.stop()
    thread.join(WAIT)
    assert exit_codes == [0]


def test_cli_bot_once_and_consumer(live, capsys):
    common = ["--url", live.url, "--account", ACCOUNT, "--poll", "0.05"]
    bot_codes: list[int] = []
    bot = threading.Thread(target=lambda: bot_codes.append(simulator_main(
        ["bot", *common, "--user", DEMO_BOT.login, "--password", DEMO_BOT.password, "--once"])), daemon=True)
    bot.start()
    lines = [arg for line in SIX_LINES for arg in ("--line", line)]
    assert simulator_main(["consumer", *common, "--skill", BOT_SKILL, "--timeout", str(WAIT),
                           *lines]) == 0
    bot.join(WAIT)
    assert bot_codes == [0]
    out = capsys.readouterr().out
    assert "customer" in out and " logout " in out and "ok=True" in out


def test_cli_consumer_fails_without_an_agent(live, capsys):
    code = simulator_main(["consumer", "--url", live.url, "--account", ACCOUNT, "--skill",
                           BOT_SKILL, "--timeout", "0.3", "--poll", "0.05"])
    assert code == 1
    assert "gave up waiting for an available agent" in capsys.readouterr().out


def test_cli_bot_needs_exactly_one_credential(live, capsys):
    code = simulator_main(["bot", "--url", live.url, "--account", ACCOUNT, "--user", DEMO_BOT.login])
    assert code == 2
