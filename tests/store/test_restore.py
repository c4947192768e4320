"""The data dir: a restart on the same dir restores the whole state (the same tree, object by
object), timers included; a reset empties it; a dir of a newer schema is refused."""
import sqlite3

import pytest
import requests

from mock_server.model.clock import ManualClock
from mock_server.store import SCHEMA_VERSION, StoreError
from mock_server.store.database import Database
from tests.support.constants import ACCOUNT, DEMO_BOT as BOT
from tests.support.server import START
from tests.support.server import serve
from tests.support.wire import (GLOBAL_KEY, accept, agent, bearer_headers, consumer_headers, end,
                                events, request_chat, say)


def state_of(sb) -> dict:
    """Everything a restart must bring back, as comparable plain values."""
    def chat(c):
        return (c.state, c.skill_id, c.agent.id if c.agent else None, c.agent_session_id,
                c.ringing_session_id, c.ring_started, [vars(e) for e in c.events],
                [vars(t) for t in c.transfers], c.surveys, c.variant, vars(c.visitor)["visitor_id"])

    return {
        "accounts": {a.id: (sorted(a.users), sorted(a.skills), a.revisions)
                     for a in sb.accounts.values()},
        "users": {(a.id, u.id): (u.login_name, u.skill_ids, u.max_chats, u.deleted)
                  for a in sb.accounts.values() for u in a.users.values()},
        "chats": {i: chat(c) for i, c in sb.chats.items()},
        "open": sorted(sb.open_chats),
        "logins": sorted((b, s.user.id, s.created, s.ended) for b, s in sb.logins.by_bearer.items()),
        "sessions": sorted((i, s.user.id, s.availability, s.ringing, s.ended)
                           for i, s in sb.agents.by_id.items()),
        "queues": {a: sb.router.queued(a) for a in sb.accounts},
        "records": {i: (r.legs, r.transfers, r.mcs, r.csat, r.ended_by)
                    for i, r in sb.analytics.records.items()},
        "episodes": {a: [vars(e) for e in sb.analytics.episodes(a)] for a in sb.accounts},
        "spans": {a: [vars(s) for s in sb.analytics.agent_spans(a)] for a in sb.accounts},
        "ab_tests": {a: sorted(t) for a, t in sb.ab_tests.items()},
    }


def workload(url: str) -> dict:
    """A bot online, a chat with lines on both sides and a survey, one ended, one waiting."""
    bearer, session = agent(url, ACCOUNT, *BOT)
    uri = request_chat(url, ACCOUNT, skill="support-bot")
    chat = accept(session, bearer)
    say(uri, consumer_headers(), "hello, my order is late")
    say(chat, bearer_headers(bearer), "Sorry to hear that")
    say(uri, consumer_headers(), "thanks, that helps")
    end(uri, consumer_headers())
    second = request_chat(url, ACCOUNT, skill="support-bot")
    return {"bearer": bearer, "session": session, "chat": chat, "uri": uri, "second": second}


def test_a_restart_restores_every_part_of_the_state(tmp_path):
    clock = ManualClock(START)
    with serve(clock=clock, data_dir=str(tmp_path)) as first:
        seen = workload(first.url)
        before = state_of(first.sb)
        lines = events(seen["chat"], bearer_headers(seen["bearer"]))
    with serve(clock=ManualClock(START), data_dir=str(tmp_path)) as second:
        assert state_of(second.sb) == before
        moved = {k: v.replace(first.url, second.url) for k, v in seen.items()}
        # The bot's bearer still works: it polls without logging in again.
        assert events(moved["chat"], bearer_headers(seen["bearer"])) == lines
        r = requests.get(f"{moved['session']}/incomingRequests", headers=bearer_headers(seen["bearer"]))
        assert r.status_code == 200 and r.json()["incomingRequests"]["ringingCount"] == "1"


def test_a_ring_due_while_down_fires_at_start(tmp_path):
    with serve(data_dir=str(tmp_path)) as first:
        seen = workload(first.url)
        ringing_at = first.sb.chats[seen["second"].rsplit("/", 1)[1]].ringing_session_id
        assert ringing_at
    later = ManualClock(START + 31)  # past the 30 s ring timeout
    with serve(clock=later, data_dir=str(tmp_path)) as second:
        second.advance(0)
        chat = second.sb.chats[seen["second"].rsplit("/", 1)[1]]
        assert chat.ringing_session_id is None or chat.ring_started >= START + 31
        assert ringing_at in chat.rang_out


def test_a_reset_empties_the_dir(tmp_path):
    with serve(data_dir=str(tmp_path)) as first:
        workload(first.url)
        assert requests.post(f"{first.url}/_sandbox/reset").status_code == 200
    with serve(data_dir=str(tmp_path)) as second:
        assert not second.sb.chats and not second.sb.logins.by_bearer


def test_a_dir_of_a_newer_schema_is_refused(tmp_path):
    Database(tmp_path).close()
    db = sqlite3.connect(tmp_path / "sandbox.sqlite3")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="schema version"):
        Database(tmp_path)
