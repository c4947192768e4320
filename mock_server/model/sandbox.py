"""The Sandbox: root of all state of one server, and the operations the APIs call."""
import threading
import time

from .accounts import Account, User
from .agents import AgentSession, AgentSessions
from .auth import Logins
from .bus import Event, EventBus
from .chats import AGENT, CHATTING, ENDED, ONLY_TO_REP, REGULAR, VISITOR, WAITING, Chat, ChatEvent, Visitor
from .clock import Clock
from .errors import BadRequest, NotFound
from .ids import IdGenerator
from .routing import Router
from .seed import build_accounts, load_config, settings_of

MAX_LINE_CHARS = 100_000
TEXT_TYPES = ("plain", "html", "rich-content")


class Sandbox:
    """All accounts, sessions and chats of one mock server; no HTTP in here."""

    def __init__(self, config: dict | None = None, clock: Clock | None = None,
                 seed: int | None = None):
        self.config = config if config is not None else load_config()
        self.settings = settings_of(self.config)
        self.clock = clock or Clock()
        self.ids = IdGenerator(seed)
        self.bus = EventBus()
        # One lock serialises every operation: views hold it while they read and render.
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = build_accounts(self.config, self.ids)
        self.logins = Logins(self)
        self.agents = AgentSessions(self)
        self.router = Router(self)
        self.chats: dict[str, Chat] = {}
        # user id -> ids of the chats the user is chatting in, in accept order (a dict as ordered set)
        self._held: dict[str, dict[str, None]] = {}
        self.started = time.time()

    # --- plumbing -----------------------------------------------------------------------

    def publish(self, kind: str, account_id: str, **data) -> None:
        """Put a state change on the bus."""
        self.bus.publish(Event(kind=kind, account_id=account_id, data=data, time=self.clock.now()))

    def account(self, account_id: str) -> Account:
        """The account with this id, or NotFound."""
        account = self.accounts.get(account_id)
        if account is None:
            raise NotFound(f"Account {account_id} was not found", 5)
        return account

    def load(self, user: User) -> int:
        """How many chats the user is chatting in right now."""
        return len(self._held.get(user.id, ()))

    def tick(self) -> None:
        """Apply every timeout that the clock has reached."""
        with self.lock:
            self.logins.expire_idle()
            self.router.expire_rings(float(self.settings["ring_timeout_seconds"]))

    # --- agent side ---------------------------------------------------------------------

    def accept_chat(self, session: AgentSession) -> Chat:
        """Accept the oldest chat ringing at this session: it becomes the agent's chat."""
        chat = self.router.next_ringing(session)
        if chat is None:
            raise NotFound("There is no incoming chat request to accept", 43)
        self.router.remove(chat)
        now = self.clock.now()
        chat.agent, chat.agent_session_id, chat.accepted_time = session.user, session.id, now
        self._held.setdefault(session.user.id, {})[chat.id] = None
        self._emit(chat, chat.add_state(now, CHATTING))
        self._emit(chat, chat.add_system_line(now, 3, agent=session.user.agent_name))
        self.publish("chat.accepted", chat.account_id, chat=chat, agentSessionId=session.id,
                     userId=session.user.id)
        return chat

    def agent_chat(self, session: AgentSession, chat_id: str) -> Chat:
        """A chat this session's agent holds (or held: ended chats stay readable)."""
        chat = self.chats.get(chat_id)
        if (chat is None or chat.account_id != session.account_id or chat.agent is None
                or chat.agent.id != session.user.id):
            raise NotFound(f"Chat {chat_id} was not found for this agent session", 44)
        return chat

    def chat_sessions(self, session: AgentSession) -> list[Chat]:
        """The chats the session's agent is chatting in, oldest first."""
        return [self.chats[i] for i in self._held.get(session.user.id, {})]

    def agent_line(self, session: AgentSession, chat: Chat, text, text_type: str = "plain",
                   sub_type: str = REGULAR, json=None) -> ChatEvent:
        """The agent says a line (html, plain or rich content; ONLY_TO_REP for agents only)."""
        chat.require_open()
        text_type = text_type or "plain"
        if text_type not in TEXT_TYPES:
            raise BadRequest(f"Invalid textType '{text_type}'", 31)
        if sub_type not in (REGULAR, ONLY_TO_REP):
            raise BadRequest(f"Invalid subType '{sub_type}'", 32)
        if text_type == "rich-content":
            if not isinstance(json, (dict, list)):
                raise BadRequest("A rich-content line needs a 'json' object", 33)
            text = text if isinstance(text, str) else ""
        else:
            text = self._check_text(text)
        event = chat.add_line(self.clock.now(), AGENT, session.user.agent_name, text,
                              text_type=text_type, sub_type=sub_type, json=json,
                              agent_id=session.user.id)
        chat.agent_typing = "not-typing"
        self._emit(chat, event)
        return event

    def agent_end_chat(self, session: AgentSession, chat: Chat) -> ChatEvent:
        """The agent ends the chat: system message 5, then the `ended` state."""
        chat.require_open()
        return self._end(chat, "agent", system_message=5)

    # --- visitor side -------------------------------------------------------------------

    def request_chat(self, account: Account, req: dict, remote_ip: str = "",
                     user_agent: str = "") -> Chat:
        """A visitor asks for a chat on a skill (by name or id) or an engagement."""
        if not isinstance(req, dict):
            raise BadRequest("The body must carry the chat request under the 'request' key", 34)
        engagement = account.engagement(req["engagementId"]) if req.get("engagementId") else None
        if req.get("skill") not in (None, ""):
            skill_id = account.find_skill(req["skill"]).id
        else:
            skill_id = engagement.skill_id if engagement else None
        try:
            timeout = int(req.get("interactionTimeout") or account.chat_timeout)
        except (TypeError, ValueError):
            raise BadRequest("interactionTimeout must be a number of seconds", 35) from None
        now = self.clock.now()
        chat_id, visit_id = self.ids.chat_id()
        visitor = Visitor(
            visitor_id=str(req.get("visitorId") or self.ids.digits(16)),
            ip=str(req.get("visitorIp") or remote_ip),
            user_agent=str(req.get("userAgent") or user_agent),
            referrer=str(req.get("chatReferrer") or ""),
            language=str(req.get("language") or (engagement.language if engagement else "en-US")),
            shark_visitor_id=str(req.get("LETagVisitorId") or self.ids.token()),
            shark_session_id=str(req.get("LETagSessionId") or self.ids.token()),
            shark_context_id=str(req.get("LETagContextId") or "1"),
            extra={k: req[k] for k in ("preChatLines", "survey", "customVariables") if k in req},
        )
        chat = Chat(id=chat_id, visit_id=visit_id, account_id=account.id, skill_id=skill_id,
                    engagement_id=engagement.id if engagement else _opt(req.get("engagementId")),
                    campaign_id=(engagement.campaign_id if engagement
                                 else _opt(req.get("campaignId"))),
                    visitor=visitor, rt_session_id=self.ids.digits(10), created=now,
                    chat_timeout=timeout, last_visitor_poll=now)
        self.chats[chat.id] = chat
        chat.add_state(now, WAITING)
        chat.add_system_line(now, 4)
        self.publish("chat.requested", account.id, chat=chat)
        self.router.enqueue(chat)
        return chat

    def visitor_chat(self, account: Account, chat_id: str) -> Chat:
        """A chat of this account, as the visitor reaches it; every call keeps it alive."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.account_id != account.id:
            raise NotFound(f"Chat {chat_id} was not found", 44)
        chat.last_visitor_poll = self.clock.now()
        return chat

    def visitor_line(self, chat: Chat, text) -> ChatEvent:
        """The visitor says a line; visitor HTML is never rendered, so it is stored as plain."""
        chat.require_open()
        event = chat.add_line(self.clock.now(), VISITOR, chat.visitor.name or "You",
                              self._check_text(text))
        chat.visitor_typing = "not-typing"
        self._emit(chat, event)
        return event

    def visitor_end_chat(self, chat: Chat) -> ChatEvent:
        """The visitor closes the chat."""
        chat.require_open()
        return self._end(chat, "visitor")

    def chat_available(self, account: Account, skill=None, max_wait_time=None,
                       agent: str | None = None) -> bool:
        """Server Chat availability: is someone Online (with a free slot if maxWaitTime=0)?"""
        if agent:
            user = account.user_by_login(agent)
            sessions = self.agents.for_user(user) if user else []
        else:
            skill_id = account.find_skill(skill).id if skill not in (None, "") else None
            sessions = [s for s in self.agents.by_id.values()
                        if s.account_id == account.id and not s.ended
                        and (skill_id is None or skill_id in s.user.skill_ids)]
        online = [s for s in sessions if s.availability == "Online"]
        if agent or (max_wait_time is not None and int(max_wait_time) == 0):
            return any(self.router.free_slots(s) != 0 for s in online)
        return bool(online)

    # --- shared -------------------------------------------------------------------------

    def _check_text(self, text) -> str:
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("A line needs a non-empty 'text'", 36)
        if len(text) > MAX_LINE_CHARS:
            raise BadRequest(f"A line may have at most {MAX_LINE_CHARS} characters", 37)
        return text

    def _emit(self, chat: Chat, event: ChatEvent) -> None:
        self.publish("chat.event", chat.account_id, chat=chat, event=event)

    def _end(self, chat: Chat, by: str, system_message: int | None = None) -> ChatEvent:
        now = self.clock.now()
        self.router.remove(chat)
        if chat.agent is not None:
            self._held.get(chat.agent.id, {}).pop(chat.id, None)
        if system_message is not None:
            self._emit(chat, chat.add_system_line(now, system_message))
        event = chat.add_state(now, ENDED)
        chat.end_reason = by
        self._emit(chat, event)
        self.publish("chat.ended", chat.account_id, chat=chat, by=by)
        self.router.dispatch(chat.account_id)
        return event

    def requeue_orphans(self, session: AgentSession) -> None:
        """Chats of an ended agent session go to the agent's other live session, if any."""
        others = self.agents.for_user(session.user)
        for chat in self.chat_sessions(session):
            if chat.agent_session_id != session.id:
                continue
            if others:
                chat.agent_session_id = others[0].id  # continuity: same agent, other device
            else:
                self._requeue(chat)

    def _requeue(self, chat: Chat) -> None:
        """Send a chat back to its skill's queue (system message 23)."""
        now = self.clock.now()
        self._held.get(chat.agent.id, {}).pop(chat.id, None)
        chat.agent = chat.agent_session_id = None
        self._emit(chat, chat.add_state(now, WAITING))
        self._emit(chat, chat.add_system_line(now, 23))
        self.router.enqueue(chat)


def _opt(value) -> str | None:
    return str(value) if value not in (None, "") else None
