"""The control plane (docs/control-plane.md): the clock, seed, state, the journal and waits."""
import threading

import requests

from tests.support.constants import ACCOUNT, AGENT_NAME, BOT_SKILL, BOT_SKILL_ID, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL
from tests.support.server import serve
from tests.support.wire import (agent, accept, assert_envelope, bearer_headers, chat_id_of,
                                consumer_headers, request_chat, say)


def control(live, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, f"{live.url}/_sandbox/{path}", timeout=30, **kwargs)


# --- the clock ---------------------------------------------------------------------------------

def test_freeze_and_unfreeze_the_clock(live):
    clock = control(live, "GET", "clock").json()
    assert clock["movable"] is True and clock["frozen"] is True  # the test sandbox: a frozen clock
    r = control(live, "POST", "clock/unfreeze")
    assert r.status_code == 200 and r.json()["frozen"] is False
    assert r.json()["now"] >= clock["now"]
    frozen = control(live, "POST", "clock/freeze").json()
    assert frozen["frozen"] is True
    assert control(live, "GET", "clock").json()["now"] == frozen["now"]  # stands still
    advanced = control(live, "POST", "clock/advance", json={"seconds": 90}).json()
    assert advanced["now"] == frozen["now"] + 90_000 and advanced["frozen"] is True


def test_a_wall_clock_cannot_be_frozen():
    """The CLI without --movable-clock runs on the wall clock: nothing moves it."""
    from mock_server.model.clock import Clock
    with serve(clock=Clock()) as wall:
        for path in ("clock/freeze", "clock/unfreeze"):
            assert_envelope(control(wall, "POST", path), 400, 1)
        assert control(wall, "GET", "clock").json()["movable"] is False


def test_every_timer_moves_with_an_advance(live):
    """Ring timeout, agent-session poll timeout, visitor timeout and login TTL all fall due on
    an advance, and a poll right after it sees the consequences."""
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat = live.sb.chats[chat_id_of(uri)]
    rang_at = chat.ring_started
    control(live, "POST", "clock/advance", json={"seconds": 31}).raise_for_status()  # ring: 30 s
    # It rang out at Alex; with nobody else to ring, it rings Alex again from now.
    assert chat.ring_started == rang_at + 31 and chat.rang_out
    control(live, "POST", "clock/advance", json={"seconds": 121}).raise_for_status()
    # The agent stopped polling for 120 s: its session ended; the visitor stopped polling: 40 s.
    assert requests.get(session_url, headers=bearer_headers(bearer)).status_code == 404
    assert requests.get(uri, headers=consumer_headers()).json()["chat"]["info"]["state"] == "ended"
    control(live, "POST", "clock/advance", json={"seconds": 8 * 3600}).raise_for_status()
    assert requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession", json={"loginData": ""},
                         headers=bearer_headers(bearer)).status_code == 401  # login TTL


# --- seed and state ----------------------------------------------------------------------------

def test_seed_starts_again_with_that_seed_and_resets_keep_it(live):
    r = control(live, "POST", "seed", json={"seed": 99})
    assert r.status_code == 200 and r.json()["seed"] == 99 and ACCOUNT in r.json()["accounts"]
    first = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    control(live, "POST", "reset").raise_for_status()
    assert request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL) == first  # same seed after reset
    control(live, "POST", "seed", json={"seed": 100}).raise_for_status()
    assert request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL) != first


def test_seed_with_a_config_replaces_the_accounts(live):
    config = {"accounts": [{"id": "55555555", "name": "Solo", "skills": [{"id": "1", "name": "s"}]}]}
    r = control(live, "POST", "seed", json={"seed": 1, "config": config})
    assert r.status_code == 200 and r.json()["accounts"] == ["55555555"]
    assert [a["id"] for a in control(live, "GET", "state").json()["accounts"]] == ["55555555"]
    control(live, "POST", "reset").raise_for_status()  # a reset keeps the new config
    assert [a["id"] for a in control(live, "GET", "state").json()["accounts"]] == ["55555555"]


def test_a_refused_seed_changes_nothing(live):
    before = live.sb
    for body in ({}, {"seed": "x"}, {"config": {"no": "accounts"}}, {"config": {"accounts": ["not an account"]}},
                 {"seed": 1, "other": 2}, {"config": {"accounts": [], "faults": [{"kind": "nope"}]}}):
        assert_envelope(control(live, "POST", "seed", json=body), 400, 1)
        assert live.sb is before


def test_state_shows_sessions_queues_and_chats(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat_url = accept(session_url, bearer)
    say(chat_url, bearer_headers(bearer), "Hello from Alex")
    waiting = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)  # nobody on the bot skill
    state = control(live, "GET", f"state?account={ACCOUNT}").json()
    assert state["seed"] == 1234 and state["clock"] == {"movable": True, "frozen": True}
    (account,) = state["accounts"]
    assert [s["loginName"] for s in account["agentSessions"]] == ["demo-agent"]
    assert account["agentSessions"][0]["chats"] == [chat_id_of(uri)]
    assert [login["loginName"] for login in account["logins"]] == ["demo-agent"]
    assert [c["chatId"] for c in account["queues"]["support-bot"]] == [chat_id_of(waiting)]
    chats = {c["id"]: c for c in account["chats"]}
    assert chats[chat_id_of(uri)]["agentName"] == AGENT_NAME
    assert "Hello from Alex" in [e.get("text") for e in chats[chat_id_of(uri)]["events"]]
    assert_envelope(control(live, "GET", "state?account=99999999"), 404)


# --- the journal -------------------------------------------------------------------------------

def test_the_journal_records_every_api_call_with_its_operation(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat_url = accept(session_url, bearer)
    say(chat_url, bearer_headers(bearer), "Hi there")
    requests.get(f"{live.url}/api/account/{ACCOUNT}/no/such/thing")
    entries = control(live, "GET", "journal").json()["entries"]
    ops = [(e["api"], e["operation"], e["status"]) for e in entries]
    assert ops[:2] == [("login", "login", 200), ("chat_agent", "startAgentSession", 200)]
    assert ("chat_agent", "acceptChat", 201) in ops
    assert ("server_chat", "requestChat", 200) in ops
    line = next(e for e in entries if e["operation"] == "agentAddEvent")
    assert line["chat"] == chat_id_of(uri) and line["account"] == ACCOUNT and line["method"] == "POST"
    assert line["body"] == {"event": {"@type": "line", "text": "Hi there"}}
    assert entries[-1]["api"] is None and entries[-1]["status"] == 404  # a path no API has
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)
    # The control plane's own calls are not journaled.
    assert not any(e["path"].startswith("/_sandbox") for e in entries)


def test_journal_filters_and_count(live):
    agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat = chat_id_of(uri)
    requests.get(uri, headers=consumer_headers())
    everything = control(live, "GET", "journal").json()["entries"]
    by_chat = control(live, "GET", f"journal?chat={chat}").json()["entries"]
    assert by_chat and all(e["chat"] == chat for e in by_chat)
    assert control(live, "GET", "journal?api=login&method=post").json()["total"] == 1
    assert control(live, "GET", "journal?path=incomingRequests|availability").json()["total"] == 1
    after = everything[1]["id"]
    assert [e["id"] for e in control(live, "GET", f"journal?after={after}").json()["entries"]] == \
        [e["id"] for e in everything if e["id"] > after]
    assert control(live, "GET", "journal?limit=2").json()["entries"] == everything[-2:]
    since = everything[0]["time"]
    assert control(live, "GET", f"journal?since={since}").json()["total"] == len(everything)
    assert control(live, "GET", f"journal?since={since + 1}").json()["total"] == 0  # frozen clock
    assert control(live, "GET", "journal?since=2026-09-21T14:13:20Z").json()["total"] == len(everything)
    count = control(live, "POST", "journal/count", json={"api": "server_chat", "status": 200})
    assert count.json() == {"count": 2}
    for bad in ("journal?status=abc", "journal?path=(", "journal?bogus=1", "journal?since=yesterday"):
        assert_envelope(control(live, "GET", bad), 400, 1)
    assert control(live, "DELETE", "journal").json()["cleared"] == len(everything)
    assert control(live, "GET", "journal").json()["total"] == 0


def test_the_journal_is_capped_and_counts_what_it_dropped():
    with serve({**_demo(), "settings": {"journal_max_entries": 3}}) as small:
        for _ in range(5):
            requests.get(f"{small.url}/api/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0")
        journal = control(small, "GET", "journal").json()
        assert journal["total"] == 3 and journal["dropped"] == 2
        assert [e["id"] for e in journal["entries"]] == [3, 4, 5]


def _demo() -> dict:
    from mock_server.model.seed import load_config
    return load_config()


def test_reset_empties_the_journal(live):
    agent(live.url, ACCOUNT, *DEMO_AGENT)
    assert control(live, "GET", "journal").json()["total"] > 0
    control(live, "POST", "reset").raise_for_status()
    assert control(live, "GET", "journal").json()["total"] == 0


# --- waiting -----------------------------------------------------------------------------------

def _later(action):
    """Run `action` on a thread (as another client would, while a wait is held)."""
    thread = threading.Thread(target=action, daemon=True)
    thread.start()
    return thread


def test_wait_for_a_line_returns_when_it_is_said(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat_url = accept(session_url, bearer)
    chat = chat_id_of(uri)
    ready = threading.Event()

    def answer():
        ready.wait(30)
        say(chat_url, bearer_headers(bearer), "Your order #1234 ships today")

    thread = _later(answer)
    control_call = {"condition": "line", "chat": chat, "source": "agent", "pattern": r"order #\d+",
                    "timeout": 30}
    ready.set()
    r = control(live, "POST", "wait", json=control_call)
    thread.join(30)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matched"] is True and body["condition"] == "line"
    assert body["match"]["text"] == "Your order #1234 ships today"
    assert body["match"]["source"] == "agent" and body["match"]["by"] == AGENT_NAME
    # `after` skips what was already seen: nothing newer matches now.
    r = control(live, "POST", "wait", json={**control_call, "after": body["match"]["id"], "timeout": 0.2})
    assert r.status_code == 408 and r.json()["matched"] is False
    assert r.json()["seen"]["last_lines"][-1]["text"] == "Your order #1234 ships today"


def test_wait_for_text_contains_and_agent_only_notes(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat_url = accept(session_url, bearer)
    say(chat_url, bearer_headers(bearer), "note for agents", subType="ONLY_TO_REP")
    say(chat_url, bearer_headers(bearer), "Hello there")
    chat = chat_id_of(uri)
    base = {"condition": "line", "chat": chat, "source": "agent", "timeout": 0.2}
    assert control(live, "POST", "wait", json={**base, "text": "Hello there"}).status_code == 200
    assert control(live, "POST", "wait", json={**base, "contains": "llo th"}).status_code == 200
    assert control(live, "POST", "wait", json={**base, "contains": "note"}).status_code == 408
    found = control(live, "POST", "wait", json={**base, "contains": "note", "agent_only": True})
    assert found.status_code == 200 and found.json()["match"]["subType"] == "ONLY_TO_REP"


def test_wait_for_chat_state_availability_transfer_and_journal_count(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT, online=False)
    wait = lambda **body: control(live, "POST", "wait", json={"timeout": 0.2, **body})  # noqa: E731
    assert wait(condition="availability", agent="demo-agent", availability="Online").status_code == 408
    assert wait(condition="availability", agent="demo-agent", availability="Away").json()["match"] == \
        {"agent": "demo-agent", "availability": "Away"}
    r = requests.post(f"{session_url}/availability", json={"availability": {"chat": "Online"}},
                      headers={**bearer_headers(bearer), "X-HTTP-Method-Override": "PUT"})
    assert r.ok
    assert wait(condition="availability", agent="demo-agent", availability="Online").status_code == 200
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat = chat_id_of(uri)
    seen = wait(condition="chat_state", chat=chat, state="chatting")
    assert seen.status_code == 408 and seen.json()["seen"]["state"] == "waiting"
    found = wait(condition="chat", account=ACCOUNT, skill="support-human", state="waiting")
    assert found.json()["match"]["chat"] == chat
    chat_url = accept(session_url, bearer)
    assert wait(condition="chat_state", chat=chat, state="chatting").status_code == 200
    agent(live.url, ACCOUNT, *DEMO_BOT)  # someone on the target skill: a transfer needs one
    r = requests.post(f"{chat_url}/transfer", json={"transfer": {"skill": {"id": BOT_SKILL_ID},
                                                                  "text": "needs the bot"}},
                      headers=bearer_headers(bearer))
    assert r.status_code == 200, r.text
    moved = wait(condition="transfer", chat=chat, skill="support-bot")
    assert moved.status_code == 200
    assert moved.json()["match"]["reason"] == "needs the bot" and moved.json()["match"]["skill_name"] == "support-bot"
    assert wait(condition="transfer", chat=chat, skill="support-human").status_code == 408
    assert wait(condition="journal_count", operation="transferChat", at_least=1).json()["match"] == {"count": 1}
    assert wait(condition="journal_count", operation="transferChat", at_least=2).status_code == 408


def test_wait_refuses_bad_conditions(live):
    for body in ({}, {"condition": "nope"}, {"condition": "line", "pattern": "("},
                 {"condition": "line", "source": "robot"}, {"condition": "chat_state"},
                 {"condition": "line", "timeout": 500}, {"condition": "line", "timeout": "x"},
                 {"condition": "line", "bogus": 1}, {"condition": "journal_count", "at_least": -1},
                 {"condition": {}}, {"condition": ["line"]}, {"condition": "line", "chat": {}},
                 {"condition": "line", "after": "3"}, {"condition": "line", "pattern": []},
                 {"condition": "availability", "agent": None}, {"condition": "journal_count", "status": {}},
                 {"condition": "journal_count", "since": []}, {"condition": "chat_state", "chat": "x", "state": 5.5}):
        assert_envelope(control(live, "POST", "wait", json=body), 400, 1)


def test_a_wait_wakes_on_the_change_it_waits_for(live):
    """A wait held while another client requests the chat returns as soon as it exists."""
    thread = _later(lambda: request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL))
    r = control(live, "POST", "wait", json={"condition": "chat", "skill": "support-human", "timeout": 30})
    thread.join(30)
    assert r.status_code == 200 and r.json()["match"]["state"] == "waiting"
