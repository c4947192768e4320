"""How long one scripted bot scenario takes in-process with the pytest plugin's sandbox.

    .venv/bin/python bench/scenario.py                 # 30 runs, bot polling every 20 ms
    .venv/bin/python bench/scenario.py --runs 100 --poll 0.01

The scenario is what a bot team's test does: a fresh sandbox state (the plugin's `reset`, as the
session-scoped fixture does between tests), the bot under test started (a function-scoped
`cc_bot` fixture: log in, agent session, Online), a customer asks for a chat on support-bot,
waits for the bot's welcome, asks two questions and waits for each answer, then goes silent,
the clock is moved past the visitor timeout (40 s) and the chat must end (`wait_for_state`),
and the bot stops (it logs out). The bot is the simulator's demo rules bot (simulator/bot.py)
on a thread of this process, over real HTTP. (A bot kept running across resets would see the
seeded chat ids again: restart it per test, as here.)

Reference, in the same run: the same scenario with the bot polling every 2 s, as LivePerson's
agent-sample-app does, and the visitor timeout waited out on the wall clock's terms (40 s,
not run: computed) -- what the test would cost without the plugin's waits and clock.
Target (issue 11): one scenario under 0.3 s wall. Results: stdout and bench/results/scenario-*.json.
"""
import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import RESULTS, machine, percentile  # noqa: E402
from mock_server.testing.sandbox import CCSandbox  # noqa: E402
from simulator.bot import BotOptions, BotRunner  # noqa: E402
from simulator.brains import make_brain  # noqa: E402
from simulator.brains.escalation import escalating  # noqa: E402
from simulator.login import Credentials  # noqa: E402
from simulator.report import silent  # noqa: E402

VISITOR_TIMEOUT = 40  # seconds: the Server Chat API's default interactionTimeout


def start_bot(sandbox: CCSandbox, poll: float):
    """The demo rules bot on demo-bot, Online, on its own thread."""
    options = BotOptions(sandbox.url, sandbox.account, Credentials("demo-bot", password="demo-bot-pass"),
                         poll=poll)
    runner = BotRunner(options, escalating(make_brain("rules")), silent)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    if not runner.online.wait(30):
        raise SystemExit("the bot did not come Online")
    return runner, thread


def scenario(sandbox: CCSandbox, poll: float, timeout: float = 10) -> dict[str, float]:
    """One scenario; the wall seconds of each step."""
    steps = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name] = now - mark
        mark = now

    sandbox.close_actors()
    sandbox.reset()
    step("reset")
    runner, thread = start_bot(sandbox, poll)
    step("bot online")
    customer = sandbox.customer(skill="support-bot")
    step("request chat")
    customer.wait_for_line("demo bot", timeout=timeout)
    step("welcome")
    customer.say("What are your opening hours?")
    customer.wait_for_line(r"\d", timeout=timeout)
    step("answer 1")
    customer.say("How do returns work?")
    customer.wait_for_line("return", timeout=timeout)
    step("answer 2")
    sandbox.advance(VISITOR_TIMEOUT + 1)
    customer.wait_for_state("ended", timeout=timeout)
    step("visitor timeout")
    runner.stop()
    thread.join(30)
    step("bot stopped")
    steps["total"] = sum(steps.values())
    return steps


def summary(values: list[float]) -> dict:
    ms = sorted(v * 1000 for v in values)
    return {"min": round(ms[0], 1), "p50": round(statistics.median(ms), 1),
            "p90": round(percentile(ms, 90), 1), "max": round(ms[-1], 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--poll", type=float, default=0.02, help="the bot's poll interval (s)")
    p.add_argument("--reference-runs", type=int, default=2,
                   help="runs with the bot polling every 2 s (0: skip the reference)")
    args = p.parse_args(argv)

    results = {"machine": machine(), "runs": args.runs, "poll": args.poll}
    with CCSandbox() as sandbox:
        scenario(sandbox, args.poll)  # warm-up: imports, first routes, the persona generator
        runs = [scenario(sandbox, args.poll) for _ in range(args.runs)]
        results["plugin"] = {name: summary([r[name] for r in runs]) for name in runs[0]}
        if args.reference_runs:
            ref = [scenario(sandbox, 2.0, timeout=30) for _ in range(args.reference_runs)]
            totals = [r["total"] - r["visitor timeout"] + VISITOR_TIMEOUT for r in ref]
            results["reference_2s_poll_wall_clock"] = summary(totals)

    print(f"one scenario, {args.runs} runs, bot polling every {args.poll * 1000:g} ms (ms):")
    for name, s in results["plugin"].items():
        print(f"  {name:16} min {s['min']:7.1f}  p50 {s['p50']:7.1f}  p90 {s['p90']:7.1f}  max {s['max']:7.1f}")
    if "reference_2s_poll_wall_clock" in results:
        s = results["reference_2s_poll_wall_clock"]
        print(f"reference (bot polling every 2 s, visitor timeout waited out): p50 {s['p50'] / 1000:.1f} s")
    target = results["plugin"]["total"]["p50"] < 300
    print(f"target one scenario < 300 ms wall: {'met' if target else 'MISSED'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"scenario-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2))
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
