"""Agent sessions of the Chat Agent API: availability, capacity, what rings them."""
from dataclasses import dataclass, field

from .accounts import User
from .auth import LoginSession
from .errors import BadRequest, Forbidden, NotFound

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
    """Every agent session of a sandbox."""

    def __init__(self, sandbox):
        self.sb = sandbox
        self.by_id: dict[str, AgentSession] = {}

    def start(self, login: LoginSession) -> AgentSession:
        """Open an agent session for the user of `login`."""
        now = self.sb.clock.now()
        session = AgentSession(id=self.sb.ids.digits(10), account_id=login.account_id,
                               user=login.user, login=login, created=now, last_seen=now,
                               state_since=now)
        self.by_id[session.id] = session
        self.sb.publish("agent.session_started", login.account_id, **self.summary(session))
        return session

    def get(self, login: LoginSession, session_id: str) -> AgentSession:
        """The live agent session `session_id` of the user behind `login`."""
        session = self.by_id.get(session_id)
        if session is None or session.ended or session.account_id != login.account_id:
            raise NotFound(f"Agent session {session_id} was not found", 40)
        if session.user.id != login.user.id:
            raise Forbidden(f"Agent session {session_id} belongs to another user", 41)
        session.last_seen = self.sb.clock.now()
        return session

    def set_availability(self, session: AgentSession, value) -> None:
        """Set the chat availability: Online, Away or Occupied."""
        if value not in SETTABLE:
            raise BadRequest(f"Invalid chat availability '{value}': use Online, Away or Occupied", 42)
        if value != session.availability:
            session.availability = value
            session.state_since = self.sb.clock.now()
            self.sb.publish("agent.availability", session.account_id, **self.summary(session))
        self.sb.router.dispatch(session.account_id)

    def for_user(self, user: User) -> list[AgentSession]:
        """The live sessions of a user, oldest first."""
        return [s for s in self.by_id.values() if s.user.id == user.id and not s.ended]

    def availability_of(self, user: User) -> str:
        """A user's chat state as availableAgents shows it (Offline without a session)."""
        sessions = self.for_user(user)
        return sessions[-1].availability if sessions else OFFLINE

    def end(self, session: AgentSession, reason: str) -> None:
        """Close an agent session; its ringing chats ring elsewhere."""
        if session.ended:
            return
        session.ended = True
        self.sb.router.unring_all(session)
        self.sb.publish("agent.session_ended", session.account_id, reason=reason,
                        **self.summary(session))
        self.sb.requeue_orphans(session)
        self.sb.router.dispatch(session.account_id)

    def end_for_login(self, login: LoginSession) -> None:
        """Logout ends every agent session opened with that login."""
        for session in list(self.by_id.values()):
            if session.login is login:
                self.end(session, "logout")

    def summary(self, session: AgentSession) -> dict:
        """The facts observers (the live view) want about a session."""
        user = session.user
        return {"agentSessionId": session.id, "userId": user.id, "loginName": user.login_name,
                "nickname": user.agent_name, "userType": user.user_type,
                "availability": session.availability, "maxChats": user.max_chats,
                "load": self.sb.load(user)}
