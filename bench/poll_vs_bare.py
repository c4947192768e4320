"""Requests/s of the Chat Agent events poll vs. a bare Flask JSON route, on the same WSGI stack.

    .venv/bin/python bench/poll_vs_bare.py                      # gevent pywsgi (the CLI's stack)
    .venv/bin/python bench/poll_vs_bare.py --stack all          # every stack in bench/serve.py
    .venv/bin/python bench/poll_vs_bare.py --stack gevent,werkzeug --duration 5 --rounds 2

For each stack: start the sandbox (the real `python -m mock_server` on the gevent stack,
bench/serve.py otherwise) and the bare app of bench/bare_app.py on the same stack; open one
chat the documented way (bot login -> agentSession -> Online -> consumer chat/request ->
accept -> a few lines); then load both alternately with wrk (keep-alive, bearer via -H):
    GET /api/account/12345678/agentSession/{id}/chat/{chatId}/events?from=N   (N = next: empty poll)
    GET /bare
`rounds` times each, after a warm-up, and report the median requests/s of each and their ratio
(target >= 0.7). With --pin (default on a machine with 2+ CPUs) the servers run on CPU 0 and
the load generator on CPU 1, so the two never share a core. Without wrk (or with
--client python) a multi-process Python keep-alive client is used instead.
Results go to stdout (a Markdown table) and bench/results/poll_vs_bare-<time>.json.
"""
import argparse
import json
import multiprocessing
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from bench.harness import (BENCH, RESULTS, cli_matches_gevent_stack, machine,  # noqa: E402
                           start_server, stop_servers_on_signals, system_busy_seconds,
                           wait_for_quiet)
from bench.serve import STACKS  # noqa: E402

ACCOUNT = "12345678"
GLOBAL_KEY = "721c180b09eb463d9f3191c41762bb68"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


# --- the chat to poll --------------------------------------------------------------------------

def open_chat(base: str, from_zero: bool) -> tuple[str, str]:
    """Open one chat between demo-bot and a consumer; return (poll URL, bearer)."""
    s = requests.Session()
    r = s.post(f"{base}/api/account/{ACCOUNT}/login?v=1.3", headers=JSON_HEADERS,
               json={"username": "demo-bot", "password": "demo-bot-pass"})
    r.raise_for_status()
    bearer = r.json()["bearer"]
    agent = {**JSON_HEADERS, "Authorization": f"Bearer {bearer}"}
    r = s.post(f"{base}/api/account/{ACCOUNT}/agentSession?v=1&NC=true", headers=agent,
               json={"loginData": ""})
    r.raise_for_status()
    session_url = r.json()["agentSessionLocation"]["link"]["@href"]
    r = s.post(f"{session_url}/availability?v=1&NC=true",
               headers={**agent, "X-HTTP-Method-Override": "PUT"},
               json={"availability": {"chat": "Online"}})
    r.raise_for_status()
    consumer = {**JSON_HEADERS, "Authorization": f"LivePerson appKey={GLOBAL_KEY}"}
    r = s.post(f"{base}/api/account/{ACCOUNT}/chat/request?v=1&NC=true", headers=consumer,
               json={"request": {"skill": "support-bot", "interactionTimeout": 3600}})
    r.raise_for_status()
    chat_uri = r.headers["Location"]
    r = s.post(f"{session_url}/incomingRequests?v=1&NC=true", headers=agent, json={})
    assert r.status_code == 201, r.text
    agent_chat = r.json()["chatLocation"]["link"]["@href"]
    for text in ("Hello, I need help with my order", "It is order 1234"):
        r = s.post(f"{chat_uri}/events?v=1&NC=true", headers=consumer,
                   json={"event": {"@type": "line", "text": text}})
        assert r.status_code == 201, r.text
    r = s.post(f"{agent_chat}/events?v=1&NC=true", headers=agent,
               json={"event": {"@type": "line", "text": "Let me look that up.",
                               "textType": "plain"}})
    assert r.status_code == 201, r.text
    r = s.get(f"{agent_chat}/events?from=0", headers=agent)
    r.raise_for_status()
    nxt = next(link["@href"] for link in r.json()["events"]["link"] if link["@rel"] == "next")
    start = 0 if from_zero else int(nxt.rsplit("from=", 1)[1])
    poll_url = f"{agent_chat}/events?from={start}"
    r = s.get(poll_url, headers=agent)
    assert r.status_code == 200, r.text
    assert ("event" in r.json()["events"]) == from_zero, r.text
    events = r.json()["events"].get("event")
    count = len(events) if isinstance(events, list) else int(events is not None)
    return poll_url, bearer, count


# --- load generators ---------------------------------------------------------------------------

def run_wrk(url: str, headers: dict, args, duration: float) -> dict:
    cmd = ["wrk", "-t", str(args.threads), "-c", str(args.connections),
           "-d", f"{max(1, round(duration))}s", "--latency", "-s", str(BENCH / "wrk_report.lua")]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(url)
    if args.pin:
        cmd = ["taskset", "-c", "1", *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    data = json.loads(line[len("WRK_JSON "):])
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["error_count"] = sum(data["errors"].values())
    return data


def _py_worker(url: str, headers: dict, duration: float, queue) -> None:
    import http.client
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    count = errors = 0
    lat = []
    end = time.perf_counter() + duration
    while True:
        t0 = time.perf_counter()
        if t0 >= end:
            break
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            if not 200 <= resp.status < 300:
                errors += 1
        except Exception:
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        count += 1
        lat.append(time.perf_counter() - t0)
    queue.put((count, errors, lat))


def run_python_client(url: str, headers: dict, args, duration: float) -> dict:
    """Fallback load generator: `connections` processes, one keep-alive connection each."""
    if args.pin:
        os.sched_setaffinity(0, {1})
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_py_worker, args=(url, headers, duration, queue))
             for _ in range(args.connections)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get(timeout=duration + 60) for _ in procs]
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    if args.pin:
        os.sched_setaffinity(0, set(range(os.cpu_count())))
    lat = sorted(x for _, _, ls in results for x in ls)
    from bench.harness import percentile
    requests_ = sum(c for c, _, _ in results)
    return {"requests": requests_, "rps": requests_ / elapsed,
            "error_count": sum(e for _, e, _ in results),
            "latency_us": {"mean": statistics.fmean(lat) * 1e6 if lat else 0,
                           "p50": percentile(lat, 50) * 1e6, "p90": percentile(lat, 90) * 1e6,
                           "p99": percentile(lat, 99) * 1e6,
                           "max": lat[-1] * 1e6 if lat else 0}}


# --- one stack ---------------------------------------------------------------------------------

def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def measure(server, url, headers, args, load) -> dict:
    """One measured run; also the CPU the server, the load generator and others used."""
    cpu0, gen0, busy0 = server.cpu_seconds(), _children_cpu() + time.process_time(), \
        system_busy_seconds()
    t0 = time.monotonic()
    result = load(url, headers, args, args.duration)
    wall = time.monotonic() - t0
    server_cpu = server.cpu_seconds() - cpu0
    gen_cpu = _children_cpu() + time.process_time() - gen0
    busy = system_busy_seconds() - busy0
    result["server_cpu_pct"] = 100 * server_cpu / wall
    result["server_cpu_us_per_request"] = 1e6 * server_cpu / max(result["requests"], 1)
    result["loadgen_cpu_pct"] = 100 * gen_cpu / wall
    result["other_cpu_pct"] = 100 * max(busy - server_cpu - gen_cpu, 0) / wall
    return result


def profile(server, url, headers, args, load, out: str) -> None:
    """An extra, unmeasured run with py-spy recording the server (collapsed stacks)."""
    spy = subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--pid",
                            str(server.pid), "--rate", "250", "--format", "raw", "-o", out,
                            "--nonblocking", "--subprocesses"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    load(url, headers, args, args.duration)
    spy.send_signal(signal.SIGINT)
    spy.wait(30)
    print(f"  profile: {out}", flush=True)


def cprofile_runs(stack: str, args, load) -> None:
    """One more, unmeasured run of each target on fresh servers running under cProfile
    (bench/profiled.py): PREFIX-<stack>-poll.prof / -bare.prof."""
    cpu = 0 if args.pin else None
    for name in ("poll", "bare"):
        out = f"{args.cprofile}-{stack}-{name}.prof"
        server = start_server("sandbox" if name == "poll" else "bare", stack, cpu=cpu,
                              tag="cprofile", cprofile=out, cprofile_timer=args.cprofile_timer)
        try:
            if name == "poll":
                url, bearer, _ = open_chat(server.url, args.from_zero)
                headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
            else:
                url, headers = f"{server.url}/bare", {"Accept": "application/json"}
            load(url, headers, args, args.warmup)
            server.reset_profile()
            load(url, headers, args, args.duration)
        finally:
            server.stop()
        print(f"  cProfile: {out} (python -m bench.profile_report {out})", flush=True)


def bench_stack(stack: str, args, load) -> dict:
    cpu = 0 if args.pin else None
    wait_for_quiet(max_wait=args.quiet_wait)
    sandbox = start_server("sandbox", stack, cpu=cpu, tag="poll")
    bare = None
    try:
        bare = start_server("bare", stack, cpu=cpu, tag="poll")
        poll_url, bearer, n_events = open_chat(sandbox.url, args.from_zero)
        bare_url = f"{bare.url}/bare"
        poll_headers = {"Authorization": f"Bearer {bearer}", "Accept": "application/json"}
        bare_headers = {"Accept": "application/json"}
        r = requests.get(bare_url, headers=bare_headers)
        assert r.status_code == 200, r.text
        sizes = {"poll_bytes": len(requests.get(poll_url, headers=poll_headers).content),
                 "bare_bytes": len(r.content), "poll_events": n_events}
        load(bare_url, bare_headers, args, args.warmup)
        load(poll_url, poll_headers, args, args.warmup)
        runs = {"bare": [], "poll": []}
        for i in range(args.rounds):
            for attempt in range(1, 4):
                b = measure(bare, bare_url, bare_headers, args, load)
                q = measure(sandbox, poll_url, poll_headers, args, load)
                noisy = max(b["other_cpu_pct"], q["other_cpu_pct"]) > args.max_other
                print(f"  [{stack}] round {i + 1}: bare {b['rps']:.0f} rps (server CPU "
                      f"{b['server_cpu_pct']:.0f}%, {b['server_cpu_us_per_request']:.0f} us/req), "
                      f"poll {q['rps']:.0f} rps (server CPU {q['server_cpu_pct']:.0f}%, "
                      f"{q['server_cpu_us_per_request']:.0f} us/req); other processes "
                      f"{b['other_cpu_pct']:.0f}% "
                      f"/ {q['other_cpu_pct']:.0f}%"
                      f"{' -> noisy, again' if noisy and attempt < 3 else ''}", flush=True)
                if not noisy:
                    break
                wait_for_quiet(max_wait=args.quiet_wait)
            runs["bare"].append(b)
            runs["poll"].append(q)
        if args.cprofile:
            cprofile_runs(stack, args, load)
        if args.profile:
            for name, server, url, headers in (("poll", sandbox, poll_url, poll_headers),
                                               ("bare", bare, bare_url, bare_headers)):
                profile(server, url, headers, args, load, f"{args.profile}-{stack}-{name}.txt")
    finally:
        sandbox.stop()
        if bare:
            bare.stop()

    def summary(name):
        items = runs[name]
        mid = sorted(items, key=lambda x: x["rps"])[len(items) // 2]
        return {"rps_median": statistics.median(x["rps"] for x in items),
                "rps_runs": [round(x["rps"], 1) for x in items],
                "errors": sum(x["error_count"] for x in items),
                "error_detail": {k: sum(x.get("errors", {}).get(k, 0) for x in items)
                                 for k in ("connect", "read", "write", "status", "timeout")},
                "latency_us_of_median_run": mid["latency_us"],
                "server_cpu_pct_of_median_run": round(mid["server_cpu_pct"], 1),
                "server_cpu_us_per_request_median": round(statistics.median(
                    x["server_cpu_us_per_request"] for x in items), 1),
                "loadgen_cpu_pct_of_median_run": round(mid["loadgen_cpu_pct"], 1),
                "other_cpu_pct_max": round(max(x["other_cpu_pct"] for x in items), 1)}

    out = {"stack": stack, "bare": summary("bare"), "poll": summary("poll"), **sizes}
    out["ratio"] = out["poll"]["rps_median"] / out["bare"]["rps_median"]
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stack", default="gevent",
                   help=f"comma list of {', '.join(STACKS)}, or 'all' (default gevent)")
    p.add_argument("--duration", type=float, default=10, help="seconds per measured run")
    p.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per target")
    p.add_argument("--rounds", type=int, default=3, help="measured runs per target (median)")
    p.add_argument("--connections", type=int, default=16, help="keep-alive connections")
    p.add_argument("--threads", type=int, default=1, help="wrk threads")
    p.add_argument("--client", choices=("wrk", "python"), default="wrk")
    p.add_argument("--from-zero", action="store_true",
                   help="poll from=0 (render all the chat's events, ~8) instead of the empty poll")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="before each run wait up to this many seconds for other processes to "
                        "use < 25%% of a CPU (default 60)")
    p.add_argument("--max-other", type=float, default=20.0,
                   help="redo a round (up to 3 tries) when other processes used more than this "
                        "%% of a CPU during it (the machine may be shared); default 20")
    p.add_argument("--profile", metavar="PREFIX",
                   help="after measuring, record one more run of each target with py-spy "
                        "into PREFIX-<stack>-poll.txt / -bare.txt (collapsed stacks)")
    p.add_argument("--cprofile", metavar="PREFIX",
                   help="after measuring, run each target once more on a fresh server under "
                        "cProfile (bench/profiled.py) into PREFIX-<stack>-poll.prof / -bare.prof;"
                        " read them with python -m bench.profile_report")
    p.add_argument("--cprofile-timer", choices=("cpu", "wall"), default="cpu",
                   help="timer of --cprofile: cpu (default, thread CPU time) or wall")
    p.add_argument("--only-cprofile", action="store_true",
                   help="with --cprofile: skip the measured rounds, only record the profiles")
    p.add_argument("--pin", dest="pin", action="store_true", default=None,
                   help="servers on CPU 0, load generator on CPU 1 (default when 2+ CPUs)")
    p.add_argument("--no-pin", dest="pin", action="store_false")
    args = p.parse_args(argv)
    if args.pin is None:
        args.pin = (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None
    stacks = STACKS if args.stack == "all" else tuple(args.stack.split(","))
    unknown = set(stacks) - set(STACKS)
    if unknown:
        p.error(f"unknown stack(s): {', '.join(sorted(unknown))}")
    if args.client == "wrk" and not shutil.which("wrk"):
        print("wrk not found (apt-get install -y wrk); using the Python client", file=sys.stderr)
        args.client = "python"
    load = run_wrk if args.client == "wrk" else run_python_client
    mismatch = cli_matches_gevent_stack()
    if "gevent" in stacks and mismatch:
        print("warning: mock_server/server.py no longer has " + "; ".join(mismatch)
              + ": update serve_gevent() in bench/serve.py so the bare app is served the same "
              "way", file=sys.stderr)
    stop_servers_on_signals()
    info = machine()
    print(f"{info['nproc']} CPUs ({info['cpu']}), python {info['python']}, code {info['code']}",
          flush=True)

    if args.only_cprofile:
        if not args.cprofile:
            p.error("--only-cprofile needs --cprofile PREFIX")
        for stack in stacks:
            print(f"== {stack} (cProfile only)", flush=True)
            cprofile_runs(stack, args, load)
        return 0
    results = []
    for stack in stacks:
        print(f"== {stack}", flush=True)
        results.append(bench_stack(stack, args, load))

    per_poll = ", ".join(f"{r['stack']} {r['poll_events']}" for r in results)
    print()
    print(f"client {args.client}, {args.connections} connections, {args.rounds} x "
          f"{args.duration:g} s per target, pinned: {args.pin}, "
          f"poll {'from=0 (all events)' if args.from_zero else 'from=next (empty)'}; "
          f"events per poll response: {per_poll}")
    print("| stack | bare rps | poll rps | poll/bare | bare p50/p99 ms | poll p50/p99 ms | "
          "server CPU % bare/poll | server CPU us/request bare/poll | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        b, q = r["bare"], r["poll"]
        bl, ql = b["latency_us_of_median_run"], q["latency_us_of_median_run"]
        print(f"| {r['stack']} | {b['rps_median']:.0f} | {q['rps_median']:.0f} | "
              f"{r['ratio']:.2f} | {bl['p50'] / 1000:.2f} / {bl['p99'] / 1000:.2f} | "
              f"{ql['p50'] / 1000:.2f} / {ql['p99'] / 1000:.2f} | "
              f"{b['server_cpu_pct_of_median_run']:.0f} / "
              f"{q['server_cpu_pct_of_median_run']:.0f} | "
              f"{b['server_cpu_us_per_request_median']:.0f} / "
              f"{q['server_cpu_us_per_request_median']:.0f} | "
              f"{b['errors'] + q['errors']} |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"poll_vs_bare-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": info, "args": vars(args), "results": results},
                               indent=2))
    print(f"\nresults: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    bad = [r["stack"] for r in results if r["bare"]["errors"] or r["poll"]["errors"]]
    if bad:
        print(f"ERRORS on: {', '.join(bad)}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
