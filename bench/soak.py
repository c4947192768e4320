"""Soak: N concurrent chats for M minutes against the sandbox; RSS, latency and errors per minute.

    .venv/bin/python bench/soak.py                                # 200 chats for 60 minutes
    .venv/bin/python bench/soak.py --minutes 3 --warmup 1         # a short run
    .venv/bin/python bench/soak.py --chats 50 --minutes 5 --data-dir /tmp/soak-data

The sandbox runs as the CLI, `python -m mock_server --port 0 --config bench/soak_config.yaml`
(`--data-dir DIR` passed on when given), a subprocess on a free port. The clients are
bench/concurrent_chats.py's (gevent greenlets on raw keep-alive sockets, its bots and customers):
the bots log in, go Online, poll incomingRequests every `interval` and accept every ringing chat,
the bot side of each chat answers every visitor line; `chats` customer slots each run one chat
after the other (request, `lines` lines one answer at a time, end, and at once the next customer),
so `chats` chats stay in flight for the whole run.

Every `sample-every` seconds the server's VmRSS is read from /proc/<pid>/status; every minute a
row: RSS, requests, errors, latency p50/p95/p99/max of that minute's requests, chats completed,
CPU. At the end: errors, VmHWM, the least-squares slope of RSS over the samples after `warmup`
minutes (MB per 10 minutes, MB = 2^20 bytes; also KB per ended chat), and the targets: 0 errors
and a slope < 1 MB per 10 minutes. Exit status 0 when both are met over the whole duration.
Results go to stdout and bench/results/soak-<time>.json. Ctrl-C once ends the run early (and
reports it, unmet); twice stops the server and exits at once.
"""
if __name__ == "__main__":
    # the client's sockets must be gevent's before anything opens one; importing this module
    # from the unit tests (the helpers below) must not patch the test process
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from array import array  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402  (importing it patches nothing)
import numpy as np  # noqa: E402
from scipy import stats as scipy_stats  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import (BENCH, PYTHON, RESULTS, Server, machine, pinned,  # noqa: E402
                           process_cpu_seconds, stop_servers_on_signals, system_busy_seconds,
                           wait_for_quiet)

SOAK_CONFIG = BENCH / "soak_config.yaml"
KB_PER_MB = 1024  # /proc's "kB" are KiB; MB here = 2^20 bytes
TARGET_SLOPE_MB_PER_10MIN = 1.0


# --- pure helpers (tests/unit/test_bench_soak.py) ---------------------------------------------

def latency_summary(seconds) -> dict:
    """count, p50/p95/p99/max in ms of latencies in seconds; nearest-rank percentiles like
    bench.harness.percentile (numpy's inverted_cdf), zeros when empty."""
    values = np.asarray(seconds, dtype=float)
    if values.size == 0:
        return {"count": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0, "max_ms": 0.0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99], method="inverted_cdf")
    ms = lambda x: round(float(x) * 1000, 2)  # noqa: E731
    return {"count": int(values.size), "p50_ms": ms(p50), "p95_ms": ms(p95), "p99_ms": ms(p99),
            "max_ms": ms(values.max())}


def rss_slope(samples: list[tuple[float, float]], warmup_s: float) -> dict | None:
    """Least-squares line through the (seconds since start, RSS kB) samples taken at or after
    `warmup_s`: its slope in MB per 10 minutes, the slope's standard error, r², the number of
    samples and the window fitted; None with fewer than 3 samples."""
    points = [(t, kb) for t, kb in samples if t >= warmup_s]
    if len(points) < 3 or points[-1][0] <= points[0][0]:
        return None
    t = np.array([p[0] for p in points]) / 600.0  # in units of 10 minutes
    mb = np.array([p[1] for p in points]) / KB_PER_MB
    fit = scipy_stats.linregress(t, mb)
    return {"mb_per_10min": round(float(fit.slope), 3),
            "stderr_mb_per_10min": round(float(fit.stderr), 3),
            "r2": round(float(fit.rvalue) ** 2, 3) if np.isfinite(fit.rvalue) else None,
            "samples": len(points), "from_s": round(points[0][0], 1),
            "to_s": round(points[-1][0], 1)}


def kb_per_chat(samples: list[tuple[float, float, int]], warmup_s: float) -> float | None:
    """Slope of RSS kB against chats ended so far, over the (t, RSS kB, chats ended) samples at
    or after `warmup_s` (what each ended chat leaves in memory); None when it cannot be fitted."""
    points = [(n, kb) for t, kb, n in samples if t >= warmup_s]
    if len(points) < 3 or len({n for n, _ in points}) < 2:
        return None
    fit = scipy_stats.linregress([p[0] for p in points], [p[1] for p in points])
    return round(float(fit.slope), 2)


def default_warmup(minutes: float) -> float:
    """Warm-up minutes left out of the slope: 10 of a 60-minute run, the same share of others."""
    return minutes / 6.0


def proc_status(pid: int) -> dict[str, int]:
    """The kB fields of /proc/<pid>/status (VmRSS, VmHWM, ...); empty once the process is gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                name, _, value = line.partition(":")
                parts = value.split()
                if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
                    out[name] = int(parts[0])
    except OSError:
        pass
    return out


class SoakStats:
    """What bench.concurrent_chats.Client records into (`record`, `races`), kept per window:
    the latencies of the current minute (swapped out by take_window), every latency by kind for
    the end (arrays of doubles, ~8 bytes a request), errors with their first samples."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.errors: Counter = Counter()
        self.races: Counter = Counter()
        self.error_samples: list[str] = []
        self.by_kind: dict[str, array] = defaultdict(lambda: array("d"))
        self.window = array("d")
        self.window_errors = 0
        self._races_before = 0
        self.closed = False  # set at the end of the run: what the shutdown meets is not counted

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        if self.closed:
            return
        self.window.append(seconds)
        self.by_kind[kind].append(seconds)
        if error:
            self.error(kind, error)

    def error(self, kind: str, what: str) -> None:
        """An error that is not a timed request (a chat that never finished)."""
        if self.closed:
            return
        self.errors[f"{kind}: {what}"[:300]] += 1
        self.window_errors += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"t={time.monotonic() - self.t0:.0f}s {kind}: {what}"[:300])

    def take_window(self) -> tuple[array, int, int]:
        """(latencies, errors, accept races) since the last call; starts the next window."""
        window, errors, self.window, self.window_errors = self.window, self.window_errors, \
            array("d"), 0
        races = sum(self.races.values())
        races, self._races_before = races - self._races_before, races
        return window, errors, races


# --- the run ------------------------------------------------------------------------------------

HEADER = (f"{'min':>5} {'RSS MB':>8} {'ΔRSS':>7} {'requests':>9} {'req/s':>7} {'errors':>6} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'chats':>6} {'open':>5} "
          f"{'srv %':>6} {'cli %':>6} {'other %':>7}")


def format_row(r: dict) -> str:
    lat = r["latency"]
    return (f"{r['minute']:>5g} {r['rss_mb']:>8.1f} {r['rss_delta_mb']:>+7.1f} "
            f"{lat['count']:>9} {r['requests_per_s']:>7.1f} {r['errors']:>6} "
            f"{lat['p50_ms']:>7.1f} {lat['p95_ms']:>7.1f} {lat['p99_ms']:>7.1f} "
            f"{lat['max_ms']:>7.1f} {r['chats_completed']:>6} {r['in_flight']:>5} "
            f"{r['server_cpu_pct']:>6.1f} {r['client_cpu_pct']:>6.1f} {r['other_cpu_pct']:>7.1f}")


class Soak:
    """The soak around a bench.concurrent_chats.Run (its bots, its customers' one_chat, its
    Client): customer slots that start a new chat when theirs ends, a sampler of the server's
    RSS and of each minute's numbers."""

    def __init__(self, args, cc, server: Server, account: str, skill: str, bots: list):
        self.args, self.server = args, server
        self.run = cc.Run(args, server.url, account, skill, bots)
        self.run.user_agent = "bench/soak"
        self.stats = self.run.stats = SoakStats()  # before any Client exists
        self.duration = args.minutes * 60.0
        self.rows: list[dict] = []
        self.samples: list[tuple[float, int, int]] = []  # (s since start, VmRSS kB, chats ended)
        self.completed = self.stuck = self.cut = 0
        self.in_flight = 0
        self.chat_seconds = array("d")
        self.visitors = itertools.count()
        self.interrupted = False
        self.t0 = 0.0

    # customers -------------------------------------------------------------------------------

    def customer_slot(self, slot: int) -> None:
        run, args = self.run, self.args
        gevent.sleep(slot * args.ramp / max(args.chats, 1))
        while not run.stop.is_set():
            i = next(self.visitors)
            t0 = time.monotonic()
            self.in_flight += 1
            try:
                finished, replies = run.one_chat(i, deadline=t0 + args.chat_timeout)
            finally:
                self.in_flight -= 1
            if self.stats.closed:
                return  # after the last row: not counted
            if finished and replies == args.lines:
                self.completed += 1
                self.chat_seconds.append(time.monotonic() - t0)
            elif not run.stop.is_set():  # (a chat the end of the run cut is not an error)
                self.stuck += 1
                self.stats.error("chat.stuck", f"visitor {i}: {replies}/{args.lines} answers "
                                               f"after {time.monotonic() - t0:.0f} s, ended")

    # sampling --------------------------------------------------------------------------------

    def _cpu_now(self) -> tuple[float, float, float, float]:
        return (time.monotonic(), process_cpu_seconds(self.server.pid), time.process_time(),
                system_busy_seconds())

    def sample(self) -> int:
        kb = proc_status(self.server.pid).get("VmRSS", 0)
        self.samples.append((round(time.monotonic() - self.t0, 2), kb,
                             self.completed + self.stuck))
        return kb

    def close_window(self, cpu_before, rss_before_kb: int, minute: float | None = None) -> dict:
        """The row of the window since `cpu_before`: `minute` its nominal end (None: now)."""
        latencies, errors, races = self.stats.take_window()
        cpu = self._cpu_now()
        dt = max(cpu[0] - cpu_before[0], 1e-9)
        server_cpu, client_cpu = cpu[1] - cpu_before[1], cpu[2] - cpu_before[2]
        other = max(cpu[3] - cpu_before[3] - server_cpu - client_cpu, 0.0)
        rss_kb = self.samples[-1][1]
        done_before = sum(r["chats_completed"] for r in self.rows)
        if minute is None:
            minute = (cpu[0] - self.t0) / 60.0
        row = {"minute": round(minute, 2), "window_s": round(dt, 1),
               "rss_mb": rss_kb / KB_PER_MB, "rss_delta_mb": (rss_kb - rss_before_kb) / KB_PER_MB,
               "latency": latency_summary(latencies), "requests_per_s": len(latencies) / dt,
               "errors": errors, "accept_races": races,
               "chats_completed": self.completed - done_before, "in_flight": self.in_flight,
               "server_cpu_pct": 100 * server_cpu / dt, "client_cpu_pct": 100 * client_cpu / dt,
               "other_cpu_pct": 100 * other / dt}
        for key in ("rss_mb", "rss_delta_mb", "requests_per_s", "server_cpu_pct",
                    "client_cpu_pct", "other_cpu_pct"):
            row[key] = round(row[key], 2)
        self.rows.append(row)
        print(format_row(row), flush=True)
        return row

    def sampler(self) -> None:
        """RSS every `sample_every` s on a fixed schedule from t0, a row every 60 s (and one for a
        last partial minute); stops the run at `minutes`, or early when interrupted."""
        every, end = self.args.sample_every, self.t0 + self.duration
        per_window = round(60 / every)
        cpu_before, rss_before = self._cpu_now(), self.samples[-1][1]
        k, interrupted = 0, False
        while True:
            k += 1
            due = min(self.t0 + k * every, end)
            if self.run.stop.wait(max(0.0, due - time.monotonic())):
                interrupted = True
                break
            self.sample()
            if k % per_window == 0 or due >= end:
                self.close_window(cpu_before, rss_before, (due - self.t0) / 60.0)
                cpu_before, rss_before = self._cpu_now(), self.samples[-1][1]
                # forget finished pollers (bot sides of ended chats): thousands an hour
                self.run.greenlets[:] = [g for g in self.run.greenlets if not g.dead]
            if due >= end:
                break
        if interrupted:  # the partial minute
            self.sample()
            if time.monotonic() - cpu_before[0] > 1.0:
                self.close_window(cpu_before, rss_before)
        self.stats.closed, self.cut = True, self.in_flight  # what follows is not counted

    # the whole soak --------------------------------------------------------------------------

    def execute(self) -> dict:
        run, args = self.run, self.args
        run.start_bots()
        self.t0 = self.stats.t0 = time.monotonic()
        self.sample()
        print(f"server pid {self.server.pid} on {self.server.url}: RSS "
              f"{self.samples[0][1] / KB_PER_MB:.1f} MB after start-up, one warm-up chat and "
              f"{len(run.bots)} bot logins", flush=True)
        print(HEADER, flush=True)
        sampler = gevent.spawn(self.sampler)
        slots = [gevent.spawn(self.customer_slot, s) for s in range(args.chats)]
        run.greenlets.extend(slots)
        sampler.join()
        elapsed = time.monotonic() - self.t0
        status = proc_status(self.server.pid)
        run.shutdown()
        return self.summary(elapsed, status)

    def summary(self, elapsed: float, status: dict) -> dict:
        args, st = self.args, self.stats
        warmup_s = args.warmup * 60.0
        slope = rss_slope([(t, kb) for t, kb, _ in self.samples], warmup_s)
        per_chat = kb_per_chat(self.samples, warmup_s)
        errors = sum(st.errors.values())
        every = np.concatenate([np.frombuffer(a, dtype=float) for a in st.by_kind.values()]) \
            if st.by_kind else np.array([])
        full = not self.interrupted and elapsed >= self.duration - 1.0
        met = full and errors == 0 and slope is not None \
            and slope["mb_per_10min"] < TARGET_SLOPE_MB_PER_10MIN
        first_kb, last_kb = self.samples[0][1], self.samples[-1][1]
        return {
            "elapsed_s": round(elapsed, 1), "full_duration": full,
            "chats_completed": self.completed, "chats_stuck": self.stuck,
            "chats_cut_by_the_end": self.cut, "chats_accepted": self.run.accepted,
            "bot_answers": self.run.bot_answers,
            "chat_duration_s": {"p50": round(float(np.median(self.chat_seconds)), 2)
                                if self.chat_seconds else 0.0,
                                "max": round(max(self.chat_seconds, default=0.0), 2)},
            "requests": int(every.size),
            "requests_per_s": round(every.size / max(elapsed, 1e-9), 1),
            "errors": errors, "error_kinds": dict(st.errors), "error_samples": st.error_samples,
            "races": dict(st.races),
            "latency_all": latency_summary(every),
            "latency_by_kind": {k: latency_summary(v) for k, v in sorted(st.by_kind.items())},
            "rss_start_mb": round(first_kb / KB_PER_MB, 2),
            "rss_end_mb": round(last_kb / KB_PER_MB, 2),
            "vm_hwm_mb": round(status.get("VmHWM", 0) / KB_PER_MB, 2),
            "warmup_min": args.warmup, "rss_slope": slope, "rss_kb_per_ended_chat": per_chat,
            "minutes": self.rows,
            "rss_samples": [{"t_s": t, "rss_kb": kb, "chats_ended": n}
                            for t, kb, n in self.samples],
            "met": met,
        }


def report(args, r: dict) -> None:
    races = sum(r["races"].values())
    print(f"end: {r['elapsed_s'] / 60:.2f} min{'' if r['full_duration'] else ' (cut short)'}; "
          f"{r['chats_completed']} chats completed ({r['chats_stuck']} stuck, "
          f"{r['chats_cut_by_the_end']} cut by the end), {r['bot_answers']} bot answers; chat "
          f"duration p50 {r['chat_duration_s']['p50']} s, max {r['chat_duration_s']['max']} s")
    la = r["latency_all"]
    print(f"requests {r['requests']} ({r['requests_per_s']}/s), errors {r['errors']}"
          + (f", accept races (chat rang out before the bot took it) {races}" if races else ""))
    print(f"latency all requests: p50 {la['p50_ms']} ms, p95 {la['p95_ms']} ms, "
          f"p99 {la['p99_ms']} ms, max {la['max_ms']} ms")
    from bench.concurrent_chats import print_kinds  # after monkey.patch_all() (see the top)
    print_kinds(r)
    print(f"RSS: {r['rss_start_mb']} MB at start, {r['rss_end_mb']} MB at the end, peak (VmHWM) "
          f"{r['vm_hwm_mb']} MB")
    s = r["rss_slope"]
    if s is None:
        print(f"RSS slope: not enough samples after the {args.warmup:.3g}-minute warm-up")
    else:
        per_chat = r["rss_kb_per_ended_chat"]
        print(f"RSS slope after the {args.warmup:.3g}-minute warm-up ({s['samples']} samples, "
              f"{s['from_s']:g}-{s['to_s']:g} s): {s['mb_per_10min']:+.2f} MB per 10 min "
              f"(± {s['stderr_mb_per_10min']:.2f}, r² {s['r2']})"
              + (f"; {per_chat:+.2f} KB per ended chat" if per_chat is not None else ""))
    print(f"targets (full duration, 0 errors, RSS slope < {TARGET_SLOPE_MB_PER_10MIN:g} MB per "
          f"10 min after warm-up): {'MET' if r['met'] else 'MISSED'}", flush=True)


def server_command(args) -> list[str]:
    cmd = [PYTHON, "-m", "mock_server", "--port", "0", "--config", str(args.config)]
    if args.data_dir:
        cmd += ["--data-dir", str(args.data_dir)]
    return pinned(cmd, 0 if args.pin else None)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--minutes", type=float, default=60.0, help="duration (default 60)")
    p.add_argument("--chats", type=int, default=200,
                   help="chats kept in flight the whole time (default 200)")
    p.add_argument("--lines", type=int, default=5, help="lines each customer says (default 5)")
    p.add_argument("--interval", type=float, default=1.0, help="poll interval, s (default 1)")
    p.add_argument("--ramp", type=float, default=10.0,
                   help="the first customers start spread over this many seconds (default 10, "
                        "about one chat's length, so the chats' ends do not come in waves)")
    p.add_argument("--warmup", type=float, default=None,
                   help="minutes left out of the RSS slope (default: a sixth of the run, "
                        "10 of 60)")
    p.add_argument("--sample-every", type=float, default=10.0,
                   help="read the server's RSS every this many seconds, a divisor of 60 "
                        "(default 10)")
    p.add_argument("--chat-timeout", type=float, default=120.0,
                   help="a chat not finished after this many seconds is ended by its customer "
                        "and counted as an error (default 120)")
    p.add_argument("--config", default=str(SOAK_CONFIG),
                   help="the sandbox's seed config (default bench/soak_config.yaml)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="passed on to the sandbox (python -m mock_server --data-dir DIR: SQLite "
                        "persistence); without it the sandbox keeps its state in memory")
    p.add_argument("--pin", action="store_true",
                   help="server on CPU 0, this client on CPU 1 (default: not pinned)")
    p.add_argument("--quiet-wait", type=float, default=60.0,
                   help="before the run wait up to this many seconds for other processes to use "
                        "< 25%% of a CPU (default 60)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the pollers' phases")
    args = p.parse_args(argv)
    if args.warmup is None:
        args.warmup = default_warmup(args.minutes)
    if args.minutes <= 0 or args.chats <= 0 or args.lines <= 0:
        p.error("--minutes, --chats and --lines must be positive")
    if not 0 <= args.warmup < args.minutes:
        p.error("--warmup must be at least 0 and less than --minutes")
    if args.sample_every <= 0 or abs(60 / args.sample_every - round(60 / args.sample_every)) > 1e-9:
        p.error("--sample-every must divide 60")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from bench import concurrent_chats as cc  # after monkey.patch_all() (see the top)

    account, skill, bots, capacity = cc.bots_of(Path(args.config))
    if args.chats > capacity:
        raise SystemExit(f"{args.chats} chats exceed the bots' capacity ({capacity} maxChats)")
    if args.data_dir and Path(args.data_dir).is_dir() and any(Path(args.data_dir).iterdir()):
        print(f"warning: {args.data_dir} is not empty: the sandbox restores what is in it",
              file=sys.stderr)
    if args.pin:
        os.sched_setaffinity(0, {1})
    random.seed(args.seed)
    stop_servers_on_signals()
    info = machine()
    print(f"soak: {args.chats} chats in flight x {args.lines} lines, poll every {args.interval:g} "
          f"s, {args.minutes:g} min (warm-up {args.warmup:.3g} min, RSS every "
          f"{args.sample_every:g} s), config {args.config}, data dir {args.data_dir or 'none'}; "
          f"{info['nproc']} CPUs, python {info['python']}, code {info['code']}", flush=True)
    busy_before = wait_for_quiet(max_wait=args.quiet_wait)
    cmd = server_command(args)
    log = RESULTS / "logs" / f"soak-sandbox-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
    server = Server("sandbox (the CLI)", cmd, log)
    try:
        cc.warm_up(server.url, account, skill)
        soak = Soak(args, cc, server, account, skill, bots)

        def on_signal(signum, frame):  # no blocking calls: under gevent this runs in the loop
            if soak.interrupted:
                try:
                    os.killpg(server.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                os._exit(130)
            soak.interrupted = True
            soak.run.stop.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        result = soak.execute()
    finally:
        server.stop()
    result["other_cpu_pct_before"] = round(busy_before, 1)
    result["server_log"] = str(log)
    report(args, result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"machine": info, "args": vars(args), "command": cmd,
                                "result": result}, indent=2))
    print(f"results: {path}")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
