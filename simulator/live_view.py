"""The sandbox's live view (Socket.IO): watch an account's chats as they happen.

This is the sandbox's own feature, not a LivePerson API: the server pushes every state change
(`sandbox_event` messages) to clients that sent `watch` with the account id and a live Login
Service bearer of that account. A human agent cannot read another agent's chat through the
Chat Agent API, so this is how a check sees the bot's conversation while it runs.
"""
import threading
import time

import requests
import socketio


class LiveView:
    """A Socket.IO client that collects the `sandbox_event` messages of one account."""

    def __init__(self, url: str, account: str, verify: bool | str = True):
        self.url = url.rstrip("/")
        self.account = account
        http = requests.Session()
        http.verify = verify  # the engine.io client sends every long-poll through this session
        # requests lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) win over a session's verify; the
        # CA given here must win (e.g. the sandbox's --tls CA), so the environment is not read.
        http.trust_env = False
        # Polling only: it needs nothing beyond `requests`, and a check does not need push speed.
        self.client = socketio.Client(http_session=http, reconnection=False)
        self.events: list[dict] = []
        self._changed = threading.Condition()
        self.client.on("sandbox_event", self._on_event)

    def _on_event(self, message: dict) -> None:
        with self._changed:
            self.events.append(message)
            self._changed.notify_all()

    def connect(self, bearer: str, timeout: float = 10.0) -> None:
        """Connect and join the account's room with a user's bearer; ConnectionError if refused."""
        try:
            self.client.connect(self.url, transports=["polling"], wait_timeout=timeout)
            answer = self.client.call("watch", {"accountId": self.account, "bearer": bearer},
                                      timeout=timeout)
        except socketio.exceptions.SocketIOError as exc:
            self.close()
            raise ConnectionError(f"no live view at {self.url}: {exc or type(exc).__name__}") from exc
        if not (answer or {}).get("ok"):
            self.close()
            raise ConnectionError(f"live view refused to watch account {self.account}: {answer}")

    def chat_events(self, chat_id: str) -> list[dict]:
        """The messages seen so far about one chat."""
        with self._changed:
            return [e for e in self.events if (e.get("data") or {}).get("chatId") == chat_id]

    def wait_for(self, condition, timeout: float) -> bool:
        """Wait until `condition(events)` holds (checked at every message) or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            return self._changed.wait_for(lambda: condition(list(self.events)),
                                          max(deadline - time.monotonic(), 0))

    def close(self) -> None:
        """Disconnect."""
        if self.client.connected:
            self.client.disconnect()
