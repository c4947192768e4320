"""Print the wall time of one weather-bot scenario, in-process: a sandbox (fresh, or reset as with
--cc-sandbox-scope=session), the bot Online, a chat (greeting, forecast card, bye), the bot stopped.

    python bench_one_scenario.py [--runs 5]
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "tests")]

from mock_server.testing import CCSandbox  # noqa: E402

from helpers import running_bot, start_chat  # noqa: E402


def chat(sandbox) -> None:
    """The scenario itself: greeted, a forecast card, bye ends the chat."""
    customer = start_chat(sandbox)
    customer.say("weather in Paris")
    customer.wait_for_line("Weather in Paris", rich=True)
    customer.say("bye")
    customer.wait_for_state("ended")


def scenario(sandbox) -> float:
    """Bot up, one chat, bot down: seconds."""
    started = time.perf_counter()
    with running_bot(sandbox):
        chat(sandbox)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    started = time.perf_counter()
    with CCSandbox() as sandbox:
        scenario(sandbox)
    print(f"first scenario (cold: imports, a fresh sandbox): {time.perf_counter() - started:.3f} s")
    fresh, reset, only = [], [], []
    for _ in range(runs):
        started = time.perf_counter()
        with CCSandbox() as sandbox:  # the fixture's default: a fresh sandbox per test
            scenario(sandbox)
        fresh.append(time.perf_counter() - started)
    with CCSandbox() as sandbox:  # --cc-sandbox-scope=session: one sandbox, restored per test
        for _ in range(runs):
            started = time.perf_counter()
            sandbox.restore()
            scenario(sandbox)
            reset.append(time.perf_counter() - started)
        with running_bot(sandbox):
            for _ in range(runs):
                started = time.perf_counter()
                chat(sandbox)
                only.append(time.perf_counter() - started)
    for name, times in (("fresh sandbox + bot + chat", fresh), ("reset sandbox + bot + chat", reset),
                        ("the chat alone (bot already Online)", only)):
        print(f"{name}: median {statistics.median(times):.3f} s, "
              f"min {min(times):.3f} s, max {max(times):.3f} s over {runs} runs")


if __name__ == "__main__":
    main()
