"""The bot end to end: rules answers, escalation to a person, typing, maxChats, Ctrl-C, failures."""
import threading

from simulator.brains import Brain, Reply, make_brain
from simulator.brains.escalation import escalating
from simulator.chat_worker import EXIT_END_LINE, EXIT_REASON, EXIT_TRANSFER_LINE
from simulator.customer import ScriptedCustomer
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_ENGAGEMENT_ID, BOT_NAME, BOT_SKILL,
                                     HUMAN_SKILL)
from tests.support.sim import HumanAgent, WatchedReporter, rules_bot, stop
from tests.support.waiting import WAIT, wait_until


class Customer:
    """A customer on the Server Chat API, following the chat with the simulator's visitor engine."""

    def __init__(self, live, name: str | None = "Jamie Rivera", **request):
        persona = {"persona": {"name": name}} if name else {}
        self.engine = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), report=WatchedReporter("customer"))
        self.chat = self.engine.request(**{"engagement_id": BOT_ENGAGEMENT_ID, **persona, **request})
        self.said = -1

    def say(self, text: str) -> int:
        self.engine.poll()
        self.said = self.engine.say(text)
        return self.said

    def agent_lines(self, after: int | None = None, by: str | None = None):
        after = self.said if after is None else after
        return [e for e in self.engine.events if e.id > after and e.is_agent_line
                and (by is None or e.by == by)]

    def wait_line(self, pattern: str = "", by: str | None = None, after: int | None = None):
        """The first agent line after our last one containing `pattern` (polling until it comes)."""
        def found():
            self.engine.poll()
            return next((e for e in self.agent_lines(after, by) if pattern in e.plain_text), None)
        line = wait_until(found)
        assert line, f"no agent line with {pattern!r}; got {[e.plain_text for e in self.agent_lines(after)]}"
        return line

    def wait_system(self, message_id: int):
        def found():
            self.engine.poll()
            return next((e for e in self.engine.events if e.id > self.said and e.is_system_line
                         and e.system_message_id == message_id), None)
        event = wait_until(found)
        assert event, f"no system message {message_id}"
        return event


def test_rules_bot_answers_and_agent_reaches_a_human_who_sees_everything(live):
    human = HumanAgent(live)
    runner, thread, codes = rules_bot(live)
    customer = Customer(live)
    welcome = customer.wait_line(f"Hi Jamie! I'm {BOT_NAME}", by=BOT_NAME, after=-1)
    customer.say("hello")
    assert customer.wait_line(by=BOT_NAME).plain_text == "Hello Jamie! How can I help you today?"

    customer.say("agent")
    handoff = customer.wait_line("handing you over", by=BOT_NAME)
    transfer = customer.wait_system(15)
    assert HUMAN_SKILL in transfer.plain_text and customer.chat.info().skill_name == HUMAN_SKILL
    assert runner.report.wait_until(lambda: runner.outcomes.get(customer.chat.id) == "transferred")
    assert runner.open_chats == []

    chat = human.accept_next()
    assert chat.id == customer.chat.id
    history = chat.resource().events.events
    lines = [(e.source, e.by, e.plain_text) for e in history if e.is_line]
    assert ("visitor", "You", "hello") in lines and ("visitor", "You", "agent") in lines
    assert ("agent", BOT_NAME, welcome.plain_text) in lines
    assert ("agent", BOT_NAME, handoff.plain_text) in lines
    reason = next(e for e in history if e.only_to_rep)
    assert (reason.by, reason.plain_text) == (BOT_NAME, "Customer asked for a person")
    transfer_ids = [e.id for e in history if e.system_message_id == 15]
    assert transfer_ids and reason.id < transfer_ids[0]  # the note, then the announcement
    assert [e.id for e in customer.engine.events if e.only_to_rep] == []  # the customer never sees it

    reply = chat.add_line("Hi Jamie, Alex here. How can I help?")
    seen = customer.wait_line("Alex here", by=AGENT_NAME)
    assert seen.id == reply and customer.chat.info().agent_name == AGENT_NAME
    chat.end()
    stop(runner, thread, codes)
    human.logout()


def test_with_nobody_on_duty_the_bot_says_so_and_keeps_the_chat(live):
    runner, thread, codes = rules_bot(live)
    customer = Customer(live)
    customer.wait_line(BOT_NAME, after=-1)
    customer.say("Can I talk to an agent?")
    sorry = customer.wait_line(by=BOT_NAME)
    assert "nobody from our team is online right now" in sorry.plain_text
    assert runner.report.count("escalation.unavailable") == 1 and runner.open_chats == [customer.chat.id]
    info = customer.chat.info()
    assert (info.state, info.agent_name, info.skill_name) == ("chatting", BOT_NAME, BOT_SKILL)
    customer.say("where is my order?")
    assert "order number" in customer.wait_line(by=BOT_NAME).plain_text
    customer.chat.end()
    stop(runner, thread, codes)


def test_typing_shows_while_the_brain_composes_and_clears_after(live):
    bus = []
    may_answer = threading.Event()

    def watch(event):
        if event.kind == "chat.typing":
            bus.append(("typing", event.data["who"], event.data["typing"]))
            if event.data["who"] == "agent" and event.data["typing"] == "typing":
                may_answer.set()
        elif event.kind == "chat.event" and event.data["event"].type == "line":
            bus.append(("line", event.data["event"].source, event.data["event"].text))
    live.sb.bus.subscribe(watch)

    def slow_classifier(text, context):
        # The brain is "composing" until the customer side has seen the typing indicator.
        assert may_answer.wait(WAIT), "no typing indicator while composing"
        return None

    runner, thread, codes = rules_bot(live, classifier=slow_classifier)
    customer = Customer(live)
    customer.wait_line(BOT_NAME, after=-1)
    # The welcome's own typing is cleared after its line: wait for that before watching afresh.
    assert runner.report.wait_until(lambda: ("typing", "agent", "not-typing") in bus)
    del bus[:]
    may_answer.clear()
    customer.say("hello")
    customer.wait_line(by=BOT_NAME)
    assert runner.report.wait_until(lambda: ("typing", "agent", "not-typing") in bus)
    agent_events = [b for b in bus if b[1] == "agent"]
    assert agent_events[0] == ("typing", "agent", "typing")
    assert agent_events[1][0] == "line" and "Hello Jamie" in agent_events[1][2]
    assert agent_events[2] == ("typing", "agent", "not-typing")
    customer.chat.end()
    stop(runner, thread, codes)


def test_replies_wait_for_the_typing_delay_in_order(live):
    runner, thread, codes = rules_bot(live, typing_delay=0.2)
    customer = Customer(live)
    customer.wait_line(BOT_NAME, after=-1)
    first = customer.say("hello")
    second = customer.chat.add_line("what are your hours?")
    customer.engine.own.add(second)
    hours = customer.wait_line("Monday to Friday", after=first)
    hello = customer.wait_line("Hello Jamie", after=first)
    assert first < second < hello.id < hours.id
    customer.chat.end()
    stop(runner, thread, codes)


def test_the_bot_takes_no_more_chats_than_its_limit(live):
    runner, thread, codes = rules_bot(live, max_chats=2)
    assert runner.capacity == 2 and runner.agent.max_chats == 5
    polls = []
    real_call = runner.client.transport.call

    def counting_call(method, url, *args, **kwargs):
        polls.append(url)
        return real_call(method, url, *args, **kwargs)
    runner.client.transport.call = counting_call

    first, second = Customer(live), Customer(live)
    assert runner.report.wait_until(lambda: runner.report.count("chat.accepted") == 2)
    third = Customer(live)
    session_id = runner._session.id
    assert wait_until(lambda: live.sb.chats[third.chat.id].ringing_session_id == session_id)
    # Let the bot go round its loop twice more (it polls both chats every round).
    seen = len([u for u in polls if first.chat.id in u and "/events" in u])
    assert wait_until(lambda: len([u for u in polls if first.chat.id in u and "/events" in u]) >= seen + 2)
    assert runner.report.count("chat.accepted") == 2 and third.chat.info().state == "waiting"

    first.chat.end()
    assert runner.report.wait_until(lambda: runner.report.count("chat.accepted") == 3)
    assert third.chat.info().agent_name == BOT_NAME
    for customer in (second, third):
        customer.chat.end()
    stop(runner, thread, codes)


def test_default_capacity_is_the_agents_max_chats(live):
    runner, thread, codes = rules_bot(live)
    assert runner.capacity == 5
    stop(runner, thread, codes)


def test_stopping_ends_open_chats_politely_and_logs_out(live):
    server_events = []
    live.sb.bus.subscribe(lambda e: server_events.append(e.kind))
    runner, thread, codes = rules_bot(live)
    customer = Customer(live)
    customer.wait_line(BOT_NAME, after=-1)
    bearer = runner.client.bearer
    stop(runner, thread, codes)
    customer.engine.poll()
    assert customer.engine.ended_by == "agent"
    assert [e.plain_text for e in customer.engine.events if e.is_agent_line][-1] == EXIT_END_LINE
    assert runner.outcomes[customer.chat.id] == "ended"
    assert server_events.index("logout") > server_events.index("chat.ended")
    assert bearer not in live.sb.logins.by_bearer


def test_stopping_with_on_exit_transfer_hands_chats_to_people(live):
    human = HumanAgent(live)
    runner, thread, codes = rules_bot(live, on_exit="transfer")
    customer = Customer(live)
    customer.wait_line(BOT_NAME, after=-1)
    stop(runner, thread, codes)
    assert runner.outcomes[customer.chat.id] == "transferred"
    chat = human.accept_next()
    history = chat.resource().events.events
    assert [e.plain_text for e in history if e.only_to_rep] == [EXIT_REASON]
    assert EXIT_TRANSFER_LINE in [e.plain_text for e in history if e.is_agent_line]
    chat.end()
    human.logout()


def test_a_failing_brain_loses_one_answer_not_the_bot(live):
    brain = escalating(make_brain("tests.simulator.test_simulator_bot:fragile_brain"))
    runner, thread, codes = rules_bot(live, brain=brain)
    customer = Customer(live)
    customer.say("boom")
    assert runner.report.wait_for("brain.error")
    customer.say("hi")
    assert customer.wait_line(by=BOT_NAME).plain_text == "echo hi"
    assert [e.plain_text for e in customer.agent_lines(after=-1)] == ["echo hi"]
    assert live.sb.chats[customer.chat.id].agent_typing == "not-typing"
    customer.chat.end()
    stop(runner, thread, codes)


def fragile_brain(context, text):
    """A user brain with a bug on one input (imported by module:function)."""
    if text == "boom":
        raise RuntimeError("brain bug")
    return f"echo {text}"


class LeftAtOnce(Brain):
    """Greets after the customer has already left (they end the chat as the bot accepts it)."""

    def __init__(self, customers: list):
        self.customers = customers

    def start(self, context):
        if self.customers:
            self.customers.pop(0).chat.end()  # gone before the welcome goes out
        return Reply("Welcome!")

    def reply(self, context, text):
        return Reply(f"echo {text}")


def test_a_customer_who_leaves_before_the_welcome_costs_one_chat_not_the_bot(live):
    leaving = []
    runner, thread, codes = rules_bot(live, brain=LeftAtOnce(leaving))
    leaving.append(Customer(live))
    assert runner.report.wait_for("chat.dropped")  # the welcome answered 409: that chat only
    assert runner.report.count("error") == 0  # not a failed round (its pause is minutes long)
    customer = Customer(live)  # the next customer is served at once
    customer.say("hi")
    assert customer.wait_line("echo hi", by=BOT_NAME)
    customer.chat.end()
    stop(runner, thread, codes)
