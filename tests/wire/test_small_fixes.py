"""Small things of the first hour, over the wire and on the command line: /favicon.ico and the
icon every page links; the simulator's --help (every option explained, defaults shown, the same
--account default everywhere). The browser side is in tests/browser/test_small_fixes.py."""
import argparse
import re
import subprocess
import sys

import pytest
import requests

from simulator import demo
from simulator.__main__ import build_parser, parse_args
from simulator.cli import HelpFormatter
from simulator.scripts import DEMO_ACCOUNT

from tests.support.constants import ACCOUNT, DEMO_BOT, OTHER_ACCOUNT
from tests.support.paths import ROOT, STATIC


ICON = STATIC / "img" / "favicon.svg"
ICON_HREF = "/static/img/favicon.svg"
COMMANDS = ("bot", "consumer", "check", "demo", "load")


# --- the favicon ------------------------------------------------------------------------------

def test_favicon_ico_serves_the_pages_icon(live):
    """Browsers ask for /favicon.ico whatever a page links: it is the same SVG, with the
    documents' headers (an SVG opened on its own is a document)."""
    r = requests.get(f"{live.url}/favicon.ico", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("image/svg+xml")
    assert r.content == ICON.read_bytes()
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    head = requests.head(f"{live.url}/favicon.ico", timeout=10)
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("image/svg+xml")
    again = requests.get(f"{live.url}/favicon.ico", timeout=10, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304  # cached like any static file
    linked = requests.get(live.url + ICON_HREF, timeout=10)
    assert linked.status_code == 200 and linked.content == r.content
    assert linked.headers["Content-Type"].startswith("image/svg+xml")


@pytest.mark.parametrize("path", ["/", "/consumer", "/docs"])
def test_pages_link_the_icon(live, path):
    """The home page, the consumer page and the API reference link the icon (as SVG)."""
    html = requests.get(live.url + path, timeout=10).text
    links = re.findall(r'<link rel="icon"[^>]*>', html)
    assert len(links) == 1, links
    assert f'href="{ICON_HREF}"' in links[0] and 'type="image/svg+xml"' in links[0]


def test_the_icon_is_a_plain_svg():
    """No script, no style, no outside reference: it draws under the pages' CSP anywhere."""
    text = ICON.read_text()
    assert text.startswith("<svg") and 'viewBox="0 0 64 64"' in text
    for banned in ("<script", "style", "href", "http://", "https://"):
        assert banned not in text.replace('xmlns="http://www.w3.org/2000/svg"', ""), banned


# --- the simulator's command line ------------------------------------------------------------

def _parsers() -> dict[str, argparse.ArgumentParser]:
    """Every subcommand's parser; demo's is its own (main() hands demo over to it)."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    parsers = {name: sub.choices[name] for name in COMMANDS if name != "demo"}
    parsers["demo"] = demo.build_parser()
    return parsers


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]


def test_every_option_of_every_subcommand_has_help_text():
    top = build_parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(COMMANDS)
    assert all(choice.help for choice in sub._choices_actions), "every subcommand has a summary"
    for name, parser in _parsers().items():
        options = _options(parser)
        assert options, name
        for action in options:
            assert action.help and action.help.strip(), f"{name} {action.option_strings[0]}: no help"
            assert len(action.help) > 8, f"{name} {action.option_strings[0]}: {action.help!r}"


def test_help_shows_every_default():
    """Each option with a default says it in --help, in one format: "(default: X)"."""
    for name, parser in _parsers().items():
        assert issubclass(parser.formatter_class, HelpFormatter), name
        formatter = parser._get_formatter()
        for action in _options(parser):
            shown = formatter._get_help_string(action)
            if action.default not in (None, False) and action.default != argparse.SUPPRESS:
                assert "(default: " in shown, f"{name} {action.option_strings[0]}: {shown!r}"
            assert "(default " not in shown, f"{name} {action.option_strings[0]}: old format {shown!r}"


def test_account_defaults_to_the_demo_account_everywhere():
    assert DEMO_ACCOUNT == ACCOUNT
    for name, parser in _parsers().items():
        account = [a for a in _options(parser) if "--account" in a.option_strings]
        assert len(account) == 1, f"{name}: no --account"
        assert account[0].default == DEMO_ACCOUNT, name
        assert not account[0].required, name
    # parsed: the default when not given; a script's own account applies only then
    for command in ("bot", "consumer", "check"):
        extra = ["--user", DEMO_BOT.login, "--password", "p"] if command == "bot" else []
        args = parse_args([command, "--url", "http://localhost:8080", *extra])
        assert args.account == DEMO_ACCOUNT and args.account_given is False, command
        args = parse_args([command, "--url", "http://localhost:8080", "--account", OTHER_ACCOUNT, *extra])
        assert args.account == OTHER_ACCOUNT and args.account_given is True, command
    args, rest = demo.parse_args(["--port", "0"])
    assert args.bot_account == DEMO_ACCOUNT and rest == ["--port", "0"]
    assert demo.parse_args(["--bot-account", OTHER_ACCOUNT])[0].bot_account == OTHER_ACCOUNT  # the old name


@pytest.mark.parametrize("command", COMMANDS)
def test_help_output_names_the_account_default(command):
    """`python -m simulator COMMAND --help` (the real program) shows --account and its default."""
    out = subprocess.run([sys.executable, "-m", "simulator", command, "--help"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    options = out.stdout.split("\noptions:\n", 1)[1]
    # each option's entry: its line "  --name ..." and the wrapped lines under it
    entries = [" ".join(e.split()) for e in re.split(r"\n(?=  -)", options)]
    account = [e for e in entries if e.startswith("--account ID")]
    assert len(account) == 1, entries
    assert f"(default: {ACCOUNT}" in account[0], account[0]
    assert "(default: None)" not in options and "(default: False)" not in options
