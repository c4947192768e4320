"""Scripted customers: YAML scripts of customer lines with expectations, run on the Server Chat API.

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
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .consumer import ConsumerClient, VisitorChat
from .models import ChatEvent
from .report import Reporter
from .wire import LivePersonError

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

    def describe(self) -> str:
        """How the report names this check."""
        what = {"reply": f"reply /{self.value}/",
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


# --- running ---------------------------------------------------------------------------------

@dataclass
class StepResult:
    """How one step went: passed, failed (with why) or not run."""

    step: Step
    status: str = "not run"  # passed, failed, not run
    detail: str = ""


@dataclass
class ScriptResult:
    """How a whole script went."""

    script: Script
    chat_id: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every step passed."""
        return self.error is None and all(s.status == "passed" for s in self.steps)

    def report(self) -> str:
        """The pass/fail report, one line per step."""
        lines = [f"script {self.script.name}: chat {self.chat_id or '-'}"]
        for number, result in enumerate(self.steps, 1):
            mark = {"passed": "PASS", "failed": "FAIL"}.get(result.status, "SKIP")
            detail = f": {result.detail}" if result.detail else ""
            lines.append(f"  {mark} {number}. {result.step.describe()}{detail}")
        if self.error:
            lines.append(f"  error: {self.error}")
        counts = {s: sum(1 for r in self.steps if r.status == s) for s in ("passed", "failed", "not run")}
        lines.append(f"result: {'PASS' if self.ok else 'FAIL'} ({counts['passed']} passed, "
                     f"{counts['failed']} failed, {counts['not run']} not run)")
        return "\n".join(lines)


class ChatTracker:
    """Follows one chat from the visitor's side: every event, who joined, how it ended."""

    def __init__(self, chat: VisitorChat, report: Reporter):
        self.chat = chat
        self.report = report
        self.events: list[ChatEvent] = []
        self.joins: list[tuple[int, str]] = []  # (event id, agent name) per `chatting` state
        self.mark = -1  # checks look only at events after this id
        self.own: set[int] = set()
        self.ended_by: str | None = None

    @property
    def first_agent(self) -> str | None:
        """The agent who joined first (after a handoff, the bot)."""
        return self.joins[0][1] if self.joins else None

    def poll(self) -> None:
        """Read new events; note joins (asking chat info who it is) and the end."""
        for event in self.chat.poll().events:
            self.events.append(event)
            if event.id not in self.own:
                if event.is_line:
                    self.report(f"line.{event.source}", self.chat.id, id=event.id, by=event.by,
                                text=event.plain_text, systemMessageId=event.system_message_id)
                else:
                    self.report(event.type, self.chat.id, id=event.id, state=event.state)
            if event.type == "state" and event.state == "chatting":
                self.joins.append((event.id, self.chat.info().agent_name or ""))
            if event.is_ended and self.ended_by is None:
                before = [e for e in self.events if e.is_system_line]
                self.ended_by = "agent" if before and before[-1].system_message_id == 5 else "system"
        self.chat.keep_alive()

    def after_mark(self) -> list[ChatEvent]:
        """Events the next check may use."""
        return [e for e in self.events if e.id > self.mark]


class ScriptRunner:
    """Plays a script against a live agent (bot or human) and says how each step went."""

    def __init__(self, client: ConsumerClient, script: Script, poll: float = 1.0,
                 report: Reporter | None = None):
        self.client = client
        self.script = script
        self.poll = poll
        self.report = report or Reporter("customer")
        self.tracker: ChatTracker | None = None
        self._stop = threading.Event()

    def stop(self) -> None:
        """Give up (the current check fails)."""
        self._stop.set()

    def run(self) -> ScriptResult:
        """Request the chat, wait for an agent, play the steps, close the chat if still open."""
        result = ScriptResult(self.script, steps=[StepResult(s) for s in self.script.steps])
        try:
            chat = self.client.request_chat(self.script.skill, self.script.engagement,
                                            **self.script.request)
            result.chat_id = chat.id
            self.tracker = ChatTracker(chat, self.report)
            self.report("chat.requested", chat.id, skill=self.script.skill,
                        engagement=self.script.engagement)
            first_join = Check("joined", True, self.script.join_timeout)
            ok, detail = self._wait(first_join)
            if not ok:
                raise TimeoutError(f"no agent joined the chat: {detail}")
            self.tracker.mark = -1  # that wait was implicit: the steps' checks see the whole chat
            for step_result in result.steps:
                step_result.status, step_result.detail = self._play(step_result.step)
                self.report("step", chat.id, status=step_result.status, step=step_result.step.describe(),
                            detail=step_result.detail or None)
                if step_result.status != "passed":
                    break  # later steps build on this one
        except (LivePersonError, TimeoutError) as exc:
            result.error = str(exc)
            self.report("error", result.chat_id, error=str(exc))
        finally:
            self._close()
        return result

    def _play(self, step: Step) -> tuple[str, str]:
        chat = self.tracker.chat
        if step.name is not None:
            chat.set_name(step.name)
            self.report("name.set", chat.id, name=step.name)
        if step.say is not None:
            self.tracker.poll()  # what came before our line is not an answer to it
            if self.tracker.ended_by:
                return "failed", f"the chat had ended (by the {self.tracker.ended_by}) before {step.say!r}"
            sent = chat.add_line(step.say)
            self.tracker.own.add(sent)
            self.tracker.mark = max(self.tracker.mark, sent)
            self.report("line.sent", chat.id, id=sent, text=step.say)
        details = []
        for check in step.checks:
            ok, detail = self._wait(check)
            details.append(detail)
            if not ok:
                return "failed", "; ".join(details)
        if step.end:
            if self.tracker.ended_by:
                return "failed", f"the chat had already ended (by the {self.tracker.ended_by})"
            chat.end()
            self.tracker.ended_by = "visitor"
            self.report("chat.ended", chat.id, by="visitor")
        return "passed", "; ".join(details)

    def _wait(self, check: Check) -> tuple[bool, str]:
        """Poll until `check` holds (True, what matched) or its deadline passes (False, why)."""
        start = time.monotonic()
        deadline = start + check.within
        while True:
            self.tracker.poll()
            found = self._evaluate(check)
            if found is not None:
                return True, f"{found} ({time.monotonic() - start:.1f}s)"
            if time.monotonic() >= deadline or self._stop.is_set():
                return False, self._why_not(check)
            self._stop.wait(min(self.poll, max(deadline - time.monotonic(), 0)))

    def _evaluate(self, check: Check) -> str | None:
        """What satisfies `check` among the events after the mark (moving the mark), or None."""
        tracker = self.tracker
        for event in tracker.after_mark():
            if check.kind == "reply" and event.is_agent_line and self._by_ok(check, event.by):
                if re.search(check.value, event.plain_text, re.IGNORECASE):
                    tracker.mark = event.id
                    return f"{event.plain_text!r} by {event.by}"
            elif check.kind == "joined" and event.type == "state" and event.state == "chatting":
                name = dict(tracker.joins).get(event.id, "")
                if (check.value is True or name == check.value) and self._by_ok(check, name):
                    tracker.mark = event.id
                    return f"{name} joined"
            elif check.kind == "transferred" and event.is_system_line and event.system_message_id == 15:
                skill = self.tracker.chat.info().skill_name or ""
                if skill.lower() == str(check.value).lower():
                    tracker.mark = event.id
                    return f"transferred to {skill}: {event.plain_text!r}"
            elif check.kind == "ended" and event.is_ended:
                if check.by is None or check.by == tracker.ended_by:
                    tracker.mark = event.id
                    return f"ended by the {tracker.ended_by}"
        return None

    def _by_ok(self, check: Check, name: str | None) -> bool:
        if check.agent is not None and name != check.agent:
            return False
        return not check.human or (name is not None and name != self.tracker.first_agent)

    def _why_not(self, check: Check) -> str:
        """What came instead, for the failure report."""
        after = self.tracker.after_mark()
        if check.kind == "reply":
            lines = [f"{e.plain_text!r} by {e.by}" for e in after if e.is_agent_line]
            got = ", ".join(lines) if lines else "no agent line"
        elif check.kind == "transferred":
            notes = [f"system {e.system_message_id}: {e.plain_text!r}" for e in after if e.is_system_line]
            got = ", ".join(notes) if notes else "no transfer"
        elif check.kind == "joined":
            got = ", ".join(n for i, n in self.tracker.joins if i > self.tracker.mark) or "nobody joined"
        else:
            got = f"ended by the {self.tracker.ended_by}" if self.tracker.ended_by else "still open"
        return f"not within {check.within:g}s; got {got}"

    def _close(self) -> None:
        """Close the chat if it is still open, so no agent waits on it."""
        if self.tracker is None or self.tracker.ended_by:
            return
        try:
            self.tracker.chat.end()
            self.tracker.ended_by = "visitor"
            self.report("chat.ended", self.tracker.chat.id, by="visitor", reason="script over")
        except LivePersonError as exc:
            self.report("error", self.tracker.chat.id, stage="end", error=str(exc))
