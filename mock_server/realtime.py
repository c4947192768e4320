"""Socket.IO: model events from the bus pushed to the browser pages, one room per account."""
from flask_socketio import SocketIO, join_room

from .model.bus import Event
from .model.sandbox import Sandbox
from .wire.chat import event_json


def room(account_id: str) -> str:
    """The Socket.IO room of an account's live view."""
    return f"account:{account_id}"


def payload(event: Event, sb: Sandbox) -> dict:
    """A JSON-safe form of a bus event for the live view."""
    data = {k: v for k, v in event.data.items() if k not in ("chat", "event")}
    chat = event.data.get("chat")
    if chat is not None:
        data.update(chatId=chat.id, state=chat.state, skillId=chat.skill_id,
                    agentName=chat.agent.agent_name if chat.agent else None)
    if event.data.get("event") is not None:
        tz = sb.accounts[event.account_id].timezone
        data["event"] = event_json(event.data["event"], tz)
    return {"kind": event.kind, "accountId": event.account_id, "time": int(event.time * 1000),
            "data": data}


def attach_realtime(socketio: SocketIO, sb: Sandbox) -> None:
    """Forward every bus event to its account's room; clients join with `watch`."""

    @socketio.on("watch")
    def watch(message):
        account_id = str((message or {}).get("accountId", ""))
        if account_id in sb.accounts:
            join_room(room(account_id))
            return {"ok": True}
        return {"ok": False, "error": f"unknown account {account_id}"}

    def forward(event: Event) -> None:
        socketio.emit("sandbox_event", payload(event, sb), to=room(event.account_id))

    sb.bus.subscribe(forward)
