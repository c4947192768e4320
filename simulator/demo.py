"""`python -m simulator demo [mock_server options]`: the sandbox with the demo bot talking.

Starts `python -m mock_server` with the given options, passes its output through, waits for its
"listening on URL" line, then runs the rules bot as demo-bot through the Domain API of that URL
(trusting the sandbox's CA with --tls), so the consumer page has someone to talk to at once and
"agent" reaches support-human. Ctrl-C or SIGTERM stops the bot first (it ends its chats and logs
out) and then the sandbox. `python -m mock_server` alone starts no bot.
"""
import argparse
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .bot import BotOptions, BotRunner
from .brains import make_brain
from .brains.escalation import escalating
from .cli import HelpFormatter
from .login import Credentials
from .report import Reporter
from .scripts import DEMO_ACCOUNT

LISTENING = re.compile(r"listening on (\S+)")
TRUST_CA = re.compile(r"trust the CA at (\S+)")
START_DEADLINE = 60.0  # seconds for the sandbox to print its banner


def parse_args(argv=None) -> tuple[argparse.Namespace, list[str]]:
    """The demo's own options (--account, --bot-*); everything else goes to mock_server."""
    return build_parser().parse_known_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """The demo's own options; `--help` shows their defaults."""
    p = argparse.ArgumentParser(prog="python -m simulator demo", formatter_class=HelpFormatter,
                                description="Run the sandbox with the demo rules bot online. "
                                            "Other options go to python -m mock_server.",
                                epilog="python -m mock_server --help lists the sandbox's options "
                                       "(--host, --port, --tls, --config, ...).")
    p.add_argument("--account", "--bot-account", dest="bot_account", default=DEMO_ACCOUNT,
                   metavar="ID", help="the bot's account (site) id")
    p.add_argument("--bot-user", default="demo-bot", metavar="LOGIN", help="the bot's login name")
    p.add_argument("--bot-password", default="demo-bot-pass", metavar="PASSWORD",
                   help="the bot's password")
    p.add_argument("--bot-intents", metavar="FILE",
                   help="intents YAML (default: simulator/intents/default.yaml)")
    p.add_argument("--bot-poll", type=float, default=1.0, metavar="SECONDS",
                   help="seconds between the bot's polls")
    p.add_argument("--bot-typing-delay", type=float, default=0.8, metavar="SECONDS",
                   help="typing shown before each reply")
    p.add_argument("--bot-log-format", choices=("text", "json"), default="text",
                   help="the bot's log lines: text or json")
    return p


class Demo:
    """The sandbox subprocess and the bot thread, started and stopped together."""

    def __init__(self, args: argparse.Namespace, server_args: list[str]):
        self.args = args
        self.server_args = server_args
        self.server: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.runner: BotRunner | None = None

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

    def start_bot(self, url: str, verify: str | bool) -> threading.Thread:
        """Run the rules bot on its own thread."""
        report = Reporter("bot", fmt=self.args.bot_log_format)
        brain = escalating(make_brain("rules", intents=self.args.bot_intents))
        options = BotOptions(url, self.args.bot_account,
                             Credentials(self.args.bot_user, password=self.args.bot_password),
                             poll=self.args.bot_poll, verify=verify,
                             typing_delay=self.args.bot_typing_delay)
        self.runner = BotRunner(options, brain, report)
        thread = threading.Thread(target=self._bot_main, name="demo-bot", daemon=True)
        thread.start()
        return thread

    def _bot_main(self) -> None:
        code = self.runner.run()
        if code and not self.stopping.is_set():
            # The sandbox stays up (a custom --config may have no demo bot); say why we are alone.
            print(f"demo bot stopped (exit {code}); the sandbox keeps running without it",
                  file=sys.stderr, flush=True)

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
        bot = demo.start_bot(url, verify)
        while not demo.stopping.wait(0.5):
            if demo.server.poll() is not None:
                break  # the sandbox went away: nothing left to demo
        demo.stopping.set()
        demo.runner.stop()
        bot.join(30)
        server_code = demo.stop_server()
        return 0 if server_code in (0, -signal.SIGTERM) else server_code
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
