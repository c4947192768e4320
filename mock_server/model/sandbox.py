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
from .personas import FIELDS as PERSONA_FIELDS, make_persona
from .rich_content import SCHEMA as RICH_CONTENT
from .text import integer, text
from .lifecycle import expire_idle_agent_sessions, expire_idle_chats
from .ids import IdGenerator
from .monitoring import Monitoring
from .oauth import Sentinel
from .visitor_auth import VisitorAuthentication
from .routing import Router
from .seed import build_accounts, load_config, settings_of

MAX_LINE_CHARS = 100_000
MAX_INTERACTION_TIMEOUT = 86_400  # a chat request's interactionTimeout, in seconds
REQUEST_FIELD_CHARS = 255  # ids, names and the language of a chat request
REQUEST_URL_CHARS = 2048  # its visitorIp, userAgent, chatReferrer and persona fields
PERSONA_KEYS = {*PERSONA_FIELDS, *(f.split("_")[0] + "".join(p.title() for p in f.split("_")[1:])
                                  for f in PERSONA_FIELDS)}  # snake_case and camelCase
REQUEST_TEXT_FIELDS = ("visitorId", "language", "LETagVisitorId", "LETagSessionId",
                       "LETagContextId", "engagementId", "campaignId")
TEXT_TYPES = ("plain", "html", "rich-content")
TYPING = ("typing", "not-typing", "unknown")


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
        self.monitoring = Monitoring(self)  # Monitoring and App Engagement API sessions
        self.sentinel = Sentinel(self)  # OAuth 2.0 for installed applications
        self.visitor_auth = VisitorAuthentication(self)  # authenticated chat's pairs
        self.chats: dict[str, Chat] = {}
        self.offline_messages: list[dict] = []  # offline-survey answers, oldest first
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
            expire_idle_agent_sessions(self)
            expire_idle_chats(self)
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
        chat.target_user_id = None
        chat.rang_out = set()
        self._held.setdefault(session.user.id, {})[chat.id] = None
        self.emit(chat, chat.add_state(now, CHATTING))
        self.emit(chat, chat.add_system_line(now, 3, agent=session.user.agent_name))
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

    def chats_of(self, user: User) -> list[Chat]:
        """Every chat this user holds or held (and still may read)."""
        return [c for c in self.chats.values() if c.agent is not None and c.agent.id == user.id]

    def chat_sessions(self, session: AgentSession) -> list[Chat]:
        """The chats the session's agent is chatting in, oldest first."""
        return [self.chats[i] for i in self._held.get(session.user.id, {})]

    def agent_line(self, session: AgentSession, chat: Chat, text, text_type: str = "plain",
                   sub_type: str = REGULAR, json=None, quick_replies=None) -> ChatEvent:
        """The agent says a line (html, plain or rich content; ONLY_TO_REP for agents only).
        Rich content must pass json-pollock's schema (model/rich_content.py); any line may
        carry quick replies (a sandbox extension: LivePerson has them on Messaging)."""
        chat.require_open()
        text_type = text_type or "plain"
        if text_type not in TEXT_TYPES:
            raise BadRequest(f"Invalid textType '{text_type}'", 31)
        if sub_type not in (REGULAR, ONLY_TO_REP):
            raise BadRequest(f"Invalid subType '{sub_type}'", 32)
        if text_type == "rich-content":
            if json is None:
                raise BadRequest("A rich-content line needs a 'json' object", 33)
            RICH_CONTENT.check_content(json)
            # `text` is optional here (the sample app sends none): the fallback for clients
            # that cannot draw the card; a number or an over-long text is still refused.
            blank = text is None or (isinstance(text, str) and not text.strip())
            text = "" if blank else self._check_text(text)
        else:
            text = self._check_text(text)
        if quick_replies is not None:
            RICH_CONTENT.check_quick_replies(quick_replies)
        event = chat.add_line(self.clock.now(), AGENT, session.user.agent_name, text,
                              text_type=text_type, sub_type=sub_type, json=json,
                              agent_id=session.user.id, quick_replies=quick_replies)
        chat.agent_typing = "not-typing"
        self.emit(chat, event)
        return event

    def agent_end_chat(self, session: AgentSession, chat: Chat) -> ChatEvent:
        """The agent ends the chat: system message 5, then the `ended` state."""
        chat.require_open()
        return self.end_chat(chat, "agent", system_message=5)

    # --- visitor side -------------------------------------------------------------------

    def request_chat(self, account: Account, req: dict, remote_ip: str = "",
                     user_agent: str = "") -> Chat:
        """A visitor asks for a chat on a skill (by name or id) or an engagement."""
        # Every check comes first (in _chat_request): a refused request stores no chat and
        # draws no id, so a seeded run goes on exactly as if it had not been sent.
        checked = _chat_request(account, req)
        engagement, skill_id = checked["engagement"], checked["skill_id"]
        authenticated = self.visitor_auth.for_request(account, req, engagement)
        if authenticated is not None:  # the identity comes from the brand's token
            checked["persona"] = {**checked["persona"], **authenticated.persona()}
        visitor = self._visitor(checked, engagement, remote_ip, user_agent)
        if authenticated is not None:
            visitor.extra["authentication"] = authenticated.as_dict()
        now = self.clock.now()
        chat_id, visit_id = self.ids.chat_id()
        chat = Chat(id=chat_id, visit_id=visit_id, account_id=account.id, skill_id=skill_id,
                    engagement_id=engagement.id if engagement else checked["engagementId"],
                    campaign_id=engagement.campaign_id if engagement else checked["campaignId"],
                    visitor=visitor, rt_session_id=self.ids.digits(10), created=now,
                    chat_timeout=checked["timeout"], last_visitor_poll=now)
        if checked["prechat"] is not None:
            chat.surveys["preChat"] = checked["prechat"]
        self.chats[chat.id] = chat
        if authenticated is not None:
            authenticated.chat_id = chat.id  # the pair is good for one chat
        chat.add_state(now, WAITING)
        chat.add_system_line(now, 4)
        if not self.chat_available(account, skill_id):
            chat.add_system_line(now, 2)  # nobody on duty for this skill right now
        self.publish("chat.requested", account.id, chat=chat)
        for event in chat.events:  # observers see the first events like every later one
            self.emit(chat, event)
        self.router.enqueue(chat)
        return chat

    def _visitor(self, checked: dict, engagement, remote_ip: str, user_agent: str) -> Visitor:
        """The customer of a chat request: a seeded persona, with the request's own details."""
        persona = make_persona(int(self.ids.digits(9)), checked["persona"])
        return Visitor(
            visitor_id=checked["visitorId"] or self.ids.digits(16),
            ip=persona.ip or remote_ip,
            user_agent=persona.user_agent or user_agent,
            referrer=persona.page,
            persona=persona,
            language=checked["language"] or (engagement.language if engagement else "en-US"),
            shark_visitor_id=checked["LETagVisitorId"] or self.ids.token(),
            shark_session_id=checked["LETagSessionId"] or self.ids.token(),
            shark_context_id=checked["LETagContextId"] or "1",
            extra=checked["extra"],
        )

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
        self.emit(chat, event)
        return event

    def visitor_end_chat(self, chat: Chat) -> ChatEvent:
        """The visitor closes the chat."""
        chat.require_open()
        return self.end_chat(chat, "visitor")

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

    # --- both sides -----------------------------------------------------------------------

    def set_typing(self, chat: Chat, who: str, value) -> None:
        """Set the agent's or the visitor's typing state (typing, not-typing, unknown)."""
        if value not in TYPING:
            raise BadRequest(f"Invalid typing state '{value}': use typing or not-typing", 46)
        chat.require_open()
        setattr(chat, f"{who}_typing", value)
        self.publish("chat.typing", chat.account_id, chat=chat, who=who, typing=value)

    def set_visitor_name(self, chat: Chat, name) -> None:
        """The visitor tells their name; later visitor lines carry it in `by`."""
        if not isinstance(name, str) or not name.strip() or len(name) > 100:
            raise BadRequest("visitorName must be a non-empty string of at most 100 characters", 47)
        chat.require_open()
        chat.visitor.name = name.strip()
        self.publish("chat.visitor_name", chat.account_id, chat=chat, visitorName=chat.visitor.name)

    def submit_survey(self, chat: Chat, kind: str, raw) -> dict:
        """Store validated answers to one of the chat's surveys (exit or agent)."""
        survey = self.account(chat.account_id).surveys[kind]
        answers = survey.answers_from(raw)
        chat.surveys[kind] = answers
        self.publish("chat.survey", chat.account_id, chat=chat, survey=kind, surveyId=survey.id,
                     answers=answers)
        return answers

    def submit_offline_survey(self, account: Account, raw) -> dict:
        """Store an offline message (answers to the offline survey)."""
        answers = account.surveys["offline"].answers_from(raw)
        record = {"accountId": account.id, "answers": answers, "time": self.clock.now()}
        self.offline_messages.append(record)
        self.publish("offline_message", account.id, answers=answers)
        return record

    def request_transcript(self, chat: Chat, email, subject=None) -> None:
        """Record a transcript e-mail request (nothing is sent from a sandbox)."""
        if not isinstance(email, str) or "@" not in email or len(email) > 254:
            raise BadRequest("A valid 'email' is required", 48)
        chat.transcript_requests.append({"email": email, "subject": subject,
                                         "time": self.clock.now()})
        self.publish("chat.transcript_requested", chat.account_id, chat=chat, email=email)

    # --- shared -------------------------------------------------------------------------

    def _check_text(self, text) -> str:
        if not isinstance(text, str) or not text.strip():
            raise BadRequest("A line needs a non-empty 'text'", 36)
        if len(text) > MAX_LINE_CHARS:
            raise BadRequest(f"A line may have at most {MAX_LINE_CHARS} characters", 37)
        return text

    def emit(self, chat: Chat, event: ChatEvent) -> None:
        """Publish a chat event that was just appended."""
        self.publish("chat.event", chat.account_id, chat=chat, event=event)

    def release(self, chat: Chat) -> None:
        """The chat's agent lets go of it (transfer, requeue): the slot frees at once."""
        if chat.agent is not None:
            self._held.get(chat.agent.id, {}).pop(chat.id, None)
        chat.agent = chat.agent_session_id = None
        chat.agent_typing = "not-typing"

    def end_chat(self, chat: Chat, by: str, system_message: int | None = None) -> ChatEvent:
        """End a chat (by agent, visitor or timeout): optional system line, then `ended`."""
        now = self.clock.now()
        self.router.remove(chat)
        if chat.agent is not None:
            self._held.get(chat.agent.id, {}).pop(chat.id, None)
        if system_message is not None:
            self.emit(chat, chat.add_system_line(now, system_message))
        event = chat.add_state(now, ENDED)
        chat.end_reason = by
        self.emit(chat, event)
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
        self.release(chat)
        self.emit(chat, chat.add_system_line(now, 23))
        self.emit(chat, chat.add_state(now, WAITING))
        self.router.enqueue(chat)


def _chat_request(account: Account, req) -> dict:
    """Every field of a chat request, validated; raises before anything is changed or drawn."""
    if not isinstance(req, dict):
        raise BadRequest("The body must carry the chat request under the 'request' key", 34)
    out = {name: _request_text(req, name, REQUEST_FIELD_CHARS) for name in REQUEST_TEXT_FIELDS}
    engagement = account.engagement(req["engagementId"]) if req.get("engagementId") else None
    if req.get("skill") not in (None, ""):
        skill_id = account.find_skill(_request_text(req, "skill", REQUEST_FIELD_CHARS)).id
    elif engagement is not None and engagement.skill_id is not None:
        # The engagement's skill may have been deleted since; refuse before storing anything.
        skill_id = account.find_skill(engagement.skill_id).id
    else:
        skill_id = None
    timeout = req.get("interactionTimeout")
    if timeout is None or timeout == "" or (type(timeout) is int and timeout == 0):
        timeout = account.chat_timeout  # absent (or 0, as before): the account's default, 40 s
    try:
        timeout = integer(timeout, "interactionTimeout", 1, MAX_INTERACTION_TIMEOUT, 35)
    except BadRequest:
        raise BadRequest(f"interactionTimeout must be a whole number of seconds from 1 to "
                         f"{MAX_INTERACTION_TIMEOUT}", 35) from None
    overrides = req.get("persona", {})
    if not isinstance(overrides, dict):
        raise BadRequest("'persona' must be an object", 34)
    # Only the persona's own fields are read (others are ignored, as before); each is text.
    overrides = {key: _request_text(overrides, key, REQUEST_URL_CHARS) for key in overrides
                 if key in PERSONA_KEYS}
    # Documented fields win over the persona; the persona wins over this request's own
    # address and User-Agent, which in a sandbox are always localhost and a test client.
    for field, key in (("ip", "visitorIp"), ("userAgent", "userAgent"), ("page", "chatReferrer")):
        value = _request_text(req, key, REQUEST_URL_CHARS)
        if value and value.strip():
            overrides = {**overrides, field: value}
    return {**out, "engagement": engagement, "skill_id": skill_id, "timeout": timeout,
            "prechat": _prechat_answers(account, req.get("survey")), "persona": overrides,
            "extra": {k: req[k] for k in ("preChatLines", "survey", "customVariables") if k in req}}


def _request_text(req: dict, name: str, max_chars: int) -> str | None:
    """A scalar field of a chat request (a string or a number) as text, or None when absent."""
    value = req.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRequest(f"'{name}' must be a string", 34)
    return text(str(value), name, max_chars, 34)


def _prechat_answers(account: Account, survey) -> dict | None:
    """Validated pre-chat answers of a chat request (`survey`, optionally wrapped once more)."""
    if survey is None:
        return None
    if isinstance(survey, dict) and isinstance(survey.get("survey"), dict):
        survey = survey["survey"]
    return account.surveys["preChat"].answers_from(survey)
