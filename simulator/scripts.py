"""Customer scripts: the YAML format of what a customer says and expects, checked before it runs.

simulator/customer.py plays them (ScriptedCustomer) on the Server Chat API; plain lines
(`consumer --line ...`) become a script too (`lines_script`). The sandbox exports any chat as one
(`GET /_sandbox/chats/{chatId}/script`), and pytest runs `test_*.yaml` files of them
(mock_server/testing/scripts.py).

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
            reason: 'asked for'         # the transfer's note (needs the sandbox, below)
          - state: waiting
          - reply: '.+'                 # a line from ...
            human: true                 # ... another agent than the first one to join
            within: 60                  # this check's own deadline
      - expect: {ended: true, by: agent}
      - end: true                       # the customer closes the chat
      - answer_survey: {csat: 4, comment: Thanks}  # the exit survey, once the chat is over

Other step keys: `wait: S` (say nothing for S seconds, still following the chat) and
`answer_survey: {csat: 1-5, resolved: true|false, comment: TEXT}` (any of them: answers the exit
survey's 1-5 satisfaction question, the one whose choices are 1 to 5; its yes/no "resolved"
question, if it has one; and its free-text question; after the chat's end, as a customer does).

Checks (each passes as soon as what it names shows up, or fails at its deadline). A check is
either a line check or one chat check.

Line checks: an agent line after our last line (and after what earlier checks used up), for
which every condition given holds:

- `reply: REGEX`: the line's text matches REGEX, searched, any case (`reply: '.+'`: any line).
- `text: TEXT`: the text is exactly TEXT.
- `contains: TEXT`: the text holds TEXT (case counts).
- `matches: REGEX`: the whole text matches REGEX (Python `re.fullmatch`, case counts; write
  `(?i)` or `(?s)` for any case or `.` across lines). What exported scripts use.
- `rich: true`: the line is structured content (textType rich-content); `rich: TYPE`: its card
  is, or holds, an element of that type (`vertical`, `button`, `image`, ...).
- `agent: NAME`: the line's `by` (the agent's nickname) is NAME. `human: true`: it was said by
  an agent other than the first one who joined the chat.

"The text" is what a reader sees: tags of html lines dropped, entities decoded; a card without
a text reads as its texts and button titles.

Chat checks:

- `joined: NAME` (or `joined: true`): an agent joined (state `chatting`); NAME must be the chat
  info's agentName; `human: true` as above.
- `transferred: SKILL` (or `true`, any skill): the platform announced a transfer (system message
  15) and the chat info now names SKILL. `reason: REGEX` (searched, any case): the transfer's
  reason matches. The reason is a note only agents see, so this reads it from the sandbox's
  control plane (`/_sandbox` on the `--url` host); against LivePerson it fails, saying so.
- `skill: SKILL`: the chat's skill, per the visitor's chat info, is SKILL (name or id, any case).
- `state: waiting|chatting|ended`: the chat info's state is that.
- `ended: true`: the chat ended; `by: agent` (system message 5 first), `visitor` (we ended it)
  or `system` (anything else, e.g. a timeout).
- `survey: true`: once the chat has ended, the chat resource links an exit survey
  (`exit-survey`) and it has questions (`survey: false`: it offers none).

Any check takes `within: S`, its own deadline. A failed check stops the script there; the
result names the step (its number and what it says or does) and carries the chat's transcript.
Any check also takes `optional: true`: what a customer waits for a while but does without (a
person who may never come); not seen by its deadline, the step goes on and still passes.

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
STEP_KEYS = {"say", "expect", "name", "end", "wait", "answer_survey"}
SURVEY_KEYS = {"csat", "resolved", "comment"}
LINE_KEYS = ("reply", "text", "contains", "matches", "rich")  # conditions on one agent line
CHAT_KINDS = ("joined", "transferred", "skill", "state", "ended", "survey")
CHECK_KEYS = {*LINE_KEYS, *CHAT_KINDS, "agent", "human", "within", "by", "reason", "optional"}
STATES = ("waiting", "chatting", "ended")
# Which kinds a modifier belongs to ("reply" stands for every line check).
MODIFIERS = {"agent": ("reply", "joined"), "human": ("reply", "joined"), "by": ("ended",),
             "reason": ("transferred",)}


class ScriptError(ValueError):
    """A script file that does not follow the format."""


@dataclass(frozen=True)
class Check:
    """One expectation: a line check (kind "reply") or a chat check."""

    kind: str  # reply (any line check), joined, transferred, skill, state, ended, survey
    value: object  # reply: the searched pattern ("" any line); else the kind's own value
    within: float
    agent: str | None = None
    human: bool = False
    by: str | None = None
    or_ended: bool = False  # reply only: the chat ending (not by us) answers too (not in YAML)
    text: str | None = None  # reply: the whole text
    contains: str | None = None  # reply: a part of the text
    matches: str | None = None  # reply: a pattern the whole text matches
    rich: bool | str | None = None  # reply: structured content (True) of a type (str)
    reason: str | None = None  # transferred: a pattern searched in the transfer's reason
    optional: bool = False  # not seen by the deadline: the step still passes

    def describe(self) -> str:
        """How the report names this check."""
        if self.kind == "reply":
            what = self._describe_line()
        elif self.kind == "transferred":
            what = "a transfer" if self.value is True else f"transfer to {self.value}"
            what += f" with reason /{self.reason}/" if self.reason is not None else ""
        else:
            what = {"joined": "an agent joins" if self.value is True else f"{self.value} joins",
                    "skill": f"skill {self.value}", "state": f"state {self.value}",
                    "ended": "the chat ends",
                    "survey": "an exit survey offered" if self.value else "no exit survey"}[self.kind]
        extra = [f"by {self.agent}" if self.agent else "", "from a human" if self.human else "",
                 f"by the {self.by}" if self.by else ""]
        described = " ".join([what, *[e for e in extra if e], f"within {self.within:g}s"])
        return f"{described} (optional)" if self.optional else described

    def _describe_line(self) -> str:
        parts = [f"/{self.value}/" if self.value else ""]
        if self.text is not None:
            parts.append(f"text {self.text!r}")
        if self.contains is not None:
            parts.append(f"containing {self.contains!r}")
        if self.matches is not None:
            parts.append(f"matching /{self.matches}/ whole")
        if self.rich is not None:
            parts.append("rich content" if self.rich is True else f"rich content ({self.rich})")
        given = " ".join(p for p in parts if p)
        what = f"reply {given}" if given else "an agent line"
        return f"{what} or the chat's end" if self.or_ended else what


@dataclass(frozen=True)
class SurveyAnswers:
    """What a customer answers in the exit survey: the 1-5 satisfaction, whether the issue was
    resolved, a comment."""

    csat: int | None = None
    comment: str | None = None
    resolved: bool | None = None

    def describe(self) -> str:
        """How the report names these answers."""
        parts = [f"CSAT {self.csat}" if self.csat is not None else "",
                 "" if self.resolved is None else "resolved" if self.resolved else "not resolved",
                 f"comment {self.comment!r}" if self.comment else ""]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class Step:
    """One step: a name to give, a line to say, a pause, checks to make, the end, the survey."""

    say: str | None = None
    name: str | None = None
    end: bool = False
    checks: tuple[Check, ...] = ()
    wait: float | None = None  # seconds of saying nothing (after the line, before the checks)
    survey: SurveyAnswers | None = None  # the exit survey's answers (after the end, if any)

    def describe(self) -> str:
        """How the report names this step."""
        parts = []
        if self.name is not None:
            parts.append(f"name {self.name!r}")
        if self.say is not None:
            parts.append(f"say {self.say!r}")
        if self.wait is not None:
            parts.append(f"wait {self.wait:g}s")
        if self.end:
            parts.append("end the chat")
        parts += [f"expect {c.describe()}" for c in self.checks]
        if self.survey is not None:
            parts.append(f"answer the exit survey ({self.survey.describe()})")
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


SCRIPT_KEYS = {"name", "account", "skill", "engagement", "request", "timeout", "join_timeout", "steps"}


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
    unknown = set(data) - SCRIPT_KEYS
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
    wait = _seconds(item["wait"], f"{where}: wait") if item.get("wait") is not None else None
    return Step(say=_opt_str(item.get("say")), name=_opt_str(item.get("name")),
                end=bool(item.get("end")),
                checks=tuple(_check(c, timeout, f"{where}: expect") for c in checks),
                wait=wait, survey=_survey_answers(item.get("answer_survey"), f"{where}: answer_survey"))


def _survey_answers(value, where: str) -> SurveyAnswers | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value or set(value) - SURVEY_KEYS:
        raise ScriptError(f"{where}: a mapping of {', '.join(sorted(SURVEY_KEYS))}")
    csat = value.get("csat")
    if csat is not None and (isinstance(csat, bool) or csat not in (1, 2, 3, 4, 5)):
        raise ScriptError(f"{where}: 'csat' is 1 to 5")
    resolved = value.get("resolved")
    if resolved is not None and not isinstance(resolved, bool):
        raise ScriptError(f"{where}: 'resolved' is true or false")
    return SurveyAnswers(csat=csat, comment=_opt_str(value.get("comment")), resolved=resolved)


def _pattern(value, where: str) -> str:
    try:
        re.compile(str(value))
    except re.error as exc:
        raise ScriptError(f"{where}: bad pattern {value!r}: {exc}") from exc
    return str(value)


def _check(item, timeout: float, where: str) -> Check:
    if not isinstance(item, dict) or set(item) - CHECK_KEYS:
        raise ScriptError(f"{where}: a check is a mapping of {', '.join(sorted(CHECK_KEYS))}")
    lines = [k for k in LINE_KEYS if k in item]
    kinds = [k for k in CHAT_KINDS if k in item]
    if len(kinds) + bool(lines) != 1:
        raise ScriptError(f"{where}: give exactly one of joined, transferred, skill, state, ended, "
                          f"survey or line conditions ({', '.join(LINE_KEYS)}), not several kinds")
    kind = "reply" if lines else kinds[0]
    for key, owners in MODIFIERS.items():
        if key in item and kind not in owners:
            raise ScriptError(f"{where}: '{key}' goes with {' or '.join(o if o != 'reply' else 'a line check' for o in owners)}")
    within = _seconds(item.get("within", timeout), f"{where}: within")
    common = {"agent": _opt_str(item.get("agent")), "human": bool(item.get("human")), "by": item.get("by"),
              "optional": bool(item.get("optional"))}
    if kind == "reply":
        return Check("reply", _pattern(item["reply"], where) if "reply" in item else "", within,
                     text=_opt_str(item.get("text")), contains=_opt_str(item.get("contains")),
                     matches=_pattern(item["matches"], where) if "matches" in item else None,
                     rich=_rich(item.get("rich"), where), **common)
    value = item[kind]
    if kind == "ended" and item.get("by") not in (None, "agent", "visitor", "system"):
        raise ScriptError(f"{where}: 'by' is agent, visitor or system")
    if kind == "state" and value not in STATES:
        raise ScriptError(f"{where}: 'state' is one of {', '.join(STATES)}")
    if kind == "survey" and not isinstance(value, bool):
        raise ScriptError(f"{where}: 'survey' is true or false")
    if kind in ("skill", "transferred") and (value is None or value is False or value == ""):
        raise ScriptError(f"{where}: '{kind}' names a skill" + (" (or true)" if kind == "transferred" else ""))
    if kind in ("skill",) or (kind == "transferred" and value is not True):
        value = str(value)
    reason = _pattern(item["reason"], where) if "reason" in item else None
    return Check(kind, value, within, reason=reason, **common)


def _rich(value, where: str) -> bool | str | None:
    if value is None:
        return None
    if value is True or (isinstance(value, str) and value.strip()):
        return value if value is True else value.strip()
    raise ScriptError(f"{where}: 'rich' is true or a content type (vertical, button, ...)")
