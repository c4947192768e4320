"""The Step 5 numbers of a group of chats (a bot, a skill, an A/B variant) over a window."""
from collections import Counter
from dataclasses import dataclass, field

from . import mcs
from .records import ChatRecord

BY_BOT, BY_SKILL, BY_VARIANT = "bot", "skill", "variant"


@dataclass
class Scorecard:
    """One row of the dashboard: counts, then the six numbers Step 5 asks for."""

    key: str
    label: str
    kind: str  # bot, human, skill or variant
    chats: int = 0
    ended: int = 0
    interactive: int = 0
    mcs: int | None = None  # % positive chats - % negative chats (LivePerson's aggregate)
    mcs_mean: float | None = None
    csat: float | None = None  # % of CSAT answers that were 4 or 5 (LivePerson's csat_score)
    csat_mean: float | None = None
    csat_answers: int = 0
    resolved: int = 0
    resolution_rate: float | None = None  # resolved / ended
    transfers: int = 0  # ended chats a bot handed over to a human
    transfer_rate: float | None = None  # transfers / ended
    reasons: list[tuple[str, int]] = field(default_factory=list)  # transfer reasons, most first
    first_response_mean: float | None = None  # seconds from request to the first agent line
    duration_mean: float | None = None  # seconds from request to end

    def as_dict(self) -> dict:
        """The row as JSON (reasons as [{reason, count}])."""
        out = dict(self.__dict__)
        out["reasons"] = [{"reason": r, "count": n} for r, n in self.reasons]
        return out


def score(key: str, label: str, kind: str, records: list[ChatRecord]) -> Scorecard:
    """The scorecard of these chats."""
    card = Scorecard(key=key, label=label, kind=kind, chats=len(records))
    ended = [r for r in records if r.is_ended]
    card.ended = len(ended)
    card.interactive = sum(1 for r in ended if r.interactive)
    scores = [r.chat_mcs for r in ended if r.chat_mcs is not None]
    card.mcs = mcs.aggregate(scores)
    card.mcs_mean = _mean(scores)
    answers = [r.csat for r in ended if r.csat is not None]
    card.csat_answers = len(answers)
    card.csat = _rate(sum(1 for a in answers if a >= 4), len(answers), percent=True)
    card.csat_mean = _mean(answers)
    card.resolved = sum(1 for r in ended if r.resolved)
    card.resolution_rate = _rate(card.resolved, len(ended))
    handed = [r for r in ended if r.transferred_to_human]
    card.transfers = len(handed)
    card.transfer_rate = _rate(len(handed), len(ended))
    reasons = Counter(t.reason.strip() or "(no reason given)" for r in handed for t in r.transfers
                      if t.from_agent_type == "bot")
    card.reasons = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    card.first_response_mean = _mean([r.first_response_seconds for r in records
                                      if r.first_response_seconds is not None])
    card.duration_mean = _mean([r.duration for r in ended])
    return card


def group(records: list[ChatRecord], by: str) -> dict[str, list[ChatRecord]]:
    """Chats grouped by their first agent (bot), their entry skill, or their A/B variant."""
    groups: dict[str, list[ChatRecord]] = {}
    for record in records:
        if by == BY_BOT:
            leg = record.first_agent
            key = leg.agent_id if leg else None
        elif by == BY_VARIANT:
            key = record.variant[1] if record.variant else None
        else:
            key = record.entry_skill_id
        if key is not None:
            groups.setdefault(key, []).append(record)
    return groups


def _mean(values) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 2) if values else None


def _rate(part: int, whole: int, percent: bool = False) -> float | None:
    if not whole:
        return None
    value = part / whole
    return round(100 * value, 1) if percent else round(value, 4)
