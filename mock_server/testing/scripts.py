"""`test_*.yaml` customer scripts as pytest tests: the plugin's `pytest_collect_file` hook calls
`collect_file(file_path, parent)`.

A file holds one script (simulator/scripts.py's format: one test, named after the script's
`name`, else the file), or several under `scripts:`, each a test; the file's other top-level keys
(`skill`, `engagement`, `account`, `request`, `timeout`, `join_timeout`) are defaults for each::

    skill: support-bot
    scripts:
      - name: greets
        steps: [{expect: {contains: "Hi"}}]
      - name: ends on bye
        steps: [{say: bye, expect: {ended: true, by: agent}}]

Each test plays its script with the simulator's ScriptedCustomer against the `cc_sandbox`
fixture (a fresh sandbox per test, or the session's reset one) after the `cc_bot` fixture, if the
project defines one, has started the bot under test. The item is a `pytest.Function` made with
pytest's public constructor around one small function, so fixtures, autouse fixtures, markers
(`-m`, `-k`) and `--setup-show` work as for any test. A failure names the step and shows the
report and the chat's transcript so far.
"""
import io
from pathlib import Path

import pytest
import yaml

BOT_FIXTURE = "cc_bot"  # the project's own fixture that starts its bot against cc_sandbox
POLL = 0.05  # seconds between the customer's polls: the sandbox is local
DEFAULT_KEYS = ("account", "skill", "engagement", "request", "timeout", "join_timeout")


def collect_file(file_path: Path, parent):
    """A YamlScriptFile for a `test_*.yaml` (or `.yml`) file, else None."""
    path = Path(file_path)
    if path.name.startswith("test_") and path.suffix in (".yaml", ".yml"):
        return YamlScriptFile.from_parent(parent, path=path)
    return None


class ScriptFailed(AssertionError):
    """A script that did not pass; `result` is the simulator's CustomerResult."""

    def __init__(self, result):
        self.result = result
        super().__init__(result.failure() or "the script failed")


class YamlScriptFile(pytest.File):
    """A YAML file of one customer script, or of several under `scripts:`."""

    def collect(self):
        from simulator.scripts import ScriptError, parse_script  # the simulator loads on use
        try:
            data = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise self.CollectError(f"{self.path.name}: {exc}") from None
        if isinstance(data, dict) and "scripts" in data:
            entries = data["scripts"]
            unknown = sorted(set(data) - {"scripts", *DEFAULT_KEYS})
            if unknown or not isinstance(entries, list) or not entries:
                raise self.CollectError(f"{self.path.name}: a file of scripts holds a non-empty "
                                        f"'scripts' list and defaults ({', '.join(DEFAULT_KEYS)})"
                                        + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
            defaults = {k: v for k, v in data.items() if k != "scripts"}
        else:
            entries, defaults = [data], {}
        seen: set[str] = set()
        for number, entry in enumerate(entries, 1):
            where = self.path.name if len(entries) == 1 else f"{self.path.name}: script {number}"
            if isinstance(entry, dict):
                entry = {**defaults, **entry}
            try:
                script = parse_script(entry, where)
            except ScriptError as exc:
                raise self.CollectError(str(exc)) from None
            name = str(entry.get("name") or (self.path.stem if len(entries) == 1 else f"script {number}"))
            if name in seen:  # two tests of one id would shadow each other
                name = f"{name} [{number}]"
            seen.add(name)
            yield YamlScriptItem.from_parent(self, name=name, callobj=play_script, script=script,
                                             number=number)


def play_script(request, cc_sandbox) -> None:
    """The test function of every script item (its arguments are the fixtures it needs)."""
    request.node.run_script(request, cc_sandbox)


class YamlScriptItem(pytest.Function):
    """One customer script, played against the cc_sandbox fixture's sandbox."""

    def __init__(self, *, script, number: int = 1, **kwargs):
        self.script = script
        self.number = number  # the script's place in its file
        self.result = None  # the CustomerResult once run
        super().__init__(**kwargs)

    def setup(self) -> None:
        """The fixtures (cc_sandbox first), then the project's bot if it has a `cc_bot` fixture:
        set up here, so a bot that cannot start is an error of the setup, as for any fixture."""
        super().setup()
        try:
            self.funcargs["request"].getfixturevalue(BOT_FIXTURE)
        except pytest.FixtureLookupError as exc:
            if exc.argname != BOT_FIXTURE:  # cc_bot exists but wants something missing
                raise

    def run_script(self, request, sandbox) -> None:
        """Play the script against the sandbox; fail, naming the step, if it failed."""
        from simulator.customer import ScriptedCustomer
        from simulator.report import Reporter
        from simulator.transport import RetryPolicy
        from simulator.visitor import VisitorClient
        account = self.script.account or sandbox.account
        # No retries: a test wants the sandbox's answer (or an injected fault) at once.
        client = VisitorClient(sandbox.url, account, verify=sandbox.verify, retry=RetryPolicy.none())
        log = io.StringIO()
        customer = ScriptedCustomer(client, self.script, poll=POLL, report=Reporter("customer", stream=log),
                                    control=sandbox.url)
        try:
            self.result = customer.run()
        finally:
            client.close()
        self.add_report_section("call", "customer log", log.getvalue())
        if not self.result.ok:
            raise ScriptFailed(self.result)

    def repr_failure(self, excinfo, style=None):
        """A failed script: which step, the step-by-step report, the transcript so far."""
        if isinstance(excinfo.value, ScriptFailed):
            result = excinfo.value.result
            return "\n".join([f"{self.path.name}::{self.name}: {result.failure()}", "",
                              result.report(), "", f"transcript of chat {result.chat_id or '-'}:",
                              *(f"  {line}" for line in result.transcript().splitlines())])
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, self.name  # a dotted file name here would read as pytest nodes
