"""Brains without a server: rules and slots, escalation, the NLP hook, your own brain."""
import json

import pytest

from simulator.__main__ import build_brain, parse_args
from simulator.brains import Brain, ChatContext, Reply, make_brain
from simulator.brains.escalation import EscalatingBrain, escalating
from simulator.brains.nlp import HttpClassifier, make_classifier
from simulator.brains.rules import DEFAULT_INTENTS, RulesBrain, load_rules

from tests.support.constants import BOT_NAME, DEMO_BOT, HUMAN_SKILL
from tests.support.server import StubHandler, stub_server
from tests.support.sim import WatchedReporter

EAGER_INTENTS = DEFAULT_INTENTS.parent / "eager.yaml"  # demo bot B's


def _context(**kw) -> ChatContext:
    return ChatContext(chat_id="H1-aK1", agent=DEMO_BOT.login, agent_name=BOT_NAME, **kw)


def _demo_brain(classifier=None) -> EscalatingBrain:
    return escalating(make_brain("rules"), classifier)


def test_rules_brain_answers_by_intent_with_slots():
    brain, ctx = _demo_brain(), _context(visitor_info={"name": "Jamie Rivera", "city": "Lyon"})
    assert brain.start(ctx).text.startswith(f"Hi Jamie! I'm {BOT_NAME}")
    assert brain.reply(ctx, "hello there").text == "Hello Jamie! How can I help you today?"
    assert "order number" in brain.reply(ctx, "Where is my parcel?").text
    assert brain.reply(ctx, "order #4711 please").text.startswith("Thanks! Order 4711 has shipped")
    assert brain.reply(ctx, "4712").text.startswith("Thanks! Order 4712")  # a bare number answers
    assert "30 days" in brain.reply(ctx, "Can I get a refund?").text
    assert "Monday to Friday" in brain.reply(ctx, "what are your opening hours").text
    thanks = brain.reply(ctx, "thanks!")
    assert "You're welcome, Jamie" in thanks.text and not thanks.end_chat
    bye = brain.reply(ctx, "ok bye")
    assert bye.text == "Thanks for chatting, Jamie. Have a great day!" and bye.end_chat


def test_the_name_the_visitor_gives_wins_over_the_persona_and_there_is_a_default():
    brain = _demo_brain()
    named = _context(visitor_name="Sam", visitor_info={"name": "Jamie Rivera"})
    assert brain.reply(named, "hi").text.startswith("Hello Sam!")
    anonymous = _context(visitor_name="visitor")
    assert brain.reply(anonymous, "hi").text.startswith("Hello there!")


def test_fallback_lines_take_turns():
    brain, ctx = _demo_brain(), _context()
    said = []
    for _ in range(3):
        said.append(brain.reply(ctx, "purple elephants?").text)
        assert brain.reply(ctx, "hello").handoff is None  # understood: no two misses in a row
    first, second, third = said
    assert first != second and first == third and "agent" in first


def test_bot_a_hands_off_after_two_misunderstood_lines_in_a_row():
    brain, ctx = _demo_brain(), _context(visitor_info={"name": "Jamie Rivera"})
    assert brain.reply(ctx, "purple elephants?").handoff is None
    handoff = brain.reply(ctx, "blue giraffes!")
    assert handoff.handoff.reason == "Could not understand the customer twice"
    assert handoff.handoff.skill == HUMAN_SKILL and handoff.text.startswith("I'm sorry, Jamie")
    assert brain.reply(ctx, "green zebras").handoff is None  # counted afresh after a handoff


# Lines bot A answers (or falls back on once) and eager bot B hands off, with B's reason.
EAGER_ONLY = [("Where is order 12345?", "Order question: needs a human"),
              ("I was charged twice for the same thing", "Billing question: needs a human"),
              ("Honestly this is ridiculous", "Negative sentiment: needs a human"),
              ("purple elephants?", "Could not understand the customer")]


@pytest.mark.parametrize("line, reason", EAGER_ONLY)
def test_bot_b_escalates_eagerly_where_bot_a_does_not(line, reason):
    bot_a = _demo_brain()
    bot_b = escalating(make_brain("rules", intents=str(EAGER_INTENTS)))
    assert bot_a.reply(_context(), line).handoff is None
    handoff = bot_b.reply(_context(), line).handoff
    assert handoff is not None and (handoff.skill, handoff.reason) == (HUMAN_SKILL, reason)
    assert reason in bot_b.transfer_reasons() and reason not in bot_a.transfer_reasons()
    for both in (bot_a, bot_b):  # what both answer, and what both hand off
        assert "30 days" in both.reply(_context(), "How do returns work?").text
        assert both.reply(_context(), "agent").handoff.reason == "Customer asked for a person"


def test_each_bot_has_a_small_fixed_set_of_transfer_reasons():
    assert _demo_brain().transfer_reasons() == {"Customer asked for a person",
                                                "Could not understand the customer twice"}
    eager = escalating(make_brain("rules", intents=str(EAGER_INTENTS))).transfer_reasons()
    assert eager == {"Customer asked for a person", "Could not understand the customer",
                     "Negative sentiment: needs a human", "Billing question: needs a human",
                     "Order question: needs a human"}


def test_agent_and_human_escalate_with_a_reason_and_other_words_do_not():
    brain, ctx = _demo_brain(), _context(visitor_info={"name": "Jamie Rivera"})
    for line in ("agent", "Can I talk to an AGENT?", "a human please"):
        reply = brain.reply(ctx, line)
        assert reply.handoff is not None, line
        assert reply.handoff.skill == HUMAN_SKILL and reply.handoff.reason == "Customer asked for a person"
        assert reply.text.startswith("Sure, Jamie. I'm handing you over")
        assert "nobody from our team is online" in reply.handoff.unavailable_text
    wants_person = brain.reply(ctx, "I want a real person")  # the intent marked escalate
    assert wants_person.handoff.reason == "Customer asked for a person"
    for line in ("agents of change", "reagent order 123"):
        assert brain.reply(ctx, line).handoff is None, line


def test_escalation_keywords_and_skill_come_from_the_command_line():
    args = parse_args(["bot", "--url", "u", "--account", "1", "--user", "b", "--password", "p",
                       "--brain", "transcript", "--escalate-on", "help", "--human-skill", "sales"])
    brain = build_brain(args)
    assert brain.policy.keywords == ("help",) and brain.policy.skill == "sales"
    assert brain.reply(_context(), "help me").handoff.skill == "sales"
    assert brain.reply(_context(), "agent").text == "Hello"  # not a keyword any more
    default = build_brain(parse_args(["bot", "--url", "u", "--account", "1", "--user", "b",
                                      "--password", "p"]))
    assert default.policy.keywords == ("agent",)
    assert default.reply(_context(), "agent").handoff.skill == HUMAN_SKILL


def classify_orders(text: str, context: ChatContext) -> str | None:
    """A user's classifier for the NLP hook tests (imported by module:function)."""
    if "where" in text.lower():
        return "order_status"
    if "angry" in text.lower():
        return "escalate"
    return None


def test_nlp_hook_as_a_python_callable_decides_the_intent():
    classifier = make_classifier("tests.simulator.test_simulator_brains:classify_orders")
    brain, ctx = _demo_brain(classifier), _context()
    assert "order number" in brain.reply(ctx, "where did it go").text  # no pattern says so
    assert ctx.intent == "order_status"
    escalated = brain.reply(ctx, "I am angry")
    assert escalated.handoff is not None and ctx.memory["escalated_by"] == "intent:escalate"
    assert brain.reply(ctx, "hello").text.startswith("Hello")  # no intent: the patterns decide


class _Nlp(StubHandler):
    bodies: list = []
    intent = "opening_hours"
    fail = False

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.bodies.append(body)
        self.answer(200, b"not json" if self.fail else {"intent": self.intent}, content_type=None)


@pytest.fixture
def nlp_server():
    _Nlp.bodies, _Nlp.intent, _Nlp.fail = [], "opening_hours", False
    with stub_server(_Nlp) as server:
        yield f"http://127.0.0.1:{server.server_port}/classify", _Nlp


def test_nlp_hook_over_http_decides_the_intent_and_a_failure_falls_back(nlp_server):
    url, handler = nlp_server
    report = WatchedReporter("bot")
    brain, ctx = _demo_brain(HttpClassifier(url, report=report)), _context()
    assert "Monday to Friday" in brain.reply(ctx, "blorp").text
    assert handler.bodies == [{"text": "blorp", "chatId": "H1-aK1"}]
    handler.intent = "human"  # an intent the file marks `escalate`
    assert brain.reply(ctx, "blorp").handoff is not None
    handler.intent = "no_such_intent"
    assert brain.reply(ctx, "hello").text.startswith("Sorry")  # the hook decided: fallback
    handler.fail = True
    assert brain.reply(ctx, "hello").text.startswith("Hello")  # the hook failed: patterns
    assert report.count("nlp.failed") == 1


class EchoBrain(Brain):
    """The README's example of one's own brain."""

    def reply(self, context, text):
        if text.lower() == "bye":
            return Reply("Goodbye!", end_chat=True)
        return Reply(f"You said: {text}")


def shout(context, text):
    """A brain that is only a function."""
    return text.upper()


def test_your_own_brain_by_module_and_name():
    echo = make_brain("tests.simulator.test_simulator_brains:EchoBrain")
    assert echo.reply(_context(), "hi").text == "You said: hi" and echo.reply(_context(), "bye").end_chat
    assert make_brain("tests.simulator.test_simulator_brains:shout").reply(_context(), "hi").text == "HI"
    with pytest.raises(ValueError, match="unknown brain"):
        make_brain("nonsense")
    with pytest.raises(ValueError, match="cannot import"):
        make_brain("no_such_module:Brain")


def test_intents_files_are_checked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("intents:\n  - name: x\n    patterns: ['(']\n    replies: [a]\n")
    with pytest.raises(ValueError, match="bad pattern"):
        load_rules(bad)
    bad.write_text("intents:\n  - name: x\n    patterns: [a]\n")
    with pytest.raises(ValueError, match="needs replies"):
        load_rules(bad)
    bad.write_text("intents: [unclosed")
    with pytest.raises(ValueError):
        load_rules(bad)
    for section in ("{after: 0}", "{after: 2, when: never}", "[2]"):
        bad.write_text(f"misunderstood: {section}\nintents: []\n")
        with pytest.raises(ValueError, match="misunderstood"):
            load_rules(bad)
    good = tmp_path / "good.yaml"
    good.write_text("fallback: ['What?']\nintents:\n  - name: x\n    patterns: ['\\bping\\b']\n"
                    "    replies: [pong, PONG]\n")
    brain, ctx = RulesBrain(load_rules(good)), _context()
    assert [brain.reply(ctx, "ping").text for _ in range(3)] == ["pong", "PONG", "pong"]
    assert brain.reply(ctx, "?").text == "What?" and brain.start(ctx) is None
