"""The dashboard's live updates: a throttled `analytics_changed` notice per account over
Socket.IO, which the page answers by fetching the numbers again (/_sandbox/analytics).

A client joins with `watch_analytics` {accountId} (public, like the control plane it reads: the
notice carries no data, only the account and a sequence number) and leaves with
`unwatch_analytics` or by disconnecting. Every chat or A/B test event of a watched account
marks it changed; one notice goes out at most every INTERVAL seconds, after a short pause that
lets a burst of events (a chat's end, its survey) settle into one. Nothing is computed here:
the numbers are computed only when a page asks for them."""
import math
import re
import threading
import time
from typing import Callable

from flask_socketio import SocketIO, join_room, leave_room

from ..model.bus import Event
from ..model.sandbox import Sandbox
from ..realtime import MAX_ACCOUNT_ID, BadArguments, guarded, refusal

INTERVAL = 0.5  # seconds between two notices of one account: at most two a second
SETTLE = 0.1  # seconds a burst of events may take to become one notice
KINDS = ("chat.", "abtest.")  # what changes a chat record or a test (agent events do not)
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_.-]+")


def room(account_id: str) -> str:
    """The Socket.IO room of an account's dashboard watchers."""
    return f"analytics:{account_id}"


def account_argument(args: tuple) -> str:
    """The account id of a `watch_analytics` call, or BadArguments."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise BadArguments('watch_analytics takes one object: {"accountId": ...}')
    value = args[0].get("accountId")
    if not isinstance(value, str) or not value.strip():
        raise BadArguments("'accountId' is required (a string)")
    value = value.strip()
    if len(value) > MAX_ACCOUNT_ID or not _ACCOUNT_ID.fullmatch(value):
        raise BadArguments("'accountId' is not an account id")
    return value


class AnalyticsFeed:
    """Throttled change notices for the dashboards of each account; app.extensions[
    "sandbox.analytics_feed"]."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio
        self.lock = threading.Lock()
        self.pending: set[str] = set()  # accounts with a notice on its way
        self.last: dict[str, float] = {}  # account -> when its last notice went (monotonic)
        self.seq = 0
        self.sandbox: Sandbox | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._register_handlers()

    def bind(self, sb: Sandbox) -> "AnalyticsFeed":
        """Follow this sandbox's bus; after a reset every watched account has changed."""
        rebound = self._unsubscribe is not None
        if rebound:
            self._unsubscribe()
        self.sandbox = sb
        self._unsubscribe = sb.bus.subscribe(self._on_event)
        if rebound:
            for account_id in sb.accounts:
                self._changed(account_id)
        return self

    def _watched(self, account_id: str) -> bool:
        rooms = self.socketio.server.manager.rooms.get("/", {})
        return bool(rooms.get(room(account_id)))

    def _on_event(self, event: Event) -> None:
        if event.kind.startswith(KINDS):
            self._changed(event.account_id)

    def _changed(self, account_id: str) -> None:
        if not self._watched(account_id):
            return  # nobody to tell: a dashboard that joins later fetches everything anyway
        with self.lock:
            if account_id in self.pending:
                return  # the notice on its way covers this change too
            self.pending.add(account_id)
            since_last = time.monotonic() - self.last.get(account_id, -math.inf)
        delay = max(SETTLE, INTERVAL - since_last)
        self.socketio.start_background_task(self._notify, account_id, delay)

    def _notify(self, account_id: str, delay: float) -> None:
        self.socketio.sleep(delay)
        with self.lock:
            self.pending.discard(account_id)  # a change from here on gets a notice of its own
            self.last[account_id] = time.monotonic()
            self.seq += 1
            seq = self.seq
        sb = self.sandbox
        self.socketio.emit("analytics_changed", {"accountId": account_id, "seq": seq,
                                                 "time": int(sb.clock.now() * 1000)},
                           to=room(account_id))

    def _register_handlers(self) -> None:
        socketio = self.socketio

        @socketio.on("watch_analytics")
        @guarded("watch_analytics")
        def watch_analytics(*args):
            account_id = account_argument(args)
            if account_id not in self.sandbox.accounts:
                return refusal(f"unknown account {account_id}")
            join_room(room(account_id))
            return {"ok": True, "accountId": account_id, "interval": INTERVAL}

        @socketio.on("unwatch_analytics")
        @guarded("unwatch_analytics")
        def unwatch_analytics(*args):
            account_id = account_argument(args)
            leave_room(room(account_id))
            return {"ok": True}
