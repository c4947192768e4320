"""The load generator against a live sandbox with both demo bots: every intent, transfers with
their reasons, surveys, the seed, the summary, the timeout, and the hosts it refuses."""
import re

import pytest
import requests

from simulator.__main__ import main
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.brains.rules import DEFAULT_INTENTS
from simulator.load import local_host
from simulator.login import Credentials
from simulator.mix import MixError, load_mix, plan

from tests.support.constants import (ACCOUNT, BOT_B_SKILL, BOT_ENGAGEMENT_ID, DEMO_AGENT, DEMO_BOT_B,
                                     HUMAN_SKILL)
from tests.support.server import StubHandler, stub_server
from tests.support.sim import fast_mix_file, run_bot, stop

SEED = 2  # its 10 customers hold every intent, and happy ones asking about an order
CHATS = 10
INTENTS = {"happy", "escalating", "angry", "silent", "leaving"}


@pytest.fixture
def fast_mix(tmp_path):
    return fast_mix_file(tmp_path)


@pytest.fixture
def bots(live):
    """Demo bot A (demo-bot, default intents) and B (demo-bot-b, eager intents), 50 ms polls:
    {name: brain}."""
    brains = {"A": escalating(make_brain("rules")),
              "B": escalating(make_brain("rules", intents=str(DEFAULT_INTENTS.parent / "eager.yaml")))}
    running = [run_bot(live, brains["A"]),
               run_bot(live, brains["B"], credentials=Credentials(DEMO_BOT_B.login, password=DEMO_BOT_B.password))]
    yield brains
    for bot in running:
        stop(*bot)


def _load(live, mix, *extra) -> int:
    return main(["load", "--url", live.url, "--chats", str(CHATS), "--rate", "50", "--seed", str(SEED),
                 "--mix", str(mix), "--poll", "0.05", "--no-progress", "--timeout", "60",
                 "--human-agent", f"{DEMO_AGENT.login}:{DEMO_AGENT.password}", *extra])


def _chats(live) -> dict[str, dict]:
    """The account's chats on the control plane, by the customer's e-mail (each persona's own)."""
    state = requests.get(f"{live.url}/_sandbox/state", params={"account": ACCOUNT}).json()
    return {c["visitor"]["email"]: c for c in state["accounts"][0]["chats"]}


def _visitor_lines(chat: dict) -> list[str]:
    return [e["text"] for e in chat["events"] if e["@type"] == "line" and e["source"] == "visitor"]


def _csat(chat: dict) -> str | None:
    answers = [a["answer"] for a in chat["exitSurvey"] or [] if a["csat"]]
    return answers[0][0] if answers else None


def test_a_load_plays_every_intent_and_bot_b_transfers_more_than_bot_a(live, bots, fast_mix, capsys):
    customers = plan(CHATS, SEED, load_mix(fast_mix))
    assert {c.intent for c in customers} == INTENTS  # the seed's customers: every intent

    assert _load(live, fast_mix) == 0  # through the engagement (support-bot: bot A)
    out = capsys.readouterr().out
    assert f"Load: {CHATS} chats to engagement {BOT_ENGAGEMENT_ID}, seed {SEED}" in out
    assert "By intent" in out and f"load: PASS ({CHATS}/{CHATS} chats ran to their end)" in out
    assert "first answer p50" in out and "first answer p95" in out
    chats = _chats(live)
    assert len(chats) == CHATS
    for customer in customers:
        chat = chats[customer.persona["email"]]  # the persona the request carried
        assert chat["visitor"]["name"] == customer.persona["name"]
        assert chat["engagementId"] == BOT_ENGAGEMENT_ID and chat["state"] == "ended"
        assert _visitor_lines(chat) == list(customer.lines), customer.script.name
        if customer.intent in ("escalating", "angry"):
            [transfer] = chat["transfers"]
            assert transfer["toSkill"] == HUMAN_SKILL, customer.script.name
            assert transfer["reason"] in bots["A"].transfer_reasons()
        else:
            assert chat["transfers"] == [], customer.script.name  # bot A answers these itself
        if customer.intent in ("happy", "escalating", "angry"):
            assert _csat(chat) == str(customer.csat) and customer.csat in range(*{
                "happy": (4, 6), "escalating": (2, 5), "angry": (1, 3)}[customer.intent])
            # ... and "was your issue resolved?", where the account's exit survey asks it
            resolved = [a["answer"] for a in chat["exitSurvey"] if "resolved" in a["label"].lower()]
            assert resolved in ([], [["Yes" if customer.intent == "happy" else "No"]])
        else:
            assert chat["exitSurvey"] is None, customer.script.name  # silent and leaving: none
        if customer.intent == "silent":
            assert _visitor_lines(chat) == []  # a chat without a word from the customer
        if customer.intent == "leaving":
            assert len(_visitor_lines(chat)) == 1

    # The same customers on bot B: more transfers (happy order questions), B's reasons.
    assert _load(live, fast_mix, "--skill", BOT_B_SKILL) == 0
    assert f"Load: {CHATS} chats to skill {BOT_B_SKILL}, seed {SEED}" in capsys.readouterr().out
    state = requests.get(f"{live.url}/_sandbox/state", params={"account": ACCOUNT}).json()
    on_b = [c for c in state["accounts"][0]["chats"] if c["engagementId"] != BOT_ENGAGEMENT_ID]
    assert len(on_b) == CHATS
    reasons = [t["reason"] for c in on_b for t in c["transfers"]]
    assert set(reasons) <= bots["B"].transfer_reasons()
    assert "Order question: needs a human" in reasons
    transferred_by_a = sum(1 for c in chats.values() if c["transfers"])
    assert len(reasons) > transferred_by_a


def test_the_same_seed_gives_the_same_customers_and_another_seed_others(fast_mix):
    mix = load_mix(fast_mix)
    first, again, other = plan(30, 11, mix), plan(30, 11, mix), plan(30, 12, mix)
    assert [(c.intent, c.persona, c.lines, c.csat) for c in first] == \
        [(c.intent, c.persona, c.lines, c.csat) for c in again]
    assert [c.intent for c in first] != [c.intent for c in other]
    assert len({c.persona["name"] for c in first}) > 25  # Faker personas, not one name
    happy = [c.lines[0] for c in first + other if c.intent == "happy"]
    assert len(set(happy)) > 3  # several phrasings, drawn


def test_a_remote_url_is_refused_before_anything_is_sent(capsys):
    for url in ("https://api.liveperson.net", "va.liveperson.net", "http://10.0.0.7:8080"):
        assert main(["load", "--url", url, "--chats", "1"]) == 2
        err = capsys.readouterr().err
        assert f"--url {url} is not this machine" in err and "real LivePerson account" in err
    assert [local_host(u) for u in ("http://localhost:8080", "127.0.0.1:9", "http://[::1]:80")] == \
        ["localhost", "127.0.0.1", "::1"]


class _RemoteCsds(StubHandler):
    """A Domain API on this machine that names LivePerson's host for the chat service."""

    def do_GET(self):
        self.answer(200, {"service": "conversationVep", "account": ACCOUNT, "baseURI": "va.liveperson.net"})


def test_a_local_domain_api_naming_a_remote_chat_host_is_refused(capsys):
    with stub_server(_RemoteCsds) as csds:
        assert main(["load", "--url", f"http://127.0.0.1:{csds.server_port}", "--chats", "1",
                     "--no-progress"]) == 2
    assert "conversationVep host va.liveperson.net is not this machine" in capsys.readouterr().err


def test_the_timeout_stops_the_run_and_says_what_was_left(live, fast_mix, capsys):
    # No bot is online: the chats wait for an agent until the run's timeout ends them.
    code = main(["load", "--url", live.url, "--chats", "3", "--rate", "50", "--seed", "1",
                 "--mix", str(fast_mix), "--poll", "0.05", "--no-progress", "--timeout", "0.5"])
    assert code == 1
    out = capsys.readouterr().out
    assert "unfinished (the 0.5s timeout or a stop came first): 3 (0 not started, 3 stopped" in out
    assert "load: FAIL (0/3 chats ran to their end)" in out
    chats = requests.get(f"{live.url}/_sandbox/state", params={"account": ACCOUNT}).json()["accounts"][0]["chats"]
    assert len(chats) == 3 and all(c["state"] == "ended" for c in chats)  # each closed on the way out


def test_a_bad_mix_file_is_named(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    for text, message in (("intents: {happy: {weight: -1}}", "'weight' is a number"),
                          ("intents: {grumpy: {weight: 1}}", "unknown intent(s) grumpy"),
                          ("intents: {happy: {weight: 1, csat: [5, 1]}}", "'csat' is [lowest, highest]"),
                          ("intents: {happy: {weight: 0}}", "no intent has a weight above 0"),
                          ("intents: {leaving: {lines: {line: []}}}", "non-empty list")):
        bad.write_text(text)
        with pytest.raises(MixError, match=re.escape(message)):
            load_mix(bad)
    assert main(["load", "--url", "http://localhost:1", "--mix", str(bad)]) == 2
    assert "non-empty list" in capsys.readouterr().err
    custom = tmp_path / "custom.yaml"
    custom.write_text("intents:\n  leaving:\n    lines: {line: [Just looking around]}\n")
    [customer] = plan(1, 5, load_mix(custom))
    assert (customer.intent, customer.lines) == ("leaving", ("Just looking around",))
