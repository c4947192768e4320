"""Socket.IO: model events from the bus pushed to the browser pages, one room per account.

A client joins an account's live view with `watch` {accountId, bearer}: the bearer must be a live
Login Service bearer of that account. The acknowledgement carries a snapshot (agents, queues per
skill, chats with their events) and its sequence number; every later bus event of the account
arrives as `sandbox_event` {kind, accountId, time, seq, data}, where `data` keeps the bus event's
own facts (chatId, state, skillId, agentName, event, ...) and adds what the page needs to stay
current without asking again: the chat's summary (`chat`), and after anything that changes
load or queues, the agent list (`agents`) and the queues (`queues`). Events with a `seq` not
above the snapshot's are already in it. A watcher whose login ends (logout, expiry) is removed
from the room and told with `watch_ended`. Nothing of one account ever goes to another's room.
"""
import threading

from flask import request
from flask_socketio import SocketIO, join_room, leave_room

from .control.live import agent_summaries, chat_summary, live_event, queues, snapshot
from .model.bus import Event
from .model.errors import SandboxError
from .model.sandbox import Sandbox

# Kinds after which the agent list and the queues are sent again (load, ringing, queue moves).
STRUCTURAL = ("chat.requested", "chat.ringing", "chat.accepted", "chat.transferred", "chat.ended",
              "agent.session_started", "agent.availability", "agent.session_ended", "login",
              "logout")


def room(account_id: str) -> str:
    """The Socket.IO room of an account's live view."""
    return f"account:{account_id}"


class LiveFeed:
    """Numbers the bus events of the live view and remembers who watches which account."""

    def __init__(self):
        self.seq = 0
        self.watchers: dict[str, tuple[str, str]] = {}  # sid -> (account id, bearer)
        self.lock = threading.Lock()

    def next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq


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
            data["chat"] = chat_summary(sb, account, chat)
    if event.data.get("event") is not None and account is not None:
        data["event"] = live_event(event.data["event"], account.timezone)
    structural = event.kind in STRUCTURAL or (
        event.kind == "chat.event" and event.data.get("event") is not None
        and event.data["event"].type == "state")
    if structural and account is not None:
        data["agents"] = agent_summaries(sb, account)
        data["queues"] = queues(sb, account)
    return {"kind": event.kind, "accountId": event.account_id, "time": int(event.time * 1000),
            "seq": seq, "data": data}


def attach_realtime(socketio: SocketIO, sb: Sandbox) -> None:
    """Forward every bus event to its account's room; clients join with `watch`."""
    feed = LiveFeed()
    socketio.sandbox_feed = feed

    @socketio.on("watch")
    def watch(message):
        message = message if isinstance(message, dict) else {}
        account_id = str(message.get("accountId", "")).strip()
        bearer = message.get("bearer")
        with sb.lock:
            if account_id not in sb.accounts:
                return {"ok": False, "error": f"unknown account {account_id}"}
            try:
                sb.logins.authenticate(account_id, bearer if isinstance(bearer, str) else None)
            except SandboxError as exc:
                return {"ok": False, "error": exc.message}
            previous = feed.watchers.get(request.sid)
            if previous and previous[0] != account_id:
                leave_room(room(previous[0]))  # one account per connection
            # Joined under the sandbox lock: no event can fall between the snapshot and the room.
            join_room(room(account_id))
            feed.watchers[request.sid] = (account_id, bearer)
            return {"ok": True, "snapshot": snapshot(sb, account_id, feed.seq)}

    @socketio.on("unwatch")
    def unwatch(message=None):
        watched = feed.watchers.pop(request.sid, None)
        if watched:
            leave_room(room(watched[0]))
        return {"ok": True}

    @socketio.on("disconnect")
    def disconnect(*args):
        feed.watchers.pop(request.sid, None)

    def drop_dead_watchers(account_id: str) -> None:
        """Watchers whose login ended leave the room (a logged-out bearer sees nothing more)."""
        for sid, (watched, bearer) in list(feed.watchers.items()):
            if watched == account_id and bearer not in sb.logins.by_bearer:
                feed.watchers.pop(sid, None)
                socketio.server.leave_room(sid, room(account_id), namespace="/")
                socketio.emit("watch_ended", {"accountId": account_id, "reason": "logged out"},
                              to=sid)

    def forward(event: Event) -> None:
        if event.kind == "logout":
            drop_dead_watchers(event.account_id)
        seq = feed.next_seq()
        # Building a payload scans the account's agents and queues: skip it when nobody
        # watches (a later `watch` starts from a fresh snapshot anyway).
        if not any(watched == event.account_id for watched, _ in feed.watchers.values()):
            return
        socketio.emit("sandbox_event", payload(event, sb, seq), to=room(event.account_id))

    sb.bus.subscribe(forward)
