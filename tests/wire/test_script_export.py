"""Record and replay: GET /_sandbox/chats/{chatId}/script exports a chat as a customer script
that replays against the bot, and fails, naming the step, once the bot answers otherwise."""
import re
import threading

import requests
import yaml

from mock_server.control.script import answer_pattern
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.customer import ScriptedCustomer
from simulator.scripts import parse_script
from simulator.visitor import VisitorClient

from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_ENGAGEMENT_ID, BOT_NAME, BOT_SKILL,
                                     HUMAN_SKILL)
from tests.support.paths import ROOT
from tests.support.sim import HumanAgent, WatchedReporter, rules_bot, stop
from tests.support.waiting import WAIT, wait_until

INTENTS = ROOT / "simulator" / "intents" / "default.yaml"
SHIPPED = "has shipped and should arrive within 2 business days"


def _play(live, script):
    customer = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), script, poll=0.05,
                                report=WatchedReporter("customer"))
    return customer, customer.run()


def _export(live, chat_id) -> requests.Response:
    return requests.get(f"{live.url}/_sandbox/chats/{chat_id}/script", timeout=WAIT)


def test_a_recorded_chat_replays_against_the_bot_and_fails_naming_the_step_when_it_changes(live, tmp_path):
    bot = rules_bot(live)
    # No persona given: the sandbox draws one; the export must carry it for the greeting to match.
    _, original = _play(live, parse_script({"skill": BOT_SKILL, "steps": [
        {"expect": {"rich": True}},
        {"say": "It's order 12345", "expect": {"contains": SHIPPED}},
        {"say": "Thanks, bye", "expect": {"ended": True, "by": "agent"}}]}))
    assert original.ok, original.report()

    response = _export(live, original.chat_id)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/yaml")
    assert response.headers["Content-Disposition"] == f'attachment; filename="chat-{original.chat_id}.yaml"'
    assert response.text.startswith(f"# Chat {original.chat_id} of account {ACCOUNT}, recorded by the sandbox")
    data = yaml.safe_load(response.text)
    persona = live.sb.chats[original.chat_id].visitor.persona
    assert data["skill"] == BOT_SKILL and data["account"] == ACCOUNT
    assert data["request"] == {"persona": persona.as_dict()}
    opening, order, bye = data["steps"]
    assert opening["expect"][0] == {"skill": BOT_SKILL}
    welcome = opening["expect"][1]
    assert welcome["rich"] == "vertical" and welcome["matches"].startswith(f"Hi {persona.name.split()[0]}! ")
    assert order["say"] == "It's order 12345"
    assert order["expect"]["matches"] == (r"Thanks! Order 12345 has shipped and should arrive within 2 "
                                          r"business days\. You can follow it any time on the Track my "
                                          r"order page\.")
    assert bye["say"] == "Thanks, bye"
    assert bye["expect"][-1] == {"ended": True, "by": "agent"}
    assert "agent" not in order["expect"]  # one agent spoke: nobody to tell apart

    _, replay = _play(live, parse_script(data))
    assert replay.ok, replay.report()
    assert replay.chat_id != original.chat_id
    stop(*bot)

    changed = tmp_path / "intents.yaml"
    changed.write_text(INTENTS.read_text().replace(SHIPPED, "is on its way and arrives within 2 business days"))
    bot = rules_bot(live, brain=escalating(make_brain("rules", intents=str(changed))))
    _, broken = _play(live, parse_script(data))
    assert not broken.ok
    assert broken.failed_step[0] == 2
    assert broken.failure().startswith("step 2 failed (say \"It's order 12345\"; expect reply matching /Thanks!")
    assert "is on its way" in broken.failure() and "you: It's order 12345" in broken.transcript()
    stop(*bot)


def _said_by(customer, name) -> bool:
    """Poll until an agent line by `name` has come (within the deadline)."""
    return wait_until(lambda: customer.poll() is not None and any(e.by == name for e in customer.replies))


def test_a_transfer_a_person_and_the_customers_end_are_exported_as_checks(live, demo_bot):
    human = HumanAgent(live)
    accepted = []

    def person():
        chat = human.accept_next()
        chat.add_line("Hi, Alex here. Your order 77 is safe.")
        accepted.append(chat.id)
    helper = threading.Thread(target=person, daemon=True)
    helper.start()
    customer = ScriptedCustomer(VisitorClient(live.url, ACCOUNT), None, poll=0.05,
                                report=WatchedReporter("customer"))
    chat = customer.request(engagement_id=BOT_ENGAGEMENT_ID)
    assert _said_by(customer, BOT_NAME)  # the welcome
    customer.set_name("Robin")
    customer.say("agent please, about order 77")
    helper.join(WAIT)
    assert accepted == [chat.id]
    assert _said_by(customer, AGENT_NAME)
    survey = chat.exit_survey()
    customer.end()
    chat.submit_exit_survey(survey.id, {survey.questions[0].id: survey.questions[0].entries[0].value})

    data = yaml.safe_load(_export(live, chat.id).text)
    assert data["engagement"] == BOT_ENGAGEMENT_ID and "skill" not in data
    opening, said, end, offered = data["steps"]
    assert opening["expect"][0] == {"skill": BOT_SKILL}
    assert list(said)[:2] == ["name", "say"] and said["name"] == "Robin"
    checks = said["expect"]
    assert checks[0]["agent"] == BOT_NAME  # two agents spoke: each answer names who
    transfer = next(c for c in checks if "transferred" in c)
    assert transfer["transferred"] == HUMAN_SKILL
    assert re.fullmatch(transfer["reason"], "Customer asked for a person")
    assert {"joined": AGENT_NAME} in checks
    assert checks[-1] == {"matches": r"Hi, Alex here\. Your order 77 is safe\.",
                          "agent": AGENT_NAME}
    assert end == {"end": True} and offered == {"expect": {"survey": True}}
    parse_script(data)  # a valid script
    human.logout()


def test_an_unknown_chat_is_a_404_in_the_envelope(live):
    response = _export(live, "H1-nothing")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "Chat H1-nothing was not found"


def test_answer_patterns_keep_what_matters_and_loosen_what_varies():
    said = {"12345"}
    text = "Order 12345: ticket 884213 opened at 9:41 (about 30\nmin).  Cost $4.99?"
    pattern = answer_pattern(text, said)
    assert pattern == (r"Order 12345: ticket \d+ opened at \d{1,2}:\d{2}(?::\d{2})? "
                       r"\(about 30\s+min\)\.\s+Cost \$4\.99\?")
    assert re.fullmatch(pattern, text)
    assert re.fullmatch(pattern, "Order 12345: ticket 1 opened at 17:05:09 (about 30 min). Cost $4.99?")
    assert not re.fullmatch(pattern, "Order 12345: ticket 1 opened at 9:41 (about 30 min).Cost $4.99?")
    assert not re.fullmatch(pattern, text.replace("30\n", "45\n"))
    assert not re.fullmatch(pattern, text.replace("12345", "54321"))
    assert not re.fullmatch(pattern, text + " More.")
    assert answer_pattern("  hi  ") == r"\s*hi\s*"
