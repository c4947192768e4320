"""CLI: `python -m simulator bot ...` (an agent bot), `python -m simulator consumer ...` (a customer)."""
import argparse
import signal
import sys
import threading
from contextlib import contextmanager

from .brains import brain_names, make_brain
from .consumer import DEFAULT_LINES, GLOBAL_APP_KEY, ConsumerClient, ScriptedCustomer
from .login import REFRESH_EVERY, Credentials
from .report import Reporter


def _connection_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", required=True,
                   help="Domain API (CSDS) base, scheme://host:port, e.g. https://localhost:8443")
    p.add_argument("--account", required=True, help="account (site) id")
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    tls.add_argument("--ca", metavar="FILE", help="trust this CA bundle (e.g. .sandbox/tls/ca.pem)")


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m simulator",
                                description="Simulated LivePerson live-chat clients.")
    sub = p.add_subparsers(dest="command", required=True)

    bot = sub.add_parser("bot", help="run an agent bot (agent-sample-app's flow)")
    _connection_args(bot)
    bot.add_argument("--user", required=True, help="login name of the agent/bot user")
    bot.add_argument("--password", help="password (user login)")
    bot.add_argument("--app-key", help="API key (application login, instead of --password)")
    bot.add_argument("--secret")
    bot.add_argument("--access-token")
    bot.add_argument("--access-token-secret")
    bot.add_argument("--brain", default="transcript", choices=brain_names())
    bot.add_argument("--transcript", metavar="FILE", help="JSON array of lines (transcript brain)")
    bot.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                     help="seconds between polls (default 2, like the sample app)")
    bot.add_argument("--refresh", type=float, default=REFRESH_EVERY, metavar="SECONDS",
                     help="seconds between login refreshes (default 300)")
    bot.add_argument("--once", action="store_true",
                     help="log out and exit after the first chat ends")

    consumer = sub.add_parser("consumer", help="run a scripted customer (Server Chat API)")
    _connection_args(consumer)
    target = consumer.add_mutually_exclusive_group()
    target.add_argument("--skill", help="skill name or id to chat with")
    target.add_argument("--engagement", help="engagement id to chat through")
    consumer.add_argument("--line", action="append", metavar="TEXT",
                          help="a line to say (repeat; default: a 6-line script)")
    consumer.add_argument("--app-key", default=GLOBAL_APP_KEY, help="Server Chat API app key")
    consumer.add_argument("--timeout", type=float, default=60.0, metavar="S",
                          help="give up after this many seconds (default 60)")
    consumer.add_argument("--poll", type=float, default=1.0, metavar="SECONDS")
    return p.parse_args(argv)


@contextmanager
def _on_signals(callback):
    """Run `callback` on Ctrl-C/SIGTERM while inside; handlers restored after (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {sig: signal.signal(sig, lambda *_: callback())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _verify(args) -> bool | str:
    if args.insecure:
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return False
    return args.ca or True


def run_bot(args) -> int:
    """Run the bot until Ctrl-C (or the first chat's end with --once)."""
    from .bot import BotOptions, BotRunner
    if bool(args.password) == bool(args.app_key):
        print("error: give exactly one of --password and --app-key", file=sys.stderr)
        return 2
    credentials = Credentials(args.user, password=args.password, app_key=args.app_key,
                              secret=args.secret, access_token=args.access_token,
                              access_token_secret=args.access_token_secret)
    try:
        brain = make_brain(args.brain, transcript=args.transcript)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runner = BotRunner(BotOptions(args.url, args.account, credentials, poll=args.poll,
                                  once=args.once, verify=_verify(args),
                                  refresh_every=args.refresh), brain)
    # Ctrl-C / SIGTERM end the loop, which then logs out like a well-behaved agent.
    with _on_signals(runner.stop):
        return runner.run()


def run_consumer(args) -> int:
    """Play the script; 0 when every line was answered and the chat ended cleanly."""
    client = ConsumerClient(args.url, args.account, args.app_key, verify=_verify(args))
    customer = ScriptedCustomer(client, args.line or DEFAULT_LINES, skill=args.skill,
                                engagement_id=args.engagement, timeout=args.timeout,
                                poll=args.poll, report=Reporter("customer"))
    try:
        with _on_signals(customer.stop):
            result = customer.run()
    finally:
        client.close()
    return 0 if result.ok else 1


def main(argv=None) -> int:
    """Entry point."""
    args = parse_args(argv)
    return run_bot(args) if args.command == "bot" else run_consumer(args)


if __name__ == "__main__":
    sys.exit(main())
