"""N concurrent chats against a sandbox this script starts: latency of every request, errors.

    .venv/bin/python bench/concurrent_chats.py                   # 200 chats, the CLI's stack
    .venv/bin/python bench/concurrent_chats.py --chats 50 --lines 5
    .venv/bin/python bench/concurrent_chats.py --stack gevent-nodelay

The sandbox runs as a subprocess on a free port (`python -m mock_server --port 0 --config
bench/bench_config.yaml` on the default gevent stack; bench/serve.py for the others). This
process is the client: gevent greenlets (monkey-patched) on keep-alive connections (a minimal
HTTP/1.1 client, see Client), one connection per poller, so the client stays well below one core.

  bots       every bot user of the config logs in, starts an agent session, goes Online (POST +
             X-HTTP-Method-Override: PUT) and polls incomingRequests every `interval`, accepting
             each ringing chat (POST incomingRequests);
  bot side   of each accepted chat polls GET .../chat/{id}/events?from=N every `interval` and
             answers every visitor line at once;
  customer   requests a chat (POST chat/request, appKey header), polls GET .../events?from=N
             every `interval`; once the chat is accepted it says a line, waits for the bot's
             answer, says the next, ... `lines` times, then ends the chat.

Customers start spread over `ramp` seconds and every poller starts at a random phase of its
interval, as independent clients would (no synchronised bursts). Every request is timed
(p50/p95/p99/max, overall and per kind); an error is any non-2xx answer or exception. The run
stops by itself: when every chat is done or after `timeout` seconds.
Results go to stdout and bench/results/concurrent_chats-<time>.json.
"""
from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import socket  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import gevent  # noqa: E402
import yaml  # noqa: E402
from gevent.event import Event  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (BENCH, RESULTS, machine, percentile, process_cpu_seconds,  # noqa: E402
                           start_server, stop_servers_on_signals, system_busy_seconds,
                           wait_for_quiet)
from bench.serve import STACKS  # noqa: E402

GLOBAL_KEY = "721c180b09eb463d9f3191c41762bb68"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
CONSUMER_HEADERS = {**JSON_HEADERS, "Authorization": f"LivePerson appKey={GLOBAL_KEY}"}


class Failed(Exception):
    """A request that counted as an error (already recorded)."""


class Stats:
    """Latency of every request by kind, and every error."""

    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter = Counter()
        self.races: Counter = Counter()  # answers a client race explains (see Run.bot_session)
        self.error_samples: list[str] = []
        self.trace: list[tuple[float, str, float, str]] | None = None

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        self.latency[kind].append(seconds)
        if self.trace is not None:
            self.trace.append((time.perf_counter() - seconds, kind, seconds, error or ""))
        if error:
            self.errors[f"{kind}: {error}"] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{kind}: {error}")

    def summary(self, kinds=None) -> dict:
        values = sorted(x for k, v in self.latency.items() if kinds is None or k in kinds
                        for x in v)
        ms = lambda x: round(x * 1000, 2)  # noqa: E731
        return {"count": len(values), "p50_ms": ms(percentile(values, 50)),
                "p95_ms": ms(percentile(values, 95)), "p99_ms": ms(percentile(values, 99)),
                "max_ms": ms(values[-1] if values else 0)}


class Response:
    """What a call returns besides the parsed body: the status and the headers."""

    def __init__(self, status: int, headers: dict[str, str]):
        self.status = status
        self.headers = _Headers(headers)


class _Headers(dict):
    """Response headers by lower-case name; `headers["Location"]` works in any case."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


class BadResponse(Exception):
    """An answer this client does not read (no Content-Length, a broken status line)."""


class Client:
    """One keep-alive HTTP/1.1 connection; every call is timed and checked.

    A minimal HTTP/1.1 client on a (gevent) socket: it sends what http.client sends (request
    line, Host, Accept-Encoding: identity, the call's headers, Content-Length when there is
    a body) and reads `Content-Length`-framed answers, which is all the sandbox sends on these
    routes. http.client parses every response's headers with the e-mail parser: on ~1,000
    requests/s that made this client use ~half a core, competing with the server it measures
    on a 2-core machine (bench/README.md)."""

    def __init__(self, host: str, port: int, stats: Stats, timeout: float = 10.0):
        self.host, self.port, self.stats, self.timeout = host, port, stats, timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.host_header = f"{host}:{port}"

    def _connect(self) -> None:
        self.sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def _read_response(self) -> tuple[int, dict[str, str], bytes]:
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                break
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("the server closed the connection")
            self.buffer += chunk
        head = self.buffer[:end].decode("latin-1").split("\r\n")
        self.buffer = self.buffer[end + 4:]
        parts = head[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            raise BadResponse(f"status line {head[0][:80]!r}")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = headers.get("content-length")
        if length is None or not length.isdigit():
            raise BadResponse("an answer without Content-Length")
        length = int(length)
        while len(self.buffer) < length:
            chunk = self.sock.recv(max(65536, length - len(self.buffer)))
            if not chunk:
                raise ConnectionResetError("the server closed the connection")
            self.buffer += chunk
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return int(parts[1]), headers, body

    def call(self, kind: str, method: str, path: str, headers: dict, body=None,
             race: bytes | None = None):
        """One timed request; `race`: a 404 whose body holds these bytes is an expected race
        (counted in Stats.races, not an error) and is returned with a None body."""
        data = json.dumps(body).encode() if body is not None else None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host_header}",
                 "Accept-Encoding: identity", *(f"{k}: {v}" for k, v in headers.items())]
        if data is not None:
            lines.append(f"Content-Length: {len(data)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (data or b"")
        t0 = time.perf_counter()
        try:
            if self.sock is None:
                self._connect()
            self.sock.sendall(request)
            status, resp_headers, raw = self._read_response()
        except Exception as exc:  # noqa: BLE001 - every exception is an error of the run
            self.stats.record(kind, time.perf_counter() - t0, type(exc).__name__)
            self.close()
            raise Failed(kind) from exc
        elapsed = time.perf_counter() - t0
        if not 200 <= status < 300:
            if race is not None and status == 404 and race in raw:
                self.stats.record(kind, elapsed, None)
                self.stats.races[kind] += 1
                return Response(status, resp_headers), None
            self.stats.record(kind, elapsed, f"HTTP {status} {raw[:200]!r}")
            raise Failed(kind)
        self.stats.record(kind, elapsed, None)
        return Response(status, resp_headers), (json.loads(raw) if raw else None)

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buffer = b""


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def next_from(events: dict, current: int) -> int:
    for link in as_list(events.get("link")):
        if link.get("@rel") == "next" and "from=" in link.get("@href", ""):
            return int(link["@href"].rsplit("from=", 1)[1].split("&")[0])
    return current


class Ticker:
    """Every `interval` seconds from a random phase; falls back on schedule when late."""

    def __init__(self, interval: float):
        self.interval = interval
        self.next = time.monotonic() + random.uniform(0, interval)

    def wait(self) -> None:
        delay = self.next - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        self.next = max(self.next + self.interval, time.monotonic())


class Run:
    """One benchmark run: bots, chats, stats (bench/soak.py reuses its bots and customers)."""

    user_agent = "bench/concurrent_chats"  # of every chat request

    def __init__(self, args, base: str, account: str, skill: str, bots: list[tuple[str, str]],
                 server_pid: int | None = None):
        self.args = args
        self.server_pid = server_pid
        self.cpu_windows: list[tuple[float, float]] = []  # (server %, client %) per 1 s
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.account, self.skill, self.bots = account, skill, bots
        self.stats = Stats()
        self.stop = Event()
        self.customers_done = 0
        self.chats_ok = 0
        self.bot_answers = 0
        self.chat_seconds: list[float] = []
        self.accepted = 0
        self.greenlets: list[gevent.Greenlet] = []

    def client(self) -> Client:
        return Client(self.host, self.port, self.stats)

    # --- bot side ---------------------------------------------------------------------------

    def bot_login(self, login: str, password: str):
        c = self.client()
        _, body = c.call("setup.login", "POST", f"/api/account/{self.account}/login?v=1.3",
                         JSON_HEADERS, {"username": login, "password": password})
        headers = {**JSON_HEADERS, "Authorization": f"Bearer {body['bearer']}"}
        _, body = c.call("setup.agentSession", "POST",
                         f"/api/account/{self.account}/agentSession?v=1&NC=true", headers,
                         {"loginData": ""})
        session = path_of(body["agentSessionLocation"]["link"]["@href"])
        c.call("setup.availability", "POST", f"{session}/availability?v=1&NC=true",
               {**headers, "X-HTTP-Method-Override": "PUT"}, {"availability": {"chat": "Online"}})
        return c, headers, session

    def bot_session(self, c: Client, headers: dict, session: str) -> None:
        tick = Ticker(self.args.interval)
        while not self.stop.is_set():
            tick.wait()
            if self.stop.is_set():
                break
            try:
                _, body = c.call("agent.incomingRequests", "GET",
                                 f"{session}/incomingRequests?v=1&NC=true", headers)
                for _ in range(int(body["incomingRequests"]["ringingCount"])):
                    # The count is as of the GET; accepting 100 ringing chats one by one on a
                    # saturated server can outlast the 30 s ring timeout of the last ones,
                    # which then ring at another bot: "no incoming chat request to accept"
                    # (internal code 43) is then the server right, not an error.
                    resp, created = c.call("agent.accept", "POST",
                                           f"{session}/incomingRequests?v=1&NC=true", headers,
                                           {}, race=b'"internalCode":43')
                    if resp.status == 404:
                        break
                    self.accepted += 1
                    chat = path_of(created["chatLocation"]["link"]["@href"])
                    self.greenlets.append(gevent.spawn(self.bot_chat, headers, chat))
            except Failed:
                continue
        c.close()

    def bot_chat(self, headers: dict, chat: str) -> None:
        c, tick, start = self.client(), Ticker(self.args.interval), 0
        while not self.stop.is_set():
            tick.wait()
            try:
                _, body = c.call("agent.poll", "GET", f"{chat}/events?from={start}", headers)
                events = body["events"]
                start = next_from(events, start)
                ended = False
                for e in as_list(events.get("event")):
                    if e.get("@type") == "state" and e.get("state") == "ended":
                        ended = True
                    elif e.get("@type") == "line" and e.get("source") == "visitor":
                        c.call("agent.line", "POST", f"{chat}/events?v=1&NC=true", headers,
                               {"event": {"@type": "line", "textType": "plain",
                                          "text": f"Bot: you said '{e.get('text')}'"}})
                        self.bot_answers += 1
                if ended:
                    break
            except Failed:
                continue
        c.close()

    # --- customer side ----------------------------------------------------------------------

    def customer(self, i: int) -> None:
        gevent.sleep(i * self.args.ramp / max(self.args.chats, 1))
        t0 = time.monotonic()
        finished, replies = self.one_chat(i)
        self.customers_done += 1
        if finished and replies == self.args.lines:
            self.chats_ok += 1
            self.chat_seconds.append(time.monotonic() - t0)
        if self.customers_done == self.args.chats:
            # let the bot sides read the `ended` state, then stop everything
            gevent.spawn_later(self.args.interval * 1.5, self.stop.set)

    def one_chat(self, i: int, deadline: float = float("inf")) -> tuple[bool, int]:
        """One customer's chat on its own connection: request it (visitor `i`), poll, say
        `lines` lines one answer at a time, end it; (ended by the customer, bot answers).
        Past `deadline` (time.monotonic()) the customer gives up and ends the chat (bench/soak.py:
        a chat that never finishes would otherwise hold its slot for ever)."""
        c = self.client()
        chat = None
        while chat is None and not self.stop.is_set():
            try:
                resp, _ = c.call("consumer.request", "POST",
                                 f"/api/account/{self.account}/chat/request?v=1&NC=true",
                                 CONSUMER_HEADERS,
                                 {"request": {"skill": self.skill, "visitorId": str(10**15 + i),
                                              "userAgent": self.user_agent}})
                chat = path_of(resp.headers["Location"])
            except Failed:
                gevent.sleep(self.args.interval)
        tick, start = Ticker(self.args.interval), 0
        accepted = awaiting = finished = False
        sent = replies = 0
        while chat and not finished and not self.stop.is_set() and time.monotonic() < deadline:
            tick.wait()
            try:
                _, body = c.call("consumer.poll", "GET", f"{chat}/events?from={start}",
                                 CONSUMER_HEADERS)
                events = body["events"]
                start = next_from(events, start)
                for e in as_list(events.get("event")):
                    if e.get("@type") == "state" and e.get("state") == "chatting":
                        accepted = True
                    elif e.get("@type") == "line" and e.get("source") == "agent" and awaiting:
                        awaiting, replies = False, replies + 1
                if not accepted or awaiting:
                    continue
                if sent < self.args.lines:
                    c.call("consumer.line", "POST", f"{chat}/events?v=1&NC=true",
                           CONSUMER_HEADERS,
                           {"event": {"@type": "line", "text": f"customer {i} line {sent + 1}"}})
                    sent, awaiting = sent + 1, True
                else:
                    c.call("consumer.end", "POST", f"{chat}/events?v=1&NC=true",
                           CONSUMER_HEADERS, {"event": {"@type": "state", "state": "ended"}})
                    finished = True
            except Failed:
                continue
        if chat and not finished and not self.stop.is_set() and time.monotonic() >= deadline:
            try:
                c.call("consumer.end", "POST", f"{chat}/events?v=1&NC=true",
                       CONSUMER_HEADERS, {"event": {"@type": "state", "state": "ended"}})
            except Failed:
                pass
        c.close()
        return finished, replies

    # --- the run ----------------------------------------------------------------------------

    def sample_cpu(self) -> None:
        """Every second: how much of a core the server and this client used in that second
        (the whole run's average hides the peaks of the exchange)."""
        last = (time.monotonic(), process_cpu_seconds(self.server_pid), time.process_time())
        while not self.stop.is_set():
            gevent.sleep(1.0)
            now = (time.monotonic(), process_cpu_seconds(self.server_pid), time.process_time())
            dt = now[0] - last[0]
            if dt > 0:
                self.cpu_windows.append((100 * (now[1] - last[1]) / dt,
                                         100 * (now[2] - last[2]) / dt))
            last = now

    def start_bots(self) -> None:
        """Log every bot in (all at once), then start its incomingRequests loop."""
        logins = [gevent.spawn(self.bot_login, u, p) for u, p in self.bots]
        gevent.joinall(logins, timeout=30, raise_error=True)
        for g in logins:
            self.greenlets.append(gevent.spawn(self.bot_session, *g.value))

    def shutdown(self) -> None:
        """Stop every poller of the run (bots, bot sides, customers)."""
        self.stop.set()
        gevent.sleep(0.1)
        gevent.killall(self.greenlets, timeout=5)

    def execute(self) -> dict:
        if self.server_pid:
            self.greenlets.append(gevent.spawn(self.sample_cpu))
        self.start_bots()
        t0 = time.monotonic()
        customers = [gevent.spawn(self.customer, i) for i in range(self.args.chats)]
        self.greenlets.extend(customers)
        finished = self.stop.wait(self.args.timeout)
        elapsed = time.monotonic() - t0
        self.shutdown()
        return {"elapsed_s": round(elapsed, 2), "finished_in_time": bool(finished)}


def bots_of(config_path: Path) -> tuple[str, str, list[tuple[str, str]], int]:
    """(account, skill name, [(login, password)], total maxChats) of the config's first account
    that has bot users with passwords."""
    accounts = accounts_with_bots(config_path)
    if not accounts:
        raise SystemExit(f"{config_path}: no account with bot users that log in by password")
    return accounts[0]


def accounts_with_bots(config_path: Path) -> list[tuple[str, str, list[tuple[str, str]], int]]:
    """`bots_of` for every account of the config that has bot users with passwords."""
    config = yaml.safe_load(config_path.read_text())
    out = []
    for account in config["accounts"]:
        bots = [u for u in account.get("users", []) if u.get("userType") == "bot"
                and u.get("password")]
        if bots:
            skill = bots[0]["skills"][0]
            capacity = sum(10**9 if int(u.get("maxChats", -1)) < 0 else int(u["maxChats"])
                           for u in bots if skill in u.get("skills", []))
            bots = [(u["loginName"], u["password"]) for u in bots if skill in u.get("skills", [])]
            out.append((str(account["id"]), skill, bots, capacity))
    return out


def warm_up(base: str, account: str, skill: str) -> None:
    """One chat requested and ended at once, untimed: pays the server's first-use costs."""
    parts = urlsplit(base)
    c = Client(parts.hostname, parts.port, Stats())
    resp, _ = c.call("warmup", "POST", f"/api/account/{account}/chat/request?v=1&NC=true",
                     CONSUMER_HEADERS, {"request": {"skill": skill}})
    chat = path_of(resp.headers["Location"])
    c.call("warmup", "GET", f"{chat}/events?from=0", CONSUMER_HEADERS)
    c.call("warmup", "POST", f"{chat}/events?v=1&NC=true", CONSUMER_HEADERS,
           {"event": {"@type": "state", "state": "ended"}})
    c.close()


# --- the same load over several accounts: on one process, or on one shard each ------------------

def csds_base(base: str, account: str) -> str:
    """`scheme://host:port` serving the account, as the Domain API at `base` names it (the
    one process itself, or the shard that owns the account): the bench follows CSDS too."""
    parts = urlsplit(base)
    c = Client(parts.hostname, parts.port, Stats())
    _, body = c.call("setup.csds", "GET",
                     f"/api/account/{account}/service/agentVep/baseURI.json?version=1.0", JSON_HEADERS)
    c.close()
    return f"{parts.scheme}://{body['baseURI']}"


def process_tree(root_pid: int) -> list[int]:
    """The process and its live descendants (the launcher, its shards and its Redis)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            parents[int(entry)] = int(stat[stat.rfind(")") + 2:].split()[1])
    out, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(p for p, pp in parents.items() if pp == pid)
    return out


def split_run(args, targets: list, shards: int) -> dict:
    """The chats of `args` split evenly over `targets` (account, skill, bots, capacity), run at
    once: on one process (`shards` 0) or on `shards` shard processes (python -m mock_server
    --shards N); the numbers of the whole run, and the CPU of its busiest server process."""
    busy_before = wait_for_quiet(max_wait=args.quiet_wait)
    server = start_server("sandbox", "gevent", config=args.config, tag=f"shards{shards}",
                          extra_args=("--shards", str(shards)) if shards else ())
    try:
        runs = []
        for i, (account, skill, bots, _) in enumerate(targets):
            base = csds_base(server.url, account)
            if args.warmup:
                warm_up(base, account, skill)
            share = argparse.Namespace(**vars(args))
            share.chats = args.chats // len(targets) + (1 if i < args.chats % len(targets) else 0)
            runs.append(Run(share, base, account, skill, bots))
        pids = process_tree(server.pid)
        cpu0 = {pid: process_cpu_seconds(pid) for pid in pids}
        client0, busy0, wall0 = time.process_time(), system_busy_seconds(), time.monotonic()
        outcomes = [g.get() for g in gevent.joinall([gevent.spawn(r.execute) for r in runs],
                                                    raise_error=True)]
        wall = time.monotonic() - wall0
        cpu = {pid: process_cpu_seconds(pid) - cpu0[pid] for pid in pids}
        cpu_client, busy = time.process_time() - client0, system_busy_seconds() - busy0
    finally:
        server.stop()
    stats = Stats()
    for run in runs:
        for kind, values in run.stats.latency.items():
            stats.latency[kind].extend(values)
        stats.errors.update(run.stats.errors)
        stats.races.update(run.stats.races)
        stats.error_samples.extend(run.stats.error_samples[:5])
    elapsed = max(o["elapsed_s"] for o in outcomes)
    requests = sum(len(v) for v in stats.latency.values())
    chat_seconds = sorted(x for run in runs for x in run.chat_seconds)
    server_cpu = sum(cpu.values())
    return {
        "shards": shards, "accounts": [t[0] for t in targets], "url": server.url,
        "elapsed_s": elapsed, "finished_in_time": all(o["finished_in_time"] for o in outcomes),
        "chats_completed": sum(r.chats_ok for r in runs), "bot_answers": sum(r.bot_answers for r in runs),
        "requests": requests, "requests_per_s": round(requests / elapsed, 1),
        "chats_per_s": round(sum(r.chats_ok for r in runs) / elapsed, 2),
        "errors": sum(stats.errors.values()), "error_kinds": dict(stats.errors),
        "races": dict(stats.races), "error_samples": stats.error_samples,
        "latency_all": stats.summary(),
        "latency_by_kind": {k: stats.summary([k]) for k in sorted(stats.latency)},
        "chat_duration_s": {"p50": round(percentile(chat_seconds, 50), 2),
                            "max": round(chat_seconds[-1] if chat_seconds else 0, 2)},
        "server_cpu_pct": round(100 * server_cpu / wall, 1),
        "busiest_process_cpu_pct": round(100 * max(cpu.values()) / wall, 1),
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(requests, 1), 3),
        "client_cpu_pct": round(100 * cpu_client / wall, 1),
        "other_cpu_pct": round(100 * max(busy - server_cpu - cpu_client, 0) / wall, 1),
        "other_cpu_pct_before": round(busy_before, 1),
    }


def compare_shards(args) -> int:
    """`--shards N`: the same load (same chats, same N accounts) on one process, then on N
    shards, side by side; 0 when both runs completed every chat without an error."""
    targets = accounts_with_bots(Path(args.config))[:args.shards]
    if len(targets) < args.shards:
        raise SystemExit(f"{args.config}: --shards {args.shards} needs {args.shards} accounts with bots")
    info = machine()
    print(f"{args.chats} chats x {args.lines} lines over accounts {', '.join(t[0] for t in targets)}, "
          f"poll every {args.interval:g} s: one process, then {args.shards} shards; "
          f"{info['nproc']} CPUs, code {info['code']}", flush=True)
    results = []
    for shards in (0, args.shards):
        for attempt in range(1, 4):  # as main(): a run other processes crowded is done again
            random.seed(args.seed)
            r = split_run(args, targets, shards)
            print(f"  {'one process' if not shards else f'{shards} shards'}: {r['chats_completed']}/"
                  f"{args.chats} chats in {r['elapsed_s']} s, {r['errors']} errors, p99 "
                  f"{r['latency_all']['p99_ms']} ms, other processes {r['other_cpu_pct']}% of a CPU",
                  flush=True)
            if r["other_cpu_pct"] <= args.max_other:
                break
            if attempt < 3:
                print("  other processes used more than --max-other: again", flush=True)
        results.append(r)
    one, many = results
    rows = [("chats completed", lambda r: f"{r['chats_completed']}/{args.chats}"),
            ("errors", lambda r: r["errors"]),
            ("run time s", lambda r: r["elapsed_s"]),
            ("throughput req/s", lambda r: r["requests_per_s"]),
            ("throughput chats/s", lambda r: r["chats_per_s"]),
            ("p50 ms", lambda r: r["latency_all"]["p50_ms"]),
            ("p99 ms", lambda r: r["latency_all"]["p99_ms"]),
            ("max ms", lambda r: r["latency_all"]["max_ms"]),
            ("chat duration p50 s", lambda r: r["chat_duration_s"]["p50"]),
            ("server CPU, % of one core (all processes)", lambda r: r["server_cpu_pct"]),
            ("busiest server process, % of one core", lambda r: r["busiest_process_cpu_pct"]),
            ("client CPU %", lambda r: r["client_cpu_pct"]),
            ("other processes' CPU %", lambda r: r["other_cpu_pct"])]
    print(f"| | one process | {args.shards} shards |\n|---|---:|---:|")
    for name, value in rows:
        print(f"| {name} | {value(one)} | {value(many)} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"concurrent_chats-shards{args.shards}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": info, "args": vars(args), "one_process": one,
                                "shards": many}, indent=2))
    print(f"results: {path}")
    return 0 if all(r["errors"] == 0 and r["chats_completed"] == args.chats for r in results) else 1


def one_run(args, account: str, skill: str, bots: list, run_no: int = 1) -> dict:
    """Start the sandbox, run the chats, stop it; the run's numbers."""
    busy_before = wait_for_quiet(max_wait=args.quiet_wait)
    cprofile = None
    if args.cprofile:
        stem = Path(args.cprofile)
        cprofile = str(stem if args.runs == 1 else stem.with_name(f"{stem.stem}-{run_no}{stem.suffix}"))
    diagnose = None
    if args.diagnose:
        stem = Path(args.diagnose)
        diagnose = str(stem if args.runs == 1 else stem.with_name(f"{stem.stem}-{run_no}{stem.suffix}"))
    server = start_server("sandbox", args.stack, config=args.config,
                          cpu=0 if args.pin else None, tag="chats", cprofile=cprofile,
                          cprofile_timer=args.cprofile_timer, diagnose=diagnose)
    profiler = None
    try:
        if args.warmup:
            warm_up(server.url, account, skill)
        server.reset_profile()  # under --cprofile: the warm-up is not in the profile
        run = Run(args, server.url, account, skill, bots, server.pid)
        if args.trace:
            run.stats.trace = []
        cpu_server0, cpu_client0 = server.cpu_seconds(), time.process_time()
        split0 = server.cpu_split()
        busy0, wall0 = system_busy_seconds(), time.monotonic()
        if args.profile:
            profiler = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "-o", args.profile,
                 "--pid", str(server.pid), "--rate", "200", "--nonblocking", "--format",
                 {".txt": "raw", ".json": "speedscope"}.get(Path(args.profile).suffix,
                                                            "flamegraph")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        outcome = run.execute()
        wall = time.monotonic() - wall0
        cpu_server = server.cpu_seconds() - cpu_server0
        split1 = server.cpu_split()
        cpu_server_user, cpu_server_sys = split1[0] - split0[0], split1[1] - split0[1]
        cpu_client = time.process_time() - cpu_client0
        busy = system_busy_seconds() - busy0
    finally:
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(30)
        server.stop()

    st = run.stats
    total_requests = sum(len(v) for v in st.latency.values())
    errors = sum(st.errors.values())
    chat_kinds = [k for k in st.latency if not k.startswith("setup.")]
    if args.trace:
        t_first = min(t for t, _, _, _ in st.trace)
        with open(args.trace, "w") as f:
            f.write("start_s,kind,latency_ms,error\n")
            for t, kind, seconds, error in sorted(st.trace):
                f.write(f"{t - t_first:.4f},{kind},{seconds * 1000:.2f},{error[:60]!r}\n")
    result = {
        **outcome,
        "chats_completed": run.chats_ok,
        "chats_accepted": run.accepted,
        "bot_answers": run.bot_answers,
        "requests": total_requests,
        "requests_per_s": round(total_requests / outcome["elapsed_s"], 1),
        "errors": errors,
        "error_kinds": dict(st.errors),
        "races": dict(st.races),
        "error_samples": st.error_samples,
        "latency_all": st.summary(),
        "latency_chat_phase": st.summary(chat_kinds),
        "latency_by_kind": {k: st.summary([k]) for k in sorted(st.latency)},
        "chat_duration_s": {"p50": round(percentile(sorted(run.chat_seconds), 50), 2),
                            "max": round(max(run.chat_seconds, default=0), 2)},
        "server_cpu_pct": round(100 * cpu_server / wall, 1),
        "server_cpu_ms_per_request": round(1000 * cpu_server / max(total_requests, 1), 3),
        "server_cpu_user_pct": round(100 * cpu_server_user / wall, 1),
        "server_cpu_pct_per_second": _spread([w[0] for w in run.cpu_windows]),
        "client_cpu_pct_per_second": _spread([w[1] for w in run.cpu_windows]),
        "server_cpu_system_pct": round(100 * cpu_server_sys / wall, 1),
        "client_cpu_pct": round(100 * cpu_client / wall, 1),
        "other_cpu_pct": round(100 * max(busy - cpu_server - cpu_client, 0) / wall, 1),
        "other_cpu_pct_before": round(busy_before, 1),
    }
    result["met"] = (errors == 0 and run.chats_ok == args.chats
                     and result["latency_all"]["p99_ms"] < 100)
    return result


def _spread(values: list[float]) -> dict:
    """p50 / p90 / max of per-second CPU percentages."""
    values = sorted(values)
    return {"p50": round(percentile(values, 50), 1), "p90": round(percentile(values, 90), 1),
            "max": round(values[-1], 1) if values else 0.0}


def report(args, i: int, r: dict) -> None:
    la = r["latency_all"]
    print(f"run {i}: completed {r['chats_completed']}/{args.chats} chats in {r['elapsed_s']} s "
          f"(finished in time: {r['finished_in_time']}); bot answers {r['bot_answers']}")
    races = sum(r["races"].values())
    print(f"  requests {r['requests']} ({r['requests_per_s']}/s), errors {r['errors']}"
          + (f", accept races (chat rang out before the bot took it) {races}" if races else ""))
    print(f"  latency all requests: p50 {la['p50_ms']} ms, p95 {la['p95_ms']} ms, "
          f"p99 {la['p99_ms']} ms, max {la['max_ms']} ms")
    print(f"  CPU: server {r['server_cpu_pct']}% of one core (user {r['server_cpu_user_pct']}%, "
          f"system {r['server_cpu_system_pct']}%; {r['server_cpu_ms_per_request']} ms per "
          f"request), client {r['client_cpu_pct']}%, "
          f"other processes {r['other_cpu_pct']}%")
    sp, cp = r["server_cpu_pct_per_second"], r["client_cpu_pct_per_second"]
    print(f"  CPU per second of the run: server p50 {sp['p50']}% / p90 {sp['p90']}% / max "
          f"{sp['max']}%, client p50 {cp['p50']}% / p90 {cp['p90']}% / max {cp['max']}%")
    print_kinds(r, "  ")
    print(f"  targets (all chats done, no errors, p99 < 100 ms): "
          f"{'MET' if r['met'] else 'MISSED'}", flush=True)


def print_kinds(r: dict, indent: str = "") -> None:
    """A result's latency per request kind (a Markdown table) and its first error samples."""
    print(f"{indent}| kind | count | p50 ms | p95 ms | p99 ms | max ms |")
    print(f"{indent}|---|---:|---:|---:|---:|---:|")
    for kind, s in r["latency_by_kind"].items():
        print(f"{indent}| {kind} | {s['count']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
              f"{s['max_ms']} |")
    for sample in r["error_samples"][:5]:
        print(f"{indent}error: {sample}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--chats", type=int, default=200, help="concurrent chats (default 200)")
    p.add_argument("--lines", type=int, default=10, help="lines the customer says (default 10)")
    p.add_argument("--interval", type=float, default=1.0, help="poll interval, s (default 1)")
    p.add_argument("--ramp", type=float, default=2.0,
                   help="customers start spread over this many seconds (default 2)")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="stop a run after this many seconds, done or not (default 120)")
    p.add_argument("--runs", type=int, default=1,
                   help="repeat the whole run (fresh server each time) and report each")
    p.add_argument("--warmup", action="store_true",
                   help="before measuring, request and end one chat untimed (pays first-use "
                        "costs such as building the persona generator)")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="before each run wait up to this many seconds for other processes to "
                        "use < 25%% of a CPU (default 60)")
    p.add_argument("--max-other", type=float, default=20.0,
                   help="redo a run (up to 3 tries) when other processes used more than this "
                        "%% of a CPU during it (the machine may be shared); default 20")
    p.add_argument("--config", default=str(BENCH / "bench_config.yaml"))
    p.add_argument("--stack", default="gevent", choices=STACKS,
                   help="gevent = the real CLI, python -m mock_server (default)")
    p.add_argument("--pin", action="store_true",
                   help="server on CPU 0, this client on CPU 1 (default: not pinned)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the pollers' phases")
    p.add_argument("--trace", metavar="CSV",
                   help="also write every request (start s, kind, latency ms, error) to CSV")
    p.add_argument("--profile", metavar="FILE",
                   help="record the server with py-spy during the run into FILE: .svg flame "
                        "graph, .txt collapsed stacks, .json speedscope")
    p.add_argument("--cprofile", metavar="FILE.prof",
                   help="run the server under cProfile (bench/profiled.py, greenlet-aware) and "
                        "write its stats to FILE.prof (FILE-<run>.prof with --runs > 1); read "
                        "it with python -m bench.profile_report FILE.prof. The profiler slows "
                        "the server: latencies of such a run are not comparable")
    p.add_argument("--cprofile-timer", choices=("cpu", "wall"), default="cpu",
                   help="cpu (default): thread CPU time, immune to other processes but ~5x "
                        "slower; wall: less overhead, counts time the server was descheduled")
    p.add_argument("--diagnose", metavar="FILE.json",
                   help="run the server under bench/diagnosed.py (GC pauses, tick times, CPU per "
                        "request kind, event-loop lag; a few µs per request) and write them to "
                        "FILE.json (FILE-<run>.json with --runs > 1)")
    p.add_argument("--shards", type=int, metavar="N",
                   help="compare, in one run: the same chats split over the config's first N "
                        "accounts, on one process and on N shards (python -m mock_server "
                        "--shards N; the accounts must hash onto different shards)")
    args = p.parse_args(argv)
    if args.shards:
        stop_servers_on_signals()
        return compare_shards(args)
    account, skill, bots, capacity = bots_of(Path(args.config))
    if args.chats > capacity:
        raise SystemExit(f"{args.chats} chats exceed the bots' capacity ({capacity} maxChats)")
    if args.pin:
        os.sched_setaffinity(0, {1})
    stop_servers_on_signals()

    info = machine()
    print(f"stack {args.stack}: {args.chats} chats x {args.lines} lines, poll every "
          f"{args.interval:g} s, warm-up {'on' if args.warmup else 'off'}, {info['nproc']} CPUs, "
          f"python {info['python']}, code {info['code']}", flush=True)
    runs = []
    for i in range(1, args.runs + 1):
        for attempt in range(1, 4):
            random.seed(args.seed + i - 1)
            result = one_run(args, account, skill, bots, i)
            report(args, i, result)
            if result["other_cpu_pct"] <= args.max_other:
                break
            print(f"  other processes used {result['other_cpu_pct']}% of a CPU during the run"
                  f"{': again' if attempt < 3 else ''}", flush=True)
        runs.append(result)
    if len(runs) > 1:
        p99s = [r["latency_all"]["p99_ms"] for r in runs]
        print(f"p99 of each run: {p99s} ms; median {statistics.median(p99s)} ms; errors "
              f"{[r['errors'] for r in runs]}; targets met in {sum(r['met'] for r in runs)}"
              f"/{len(runs)} runs")
    RESULTS.mkdir(parents=True, exist_ok=True)
    tag = f"{args.stack}{'-warm' if args.warmup else ''}"
    path = RESULTS / f"concurrent_chats-{tag}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": info, "args": vars(args), "runs": runs}, indent=2))
    print(f"results: {path}")
    return 0 if all(r["met"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
