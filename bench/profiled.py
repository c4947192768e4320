"""Run a server under cProfile, greenlet-aware, and dump the stats when it is stopped.

    python -m bench.profiled [--timer cpu|wall] OUT.prof -m mock_server --port 0 [...]  # the CLI
    python -m bench.profiled OUT.prof -m bench.serve --stack gevent --app bare [...]

The benchmarks use it for `--cprofile`. The server is stopped as harness.Server stops it
(SIGTERM to its process group) or with SIGINT; either way OUT.prof is written first (pstats
format: read it with `python -m bench.profile_report OUT.prof`). Recording starts when the
server starts serving; SIGUSR1 drops what was recorded so far (the benchmarks send it after
their warm-up).

Why not plain `python -m cProfile`: the server runs every request in its own greenlet, and
cProfile keeps one call stack per thread. A greenlet switch (every socket read or write) leaves
cProfile matching the returns of one greenlet's frames against the calls of another, so the
times come out attributed to the wrong functions. Here a greenlet trace hook stops and restarts
the profiler at every switch: the stack cProfile knows is dropped, so every call it records
begins and ends in the same greenlet. Only the frames that span a switch (the handler's
read/answer loop, the hub's loop) lose part of their own time; every request's own work (from
`WSGIHandler.run_application` down) is recorded whole.

Timer (`--timer`, default `cpu`): `cpu` is the thread's CPU time (time.thread_time_ns), so time
the server spends waiting for a core while other processes run (a shared machine) is not
counted; each reading is a system call (~1 us here), so the server runs ~5x slower under it.
`wall` is cProfile's default perf_counter: ~5x less overhead, but on a busy machine it counts
the time the server was descheduled in whichever function it was in. Either way the profile
gives shares; the benchmarks' CPU accounting (from /proc, without the profiler) gives absolute
CPU per request.
"""
import cProfile
import os
import sys
import time

from bench.harness import run_module_until_signalled


def main() -> None:
    args = sys.argv[1:]
    timer = "cpu"
    if args[:1] == ["--timer"] and len(args) > 1:
        timer, args = args[1], args[2:]
    if len(args) < 3 or args[1] != "-m" or timer not in ("cpu", "wall"):
        sys.exit(__doc__)
    out, module, argv = args[0], args[2], args[3:]
    profiler = (cProfile.Profile(time.thread_time_ns, 1e-9) if timer == "cpu"
                else cProfile.Profile())
    dumped = []

    def dump(signum=None, frame=None):
        if not dumped:
            dumped.append(True)
            profiler.disable()
            profiler.dump_stats(out)
            print(f"profile written to {out}", file=sys.stderr, flush=True)
        if signum is not None:
            os._exit(0)

    try:
        import greenlet
    except ImportError:
        greenlet = None
    if greenlet is not None:
        def on_switch(event, args):
            # runs on every switch (and throw): forget the stack of the greenlet left behind
            profiler.disable()
            profiler.enable()
        greenlet.settrace(on_switch)
    def reset(signum=None, frame=None):
        profiler.disable()
        profiler.clear()
        profiler.enable()

    # Start profiling when the server starts serving (not the imports and the seeding).
    from gevent.baseserver import BaseServer
    serve_forever = BaseServer.serve_forever

    def profiled_serve_forever(self, *args, **kwargs):
        profiler.enable()
        return serve_forever(self, *args, **kwargs)

    BaseServer.serve_forever = profiled_serve_forever
    run_module_until_signalled(module, argv, dump, reset)  # SIGUSR1: forget the warm-up


if __name__ == "__main__":
    main()
