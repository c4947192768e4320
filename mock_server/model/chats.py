"""Chats: the event list, the state machine waiting -> chatting -> ended, and who is in them."""
from dataclasses import dataclass, field
from typing import Any, Callable

from .accounts import User
from .errors import Conflict

WAITING, CHATTING, ENDED = "waiting", "chatting", "ended"
REGULAR, ONLY_TO_REP = "REGULAR", "ONLY_TO_REP"
SYSTEM, AGENT, VISITOR = "system", "agent", "visitor"

# System message ids and their texts. 3, 4 and 5 are the texts LivePerson's docs show;
# the others are our wording (docs/fidelity.md).
SYSTEM_TEXTS = {
    2: "All of our agents are currently busy.  Please wait, an agent will be with you shortly.",
    3: "You are now chatting with {agent}.",
    4: "Thank you for choosing to chat with us.  An agent will be with you shortly.",
    5: "Thank you for chatting with us.",
    6: "The chat was disconnected unexpectedly.",
    13: "The chat has been transferred to {agent}.",
    15: "Please hold while the chat is transferred to {skill}.",
    23: "The chat has been requeued.  An agent will be with you shortly.",
}


@dataclass
class ChatEvent:
    """One entry of a chat's event list: a `state` change or a `line`."""

    id: int
    type: str
    time: float
    state: str | None = None
    text: str | None = None
    text_type: str = "plain"
    by: str | None = None
    source: str | None = None
    system_message_id: int | None = None
    sub_type: str = REGULAR
    json: Any = None
    agent_id: str | None = None
    quick_replies: Any = None  # an agent line's quick replies (sandbox extension)

    @property
    def visible_to_visitor(self) -> bool:
        """ONLY_TO_REP lines are for agents; the visitor never sees them."""
        return self.sub_type != ONLY_TO_REP


@dataclass
class Transfer:
    """One hand-over of a chat: from which agent, to which skill or agent, and why."""

    time: float
    from_user_id: str | None
    from_agent_name: str | None
    from_skill_id: str | None
    to_skill_id: str | None
    to_user_id: str | None
    text: str = ""


@dataclass
class Visitor:
    """What the sandbox knows of the customer in a chat."""

    visitor_id: str
    name: str | None = None
    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    language: str = "en-US"
    shark_visitor_id: str = ""
    shark_session_id: str = ""
    shark_context_id: str = ""
    persona: Any = None  # personas.Persona: who the simulated customer is
    extra: dict = field(default_factory=dict)


@dataclass
class Chat:
    """One live chat, shared by the visitor side and the agent side."""

    id: str
    visit_id: str
    account_id: str
    skill_id: str | None
    engagement_id: str | None
    campaign_id: str | None
    visitor: Visitor
    rt_session_id: str
    created: float
    chat_timeout: int = 40
    state: str = WAITING
    events: list[ChatEvent] = field(default_factory=list)
    agent: User | None = None
    agent_session_id: str | None = None
    agent_typing: str = "not-typing"
    visitor_typing: str = "not-typing"
    last_update: float = 0.0
    last_visitor_poll: float = 0.0
    accepted_time: float | None = None
    ended_time: float | None = None
    end_reason: str | None = None
    ringing_session_id: str | None = None
    ring_started: float | None = None
    ring_order: int = 0  # when rings start together, the one rung first (queue order)
    rang_out: set = field(default_factory=set)  # sessions that let it ring without answering
    target_user_id: str | None = None  # set by a transfer to one agent: only they are rung
    transferred: bool = False  # transferred chats may ring Occupied agents too
    transfers: list = field(default_factory=list)  # Transfer records, oldest first
    surveys: dict = field(default_factory=dict)  # kind -> {question id: [values]}
    transcript_requests: list = field(default_factory=list)  # emails the visitor asked for
    variant: tuple[str, str] | None = None  # (A/B test id, variant name) when a test split it

    @property
    def ended(self) -> bool:
        return self.state == ENDED

    def require_open(self) -> None:
        """Refuse anything but reading once the chat has ended."""
        if self.ended:
            raise Conflict(f"Chat {self.id} has ended", 30)

    def _append(self, now: float, **fields) -> ChatEvent:
        event = ChatEvent(id=len(self.events), time=now, **fields)
        self.events.append(event)
        self.last_update = now
        return event

    def add_state(self, now: float, state: str) -> ChatEvent:
        """Move the chat to `state` and record it as a state event."""
        self.state = state
        if state == ENDED:
            self.ended_time = now
        return self._append(now, type="state", state=state)

    def add_line(self, now: float, source: str, by: str, text: str, text_type: str = "plain",
                 sub_type: str = REGULAR, json: Any = None, agent_id: str | None = None,
                 quick_replies: Any = None) -> ChatEvent:
        """Append a line said by the visitor, the agent or the system."""
        return self._append(now, type="line", source=source, by=by, text=text,
                            text_type=text_type, sub_type=sub_type, json=json, agent_id=agent_id,
                            quick_replies=quick_replies)

    def add_system_line(self, now: float, message_id: int, **names) -> ChatEvent:
        """Append system message `message_id` with its text."""
        event = self.add_line(now, SYSTEM, "info", SYSTEM_TEXTS[message_id].format(**names))
        event.system_message_id = message_id
        return event

    def events_from(self, start: int, for_visitor: bool) -> list[ChatEvent]:
        """Events with id >= start, as the given side may see them."""
        events = self.events[max(start, 0):]
        return [e for e in events if e.visible_to_visitor] if for_visitor else events


class ChatIndex(dict):
    """Chat id -> chat for the chats in memory (open ones and recently ended ones); a chat that
    has left memory (model/retention.py) is read back through `archive` when a data dir keeps
    it. Iterating gives the chats in memory only."""

    archive: Callable[[str], Chat | None] | None = None

    def __missing__(self, chat_id: str) -> Chat:
        chat = self.archive(chat_id) if self.archive is not None else None
        if chat is None:
            raise KeyError(chat_id)
        return chat

    def get(self, chat_id, default=None):
        try:
            return self[chat_id]
        except KeyError:
            return default
