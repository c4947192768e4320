"""Scripted customers: YAML scripts with expectations, their pass/fail report, the CLI."""
import threading

import pytest

from simulator.__main__ import main as simulator_main
from simulator.customer import ScriptedCustomer
from simulator.scripts import ScriptError, load_script, parse_script
from simulator.visitor import VisitorClient

from tests.support.constants import ACCOUNT, AGENT_NAME, BOT_NAME, BOT_SKILL, HUMAN_SKILL
from tests.support.paths import ROOT
from tests.support.sim import HumanAgent, WatchedReporter, rules_bot, stop
from tests.support.waiting import WAIT

SCRIPTS = ROOT / "simulator" / "scripts"


def _run(live, script) -> object:
    customer = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), script, poll=0.05,
                                report=WatchedReporter("customer"))
    return customer.run()


def test_cli_runs_the_faq_script_against_the_rules_bot(live, capsys):
    bot = rules_bot(live)
    code = simulator_main(["consumer", "--url", live.url, "--script", str(SCRIPTS / "faq.yaml"),
                           "--poll", "0.05"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS 3. say \"It's order 12345\"; expect reply /Order 12345 has shipped/" in out
    assert "result: PASS (6 passed, 0 failed, 0 not run)" in out
    stop(*bot)


def test_the_escalation_script_passes_when_a_person_takes_over(live):
    human = HumanAgent(live)
    bot = rules_bot(live)
    answered = []

    def person():
        chat = human.accept_next()
        chat.add_line("Hi, Alex here. How can I help?")
        answered.append(chat.id)
    helper = threading.Thread(target=person, daemon=True)
    helper.start()

    result = _run(live, load_script(SCRIPTS / "escalation.yaml"))
    helper.join(WAIT)
    assert result.ok, result.report()
    assert answered == [result.chat_id]
    report = result.report()
    assert "PASS 3. say \"I'd like to talk to an agent please\"" in report
    assert f"transferred to {HUMAN_SKILL}" in report and f"{AGENT_NAME} joined" in report
    assert f"'Hi, Alex here. How can I help?' by {AGENT_NAME}" in report
    stop(*bot)
    human.logout()


def test_a_failed_expectation_names_what_came_and_stops_the_script(live, capsys, tmp_path):
    bot = rules_bot(live)
    script = tmp_path / "wrong.yaml"
    script.write_text(f"skill: {BOT_SKILL}\nsteps:\n"
                      f"  - expect: {{reply: '{BOT_NAME}'}}\n"
                      "  - say: hello\n"
                      "    expect: {reply: 'refund', within: 0.5}\n"
                      "  - say: never said\n")
    code = simulator_main(["consumer", "--url", live.url, "--script", str(script), "--poll", "0.05"])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL 2. say 'hello'; expect reply /refund/ within 0.5s: not within 0.5s; got 'Hello" in out
    assert "SKIP 3. say 'never said'" in out
    assert "result: FAIL (1 passed, 1 failed, 1 not run)" in out
    assert runner_lines_never_said(out)
    chat_ids = [c for c in live.sb.chats.values()]
    assert len(chat_ids) == 1 and chat_ids[0].state == "ended"  # the customer closed it
    stop(*bot)


def runner_lines_never_said(out: str) -> bool:
    """The line after the failure was not sent."""
    return "never said" not in "".join(line for line in out.splitlines() if " line.sent " in line)


def test_human_means_another_agent_than_the_first(live):
    bot = rules_bot(live)
    script = parse_script({"skill": BOT_SKILL, "steps": [
        {"expect": {"reply": BOT_NAME, "agent": BOT_NAME}},
        {"say": "hi", "expect": {"reply": ".+", "human": True, "within": 0.3}}]})
    result = _run(live, script)
    assert not result.ok
    assert result.steps[1].status == "failed" and f"by {BOT_NAME}" in result.steps[1].detail
    stop(*bot)


def test_the_chat_ending_and_who_ended_it_are_checked(live):
    bot = rules_bot(live)
    result = _run(live, parse_script({"skill": BOT_SKILL, "steps": [
        {"expect": {"joined": BOT_NAME}},
        {"say": "bye", "expect": [{"reply": "Thanks for chatting"}, {"ended": True, "by": "agent"}]}]}))
    assert result.ok, result.report()
    stop(*bot)


def test_scripts_are_checked_before_anything_runs(tmp_path, capsys):
    with pytest.raises(ScriptError, match="non-empty 'steps'"):
        parse_script({"skill": "x"})
    with pytest.raises(ScriptError, match="not both"):
        parse_script({"skill": "x", "engagement": "1", "steps": [{"say": "hi"}]})
    with pytest.raises(ScriptError, match="bad pattern"):
        parse_script({"skill": "x", "steps": [{"expect": {"reply": "("}}]})
    with pytest.raises(ScriptError, match="exactly one of"):
        parse_script({"skill": "x", "steps": [{"expect": {"within": 3}}]})
    with pytest.raises(ScriptError, match="step 1"):
        parse_script({"skill": "x", "steps": [{"shout": "hi"}]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [ {say: hi} ]\nmood: grumpy\n")
    assert simulator_main(["consumer", "--url", "http://127.0.0.1:9", "--script", str(bad)]) == 2
    assert "unknown key(s) mood" in capsys.readouterr().err


def test_a_customer_waits_does_without_what_may_not_come_and_rates_the_chat(live):
    bot = rules_bot(live)
    script = parse_script({"skill": BOT_SKILL, "steps": [
        {"wait": 0.2},  # says nothing a while (the welcome comes meanwhile)
        {"say": "agent", "expect": {"reply": ".+", "human": True, "within": 0.3, "optional": True}},
        {"end": True, "answer_survey": {"csat": 2, "comment": "Nobody came"}}]})
    assert [s.describe() for s in script.steps] == [
        "wait 0.2s", "say 'agent'; expect reply /.+/ from a human within 0.3s (optional)",
        "end the chat; answer the exit survey (CSAT 2, comment 'Nobody came')"]
    result = _run(live, script)
    assert result.ok, result.report()
    assert "not seen, optional" in result.steps[1].detail  # nobody on duty: no person, still passed
    assert result.first_answer is not None  # the bot's "nobody is online" line, after ours
    [chat] = live.sb.chats.values()
    [csat] = [q for q in live.sb.accounts[ACCOUNT].surveys["exit"].questions if q.csat]
    answers = chat.surveys["exit"]
    assert answers.pop(csat.id) == ["2"] and list(answers.values()) == [["Nobody came"]]
    stop(*bot)
    for step, message in (({"wait": 0}, "wait must be a positive"),
                          ({"answer_survey": {"csat": 6}}, "'csat' is 1 to 5"),
                          ({"answer_survey": {"stars": 5}}, "a mapping of comment, csat")):
        with pytest.raises(ScriptError, match=message):
            parse_script({"skill": "x", "steps": [step]})
