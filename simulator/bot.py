"""The bot runner: LivePerson agent-sample-app's flow in Python, for any number of chats.

CSDS -> login -> agentSession -> Online -> poll incomingRequests -> accept -> poll each chat's
events -> let the brain answer visitor lines -> end the chat when the brain says so -> logout.
One loop serves every chat in turn; each chat keeps its own events cursor and brain context.
"""
import threading
from dataclasses import dataclass

from .brains import Brain, ChatContext, Reply
from .client import (AgentChat, AgentClient, AgentSession, ApiError, ChatEvent, LivePersonError,
                     Unauthorized)
from .login import REFRESH_EVERY, Credentials
from .report import Reporter


@dataclass
class BotOptions:
    """How to reach LivePerson and how the bot behaves."""

    csds_url: str
    account: str
    credentials: Credentials
    poll: float = 2.0  # seconds between polls, as agent-sample-app does
    once: bool = False  # stop (and log out) after the first chat ends
    verify: bool | str = True
    refresh_every: float = REFRESH_EVERY
    max_failures: int = 5  # consecutive failed rounds before giving up


class ChatWorker:
    """One accepted chat: its events cursor, the events already handled, the brain's context."""

    def __init__(self, chat: AgentChat, brain: Brain, agent: str, report: Reporter):
        self.chat = chat
        self.brain = brain
        self.context = ChatContext(chat_id=chat.id, agent=agent)
        self.report = report
        self.last_event = -1  # events up to here were handled (survives a re-accept)
        self.own_events: set[int] = set()
        self.detached = False  # the chat went back to the queue; wait to accept it again
        self.done = False

    def open(self) -> None:
        """First look at the chat (the whole resource), as the sample app does after accepting."""
        self.detached = False
        resource = self.chat.resource()
        self.report("chat.accepted", self.chat.id, url=self.chat.url,
                    visitor=resource.info.visitor_name if resource.info else None)
        if self.last_event < 0:
            self._act(self.brain.start(self.context))
        self._handle(resource.events.events)

    def rebind(self, chat: AgentChat) -> None:
        """The same chat accepted again (new agent session): new URL, same memory."""
        self.chat = chat

    def step(self) -> None:
        """Poll the chat's `next` link once and react to what came."""
        if not (self.done or self.detached):
            self._handle(self.chat.poll().events)

    def _handle(self, events: list[ChatEvent]) -> None:
        for event in events:
            if self.done:
                return
            if event.id <= self.last_event:
                continue
            self.last_event = event.id
            if event.id in self.own_events:
                continue  # our own line coming back: already reported as line.sent
            self._report_event(event)
            if event.is_ended:
                self.done = True
            elif event.is_visitor_line:
                self.context.visitor_lines.append(event.text or "")
                self._act(self.brain.reply(self.context, event.text or ""))

    def _report_event(self, event: ChatEvent) -> None:
        if event.is_line:
            self.report(f"line.{event.source}", self.chat.id, id=event.id, by=event.by,
                        text=event.plain_text, systemMessageId=event.system_message_id)
        else:
            self.report(event.type or "event", self.chat.id, id=event.id, state=event.state)

    def _act(self, reply: Reply | None) -> None:
        if reply is None:
            return
        if reply.text:
            sent = self.chat.add_html_line(reply.text) if reply.html else self.chat.add_line(reply.text)
            self.own_events.add(sent)
            self.report("line.sent", self.chat.id, id=sent, text=reply.text)
        if reply.end_chat:
            ended = self.chat.end()
            self.own_events.add(ended)
            self.done = True
            self.report("chat.ended", self.chat.id, by="bot", id=ended)


class BotRunner:
    """Runs one bot user until stopped, or until its first chat ends with `once`."""

    def __init__(self, options: BotOptions, brain: Brain, report: Reporter | None = None):
        self.options = options
        self.brain = brain
        self.report = report or Reporter("bot")
        self.client = AgentClient(options.csds_url, options.account, options.verify,
                                  report=self.report)
        self.online = threading.Event()  # set once the bot is Online and polling
        self.chats_done: list[str] = []
        self._stop = threading.Event()
        self._session: AgentSession | None = None
        self._workers: dict[str, ChatWorker] = {}
        self._lost = False  # a call was refused with 401: log in again first
        self._accepted_any = False

    def stop(self) -> None:
        """Ask the loop to finish; it logs out on the way."""
        self._stop.set()

    def run(self) -> int:
        """Log in, serve chats, log out. Returns a process exit code."""
        try:
            self.client.login(self.options.credentials)
        except (LivePersonError, ValueError) as exc:
            self.report("error", stage="login", error=str(exc))
            self.client.close()
            return 1
        code = 1  # stays 1 unless the loop ends normally; we log out in every case
        try:
            self.client.start_keepalive(self.options.refresh_every)
            self._open_session()
            code = self._loop()
        except LivePersonError as exc:
            self.report("error", stage="start", error=str(exc))
        finally:
            code = self._shutdown(code)
        return code

    def _open_session(self) -> None:
        """A new agent session, Online; chats of the old one come back by ringing again."""
        self._session = self.client.start_agent_session()
        availability = self._session.set_availability("Online")
        for worker in self._workers.values():
            worker.detached = True
        self.report("availability", state=availability.chat, session=self._session.id)
        self.online.set()

    def _loop(self) -> int:
        failures = 0
        while not self._stop.is_set():
            try:
                self._ensure_session()
                self._tick()
                failures = 0
            except Unauthorized as exc:
                self._lost, failures = True, failures + 1
                self.report("session.lost", error=exc.message)
            except LivePersonError as exc:
                failures += 1
                self.report("error", error=str(exc))
            if failures >= self.options.max_failures:
                self.report("giving_up", failures=failures)
                return 1
            if self.options.once and self._accepted_any and not self._workers:
                return 0
            self._stop.wait(self.options.poll)
        return 0

    def _ensure_session(self) -> None:
        if self._lost:
            self.client.auth.relogin()
            self._lost = False
        if self._session is None or self._session.generation != self.client.auth.generation:
            # The keep-alive timer (or we) logged in again: the old agent session is gone.
            self._open_session()

    def _accepting(self) -> bool:
        # With `once`, only the first chat (or re-accepting a chat that was requeued).
        return (not self.options.once or not self._accepted_any
                or any(w.detached for w in self._workers.values()))

    def _tick(self) -> None:
        """One round: accept what rings, then poll every chat once."""
        if self._accepting():
            try:
                ring = self._session.incoming_requests()
            except ApiError as exc:
                if exc.status == 404:  # the agent session is gone: open a new one next round
                    self._session_lost(exc)
                raise
            if ring.ringing_count > 0:
                self.report("ringing", count=ring.ringing_count)
                self._accept(ring.accept_url)
        for chat_id, worker in list(self._workers.items()):
            if self._session is None:
                return  # lost mid-round; the next round reopens it
            self._step(worker)
            if worker.done:
                self._finish(chat_id)

    def _step(self, worker: ChatWorker) -> None:
        """Poll one chat; a chat that vanished or closed under us is dropped, not retried forever."""
        try:
            worker.step()
        except ApiError as exc:
            if isinstance(exc, Unauthorized) or exc.status not in (404, 409):
                raise
            if exc.status == 404 and not self._session_alive():
                self._session_lost(exc)  # the session, not the chat, vanished: reopen it
                return
            worker.done = True
            self.report("chat.dropped", worker.chat.id, status=exc.status, error=exc.message)

    def _session_alive(self) -> bool:
        """Does our agent session still answer? (A 404 on a chat can mean either is gone.)"""
        try:
            self._session.availability()
            return True
        except ApiError as exc:
            if exc.status == 404 and not isinstance(exc, Unauthorized):
                return False
            raise

    def _session_lost(self, exc: ApiError) -> None:
        self.report("agent_session.lost", session=self._session.id, error=exc.message)
        self._session = None

    def _accept(self, accept_url: str | None) -> None:
        try:
            chat = self._session.accept(accept_url)
        except ApiError as exc:
            if exc.status != 404:
                raise
            self.report("accept.missed", error=exc.message)  # it rang out or went elsewhere
            return
        self._accepted_any = True
        worker = self._workers.get(chat.id)
        if worker is None:
            worker = self._workers[chat.id] = ChatWorker(chat, self.brain,
                                                         self.client.auth.result.login_name,
                                                         self.report)
        else:
            worker.rebind(chat)
        worker.open()
        if worker.done:
            self._finish(chat.id)

    def _finish(self, chat_id: str) -> None:
        """Forget a chat that has ended (its brain context goes with it)."""
        del self._workers[chat_id]
        self.chats_done.append(chat_id)
        self.report("chat.done", chat_id, active=len(self._workers))

    def _shutdown(self, code: int) -> int:
        """Log out (that also ends the agent session); a failed logout fails the run."""
        try:
            if self.client.auth.result is not None:
                self.client.logout()
        except LivePersonError as exc:
            self.report("error", stage="logout", error=str(exc))
            code = code or 1
        finally:
            self.client.close()
        return code
