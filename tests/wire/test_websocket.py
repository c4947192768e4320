"""The live view over a real WebSocket on the CLI's server stack (gevent), with frames of megabytes.

simple-websocket wrote each frame with one `send()`, which may write only part of it, and its
reader could write in between: the browser then read a frame header inside a message ("Invalid
frame header") and fell back to polling (mock_server/websocket.py). The wire test below failed
3 times in 3 before that fix; Chromium reads fast enough that the page test passed either way,
so it guards the page's side (the upgrade, no console error), the wire test the frames."""
import json
import socket
import threading
import time

import pytest
import requests
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

from tests.support.browser import DESKTOP, expect, login_workspace
from tests.support.constants import ACCOUNT, DEMO_ADMIN, HUMAN_SKILL
from tests.support.server import start, stop
from tests.support.wire import consumer_headers, login


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    """The CLI's server (gevent pywsgi), as `./dev run` serves it."""
    proc, url, _ = start([], tmp_path_factory.mktemp("ws"))
    yield url
    stop(proc)


class SlowReader:
    """A WebSocket client (wsproto) that checks every frame of the stream."""

    def __init__(self, host: str, port: int, target: str):
        self.sock = socket.socket()
        self.sock.settimeout(30)
        self.sock.connect((host, port))
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.sock.sendall(self.ws.send(Request(host=f"{host}:{port}", target=target)))
        self.parts: list[str] = []
        self.messages: list[str] = []
        self.closed: CloseConnection | None = None

    def send(self, text: str) -> None:
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def next(self, deadline: float) -> str:
        """The next whole text message, answering Engine.IO pings; fails on a broken stream."""
        while not self.messages:
            assert time.monotonic() < deadline, "no message before the deadline"
            assert self.closed is None, f"the server's stream broke: {self.closed}"
            data = self.sock.recv(1 << 20)
            assert data, "the server closed the connection"
            self.ws.receive_data(data)
            for event in self.ws.events():
                if isinstance(event, TextMessage):
                    self.parts.append(event.data)
                    if event.message_finished:
                        message = "".join(self.parts)
                        self.parts = []
                        if message == "2":  # Engine.IO ping
                            self.send("3")
                        else:
                            self.messages.append(message)
                elif isinstance(event, CloseConnection):  # e.g. 1007: a cut frame read as text
                    self.closed = event
                elif isinstance(event, Ping):
                    self.sock.sendall(self.ws.send(event.response()))
                elif isinstance(event, RejectConnection):
                    raise AssertionError("the WebSocket upgrade was refused")
                else:
                    assert isinstance(event, AcceptConnection), event
        return self.messages.pop(0)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def busy(cli):
    """The CLI sandbox's account with 60 chats of a 99 KB line each (made once)."""
    return _busy_account(cli)


def _busy_account(url: str, chats: int = 60, size: int = 99_000) -> list[str]:
    """Chats with long lines: the live-view snapshot is about 6 MB."""
    locations = []
    with requests.Session() as http:
        for _ in range(chats):
            loc = http.post(f"{url}/api/account/{ACCOUNT}/chat/request", json={"request": {"skill": HUMAN_SKILL}},
                            headers=consumer_headers()).headers["Location"]
            http.post(f"{loc}/events", json={"event": {"@type": "line", "text": "x" * size}}, headers=consumer_headers())
            locations.append(loc)
    return locations


def _flood(location: str, stop: threading.Event) -> None:
    with requests.Session() as http:
        while not stop.is_set():
            r = http.post(f"{location}/events", json={"event": {"@type": "line", "text": "y" * 99_000}},
                          headers=consumer_headers())
            assert r.status_code == 201


def test_big_snapshots_and_busy_events_arrive_whole_over_websocket(cli, busy):
    locations = busy
    bearer = login(cli, ACCOUNT, *DEMO_ADMIN)["bearer"]
    host, port = cli.split("://", 1)[1].split(":")
    for attempt in range(2):
        client = SlowReader("127.0.0.1", int(port), "/socket.io/?EIO=4&transport=websocket")
        try:
            deadline = time.monotonic() + 60
            assert client.next(deadline).startswith("0")  # Engine.IO open
            client.send("40")
            assert client.next(deadline).startswith("40")  # Socket.IO connect
            client.send('421["watch",' + json.dumps({"accountId": ACCOUNT, "bearer": bearer}) + "]")
            stop = threading.Event()
            flooders = [threading.Thread(target=_flood, args=(loc, stop)) for loc in locations[:3]]
            for t in flooders:  # lines of 50 KB on three chats while the snapshot goes out
                t.start()
            try:
                snapshot, events = None, 0
                while snapshot is None or events < 20:
                    message = client.next(deadline)
                    if message.startswith("431"):
                        snapshot = json.loads(message[3:])[0]["snapshot"]
                    else:
                        kind, event = json.loads(message[2:])
                        assert kind == "sandbox_event" and event["accountId"] == ACCOUNT
                        events += 1
            finally:
                stop.set()
                for t in flooders:
                    t.join()
            assert len(snapshot["chats"]) >= 60, attempt
        finally:
            client.close()


def test_the_workspace_socket_ends_on_websocket_while_chats_are_busy(cli, busy, browser):
    """In Chromium: the page's Socket.IO upgrades to WebSocket and stays there, with no console
    error, while lines of 99 KB stream in on six chats at once; several times over."""
    for attempt in range(3):
        context = browser.new_context(viewport=DESKTOP, base_url=cli)
        errors: list[str] = []
        stop = threading.Event()
        flooders = [threading.Thread(target=_flood, args=(loc, stop)) for loc in busy[:6]]
        try:
            page = context.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto("/workspace")
            login_workspace(page)  # the snapshot of 60 busy chats (6 MB) arrives first
            pill = page.locator("#live-pill")
            expect(pill).to_have_attribute("data-transport", "websocket", timeout=30_000)
            seq = int(pill.get_attribute("data-seq") or 0)
            for t in flooders:
                t.start()
            page.wait_for_function(  # 40 more events arrive, most of them 99 KB frames
                f"() => Number(document.querySelector('#live-pill').dataset.seq || 0) >= {seq + 40}",
                timeout=60_000)
            expect(pill).to_have_attribute("data-transport", "websocket")
            expect(pill).to_have_text("Live")
        finally:
            stop.set()
            for t in flooders:
                if t.ident is not None:  # started
                    t.join()
            context.close()
        assert errors == [], (attempt, errors)
