"""kill -9 mid-load, three times: every line that was answered 201 is still there, in order, on
both sides, and the same bot bearer and customer chats carry on after each restart."""
import socket
import threading
import time

import requests

from tests.support.paths import ROOT
from tests.support.server import start, stop
from tests.support.wire import as_list, bearer_headers, consumer_headers

ACCOUNT, KEY = "70000001", "b3e1c0ffee5eed0000000000000bench"
CONFIG = str(ROOT / "bench" / "bench_config.yaml")
CHATS, LINES, KILLS = 8, 24, 3  # lines per side and chat; a kill every ~quarter of them
TIMEOUT = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = check()
        except requests.RequestException:
            value = None
        if value:
            return value
        time.sleep(0.05)  # polling a condition with a deadline, not waiting out a time
    raise AssertionError(f"timed out waiting for {what}")


class Side:
    """One side of one chat: posts numbered lines, keeps those answered 201."""

    def __init__(self, url: str, headers: dict, name: str):
        self.url, self.headers, self.name = url, headers, name
        self.acked: list[str] = []

    def say(self, i: int) -> bool:
        """Post line i; False when the server is down (the line is not acknowledged)."""
        text = f"{self.name} line {i}"
        try:
            r = requests.post(f"{self.url}/events", json={"event": {"@type": "line", "text": text}},
                              headers=self.headers, timeout=TIMEOUT)
        except requests.RequestException:
            return False
        if r.status_code == 201:
            self.acked.append(text)
        return True


def lines_seen(url: str, headers: dict) -> list[str]:
    r = requests.get(f"{url}/events?from=0", headers=headers, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return [e.get("text") for e in as_list(r.json()["events"].get("event")) if e.get("@type") == "line"]


def subsequence(acked: list[str], stored: list[str]) -> bool:
    it = iter(stored)
    return all(line in it for line in acked)


def test_no_acknowledged_line_is_lost_over_three_kills(tmp_path):
    port = free_port()
    args = ["--port", str(port), "--config", CONFIG, "--data-dir", str(tmp_path), "--seed", "7"]
    proc, url, _ = start(args, ROOT)
    procs = [proc]
    try:
        base = f"{url}/api/account/{ACCOUNT}"
        bearer = requests.post(f"{base}/login?v=1.3", json={"username": "bench-bot-01",
                               "password": "bench-bot-pass"}).json()["bearer"]
        agent = bearer_headers(bearer)
        session = requests.post(f"{base}/agentSession?v=1&NC=true", json={"loginData": ""},
                                headers=agent).json()["agentSessionLocation"]["link"]["@href"]
        requests.post(f"{session}/availability?v=1&NC=true", json={"availability": {"chat": "Online"}},
                      headers={**agent, "X-HTTP-Method-Override": "PUT"}).raise_for_status()
        customer = consumer_headers(KEY)
        sides = []
        for n in range(CHATS):
            r = requests.post(f"{base}/chat/request?v=1&NC=true",
                              json={"request": {"skill": "bench-bot"}}, headers=customer)
            uri = r.headers["Location"]
            accepted = requests.post(f"{session}/incomingRequests?v=1&NC=true", json={}, headers=agent)
            assert accepted.status_code == 201, accepted.text
            chat = accepted.json()["chatLocation"]["link"]["@href"]
            sides.append((Side(uri, customer, f"customer {n}"), Side(chat, agent, f"bot {n}")))

        def talk(pair):
            for i in range(LINES):
                for side in pair:
                    if not side.say(i):  # down: wait for the restart, then the next line
                        wait_until(lambda: requests.get(f"{url}/_sandbox/health", timeout=1).ok,
                                   "the restarted server", 60)

        threads = [threading.Thread(target=talk, args=(pair,)) for pair in sides]
        for t in threads:
            t.start()
        acked = lambda: sum(len(s.acked) for pair in sides for s in pair)  # noqa: E731
        total = CHATS * LINES * 2
        for k in range(1, KILLS + 1):
            wait_until(lambda: acked() >= total * k // (KILLS + 1), f"{k} quarter(s) of the lines")
            procs[-1].kill()  # SIGKILL: no shutdown, no flush
            procs[-1].wait()
            procs.append(start(args, ROOT)[0])
        for t in threads:
            t.join(120)
        # The kills cost some lines (refused while down), never one that was acknowledged.
        assert acked() > total // 2
        for customer_side, bot_side in sides:
            acknowledged = [*customer_side.acked, *bot_side.acked]
            for side in (customer_side, bot_side):  # each side's view of the same chat
                stored = lines_seen(side.url, side.headers)
                assert subsequence(customer_side.acked, stored), (side.name, customer_side.acked, stored)
                assert subsequence(bot_side.acked, stored), (side.name, bot_side.acked, stored)
                assert set(acknowledged) <= set(stored)
        # And they carry on: the same bearer and chat URIs after the third restart.
        for customer_side, bot_side in sides:
            customer_side.say(LINES)
            bot_side.say(LINES)
            assert customer_side.acked[-1] == f"{customer_side.name} line {LINES}"
            assert bot_side.acked[-1] == f"{bot_side.name} line {LINES}"
        poll = requests.get(f"{session}/incomingRequests", headers=agent, timeout=TIMEOUT)
        assert poll.status_code == 200
    finally:
        for p in procs:
            if p.poll() is None:
                stop(p)
