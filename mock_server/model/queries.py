"""The one query surface: every read the views and the live view make, each written once.

Queries change nothing (the one exception is documented where it is: none so far); an
operation that changes state is a Sandbox method (model/operations/)."""
from .accounts import Account, Skill, User
from .agents import OCCUPIED, ONLINE, STATE_NUMBER, AgentSession, AgentSessions
from .auth import LoginSession, Logins
from .chats import ENDED, WAITING, Chat
from .clock import Clock
from .errors import BadRequest, NotFound
from .holds import Holds
from .routing import Router

STATE_BY_NUMBER = {"1": "Offline", "2": "Online", "3": "Occupied", "4": "Away"}


class Queries:
    """Reads over the tree: sessions, availability, skills, capacity, chats."""

    def __init__(self, accounts: dict[str, Account], chats: dict[str, Chat], logins: Logins,
                 agents: AgentSessions, holds: Holds, router: Router, clock: Clock, started: float,
                 open_chats: dict[str, Chat]):
        self.accounts, self.chats, self.logins = accounts, chats, logins
        self.open_chats = open_chats
        self.agents, self.holds, self.router = agents, holds, router
        self.clock, self.started = clock, started

    # --- logins ----------------------------------------------------------------------------------

    def live_login(self, bearer: str | None = None, cookie: str | None = None) -> LoginSession | None:
        """The live login session of this bearer (else this cookie), or None; touches nothing."""
        return self.logins.live(bearer=bearer, cookie=cookie)

    def is_logged_in(self, bearer: str) -> bool:
        """Is this bearer's login session still open?"""
        return bearer in self.logins.by_bearer

    def logins_of_account(self, account_id: str) -> list[LoginSession]:
        """The open login sessions of an account, oldest first."""
        return [s for s in self.logins.by_bearer.values()
                if s.account_id == account_id and not self.logins.is_expired(s)]

    # --- sessions and availability ---------------------------------------------------------------

    def live_sessions(self, account_id: str, skill_id: str | None = None) -> list[AgentSession]:
        """The live agent sessions of an account (with the skill, when one is given)."""
        sessions = self.agents.of_account(account_id)
        if skill_id is None:
            return sessions
        return [s for s in sessions if skill_id in s.user.skill_ids]

    def sessions_of(self, user: User) -> list[AgentSession]:
        """The live sessions of a user, oldest first."""
        return self.agents.for_user(user)

    def availability(self, user: User) -> str:
        """A user's chat state: the newest session's (Offline without one)."""
        return self.agents.availability_of(user)

    def load(self, user: User) -> int:
        """How many chats the user is chatting in."""
        return self.holds.load(user)

    def free_slots(self, session: AgentSession) -> int | None:
        """Free capacity of the session's user (ringing counts as taken); None = unlimited."""
        return self.agents.free_slots(session)

    def _sessions_for(self, account: Account, skill=None, agent: str | None = None):
        """Sessions a capacity question is about: one agent's, or a skill's (None: unknown)."""
        if agent:
            user = account.user_by_login(agent)
            return self.agents.for_user(user) if user else []
        if skill in (None, ""):
            return self.live_sessions(account.id)
        found = account.skill(skill)
        return self.live_sessions(account.id, found.id) if found else None

    # --- skills ----------------------------------------------------------------------------------

    def skill(self, account: Account, ref) -> Skill | None:
        """The live skill named by id or name, or None."""
        return None if ref in (None, "") else account.skill(ref)


    # --- capacity ----------------------------------------------------------------------------------

    def chat_available(self, account: Account, skill=None, max_wait_time=None,
                       agent: str | None = None) -> bool:
        """Server Chat availability: is someone Online (with a free slot if maxWaitTime=0)?"""
        if agent:
            sessions = self._sessions_for(account, agent=agent)
        else:  # an unknown skill is the caller's error (400), as Server Chat answers it
            skill_id = account.find_skill(skill).id if skill not in (None, "") else None
            sessions = self.live_sessions(account.id, skill_id)
        online = [s for s in sessions if s.availability == ONLINE]
        if agent or (max_wait_time is not None and int(max_wait_time) == 0):
            return any(self.agents.free_slots(s) != 0 for s in online)
        return bool(online)

    def available_agents(self, account: Account, skill=None, chat_state=None,
                         voice_state=None) -> list[tuple[User, str, int, float]]:
        """Every enabled user of the account as (user, chat state, chats held, since), filtered."""
        skill_id = account.find_skill(skill).id if skill not in (None, "") else None
        wanted = STATE_BY_NUMBER.get(str(chat_state), chat_state) if chat_state else None
        if wanted and wanted not in STATE_NUMBER:
            raise BadRequest(f"Invalid chatState '{chat_state}'", 70)
        if voice_state and STATE_BY_NUMBER.get(str(voice_state), voice_state) != "Offline":
            return []  # nobody is on voice in a chat-only sandbox
        result = []
        for user in account.users.values():
            if not user.enabled or (skill_id and skill_id not in user.skill_ids):
                continue
            sessions = self.agents.for_user(user)
            state = sessions[-1].availability if sessions else "Offline"
            if wanted and state != wanted:
                continue
            since = sessions[-1].state_since if sessions else self.started
            result.append((user, state, self.holds.load(user), since))
        return result

    def available_slots(self, account: Account, skill=None, max_wait_time=None, agent=None) -> int:
        """Free concurrent-chat capacity of Online agents (per skill or agent); -1 is unlimited."""
        sessions = self._sessions_for(account, skill, agent) or []  # unknown skill: 0 slots
        total, seen = 0, set()
        for session in sessions:
            if session.availability != ONLINE or session.user.id in seen:
                continue
            seen.add(session.user.id)
            free = self.agents.free_slots(session)
            if free is None:
                return -1
            total += free
        if max_wait_time is None or int(max_wait_time) == 0 or not total:
            return total
        # With a wait allowed, the skill's queue ahead of a new chat is taken off what can be
        # served in time (a ringing chat already holds its slot in `free`: not taken twice).
        # (total > 0: the skill, if one was named, exists.)
        skill_id = account.skill(skill).id if skill not in (None, "") and not agent else None
        ahead = [c for c in self.waiting(account) if not c.ringing_session_id
                 and (skill_id is None or c.skill_id == skill_id)]
        return max(total - len(ahead), 0)

    def estimated_wait_time(self, account: Account, skill=None) -> int:
        """Seconds until an agent is free: 0 now, -1 nobody online, -2 not enough data."""
        sessions = self._sessions_for(account, skill) or []  # unknown skill: nobody online, -1
        on_duty = [s for s in sessions if s.availability in (ONLINE, OCCUPIED)]
        if not any(s.availability == ONLINE for s in on_duty):
            return -1
        if any(self.agents.free_slots(s) != 0 for s in on_duty if s.availability == ONLINE):
            return 0
        skill_id = account.skill(skill).id if skill not in (None, "") else None
        handled = [c.ended_time - c.accepted_time for c in self.chats_of_account(account)
                   if c.state == ENDED and c.accepted_time
                   and (skill_id is None or c.skill_id == skill_id)]
        if not handled:
            return -2
        queued = sum(1 for c in self.waiting(account) if skill_id is None or c.skill_id == skill_id)
        agents = len({s.user.id for s in on_duty})
        return int(round(sum(handled) / len(handled) * (queued + 1) / agents))

    def transfer_skills(self, session: AgentSession, account: Account) -> list[tuple[str, str, int]]:
        """Skills a chat can go to: (id, name, online agents) for skills with another agent on duty."""
        on_duty = [s for s in self.live_sessions(account.id)
                   if s.availability in (ONLINE, OCCUPIED) and s.user.id != session.user.id]
        result = []
        for skill in account.skills.values():
            if skill.deleted:
                continue
            online = {s.user.id for s in on_duty if skill.id in s.user.skill_ids}
            if online:
                result.append((skill.id, skill.name, len(online)))
        return result

    # --- chats -------------------------------------------------------------------------------------

    def chats_of_account(self, account: Account) -> list[Chat]:
        """Every chat of an account, oldest first."""
        return [c for c in self.chats.values() if c.account_id == account.id]

    def waiting(self, account: Account) -> list[Chat]:
        """The account's waiting chats in queue order (skill by skill, oldest first)."""
        chats = (self.chats[i] for i in self.router.queued(account.id))
        return [c for c in chats if c.state == WAITING]

    def ringing_at(self, session: AgentSession) -> list[Chat]:
        """The chats ringing for a session (see Router.ringing_at)."""
        return self.router.ringing_at(session)

    def ringing_session(self, chat: Chat) -> AgentSession | None:
        """The agent session a chat rings at now, if any."""
        return self.agents.by_id.get(chat.ringing_session_id) if chat.ringing_session_id else None

    def held_chats(self, session: AgentSession) -> list[Chat]:
        """The chats the session's agent is chatting in, oldest accept first."""
        return [self.chats[i] for i in self.holds.chat_ids(session.user)]

    def chats_of(self, user: User) -> list[Chat]:
        """Every chat this user holds or held (and still may read)."""
        return [c for c in self.chats.values() if c.agent is not None and c.agent.id == user.id]

    def agent_chat(self, session: AgentSession, chat_id: str) -> Chat:
        """A chat this session's agent holds (or held: ended chats stay readable)."""
        chat = self.chats.get(chat_id)
        if (chat is None or chat.account_id != session.account_id or chat.agent is None
                or chat.agent.id != session.user.id):
            raise NotFound(f"Chat {chat_id} was not found for this agent session", 44)
        return chat

    def open_chat_of(self, account: Account, shark_visitor_id: str) -> Chat | None:
        """The open chat of a monitored visitor (by LETagVisitorId), if any."""
        for chat in self.open_chats.values():
            if (chat.account_id == account.id
                    and chat.visitor.shark_visitor_id == shark_visitor_id):
                return chat
        return None
