"""Agent sessions of the Chat Agent API: availability, capacity, what rings them."""
from dataclasses import dataclass, field
from typing import Callable

from .accounts import User
from .auth import LoginSession
from .clock import Clock
from .errors import BadRequest, Forbidden, NotFound
from .holds import Holds
from .ids import IdGenerator

ONLINE, AWAY, OCCUPIED, OFFLINE = "Online", "Away", "Occupied", "Offline"
SETTABLE = (ONLINE, AWAY, OCCUPIED)
# availableAgents reports states as numbers: 1 Offline, 2 Online, 3 Occupied, 4 Away.
STATE_NUMBER = {OFFLINE: "1", ONLINE: "2", OCCUPIED: "3", AWAY: "4"}


@dataclass
class AgentSession:
    """One agent session: a logged-in user working chats (bot or human)."""

    id: str
    account_id: str
    user: User
    login: LoginSession
    created: float
    last_seen: float
    availability: str = AWAY
    state_since: float = 0.0
    ringing: list[str] = field(default_factory=list)  # chat ids, oldest first
    ended: bool = False


class AgentSessions:
    """Every agent session of a sandbox, indexed by id, by account and by user (live ones)."""

    def __init__(self, clock: Clock, ids: IdGenerator, holds: Holds,
                 publish: Callable[..., None]):
        self.clock, self.ids, self.holds, self.publish = clock, ids, holds, publish
        self.by_id: dict[str, AgentSession] = {}
        # Live sessions only, oldest first: routing asks these on every call, so no scans.
        self._by_account: dict[str, dict[str, AgentSession]] = {}
        self._by_user: dict[str, dict[str, AgentSession]] = {}

    def start(self, login: LoginSession) -> AgentSession:
        """Open an agent session for the user of `login`."""
        now = self.clock.now()
        session = AgentSession(id=self.ids.digits(10), account_id=login.account_id,
                               user=login.user, login=login, created=now, last_seen=now,
                               state_since=now)
        self.by_id[session.id] = session
        self._by_account.setdefault(session.account_id, {})[session.id] = session
        self._by_user.setdefault(session.user.id, {})[session.id] = session
        self.publish("agent.session_started", login.account_id, **self.summary(session))
        return session

    def get(self, login: LoginSession, session_id: str) -> AgentSession:
        """The live agent session `session_id` of the user behind `login`; touches it."""
        session = self.by_id.get(session_id)
        if session is None or session.ended or session.account_id != login.account_id:
            raise NotFound(f"Agent session {session_id} was not found", 40)
        if session.user.id != login.user.id:
            raise Forbidden(f"Agent session {session_id} belongs to another user", 41)
        session.last_seen = self.clock.now()
        return session

    def of_account(self, account_id: str) -> list[AgentSession]:
        """The live sessions of an account, oldest first."""
        return list(self._by_account.get(account_id, {}).values())

    def for_user(self, user: User) -> list[AgentSession]:
        """The live sessions of a user, oldest first."""
        return list(self._by_user.get(user.id, {}).values())

    def of_login(self, login: LoginSession) -> list[AgentSession]:
        """The live sessions opened with this login."""
        return [s for s in self.for_user(login.user) if s.login is login]

    def availability_of(self, user: User) -> str:
        """A user's chat state as availableAgents shows it (Offline without a session)."""
        sessions = self._by_user.get(user.id)
        return next(reversed(sessions.values())).availability if sessions else OFFLINE

    def free_slots(self, session: AgentSession) -> int | None:
        """Free capacity of the session's user, ringing chats counted as taken; None = unlimited."""
        user = session.user
        if user.max_chats < 0:
            return None
        ringing = sum(len(s.ringing) for s in self._by_user.get(user.id, {}).values())
        return max(user.max_chats - self.holds.load(user) - ringing, 0)

    def set_availability(self, session: AgentSession, value) -> None:
        """Set the chat availability: Online, Away or Occupied (routing follows up)."""
        if value not in SETTABLE:
            raise BadRequest(f"Invalid chat availability '{value}': use Online, Away or Occupied", 42)
        if value != session.availability:
            session.availability = value
            session.state_since = self.clock.now()
            self.publish("agent.availability", session.account_id, **self.summary(session))

    def idle(self, timeout: float) -> list[AgentSession]:
        """Live sessions that have not called for more than `timeout` seconds."""
        now = self.clock.now()
        return [s for sessions in self._by_account.values() for s in sessions.values()
                if now - s.last_seen > timeout]

    def mark_ended(self, session: AgentSession) -> bool:
        """Close a session in the store; False when it was closed already."""
        if session.ended:
            return False
        session.ended = True
        self._by_account.get(session.account_id, {}).pop(session.id, None)
        self._by_user.get(session.user.id, {}).pop(session.id, None)
        return True

    def summary(self, session: AgentSession) -> dict:
        """The facts observers (the live view) want about a session."""
        user = session.user
        return {"agentSessionId": session.id, "userId": user.id, "loginName": user.login_name,
                "nickname": user.agent_name, "userType": user.user_type,
                "availability": session.availability, "maxChats": user.max_chats,
                "load": self.holds.load(user)}
