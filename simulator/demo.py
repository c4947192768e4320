"""`python -m simulator demo [mock_server options]`: the sandbox with the two demo bots talking.

Starts `python -m mock_server` with the given options, passes its output through, waits for its
"listening on URL" line, then runs two rules bots through the Domain API of that URL (trusting
the sandbox's CA with --tls), each in its own BotRunner: demo bot A as demo-bot on support-bot
(simulator/intents/default.yaml: hands off when asked, or after two misunderstood lines in a
row) and demo bot B as demo-bot-b on support-bot-b (simulator/intents/eager.yaml: hands off at
once on a misunderstood, negative, order or billing line), so an A/B test has both at once and
"agent" reaches support-human. Ctrl-C or SIGTERM stops the bots first (they end their chats and
log out) and then the sandbox. `python -m mock_server` alone starts no bot.
"""
import argparse
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .bot import BotOptions, BotRunner
from .brains import make_brain
from .brains.escalation import escalating
from .brains.rules import DEFAULT_INTENTS
from .cli import HelpFormatter
from .login import Credentials
from .report import Reporter
from .scripts import DEMO_ACCOUNT

LISTENING = re.compile(r"listening on (\S+)")
TRUST_CA = re.compile(r"trust the CA at (\S+)")
START_DEADLINE = 60.0  # seconds for the sandbox to print its banner
EAGER_INTENTS = DEFAULT_INTENTS.parent / "eager.yaml"  # demo bot B's
STOP_DEADLINE = 30.0  # seconds each bot has to end its chats and log out


def parse_args(argv=None) -> tuple[argparse.Namespace, list[str]]:
    """The demo's own options (--account, --bot-*); everything else goes to mock_server."""
    return build_parser().parse_known_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The demo's own options; `--help` shows their defaults."""
    p = argparse.ArgumentParser(prog="python -m simulator demo", formatter_class=HelpFormatter,
                                description="Run the sandbox with the two demo rules bots online "
                                            "(A: demo-bot, B: demo-bot-b). "
                                            "Other options go to python -m mock_server.",
                                epilog="python -m mock_server --help lists the sandbox's options "
                                       "(--host, --port, --tls, --config, ...).")
    p.add_argument("--account", "--bot-account", dest="bot_account", default=DEMO_ACCOUNT,
                   metavar="ID", help="the bots' account (site) id")
    p.add_argument("--bot-user", default="demo-bot", metavar="LOGIN", help="bot A's login name")
    p.add_argument("--bot-password", default="demo-bot-pass", metavar="PASSWORD",
                   help="bot A's password")
    p.add_argument("--bot-intents", metavar="FILE",
                   help="bot A's intents YAML (default: simulator/intents/default.yaml)")
    p.add_argument("--bot-b-user", default="demo-bot-b", metavar="LOGIN", help="bot B's login name")
    p.add_argument("--bot-b-password", default="demo-bot-b-pass", metavar="PASSWORD",
                   help="bot B's password")
    p.add_argument("--bot-b-intents", default=str(EAGER_INTENTS), metavar="FILE",
                   help="bot B's intents YAML (default: simulator/intents/eager.yaml)")
    p.add_argument("--no-bot-b", action="store_true", help="run bot A only")
    p.add_argument("--bot-poll", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between each bot's polls")
    p.add_argument("--bot-typing-delay", type=float, default=0.8, metavar="SECONDS",
                   help="typing shown before each reply")
    p.add_argument("--bot-log-format", choices=("text", "json"), default="text",
                   help="the bots' log lines: text or json (role bot for A, bot-b for B)")
    return p


@dataclass
class DemoBot:
    """One of the demo's bots: who logs in, with which intents, under which log role."""

    role: str  # the log lines' role: bot (A) or bot-b (B)
    user: str
    password: str
    intents: str | None  # None: the rules brain's default file
    runner: BotRunner | None = None
    thread: threading.Thread | None = None


class Demo:
    """The sandbox subprocess and the bots' threads, started and stopped together."""

    def __init__(self, args: argparse.Namespace, server_args: list[str]):
        self.args = args
        self.server_args = server_args
        self.server: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.bots = [DemoBot("bot", args.bot_user, args.bot_password, args.bot_intents)]
        if not args.no_bot_b:
            self.bots.append(DemoBot("bot-b", args.bot_b_user, args.bot_b_password, args.bot_b_intents))

    def start_server(self) -> tuple[str, str | bool]:
        """Start mock_server; return its URL and what to trust (CA file or True)."""
        # Its own session: a terminal's Ctrl-C reaches only us, so the bot can log out first.
        self.server = subprocess.Popen([sys.executable, "-m", "mock_server", *self.server_args],
                                       stdout=subprocess.PIPE, text=True, bufsize=1,
                                       start_new_session=True)
        threading.Thread(target=self._pump, name="sandbox-output", daemon=True).start()
        url = self._read_until(LISTENING)
        if url is None:
            raise RuntimeError("the sandbox did not start (no 'listening on' line)")
        if "--tls" not in self.server_args:
            return url, True
        ca = self._read_until(TRUST_CA)
        return url, ca or str(Path(self._tls_dir(), "ca.pem").resolve())

    def _tls_dir(self) -> str:
        args = self.server_args
        for i, arg in enumerate(args):
            if arg == "--tls-dir" and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith("--tls-dir="):
                return arg.split("=", 1)[1]
        return ".sandbox/tls"

    def _pump(self) -> None:
        """Pass the sandbox's output through, and hand each line to whoever waits for one."""
        for line in self.server.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            self.lines.put(line)
        self.lines.put(None)

    def _read_until(self, pattern: re.Pattern) -> str | None:
        """The first group of the next output line matching `pattern` (None if output ends)."""
        deadline = time.monotonic() + START_DEADLINE
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                return None
            if line is None:
                return None
            match = pattern.search(line)
            if match:
                return match.group(1)

    def start_bots(self, url: str, verify: str | bool) -> None:
        """Run each bot in its own BotRunner on its own thread (one log lock: whole lines)."""
        lock = threading.Lock()
        for bot in self.bots:
            report = Reporter(bot.role, fmt=self.args.bot_log_format, lock=lock)
            brain = escalating(make_brain("rules", intents=bot.intents))
            options = BotOptions(url, self.args.bot_account, Credentials(bot.user, password=bot.password),
                                 poll=self.args.bot_poll, verify=verify,
                                 typing_delay=self.args.bot_typing_delay)
            bot.runner = BotRunner(options, brain, report)
            bot.thread = threading.Thread(target=self._bot_main, args=(bot,), name=f"demo-{bot.role}",
                                          daemon=True)
            bot.thread.start()

    def _bot_main(self, bot: DemoBot) -> None:
        code = bot.runner.run()
        if code and not self.stopping.is_set():
            # The sandbox stays up (a custom --config may lack a demo bot); say who is missing.
            print(f"demo bot {bot.user} stopped (exit {code}); the sandbox keeps running without it",
                  file=sys.stderr, flush=True)

    def stop_bots(self) -> None:
        """Ask every bot to stop, then wait for each to end its chats and log out."""
        for bot in self.bots:
            if bot.runner is not None:
                bot.runner.stop()
        for bot in self.bots:
            if bot.thread is not None:
                bot.thread.join(STOP_DEADLINE)

    def stop_server(self) -> int:
        """Ask the sandbox to stop, then insist."""
        if self.server.poll() is None:
            self.server.terminate()
            try:
                self.server.wait(10)
            except subprocess.TimeoutExpired:
                self.server.kill()
                self.server.wait()
        return self.server.returncode


def main(argv=None) -> int:
    """Run until Ctrl-C/SIGTERM or until the sandbox exits."""
    args, server_args = parse_args(argv)
    demo = Demo(args, server_args)
    previous = {sig: signal.signal(sig, lambda *_: demo.stopping.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            url, verify = demo.start_server()
        except RuntimeError as exc:
            try:
                code = demo.server.wait(5)  # its output ended: it is on its way out
            except subprocess.TimeoutExpired:
                code = None
            if code:  # it said why on its own stderr (e.g. a busy port)
                return code
            print(f"error: {exc}", file=sys.stderr)
            return demo.stop_server() or 1
        demo.start_bots(url, verify)
        while not demo.stopping.wait(0.5):
            if demo.server.poll() is not None:
                break  # the sandbox went away: nothing left to demo
        demo.stopping.set()
        demo.stop_bots()
        server_code = demo.stop_server()
        return 0 if server_code in (0, -signal.SIGTERM) else server_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
