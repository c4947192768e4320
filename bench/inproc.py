"""CPU per request of the sandbox's WSGI app alone, in this process (no sockets, no server).

    .venv/bin/python -m bench.inproc [--chats 200] [--n 3000] [--repeat 5]

Opens `--chats` chats on bench/bench_config.yaml the documented way (through the app), then
times `--n` calls of each hot request kind (consumer and agent events polls, both line POSTs)
straight through `app(environ, start_response)`, `--repeat` times, and prints the best µs per
call (thread CPU time: on a shared machine the best of several repeats is the steadiest).
The server around the app (pywsgi: HTTP parsing, sockets, the hub) is not in these numbers.
"""
import argparse
import gc
import io
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_server.app import create_app  # noqa: E402
from mock_server.model.seed import load_config  # noqa: E402

BENCH = Path(__file__).resolve().parent
KEY = "721c180b09eb463d9f3191c41762bb68"


def environ(method: str, path: str, headers: dict, body: bytes | None = None) -> dict:
    """A WSGI environ as gevent's pywsgi builds it for a keep-alive request."""
    path, _, query = path.partition("?")
    env = {"REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
           "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "GATEWAY_INTERFACE": "CGI/1.1",
           "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
           "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
           "wsgi.input": io.BytesIO(body or b""), "wsgi.input_terminated": True,
           "HTTP_HOST": "127.0.0.1:8080", "HTTP_ACCEPT_ENCODING": "identity"}
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            env[key] = value
        else:
            env["HTTP_" + key] = value
    if body is not None:
        env["CONTENT_LENGTH"] = str(len(body))
    return env


class App:
    """The app and a way to call it."""

    def __init__(self, data_dir: str | None = None):
        self.app = create_app(load_config(str(BENCH / "bench_config.yaml")), data_dir=data_dir)

    def call(self, method, path, headers, body=None):
        data = json.dumps(body).encode() if body is not None else None
        out = {}

        def start_response(status, response_headers, exc_info=None):
            out["status"], out["headers"] = status, dict(response_headers)

        chunks = self.app(environ(method, path, headers, data), start_response)
        raw = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        if not out["status"].startswith("2"):
            raise RuntimeError(f"{method} {path}: {out['status']} {raw[:200]!r}")
        return out["headers"], (json.loads(raw) if raw else None)


def request_kinds(chats: int, data_dir: str | None = None) -> dict:
    """A fresh app with `chats` open chats: {kind: a function making one such request}."""
    a = App(data_dir)
    acct = "70000001"
    json_h = {"Content-Type": "application/json", "Accept": "application/json"}
    cons_h = {**json_h, "Authorization": f"LivePerson appKey={KEY}"}
    _, body = a.call("POST", f"/api/account/{acct}/login?v=1.3", json_h,
                     {"username": "bench-bot-01", "password": "bench-bot-pass"})
    agent_h = {**json_h, "Authorization": f"Bearer {body['bearer']}"}
    hdr, body = a.call("POST", f"/api/account/{acct}/agentSession?v=1&NC=true", agent_h, {"loginData": ""})
    session = body["agentSessionLocation"]["link"]["@href"].split("8080", 1)[1]
    a.call("POST", f"{session}/availability?v=1&NC=true", {**agent_h, "X-HTTP-Method-Override": "PUT"},
           {"availability": {"chat": "Online"}})
    opened = []
    for i in range(chats):
        hdr, _ = a.call("POST", f"/api/account/{acct}/chat/request?v=1&NC=true", cons_h,
                        {"request": {"skill": "bench-bot", "visitorId": str(10**15 + i)}})
        consumer = hdr["Location"].split("8080", 1)[1]
        _, created = a.call("POST", f"{session}/incomingRequests?v=1&NC=true", agent_h, {})
        agent = created["chatLocation"]["link"]["@href"].split("8080", 1)[1]
        opened.append((consumer, agent))
    consumer, agent = opened[len(opened) // 2]
    kinds = {
        "consumer.poll": lambda: a.call("GET", f"{consumer}/events?from=100000", cons_h),
        "agent.poll": lambda: a.call("GET", f"{agent}/events?from=100000", agent_h),
        "consumer.line": lambda: a.call("POST", f"{consumer}/events?v=1&NC=true", cons_h,
                                        {"event": {"@type": "line", "text": "customer line"}}),
        "agent.line": lambda: a.call("POST", f"{agent}/events?v=1&NC=true", agent_h,
                                     {"event": {"@type": "line", "textType": "plain", "text": "Bot: ok"}}),
    }
    return kinds


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--chats", type=int, default=90, help="open chats (one bot: at most 100)")
    p.add_argument("--n", type=int, default=3000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--no-gc", action="store_true", help="gc.disable() while timing")
    p.add_argument("--data-dir", metavar="DIR",
                   help="also time an app keeping its state in DIR (--data-dir), beside the "
                        "in-memory one (the reference)")
    args = p.parse_args(argv)
    apps = {"memory": request_kinds(args.chats)}
    if args.data_dir:
        apps["data dir"] = request_kinds(args.chats, args.data_dir)
    gc.collect()
    if args.no_gc:
        gc.disable()
    print(f"{args.chats} open chats; best of {args.repeat} x {args.n} calls, µs of CPU per call")
    print(f"  {'':14}" + "".join(f"{name:>10}" for name in apps))
    for kind in apps["memory"]:
        row = []
        for kinds in apps.values():
            best = float("inf")
            for _ in range(args.repeat):
                t = time.thread_time()
                for _ in range(args.n):
                    kinds[kind]()
                best = min(best, (time.thread_time() - t) / args.n)
            row.append(best)
        print(f"  {kind:14}" + "".join(f"{v * 1e6:10.1f}" for v in row))


if __name__ == "__main__":
    main()
