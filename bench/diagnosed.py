"""Run the sandbox with cheap in-process probes and dump what they saw when it is stopped.

    python -m bench.diagnosed OUT.json -m mock_server --port 0 [...]

The benchmarks use it for `--diagnose OUT.json`. Unlike a profiler the probes cost a few µs
per request, so the run's latencies stay comparable. They record:
* the cyclic GC: every collection's generation and pause (gc.callbacks);
* the ticker: every `tick()` of the sandbox (wall and CPU time);
* requests: CPU time (thread time) and wall time of the WSGI application call, by kind (the
  method and the path with ids replaced), and the CPU time of the whole server process, so
  "outside the app" (HTTP parsing, sockets, the hub) is the difference;
* the event loop's lag: a greenlet asks to wake every 10 ms and records how late it woke
  (each late wake-up is time in which every other request waited too).
Environment: DIAG_GC_THRESHOLD=a,b,c runs the server with gc.set_threshold(a, b, c);
DIAG_GC_TYPES=1 records what the young generations held at the start of some collections.
SIGUSR1 drops what was recorded so far (the benchmarks send it after their warm-up).
"""
import gc
import json
import os
import re
import sys
import time
from collections import defaultdict

from bench.harness import run_module_until_signalled

_IDS = re.compile(r"/[^/]*\d[^/]*")  # a path segment with a digit: an id


class Probes:
    """Everything recorded, and its JSON."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.t0 = time.perf_counter()
        self.cpu0 = time.process_time()
        # generation -> [count, total wall s, max wall s, total CPU s, max CPU s]
        self.gc = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
        self.gc_long: list = []  # (t, generation, wall s, CPU s, objects tracked) of pauses > 5 ms
        self.gc_types: list = []  # (generation, objects, top types) at the start of some collections
        self.ticks: list = []  # (t, wall s, cpu s)
        self.kinds = defaultdict(lambda: [0, 0.0, 0.0, 0.0])  # kind -> [n, cpu, wall, max wall]
        self.lag: list = []  # how late each 10 ms wake-up came, s
        self.max_lag: list = []  # (t, lag s) over 20 ms

    def as_json(self) -> dict:
        wall = time.perf_counter() - self.t0
        cpu = time.process_time() - self.cpu0
        n = sum(k[0] for k in self.kinds.values())
        app_cpu = sum(k[1] for k in self.kinds.values())
        lag = sorted(self.lag)

        def pct(p):
            return round(1000 * lag[min(len(lag) - 1, int(len(lag) * p / 100))], 2) if lag else 0

        return {
            "wall_s": round(wall, 2), "process_cpu_s": round(cpu, 3), "requests": n,
            "cpu_ms_per_request": round(1000 * cpu / max(n, 1), 3),
            "app_cpu_ms_per_request": round(1000 * app_cpu / max(n, 1), 3),
            "gc": {str(g): {"count": c, "total_ms": round(1000 * t, 1), "max_ms": round(1000 * m, 2),
                            "cpu_total_ms": round(1000 * ct, 1), "cpu_max_ms": round(1000 * cm, 2)}
                   for g, (c, t, m, ct, cm) in sorted(self.gc.items())},
            "gc_long": [(round(t, 2), g, round(1000 * d, 1), round(1000 * c, 1), o)
                        for t, g, d, c, o in self.gc_long],
            "gc_types": self.gc_types,
            "gc_objects_at_end": [len(gc.get_objects(g)) for g in range(3)],
            "gc_frozen_at_end": gc.get_freeze_count(),
            "ticks": {"count": len(self.ticks),
                      "max_ms": round(1000 * max((w for _, w, _ in self.ticks), default=0), 2),
                      "mean_ms": round(1000 * sum(w for _, w, _ in self.ticks)
                                       / max(len(self.ticks), 1), 2),
                      "long": [(round(t, 2), round(1000 * w, 1)) for t, w, _ in self.ticks
                               if w > 0.005]},
            "loop_lag_ms": {"p50": pct(50), "p99": pct(99), "p999": pct(99.9),
                            "max": round(1000 * lag[-1], 2) if lag else 0,
                            "over_20ms": [(round(t, 2), round(1000 * d, 1)) for t, d in self.max_lag]},
            "kinds": {k: {"count": v[0], "cpu_ms": round(1000 * v[1] / v[0], 3),
                          "wall_ms": round(1000 * v[2] / v[0], 3), "max_wall_ms": round(1000 * v[3], 2),
                          "cpu_share": round(v[1] / max(cpu, 1e-9), 3)}
                      for k, v in sorted(self.kinds.items(), key=lambda kv: -kv[1][1])},
        }


P = Probes()


def _install() -> None:
    gc_start = [0.0, 0.0]

    def on_gc(phase, info):
        if phase == "start":
            if os.environ.get("DIAG_GC_TYPES") and len(P.gc_types) < 40 and info["generation"] < 2:
                from collections import Counter
                young = [o for g in range(info["generation"] + 1) for o in gc.get_objects(g)]
                big = sorted(((len(gc.get_referents(o)), type(o).__name__, repr(o)[:80]) for o in young),
                             reverse=True)[:4]
                P.gc_types.append((info["generation"], len(young),
                                   Counter(type(o).__name__ for o in young).most_common(8), big))
            gc_start[:] = time.perf_counter(), time.thread_time()
            return
        d = time.perf_counter() - gc_start[0]
        c = time.thread_time() - gc_start[1]
        rec = P.gc[info["generation"]]
        rec[0] += 1
        rec[1] += d
        rec[2] = max(rec[2], d)
        rec[3] += c
        rec[4] = max(rec[4], c)
        if d > 0.005:
            older = min(info["generation"] + 1, 2)  # where the survivors went
            P.gc_long.append((time.perf_counter() - P.t0, info["generation"], d, c,
                              len(gc.get_objects(older))))

    gc.callbacks.append(on_gc)
    if os.environ.get("DIAG_GC_THRESHOLD"):  # e.g. 10000,10,10: try other thresholds
        gc.set_threshold(*map(int, os.environ["DIAG_GC_THRESHOLD"].split(",")))

    from mock_server.model.followups import FollowUps
    tick = FollowUps.tick

    def timed_tick(self):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return tick(self)
        finally:
            P.ticks.append((t - P.t0, time.perf_counter() - t, time.thread_time() - c))

    FollowUps.tick = timed_tick

    from mock_server.server import SandboxHandler
    run_application = SandboxHandler.run_application

    def timed_run_application(self):
        env = self.environ
        kind = f"{env['REQUEST_METHOD']} {_IDS.sub('/*', env.get('PATH_INFO', ''))}"
        t, c = time.perf_counter(), time.thread_time()
        try:
            return run_application(self)
        finally:
            wall = time.perf_counter() - t
            rec = P.kinds[kind]
            rec[0] += 1
            rec[1] += time.thread_time() - c
            rec[2] += wall
            rec[3] = max(rec[3], wall)

    SandboxHandler.run_application = timed_run_application

    import gevent

    def watch_loop():
        while True:
            t = time.perf_counter()
            gevent.sleep(0.01)
            late = time.perf_counter() - t - 0.01
            P.lag.append(late)
            if late > 0.02:
                P.max_lag.append((t - P.t0, late))

    from gevent.baseserver import BaseServer
    serve_forever = BaseServer.serve_forever

    def diagnosed_serve_forever(self, *args, **kwargs):
        P.reset()
        gevent.spawn(watch_loop)
        return serve_forever(self, *args, **kwargs)

    BaseServer.serve_forever = diagnosed_serve_forever


def main() -> None:
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "-m":
        sys.exit(__doc__)
    out, module, argv = args[0], args[2], args[3:]
    dumped = []

    def dump(signum=None, frame=None):
        if not dumped:
            dumped.append(True)
            with open(out, "w") as f:
                json.dump(P.as_json(), f, indent=1)
            print(f"diagnosis written to {out}", file=sys.stderr, flush=True)
        if signum is not None:
            os._exit(0)

    _install()
    run_module_until_signalled(module, argv, dump, lambda *_: P.reset())


if __name__ == "__main__":
    main()
