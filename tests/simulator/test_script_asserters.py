"""Script asserters: text, contains, matches, rich, skill, state, transfer reason, ended by, survey."""
import pytest

from simulator.customer import ScriptedCustomer
from simulator.scripts import ScriptError, parse_script
from simulator.visitor import VisitorClient

from tests.support.constants import ACCOUNT, BOT_NAME, BOT_SKILL, BOT_SKILL_ID, HUMAN_SKILL
from tests.support.server import StubHandler, stub_server
from tests.support.sim import HumanAgent, WatchedReporter

PERSONA = {"persona": {"name": "Jamie Rivera"}}
SHIPPED = ("Thanks! Order 12345 has shipped and should arrive within 2 business days. You can "
           "follow it any time on the Track my order page.")


def _run(live, steps, **options):
    """Play `steps` as Jamie on support-bot; the result."""
    script = parse_script({"skill": BOT_SKILL, "request": PERSONA, "timeout": 5, "steps": steps})
    customer = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), script, poll=0.05,
                                report=WatchedReporter("customer"), **options)
    return customer.run()


def test_line_and_chat_asserters_pass_on_the_demo_bot(live, demo_bot):
    result = _run(live, [
        {"expect": [{"rich": "button", "contains": "Hi Jamie!", "agent": BOT_NAME,
                     "matches": r"Hi Jamie! I'm Demo Bot, the demo bot\..*"},
                    {"skill": BOT_SKILL}, {"skill": BOT_SKILL_ID}, {"state": "chatting"}]},
        {"say": "It's order 12345", "expect": {"text": SHIPPED}},
        {"say": "How do returns work?", "expect": {"reply": "30 DAYS", "contains": "30 days"}},
        {"say": "Thank you, bye", "expect": [{"matches": "(?i)thanks for chatting, jamie.*"},
                                             {"ended": True, "by": "agent"}, {"state": "ended"},
                                             {"survey": True}]},
    ])
    assert result.ok, result.report() + "\n" + result.transcript()
    report = result.report()
    assert "rich content (button)" in report and f"on skill {BOT_SKILL} (id {BOT_SKILL_ID})" in report
    assert "exit survey" in report and "question(s)" in report
    assert result.failure() is None


def test_a_failing_asserter_names_its_step_and_the_result_keeps_the_transcript(live, demo_bot):
    result = _run(live, [
        {"expect": {"rich": True}},
        {"say": "It's order 12345", "expect": {"text": SHIPPED.lower(), "within": 0.5}},
        {"say": "never said"},
    ])
    assert not result.ok
    failure = result.failure()
    assert failure.startswith("step 2 failed (say \"It's order 12345\"; expect reply text 'thanks! order")
    assert f"got {SHIPPED!r} by {BOT_NAME}" in failure
    transcript = result.transcript()
    assert "you: It's order 12345" in transcript and f"{BOT_NAME}: {SHIPPED}" in transcript
    assert f"{BOT_NAME}: [vertical] Hi Jamie!" in transcript
    assert "never said" not in transcript
    assert [s.status for s in result.steps] == ["passed", "failed", "not run"]


def test_matches_is_the_whole_text_and_case_counts(live, demo_bot):
    result = _run(live, [{"expect": {"rich": True}},
                         {"say": "It's order 12345", "expect": {"matches": "Order 12345 has shipped",
                                                                "within": 0.5}}])
    assert result.failed_step[0] == 2, result.report()


def test_transfer_reason_skill_and_state_after_a_handoff(live, demo_bot):
    human = HumanAgent(live)  # on duty on support-human: the bot hands over only then
    result = _run(live, [
        {"expect": {"rich": True}},
        {"say": "agent", "expect": [
            {"transferred": HUMAN_SKILL, "reason": '^Customer asked for a person$'},
            {"skill": HUMAN_SKILL}, {"state": "waiting"}]},
    ])
    assert result.ok, result.report()
    assert "reason 'Customer asked for a person'" in result.report()

    wrong = _run(live, [{"expect": {"rich": True}},
                        {"say": "agent", "expect": {"transferred": True, "reason": "refund", "within": 0.5}}])
    assert wrong.failed_step[0] == 2
    assert f"a transfer to {HUMAN_SKILL} with reason 'Customer asked for a person'" in wrong.failure()
    human.logout()


class NotASandbox(StubHandler):
    """Answers every GET 404, as LivePerson's hosts answer /_sandbox."""

    def do_GET(self):
        self.answer(404, {"error": "no such page"})


def test_a_reason_check_without_a_control_plane_fails_saying_it_needs_the_sandbox(live, demo_bot):
    steps = [{"expect": {"rich": True}},
             {"say": "hello", "expect": {"transferred": HUMAN_SKILL, "reason": ".+"}}]
    with stub_server(NotASandbox) as stub:
        url = f"http://127.0.0.1:{stub.server_port}"
        elsewhere = _run(live, steps, control=url)
    assert elsewhere.failed_step[0] == 2
    assert "needs the sandbox" in elsewhere.failure()
    assert f"{url}/_sandbox does not answer as one" in elsewhere.failure()
    assert "you: hello" in elsewhere.transcript()

    switched_off = _run(live, steps, control=False)
    assert "needs the sandbox" in switched_off.failure() and "control=False" in switched_off.failure()


def test_ended_by_the_visitor_and_no_survey_offered_fails_naming_what_was_offered(live, demo_bot):
    result = _run(live, [{"expect": {"rich": True}}, {"end": True},
                         {"expect": {"ended": True, "by": "visitor"}},
                         {"expect": {"survey": False}}])
    assert result.failed_step[0] == 4, result.report()
    assert "exit survey" in result.failure() and "question(s)" in result.failure()


def test_asserters_are_checked_before_anything_runs():
    def check(item):
        return parse_script({"skill": "x", "steps": [{"say": "hi", "expect": item}]})

    with pytest.raises(ScriptError, match="not several kinds"):
        check({"text": "a", "state": "ended"})
    with pytest.raises(ScriptError, match="not several kinds"):
        check({"skill": "a", "survey": True})
    with pytest.raises(ScriptError, match="'reason' goes with transferred"):
        check({"reply": "a", "reason": "b"})
    with pytest.raises(ScriptError, match="'by' goes with ended"):
        check({"state": "ended", "by": "agent"})
    with pytest.raises(ScriptError, match="'state' is one of waiting, chatting, ended"):
        check({"state": "open"})
    with pytest.raises(ScriptError, match="'rich' is true or a content type"):
        check({"rich": False})
    with pytest.raises(ScriptError, match="bad pattern"):
        check({"matches": "("})
    with pytest.raises(ScriptError, match="'survey' is true or false"):
        check({"survey": "yes"})
    line = check({"contains": "a", "rich": "card", "agent": "Bo"}).steps[0].checks[0]
    assert (line.kind, line.contains, line.rich, line.agent) == ("reply", "a", "card", "Bo")
    assert line.describe() == "reply containing 'a' rich content (card) by Bo within 10s"


# --- test_*.yaml files as pytest tests (mock_server/testing/scripts.py) ----------------------

# A bot team's conftest: its bot in `cc_bot` (the demo rules bot, 50 ms polls) against the
# cc_sandbox fixture's sandbox; the collect hook only until the plugin has its own.
ITEMS_CONFTEST = '''
import io
import threading

import pytest

from mock_server.testing import plugin, scripts
from simulator.bot import BotOptions, BotRunner
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.login import Credentials
from simulator.report import Reporter

if not hasattr(plugin, "pytest_collect_file"):
    def pytest_collect_file(file_path, parent):
        return scripts.collect_file(file_path, parent)


@pytest.fixture
def cc_bot(cc_sandbox):
    options = BotOptions(cc_sandbox.url, cc_sandbox.account,
                         Credentials("demo-bot", password="demo-bot-pass"), poll=0.05,
                         verify=cc_sandbox.verify)
    runner = BotRunner(options, escalating(make_brain("rules")), Reporter("bot", stream=io.StringIO()))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    assert runner.online.wait(10), "the bot did not get Online"
    yield runner
    runner.stop()
    thread.join(10)
'''

SCRIPTS_FILE = f'''
skill: {BOT_SKILL}
request: {{persona: {{name: Jamie Rivera}}}}
timeout: 5
scripts:
  - name: order status
    steps:
      - expect: {{rich: vertical, contains: "Hi Jamie!"}}
      - say: "It's order 12345"
        expect: {{text: "{SHIPPED}"}}
  - name: wrong answer
    steps:
      - expect: {{rich: true}}
      - say: "It's order 12345"
        expect: {{text: "Order 12345 is lost.", within: 0.5}}
'''


def test_yaml_scripts_are_pytest_items_that_fail_naming_the_step(tmp_path):
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text(ITEMS_CONFTEST)
    (tmp_path / "test_orders.yaml").write_text(SCRIPTS_FILE)
    (tmp_path / "test_single.yml").write_text(f"skill: {BOT_SKILL}\nsteps: [{{expect: {{state: chatting}}}}]\n")
    (tmp_path / "test_broken.yaml").write_text("steps: [{say: hi, expect: {shout: yes}}]\n")
    (tmp_path / "notes.yaml").write_text("not: a test\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA",
                          "--continue-on-collection-errors", str(tmp_path)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = run.stdout
    assert run.returncode == 1, out + run.stderr
    assert "1 failed, 2 passed, 1 error" in out, out
    assert "PASSED test_orders.yaml::order status" in out and "PASSED test_single.yml::test_single" in out
    assert "FAILED test_orders.yaml::wrong answer" in out
    assert ("test_orders.yaml::wrong answer: step 2 failed (say \"It's order 12345\"; expect reply "
            "text 'Order 12345 is lost.' within 0.5s): not within 0.5s; got 'Thanks! Order 12345") in out
    assert "FAIL 2. say \"It's order 12345\"" in out and "result: FAIL (1 passed, 1 failed, 0 not run)" in out
    assert "transcript of chat H" in out and "you: It's order 12345" in out
    assert f"{BOT_NAME}: {SHIPPED}" in out
    assert "ERROR collecting test_broken.yaml" in out and "test_broken.yaml: step 1: expect: a check is a mapping" in out
