"""The customer: the simulator's one engine for a person on the visitor side of a chat.

`ScriptedCustomer` plays a script (simulator/scripts.py) over the Server Chat API
(simulator/visitor.py): asks for a chat, waits for an agent, plays the steps (a name, a line,
checks of what comes back, the end), closes the chat if it is still open, and says how each step
went. Every caller uses it: `python -m simulator consumer` (a YAML script, or plain lines made
into one by `lines_script`), `python -m simulator check` and the tests, which drive it step by
step with request(), say(), poll() and expect().
"""
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Sequence

from .report import Reporter, report_event, verdict_line
from .responses import AGENT_ENDED, TRANSFERRED, ChatEvent
from .scripts import Check, Script, Step, lines_script
from .transport import LivePersonError
from .visitor import VisitorChat, VisitorClient

DEFAULT_LINES = ["Hi", "I have a question about my order", "It has not arrived yet",
                 "Could you check where it is?", "Thank you", "Bye"]
LINES_TIMEOUT = 60.0  # plain lines: seconds for the whole chat


@dataclass
class StepResult:
    """How one step went: passed, failed (with why) or not run."""

    step: Step
    status: str = "not run"  # passed, failed, not run
    detail: str = ""


@dataclass
class CustomerResult:
    """How a customer's chat went: every step's verdict, the agent's lines, who ended it."""

    script: Script
    chat_id: str | None = None
    steps: list[StepResult] = field(default_factory=list)
    replies: list[ChatEvent] = field(default_factory=list)  # agent lines, in order
    ended_by: str | None = None  # agent, visitor or system
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every step passed (for plain lines: every line answered, the chat closed)."""
        return self.error is None and all(s.status == "passed" for s in self.steps)

    @property
    def answered(self) -> int:
        """Lines said whose step passed (for plain lines: lines that got their answer)."""
        return sum(1 for s in self.steps if s.step.say is not None and s.status == "passed")

    def report(self) -> str:
        """The pass/fail report, one line per step."""
        lines = [f"script {self.script.name}: chat {self.chat_id or '-'}"]
        for number, result in enumerate(self.steps, 1):
            mark = {"passed": "PASS", "failed": "FAIL"}.get(result.status, "SKIP")
            lines.append("  " + verdict_line(mark, number, result.step.describe(), result.detail))
        if self.error:
            lines.append(f"  error: {self.error}")
        counts = {s: sum(1 for r in self.steps if r.status == s) for s in ("passed", "failed", "not run")}
        lines.append(f"result: {'PASS' if self.ok else 'FAIL'} ({counts['passed']} passed, "
                     f"{counts['failed']} failed, {counts['not run']} not run)")
        return "\n".join(lines)


class ScriptedCustomer:
    """A customer on the Server Chat API: follows one chat (every event, who joined, how it
    ended) and plays a script in it.

    `script` is a Script, or plain lines (with `skill`/`engagement_id` and `timeout`, the whole
    chat's deadline) that must each get an answer; `skill`/`engagement_id` given with a Script
    override its own. Without a script, drive it step by step: request(), say(), poll(), expect().
    """

    def __init__(self, client: VisitorClient, script: Script | Sequence[str] | None = None, *,
                 skill: str | None = None, engagement_id: str | None = None,
                 timeout: float = LINES_TIMEOUT, poll: float = 1.0, report: Reporter | None = None):
        if isinstance(script, str):
            script = [script]
        if script is not None and not isinstance(script, Script):
            script = lines_script(list(script), skill, engagement_id, timeout)
        elif script is not None and (skill or engagement_id):
            script = replace(script, skill=skill, engagement=engagement_id)
        self.client = client
        self.script = script
        self.interval = poll
        self.report = report or Reporter("customer")
        self.chat: VisitorChat | None = None
        self.events: list[ChatEvent] = []  # every event of the chat, ours too, in order
        self.joins: list[tuple[int, str]] = []  # (event id, agent name) per `chatting` state
        self.own: set[int] = set()  # ids of our own lines: not reported again when they come back
        self.mark = -1  # checks look only at events after this id
        self.ended_by: str | None = None  # agent, visitor or system
        self._give_up_at: float | None = None  # the whole run's deadline (plain lines)
        self._stop = threading.Event()

    def stop(self) -> None:
        """Give up (the current wait fails)."""
        self._stop.set()

    @property
    def replies(self) -> list[ChatEvent]:
        """The agent lines seen, in order."""
        return [e for e in self.events if e.is_agent_line]

    @property
    def first_agent(self) -> str | None:
        """The agent who joined first (after a handoff, the bot)."""
        return self.joins[0][1] if self.joins else None

    # --- the whole script --------------------------------------------------------------

    def run(self) -> CustomerResult:
        """Ask for the chat, wait for an agent, play the steps, close the chat if still open."""
        if self.script is None:
            raise ValueError("run() plays a script: give one (or lines) to ScriptedCustomer")
        script = self.script
        result = CustomerResult(script, steps=[StepResult(s) for s in script.steps])
        if script.give_up_after is not None:
            self._give_up_at = time.monotonic() + script.give_up_after
        try:
            if script.wait_available:
                self._wait_available()
            chat = self.request(script.skill, script.engagement, **script.request)
            result.chat_id = chat.id
            joined, detail = self.expect(Check("joined", True, script.join_timeout))
            if not joined:
                raise TimeoutError(f"no agent joined the chat: {detail}")
            self.mark = -1  # that wait was implicit: the steps' checks see the whole chat
            for step_result in result.steps:
                step_result.status, step_result.detail = self.play(step_result.step)
                self.report("step", chat.id, status=step_result.status, step=step_result.step.describe(),
                            detail=step_result.detail or None)
                if step_result.status != "passed":
                    break  # later steps build on this one
        except (LivePersonError, TimeoutError) as exc:
            result.error = str(exc)
            self.report("error", result.chat_id, error=str(exc))
        finally:
            unclosed = self.close()
        result.error = result.error or unclosed
        result.replies, result.ended_by = self.replies, self.ended_by
        said = [s for s in result.steps if s.step.say is not None]
        self.report("done", result.chat_id, ok=result.ok,
                    passed=f"{sum(s.status == 'passed' for s in result.steps)}/{len(result.steps)}",
                    answered=f"{result.answered}/{len(said)}", endedBy=result.ended_by)
        return result

    def play(self, step: Step) -> tuple[str, str]:
        """One step: give the name, say the line, make the checks, end the chat; (status, detail)."""
        if step.name is not None:
            self.set_name(step.name)
        if step.say is not None:
            self.poll()  # what came before our line is not an answer to it
            if self.ended_by:
                return "failed", f"the chat had ended (by the {self.ended_by}) before {step.say!r}"
            self.say(step.say)
        details = []
        for check in step.checks:
            ok, detail = self.expect(check)
            details.append(detail)
            if not ok:
                return "failed", "; ".join(details)
        if step.end:
            if self.ended_by:
                return "failed", f"the chat had already ended (by the {self.ended_by})"
            self.end()
        return "passed", "; ".join(details)

    def _wait_available(self) -> None:
        """Wait until the skill has an agent (a customer only sees the chat button then)."""
        skill = self.script.skill
        announced = False
        while not self.client.availability(skill=skill):
            if not announced:
                self.report("waiting", reason="no agent available yet", skill=skill)
                announced = True
            if not self._pause(None):
                raise TimeoutError("gave up waiting for an available agent")
        self.report("available", skill=skill)

    # --- one chat, step by step --------------------------------------------------------

    def request(self, skill: str | None = None, engagement_id: str | None = None,
                **fields) -> VisitorChat:
        """Ask for a chat (by skill and/or engagement, extra request fields as given) and follow it."""
        self.chat = self.client.request_chat(skill, engagement_id, **fields)
        self.report("chat.requested", self.chat.id, skill=skill, engagement=engagement_id,
                    url=self.chat.url)
        return self.chat

    def poll(self) -> list[ChatEvent]:
        """Read new events: report them (not our own lines again), note joins (asking chat info
        who it is) and the end; call chat info as the keep-alive when due. The new events."""
        new = self.chat.poll().events
        for event in new:
            self.events.append(event)
            if event.id not in self.own:
                report_event(self.report, self.chat.id, event)
            if event.type == "state" and event.state == "chatting":
                self.joins.append((event.id, self.chat.info().agent_name or ""))
            if event.is_ended and self.ended_by is None:
                said = [e for e in self.events if e.is_system_line]
                self.ended_by = "agent" if said and said[-1].system_message_id == AGENT_ENDED else "system"
        self.chat.keep_alive()
        return new

    def after_mark(self) -> list[ChatEvent]:
        """Events the next check may use."""
        return [e for e in self.events if e.id > self.mark]

    def say(self, text: str) -> int:
        """Say a line; only what comes after it can answer it. Its event id."""
        sent = self.chat.add_line(text)
        self.own.add(sent)
        self.mark = max(self.mark, sent)
        self.report("line.sent", self.chat.id, id=sent, text=text)
        return sent

    def set_name(self, name: str) -> None:
        """Tell the agent our name (info/visitorName)."""
        self.chat.set_name(name)
        self.report("name.set", self.chat.id, name=name)

    def end(self, reason: str | None = None) -> None:
        """End the chat from our side."""
        self.chat.end()
        self.ended_by = "visitor"
        self.report("chat.ended", self.chat.id, by="visitor", reason=reason)

    def close(self, reason: str = "script over") -> str | None:
        """End the chat if it is still open, so no agent waits on it; what went wrong, if anything."""
        if self.chat is None or self.ended_by:
            return None
        try:
            self.end(reason)
        except LivePersonError as exc:
            self.report("error", self.chat.id, stage="end", error=str(exc))
            return f"could not end the chat: {exc}"
        return None

    def expect(self, check: Check) -> tuple[bool, str]:
        """Poll until `check` holds (True, what matched), or not (False, why): its deadline (or the
        run's) passed, the chat ended without it, or stop() was called."""
        start = time.monotonic()
        deadline = start + check.within
        while True:
            self.poll()
            found = self._evaluate(check)
            if found is not None:
                return True, f"{found} ({time.monotonic() - start:.1f}s)"
            if self.ended_by:  # nothing more can come
                if check.kind == "ended":
                    return False, f"the chat {self._got(check)}"
                return False, f"the chat ended (by the {self.ended_by}) first; got {self._got(check)}"
            if not self._pause(deadline):
                cut = self._give_up_at is not None and self._give_up_at < deadline
                waited = (f"the run's {self.script.give_up_after:g}s timeout passed" if cut
                          else f"not within {check.within:g}s")
                return False, f"{waited}; got {self._got(check)}"

    def _pause(self, deadline: float | None) -> bool:
        """Wait one poll interval; False when `deadline` (or the run's) has passed, or on stop()."""
        ends = [d for d in (deadline, self._give_up_at) if d is not None]
        left = min(ends) - time.monotonic() if ends else self.interval
        if left <= 0 or self._stop.is_set():
            return False
        self._stop.wait(min(self.interval, left))
        return True

    def _evaluate(self, check: Check) -> str | None:
        """What satisfies `check` among the events after the mark (moving the mark), or None."""
        for event in self.after_mark():
            if check.kind == "reply" and event.is_agent_line and self._by_ok(check, event.by):
                if re.search(check.value, event.plain_text, re.IGNORECASE):
                    self.mark = event.id
                    return f"{event.plain_text!r} by {event.by}"
            elif check.kind == "reply" and check.or_ended and event.is_ended:
                if self.ended_by != "visitor":
                    self.mark = event.id
                    return f"ended by the {self.ended_by}"
            elif check.kind == "joined" and event.type == "state" and event.state == "chatting":
                name = dict(self.joins).get(event.id, "")
                if (check.value is True or name == check.value) and self._by_ok(check, name):
                    self.mark = event.id
                    return f"{name} joined"
            elif check.kind == "transferred" and event.is_system_line and event.system_message_id == TRANSFERRED:
                skill = self.chat.info().skill_name or ""
                if skill.lower() == str(check.value).lower():
                    self.mark = event.id
                    return f"transferred to {skill}: {event.plain_text!r}"
            elif check.kind == "ended" and event.is_ended:
                if check.by is None or check.by == self.ended_by:
                    self.mark = event.id
                    return f"ended by the {self.ended_by}"
        return None

    def _by_ok(self, check: Check, name: str | None) -> bool:
        if check.agent is not None and name != check.agent:
            return False
        return not check.human or (name is not None and name != self.first_agent)

    def _got(self, check: Check) -> str:
        """What came instead, for the failure report."""
        after = self.after_mark()
        if check.kind == "reply":
            lines = [f"{e.plain_text!r} by {e.by}" for e in after if e.is_agent_line]
            return ", ".join(lines) if lines else "no agent line"
        if check.kind == "transferred":
            notes = [f"system {e.system_message_id}: {e.plain_text!r}" for e in after if e.is_system_line]
            return ", ".join(notes) if notes else "no transfer"
        if check.kind == "joined":
            return ", ".join(n for i, n in self.joins if i > self.mark) or "nobody joined"
        return f"ended by the {self.ended_by}" if self.ended_by else "still open"
