"""Races stay won: requests released together (a barrier) over real HTTP against the threaded
server, so they really run at the same time, and the sandbox must end in one valid state.

* 100 accepts of one ringing chat: exactly one 201, every other a 404 (internalCode 43, "There is
  no incoming chat request to accept"); the chat is held by exactly one agent session. A chat
  rings at one session at a time (model/routing.py), so the race is on that session, with other
  sessions of the same user (other logins) trying too, and once more while a ring timeout
  moves the chat from one session to another.
* 50 lines from both sides into one chat at once: all stored once, ids dense and in order, every
  POST's Location names its own line, and each side (and a poller following `next` links
  during the burst, and the live view) sees exactly the lines visible to it, in id order.
* End, transfer and lines at once, twice each: the chat ends up either ended or transferred
  (waiting), never both, never half of either; the refused requests changed nothing.
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.constants import ACCOUNT, BOT_SKILL, DEMO_AGENT, DEMO_BOT, HUMAN_SKILL, HUMAN_SKILL_ID
from tests.support.live_view import Watcher
from tests.support.wire import (JSON, agent, as_list, bearer_headers, chat_id_of, consumer_headers, events,
                                request_chat, ringing)

WAIT = 60.0  # per request: the machine is shared, 100 threads on 2 cores take a while
NO_CHAT_TO_ACCEPT = (404, 43, "There is no incoming chat request to accept")


def released_together(calls):
    """Run each `call(session)` in its own thread, all released at once by a barrier; each
    thread first opens its keep-alive connection so the calls themselves start together.
    Returns the results in the order of `calls`."""
    barrier = threading.Barrier(len(calls), timeout=WAIT)

    def run(call):
        with requests.Session() as http:
            http.get(f"{call.url}/_sandbox/health", timeout=WAIT).raise_for_status()
            barrier.wait()
            return call(http)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [f.result(timeout=3 * WAIT) for f in futures]


class Call:
    """One HTTP request to send at the barrier: `Call(base_url, method, url, **requests_kwargs)`."""

    def __init__(self, base_url, method, url, label="", **kwargs):
        self.url, self.method, self.target, self.label, self.kwargs = base_url, method, url, label, kwargs

    def __call__(self, http):
        return self.label, http.request(self.method, self.target, timeout=WAIT, **self.kwargs)


def error_of(r: requests.Response) -> tuple:
    body = r.json()["error"]
    assert set(body) == {"time", "message", "internalCode", "responseStatus"}, body
    return r.status_code, body["internalCode"], body["message"]


def event_id_of(r: requests.Response) -> int:
    """The id of the event a POST created: the Server Chat API says it in `Location`, the Chat
    Agent API in the body's `chatEventLocation` (or `chatLocation` for an end)."""
    if "Location" in r.headers:
        href = r.headers["Location"]
    else:
        body = r.json()
        href = (body.get("chatEventLocation") or body["chatLocation"])["link"]["@href"]
    return int(href.rsplit("/", 1)[1])


def visitor_events(uri) -> list[dict]:
    return events(uri, consumer_headers())


def agent_events(chat_url, bearer) -> list[dict]:
    return events(chat_url, bearer_headers(bearer))


def assert_dense(events) -> None:
    """Event ids 0, 1, 2, ... in list order: none lost, none twice, none out of order."""
    assert [int(e["@id"]) for e in events] == list(range(len(events)))


def assert_ordered(events) -> None:
    """Ids strictly increasing (a side that may not see some events skips their ids)."""
    ids = [int(e["@id"]) for e in events]
    assert ids == sorted(set(ids))


def held_by(live, chat_id) -> str | None:
    """The agent session holding the chat, from the model (the wire only names the user)."""
    with live.sb.lock:
        chat = live.sb.chats[chat_id]
        return chat.agent_session_id


def live_agents(live, bearer) -> dict:
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/live", headers=bearer_headers(bearer),
                     timeout=WAIT)
    return {a["loginName"]: a for a in r.json()["agents"]}


# --- 100 accepts --------------------------------------------------------------------------

def _human_sessions(live, count):
    """`count` logins of demo-agent, each with its own Online agent session: [(bearer, url)]."""
    return [agent(live.url, ACCOUNT, *DEMO_AGENT) for _ in range(count)]


def test_hundred_concurrent_accepts_of_one_ringing_chat(live):
    sessions = _human_sessions(live, 4)
    uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    chat_id = chat_id_of(uri)
    rings = [ringing(url, bearer) for bearer, url in sessions]
    assert rings == [1, 1, 1, 1]  # one chat rings at the agent: every Online session sees it
    calls = [Call(live.url, "POST", f"{url}/incomingRequests?v=1&NC=true", url,
                  json={}, headers=bearer_headers(bearer)) for bearer, url in sessions for _ in range(25)]
    assert len(calls) == 100
    results = released_together(calls)

    won = [(label, r) for label, r in results if r.status_code == 201]
    assert len(won) == 1, [r.status_code for _, r in results]
    ring_url, winner = won[0]
    ring_bearer = dict((url, bearer) for bearer, url in sessions)[ring_url]
    assert winner.json()["chatLocation"]["link"]["@href"] == f"{ring_url}/chat/{chat_id}"
    assert {error_of(r) for _, r in results if r is not winner} == {NO_CHAT_TO_ACCEPT}
    # held by exactly one session; nothing rings any more; accepted exactly once
    assert held_by(live, chat_id) == ring_url.rsplit("/", 1)[1]
    assert [ringing(url, bearer) for bearer, url in sessions] == [0, 0, 0, 0]
    events = visitor_events(uri)
    assert_dense(events)
    assert [e.get("state") for e in events if e["@type"] == "state"] == ["waiting", "chatting"]
    assert [e["systemMessageId"] for e in events if e.get("systemMessageId") == "3"] == ["3"]
    r = requests.get(f"{ring_url}/chatSessions", headers=bearer_headers(ring_bearer), timeout=WAIT)
    assert r.json()["chatSessions"]["chatSession"]["chatSessionKey"] == chat_id  # one: an object
    assert live_agents(live, ring_bearer)[DEMO_AGENT.login]["load"] == 1
    # the winner really holds it: its line reaches the visitor
    r = requests.post(f"{ring_url}/chat/{chat_id}/events", headers=bearer_headers(ring_bearer),
                      json={"event": {"@type": "line", "text": "I have it"}}, timeout=WAIT)
    assert r.status_code == 201
    assert visitor_events(uri)[-1]["text"] == "I have it"


def test_accepts_racing_a_ring_timeout_never_give_the_chat_twice(live):
    # Two agents (a ring moves between agents; an agent's own sessions all see its rings)
    a_bearer, a_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    b_bearer, b_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT)  # no skill: both may take it; a is Online longest
    chat_id = chat_id_of(uri)
    assert (ringing(a_url, a_bearer), ringing(b_url, b_bearer)) == (1, 0)
    # the ring timeout (30 s) falls due among the accepts: the chat moves on to session b
    calls = [Call(live.url, "POST", f"{live.url}/_sandbox/clock/advance", "clock",
                  json={"seconds": 31}, headers=JSON)]
    for i in range(99):  # mostly b, so that b's accepts also come after the move
        target, bearer = (a_url, a_bearer) if i % 10 == 9 else (b_url, b_bearer)
        calls.append(Call(live.url, "POST", f"{target}/incomingRequests", "a" if target == a_url else "b",
                          json={}, headers=bearer_headers(bearer)))
    results = released_together(calls)

    assert dict(results)["clock"].status_code == 200
    accepts = [(label, r) for label, r in results if label != "clock"]
    won = [(label, r) for label, r in accepts if r.status_code == 201]
    assert len(won) <= 1, [(label, r.status_code) for label, r in accepts]
    assert {error_of(r) for _, r in accepts if r.status_code != 201} == {NO_CHAT_TO_ACCEPT}
    if not won:
        # every b accept came before the move, every a accept after it: the chat rings at b
        assert (ringing(a_url, a_bearer), ringing(b_url, b_bearer)) == (0, 1)
        r = requests.post(f"{b_url}/incomingRequests", json={}, headers=bearer_headers(b_bearer),
                          timeout=WAIT)
        assert r.status_code == 201
        won = [("b", r)]
    label, _ = won[0]
    holder = {"a": a_url, "b": b_url}[label].rsplit("/", 1)[1]
    assert held_by(live, chat_id) == holder
    assert (ringing(a_url, a_bearer), ringing(b_url, b_bearer)) == (0, 0)
    events = visitor_events(uri)
    assert_dense(events)
    assert [e.get("state") for e in events if e["@type"] == "state"] == ["waiting", "chatting"]


# --- 50 lines at once ---------------------------------------------------------------------

class Poller:
    """Follows the `next` link of a chat's events, as a client does, during the burst."""

    def __init__(self, base_url, events_url, headers, until):
        self.url, self.next, self.headers, self.until = base_url, f"{events_url}?from=0", headers, until
        self.seen: list[dict] = []

    def __call__(self, http):
        for _ in range(10_000):  # a bound, not a pause: each poll is one request
            r = http.get(self.next, headers=self.headers, timeout=WAIT)
            assert r.status_code == 200, r.text
            page = r.json()["events"]
            self.seen += as_list(page.get("event"))
            self.next = {link["@rel"]: link["@href"] for link in page["link"]}["next"]
            if self.until(self.seen):
                break
        return "poller", self


def test_fifty_concurrent_lines_from_both_sides(live):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = requests.post(f"{bot_session}/incomingRequests", json={}, headers=bearer_headers(bot_bearer))
    chat_url = r.json()["chatLocation"]["link"]["@href"]
    before = len(agent_events(chat_url, bot_bearer))
    watcher = Watcher(live.url)
    try:
        assert watcher.watch(ACCOUNT, bot_bearer)["ok"]
        agent_lines = {f"agent line {i:02}": ("ONLY_TO_REP" if i % 5 == 0 else "REGULAR")
                       for i in range(25)}
        visitor_lines = [f"visitor line {i:02}" for i in range(25)]
        calls = [Call(live.url, "POST", f"{chat_url}/events", text, headers=bearer_headers(bot_bearer),
                      json={"event": {"@type": "line", "text": text, "subType": sub}})
                 for text, sub in agent_lines.items()]
        calls += [Call(live.url, "POST", f"{uri}/events", text, headers=consumer_headers(),
                       json={"event": {"@type": "line", "text": text}}) for text in visitor_lines]
        total = before + 50
        hidden = sum(1 for sub in agent_lines.values() if sub == "ONLY_TO_REP")
        agent_poller = Poller(live.url, f"{chat_url}/events", bearer_headers(bot_bearer),
                              lambda seen: len(seen) >= total)
        visitor_poller = Poller(live.url, f"{uri}/events", consumer_headers(),
                                lambda seen: len(seen) >= total - hidden)
        results = released_together(calls + [agent_poller, visitor_poller])

        posts = results[:50]
        assert [r.status_code for _, r in posts] == [201] * 50, [r.text for _, r in posts if r.status_code != 201]
        location = {text: event_id_of(r) for text, r in posts}
        assert len(set(location.values())) == 50  # no two requests got the same id

        events = agent_events(chat_url, bot_bearer)
        assert len(events) == total
        assert_dense(events)
        by_id = {int(e["@id"]): e for e in events}
        for text, event_id in location.items():
            assert by_id[event_id]["text"] == text  # each POST's Location names its own line
        new = events[before:]
        assert sorted(e["text"] for e in new) == sorted([*agent_lines, *visitor_lines])
        for e in new:
            expected = ("agent", agent_lines[e["text"]]) if e["text"] in agent_lines else ("visitor", "REGULAR")
            assert (e["source"], e["subType"]) == expected, e
        assert [e["time"] for e in events] == sorted(e["time"] for e in events)
        # each side sees every line visible to it, in the same order, with the same ids
        visible = [e for e in events if e.get("subType") != "ONLY_TO_REP"]
        assert len(visible) == total - hidden
        assert visitor_events(uri) == visible
        # and so did the clients that polled during the burst, following `next`
        assert agent_poller.seen == events
        assert visitor_poller.seen == visible
        # the live view got every line once, in id order
        def lines_seen(w):
            return [int(e["data"]["event"]["@id"]) for e in w.events
                    if e["kind"] == "chat.event" and int(e["data"]["event"]["@id"]) >= before]
        assert watcher.wait_for(lambda w: len(lines_seen(w)) >= 50)
        assert watcher.client.connected
        assert lines_seen(watcher) == list(range(before, total))
        seqs = [e["seq"] for e in watcher.events]
        assert seqs == sorted(set(seqs))
    finally:
        watcher.close()


# --- end + transfer + lines at once --------------------------------------------------------

ROUNDS = 8


def test_end_transfer_and_lines_at_once_leave_one_valid_state(live):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    human_bearer, human_session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    outcomes = []
    for round_no in range(ROUNDS):
        outcomes.append(_one_round(live, round_no, bot_bearer, bot_session, human_bearer, human_session))
    assert set(outcomes) <= {"ended", "transferred"}
    # both sessions are free again: nothing half-applied stayed behind
    agents = live_agents(live, bot_bearer)
    assert agents[DEMO_BOT.login]["load"] == 0 and agents[DEMO_AGENT.login]["load"] == 0
    assert ringing(bot_session, bot_bearer) == 0 and ringing(human_session, human_bearer) == 0


def _one_round(live, round_no, bot_bearer, bot_session, human_bearer, human_session) -> str:
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    r = requests.post(f"{bot_session}/incomingRequests", json={}, headers=bearer_headers(bot_bearer))
    assert r.status_code == 201, r.text
    chat_url = r.json()["chatLocation"]["link"]["@href"]
    before = visitor_events(uri)
    bot = bearer_headers(bot_bearer)
    calls = []
    for twin in ("a", "b"):
        calls += [
            Call(live.url, "POST", f"{chat_url}/events", f"end {twin}", headers=bot,
                 json={"event": {"@type": "state", "state": "ended"}}),
            Call(live.url, "POST", f"{chat_url}/transfer", f"transfer {twin}", headers=bot,
                 json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": f"reason {round_no}{twin}"}}),
            Call(live.url, "POST", f"{chat_url}/events", f"agent line {round_no}{twin}", headers=bot,
                 json={"event": {"@type": "line", "text": f"agent line {round_no}{twin}"}}),
            Call(live.url, "POST", f"{uri}/events", f"visitor line {round_no}{twin}",
                 headers=consumer_headers(),
                 json={"event": {"@type": "line", "text": f"visitor line {round_no}{twin}"}}),
        ]
    shift = round_no % len(calls)  # vary which request the pool starts first
    results = dict(released_together(calls[shift:] + calls[:shift]))
    status = {label: r.status_code for label, r in results.items()}

    ends = [label for label in ("end a", "end b") if status[label] == 201]
    transfers = [label for label in ("transfer a", "transfer b") if status[label] == 200]
    assert len(ends) + len(transfers) == 1, status  # exactly one of them, once
    outcome = "ended" if ends else "transferred"
    events = visitor_events(uri)
    assert_ordered(events)
    assert events[:len(before)] == before  # nothing already there changed
    new = events[len(before):]
    states = [e["state"] for e in new if e["@type"] == "state"]
    lines = {e["text"]: e for e in new if e["@type"] == "line" and e["source"] != "system"}
    system = [e["systemMessageId"] for e in new if e.get("source") == "system"]
    for label, r in results.items():
        if "line" in label:
            if r.status_code == 201:  # stored once, where its Location says
                assert event_id_of(r) == int(lines[label]["@id"])
            else:
                assert label not in lines  # a refused line left nothing
    info = requests.get(f"{uri}/info", headers=consumer_headers(), timeout=WAIT).json()["info"]

    if outcome == "ended":
        assert states == ["ended"] and system == ["5"], (status, new)
        assert new[-2]["systemMessageId"] == "5" and new[-1]["state"] == "ended"
        assert info["state"] == "ended"
        for label, code in status.items():
            if label.startswith(("end", "transfer")) and label not in ends:
                assert code == 409, status  # the chat had ended
            elif "line" in label:
                assert code in (201, 409), status
        end_at = len(events) - 2
        assert all(int(line["@id"]) < end_at for line in lines.values())  # none after the end
        # the bot still reads the ended chat: the same events, nothing else
        assert agent_events(chat_url, bot_bearer) == events
    else:
        assert states == ["waiting"] and system == ["15"], (status, new)
        transfer_at = next(i for i, e in enumerate(events) if e.get("systemMessageId") == "15")
        assert events[transfer_at + 1].get("state") == "waiting"  # the visitor never sees the note
        assert {e.get("source") for e in events[transfer_at + 2:]} <= {"visitor"}
        assert info["state"] == "waiting"
        assert requests.get(chat_url, headers=bot, timeout=WAIT).status_code == 404  # let go
        for label, code in status.items():
            if label.startswith("end"):
                assert code == 404, status  # the bot no longer holds the chat
            elif label.startswith("transfer") and label not in transfers:
                assert code == 404, status
            elif label.startswith("agent line"):
                assert code in (201, 404), status
            elif label.startswith("visitor line"):
                assert code == 201, status  # the chat is still open for the visitor
        for label in lines:
            if label.startswith("agent line"):
                assert int(lines[label]["@id"]) < transfer_at  # the bot spoke before it let go
        # the human takes it and reads the whole history: the note, then 15, then waiting
        r = requests.post(f"{human_session}/incomingRequests", json={},
                          headers=bearer_headers(human_bearer), timeout=WAIT)
        assert r.status_code == 201, r.text
        human_chat = r.json()["chatLocation"]["link"]["@href"]
        history = agent_events(human_chat, human_bearer)
        assert_dense(history)
        notes = [e for e in history if e.get("subType") == "ONLY_TO_REP"]
        assert [n["text"] for n in notes] == [f"reason {round_no}{transfers[0][-1]}"]
        note_at = int(notes[0]["@id"])
        assert history[note_at + 1]["systemMessageId"] == "15"
        assert history[note_at + 2]["state"] == "waiting"
        assert [e for e in history if e.get("subType") != "ONLY_TO_REP"][:len(events)] == events
    # the visitor leaves: the chat ends wherever it is, and frees every slot
    r = requests.post(f"{uri}/events", json={"event": {"@type": "state", "state": "ended"}},
                      headers=consumer_headers(), timeout=WAIT)
    assert r.status_code == (201 if outcome == "transferred" else 409), r.text
    return outcome
