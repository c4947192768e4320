"""Read a cProfile dump of the server (bench/profiled.py): where the time of a request goes.

    python -m bench.profile_report OUT.prof [--top 30] [--json FILE]

Prints, per request (requests = calls of pywsgi's `WSGIHandler.run_application`):
* own time (tottime) summed by layer: gevent/pywsgi, Werkzeug, Flask, JSON, the sandbox's
  wire/ and api/ code, the model, the live view, logging, locks, the rest;
* the inclusive time (cumtime) of the functions that matter (Flask's dispatch, our middleware,
  after_request hooks, respond, the bus, routing, the ticker, ...);
* the top functions by own time.
Times are wall time inside the profiler (inflated by its overhead, roughly alike for every
function): read them as shares; the benchmarks' own CPU accounting gives absolute numbers.
"""
import argparse
import json
import pstats
import sys

# (layer, predicate on the file name) in order: the first that matches wins.
LAYERS = [
    ("gevent/pywsgi (HTTP parsing, sockets, hub)", lambda f: "/gevent/" in f or "greenlet" in f),
    ("http.client/email header parsing", lambda f: "/http/client.py" in f or "/email/" in f),
    ("Werkzeug (request/response objects, routing)", lambda f: "/werkzeug/" in f),
    ("Flask (app, contexts, dispatch)", lambda f: "/flask/" in f and "flask_socketio" not in f),
    ("Socket.IO / Engine.IO libraries", lambda f: "socketio" in f or "engineio" in f),
    ("JSON (stdlib json)", lambda f: "/json/" in f),
    ("sandbox wire/ (negotiation, rendering)", lambda f: "/mock_server/wire/" in f),
    ("sandbox api/common.py (auth, respond)", lambda f: "/mock_server/api/common.py" in f),
    ("sandbox api/ views", lambda f: "/mock_server/api/" in f),
    ("sandbox model/", lambda f: "/mock_server/model/" in f),
    ("sandbox live view (realtime.py, control/)",
     lambda f: "/mock_server/realtime.py" in f or "/mock_server/control/" in f),
    ("sandbox pages.py (after_request headers)", lambda f: "/mock_server/pages.py" in f),
    ("sandbox other (server.py, app.py, ...)", lambda f: "/mock_server/" in f),
    ("logging", lambda f: "/logging/" in f),
    ("datetime/zoneinfo", lambda f: "datetime" in f or "zoneinfo" in f),
    ("threading (locks)", lambda f: "/threading.py" in f),
    ("Faker / personas", lambda f: "/faker/" in f),
]

# Functions whose inclusive time is reported: (label, file suffix, function name).
KEY_FUNCTIONS = [
    ("pywsgi handle_one_request (whole request, but split at switches)", "gevent/pywsgi.py",
     "handle_one_request"),
    ("pywsgi read_request (request line + headers)", "gevent/pywsgi.py", "read_request"),
    ("pywsgi run_application (the WSGI call + write)", "gevent/pywsgi.py", "run_application"),
    ("pywsgi write/_write_with_headers (send)", "gevent/pywsgi.py", "_write_with_headers"),
    ("LivePersonRequestMiddleware.__call__ (all of Flask below it)", "wire/negotiation.py",
     "__call__"),
    ("Flask.wsgi_app", "flask/app.py", "wsgi_app"),
    ("Flask.full_dispatch_request", "flask/app.py", "full_dispatch_request"),
    ("Flask.process_response (after_request hooks)", "flask/app.py", "process_response"),
    ("pages.security_headers (after_request)", "mock_server/pages.py", "security_headers"),
    ("Werkzeug MapAdapter.match (URL routing)", "werkzeug/routing/map.py", "match"),
    ("Flask request context push", "flask/ctx.py", "push"),
    ("Flask request context pop", "flask/ctx.py", "pop"),
    ("Werkzeug Response.__init__", "werkzeug/wrappers/response.py", "__init__"),
    ("api/common.respond", "mock_server/api/common.py", "respond"),
    ("json.dumps", "json/__init__.py", "dumps"),
    ("api/common.agent_auth wrapper", "mock_server/api/common.py", "wrapper"),
    ("model Logins.authenticate", "mock_server/model/auth.py", "authenticate"),
    ("wire events_json", "mock_server/wire/chat.py", "events_json"),
    ("wire iso_time", "mock_server/wire/formats.py", "iso_time"),
    ("model EventBus.publish", "mock_server/model/bus.py", "publish"),
    ("realtime forward (live view, per bus event)", "mock_server/realtime.py", "forward"),
    ("model Router.dispatch", "mock_server/model/routing.py", "dispatch"),
    ("model Router.free_slots", "mock_server/model/routing.py", "free_slots"),
    ("model Router.ringing_at", "mock_server/model/routing.py", "ringing_at"),
    ("model AgentSessions.for_user", "mock_server/model/agents.py", "for_user"),
    ("model Sandbox.chat_available", "mock_server/model/sandbox.py", "chat_available"),
    ("model Sandbox.request_chat", "mock_server/model/sandbox.py", "request_chat"),
    ("model make_persona", "mock_server/model/personas.py", "make_persona"),
    ("model Sandbox.tick (1 s ticker)", "mock_server/model/sandbox.py", "tick"),
    ("model expire_idle_chats", "mock_server/model/lifecycle.py", "expire_idle_chats"),
    ("model Router.expire_rings", "mock_server/model/routing.py", "expire_rings"),
    ("model Sandbox.end_chat", "mock_server/model/sandbox.py", "end_chat"),
    ("lock acquire/release (RLock __enter__)", "~", "<method '__enter__' of '_thread.RLock' objects>"),
]


def load(path: str) -> pstats.Stats:
    return pstats.Stats(path)


def report(path: str, top: int = 30) -> dict:
    st = load(path)
    stats = st.stats  # (file, line, func) -> (cc, nc, tt, ct, callers)
    requests = sum(nc for (f, _, fn), (cc, nc, tt, ct, _) in stats.items()
                   if f.endswith("gevent/pywsgi.py") and fn == "run_application")
    total_tt = sum(tt for (cc, nc, tt, ct, _) in stats.values())
    layers: dict[str, float] = {}
    for (f, _, fn), (cc, nc, tt, ct, _) in stats.items():
        name = next((label for label, pred in LAYERS if pred(f)), None)
        if name is None:
            name = "builtins (C functions)" if f == "~" else "other Python"
        layers[name] = layers.get(name, 0.0) + tt
    keys = []
    for label, suffix, fn in KEY_FUNCTIONS:
        tt = ct = 0.0
        calls = 0
        for (f, _, name), (cc, nc, t, c, _) in stats.items():
            if name == fn and (f.endswith(suffix) or (suffix == "~" and f == "~")):
                tt, ct, calls = tt + t, ct + c, calls + nc
        if calls:
            keys.append({"label": label, "calls": calls, "cum_s": ct, "own_s": tt})
    tops = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
    return {"file": path, "requests": requests, "total_own_s": total_tt,
            "layers": dict(sorted(layers.items(), key=lambda kv: -kv[1])), "key": keys,
            "top": [{"func": f"{f.rsplit('site-packages/', 1)[-1]}:{line}({fn})", "calls": nc,
                     "own_s": tt, "cum_s": ct} for (f, line, fn), (cc, nc, tt, ct, _) in tops]}


def print_report(r: dict) -> None:
    n = max(r["requests"], 1)
    total = r["total_own_s"] or 1.0
    print(f"{r['file']}: {r['requests']} requests, {total:.2f} s profiled, "
          f"{1e6 * total / n:.0f} us per request (in the profiler's timer, its overhead included: read shares)")
    print("\n| layer (own time) | share | us/request |\n|---|---:|---:|")
    for name, tt in r["layers"].items():
        print(f"| {name} | {100 * tt / total:.1f} % | {1e6 * tt / n:.1f} |")
    print("\n| function (inclusive time) | calls/request | share | us/request |\n|---|---:|---:|---:|")
    for k in r["key"]:
        print(f"| {k['label']} | {k['calls'] / n:.2f} | {100 * k['cum_s'] / total:.1f} % | "
              f"{1e6 * k['cum_s'] / n:.1f} |")
    print("\n| top by own time | calls | own share | own us/request | cum us/request |"
          "\n|---|---:|---:|---:|---:|")
    for t in r["top"]:
        print(f"| {t['func']} | {t['calls']} | {100 * t['own_s'] / total:.1f} % | "
              f"{1e6 * t['own_s'] / n:.1f} | {1e6 * t['cum_s'] / n:.1f} |")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("profile")
    p.add_argument("--top", type=int, default=30)
    p.add_argument("--json", help="also write the report as JSON to this file")
    args = p.parse_args(argv)
    r = report(args.profile, args.top)
    print_report(r)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
