"""What the analytics keep of each chat: its legs, transfers, line scores, survey results."""
from dataclasses import dataclass, field

# Engagement History's reason codes (start: who or what connected the leg; end: what closed it)
START_VISITOR_REQUEST, START_TRANSFER, START_SKILL_REASSIGN, START_ACD_NO_ASSIGNMENT = "0", "1", "6", "4"
START_REASONS = {"0": "Visitor request", "1": "Transfer", "2": "Transfer failed", "3": "ACD attempt",
                 "4": "ACD no assignment", "5": "Operator assignment", "6": "Skill reassign",
                 "7": "Rep request", "8": "A2A reassign"}
END_TRANSFER_TO_AGENT, END_TRANSFER_TO_SKILL = "101", "106"
END_REP_STOPPED, END_REP_DISCONNECTED, END_VISITOR_DISCONNECTED = "201", "202", "205"
END_VISITOR_GONE, END_VISITOR_CLOSED = "208", "210"
END_REASONS = {"101": "Transfer - rep stopped chat", "106": "Transfer - Reassignment to skill",
               "201": "Rep stopped chat", "202": "Rep disconnected", "205": "Visitor disconnected",
               "208": "Visitor was no longer in chat", "210": "Visitor closed chat"}
# chat.ended's `by` -> the end reason of the chat's last leg
END_REASON_OF = {"agent": END_REP_STOPPED, "visitor": END_VISITOR_CLOSED,
                 "visitor-timeout": END_VISITOR_GONE}

CONNECTED, ABANDONED, MOVED = "connected", "abandoned", "moved"


@dataclass
class LineScore:
    """One consumer line's sentiment: its raw score and the conversation's score after it."""

    line_seq: int  # the line's event id in the chat
    raw: int
    mcs: int  # the running score up to and including this line (0 while all lines are neutral)
    time: float


@dataclass
class Leg:
    """One agent's part of a chat (one Engagement History record): from connect to hand-over."""

    sequence: int  # engagementSequence: 0, then one more per transfer or requeue
    skill_id: str | None
    queued: float  # when this leg's wait began (the request, a transfer, a requeue)
    first_event: int  # the first chat event of this leg (its part of the transcript)
    start_reason: str = START_VISITOR_REQUEST
    agent_id: str | None = None
    agent_login: str = ""
    agent_nickname: str = ""
    agent_full_name: str = ""
    agent_type: str = ""  # "bot" or "human"
    agent_group_id: str = "-1"
    connected: float | None = None  # accepted by the agent
    first_response: float | None = None  # the agent's first line in this leg
    ended: float | None = None
    end_reason: str | None = None
    last_event: int | None = None  # the last chat event of this leg, when it has ended
    agent_lines: int = 0
    visitor_lines: int = 0


@dataclass
class TransferRecord:
    """A hand-over: who let go, to which skill or agent, and the reason they gave."""

    time: float
    from_agent_id: str | None
    from_agent_type: str
    from_skill_id: str | None
    to_skill_id: str | None
    to_agent_id: str | None
    reason: str  # the transferring agent's text (the agent-only note), "" when none


@dataclass
class QueueEpisode:
    """One wait of a chat in a skill's queue, and how it ended (connected, abandoned, moved)."""

    chat_id: str
    skill_id: str | None
    entered: float
    left: float | None = None
    outcome: str | None = None


@dataclass
class ChatRecord:
    """Everything the metrics know of one chat, built from the bus as the chat happens."""

    chat_id: str
    account_id: str
    engagement_id: str | None
    campaign_id: str | None
    visitor_id: str
    requested: float
    entry_skill_id: str | None  # the skill the chat was requested on
    variant: tuple[str, str] | None = None  # (A/B test id, variant name) when a test split it
    legs: list[Leg] = field(default_factory=list)
    transfers: list[TransferRecord] = field(default_factory=list)
    line_scores: list[LineScore] = field(default_factory=list)
    mcs: int | None = None  # None: no sentiment yet (no consumer line, or only neutral ones)
    visitor_lines: int = 0
    agent_lines: int = 0
    system_lines: int = 0
    first_response: float | None = None  # the first agent line of the chat
    ended: float | None = None
    ended_by: str | None = None  # agent, visitor, visitor-timeout
    csat: int | None = None  # the exit survey's 1-5 answer
    resolved_answer: bool | None = None  # the exit survey's "resolved?" answer, if given
    agent_resolved_answer: bool | None = None  # the agent survey's "resolved?" answer, if given
    surveys: dict = field(default_factory=dict)  # kind -> survey id, for each survey answered
    survey_times: dict = field(default_factory=dict)  # kind -> when it was answered
    inferred_resolved: bool = False  # what the transcript says (set when the chat ends)

    @property
    def leg(self) -> Leg | None:
        """The current (last) leg."""
        return self.legs[-1] if self.legs else None

    @property
    def is_ended(self) -> bool:
        return self.ended is not None

    @property
    def interactive(self) -> bool:
        """LivePerson's isInteractive: the visitor said at least one line."""
        return self.visitor_lines > 0

    @property
    def chat_mcs(self) -> int | None:
        """The conversation's MCS: None without consumer lines, 0 when they were all neutral."""
        if self.mcs is not None:
            return self.mcs
        return 0 if self.visitor_lines else None

    @property
    def first_agent(self) -> Leg | None:
        """The first leg that an agent took (the bot, in a bot-first chat)."""
        return next((leg for leg in self.legs if leg.agent_id), None)

    @property
    def transferred(self) -> bool:
        return bool(self.transfers)

    @property
    def transferred_to_human(self) -> bool:
        """A bot handed the chat over, and a human agent (or a human skill) was next."""
        return any(t.from_agent_type == "bot" for t in self.transfers)

    @property
    def duration(self) -> float | None:
        """Seconds from the request to the end (None while open)."""
        return None if self.ended is None else self.ended - self.requested

    @property
    def first_response_seconds(self) -> float | None:
        """Seconds from the request to the first agent line."""
        return None if self.first_response is None else self.first_response - self.requested

    @property
    def resolved(self) -> bool | None:
        """Resolved or not (None while open): the consumer's own answer to the exit survey's
        resolution question wins; then the agent survey's; otherwise the chat counts as
        resolved when it was interactive, never transferred, and its last line before the end
        was the agent's (the agent answered, and the chat closed without the consumer asking
        again). docs/fidelity.md, "Metrics"."""
        if self.ended is None:
            return None
        if self.resolved_answer is not None:
            return self.resolved_answer
        if self.agent_resolved_answer is not None:
            return self.agent_resolved_answer
        return self.inferred_resolved
