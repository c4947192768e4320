"""The bot runner: LivePerson agent-sample-app's flow in Python, for many chats at once.

CSDS -> login -> agentSession -> Online -> poll incomingRequests -> accept (up to maxChats) ->
poll each chat's events -> let the brain answer visitor lines (typing shown while it composes) ->
end or hand off chats as the brain says -> on stop: end or transfer open chats, log out.
One loop serves every chat in turn; each chat keeps its own events cursor and brain context.
"""
import threading
import time
from dataclasses import dataclass

from .brains import Brain, ChatContext
from .brains.escalation import DEFAULT_SKILL
from .chat_worker import ChatWorker
from .client import AgentChat, AgentClient, AgentInfo, AgentSession, ApiError, LivePersonError, Unauthorized
from .login import REFRESH_EVERY, Credentials
from .report import Reporter
from .transport import ConnectionFailed, EmptyAnswer, RateLimited, RetryPolicy

ON_EXIT = ("end", "transfer")


@dataclass
class BotOptions:
    """How to reach LivePerson and how the bot behaves."""

    csds_url: str
    account: str
    credentials: Credentials
    poll: float = 2.0  # seconds between polls, as agent-sample-app does
    once: bool = False  # stop (and log out) after the first chat is over
    verify: bool | str = True
    refresh_every: float = REFRESH_EVERY
    max_chats: int | None = None  # a lower cap than the agent's own maxChats, if wanted
    typing_delay: float = 0.0  # extra seconds the typing indicator shows before each reply
    on_exit: str = "end"  # what stop() does with open chats: "end" them or "transfer" them
    exit_skill: str | None = None  # where "transfer" sends them (default: the escalation skill)
    retry: RetryPolicy | None = None  # per-call retries (default: LivePerson's 5/10/15 s)
    timeout: float = 30.0  # seconds a call may take before it counts as unanswered
    # After a round fails even with retries: wait this long before trying again (LivePerson's
    # guide: a longer retry, e.g. every 2 minutes or exponential), giving up after max_failures.
    recovery_delays: tuple[float, ...] = (120.0, 240.0, 480.0, 960.0)
    max_failures: int = 5


class BotRunner:
    """Runs one bot user until stopped, or until its first chat is over with `once`."""

    def __init__(self, options: BotOptions, brain: Brain, report: Reporter | None = None):
        if options.on_exit not in ON_EXIT:
            raise ValueError(f"on_exit must be one of {ON_EXIT}")
        self.options = options
        self.brain = brain
        self.report = report or Reporter("bot")
        self.client = AgentClient(options.csds_url, options.account, options.verify,
                                  timeout=options.timeout, report=self.report, retry=options.retry)
        self.online = threading.Event()  # set once the bot is Online and polling
        self.stopped = threading.Event()  # set once the bot has closed its chats and logged out
        self.chats_done: list[str] = []
        self.outcomes: dict[str, str] = {}  # chat id -> ended, transferred, ended-by-visitor, ...
        self.agent: AgentInfo | None = None
        self._stop = threading.Event()
        self._session: AgentSession | None = None
        self._workers: dict[str, ChatWorker] = {}
        self._accepted_any = False
        self._last_error: Exception | None = None  # why the last round failed (a 429 sets its pause)

    def stop(self) -> None:
        """Ask the loop to finish; it closes its chats (per on_exit) and logs out on the way."""
        self._stop.set()

    @property
    def open_chats(self) -> list[str]:
        """Ids of the chats the bot is in now."""
        return [i for i, w in self._workers.items() if not w.done]

    @property
    def capacity(self) -> int | None:
        """How many chats at once: the agent's maxChats, capped by the option (None: no limit)."""
        limits = [n for n in (self.agent.max_chats if self.agent and not self.agent.unlimited else None,
                              self.options.max_chats) if n is not None]
        return min(limits) if limits else None

    def run(self) -> int:
        """Log in, serve chats, close them and log out. Returns a process exit code."""
        if not self._login():
            self.client.close()
            self.stopped.set()
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

    def _login(self) -> bool:
        """Log in, trying again after the recovery pauses while the failure may pass (not a refusal)."""
        # LivePerson's guide: past the per-call retries, "another retry ... for login", longer.
        failures = 0
        while not self._stop.is_set():
            try:
                self.client.login(self.options.credentials)
                return True
            except (LivePersonError, ValueError) as exc:
                failures += 1
                again = _may_pass(exc) and failures < self.options.max_failures
                pause = self._recovery_pause(failures, exc) if again else None
                self.report("error", stage="login", error=str(exc), failures=failures,
                            retry_in=pause)
                if pause is None:
                    return False
                self._stop.wait(pause)
        return False

    def _recovery_pause(self, failures: int, exc: Exception | None = None) -> float:
        """The longer pause after a failed round: the next recovery delay, or a 429's longer Retry-After."""
        delays = self.options.recovery_delays
        pause = delays[min(failures, len(delays)) - 1] if delays else self.options.poll
        asked = exc.retry_after if isinstance(exc, RateLimited) else None
        return max(pause, asked or 0.0)

    # --- sessions ------------------------------------------------------------------------

    def _open_session(self) -> None:
        """A new agent session, Online; chats of an old one come back by ringing again."""
        self._session = self.client.start_agent_session()
        self.agent = self._session.info()
        availability = self._session.set_availability("Online")
        for worker in self._workers.values():
            worker.detached = True
        self.report("availability", state=availability.chat, session=self._session.id,
                    agent=self.agent.agent_name, maxChats=self.capacity if self.capacity is not None else -1)
        self.online.set()

    def _ensure_session(self) -> None:
        if self._session is None or self._session.generation != self.client.auth.generation:
            # We (or the keep-alive timer) logged in again: the old agent session went with it.
            self._open_session()

    def _session_lost(self, exc: ApiError) -> None:
        self.report("agent_session.lost", session=self._session.id if self._session else None,
                    error=exc.message)
        self._session = None

    def _session_alive(self) -> bool:
        """Does our agent session still answer? (A 404 on a chat can mean either is gone.)"""
        try:
            self._session.availability()
            return True
        except ApiError as exc:
            if exc.status == 404 and not isinstance(exc, Unauthorized):
                return False
            raise

    # --- the loop ------------------------------------------------------------------------

    def _loop(self) -> int:
        failures = 0
        while not self._stop.is_set():
            try:
                self._ensure_session()
                self._tick()
                failures = 0
            except LivePersonError as exc:
                failures += 1
                self._last_error = exc
                self.report("error", error=str(exc), failures=failures)
            if failures >= self.options.max_failures:
                self.report("giving_up", failures=failures)
                return 1
            if self.options.once and self._accepted_any and not self._workers:
                return 0
            self._stop.wait(self._pause(failures))
        return 0

    def _pause(self, failures: int) -> float:
        """Seconds until the next round: the poll interval, a reply falling due, or recovery."""
        if failures:
            return self._recovery_pause(failures, self._last_error)
        dues = [d for d in (w.next_due() for w in self._workers.values()) if d is not None]
        return max(min([self.options.poll] + [d - time.monotonic() for d in dues]), 0.0)

    def _has_room(self) -> bool:
        capacity = self.capacity
        return capacity is None or len(self.open_chats) < capacity

    def _accepting(self) -> bool:
        if any(w.detached for w in self._workers.values()):
            return True  # our own chats, requeued when a session was lost, come back first
        # With `once`, only the first chat.
        return self._has_room() and (not self.options.once or not self._accepted_any)

    def _tick(self) -> None:
        """One round: accept what rings (while there is room), then poll every chat once."""
        if self._accepting():
            try:
                ring = self._session.incoming_requests()
            except ApiError as exc:
                if exc.status != 404 or isinstance(exc, Unauthorized):
                    raise
                self._session_lost(exc)  # the agent session is gone: open a new one next round
                return
            if ring.ringing_count > 0:
                self.report("ringing", count=ring.ringing_count)
                self._accept(ring.accept_url)
        now = time.monotonic()
        for chat_id, worker in list(self._workers.items()):
            if self._session is None:
                return  # lost mid-round; the next round reopens it
            self._step(worker, now)
            if worker.done:
                self._finish(chat_id)

    def _step(self, worker: ChatWorker, now: float) -> None:
        """Poll one chat (see _guarded)."""
        self._guarded(worker, lambda: worker.step(now))

    def _guarded(self, worker: ChatWorker, action) -> None:
        """Act on one chat; a chat that vanished or closed under us is dropped, not retried forever
        (nor does it fail the round: the other chats go on)."""
        try:
            action()
        except ApiError as exc:
            if isinstance(exc, Unauthorized) or exc.status not in (404, 409):
                raise
            if exc.status == 404 and not self._session_alive():
                self._session_lost(exc)  # the session, not the chat, vanished: reopen it
                return
            worker.done, worker.outcome = True, worker.outcome or "dropped"
            self.report("chat.dropped", worker.chat.id, status=exc.status, error=exc.message)

    def _accept(self, accept_url: str | None) -> None:
        try:
            chat = self._session.accept(accept_url)
        except ApiError as exc:
            if exc.status != 404 or isinstance(exc, Unauthorized):
                raise
            self.report("accept.missed", error=exc.message)  # it rang out or went elsewhere
            return
        self._accepted_any = True
        worker = self._workers.get(chat.id)
        if worker is None:
            worker = self._workers[chat.id] = self._new_worker(chat)
        else:
            worker.rebind(chat)
        self._guarded(worker, worker.open)  # the customer may leave before the welcome is out
        if worker.done:
            self._finish(chat.id)

    def _new_worker(self, chat: AgentChat) -> ChatWorker:
        context = ChatContext(chat_id=chat.id, agent=self.client.auth.result.login_name,
                              agent_name=self.agent.agent_name if self.agent else "")
        return ChatWorker(chat, self.brain, context, self.report, self.options.typing_delay)

    def _finish(self, chat_id: str) -> None:
        """Forget a chat that is over (its brain context goes with it)."""
        worker = self._workers.pop(chat_id)
        self.chats_done.append(chat_id)
        self.outcomes[chat_id] = worker.outcome or "ended"
        self.report("chat.done", chat_id, outcome=self.outcomes[chat_id], active=len(self._workers))

    # --- stopping ------------------------------------------------------------------------

    def _exit_skill(self) -> str:
        policy = getattr(self.brain, "policy", None)  # an EscalatingBrain's policy
        return self.options.exit_skill or (policy.skill if policy else DEFAULT_SKILL)

    def _shutdown(self, code: int) -> int:
        """Go Away, end or transfer the open chats, log out; a failed logout fails the run."""
        # Waiting 30 s for retries makes no sense once the user asked us to stop.
        self.client.transport.retry = RetryPolicy.none()
        try:
            if self.client.auth.result is not None:
                self._close_chats()
                self.client.logout()
        except LivePersonError as exc:
            self.report("error", stage="logout", error=str(exc))
            code = code or 1
        finally:
            self.client.close()
            self.stopped.set()
        return code

    def _close_chats(self) -> None:
        if self._session is None:
            return
        try:
            self._session.set_availability("Away")  # nothing new rings while we close
        except LivePersonError as exc:
            self.report("error", stage="away", error=str(exc))
        skill = self._exit_skill()
        for chat_id, worker in list(self._workers.items()):
            if worker.done or worker.detached:
                continue
            try:
                worker.close_for_exit(self.options.on_exit, skill)
            except LivePersonError as exc:
                self.report("error", chat_id, stage="exit", error=str(exc))
                continue
            self._finish(chat_id)


def _may_pass(exc: Exception) -> bool:
    """Is this failure one that trying again later can cure (not a refusal of who we are)?"""
    if isinstance(exc, (ConnectionFailed, EmptyAnswer, RateLimited)):
        return True
    return isinstance(exc, ApiError) and exc.status >= 500
