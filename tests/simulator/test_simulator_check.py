"""`python -m simulator check`: passes on the demo sandbox, fails naming the step otherwise."""
import socket

import pytest
import requests

from simulator.__main__ import main as simulator_main
from simulator.live_view import LiveView

from tests.support.constants import (ACCOUNT, BOT_ENGAGEMENT_ID, BOT_SKILL, CAMPAIGN_ID, DEMO_ADMIN, DEMO_AGENT,
                                     DEMO_BOT, HUMAN_SKILL)
from tests.support.server import start, stop as stop_server
from tests.support.sim import rules_bot, stop
from tests.support.wire import accept, agent, bearer_headers, chat_id_of, consumer_headers, login, request_chat, say

ENGAGEMENTS = f"/api/account/{ACCOUNT}/configuration/le-campaigns/campaigns/{CAMPAIGN_ID}/engagements"


def _check(live, *extra) -> int:
    return simulator_main(["check", "--url", live.url, "--poll", "0.05", *extra])


def test_check_passes_against_the_demo_sandbox(live, capsys):
    bot = rules_bot(live)
    assert _check(live) == 0
    out = capsys.readouterr().out
    for number, title in enumerate(["a conversation reaches the bot's skill",
                                    "the bot's conversation can be watched while it runs",
                                    "skill routing is right", "the bot appears in the agent list",
                                    "escalation reaches a human agent"], 1):
        assert f"PASS {number}. {title}: " in out
    assert f"engagement {BOT_ENGAGEMENT_ID} -> skill {BOT_SKILL}" in out
    assert "with the reason 'Customer asked for a person'" in out
    assert "check: PASS (5/5 passed)" in out
    # It cleaned up: every chat it opened is over, and its agent logged out.
    assert all(chat.state == "ended" for chat in live.sb.chats.values())
    assert not [s for s in live.sb.agents.by_id.values() if s.user.login_name == DEMO_AGENT.login and not s.ended]
    assert bot[0].outcomes and set(bot[0].outcomes.values()) == {"transferred"}
    stop(*bot)


def test_check_fails_naming_the_step_when_the_bot_skill_has_no_engagement(live, capsys):
    admin = login(live.url, ACCOUNT, *DEMO_ADMIN)["bearer"]
    deleted = requests.delete(f"{live.url}{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", headers=bearer_headers(admin))
    assert deleted.status_code == 200
    bot = rules_bot(live)
    assert _check(live) == 1
    out = capsys.readouterr().out
    assert ("FAIL 1. a conversation reaches the bot's skill: no engagement routes to skill "
            f"{BOT_SKILL} (looked at 1 engagements through the Account Config API)") in out
    assert "SKIP 2. the bot's conversation can be watched while it runs: needs step 1" in out
    assert "SKIP 3. skill routing is right: needs step 1" in out
    assert "PASS 4. the bot appears in the agent list" in out
    assert "SKIP 5. escalation reaches a human agent: needs step 1" in out
    assert "check: FAIL (1/5 passed)" in out
    assert live.sb.chats == {}  # it did not ask for a chat it could not route
    stop(*bot)


def test_check_fails_when_no_bot_is_online(live, capsys):
    assert _check(live, "--timeout", "0.5") == 1
    out = capsys.readouterr().out
    assert "FAIL 1. a conversation reaches the bot's skill: an agent joining the chat did not happen" in out
    assert f"FAIL 4. the bot appears in the agent list: {DEMO_BOT.login} is listed but Offline, not Online" in out


def test_the_live_view_needs_a_live_bearer_and_says_why_not(live):
    view = LiveView(live.url, ACCOUNT)
    with pytest.raises(ConnectionError, match="refused to watch"):
        view.connect("not-a-bearer", timeout=5)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(ConnectionError, match="no live view"):
        LiveView(f"http://127.0.0.1:{port}", ACCOUNT).connect("x", timeout=5)
    bearer = login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"]
    watching = LiveView(live.url, ACCOUNT)
    watching.connect(bearer, timeout=5)
    login(live.url, ACCOUNT, *DEMO_BOT)
    assert watching.wait_for(lambda events: any(e["kind"] == "login" for e in events), 5)
    watching.close()


def test_check_passes_while_a_person_works_as_the_same_agent_and_the_bot_is_busy(live, capsys):
    bot = rules_bot(live)
    # a person in the workspace: demo-agent logged in and Online on support-human
    person_bearer, person = agent(live.url, ACCOUNT, *DEMO_AGENT)
    # another customer chatting with the bot all along
    other = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    say(other, consumer_headers(), "hello")  # checks it was stored (201)
    before = set(live.sb.chats)
    assert _check(live) == 0
    out = capsys.readouterr().out
    assert "check: PASS (5/5 passed)" in out
    for number in range(1, 6):  # each step printed once
        assert out.count(f"PASS {number}. ") == 1, out
    # nothing left behind: the check's chats are over, the person and the other chat untouched
    with live.sb.lock:
        assert all(live.sb.chats[c].state == "ended" for c in set(live.sb.chats) - before)
        assert live.sb.chats[chat_id_of(other)].state == "chatting"
        person_session = live.sb.agents.by_id[person.rsplit("/", 1)[1]]
        assert not person_session.ended and person_session.availability == "Online"
        assert live.sb.load(person_session.user) == 0 and not person_session.ringing
    assert requests.get(f"{person}/incomingRequests", headers=bearer_headers(person_bearer)).status_code == 200
    stop(*bot)


def test_check_explains_a_full_agent_in_words_to_act_on(live, capsys):
    bot = rules_bot(live)
    person_bearer, person = agent(live.url, ACCOUNT, *DEMO_AGENT)
    for _ in range(3):  # demo-agent's maxChats is 3: the person holds three chats
        request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
        accept(person, person_bearer)
    assert _check(live, "--timeout", "1") == 1
    out = capsys.readouterr().out
    assert (f"{DEMO_AGENT.login} already holds 3 of 3 chats (maxChats), so no new chat can ring: end a chat "
            "in the workspace, or raise maxChats, and run check again") in out
    assert out.count("FAIL 3. skill routing is right: ") == 1
    stop(*bot)


def test_the_live_view_trusts_the_ca_it_is_given_over_tls(tmp_path, monkeypatch):
    # A CA bundle in the environment (as on many machines) must not override --ca.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    proc, url, _ = start(["--tls", "--tls-dir", str(tmp_path)], tmp_path)
    try:
        ca = str(tmp_path / "ca.pem")
        bearer = requests.post(f"{url}/api/account/{ACCOUNT}/login?v=1.3", verify=ca,
                               json=DEMO_AGENT.credentials).json()["bearer"]
        view = LiveView(url, ACCOUNT, verify=ca)
        view.connect(bearer, timeout=10)  # ConnectionError (certificate verify failed) before
        assert view.client.connected
        view.close()
    finally:
        stop_server(proc)
