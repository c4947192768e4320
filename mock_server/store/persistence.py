"""Keeps one sandbox's state in its data dir: restores it at start, commits every unit of work.

What is stored, and when (docs/architecture.md, "Persistence"):
- `accounts`: the accounts as configured and changed through Account Config;
- `live`: login and agent sessions, holds, queues, rings, Sentinel's grants and key, Monitoring
  and Visitor Authentication sessions, API key nonces, agent state spans, A/B tests, offline
  messages, the seeded id generator;
- one row per chat (its state, surveys, transfers), one per chat event (appended) and one per
  Step 5 record (with its queue waits), written when an event names the chat;
- `meta`: the clock (a moved clock never goes back) and when the sandbox last committed.
The two parts are pickled again at each commit of a write (a non-GET request, a tick, or an
event that is more than a line) and written only when their bytes changed."""
import hashlib
import json
import logging
from pathlib import Path

from ..model.bus import Event
from ..model.chats import Chat
from ..model.clock import MovableClock
from ..model.errors import SandboxError
from ..model.ids import IdGenerator
from . import codec
from .database import Database

log = logging.getLogger(__name__)

# The stores of the tree whose data the `live` part holds (their collaborators are not data).
LIVE_STORES = ("logins", "agents", "holds", "router", "monitoring", "sentinel", "visitor_auth",
               "api_keys")
RECORDER_STATE = ("spans", "_open_spans")  # the rest of the recorder comes back with the records
# Tree attributes a stored object may name but never holds: written as references.
TREE_PARTS = ("clock", "ids", "bus", "lock", "accounts", "chats", "open_chats", "holds", "logins",
              "agents", "router", "query", "monitoring", "sentinel", "visitor_auth", "api_keys",
              "analytics", "settings", "config", "retention")
QUIET = frozenset({"chat.event", "chat.typing"})  # events that change only their chat's row
BEAT = 1.0  # seconds between two records of "still alive" (the idle timers' restart point)


class StoreUnavailable(SandboxError):
    """The data dir refused a write: the change is not acknowledged."""

    response_status = "SERVICE_UNAVAILABLE"
    internal_code = 1


class Persistence:
    """The data dir of one sandbox: attach a tree to restore it (or seed a fresh dir) and from
    then on every unit of work is committed as the lock lets go."""

    def __init__(self, directory: str | Path, durability: str = "normal"):
        self.database = Database(directory, durability)
        self.tree = None
        self._chats: dict[str, Chat] = {}  # chats an event named since the last commit
        self._written: dict[str, int] = {}  # open chat id -> how many of its events are stored
        self._structural = False  # an event other than a line: the parts may have changed
        self._digests: dict[str, bytes] = {}
        self._beat_at = float("-inf")
        self._clock_meta = None

    # --- attaching ----------------------------------------------------------------------------------

    def attach(self, tree) -> bool:
        """Keep `tree` here: restore the dir's state into it, or write the fresh tree's state to
        an empty dir. True when state was restored."""
        if self.tree is not None:  # a reset: the old tree commits nothing here any more
            self.tree.lock.commit = None
            self._unsubscribe()
        self.tree = tree
        self._chats.clear()
        self._written.clear()
        self._digests.clear()
        parts = {name: getattr(tree, name) for name in TREE_PARTS}
        parts["tree"] = tree
        self.refs = codec.Refs(tree.accounts, self._chat_of, parts)
        restored = self.database.part("accounts") is not None
        if restored:
            self._restore()
        tree.store = self
        tree.chats.archive = self.cold_chat
        tree.analytics.archive = self.cold_records
        self._unsubscribe = tree.bus.subscribe(self._on_event)
        tree.lock.commit = self.commit
        if not restored:
            with tree.lock.writing(), tree.lock:
                self._chats.update(tree.chats)
        return restored

    def reset(self, tree) -> None:
        """A reset: the dir forgets everything and keeps `tree` (a fresh one) from now on."""
        self.database.clear()
        self.attach(tree)

    def close(self) -> None:
        self.database.close()

    # --- committing ---------------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        chat = event.data.get("chat")
        if chat is None and "chatId" in event.data:  # a ring names its chat by id
            chat = self.tree.chats.get(event.data["chatId"])
        if isinstance(chat, Chat):
            self._chats[chat.id] = chat
        if event.kind not in QUIET:
            self._structural = True

    def commit(self, writing: bool) -> None:
        """Write what this unit of work changed, in one transaction (UnitOfWork.commit)."""
        tree = self.tree
        now = tree.clock.now()
        parts = writing or self._structural
        beat = now - self._beat_at >= BEAT
        if not (self._chats or parts or beat):
            return
        chats, self._chats = self._chats, {}
        self._structural = False
        try:
            with self.database.transaction():
                if parts:
                    if self._put_part("accounts", codec.dumps(tree.accounts, None)):
                        self.refs.users_changed()
                    self._put_part("live", codec.dumps(self._live(), self.refs))
                if chats:
                    self._put_chats(chats.values())
                if beat:
                    self._put_meta(now)
        except Exception as exc:  # disk full, a dir removed under us: not acknowledged
            self._chats.update(chats)
            self._structural = True
            self._digests.clear()
            log.exception("the data dir refused a write")
            raise StoreUnavailable(f"The sandbox could not store this change: {exc}") from exc
        if beat:
            self._beat_at = now

    def _put_part(self, name: str, body: bytes) -> bool:
        digest = hashlib.blake2b(body, digest_size=16).digest()
        if self._digests.get(name) == digest:
            return False
        self.database.put_part(name, body)
        self._digests[name] = digest
        return True

    def _put_chats(self, chats) -> None:
        records = self.tree.analytics
        chat_rows, event_rows, record_rows = [], [], []
        for chat in chats:
            # The chat without its events, which are appended (a line costs one event's row,
            # not a rewrite of the whole transcript).
            state = dict(vars(chat), events=[])
            chat_rows.append((chat.id, chat.account_id, chat.created,
                              chat.ended_time if chat.ended else None,
                              codec.dumps(state, self.refs)))
            written = self._written.get(chat.id)
            if written is None:
                written = self.database.event_count(chat.id)
            event_rows.extend((chat.id, e.id, codec.dumps(e, None)) for e in chat.events[written:])
            if chat.ended:  # an ended chat takes no more events
                self._written.pop(chat.id, None)
            else:
                self._written[chat.id] = len(chat.events)
            record = records.records.get(chat.id)
            if record is not None:
                record_rows.append((chat.id, chat.account_id, record.requested, codec.dumps(
                    (record, records.episodes_of(chat.id)), None)))
        self.database.put_chats(chat_rows)
        self.database.put_events(event_rows)
        self.database.put_records(record_rows)

    def _load_chat(self, chat_id: str, body: bytes) -> Chat:
        """A chat from its row and its events' rows."""
        chat = Chat.__new__(Chat)
        vars(chat).update(codec.loads(body, self.refs))
        chat.events = [codec.loads(e, None) for e in self.database.events(chat_id)]
        return codec.upgrade(chat)

    def _put_meta(self, now: float) -> None:
        self.database.set_meta("saved_at", repr(now))
        clock = self.tree.clock
        if isinstance(clock, MovableClock):
            state = json.dumps({"frozen_at": clock._frozen_at, "now": clock.now()})
            if state != self._clock_meta:
                self.database.set_meta("clock", state)
                self._clock_meta = state

    def _live(self) -> dict:
        tree = self.tree
        skip = {id(value) for value in self.refs.parts.values()}
        return {
            "stores": {name: {k: v for k, v in vars(getattr(tree, name)).items()
                              if id(v) not in skip and not callable(v)}
                       for name in LIVE_STORES},
            "recorder": {name: getattr(tree.analytics, name) for name in RECORDER_STATE},
            "ab_tests": dict(tree.ab_tests),
            "offline_messages": list(tree.offline_messages),
            "ids": tree.ids.__getstate__(),
        }

    # --- reading back -------------------------------------------------------------------------------

    def _chat_of(self, chat_id: str) -> Chat | None:
        chat = dict.get(self.tree.chats, chat_id)
        return chat if chat is not None else self.cold_chat(chat_id)

    def cold_chat(self, chat_id) -> Chat | None:
        """A chat that left memory, read from the dir (not put back in memory)."""
        if not isinstance(chat_id, str):
            return None
        body = self.database.chat(chat_id)
        return None if body is None else self._load_chat(chat_id, body)

    def cold_records(self, account_id: str, since: float | None, until: float | None) -> list:
        """The Step 5 records of an account's chats that left memory, oldest first."""
        resident = self.tree.analytics.records
        return [codec.loads(self.database.record(chat_id), None)[0]
                for chat_id in self.database.record_ids(account_id, since, until)
                if chat_id not in resident]

    def _restore(self) -> None:
        """Put the dir's state into the (freshly built) tree."""
        tree, db = self.tree, self.database
        clock = json.loads(db.meta("clock") or "null")
        if clock and isinstance(tree.clock, MovableClock):  # time never goes back
            ahead = clock["now"] - tree.clock.now()
            if clock["frozen_at"] is not None and tree.clock.frozen:
                tree.clock.advance(max(0.0, ahead))
            elif ahead > 0:
                tree.clock.advance(ahead)
        saved_at = float(db.meta("saved_at") or "0")
        tree.accounts.clear()
        tree.accounts.update(codec.loads(db.part("accounts"), None))
        self.refs.users_changed()
        retention = tree.retention
        for chat_id, body in db.resident_chats(tree.clock.now() - retention.seconds,
                                               retention.count):
            chat = self._load_chat(chat_id, body)
            tree.chats[chat.id] = chat
            if chat.ended:
                retention.ended_chat(chat)
            else:
                tree.open_chats[chat.id] = chat
                self._written[chat.id] = len(chat.events)
                # The sandbox was down, not the visitor: downtime does not count as silence.
                chat.last_visitor_poll = max(chat.last_visitor_poll, saved_at)
            body = db.record(chat.id)
            if body is not None:
                tree.analytics.keep(*codec.loads(body, None))
        tree.analytics.resort()
        live = codec.loads(db.part("live"), self.refs)
        for name, state in live["stores"].items():
            vars(getattr(tree, name)).update(state)
        vars(tree.analytics).update(live["recorder"])
        tree.ab_tests.clear()
        tree.ab_tests.update(live["ab_tests"])
        tree.offline_messages[:] = live["offline_messages"]
        ids = IdGenerator.__new__(IdGenerator)
        ids.__setstate__(live["ids"])
        vars(tree.ids).update(vars(ids))
        for login in tree.logins.by_bearer.values():
            login.last_seen = max(login.last_seen, saved_at)
        for session in tree.agents.by_id.values():
            session.last_seen = max(session.last_seen, saved_at)
        self._digests = {name: hashlib.blake2b(db.part(name), digest_size=16).digest()
                         for name in ("accounts", "live")}
