"""One accepted chat of a bot: its poll cursor, its brain context, typing, replies and handoffs."""
import time
import traceback
from collections import deque
from dataclasses import replace

from .brains import Brain, ChatContext, Reply
from .client import AgentChat, ApiError, ChatEvent, Unauthorized
from .report import Reporter, report_event

EXIT_TRANSFER_LINE = "I have to step away now; a colleague will take over this chat."
EXIT_END_LINE = "Sorry, I have to close this chat now. You are welcome to start a new one at any time."
EXIT_REASON = "The bot was stopped while this chat was open; please take over."


class ChatWorker:
    """Everything the bot does in one chat; the runner calls `open()` once, then `step()`."""

    def __init__(self, chat: AgentChat, brain: Brain, context: ChatContext, report: Reporter,
                 typing_delay: float = 0.0):
        self.chat = chat
        self.brain = brain
        self.context = context
        self.report = report
        self.typing_delay = typing_delay
        self.last_event = -1  # events up to here were handled (survives a re-accept)
        self.own_events: set[int] = set()
        self.pending: deque[tuple[float, Reply]] = deque()  # composed replies, due times ascending
        self.inbox: deque[str] = deque()  # visitor lines read but not yet answered
        self._acting: tuple[float, Reply | None] = (0.0, None)  # the reply being sent now
        self.detached = False  # the chat went back to the queue; wait to accept it again
        self.done = False
        self.outcome: str | None = None  # ended, transferred, dropped, ended-by-visitor

    # --- the runner's calls ------------------------------------------------------------

    def open(self) -> None:
        """First look at the chat (the whole resource), as the sample app does after accepting."""
        self.detached = False
        resource = self.chat.resource()
        if resource.info:
            self._learn(resource.info)
        self.report("chat.accepted", self.chat.id, url=self.chat.url, skill=self.context.skill,
                    visitor=self.context.name)
        if self.last_event < 0:
            greeting = self._think(lambda: getattr(self.brain, "start", lambda _c: None)(self.context))
            if greeting is not None and greeting.text:
                self._typing(True)
            self._schedule(greeting)
        self._handle(resource.events.events)
        self.flush()  # replies kept while the chat was away from us go out now

    def rebind(self, chat: AgentChat) -> None:
        """The same chat accepted again (new agent session): new URL, same memory."""
        self.chat = chat

    def step(self, now: float | None = None) -> None:
        """Poll the chat's `next` link once, react to what came, send replies that are due."""
        if self.done or self.detached:
            return
        self._handle(self.chat.poll().events)
        self.flush(now)

    def flush(self, now: float | None = None) -> None:
        """Send the composed replies whose typing time is over."""
        now = time.monotonic() if now is None else now
        while self.pending and not self.done and self.pending[0][0] <= now:
            self._acting = self.pending.popleft()
            try:
                self._act(self._acting[1])
            except ApiError as exc:
                if _refused(exc):
                    # Refused outright, so nothing was done: it goes out once the chat is back.
                    self.pending.appendleft(self._acting)
                raise  # anything else may have reached the server: never sent twice

    def next_due(self) -> float | None:
        """When the next composed reply is due (monotonic), if any."""
        return self.pending[0][0] if self.pending and not self.done else None

    def close_for_exit(self, how: str, skill: str) -> None:
        """The bot is stopping: hand the chat to `skill` (`how` == "transfer") or end it."""
        self.pending.clear()
        if how == "transfer" and self._transfer(skill, EXIT_REASON, EXIT_TRANSFER_LINE):
            return
        self._say(EXIT_END_LINE)
        self._end()

    # --- reading events ----------------------------------------------------------------

    def _learn(self, info) -> None:
        """Take the visitor's name, persona and the chat's skill from chat info."""
        self.context.visitor_name = info.visitor_name
        self.context.visitor_info = info.visitor_info or self.context.visitor_info
        self.context.skill = info.skill_name or self.context.skill

    def _handle(self, events: list[ChatEvent]) -> None:
        said = []
        for event in events:
            if event.id <= self.last_event:
                continue
            self.last_event = event.id
            if event.id in self.own_events:
                continue  # our own line coming back: already reported as line.sent
            report_event(self.report, self.chat.id, event)
            if event.is_ended:
                self.done, self.outcome = True, self.outcome or "ended-by-visitor"
                self.pending.clear()
                return
            if event.is_visitor_line:
                said.append(event.text or "")
        # Kept until answered: a call failing below (a lost session) must not lose a line.
        self.inbox.extend(said)
        if said:
            # The visitor may have given their name since we last looked.
            self._learn(self.chat.info())
        while self.inbox:
            if self.done:
                return  # the brain ended or handed off the chat on an earlier line
            text = self.inbox.popleft()
            self.context.visitor_lines.append(text)
            self._typing(True)  # shown while the brain composes (an NLP call may take a while)
            reply = self._think(lambda t=text: self.brain.reply(self.context, t))
            if not self._schedule(reply):
                self._typing(False)

    def _think(self, compose) -> Reply | None:
        """Run the brain; a bug in it is logged and that line goes unanswered, not the bot down."""
        try:
            return compose()
        except Exception as exc:  # the brain is user code: any failure must not stop other chats
            self.report("brain.error", self.chat.id, error=f"{type(exc).__name__}: {exc}",
                        where=traceback.extract_tb(exc.__traceback__)[-1].line)
            return None

    def _schedule(self, reply: Reply | None) -> bool:
        """Queue a reply to go out after the typing delay; False when there is nothing to do."""
        if reply is None or not (reply.says_something or reply.end_chat or reply.handoff):
            return False
        start = self.pending[-1][0] if self.pending else time.monotonic()
        self.pending.append((start + self.typing_delay, reply))
        if self.typing_delay <= 0:
            self.flush()
        return True

    # --- acting --------------------------------------------------------------------------

    def _act(self, reply: Reply) -> None:
        if reply.handoff is not None:
            self._escalate(reply)
            return
        if reply.says_something:
            self._say(reply.text, reply.html, reply.rich, reply.quick_replies)
            if reply.end_chat and self._acting[1] is reply:
                # Said: if ending fails now, a second try must only end the chat.
                self._acting = (self._acting[0], replace(reply, text=None, rich=None,
                                                         quick_replies=None))
        if reply.end_chat:
            self._end()
        else:
            self._typing(bool(self.pending))

    def _say(self, text: str | None, html: bool = True, rich: dict | None = None,
             quick_replies: dict | None = None) -> None:
        if rich is not None or quick_replies is not None:
            try:
                sent = self.chat.add_rich_content(rich, text, quick_replies=quick_replies) \
                    if rich is not None else self._add_text(text, html, quick_replies)
            except ApiError as exc:
                # A card (or quick replies) the platform refuses: say so, then the text alone.
                if isinstance(exc, Unauthorized) or exc.status != 400:
                    raise
                self.report("line.refused", self.chat.id, status=exc.status, error=exc.message)
                if not text:
                    return
                sent = self._add_text(text, html)
        else:
            sent = self._add_text(text, html)
        self.own_events.add(sent)
        self.report("line.sent", self.chat.id, id=sent, text=text,
                    rich=rich.get("type") if isinstance(rich, dict) else None,
                    quickReplies=len(quick_replies.get("replies") or []) if quick_replies else None)

    def _add_text(self, text: str, html: bool, quick_replies: dict | None = None) -> int:
        if html:
            return self.chat.add_html_line(text, quick_replies=quick_replies)
        return self.chat.add_line(text, quick_replies=quick_replies)

    def _end(self) -> None:
        ended = self.chat.end()
        self.own_events.add(ended)
        self.done, self.outcome = True, "ended"
        self.report("chat.ended", self.chat.id, by="bot", id=ended)

    def _typing(self, typing: bool) -> None:
        """Show or clear the typing indicator; a chat that just closed is not an error."""
        try:
            self.chat.set_agent_typing(typing)
        except ApiError as exc:
            if isinstance(exc, Unauthorized) or exc.status not in (404, 409):
                raise
            return
        self.report("typing", self.chat.id, state="typing" if typing else "not-typing")

    def _escalate(self, reply: Reply) -> None:
        """Hand the chat to people; when nobody is on duty there, say so and keep it."""
        handoff = reply.handoff
        if not self._transfer(handoff.skill, handoff.reason, reply.text):
            self._say(handoff.unavailable_text, reply.html)
            self._typing(bool(self.pending))

    def _transfer(self, skill: str, reason: str, line: str | None) -> bool:
        """Transfer to `skill` (name or id) if someone is on duty there; True when it went."""
        skills = self.chat.transfer_skills()
        target = next((s for s in skills if skill in (s.id, s.name) or s.name.lower() == skill.lower()),
                      None)
        if target is None:
            self.report("escalation.unavailable", self.chat.id, skill=skill,
                        onDuty=",".join(s.name for s in skills) or "-")
            return False
        if line:
            self._say(line)
        try:
            self.chat.transfer(skill_id=target.id, text=reason)
        except ApiError as exc:
            if isinstance(exc, Unauthorized) or exc.status != 400:
                raise
            # The last person on duty left between the list and the transfer.
            self.report("escalation.failed", self.chat.id, skill=target.name, error=exc.message)
            return False
        self.pending.clear()
        self.done, self.outcome = True, "transferred"
        self.report("chat.transferred", self.chat.id, skill=target.name, skillId=target.id,
                    reason=reason)
        return True


def _refused(exc: ApiError) -> bool:
    """Did the server refuse outright, for a reason that may pass (lost session, 429, 5xx)?"""
    return isinstance(exc, Unauthorized) or exc.status in (404, 429) or exc.status >= 500
