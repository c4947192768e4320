"""Parsed API responses: typed views of the JSON LivePerson's APIs answer (logins, events, event
pages, chat info and resources, agents, surveys, visits), and the one request body a survey needs.

The simulator's counterpart of mock_server/wire/ (which renders these answers): this module reads
them; simulator/transport.py moves the bytes.
"""
import html
import re
from dataclasses import dataclass, field

# systemMessageId of the platform's lines the clients look for
AGENT_ENDED = 5  # the agent ended the chat
TRANSFERRED = 15  # the chat was transferred to another skill


def as_list(value) -> list:
    """LivePerson sends one item as a bare object and several as an array: always a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def links_by_rel(value) -> dict[str, str]:
    """`{rel: href}` of a `link` element (object or array; `@href`/`@rel` or `href`/`rel`)."""
    out = {}
    for item in as_list(value):
        if isinstance(item, dict):
            rel, href = item.get("@rel", item.get("rel")), item.get("@href", item.get("href"))
            if rel and href:
                out[rel] = href
    return out


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_bool(value) -> bool:
    """A flag sent as a boolean or as the string "true"/"false"."""
    return value is True or str(value).lower() == "true"


_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class LoginResult:
    """What a successful login hands back (Login Service API §2.4)."""

    bearer: str
    csrf: str
    session_id: str | None
    login_name: str
    user_id: str
    user_pid: str | None
    is_admin: bool
    session_ttl_ms: int | None
    services: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: dict, cookie: str | None) -> "LoginResult":
        """Parse a login body; the session id is the cookie (or `sessionId` when no cookie came)."""
        config = body.get("config") or {}
        uris = (body.get("csdsCollectionResponse") or {}).get("baseURIs") or []
        return cls(bearer=body["bearer"], csrf=body["csrf"],
                   session_id=cookie or body.get("sessionId"),
                   login_name=str(config.get("loginName", "")), user_id=str(config.get("userId", "")),
                   user_pid=config.get("userPid"), is_admin=bool(config.get("isAdmin")),
                   session_ttl_ms=_int(body.get("sessionTTl")),
                   services={u["service"]: u["baseURI"] for u in uris
                             if isinstance(u, dict) and "service" in u and "baseURI" in u})


def _card_texts(node, depth: int = 0) -> list[str]:
    """The texts and button titles of a structured-content card, in order."""
    if not isinstance(node, dict) or depth > 40:
        return []
    own = node.get("title") if node.get("type") == "button" else node.get("text")
    found = [own] if isinstance(own, str) else []
    children = node.get("elements")
    for child in children if isinstance(children, list) else []:
        found += _card_texts(child, depth + 1)
    return found


@dataclass(frozen=True)
class ChatEvent:
    """One chat event: a `state` change or a `line`."""

    id: int
    type: str
    time: str | None = None
    state: str | None = None
    text: str | None = None
    text_type: str | None = None
    by: str | None = None
    source: str | None = None
    system_message_id: int | None = None
    sub_type: str | None = None
    json: object = None  # rich-content payload
    quick_replies: object = None  # a line's quickReplies (sandbox extension)

    @classmethod
    def from_json(cls, item: dict) -> "ChatEvent":
        """Parse one event; `@id`/`@type` or the un-prefixed spelling some doc examples use."""
        return cls(id=_int(item.get("@id", item.get("id"))) or 0,
                   type=item.get("@type", item.get("type", "")), time=item.get("time"),
                   state=item.get("state"), text=item.get("text"), text_type=item.get("textType"),
                   by=item.get("by"), source=item.get("source"),
                   system_message_id=_int(item.get("systemMessageId")), sub_type=item.get("subType"),
                   json=item.get("json"), quick_replies=item.get("quickReplies"))

    @property
    def is_line(self) -> bool:
        """A line of text (system, agent or visitor)."""
        return self.type == "line"

    @property
    def is_visitor_line(self) -> bool:
        """A line the visitor said."""
        return self.is_line and self.source == "visitor"

    @property
    def is_agent_line(self) -> bool:
        """A line an agent (or bot) said."""
        return self.is_line and self.source == "agent"

    @property
    def is_system_line(self) -> bool:
        """A line the platform wrote (routing, accept, transfer, end: see systemMessageId)."""
        return self.is_line and self.source == "system"

    @property
    def only_to_rep(self) -> bool:
        """A line only agents see (e.g. a transfer reason)."""
        return self.sub_type == "ONLY_TO_REP"

    @property
    def is_ended(self) -> bool:
        """The state change that closes the chat."""
        return self.type == "state" and self.state == "ended"

    @property
    def plain_text(self) -> str:
        """The text as a reader sees it: tags of html lines dropped, entities decoded."""
        text = self.text or ""
        if self.text_type == "rich-content" and not text.strip():
            return " ".join(_card_texts(self.json))  # a card without a text: what it says
        return html.unescape(_TAG.sub("", text)) if self.text_type == "html" else text


@dataclass(frozen=True)
class EventsPage:
    """One poll of a chat's events, with the `next` link to poll after it."""

    events: list[ChatEvent]
    next_url: str | None

    @classmethod
    def from_json(cls, element: dict | None) -> "EventsPage":
        """Parse an `events` element."""
        element = element or {}
        return cls(events=[ChatEvent.from_json(e) for e in as_list(element.get("event"))],
                   next_url=links_by_rel(element.get("link")).get("next"))


@dataclass(frozen=True)
class ChatInfo:
    """The `info` element of a chat (agent or visitor side)."""

    state: str
    chat_session_key: str | None = None
    agent_name: str | None = None
    agent_id: str | None = None
    visitor_name: str | None = None
    visitor_id: str | None = None
    skill_name: str | None = None
    skill_id: str | None = None
    start_time: str | None = None
    last_update: str | None = None
    duration: int | None = None
    chat_timeout: int | None = None
    agent_typing: str | None = None
    visitor_typing: str | None = None
    rt_session_id: str | None = None
    engagement_id: str | None = None
    campaign_id: str | None = None
    language: str | None = None
    visitor_info: dict = field(default_factory=dict)  # the sandbox's persona (not in LP's docs)
    links: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, info: dict) -> "ChatInfo":
        """Parse an `info` element (ids may come as numbers or strings)."""
        def text(key):
            value = info.get(key)
            return None if value is None else str(value)
        persona = info.get("visitorInfo")
        return cls(state=info.get("state", ""), chat_session_key=text("chatSessionKey"),
                   agent_name=text("agentName"), agent_id=text("agentId"),
                   visitor_name=text("visitorName"), visitor_id=text("visitorId"),
                   skill_name=text("skillName"), skill_id=text("skillId"),
                   start_time=text("startTime"), last_update=text("lastUpdate"),
                   duration=_int(info.get("duration")), chat_timeout=_int(info.get("chatTimeout")),
                   agent_typing=text("agentTyping"), visitor_typing=text("visitorTyping"),
                   rt_session_id=text("rtSessionId"), engagement_id=text("engagementId"),
                   campaign_id=text("campaignId"), language=text("language"),
                   visitor_info=persona if isinstance(persona, dict) else {},
                   links=links_by_rel(info.get("link")))


@dataclass(frozen=True)
class ChatResource:
    """A whole chat resource: its links, its events (with their `next`), its info."""

    links: dict[str, str]
    events: EventsPage
    info: ChatInfo | None

    @classmethod
    def from_json(cls, body: dict) -> "ChatResource":
        """Parse `{"chat": {...}}`."""
        chat = body.get("chat") or {}
        info = chat.get("info")
        return cls(links=links_by_rel(chat.get("link")), events=EventsPage.from_json(chat.get("events")),
                   info=ChatInfo.from_json(info) if isinstance(info, dict) else None)


@dataclass(frozen=True)
class IncomingRequests:
    """How many chats ring at an agent session, and where to accept the next one."""

    ringing_count: int
    accept_url: str | None


@dataclass(frozen=True)
class ChatSessionEntry:
    """One chat an agent holds, as chatSessions lists it."""

    url: str
    chat_session_key: str
    start_time_ms: int | None

    @classmethod
    def list_from(cls, element: dict | None) -> list["ChatSessionEntry"]:
        """Parse a `chatSessions` element (no chat: `{}`; one: an object; several: a list)."""
        out = []
        for item in as_list((element or {}).get("chatSession")):
            href = next(iter(links_by_rel(item.get("link")).values()), "")
            out.append(cls(url=href, chat_session_key=str(item.get("chatSessionKey", "")),
                           start_time_ms=_int(item.get("startTime"))))
        return out


@dataclass(frozen=True)
class Availability:
    """An agent's availability: chat (Online/Away/Occupied) and voice."""

    chat: str
    voice: str | None = None


@dataclass(frozen=True)
class SkillRef:
    """A skill as agent info and availableAgents name it."""

    id: str
    name: str


def _skills(element) -> list[SkillRef]:
    """`{"skillInfo": one-or-many {id, name}}` (or null) as a list."""
    items = as_list((element or {}).get("skillInfo")) if isinstance(element, dict) else []
    return [SkillRef(str(i.get("id", "")), str(i.get("name", ""))) for i in items if isinstance(i, dict)]


@dataclass(frozen=True)
class AgentInfo:
    """The agent's own profile (`{agentSession}/info`)."""

    id: str
    agent_name: str  # the nickname visitors see
    display_name: str
    login_name: str
    max_chats: int  # -1: unlimited
    availability: Availability
    skills: list[SkillRef]

    @classmethod
    def from_json(cls, info: dict) -> "AgentInfo":
        """Parse an `info` element of an agent session."""
        availability = info.get("availability") or {}
        max_chats = _int(info.get("maxChats"))
        return cls(id=str(info.get("id", "")), agent_name=str(info.get("agentName", "")),
                   display_name=str(info.get("displayName", "")),
                   login_name=str(info.get("loginName", "")),
                   max_chats=-1 if max_chats is None else max_chats,
                   availability=Availability(chat=availability.get("chat", ""),
                                             voice=availability.get("voice")),
                   skills=_skills(info.get("skillsInfo")))

    @property
    def unlimited(self) -> bool:
        """No limit on concurrent chats."""
        return self.max_chats < 0


# availableAgents reports states as numbers.
CHAT_STATES = {"1": "Offline", "2": "Online", "3": "Occupied", "4": "Away"}


@dataclass(frozen=True)
class AvailableAgent:
    """One agent of availableAgents."""

    id: str
    user_name: str
    nickname: str
    chat_state: str  # Offline, Online, Occupied or Away
    max_chats: int
    chats: int  # chats held now (absent on the wire when none)
    skills: list[SkillRef]
    email: str | None = None
    privilege_group: str | None = None
    user_type: str | None = None  # sandbox extension: human or bot

    @classmethod
    def from_json(cls, item: dict) -> "AvailableAgent":
        """Parse one `agent` element."""
        state = str(item.get("@chatState", item.get("chatState", "")))
        ids = [str(s) for s in as_list((item.get("skills") or {}).get("skill"))]
        skills = _skills(item.get("skillsInfo")) or [SkillRef(s, "") for s in ids]
        max_chats = _int(item.get("@maxChats", item.get("maxChats")))
        return cls(id=str(item.get("@id", item.get("id", ""))), user_name=str(item.get("userName", "")),
                   nickname=str(item.get("nickname", "")), chat_state=CHAT_STATES.get(state, state),
                   max_chats=-1 if max_chats is None else max_chats,
                   chats=_int(item.get("chats")) or 0, skills=skills, email=item.get("email"),
                   privilege_group=item.get("privilegeGroup"), user_type=item.get("userType"))


@dataclass(frozen=True)
class AvailableAgents:
    """The availableAgents answer: the agents and the `next` link to poll for changes."""

    agents: list[AvailableAgent]
    next_url: str | None

    def by_login(self, login_name: str) -> AvailableAgent | None:
        """The agent with this login name, if listed."""
        return next((a for a in self.agents if a.user_name == login_name), None)


@dataclass(frozen=True)
class TransferSkill:
    """A skill a chat can be transferred to, with how many agents are on duty there."""

    id: str
    name: str
    online_agents: int


@dataclass(frozen=True)
class SurveyEntry:
    """One choice of a choice question."""

    value: str
    display_value: str
    checked: bool
    show_logic_ids: list[str]


@dataclass(frozen=True)
class SurveyQuestion:
    """One question of a survey."""

    id: str
    type: str
    label: str
    mandatory: bool
    order: int
    logic_id: str | None
    validation_type: str | None
    entries: list[SurveyEntry]
    last_known_value: str | None = None


@dataclass(frozen=True)
class Survey:
    """A survey structure (agent, exit, pre-chat, offline: one shape)."""

    id: str
    title: str
    header: str
    questions: list[SurveyQuestion]

    @classmethod
    def from_json(cls, body: dict) -> "Survey":
        """Parse `{"survey": {...}}` (strings or typed values, one question or many)."""
        survey = body.get("survey") or {}
        questions = []
        for q in as_list((survey.get("questions") or {}).get("question")):
            entries = [SurveyEntry(value=str(e.get("value", "")),
                                   display_value=str(e.get("displayValue", e.get("value", ""))),
                                   checked=as_bool(e.get("checked")),
                                   show_logic_ids=[str(i) for i in as_list(
                                       (e.get("logic") or {}).get("showLogicId"))])
                       for e in as_list(q.get("entry"))]
            questions.append(SurveyQuestion(
                id=str(q.get("id", "")), type=str(q.get("type", "")), label=str(q.get("label", "")),
                mandatory=as_bool(q.get("mandatory")), order=_int(q.get("order")) or 0,
                logic_id=None if q.get("logicId") is None else str(q.get("logicId")),
                validation_type=q.get("validationType"), entries=entries,
                last_known_value=q.get("lastKnownValue")))
        return cls(id=str(survey.get("id", "")), title=str(survey.get("title") or ""),
                   header=str(survey.get("header") or ""), questions=questions)


def survey_answers(survey_id: str, answers: dict[str, str | list[str]]) -> dict:
    """The body that answers a survey: `{"survey": {"id", "question": [{"id", "answer"}]}}`."""
    return {"survey": {"id": survey_id,
                       "question": [{"id": qid, "answer": value} for qid, value in answers.items()]}}


def _custom_variables(element) -> dict[str, str]:
    items = as_list((element or {}).get("customVariable")) if isinstance(element, dict) else []
    return {str(i.get("name")): str(i.get("value")) for i in items if isinstance(i, dict)}


@dataclass(frozen=True)
class Visit:
    """The visit behind a chat: who the visitor is, pre-chat answers, custom variables."""

    id: str
    visitor_id: str | None
    visitor_name: str | None
    ip_address: str | None
    user_agent: str | None
    chat_start_url: str | None
    language: str | None
    visitor_info: dict
    custom_variables: dict[str, str]

    @classmethod
    def from_json(cls, body: dict) -> "Visit":
        """Parse `{"visit": {...}}`."""
        visit = body.get("visit") or {}
        info = visit.get("visitorInfo")
        return cls(id=str(visit.get("@id", visit.get("id", ""))), visitor_id=visit.get("visitorId"),
                   visitor_name=visit.get("visitorName"), ip_address=visit.get("ipAddress"),
                   user_agent=visit.get("userAgent"), chat_start_url=visit.get("chatStartUrl"),
                   language=visit.get("language"),
                   visitor_info=info if isinstance(info, dict) else {},
                   custom_variables=_custom_variables(visit.get("customVariables")))


@dataclass(frozen=True)
class AgentSessionStatus:
    """The agent session resource (`GET {agentSession}`, with its chats when `cs=1`)."""

    id: str
    availability: Availability
    links: dict[str, str]
    chat_sessions: list[ChatSessionEntry]
