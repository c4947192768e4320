"""CLI: `python -m simulator bot|consumer|check|load|demo ...` (see simulator/README.md)."""
import argparse
import signal
import sys
import threading
from contextlib import contextmanager


def missing_module(exc: ModuleNotFoundError) -> str:
    """What to do when this Python lacks a package the program needs."""
    return (f"error: {sys.executable} has no module '{exc.name}'. Run with the project's Python: "
            f"./dev run once (it makes .venv and installs what is needed), then "
            f".venv/bin/python -m simulator ...; or pip install . into your own environment")


try:
    from .brains import brain_names, make_brain
    from .brains.escalation import escalating
    from .brains.nlp import make_classifier
    from .cli import HelpFormatter
    from .customer import DEFAULT_LINES, ScriptedCustomer
    from .login import REFRESH_EVERY, Credentials
    from .report import Reporter, silent
    from .scripts import DEMO_ACCOUNT, ScriptError, load_script
    from .transport import LivePersonError, RetryPolicy
    from .visitor import GLOBAL_APP_KEY, VisitorClient
except ModuleNotFoundError as missing:  # a Python without the project's packages
    sys.exit(missing_module(missing))

LOG_FORMATS = ("text", "json")


class _Given(argparse.Action):
    """Store the value and note that it was given: a script's own account applies only when
    --account is not."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.account_given = True


def _connection_args(p: argparse.ArgumentParser, account_help: str = "account (site) id") -> None:
    """What every command has: where to go (CSDS host, account), TLS, the log's format."""
    p.add_argument("--url", required=True,
                   help="the Domain API (CSDS) host, scheme://host:port, e.g. https://localhost:8443; "
                        "every other host is looked up through it")
    p.add_argument("--account", action=_Given, default=DEMO_ACCOUNT, metavar="ID", help=account_help)
    p.set_defaults(account_given=False)
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    tls.add_argument("--ca", metavar="FILE", help="trust this CA bundle (e.g. .sandbox/tls/ca.pem)")
    p.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                   help="one log line per event: text (key=value) or json")


def _positive(kind):
    """An argparse type: a number of `kind` above 0."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
        return value
    return parse


def _retry_delays(text: str) -> RetryPolicy:
    try:
        delays = tuple(float(d) for d in text.split(",") if d.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of seconds, e.g. 5,10,15") from None
    return RetryPolicy(delays)


def parse_args(argv=None) -> argparse.Namespace:
    """The command line."""
    return build_parser().parse_args(argv)


def build_parser() -> argparse.ArgumentParser:
    """Every subcommand and its options; `--help` shows each default (HelpFormatter)."""
    p = argparse.ArgumentParser(prog="python -m simulator", formatter_class=HelpFormatter,
                                description="LivePerson live-chat clients: bots, scripted customers, checks.")
    from mock_server import __version__  # the one version of the package (both CLIs ship in it)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND",
                           help="bot, consumer, check, load or demo (each has its own --help)")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=description, formatter_class=HelpFormatter)

    bot = command("bot", "run an agent bot",
                  "An agent bot: logs in, goes Online, serves chats with a brain, escalates to people.")
    _connection_args(bot)
    bot.add_argument("--user", required=True, help="login name of the bot (or agent) user")
    bot.add_argument("--password", help="password (user login)")
    bot.add_argument("--app-key", help="API key (application login, instead of --password)")
    bot.add_argument("--secret", help="the API key's secret (application login)")
    bot.add_argument("--access-token", help="the API key's access token (application login)")
    bot.add_argument("--access-token-secret", help="the access token's secret (application login)")
    bot.add_argument("--brain", default="transcript", metavar="NAME",
                     help=f"{' | '.join(brain_names())} | module:attribute")
    bot.add_argument("--transcript", metavar="FILE",
                     help="JSON array of lines, for the transcript brain "
                          "(default: simulator/transcripts/default.json)")
    bot.add_argument("--intents", metavar="FILE",
                     help="intents YAML, for the rules brain (default: simulator/intents/default.yaml)")
    nlp = bot.add_mutually_exclusive_group()
    nlp.add_argument("--nlp", metavar="MODULE:FUNCTION",
                     help="your classifier: function(text, context) -> intent name or None")
    nlp.add_argument("--nlp-url", metavar="URL",
                     help='your classifier over HTTP: POST {"text": ...} -> {"intent": ...}')
    bot.add_argument("--escalate-on", action="append", metavar="WORD",
                     help="a word that hands the chat to a human; repeat for more (default: agent)")
    bot.add_argument("--escalate-intent", action="append", metavar="NAME",
                     help="an NLP intent that hands the chat to a human; repeat for more "
                          "(default: escalate)")
    bot.add_argument("--human-skill", metavar="SKILL",
                     help="skill (name or id) escalations go to "
                          "(default: the intents file's, else support-human)")
    bot.add_argument("--max-chats", type=int, metavar="N",
                     help="take at most N chats at once (the user's maxChats always applies)")
    bot.add_argument("--typing-delay", type=float, default=0.0, metavar="SECONDS",
                     help="show typing this long before each reply")
    bot.add_argument("--on-exit", choices=("end", "transfer"), default="end",
                     help="on Ctrl-C: end open chats, or transfer them to the human skill")
    bot.add_argument("--poll", type=float, default=2.0, metavar="SECONDS",
                     help="seconds between polls (default: %(default)g, like agent-sample-app)")
    bot.add_argument("--refresh", type=float, default=REFRESH_EVERY, metavar="SECONDS",
                     help="seconds between login refreshes (default: %(default)g, LivePerson's "
                          "keep-alive advice)")
    bot.add_argument("--retry-delays", type=_retry_delays, metavar="S,S,S",
                     help="pauses before retrying a 5xx or unreachable server (default: 5,10,15)")
    bot.add_argument("--once", action="store_true",
                     help="log out and exit after the first chat is over")

    # The command keeps its old name, `consumer`; what it runs is a customer (simulator/__init__.py).
    customer = command("consumer", "run a scripted customer (Server Chat API)",
                       "A customer on the Server Chat API: a YAML script with expectations, or "
                       "lines that must each get an answer.")
    _connection_args(customer, account_help="account (site) id (default: %(default)s, or the "
                                            "script's account: if it names one)")
    customer.add_argument("--script", metavar="FILE",
                          help="YAML script of lines and expectations (report: pass/fail per step)")
    target = customer.add_mutually_exclusive_group()
    target.add_argument("--skill", help="skill name or id to chat with (overrides the script's)")
    target.add_argument("--engagement", help="engagement id to chat through (overrides the script's)")
    customer.add_argument("--line", action="append", metavar="TEXT",
                          help="without --script: a line to say; repeat for more "
                               "(default: a 6-line chat)")
    customer.add_argument("--app-key", default=GLOBAL_APP_KEY, help="Server Chat API app key")
    customer.add_argument("--timeout", type=float, default=60.0, metavar="S",
                          help="without --script: give up after this many seconds")
    customer.add_argument("--poll", type=float, default=1.0, metavar="SECONDS",
                          help="seconds between polls of the chat's events")

    check = command("check", "run the Step 4 checks against a running sandbox",
                    "The five Step 4 checks against a running sandbox, PASS or FAIL each.")
    _connection_args(check)
    check.add_argument("--agent-user", default="demo-agent", metavar="LOGIN",
                       help="a human agent's login name")
    check.add_argument("--agent-password", default="demo-agent-pass", metavar="PASSWORD",
                       help="that agent's password")
    check.add_argument("--bot-user", default="demo-bot", metavar="LOGIN", help="the bot's login name")
    check.add_argument("--human-skill", default="support-human", metavar="SKILL",
                       help="where escalations go")
    check.add_argument("--escalate-text", default="agent", metavar="TEXT",
                       help="what the customer says to escalate")
    check.add_argument("--app-key", default=GLOBAL_APP_KEY, help="Server Chat API app key")
    check.add_argument("--timeout", type=float, default=20.0, metavar="S",
                       help="deadline of each wait, in seconds")
    check.add_argument("--poll", type=float, default=0.5, metavar="SECONDS", help="seconds between polls")

    load = command("load", "run many generated customers against a local sandbox",
                   "Generated customers (seeded Faker personas, intents drawn from a mix) at a "
                   "steady rate, at most --concurrency at once, then a summary table. Only a "
                   "sandbox on this machine (localhost, 127.0.0.1, ::1) is accepted.")
    load.add_argument("--url", required=True,
                      help="the sandbox's Domain API (CSDS) host, e.g. http://localhost:8080; "
                           "refused unless it is this machine")
    load.add_argument("--account", default=DEMO_ACCOUNT, metavar="ID", help="account (site) id")
    load_tls = load.add_mutually_exclusive_group()
    load_tls.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    load_tls.add_argument("--ca", metavar="FILE", help="trust this CA bundle (e.g. .sandbox/tls/ca.pem)")
    load.add_argument("--chats", type=_positive(int), default=20, metavar="N", help="customers to start")
    load.add_argument("--rate", type=_positive(float), default=2.0, metavar="R",
                      help="customers started per second")
    load.add_argument("--seed", type=int, default=1, metavar="S",
                      help="the same seed gives the same personas, intents and lines")
    load.add_argument("--mix", metavar="FILE",
                      help="YAML of intents, weights and lines (default: simulator/mixes/default.yaml)")
    load_target = load.add_mutually_exclusive_group()
    load_target.add_argument("--engagement", metavar="ID",
                             help="engagement to chat through (default: 5001001, unless --skill)")
    load_target.add_argument("--skill", metavar="NAME", help="skill (name or id) to chat with instead")
    load.add_argument("--concurrency", type=_positive(int), default=20, metavar="C",
                      help="customers in a chat at once, at most")
    load.add_argument("--timeout", type=_positive(float), default=600.0, metavar="SECONDS",
                      help="stop the whole run after this long and report what is unfinished")
    load.add_argument("--reply-timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                      help="how long a customer waits for an answer that must come")
    load.add_argument("--join-timeout", type=_positive(float), default=60.0, metavar="SECONDS",
                      help="how long a customer waits for an agent to take the chat")
    load.add_argument("--poll", type=_positive(float), default=0.5, metavar="SECONDS",
                      help="seconds between a customer's polls (the first answer's resolution)")
    load.add_argument("--human-agent", metavar="LOGIN:PASSWORD",
                      help="keep this human agent Online (taking no chats) while the load runs, so "
                           "the bots have someone to transfer to, e.g. demo-agent:demo-agent-pass")
    load.add_argument("--app-key", default=GLOBAL_APP_KEY, help="Server Chat API app key")
    load.add_argument("--no-progress", action="store_true", help="no progress bar (the summary only)")

    # its options are simulator/demo.py's (python -m simulator demo --help); main() hands it over
    sub.add_parser("demo", help="the sandbox (python -m mock_server options) with the two demo bots "
                                "online", add_help=False)
    return p


@contextmanager
def _on_signals(callback):
    """Run `callback` on the first Ctrl-C/SIGTERM while inside (a second one interrupts)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    previous = {}

    def handler(*_):
        for sig, old in previous.items():
            signal.signal(sig, old)  # a second Ctrl-C stops at once, should closing hang
        callback()

    previous.update({sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)})
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _verify(args) -> bool | str:
    if args.insecure:
        import urllib3
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        return False
    return args.ca or True


def build_brain(args, report=None):
    """The brain the options name, wrapped with escalation (keywords, NLP intents)."""
    inner = make_brain(args.brain, transcript=args.transcript, intents=args.intents)
    classifier = make_classifier(args.nlp, args.nlp_url, report=report or silent)
    return escalating(inner, classifier, keywords=args.escalate_on, intents=args.escalate_intent,
                      skill=args.human_skill)


def run_bot(args) -> int:
    """Run the bot until Ctrl-C (or the first chat's end with --once)."""
    from .bot import BotOptions, BotRunner
    if bool(args.password) == bool(args.app_key):
        print("error: give exactly one of --password and --app-key", file=sys.stderr)
        return 2
    report = Reporter("bot", fmt=args.log_format)
    credentials = Credentials(args.user, password=args.password, app_key=args.app_key,
                              secret=args.secret, access_token=args.access_token,
                              access_token_secret=args.access_token_secret)
    try:
        brain = build_brain(args, report)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = BotOptions(args.url, args.account, credentials, poll=args.poll, once=args.once,
                         verify=_verify(args), refresh_every=args.refresh, max_chats=args.max_chats,
                         typing_delay=args.typing_delay, on_exit=args.on_exit,
                         exit_skill=args.human_skill, retry=args.retry_delays)
    runner = BotRunner(options, brain, report)
    # Ctrl-C / SIGTERM end the loop, which then closes its chats and logs out.
    with _on_signals(runner.stop):
        return runner.run()


def run_customer(args) -> int:
    """The `consumer` command: a script (pass/fail report) or, without one, lines that must each
    get an answer."""
    report = Reporter("customer", fmt=args.log_format)
    account = args.account
    if args.script:
        try:
            played = load_script(args.script)
        except ScriptError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        if not (args.skill or args.engagement or played.skill or played.engagement):
            print("error: the script names no skill or engagement (or give --skill/--engagement)",
                  file=sys.stderr)
            return 2
        if not args.account_given:
            account = played.account or args.account
    else:
        played = args.line or DEFAULT_LINES
    client = VisitorClient(args.url, account, args.app_key, verify=_verify(args))
    customer = ScriptedCustomer(client, played, skill=args.skill, engagement_id=args.engagement,
                                timeout=args.timeout, poll=args.poll, report=report)
    try:
        with _on_signals(customer.stop):
            result = customer.run()
    finally:
        client.close()
    if args.script:
        print(result.report(), flush=True)
    return 0 if result.ok else 1


def run_check(args) -> int:
    """The five Step 4 checks; 0 when all pass."""
    from .check import Checker, CheckOptions, format_outcome, format_total
    options = CheckOptions(url=args.url, account=args.account,
                           agent_user=args.agent_user, agent_password=args.agent_password,
                           bot_user=args.bot_user, human_skill=args.human_skill,
                           escalate_text=args.escalate_text, app_key=args.app_key,
                           verify=_verify(args), timeout=args.timeout, poll=args.poll)
    report = Reporter("check", fmt=args.log_format)
    # Text: each verdict printed once, as it comes; json: each a log event of its own.
    on_step = (lambda o: print(format_outcome(o), flush=True)) if args.log_format == "text" else None
    checker = Checker(options, report, on_step=on_step)
    with _on_signals(checker.stop):
        outcomes = checker.run()
    print(format_total(outcomes), flush=True)
    return 0 if all(o.status == "PASS" for o in outcomes) else 1


def run_load(args) -> int:
    """The `load` command: 0 when every chat ran to its end, 1 if any errored or was left
    unfinished, 2 when it may not run (a host that is not this machine, a bad mix file)."""
    from .load import LoadOptions, LoadRefused, LoadRun, OnDuty, refuse_remote
    from .load_summary import print_summary, progress_bar
    from .mix import MixError, Timing, load_mix
    try:
        refuse_remote(args.url)
        mix = load_mix(args.mix)
    except (LoadRefused, MixError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = LoadOptions(args.url, args.account, chats=args.chats, rate=args.rate, seed=args.seed,
                          mix=mix, engagement=args.engagement, skill=args.skill,
                          concurrency=args.concurrency, timeout=args.timeout, poll=args.poll,
                          timing=Timing(reply=args.reply_timeout, join=args.join_timeout),
                          app_key=args.app_key, verify=_verify(args))
    on_duty = None
    try:
        if args.human_agent:
            login, _, password = args.human_agent.partition(":")
            on_duty = OnDuty(args.url, args.account, login, password, options.verify)
        with (progress_bar(args.chats) if not args.no_progress else _no_progress()) as on_change:
            run = LoadRun(options, on_change=on_change)
            with _on_signals(run.stop):
                report = run.run()
    except LoadRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except LivePersonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if on_duty is not None:
            on_duty.close()
    print_summary(report)
    return 0 if report.ok else 1


@contextmanager
def _no_progress():
    yield lambda outcome: None


def main(argv=None) -> int:
    """Entry point."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:
        from .demo import main as demo_main  # its options are mock_server's: no parsing here
        return demo_main(argv[1:])
    args = parse_args(argv)
    return {"bot": run_bot, "consumer": run_customer, "check": run_check,
            "load": run_load}[args.command](args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ModuleNotFoundError as exc:
        sys.exit(missing_module(exc))
