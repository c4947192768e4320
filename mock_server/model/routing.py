"""Routing: one FIFO queue per skill, ringing Online agents with the skill and a free slot."""
from .agents import OCCUPIED, ONLINE, AgentSession
from .chats import WAITING, Chat


class Router:
    """Decides which agent session each waiting chat rings, and takes chats back."""

    def __init__(self, sandbox):
        self.sb = sandbox
        self.queues: dict[tuple[str, str | None], list[str]] = {}

    def queue(self, account_id: str, skill_id: str | None) -> list[str]:
        """The FIFO queue of waiting chat ids of one skill (None: chats with no skill)."""
        return self.queues.setdefault((account_id, skill_id), [])

    def enqueue(self, chat: Chat) -> None:
        """Put a waiting chat at the back of its skill's queue and try to ring it."""
        self.queue(chat.account_id, chat.skill_id).append(chat.id)
        self.dispatch(chat.account_id)

    def remove(self, chat: Chat) -> None:
        """Take a chat out of its queue and stop it ringing (accepted, ended, moved)."""
        queue = self.queue(chat.account_id, chat.skill_id)
        if chat.id in queue:
            queue.remove(chat.id)
        self.unring(chat)

    def unring(self, chat: Chat) -> None:
        """Stop a chat ringing wherever it rings."""
        if chat.ringing_session_id:
            session = self.sb.agents.by_id.get(chat.ringing_session_id)
            if session and chat.id in session.ringing:
                session.ringing.remove(chat.id)
        chat.ringing_session_id = None
        chat.ring_started = None

    def unring_all(self, session: AgentSession) -> None:
        """Stop everything ringing at a session (it went away)."""
        for chat_id in list(session.ringing):
            self.unring(self.sb.chats[chat_id])

    def free_slots(self, session: AgentSession) -> int | None:
        """Free capacity of the session's user, ringing chats counted as taken; None = unlimited."""
        user = session.user
        if user.max_chats < 0:
            return None
        ringing = sum(len(s.ringing) for s in self.sb.agents.for_user(user))
        return max(user.max_chats - self.sb.load(user) - ringing, 0)

    def eligible(self, session: AgentSession, chat: Chat) -> bool:
        """May this chat ring this session now?"""
        if session.ended or session.account_id != chat.account_id:
            return False
        # Occupied agents take transfers only; a transfer to one agent rings only that agent.
        if session.availability not in ((ONLINE, OCCUPIED) if chat.transferred else (ONLINE,)):
            return False
        if chat.target_user_id is not None:
            if session.user.id != chat.target_user_id:
                return False
        elif chat.skill_id is not None and chat.skill_id not in session.user.skill_ids:
            return False
        free = self.free_slots(session)
        return free is None or free > 0

    def dispatch(self, account_id: str) -> None:
        """Ring every waiting, not yet ringing chat of an account at an eligible session."""
        sessions = [s for s in self.sb.agents.by_id.values()
                    if s.account_id == account_id and not s.ended]
        if not sessions:
            return
        for (acct, _skill), queue in self.queues.items():
            if acct != account_id:
                continue
            for chat_id in list(queue):
                chat = self.sb.chats[chat_id]
                if chat.state != WAITING or chat.ringing_session_id:
                    continue
                candidates = [s for s in sessions if self.eligible(s, chat)]
                # A session that let this chat ring out is asked again only if no one else can.
                fresh = [s for s in candidates if s.id not in chat.rang_out]
                candidates = fresh or candidates
                if candidates:
                    self.ring(chat, self._pick(candidates))

    def _pick(self, candidates: list[AgentSession]) -> AgentSession:
        # Least loaded first, then the one Online the longest, then the oldest session:
        # deterministic, and it spreads chats the way a real skill queue does.
        return min(candidates, key=lambda s: (self.sb.load(s.user) + len(s.ringing),
                                              s.state_since, s.created, s.id))

    def ring(self, chat: Chat, session: AgentSession) -> None:
        """Offer a chat to one session (it shows in its incomingRequests)."""
        chat.ringing_session_id = session.id
        chat.ring_started = self.sb.clock.now()
        session.ringing.append(chat.id)
        self.sb.publish("chat.ringing", chat.account_id, chatId=chat.id,
                        agentSessionId=session.id, userId=session.user.id)

    def ringing_at(self, session: AgentSession) -> list[Chat]:
        """The chats a session sees ringing, oldest ring first: its own, and those ringing at
        another live session of the same agent that this one could take now (one agent on two
        devices answers from either, as continuity lets them hold chats on either)."""
        if session.ended:
            return []
        chats = []
        for other in self.sb.agents.for_user(session.user):
            for chat_id in other.ringing:
                chat = self.sb.chats[chat_id]
                if other is session or session.availability in (
                        (ONLINE, OCCUPIED) if chat.transferred else (ONLINE,)):
                    chats.append(chat)
        return sorted(chats, key=lambda c: (c.ring_started, c.id))

    def next_ringing(self, session: AgentSession) -> Chat | None:
        """The oldest chat ringing for a session (see ringing_at), if any."""
        ringing = self.ringing_at(session)
        return ringing[0] if ringing else None

    def expire_rings(self, ring_timeout: float) -> None:
        """Chats that rang too long without an answer move on to the next eligible agent."""
        now = self.sb.clock.now()
        touched = set()
        for chat in list(self.sb.chats.values()):
            if chat.ringing_session_id and now - chat.ring_started >= ring_timeout:
                chat.rang_out.add(chat.ringing_session_id)
                self.unring(chat)
                touched.add(chat.account_id)
        for account_id in touched:
            self.dispatch(account_id)
