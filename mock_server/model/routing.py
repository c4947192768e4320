"""Routing: one FIFO queue per skill, ringing Online agents with the skill and a free slot."""
from typing import Callable

from .agents import OCCUPIED, ONLINE, AgentSession, AgentSessions
from .chats import WAITING, Chat
from .clock import Clock
from .holds import Holds


class Router:
    """Decides which agent session each waiting chat rings, and takes chats back."""

    def __init__(self, agents: AgentSessions, chats: dict[str, Chat], holds: Holds, clock: Clock,
                 publish: Callable[..., None]):
        self.agents, self.chats, self.holds = agents, chats, holds
        self.clock, self.publish = clock, publish
        # account id -> skill id (None: chats with no skill) -> waiting chat ids, oldest first
        self._queues: dict[str, dict[str | None, list[str]]] = {}
        self._ringing: dict[str, Chat] = {}  # chat id -> chat, for the ring timeout
        self._rings = 0  # rings so far: orders rings that start at the same clock time

    def queue(self, account_id: str, skill_id: str | None) -> list[str]:
        """The FIFO queue of waiting chat ids of one skill (None: chats with no skill)."""
        return self._queues.setdefault(account_id, {}).setdefault(skill_id, [])

    def queued(self, account_id: str) -> list[str]:
        """Every queued chat id of an account: skill by skill, oldest first in each."""
        return [chat_id for ids in self._queues.get(account_id, {}).values() for chat_id in ids]

    def add(self, chat: Chat) -> None:
        """Put a waiting chat at the back of its skill's queue (dispatch rings it)."""
        self.queue(chat.account_id, chat.skill_id).append(chat.id)

    def remove(self, chat: Chat) -> None:
        """Take a chat out of its queue and stop it ringing (accepted, ended, moved)."""
        queue = self.queue(chat.account_id, chat.skill_id)
        if chat.id in queue:
            queue.remove(chat.id)
        self.unring(chat)

    def unring(self, chat: Chat) -> None:
        """Stop a chat ringing wherever it rings."""
        if chat.ringing_session_id:
            session = self.agents.by_id.get(chat.ringing_session_id)
            if session and chat.id in session.ringing:
                session.ringing.remove(chat.id)
        self._ringing.pop(chat.id, None)
        chat.ringing_session_id = None
        chat.ring_started = None

    def unring_all(self, session: AgentSession) -> None:
        """Stop everything ringing at a session (it went away)."""
        for chat_id in list(session.ringing):
            self.unring(self.chats[chat_id])

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
        free = self.agents.free_slots(session)
        return free is None or free > 0

    def dispatch(self, account_id: str) -> None:
        """Ring every waiting, not yet ringing chat of an account at an eligible session."""
        sessions = self.agents.of_account(account_id)
        if not sessions:
            return
        for queue in self._queues.get(account_id, {}).values():
            for chat_id in list(queue):
                chat = self.chats[chat_id]
                if chat.state != WAITING or chat.ringing_session_id:
                    continue
                candidates = [s for s in sessions if self.eligible(s, chat)]
                if not candidates:
                    continue
                # A session that let this chat ring out is asked again only if no one else can.
                fresh = [s for s in candidates if s.id not in chat.rang_out]
                self.ring(chat, self._pick(fresh or candidates))

    def _pick(self, candidates: list[AgentSession]) -> AgentSession:
        # Least loaded first, then the one Online the longest, then the oldest session:
        # deterministic, and it spreads chats the way a real skill queue does.
        # An agent's load counts what rings at any of their sessions, as free_slots does.
        return min(candidates, key=lambda s: (self.holds.load(s.user) + self._rings_of(s.user),
                                              s.state_since, s.created, s.id))

    def _rings_of(self, user) -> int:
        return sum(len(s.ringing) for s in self.agents.for_user(user))

    def ring(self, chat: Chat, session: AgentSession) -> None:
        """Offer a chat to one session (it shows in its incomingRequests)."""
        chat.ringing_session_id = session.id
        chat.ring_started = self.clock.now()
        self._rings += 1
        chat.ring_order = self._rings
        session.ringing.append(chat.id)
        self._ringing[chat.id] = chat
        self.publish("chat.ringing", chat.account_id, chatId=chat.id,
                     agentSessionId=session.id, userId=session.user.id)

    def ringing_at(self, session: AgentSession) -> list[Chat]:
        """The chats a session sees ringing, oldest ring first: its own, and those ringing at
        another live session of the same agent that this one could take now (one agent on two
        devices answers from either, as continuity lets them hold chats on either)."""
        if session.ended:
            return []
        chats = []
        for other in self.agents.for_user(session.user):
            for chat_id in other.ringing:
                chat = self.chats[chat_id]
                if other is session or session.availability in (
                        (ONLINE, OCCUPIED) if chat.transferred else (ONLINE,)):
                    chats.append(chat)
        return sorted(chats, key=lambda c: (c.ring_started, c.ring_order))

    def expire_rings(self, ring_timeout: float) -> None:
        """Chats that rang too long without an answer move on to the next eligible agent."""
        now = self.clock.now()
        touched = set()
        for chat in list(self._ringing.values()):
            if chat.ringing_session_id and now - chat.ring_started >= ring_timeout:
                # The ring showed on every session of that agent: none of them is asked first.
                session = self.agents.by_id[chat.ringing_session_id]
                chat.rang_out.update({session.id, *(s.id for s in self.agents.for_user(session.user))})
                self.unring(chat)
                touched.add(chat.account_id)
        for account_id in sorted(touched):
            self.dispatch(account_id)
