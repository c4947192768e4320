"""Customer scripts: the YAML format of what a customer says and expects, checked before it runs.

simulator/customer.py plays them (ScriptedCustomer) on the Server Chat API; plain lines
(`consumer --line ...`) become a script too (`lines_script`).

A script (see simulator/scripts/escalation.yaml)::

    name: Escalation reaches a person   # optional, shown in the report
    account: "12345678"                 # optional (--account wins; default the demo account)
    skill: support-bot                  # where to ask for a chat: a skill (name or id) ...
    # engagement: "5001001"             # ... or an engagement (give one of the two)
    request:                            # optional extra chat request fields, sent as given
      persona: {name: Jamie Rivera}     #   (persona is the sandbox's extension; LivePerson
                                        #    ignores what it does not know)
    timeout: 10                         # default deadline of each expectation, in seconds
    join_timeout: 30                    # deadline for the first agent to join (default: timeout)
    steps:
      - name: Jamie                     # tell the agent our name (info/visitorName)
      - say: Hi                         # say a line
        expect: {reply: 'hello|hi'}     # ... and expect an answer (one check or a list)
      - say: I want an agent
        expect:
          - transferred: support-human  # system message 15 and chat info skillName
          - reply: '.+'                 # a line from ...
            human: true                 # ... another agent than the first one to join
            within: 60                  # this check's own deadline
      - expect: {ended: true, by: agent}
      - end: true                       # the customer closes the chat

Checks (each passes as soon as what it names shows up, or fails at its deadline):

- `reply: REGEX`: an agent line after our last line (and after what earlier checks used up)
  matches REGEX (searched, any case). `agent: NAME`: the line's `by` (the agent's nickname) is
  NAME. `human: true`: it was said by an agent other than the first one who joined the chat.
- `joined: NAME` (or `joined: true`): an agent joined (state `chatting`); NAME must be the chat
  info's agentName; `human: true` as above.
- `transferred: SKILL`: the platform announced a transfer to a skill (system message 15) and the
  chat info now names SKILL.
- `ended: true`: the chat ended; `by: agent` (system message 5 first), `visitor` (we ended it)
  or `system` (anything else, e.g. a timeout).

"Human" is judged from the visitor's side only, honestly: the Server Chat API says who is
talking (agent names) but not whether they are people. `human: true` therefore means "not the
agent who answered first", which after a bot's handoff is the person; `agent: NAME` pins the
name when you know it.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import yaml

DEMO_ACCOUNT = "12345678"
STEP_KEYS = {"say", "expect", "name", "end"}
CHECK_KEYS = {"reply", "joined", "transferred", "ended", "agent", "human", "within", "by"}


class ScriptError(ValueError):
    """A script file that does not follow the format."""


@dataclass(frozen=True)
class Check:
    """One expectation."""

    kind: str  # reply, joined, transferred, ended
    value: object
    within: float
    agent: str | None = None
    human: bool = False
    by: str | None = None
    or_ended: bool = False  # reply only: the chat ending (not by us) answers too (not in YAML)

    def describe(self) -> str:
        """How the report names this check."""
        reply = f"reply /{self.value}/" if self.value else "an agent line"
        what = {"reply": f"{reply} or the chat's end" if self.or_ended else reply,
                "joined": "an agent joins" if self.value is True else f"{self.value} joins",
                "transferred": f"transfer to {self.value}", "ended": "the chat ends"}[self.kind]
        extra = [f"by {self.agent}" if self.agent else "", "from a human" if self.human else "",
                 f"by the {self.by}" if self.by else ""]
        return " ".join([what, *[e for e in extra if e], f"within {self.within:g}s"])


@dataclass(frozen=True)
class Step:
    """One step: a name to give, a line to say, checks to make, or the end."""

    say: str | None = None
    name: str | None = None
    end: bool = False
    checks: tuple[Check, ...] = ()

    def describe(self) -> str:
        """How the report names this step."""
        parts = []
        if self.name is not None:
            parts.append(f"name {self.name!r}")
        if self.say is not None:
            parts.append(f"say {self.say!r}")
        if self.end:
            parts.append("end the chat")
        parts += [f"expect {c.describe()}" for c in self.checks]
        return "; ".join(parts)


@dataclass(frozen=True)
class Script:
    """A parsed script."""

    name: str
    steps: tuple[Step, ...]
    account: str | None = None
    skill: str | None = None
    engagement: str | None = None
    request: dict = field(default_factory=dict)
    timeout: float = 10.0
    join_timeout: float = 10.0
    # Not in YAML (plain lines set them): wait for an available agent before asking for the
    # chat, and give up on the whole run after this many seconds.
    wait_available: bool = False
    give_up_after: float | None = None


def load_script(path: str | Path) -> Script:
    """Read and check a script file; ScriptError says what is wrong and where."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScriptError(f"{path}: {exc}") from exc
    return parse_script(data, str(path))


def parse_script(data, where: str = "script") -> Script:
    """Build a Script from already-loaded YAML data."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or not data["steps"]:
        raise ScriptError(f"{where}: a script is a mapping with a non-empty 'steps' list")
    unknown = set(data) - {"name", "account", "skill", "engagement", "request", "timeout",
                           "join_timeout", "steps"}
    if unknown:
        raise ScriptError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if data.get("skill") is not None and data.get("engagement") is not None:
        raise ScriptError(f"{where}: give 'skill' or 'engagement', not both")
    timeout = _seconds(data.get("timeout", 10), f"{where}: timeout")
    steps = tuple(_step(item, timeout, f"{where}: step {n}") for n, item in enumerate(data["steps"], 1))
    request = data.get("request") or {}
    if not isinstance(request, dict):
        raise ScriptError(f"{where}: 'request' must be a mapping")
    return Script(name=str(data.get("name") or where), steps=steps,
                  account=_opt_str(data.get("account")), skill=_opt_str(data.get("skill")),
                  engagement=_opt_str(data.get("engagement")), request=request, timeout=timeout,
                  join_timeout=_seconds(data.get("join_timeout", timeout), f"{where}: join_timeout"))


def lines_script(lines: Sequence[str], skill: str | None = None, engagement: str | None = None,
                 timeout: float = 60.0) -> Script:
    """Plain lines as a script: once an agent is available, each line must get an agent line
    (the last one may get the chat's end instead), all within `timeout` seconds in total."""
    last = len(lines) - 1
    steps = tuple(Step(say=text, checks=(Check("reply", "", timeout, or_ended=n == last),))
                  for n, text in enumerate(lines))
    return Script(name="lines", steps=steps, skill=skill, engagement=engagement, timeout=timeout,
                  join_timeout=timeout, wait_available=True, give_up_after=timeout)


def _opt_str(value) -> str | None:
    return None if value is None else str(value)


def _seconds(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ScriptError(f"{where} must be a positive number of seconds")
    return float(value)


def _step(item, timeout: float, where: str) -> Step:
    if not isinstance(item, dict) or not item or set(item) - STEP_KEYS:
        raise ScriptError(f"{where}: a step is a mapping of {', '.join(sorted(STEP_KEYS))}")
    checks = item.get("expect") or []
    checks = checks if isinstance(checks, list) else [checks]
    return Step(say=_opt_str(item.get("say")), name=_opt_str(item.get("name")),
                end=bool(item.get("end")),
                checks=tuple(_check(c, timeout, f"{where}: expect") for c in checks))


def _check(item, timeout: float, where: str) -> Check:
    if not isinstance(item, dict) or set(item) - CHECK_KEYS:
        raise ScriptError(f"{where}: a check is a mapping of {', '.join(sorted(CHECK_KEYS))}")
    kinds = [k for k in ("reply", "joined", "transferred", "ended") if k in item]
    if len(kinds) != 1:
        raise ScriptError(f"{where}: give exactly one of reply, joined, transferred, ended")
    kind, value = kinds[0], item[kinds[0]]
    if kind == "reply":
        try:
            re.compile(str(value))
        except re.error as exc:
            raise ScriptError(f"{where}: bad pattern {value!r}: {exc}") from exc
        value = str(value)
    if item.get("by") not in (None, "agent", "visitor", "system"):
        raise ScriptError(f"{where}: 'by' is agent, visitor or system")
    return Check(kind=kind, value=value, within=_seconds(item.get("within", timeout), f"{where}: within"),
                 agent=_opt_str(item.get("agent")), human=bool(item.get("human")), by=item.get("by"))
