"""The bot under every fault kind of the control plane: it recovers as LivePerson's retry
guidance says, or fails clearly (issue 11). Unit checks on stub servers, then the real bot and
a customer against the sandbox with a fault rule in force."""
import json
import socket
import threading
import time
from email.utils import formatdate

import pytest
import requests

from simulator.bot import BotOptions, BotRunner
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.customer import ScriptedCustomer
from simulator.login import Credentials
from simulator.transport import (EmptyAnswer, RateLimited, RetryPolicy,
                                 Transport)
from simulator.visitor import VisitorClient

from tests.support.constants import ACCOUNT, BOT_ENGAGEMENT_ID, BOT_NAME, DEMO_BOT
from tests.support.server import StubHandler, stub_server
from tests.support.sim import WatchedReporter
from tests.support.waiting import WAIT, wait_until
from tests.support.wire import add_fault, journal

# Tiny pauses with the documented shape: three retries, floors for 429s, a cap on Retry-After.
FAST = RetryPolicy((0.01, 0.01, 0.01), rate_limit_floor=0.01, login_rate_limit_floor=0.02,
                   retry_after_cap=30.0)
RECOVERY = (0.05, 0.05, 0.05, 0.05)  # the bot's longer pauses after a failed round


class Pauses(list):
    """A Transport's `sleep`: records each pause the policy chose and waits only a moment."""

    def __call__(self, seconds: float) -> bool:
        self.append(seconds)
        threading.Event().wait(min(seconds, 0.01))
        return False


def free_port() -> int:
    """A local port nobody listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- unit level: the transport against stub servers ----------------------------------------------

class _Scripted(StubHandler):
    """Answers each request with the next (status, headers, body) of `script` (then 200 JSON)."""

    script: list = []
    seen: list = []

    def _respond(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.seen.append((self.command, self.path))
        status, headers, body = self.script.pop(0) if self.script else (200, {}, {"ok": True})
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _respond


@pytest.fixture
def scripted():
    _Scripted.script, _Scripted.seen = [], []
    with stub_server(_Scripted) as server:
        yield f"http://127.0.0.1:{server.server_port}", _Scripted


def _throttled(retry_after: str | None):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return 429, headers, {"error": {"message": "slow down", "internalCode": 1,
                                    "responseStatus": "TOO_MANY_REQUESTS"}}


def test_a_429_waits_what_retry_after_asks_at_least_the_floor_then_retries(scripted):
    url, handler = scripted
    transport = Transport(retry=FAST)
    transport.sleep = pauses = Pauses()
    date = formatdate(time.time() + 20, usegmt=True)
    handler.script = [_throttled("2"), _throttled(None), _throttled(date)]
    assert transport.get_json(f"{url}/x") == {"ok": True}
    assert len(handler.seen) == 4
    assert pauses[0] == 2.0  # the header's seconds
    assert pauses[1] == FAST.rate_limit_floor  # no header: the guide's "at least" floor
    assert 15 < pauses[2] <= 20  # an HTTP date, as RFC 9110 allows
    # A login waits longer (the guide: "only after 5 seconds"; here the policy's floor).
    handler.script, pauses[:] = [_throttled("0")], []
    transport.post_json(f"{url}/login", {}, login=True)
    assert pauses == [FAST.login_rate_limit_floor]
    assert RetryPolicy().rate_limit_floor == 1.0 and RetryPolicy().login_rate_limit_floor == 5.0


def test_a_429_asking_more_than_the_cap_fails_at_once_with_the_pause_asked(scripted):
    url, handler = scripted
    transport = Transport(retry=FAST)
    transport.sleep = pauses = Pauses()
    handler.script = [_throttled("3600")]
    with pytest.raises(RateLimited) as throttled:
        transport.post_json(f"{url}/events", {"event": {}})
    assert throttled.value.status == 429 and throttled.value.retry_after == 3600.0
    assert pauses == [] and len(handler.seen) == 1  # not waited inside the call: the bot's loop does
    handler.script, handler.seen = [_throttled("0")] * 4, []
    with pytest.raises(RateLimited):
        transport.get_json(f"{url}/x")
    assert len(handler.seen) == 1 + FAST.rate_limit_retries


def test_an_empty_body_where_json_is_due_is_retried_for_a_get_and_reported_for_a_post(scripted):
    url, handler = scripted
    transport = Transport(retry=FAST)
    transport.sleep = Pauses()
    handler.script = [(200, {}, b"")]
    assert transport.get_json(f"{url}/events") == {"ok": True}  # repeating a GET changes nothing
    assert len(handler.seen) == 2
    handler.script, handler.seen = [(201, {}, b"")], []
    with pytest.raises(EmptyAnswer, match="empty body where JSON was expected; not repeated"):
        transport.post_json(f"{url}/events", {"event": {}}, need_body=True)
    assert len(handler.seen) == 1
    handler.script = [(200, {}, b"")]
    assert transport.post_json(f"{url}/refresh", {"csrf": "x"}) == {}  # documented as empty: fine


# --- end to end: the bot and a customer on the sandbox, a fault rule in force ----------------------

class Customer:
    """A customer on the Server Chat API in a chat with the bot."""

    def __init__(self, live):
        self.engine = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), report=WatchedReporter("customer"))
        self.chat = self.engine.request(engagement_id=BOT_ENGAGEMENT_ID,
                                        persona={"name": "Jamie Rivera"})
        self.said = -1

    def say(self, text: str) -> None:
        self.engine.poll()
        self.said = self.engine.say(text)

    def lines(self, after: int | None = None) -> list[str]:
        """The bot's lines after our last line (or after event `after`)."""
        self.engine.poll()
        after = self.said if after is None else after
        return [e.plain_text for e in self.engine.events
                if e.id > after and e.is_agent_line and e.by == BOT_NAME]

    def wait_line(self, pattern: str, after: int | None = None) -> str:
        """The first bot line after ours containing `pattern` (polling until it comes)."""
        line = wait_until(lambda: next((t for t in self.lines(after) if pattern in t), None))
        assert line, f"no bot line with {pattern!r}; got {self.lines(after)}"
        return line


def start_bot(live, **options):
    """demo-bot (rules brain) on a thread, tiny recorded pauses: (runner, thread, codes, pauses)."""
    opts = BotOptions(live.url, ACCOUNT, Credentials(DEMO_BOT.login, password=DEMO_BOT.password),
                      poll=0.05, **{"retry": FAST, "recovery_delays": RECOVERY, **options})
    runner = BotRunner(opts, escalating(make_brain("rules")), WatchedReporter("bot"))
    runner.client.transport.sleep = pauses = Pauses()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(runner.run()), daemon=True)
    thread.start()
    return runner, thread, codes, pauses


@pytest.fixture
def bot(live):
    """The bot Online, and a customer whose chat it has accepted and greeted."""
    runner, thread, codes, pauses = start_bot(live)
    assert runner.online.wait(WAIT)
    customer = Customer(live)
    customer.wait_line("", after=-1)  # the welcome
    yield runner, customer, pauses
    runner.stop()
    thread.join(WAIT)
    assert not thread.is_alive() and codes == [0]


def rule_state(live, rule_id: str) -> dict:
    return requests.get(f"{live.url}/_sandbox/faults/{rule_id}", timeout=5).json()


def replies(live, chat_id: str) -> list[dict]:
    """The bot's answered lines (agentAddEvent calls that got 201) in this chat."""
    return journal(live.url, operation="agentAddEvent", chat=chat_id, status=201)


def test_latency_within_the_timeout_is_waited_out_and_beyond_it_a_poll_is_repeated(live):
    runner, thread, codes, pauses = start_bot(live, timeout=1.0)
    assert runner.online.wait(WAIT)
    customer = Customer(live)
    customer.wait_line("", after=-1)
    slow = add_fault(live.url, kind="latency", ms=200, operation="agentAddEvent", times=1)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    assert rule_state(live, slow["id"])["taken"] == 1
    # Longer than the bot's timeout on its events poll: a GET, so it is sent again.
    late = add_fault(live.url, kind="latency", ms=1500, operation="agentGetEvents", times=1)
    customer.say("where is my order?")
    assert customer.wait_line("order number")
    assert rule_state(live, late["id"])["taken"] == 1
    assert any("http.retry" in line and "/events.json" in line and "error=ReadTimeout" in line
               for line in runner.report.lines)
    runner.stop()
    thread.join(WAIT)
    assert codes == [0]


def test_a_5xx_is_retried_with_the_documented_pauses_and_the_line_goes_once(live, bot):
    runner, customer, pauses = bot
    rule = add_fault(live.url, kind="error", status=503, operation="agentAddEvent", times=2)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    calls = journal(live.url, operation="agentAddEvent", chat=customer.chat.id)
    assert [c["status"] for c in calls[-3:]] == [503, 503, 201]  # two refused, the third lands
    assert [c["fault"]["id"] for c in calls[-3:-1]] == [rule["id"]] * 2
    assert pauses[:2] == list(FAST.delays[:2])  # the policy's pauses, in order
    assert customer.lines().count(customer.wait_line("Hello")) == 1


def test_a_5xx_outlasting_the_retries_fails_the_round_and_the_bot_recovers_later(live, bot):
    runner, customer, pauses = bot
    # One try and three retries fail: the round fails; the longer recovery pause, then it works.
    add_fault(live.url, kind="error", status=500, operation="agentGetEvents", times=4)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    errors = [line for line in runner.report.lines if " error " in line]
    assert len(errors) == 1 and "/events" in errors[0] and "-> 500" in errors[0]
    assert "failures=1" in errors[0] and runner.report.count("http.retry") >= 3


def test_a_429_is_retried_after_its_retry_after(live, bot):
    runner, customer, pauses = bot
    rule = add_fault(live.url, kind="rate_limit", retry_after=2, operation="agentAddEvent", times=1)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    assert 2.0 in pauses  # the pause the server asked for (recorded, not slept in full)
    statuses = [c["status"] for c in journal(live.url, operation="agentAddEvent",
                                             chat=customer.chat.id)]
    assert statuses[-2:] == [429, 201] and rule_state(live, rule["id"])["taken"] == 1


def test_an_expired_login_logs_in_again_opens_a_session_and_the_reply_still_goes(live, bot):
    runner, customer, pauses = bot
    add_fault(live.url, kind="bearer_expired", operation="agentAddEvent", times=1)
    customer.say("hello")
    line = customer.wait_line("Hello")
    assert "Jamie" in line
    assert runner.report.count("session.relogin") == 1
    assert runner.report.wait_for("agent_session.started", 2)
    assert customer.lines().count(line) == 1  # the kept reply, sent once, after the re-accept
    logins = journal(live.url, operation="login")
    assert len(logins) == 2 and all(e["status"] == 200 for e in logins)


def test_a_kicked_agent_session_is_reopened_online_and_the_chat_carries_on(live, bot):
    runner, customer, pauses = bot
    old = runner._session.id
    add_fault(live.url, kind="session_kicked", operation="agentAddEvent", times=1)
    customer.say("hello")
    line = customer.wait_line("Hello")
    assert "Jamie" in line and customer.lines().count(line) == 1
    assert runner.report.count("agent_session.lost") == 1 and runner._session.id != old
    assert runner.report.count("session.relogin") == 0  # the login was fine: only the session went
    availability = journal(live.url, operation="setAvailability")
    assert len(availability) == 2 and availability[-1]["body"] == {"availability": {"chat": "Online"}}
    customer.say("where is my order?")
    assert customer.wait_line("order number")  # the same chat, the same brain context


def test_a_domain_api_naming_a_dead_host_fails_clearly_naming_service_and_host(live):
    dead = f"127.0.0.1:{free_port()}"
    add_fault(live.url, kind="domain_host", host=dead, api="domain")
    runner, thread, codes, pauses = start_bot(live, max_failures=2)
    thread.join(WAIT)
    assert codes == [1] and not runner.online.is_set()
    failure = [line for line in runner.report.lines if "stage=login" in line][-1]
    assert "agentVep" in failure and dead in failure and "Domain API" in failure
    assert len(journal(live.url, api="domain")) == 2  # looked up again before the second login


def test_a_domain_api_naming_a_dead_host_once_is_looked_up_again(live):
    add_fault(live.url, kind="domain_host", host=f"127.0.0.1:{free_port()}", api="domain", times=1)
    runner, thread, codes, pauses = start_bot(live)
    assert runner.online.wait(WAIT)
    assert sum("stage=login" in line for line in runner.report.lines) == 1
    customer = Customer(live)
    assert customer.wait_line("", after=-1)
    runner.stop()
    thread.join(WAIT)
    assert codes == [0]


def test_a_dropped_poll_is_repeated(live, bot):
    runner, customer, pauses = bot
    rule = add_fault(live.url, kind="drop", operation="agentGetEvents", times=1)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    assert rule_state(live, rule["id"])["taken"] == 1


def test_a_dropped_line_is_reported_not_sent_twice_and_the_bot_carries_on(live, bot):
    runner, customer, pauses = bot
    add_fault(live.url, kind="drop", operation="agentAddEvent", times=1)
    customer.say("hello")
    assert runner.report.wait_until(lambda: any(
        " error " in line and "not repeated" in line for line in runner.report.lines))
    sent = journal(live.url, operation="agentAddEvent", chat=customer.chat.id)
    assert len(sent) == 2 and sent[-1]["fault"]["kind"] == "drop"  # the welcome, the dropped one
    customer.say("where is my order?")
    assert customer.wait_line("order number")
    assert not any("Hello" in text for text in customer.lines(after=-1)[1:])  # never resent


def test_an_empty_poll_answer_is_repeated(live, bot):
    runner, customer, pauses = bot
    rule = add_fault(live.url, kind="empty", operation="agentGetEvents", times=1)
    customer.say("hello")
    assert "Jamie" in customer.wait_line("Hello")
    assert rule_state(live, rule["id"])["taken"] == 1
    assert any("EmptyAnswer" in line and "http.retry" in line for line in runner.report.lines)


def test_an_empty_answer_to_a_line_is_reported_and_the_bot_carries_on(live, bot):
    runner, customer, pauses = bot
    add_fault(live.url, kind="empty", status=201, operation="agentAddEvent", times=1)
    customer.say("hello")
    assert runner.report.wait_until(lambda: any(
        " error " in line and "empty body" in line for line in runner.report.lines))
    customer.say("where is my order?")
    assert customer.wait_line("order number")
