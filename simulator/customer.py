"""The customer: the simulator's one engine for a person on the visitor side of a chat.

`ScriptedCustomer` plays a script (simulator/scripts.py) over the Server Chat API
(simulator/visitor.py): asks for a chat, waits for an agent, plays the steps (a name, a line,
checks of what comes back, the end), closes the chat if it is still open, and says how each step
went. Every caller uses it: `python -m simulator consumer` (a YAML script, or plain lines made
into one by `lines_script`), `python -m simulator check`, pytest's `test_*.yaml` items
(mock_server/testing/scripts.py) and the tests, which drive it step by step with request(),
say(), poll() and expect().

Everything is judged from the visitor's side, except a transfer's reason: an agent-only note,
read from the sandbox's control plane (`/_sandbox`) when there is one.
"""
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Sequence

from .report import Reporter, report_event, verdict_line
from .responses import AGENT_ENDED, TRANSFERRED, ChatEvent, Survey, SurveyQuestion
from .scripts import Check, Script, Step, lines_script
from .transport import LivePersonError, RetryPolicy, Transport, json_of, with_query
from .visitor import VisitorChat, VisitorClient

DEFAULT_LINES = ["Hi", "I have a question about my order", "It has not arrived yet",
                 "Could you check where it is?", "Thank you", "Bye"]
LINES_TIMEOUT = 60.0  # plain lines: seconds for the whole chat
CONTROL_TIMEOUT = 10.0  # seconds a control-plane call may take
TEXT_QUESTIONS = ("Text Area", "Text Field")  # a survey's free-text question types
NEEDS_SANDBOX = ("needs the sandbox: a transfer's reason is an agent-only note the visitor cannot "
                 "see, read from the sandbox's control plane (/_sandbox): {where}")


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
    events: list[ChatEvent] = field(default_factory=list)  # the whole chat as the visitor saw it
    ended_by: str | None = None  # agent, visitor or system
    error: str | None = None
    first_answer: float | None = None  # seconds from our first line to the next agent line

    @property
    def ok(self) -> bool:
        """Every step passed (for plain lines: every line answered, the chat closed)."""
        return self.error is None and all(s.status == "passed" for s in self.steps)

    @property
    def answered(self) -> int:
        """Lines said whose step passed (for plain lines: lines that got their answer)."""
        return sum(1 for s in self.steps if s.step.say is not None and s.status == "passed")

    @property
    def failed_step(self) -> tuple[int, StepResult] | None:
        """The step that failed (its number from 1, its result), if one did."""
        return next(((n, r) for n, r in enumerate(self.steps, 1) if r.status == "failed"), None)

    def failure(self) -> str | None:
        """Why the script failed, naming the step (number and what it says or does); None if ok."""
        failed = self.failed_step
        if failed is not None:
            number, result = failed
            return f"step {number} failed ({result.step.describe()}): {result.detail}"
        if self.error:
            return f"the script stopped before its steps were done: {self.error}"
        if not self.ok:
            return "a step did not run"
        return None

    def transcript(self) -> str:
        """The chat so far as the visitor saw it, one event a line."""
        return "\n".join(transcript_line(e) for e in self.events) or "(no events)"

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
    `control`: the sandbox whose control plane reads transfer reasons (its URL), False for
    none, None (default) to look for `/_sandbox` on the CSDS host the client was given.
    """

    def __init__(self, client: VisitorClient, script: Script | Sequence[str] | None = None, *,
                 skill: str | None = None, engagement_id: str | None = None,
                 timeout: float = LINES_TIMEOUT, poll: float = 1.0, report: Reporter | None = None,
                 control: str | bool | None = None):
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
        self._control_given = control
        self._control: tuple[Transport, str] | None = None  # (transport, /_sandbox URL) once found
        self._control_looked = False
        self._control_where = "this run has none (control=False)"  # why none was found
        self._seen: dict[str, str] = {}  # chat checks: what was last seen, for the failure report
        self._first_line: tuple[int, float] | None = None  # our first line: (event id, when sent)
        self.first_answer: float | None = None  # seconds from it to the next agent line seen

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
                    self.poll()  # the transcript ends where the failure happened, our last line too
                    break  # later steps build on this one
        except (LivePersonError, TimeoutError) as exc:
            result.error = str(exc)
            self.report("error", result.chat_id, error=str(exc))
        finally:
            unclosed = self.close()
            if self._control is not None:
                self._control[0].close()
        result.error = result.error or unclosed
        result.replies, result.events, result.ended_by = self.replies, list(self.events), self.ended_by
        result.first_answer = self.first_answer
        said = [s for s in result.steps if s.step.say is not None]
        self.report("done", result.chat_id, ok=result.ok,
                    passed=f"{sum(s.status == 'passed' for s in result.steps)}/{len(result.steps)}",
                    answered=f"{result.answered}/{len(said)}", endedBy=result.ended_by)
        return result

    def play(self, step: Step) -> tuple[str, str]:
        """One step: give the name, say the line, wait, make the checks, end the chat, answer
        the exit survey; (status, detail)."""
        if step.name is not None:
            self.set_name(step.name)
        if step.say is not None:
            self.poll()  # what came before our line is not an answer to it
            if self.ended_by:
                return "failed", f"the chat had ended (by the {self.ended_by}) before {step.say!r}"
            self.say(step.say)
        details = []
        if step.wait is not None and not self.wait(step.wait):
            return "failed", "stopped while waiting"
        for check in step.checks:
            ok, detail = self.expect(check)
            if not ok and check.optional and not self._stop.is_set():
                ok, detail = True, f"not seen, optional: {detail}"
            details.append(detail)
            if not ok:
                return "failed", "; ".join(details)
        if step.end:
            if self.ended_by:
                return "failed", f"the chat had already ended (by the {self.ended_by})"
            self.end()
        if step.survey is not None:
            ok, detail = self.answer_survey(step.survey.csat, step.survey.comment, step.survey.resolved)
            details.append(detail)
            if not ok:
                return "failed", "; ".join(details)
        return "passed", "; ".join(d for d in details if d)

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
        seen_at = time.monotonic()
        for event in new:
            self.events.append(event)
            if (self.first_answer is None and self._first_line is not None and event.is_agent_line
                    and event.id > self._first_line[0]):
                self.first_answer = seen_at - self._first_line[1]
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
        sent_at = time.monotonic()
        sent = self.chat.add_line(text)
        if self._first_line is None:
            self._first_line = (sent, sent_at)
        self.own.add(sent)
        self.mark = max(self.mark, sent)
        self.report("line.sent", self.chat.id, id=sent, text=text)
        return sent

    def wait(self, seconds: float) -> bool:
        """Say nothing for `seconds`, following the chat meanwhile; False if stop() came first."""
        deadline = time.monotonic() + seconds
        while True:
            self.poll()
            if time.monotonic() >= deadline:
                return True
            if not self._pause(deadline):
                return not self._stop.is_set()

    def answer_survey(self, csat: int | None = None, comment: str | None = None,
                      resolved: bool | None = None) -> tuple[bool, str]:
        """Answer the chat's exit survey: the 1-5 satisfaction question, the yes/no "resolved"
        one if the survey has it, the free-text one; (done, what was answered or why not)."""
        try:
            survey = self.chat.exit_survey()
        except LivePersonError as exc:
            return False, f"the exit survey could not be read: {exc}"
        answers: dict[str, str] = {}
        if csat is not None:
            question = csat_question(survey)
            if question is None:
                return False, f"exit survey {survey.id or '-'} has no 1-5 satisfaction question"
            answers[question.id] = str(csat)
        unasked = ""
        if resolved is not None:
            question = resolved_question(survey)
            if question is None:
                unasked = " (it asks nothing about resolution)"  # an older survey: not a failure
            else:
                answers[question.id] = yes_or_no(question, resolved)
        if comment:
            question = next((q for q in survey.questions if q.type in TEXT_QUESTIONS), None)
            if question is None:
                return False, f"exit survey {survey.id or '-'} has no free-text question"
            answers[question.id] = comment
        self.chat.submit_exit_survey(survey.id, answers)
        self.report("survey.answered", self.chat.id, survey=survey.id, csat=csat, resolved=resolved,
                    comment=comment)
        return True, f"exit survey {survey.id} answered{unasked}"

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
        if check.reason is not None and self.control_url() is None:
            return False, NEEDS_SANDBOX.format(where=self._control_where)
        self._seen.pop(check.kind, None)  # an earlier check's observation is not this one's
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
                if check.kind in ("skill", "state", "survey"):
                    return False, f"the chat has ended (by the {self.ended_by}); got {self._got(check)}"
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
        """What satisfies `check` (among the events after the mark, moving the mark, or the chat
        as it is now), or None."""
        if check.kind in ("skill", "state", "survey"):
            return self._evaluate_chat(check)
        for event in self.after_mark():
            if check.kind == "reply" and event.is_agent_line and self._by_ok(check, event.by):
                if line_matches(check, event):
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
                found = self._transferred(check, event)
                if found is not None:
                    self.mark = event.id
                    return found
            elif check.kind == "ended" and event.is_ended:
                if check.by is None or check.by == self.ended_by:
                    self.mark = event.id
                    return f"ended by the {self.ended_by}"
        return None

    def _transferred(self, check: Check, event: ChatEvent) -> str | None:
        """A transfer line that `check` accepts: the chat info names its skill, and the control
        plane has a transfer there whose reason matches."""
        skill = self.chat.info().skill_name or ""
        if check.value is not True and skill.lower() != str(check.value).lower():
            self._seen["transferred"] = f"a transfer to {skill}"
            return None
        found = f"transferred to {skill}: {event.plain_text!r}"
        if check.reason is None:
            return found
        transfers = [t for t in self.transfers()
                     if check.value is True or str(t.get("toSkill") or "").lower() == skill.lower()]
        reasons = [str(t.get("reason") or "") for t in transfers]
        matched = next((r for r in reasons if re.search(check.reason, r, re.IGNORECASE)), None)
        if matched is None:
            self._seen["transferred"] = (f"a transfer to {skill} with reason "
                                         f"{', '.join(map(repr, reasons)) or 'none'}")
            return None
        return f"{found}, reason {matched!r}"

    def _evaluate_chat(self, check: Check) -> str | None:
        """A check of the chat as it is now: its skill or state (chat info), its exit survey."""
        if check.kind == "survey":
            if not self.ended_by:
                self._seen["survey"] = "the chat has not ended (the survey comes after the end)"
                return None
            offered = self._exit_survey()
            return offered if (offered is not None) == check.value else None
        info = self.chat.info()
        if check.kind == "skill":
            self._seen["skill"] = f"skill {info.skill_name} (id {info.skill_id})"
            wanted = str(check.value).lower()
            ok = wanted in ((info.skill_name or "").lower(), (info.skill_id or "").lower())
            return f"on skill {info.skill_name} (id {info.skill_id})" if ok else None
        self._seen["state"] = f"state {info.state}"
        return f"state {info.state}" if info.state == check.value else None

    def _exit_survey(self) -> str | None:
        """The exit survey the chat resource links, if it has questions (what it is), else None."""
        href = self.chat.resource().links.get("exit-survey")
        if not href:
            self._seen["survey"] = "no exit-survey link on the chat"
            return None
        try:
            survey = Survey.from_json(json_of(self.client.call("GET", href)))
        except LivePersonError as exc:
            self._seen["survey"] = f"the exit survey could not be read: {exc}"
            return None
        if not survey.questions:
            self._seen["survey"] = f"exit survey {survey.id or '-'} without questions"
            return None
        self._seen["survey"] = (f"exit survey {survey.id} {survey.title!r} with "
                                f"{len(survey.questions)} question(s)")
        return self._seen["survey"]

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
        if check.kind in self._seen:
            return self._seen[check.kind]
        if check.kind == "transferred":
            notes = [f"system {e.system_message_id}: {e.plain_text!r}" for e in after if e.is_system_line]
            return ", ".join(notes) if notes else "no transfer"
        if check.kind == "joined":
            return ", ".join(n for i, n in self.joins if i > self.mark) or "nobody joined"
        return f"ended by the {self.ended_by}" if self.ended_by else "still open"

    # --- the sandbox's control plane (agent-only facts) --------------------------------

    def control_url(self) -> str | None:
        """The `/_sandbox` URL of the sandbox behind this chat, or None (e.g. real LivePerson)."""
        if not self._control_looked:
            self._control_looked = True
            given = self._control_given
            if given is not False:
                base = self.client.domains.csds_url if given in (None, True) else str(given).rstrip("/")
                url = base if base.endswith("/_sandbox") else f"{base}/_sandbox"
                self._control_where = f"{url} does not answer as one (is this LivePerson?)"
                transport = Transport(self.client.transport.verify, CONTROL_TIMEOUT, RetryPolicy.none())
                try:
                    healthy = json_of(transport.call("GET", f"{url}/health")).get("status") == "ok"
                except (LivePersonError, ValueError, AttributeError):
                    healthy = False  # LivePerson answers 404 (or HTML): no control plane there
                if healthy:
                    self._control = (transport, url)
                else:
                    transport.close()
        return self._control[1] if self._control else None

    def transfers(self) -> list[dict]:
        """This chat's transfers as the control plane's state shows them (with their reasons)."""
        if self.control_url() is None or self.chat is None:
            return []
        transport, url = self._control
        state = json_of(transport.call("GET", with_query(f"{url}/state", account=self.client.account,
                                                          events="false")))
        chats = [c for a in state.get("accounts") or [] for c in a.get("chats") or []]
        chat = next((c for c in chats if c.get("id") == self.chat.id), {})
        return list(chat.get("transfers") or [])


def csat_question(survey: Survey) -> SurveyQuestion | None:
    """The survey's 1-5 satisfaction question: the one whose choices are 1 to 5 (else one
    that asks how satisfied)."""
    for question in survey.questions:
        if sorted(e.value for e in question.entries) == ["1", "2", "3", "4", "5"]:
            return question
    return next((q for q in survey.questions if q.entries and "satisf" in q.label.lower()), None)


def resolved_question(survey: Survey) -> SurveyQuestion | None:
    """The survey's yes/no question about whether the issue was resolved, if it has one."""
    return next((q for q in survey.questions if "resolved" in q.label.lower()
                 and sorted(e.value.lower() for e in q.entries) == ["no", "yes"]), None)


def yes_or_no(question: SurveyQuestion, yes: bool) -> str:
    """The question's own value for yes (or no), as its choices spell it."""
    return next(e.value for e in question.entries if e.value.lower() == ("yes" if yes else "no"))


def line_matches(check: Check, event: ChatEvent) -> bool:
    """Does this agent line meet every line condition of `check`?"""
    text = event.plain_text
    if check.value and not re.search(check.value, text, re.IGNORECASE):
        return False
    if check.text is not None and text != check.text:
        return False
    if check.contains is not None and check.contains not in text:
        return False
    if check.matches is not None and re.fullmatch(check.matches, text) is None:
        return False
    if check.rich is not None:
        if event.text_type != "rich-content" or not isinstance(event.json, dict):
            return False
        return check.rich is True or check.rich in card_types(event.json)
    return True


def card_types(node, depth: int = 0) -> set[str]:
    """Every element type in a structured-content card (the card's own type included)."""
    if not isinstance(node, dict) or depth > 40:
        return set()
    found = {node["type"]} if isinstance(node.get("type"), str) else set()
    children = node.get("elements")
    for child in children if isinstance(children, list) else []:
        found |= card_types(child, depth + 1)
    return found


def transcript_line(event: ChatEvent) -> str:
    """One event as a transcript shows it: `#7 Demo Bot: Hello`, `#3 [chatting]`."""
    if not event.is_line:
        return f"#{event.id} [{event.state or event.type}]"
    who = {"visitor": "you", "system": "system"}.get(event.source or "", event.by or "agent")
    rich = f"[{event.json.get('type', 'rich')}] " if event.text_type == "rich-content" and isinstance(event.json, dict) else ""
    return f"#{event.id} {who}: {rich}{event.plain_text}"
