"""The live feed: model events from the bus pushed to the browser pages, one room per account.

A client joins an account's live view with `watch` {accountId, bearer}: the bearer must be a live
Login Service bearer of that account. The acknowledgement carries a snapshot (agents, queues per
skill, chats with their events) and its sequence number; every later bus event of the account
arrives as `sandbox_event` {kind, accountId, time, seq, data}, where `data` keeps the bus event's
own facts (chatId, state, skillId, agentName, event, ...) and adds what the page needs to stay
current without asking again: the chat's summary (`chat`), and after anything that changes
load or queues, the agent list (`agents`) and the queues (`queues`). Events with a `seq` not
above the snapshot's are already in it. A watcher whose login ends (logout, expiry, a reset of
the sandbox) is removed from the room and told with `watch_ended`. Nothing of one account ever
goes to another's room.
"""
import threading
from typing import Callable

from flask import request
from flask_socketio import SocketIO, join_room, leave_room

from ..model.bus import Event
from ..model.sandbox import Sandbox
from ..realtime import BadArguments, _brief, guarded, log, refusal, watch_arguments
from .presenters import agent_summaries, chat_summary, live_event, queues, snapshot

# Kinds after which the agent list and the queues are sent again (load, ringing, queue moves).
STRUCTURAL = ("chat.requested", "chat.ringing", "chat.accepted", "chat.transferred", "chat.ended",
              "agent.session_started", "agent.availability", "agent.session_ended", "login",
              "logout")


def room(account_id: str) -> str:
    """The Socket.IO room of an account's live view."""
    return f"account:{account_id}"


def payload(event: Event, sb: Sandbox, seq: int = 0) -> dict:
    """A JSON-safe form of a bus event for the live view."""
    data = {k: v for k, v in event.data.items() if k not in ("chat", "event")}
    account = sb.accounts.get(event.account_id)
    chat = event.data.get("chat")
    if chat is None and isinstance(event.data.get("chatId"), str):
        chat = sb.chats.get(event.data["chatId"])  # e.g. chat.ringing names the chat by id
        if chat is not None and chat.account_id != event.account_id:
            chat = None
    if chat is not None:
        data.update(chatId=chat.id, state=chat.state, skillId=chat.skill_id,
                    agentName=chat.agent.agent_name if chat.agent else None)
        if account is not None:
            data["chat"] = chat_summary(sb.query, account, chat)
    if event.data.get("event") is not None and account is not None:
        data["event"] = live_event(event.data["event"], account.timezone)
    structural = event.kind in STRUCTURAL or (
        event.kind == "chat.event" and event.data.get("event") is not None
        and event.data["event"].type == "state")
    if structural and account is not None:
        data["agents"] = agent_summaries(sb.query, account)
        data["queues"] = queues(sb.query, account)
    return {"kind": event.kind, "accountId": event.account_id, "time": int(event.time * 1000),
            "seq": seq, "data": data}


class LiveView:
    """The live view of one app: numbers the bus events, remembers who watches which account,
    and pushes each event to its account's room. Kept in app.extensions["sandbox.live"]."""

    def __init__(self, socketio: SocketIO):
        self.socketio = socketio
        self.seq = 0
        self.watchers: dict[str, tuple[str, str]] = {}  # sid -> (account id, bearer)
        self.lock = threading.Lock()
        self.sandbox: Sandbox | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._register_handlers()

    def bind(self, sb: Sandbox) -> None:
        """Follow this sandbox's bus (at start, and after a reset: every watcher of the old
        one is told its view ended, since its bearer no longer exists)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            for sid, (account_id, _bearer) in list(self.watchers.items()):
                self._end_watch(sid, account_id, "sandbox reset")
        self.sandbox = sb
        self._unsubscribe = sb.bus.subscribe(self._forward)

    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def _end_watch(self, sid: str, account_id: str, reason: str) -> None:
        self.watchers.pop(sid, None)
        self.socketio.server.leave_room(sid, room(account_id), namespace="/")
        self.socketio.emit("watch_ended", {"accountId": account_id, "reason": reason}, to=sid)

    def _forward(self, event: Event) -> None:
        sb = self.sandbox
        if event.kind == "logout":
            # Watchers whose login ended leave the room (a logged-out bearer sees nothing more).
            for sid, (watched, bearer) in list(self.watchers.items()):
                if watched == event.account_id and not sb.query.is_logged_in(bearer):
                    self._end_watch(sid, watched, "logged out")
        seq = self.next_seq()
        # Building a payload scans the account's agents and queues: skip it when nobody
        # watches (a later `watch` starts from a fresh snapshot anyway).
        if not any(watched == event.account_id for watched, _ in self.watchers.values()):
            return
        self.socketio.emit("sandbox_event", payload(event, sb, seq), to=room(event.account_id))

    def _register_handlers(self) -> None:
        socketio = self.socketio

        @socketio.on("watch")
        @guarded("watch")
        def watch(*args):
            account_id, bearer = watch_arguments(args)
            sb = self.sandbox
            with sb.lock:
                if account_id not in sb.accounts:
                    return refusal(f"unknown account {account_id}")
                sb.authenticate(account_id, bearer)  # SandboxError: refused
                previous = self.watchers.get(request.sid)
                if previous and previous[0] != account_id:
                    leave_room(room(previous[0]))  # one account per connection
                # Joined under the sandbox lock: no event can fall between snapshot and room.
                join_room(room(account_id))
                self.watchers[request.sid] = (account_id, bearer)
                return {"ok": True, "snapshot": snapshot(sb.query, sb.account(account_id),
                                                         sb.clock.now(), self.seq)}

        @socketio.on("unwatch")
        @guarded("unwatch")
        def unwatch(*args):
            if len(args) > 1 or (args and args[0] not in (None, {})):
                raise BadArguments("unwatch takes no arguments")
            watched = self.watchers.pop(request.sid, None)
            if watched:
                leave_room(room(watched[0]))
            return {"ok": True}

        @socketio.on("disconnect")
        @guarded("disconnect")
        def disconnect(*args):
            self.watchers.pop(request.sid, None)

        @socketio.on("*")
        @guarded("event")
        def unknown(event, *args):
            return refusal("unknown event: this server answers 'watch' and 'unwatch'")

        @socketio.on_error_default
        def failed(exc):  # backstop: every handler above is guarded already
            log.error("socket.io handler failed: %s", _brief(exc))
            return refusal("the call failed on the server")
