"""The live view as the pages see it: a Socket.IO client that records what it is sent."""
import threading

import requests
import socketio

WAIT = 10.0  # connect, acknowledgement and event deadlines


class Watcher:
    """A Socket.IO client of the live view that records what it is sent."""

    def __init__(self, url: str, headers: dict | None = None, http: requests.Session | None = None):
        self.client = socketio.Client(reconnection=False, http_session=http)
        self.events: list[dict] = []
        self.ended: list[dict] = []
        self.changed = threading.Condition()
        self.client.on("sandbox_event", self._on_event)
        self.client.on("watch_ended", self._on_ended)
        self.client.connect(url, headers=headers or {}, transports=["polling"], wait_timeout=WAIT)

    def _on_event(self, message):
        with self.changed:
            self.events.append(message)
            self.changed.notify_all()

    def _on_ended(self, message):
        with self.changed:
            self.ended.append(message)
            self.changed.notify_all()

    def watch(self, account: str, bearer: str | None) -> dict:
        return self.client.call("watch", {"accountId": account, "bearer": bearer}, timeout=WAIT)

    def wait_for(self, condition) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: condition(self), WAIT)

    def kinds(self) -> list[str]:
        with self.changed:
            return [e["kind"] for e in self.events]

    def close(self):
        self.client.disconnect()
