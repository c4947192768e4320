"""The cc_sandbox fixture's methods, used directly (the plugin is installed with the package, so
this suite has the fixture too): the clock, reset and seed, state, waits, journal, faults, the
customer and the human agent."""
import threading

import pytest
import requests

from mock_server.testing import DEFAULT_SEED, CCSandbox, Line, WaitTimeout
from simulator.transport import ApiError


def test_where_it_listens(cc_sandbox):
    assert cc_sandbox.url == f"http://{cc_sandbox.domain}"
    assert cc_sandbox.domain.startswith("127.0.0.1:") and cc_sandbox.domain != "127.0.0.1:0"
    assert cc_sandbox.account == "12345678"
    assert cc_sandbox.ca is None
    assert requests.get(f"{cc_sandbox.url}/_sandbox/health", timeout=5).json() == {"status": "ok"}
    # The CSDS domain resolves every service to this very host and port.
    body = requests.get(f"{cc_sandbox.url}/api/account/12345678/service/agentVep/baseURI.json?version=1.0",
                        timeout=5).json()
    assert body["baseURI"] == cc_sandbox.domain


def test_the_clock_is_frozen_and_moves_only_when_advanced(cc_sandbox):
    start = cc_sandbox.now
    assert cc_sandbox.clock()["frozen"] is True
    assert cc_sandbox.now == start
    assert cc_sandbox.advance(30) == start + 30
    assert cc_sandbox.now == start + 30
    cc_sandbox.unfreeze()
    assert cc_sandbox.clock()["frozen"] is False
    assert cc_sandbox.freeze() >= start + 30
    assert cc_sandbox.clock()["frozen"] is True


def test_advance_applies_timeouts(cc_sandbox):
    customer = cc_sandbox.customer(skill="support-human")
    cc_sandbox.advance(41)  # past the chat's 40 s interaction timeout without a visitor poll
    assert customer.wait_for_state("ended", timeout=1) == "ended"


def test_ids_repeat_after_reset_and_follow_the_seed(cc_sandbox):
    first = cc_sandbox.customer(skill="support-bot").chat_id
    cc_sandbox.reset()
    assert cc_sandbox.state()["accounts"][0]["chats"] == []
    assert cc_sandbox.customer(skill="support-bot").chat_id == first
    cc_sandbox.seed(DEFAULT_SEED + 1)
    other = cc_sandbox.customer(skill="support-bot").chat_id
    assert other != first
    cc_sandbox.reset()  # a reset keeps the new seed
    assert cc_sandbox.customer(skill="support-bot").chat_id == other


def test_seed_with_a_config(cc_sandbox):
    config = {"accounts": [{"id": "55555555", "name": "Other", "skills": [{"id": "1", "name": "s"}],
                            "users": []}]}
    cc_sandbox.seed(7, config=config)
    assert cc_sandbox.account == "55555555"
    assert [a["id"] for a in cc_sandbox.state()["accounts"]] == ["55555555"]
    assert cc_sandbox.state()["seed"] == 7


def test_state_shows_the_chat(cc_sandbox):
    customer = cc_sandbox.customer(skill="support-bot")
    state = cc_sandbox.state(account="12345678")
    chats = state["accounts"][0]["chats"]
    assert [c["id"] for c in chats] == [customer.chat_id]
    assert cc_sandbox.sandbox.chats[customer.chat_id].state == "waiting"  # white box, same fact


def test_customer_by_engagement(cc_sandbox):
    customer = cc_sandbox.customer(engagement="5001002")  # the campaign's support-human engagement
    match = cc_sandbox.wait("chat", skill="support-human", state="waiting")
    assert match["chat"] == customer.chat_id and match["skill"] == "2001002"


def test_wait_timeout_says_what_was_seen(cc_sandbox):
    customer = cc_sandbox.customer(skill="support-bot")  # no bot: nobody answers
    with pytest.raises(WaitTimeout) as caught:
        customer.wait_for_line("anything", timeout=0.2)
    assert caught.value.seen["state"] == "waiting"
    assert caught.value.condition == "line"
    assert "waited 0.2 s" in str(caught.value)


def test_customer_and_human_agent_talk(cc_sandbox):
    agent = cc_sandbox.human_agent()
    cc_sandbox.wait("availability", agent="demo-agent", availability="Online")
    customer = cc_sandbox.customer(skill="support-human", persona={"name": "Dana Client"})
    chat = agent.accept()
    assert chat.chat_id == customer.chat_id
    customer.wait_for_state("chatting")
    customer.say("Where is my order?")
    line = chat.wait_for_line("order")
    assert (line.source, line.text) == ("visitor", "Where is my order?")
    chat.say("Let me check")
    chat.say("It ships today")
    # Each wait returns the next matching agent line after the one returned before.
    assert customer.wait_for_line().text == "Let me check"
    got = customer.wait_for_line("ships")
    assert isinstance(got, Line) and got.source == "agent" and got.by == "Alex"
    assert got.time == cc_sandbox.now
    with pytest.raises(WaitTimeout):
        customer.wait_for_line(timeout=0.1)  # nothing after "It ships today"
    texts = [(l.source, l.text) for l in customer.transcript]
    assert ("visitor", "Where is my order?") in texts and texts[-1] == ("agent", "It ships today")
    assert chat.info.visitor_info["name"] == "Dana Client"  # the persona went with the request
    customer.set_name("Dana")
    assert (customer.info.visitor_name, chat.info.visitor_name) == ("Dana", "Dana")
    chat.end()
    assert customer.wait_for_state("ended") == "ended"


def test_human_agent_transfers_by_skill_name(cc_sandbox):
    agent = cc_sandbox.human_agent()
    other = cc_sandbox.human_agent(login="demo-bot")  # any user of the config with a password
    customer = cc_sandbox.customer(skill="support-human")
    chat = agent.accept()
    chat.transfer("support-bot", text="for the bot")
    match = cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-bot")
    assert (match["skill"], match["reason"]) == ("2001001", "for the bot")
    assert other.accept().chat_id == customer.chat_id


def test_accept_fails_when_nothing_rings(cc_sandbox):
    agent = cc_sandbox.human_agent()
    with pytest.raises(WaitTimeout, match=r"No ring matched .*agent='demo-agent'") as failed:
        agent.accept(timeout=0.1)
    assert failed.value.seen == {"agent": "demo-agent", "ringing": []}


def test_human_agent_password_comes_from_the_config(cc_sandbox):
    with pytest.raises(ValueError, match="no password"):
        cc_sandbox.human_agent(login="nobody")
    with pytest.raises(ApiError) as caught:
        cc_sandbox.human_agent(password="wrong")
    assert caught.value.status == 401


def test_journal(cc_sandbox):
    customer = cc_sandbox.customer(skill="support-bot")
    customer.say("hello")
    assert cc_sandbox.journal.count(api="server_chat", operation="requestChat") == 1
    last = cc_sandbox.journal.last(api="server_chat", method="POST")
    assert last["operation"] == "visitorAddEvent" and last["body"]["event"]["text"] == "hello"
    assert [e["operation"] for e in cc_sandbox.journal.entries(chat=customer.chat_id, method="POST")] \
        == ["visitorAddEvent"]
    assert cc_sandbox.journal.wait(at_least=2, api="server_chat") >= 2
    assert cc_sandbox.journal.clear() > 0
    assert cc_sandbox.journal.entries() == []


def test_faults(cc_sandbox):
    rule = cc_sandbox.faults.error(status=503, api="server_chat", operation="requestChat", times=1)
    assert rule["id"] and [r["id"] for r in cc_sandbox.faults.list()] == [rule["id"]]
    with pytest.raises(ApiError) as caught:
        cc_sandbox.customer(skill="support-bot")
    assert caught.value.status == 503
    cc_sandbox.customer(skill="support-bot")  # times=1: spent
    assert cc_sandbox.faults.get(rule["id"])["taken"] == 1
    assert cc_sandbox.journal.count(fault=True) == 1
    second = cc_sandbox.faults.rate_limit(retry_after=2, api="server_chat")
    cc_sandbox.faults.remove(second["id"])
    cc_sandbox.faults.latency(5, api="login")
    assert cc_sandbox.faults.clear() == 2
    assert cc_sandbox.faults.list() == []


def test_reset_empties_journal_and_faults(cc_sandbox):
    cc_sandbox.faults.drop(api="login")
    cc_sandbox.customer(skill="support-bot")
    cc_sandbox.reset()
    assert cc_sandbox.faults.list() == []
    assert cc_sandbox.journal.count() == 0


def test_a_sandbox_without_the_fixture_stops_when_closed():
    with CCSandbox(seed=3) as sandbox:
        url = sandbox.url
        assert sandbox.state()["seed"] == 3
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_sandbox/health", timeout=2)
    assert not [t for t in threading.enumerate() if t.name.endswith(url.rsplit(":", 1)[1])]


def test_lines_are_their_text_and_compiled_patterns_work(cc_sandbox):
    """A Line is a str (an outside suite may treat it as one); re.compile patterns keep flags."""
    import re
    alex = cc_sandbox.human_agent()
    customer = cc_sandbox.customer(skill="support-human")
    chat = alex.accept()
    chat.say("Your ORDER ships today")
    line = customer.wait_for_line(re.compile("order ships", re.I))
    assert line == "Your ORDER ships today" and "ships" in line and line.upper().startswith("YOUR")
    assert (line.text, line.source, line.by) == ("Your ORDER ships today", "agent", "Alex")
    assert "Your ORDER ships today" in customer.transcript
    assert any("ships" in seen for seen in customer.transcript)
    assert len(cc_sandbox.journal) == cc_sandbox.journal.count() > 0
    assert [e["id"] for e in cc_sandbox.journal] == [e["id"] for e in cc_sandbox.journal.entries()]
    rule = cc_sandbox.faults.add({"kind": "error", "status": 502, "api": "domain"})
    assert rule["status"] == 502 and cc_sandbox.faults.list()[0]["id"] == rule["id"]
