"""What follows from what: the cross-cutting consequences of an operation, in one place.

Read top-down: a login ends -> its agent sessions end -> what rang there rings elsewhere,
the chats they held go to the agent's other session or back to the queue -> routing runs.
A chat ends -> it leaves its queue and its agent -> routing runs. Every operation that
causes one of these calls it here; no store below calls back up."""
from .agents import AgentSession
from .auth import LoginSession
from .chats import ENDED, WAITING, Chat, ChatEvent
from .tree import SandboxTree


class FollowUps(SandboxTree):
    """The follow-ups and the clock's timeouts, shared by every API's operations."""

    # --- sessions ---------------------------------------------------------------------------------

    def end_login(self, session: LoginSession) -> None:
        """A login session ends (logout, expiry, revocation): its agent sessions end first."""
        if not self.logins.close(session):
            return
        for agent_session in self.agents.of_login(session):
            self.end_agent_session(agent_session, "logout")
        self.publish("logout", session.account_id, user_id=session.user.id,
                     login_name=session.user.login_name)

    def end_agent_session(self, session: AgentSession, reason: str) -> None:
        """An agent session ends: its rings stop, its chats move on, routing runs again."""
        if not self.agents.mark_ended(session):
            return
        self.router.unring_all(session)
        self.publish("agent.session_ended", session.account_id, reason=reason,
                     **self.agents.summary(session))
        self._requeue_orphans(session)
        self.router.dispatch(session.account_id)

    def _requeue_orphans(self, session: AgentSession) -> None:
        """Chats of an ended agent session go to the agent's other live session, if any."""
        others = self.agents.for_user(session.user)
        for chat in self.query.held_chats(session):
            if chat.agent_session_id != session.id:
                continue
            if others:
                chat.agent_session_id = others[0].id  # continuity: same agent, other device
            else:
                self.requeue(chat)

    # --- chats ------------------------------------------------------------------------------------

    def release(self, chat: Chat) -> None:
        """The chat's agent lets go of it (transfer, requeue): the slot frees at once."""
        if chat.agent is not None:
            self.holds.drop(chat.agent, chat.id)
        chat.agent = chat.agent_session_id = None
        chat.agent_typing = "not-typing"

    def requeue(self, chat: Chat) -> None:
        """Send a chat back to its skill's queue (system message 23), then route it."""
        now = self.clock.now()
        self.release(chat)
        self.emit(chat, chat.add_system_line(now, 23))
        state = chat.add_state(now, WAITING)
        self.router.add(chat)  # queued before observers hear it is waiting
        self.emit(chat, state)
        self.router.dispatch(chat.account_id)

    def end_chat(self, chat: Chat, by: str, system_message: int | None = None) -> ChatEvent:
        """End a chat (by agent, visitor or timeout): optional system line, then `ended`."""
        now = self.clock.now()
        self.router.remove(chat)
        if chat.agent is not None:
            self.holds.drop(chat.agent, chat.id)
        if system_message is not None:
            self.emit(chat, chat.add_system_line(now, system_message))
        event = chat.add_state(now, ENDED)
        self.open_chats.pop(chat.id, None)
        self.retention.ended_chat(chat)
        chat.end_reason = by
        self.emit(chat, event)
        self.publish("chat.ended", chat.account_id, chat=chat, by=by)
        self.router.dispatch(chat.account_id)
        return event

    # --- the clock ----------------------------------------------------------------------------------

    def tick(self) -> None:
        """Apply every timeout that the clock has reached."""
        with self.lock.writing(), self.lock:
            for login in self.logins.expired():
                self.end_login(login)
            timeout = float(self.settings["agent_session_timeout_seconds"])
            for session in self.agents.idle(timeout):  # stopped polling: chats requeued (23)
                self.end_agent_session(session, "timeout")
            now = self.clock.now()
            for chat in list(self.open_chats.values()):  # the visitor stopped polling (6)
                if now - chat.last_visitor_poll > chat.chat_timeout:
                    self.end_chat(chat, "visitor-timeout", system_message=6)
            self.router.expire_rings(float(self.settings["ring_timeout_seconds"]))
            self.retire_ended_chats(now)

    def retire_ended_chats(self, now: float) -> None:
        """Ended chats past their time (or count) in memory leave it, with their records."""
        retired = self.retention.due(now)
        if retired:
            for chat in retired:
                self.chats.pop(chat.id, None)
            self.analytics.forget({chat.id for chat in retired})
