"""Typed views of LivePerson's JSON: logins, events, event pages, chat info and resources."""
import html
import re
from dataclasses import dataclass, field


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

    @classmethod
    def from_json(cls, item: dict) -> "ChatEvent":
        """Parse one event; `@id`/`@type` or the un-prefixed spelling some doc examples use."""
        return cls(id=_int(item.get("@id", item.get("id"))) or 0,
                   type=item.get("@type", item.get("type", "")), time=item.get("time"),
                   state=item.get("state"), text=item.get("text"), text_type=item.get("textType"),
                   by=item.get("by"), source=item.get("source"),
                   system_message_id=_int(item.get("systemMessageId")), sub_type=item.get("subType"))

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
    def is_ended(self) -> bool:
        """The state change that closes the chat."""
        return self.type == "state" and self.state == "ended"

    @property
    def plain_text(self) -> str:
        """The text as a reader sees it: tags of html lines dropped, entities decoded."""
        text = self.text or ""
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
    """The `info` element of a chat."""

    state: str
    chat_session_key: str | None = None
    agent_name: str | None = None
    agent_id: str | None = None
    visitor_name: str | None = None
    skill_name: str | None = None
    skill_id: str | None = None
    start_time: str | None = None
    last_update: str | None = None
    chat_timeout: int | None = None
    agent_typing: str | None = None
    visitor_typing: str | None = None

    @classmethod
    def from_json(cls, info: dict) -> "ChatInfo":
        """Parse an `info` element (ids may come as numbers or strings)."""
        def text(key):
            value = info.get(key)
            return None if value is None else str(value)
        return cls(state=info.get("state", ""), chat_session_key=text("chatSessionKey"),
                   agent_name=text("agentName"), agent_id=text("agentId"),
                   visitor_name=text("visitorName"), skill_name=text("skillName"),
                   skill_id=text("skillId"), start_time=text("startTime"),
                   last_update=text("lastUpdate"), chat_timeout=_int(info.get("chatTimeout")),
                   agent_typing=text("agentTyping"), visitor_typing=text("visitorTyping"))


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


@dataclass(frozen=True)
class Availability:
    """An agent's availability: chat (Online/Away/Occupied) and voice."""

    chat: str
    voice: str | None = None
