"""Engagement History (service engHistDomain): the search over the engagements of ended chats.

Each leg of an ended chat (records.Leg: one agent's part, from its wait to its hand-over) is one
engagement record. `parse_criteria` reads the POST body's filters, `parse_paging` the URL's
offset, limit and sort, and `search` gives one page of rows. What the filters look at (transcript
lines, survey answers, visitor details, MCS) comes from the helpers at the end, which the wire
renderer (mock_server/wire/history.py) uses too: what is found is what is shown. No HTTP here;
docs/fidelity.md ("Engagement History") has the judgement calls.
"""
import math
from dataclasses import dataclass, field

from ..chats import Chat, ChatEvent
from ..errors import BadRequest
from ..numbers import as_int, is_int_text
from . import mcs
from .records import ChatRecord, Leg

TEN_MINUTES_MS, DAY_MS = 600_000, 86_400_000
HISTORY_MAX_DAYS = 31  # "The maximum time interval is one month": the longest month
MESSAGING_MAX_DAYS = 92  # the Messaging Interactions API's "three months": the longest three
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
SORT_FIELDS = ("start", "end", "duration", "visitor", "engagementId", "interactive", "agentId",
               "skillId")
MESSAGING_SORT_FIELDS = ("start", "end")
TEXT_AREAS = ("chatLine", "surveyAnswer", "surveyQuestion", "visitorInfo")
ATTRIBUTE_AREAS = ("ea.purchase", "ea.viewedProduct", "ea.cartStatus", "ea.serviceActivity",
                   "ea.visitorError", "ea.lead", "ea.customerInfo", "ea.marketingCampaignInfo",
                   "ea.personalInfo")  # documented engagement attribute types; no chat has one
KEYWORD_AREAS = (*TEXT_AREAS, *ATTRIBUTE_AREAS, "mcs")
CHANNEL_WEB, CHANNELS = 1, (-1, 1, 2)  # UNKNOWN, WEB, VOICE: every sandbox chat is web chat
MCS_MIN, MCS_MAX = -100, 100
RICH_CONTENT = "RICH_CONTENT"
MAX_IDS, MAX_KEYWORD_CHARS = 1000, 1000
# survey kind in the model -> its section in a record, and its `source`
SURVEY_SECTIONS = (("preChat", "preChat", "Pre-Chat"), ("exit", "postChat", "Exit"),
                   ("agent", "operator", "Operator"))


@dataclass(frozen=True)
class Criteria:
    """The body's filters, checked; None (or False) is "no such filter"."""

    start: tuple[int, int]  # epoch ms, rounded out to whole 10 minutes, both ends included
    terms: tuple[str, ...] = ()  # the keyword's words and phrase, case-folded; all must be found
    areas: frozenset = frozenset(TEXT_AREAS)
    skill_ids: frozenset | None = None
    agent_ids: frozenset | None = None
    group_ids: frozenset | None = None
    duration: tuple[int, int] | None = None
    interactive: bool = False
    visitor: str | None = None
    engagement_id: str | None = None
    alerted: frozenset | None = None
    chat_mcs: tuple[int, int] | None = None
    mcs: int | None = None
    rich: bool = False
    impossible: bool = False  # a filter no sandbox chat can meet (ended false, voice, cobrowse)


@dataclass(frozen=True)
class Paging:
    """Where the page starts, how long it is, and its order: [(field, descending)]."""

    offset: int = 0
    limit: int = DEFAULT_LIMIT
    sort: tuple = ()
    sort_text: str | None = None  # the sort as the client wrote it (kept in the page links)


@dataclass(frozen=True)
class Row:
    """One engagement: a leg of an ended chat."""

    record: ChatRecord
    leg: Leg
    chat: Chat


@dataclass
class Page:
    """The rows of one page, and how many rows matched in all."""

    rows: list[Row]
    count: int
    paging: Paging = field(default_factory=Paging)


# --- the request ----------------------------------------------------------------------------------

def parse_start(body: dict, max_days: int = HISTORY_MAX_DAYS, now_ms: int | None = None) -> tuple:
    """`start {from, to}` (required, epoch ms, at most `max_days` apart), rounded out to 10 minutes."""
    # With `now_ms` (the Messaging Interactions API), a `to` of -1 means now, as its docs' example.
    start = body.get("start")
    if not isinstance(start, dict) or start.get("from") in (None, "") or start.get("to") in (None, ""):
        raise BadRequest("'start' with 'from' and 'to' (epoch milliseconds) is required", 1)
    low, high = as_int(start["from"], "start.from"), as_int(start["to"], "start.to")
    if now_ms is not None and high == -1:
        high = max(now_ms, low)
    if low < 0 or high < 0:
        raise BadRequest("'start.from' and 'start.to' must be epoch milliseconds", 1)
    if high < low:
        raise BadRequest("'start.to' must not be before 'start.from'", 1)
    if high - low > max_days * DAY_MS:
        raise BadRequest(f"The 'start' range may be at most {max_days} days long", 1)
    return (low // TEN_MINUTES_MS * TEN_MINUTES_MS, -(-high // TEN_MINUTES_MS) * TEN_MINUTES_MS)


def parse_criteria(body: dict) -> Criteria:
    """Every filter of a search body, checked; BadRequest names the first bad one."""
    start = parse_start(body)
    areas = _areas(body.get("keyword_search_area"))
    channel = _channel(body.get("channel"))
    cobrowse = (_flag(body, "hasCoBrowse") or _flag(body, "hasInteractiveCoBrowse")
                or _range(body, "coBrowseDuration", both=True) is not None)
    return Criteria(
        start=start,
        terms=_keyword(body.get("keyword")),
        areas=areas,
        skill_ids=_ids(body, "skillIds"),
        agent_ids=_ids(body, "agentIds"),
        group_ids=_ids(body, "agentGroupIds"),
        duration=_range(body, "duration", both=True),
        interactive=_flag(body, "interactive"),
        visitor=_scalar(body, "visitor"),
        engagement_id=_scalar(body, "engagementId"),
        alerted=_buckets(body.get("alertedMcsValues"), "alertedMcsValues"),
        chat_mcs=_range(body, "chatMCS", both=False, low=MCS_MIN, high=MCS_MAX),
        mcs=_bucket(body.get("mcs"), "mcs"),
        rich=_content_types(body.get("lineContentTypes")),
        impossible=(body.get("ended") is not None and not _flag(body, "ended")) or cobrowse
        or channel not in (None, CHANNEL_WEB),
    )


def parse_paging(offset: str | None, limit: str | None, sort: str | None,
                 fields: tuple = SORT_FIELDS) -> Paging:
    """The URL's `offset` (0), `limit` (50, at most 100) and `sort` (`field:asc|desc`, ...)."""
    # `des` too: the docs write `start:des` in their own example.
    start = _query_int("offset", offset, 0, 0, 10**15)
    size = _query_int("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT)
    order = []
    if sort not in (None, ""):
        for part in sort.split(","):
            name, _, direction = part.strip().partition(":")
            direction = direction.strip().lower()
            if name.strip() not in fields or direction not in ("", "asc", "desc", "des"):
                raise BadRequest(f"Invalid sort '{part.strip()}': use field:asc or field:desc, "
                                 f"field one of {', '.join(fields)}", 1)
            order.append((name.strip(), direction in ("desc", "des")))
    return Paging(start, size, tuple(order), sort if order else None)


def _query_int(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    if raw in (None, ""):
        return default
    if not is_int_text(raw.strip()) or not low <= int(raw) <= high:
        raise BadRequest(f"Query parameter '{name}' must be a whole number from {low} to {high}", 1)
    return int(raw)


def _flag(body: dict, name: str) -> bool:
    """A boolean filter (JSON true/false, or the strings); absent is False."""
    value = body.get(name)
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false", 1)
    return value


def _text_of(value, name: str) -> str:
    """An id or a word given as a string or a number, as text."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise BadRequest(f"'{name}' must be a string or a number", 1)
    if isinstance(value, float):
        value = as_int(value, name)
    text = str(value).strip()
    if len(text) > 256:
        raise BadRequest(f"'{name}' may have at most 256 characters", 1)
    return text


def _scalar(body: dict, name: str) -> str | None:
    value = body.get(name)
    return None if value in (None, "") else _text_of(value, name)


def _ids(body: dict, name: str) -> frozenset | None:
    """An id list (`["14", "17"]` or numbers); empty or absent: no filter."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_IDS:
        raise BadRequest(f"'{name}' must be a list of at most {MAX_IDS} ids", 1)
    ids = frozenset(_text_of(item, name) for item in value)
    return ids or None


def _range(body: dict, name: str, both: bool, low: int = 0, high: int = 10**15):
    """An inclusive `{from, to}` filter (None when absent); a missing bound is `low` or `high`."""
    # `both`: the docs make both bounds mandatory (duration, coBrowseDuration), not for chatMCS.
    value = body.get(name)
    if value is None:
        return None
    given = {k: value.get(k) for k in ("from", "to")} if isinstance(value, dict) else {}
    given = {k: v for k, v in given.items() if v not in (None, "")}
    if not isinstance(value, dict) or (both and len(given) < 2) or not given:
        need = "both 'from' and 'to'" if both else "'from' or 'to'"
        raise BadRequest(f"'{name}' must be an object with {need}", 1)
    try:
        start = as_int(given.get("from", low), f"{name}.from")
        end = as_int(given.get("to", high), f"{name}.to")
    except BadRequest:
        raise BadRequest(f"'{name}.from' and '{name}.to' must be whole numbers", 1) from None
    if not low <= start <= end <= high:
        raise BadRequest(f"'{name}' must run from {low} to {high}, 'from' not after 'to'", 1)
    return start, end


def _keyword(value) -> tuple[str, ...]:
    """The keyword's terms: its words, and one phrase in quotes (several are not supported)."""
    if value in (None, ""):
        return ()
    text = _text_of(value, "keyword") if not isinstance(value, str) else value
    if len(text) > MAX_KEYWORD_CHARS:
        raise BadRequest(f"'keyword' may have at most {MAX_KEYWORD_CHARS} characters", 1)
    parts = text.split('"')
    if len(parts) > 3:
        raise BadRequest("'keyword' may hold one phrase in quotes; several are not supported", 1)
    if len(parts) == 2:
        raise BadRequest("'keyword' has a quote that is not closed", 1)
    terms = [*parts[0].split(), *(parts[2].split() if len(parts) == 3 else ())]
    if len(parts) == 3 and parts[1].strip():
        terms.append(" ".join(parts[1].split()))
    return tuple(t.casefold() for t in terms)


def _areas(value) -> frozenset:
    """keyword_search_area's `types`; absent: the text areas (chat lines, surveys, visitor)."""
    if value is None:
        return frozenset(TEXT_AREAS)
    types = value.get("types") if isinstance(value, dict) else None
    if not isinstance(types, list) or any(t not in KEYWORD_AREAS for t in types):
        raise BadRequest(f"'keyword_search_area.types' must be a list of: {', '.join(KEYWORD_AREAS)}", 1)
    return frozenset(types)


def _channel(value) -> int | None:
    if value in (None, ""):
        return None
    number = as_int(value, "channel") if not isinstance(value, bool) else None
    if number not in CHANNELS:
        raise BadRequest("'channel' must be -1 (UNKNOWN), 1 (WEB) or 2 (VOICE)", 1)
    return number


def _bucket(value, name: str) -> int | None:
    """An MCS bucket: -1, 0 or 1 (a number or a string)."""
    if value in (None, ""):
        return None
    try:
        number = as_int(value.strip() if isinstance(value, str) else value, name)
    except BadRequest:
        number = None
    if number not in (-1, 0, 1):
        raise BadRequest(f"'{name}' values must be -1, 0 or 1", 1)
    return number


def _buckets(value, name: str) -> frozenset | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > 3 * MAX_IDS:
        raise BadRequest(f"'{name}' must be a list of \"-1\", \"0\", \"1\"", 1)
    buckets = frozenset(_bucket(item, name) for item in value if item not in (None, ""))
    return buckets or None


def _content_types(value) -> bool:
    if value is None:
        return False
    if not isinstance(value, list) or any(item != RICH_CONTENT for item in value):
        raise BadRequest(f"'lineContentTypes' must be a list of {RICH_CONTENT}", 1)
    return bool(value)


# --- the search -----------------------------------------------------------------------------------

def rows_of(sb, account_id: str, until_ms: int | None = None) -> list[Row]:
    """The engagements (ended legs) of the account's ended chats requested up to `until_ms`."""
    until = None if until_ms is None else until_ms / 1000
    rows = []
    for record in sb.analytics.of_account(account_id, None, until):
        chat = sb.chats.get(record.chat_id)
        if record.is_ended and chat is not None:
            rows.extend(Row(record, leg, chat) for leg in record.legs if leg.ended is not None)
    return rows


def search(sb, account, criteria: Criteria, paging: Paging) -> Page:
    """The page of the account's engagements that match, in the asked order (by start first)."""
    if criteria.impossible:
        return Page([], 0, paging)
    timeless = criteria.visitor is not None or criteria.engagement_id is not None
    rows = [row for row in rows_of(sb, account.id, None if timeless else criteria.start[1])
            if matches(criteria, account, row)]
    rows.sort(key=lambda row: start_ms(row.leg))  # stable: a chat's legs keep their sequence
    for name, descending in reversed(paging.sort):
        rows.sort(key=SORT_KEYS[name], reverse=descending)
    return Page(rows[paging.offset:paging.offset + paging.limit], len(rows), paging)


def matches(c: Criteria, account, row: Row) -> bool:
    """Does the engagement meet every filter? (`visitor` and `engagementId` ignore the time.)"""
    record, leg, chat = row.record, row.leg, row.chat
    if c.impossible:
        return False
    if c.visitor is None and c.engagement_id is None and not c.start[0] <= start_ms(leg) <= c.start[1]:
        return False
    if c.visitor is not None and record.visitor_id != c.visitor:
        return False
    if c.engagement_id is not None and c.engagement_id not in (engagement_id(account.id, chat),
                                                                chat.id):
        return False
    if c.skill_ids is not None and (leg.skill_id or "-1") not in c.skill_ids:
        return False
    if c.agent_ids is not None and (leg.agent_id or "-1") not in c.agent_ids:
        return False
    if c.group_ids is not None and leg.agent_group_id not in c.group_ids:
        return False
    if c.duration is not None and not c.duration[0] <= duration(leg) <= c.duration[1]:
        return False
    if c.interactive and not leg.visitor_lines:
        return False
    score = leg_mcs(record, leg)
    if c.alerted is not None and mcs.bucket(score) not in c.alerted:
        return False
    if c.mcs is not None and mcs.bucket(score) != c.mcs:
        return False
    if c.chat_mcs is not None and (score is None or not c.chat_mcs[0] <= score <= c.chat_mcs[1]):
        return False
    if c.rich and not any(line.text_type == "rich-content" for line in lines(chat, leg)):
        return False
    return not c.terms or _found(c.terms, texts(c.areas, account, row))


def _found(terms: tuple[str, ...], haystack: list[str]) -> bool:
    folded = [text.casefold() for text in haystack if text]
    return all(any(term in text for text in folded) for term in terms)


def texts(areas: frozenset, account, row: Row) -> list[str]:
    """The texts a keyword is looked for in, area by area."""
    out = []
    if "chatLine" in areas:
        out += [line.text or "" for line in lines(row.chat, row.leg)]
    answers = surveys(account, row) if {"surveyAnswer", "surveyQuestion"} & areas else []
    if "surveyAnswer" in areas:
        out += [value for answer in answers for value in answer.values]
    if "surveyQuestion" in areas:
        out += [answer.question.label for answer in answers]
    if "visitorInfo" in areas:
        out += visitor_texts(row.chat)
    return out


def _mixed(value) -> tuple:
    """A sort key for ids: numbers in numeric order, then any other text."""
    text = str(value or "")
    return (0, int(text), "") if is_int_text(text) else (1, 0, text)


SORT_KEYS = {
    "start": lambda row: start_ms(row.leg),
    "end": lambda row: row.leg.ended,
    "duration": lambda row: duration(row.leg),
    "visitor": lambda row: _mixed(row.record.visitor_id),
    "engagementId": lambda row: row.record.account_id + row.chat.id,
    "interactive": lambda row: bool(row.leg.visitor_lines),
    "agentId": lambda row: _mixed(row.leg.agent_id or "-1"),
    "skillId": lambda row: _mixed(row.leg.skill_id or "-1"),
}


# --- what a record holds (shared with the renderer) ----------------------------------------------

def engagement_id(account_id: str, chat: Chat) -> str:
    """accountId + chat id, as the docs build it; every leg of a chat shares it."""
    return f"{account_id}{chat.id}"


def start_ms(leg: Leg) -> int:
    """The engagement's start: when its agent took it (its wait began, if no agent did)."""
    return ms(leg.connected if leg.connected is not None else leg.queued)


def duration(leg: Leg) -> int:
    """Whole seconds from the agent taking the engagement to its end (0 if no agent did)."""
    if leg.connected is None or leg.ended is None:
        return 0
    return max(0, math.floor(leg.ended - leg.connected))


def ms(seconds: float) -> int:
    return int(round(seconds * 1000))


def lines(chat: Chat, leg: Leg) -> list[ChatEvent]:
    """The leg's lines (its part of the chat's events), agent-only notes included."""
    last = leg.last_event if leg.last_event is not None else len(chat.events) - 1
    return [e for e in chat.events[leg.first_event:last + 1] if e.type == "line"]


def line_scores(record: ChatRecord, leg: Leg) -> list:
    """The consumer line scores of the leg's lines."""
    last = leg.last_event if leg.last_event is not None else math.inf
    return [s for s in record.line_scores if leg.first_event <= s.line_seq <= last]


def leg_mcs(record: ChatRecord, leg: Leg) -> int | None:
    """The chat's MCS as it stood when the leg ended (None before any consumer line)."""
    last = leg.last_event if leg.last_event is not None else math.inf
    scores = [s for s in record.line_scores if s.line_seq <= last]
    return scores[-1].mcs if scores else None


@dataclass(frozen=True)
class Answer:
    """One answered survey question, as a record shows it."""

    section: str  # preChat, postChat, operator
    source: str  # Pre-Chat, Exit, Operator
    survey: object  # surveys.Survey
    question: object  # surveys.Question
    values: list
    time: float


def surveys(account, row: Row) -> list[Answer]:
    """The survey answers a record carries, in question order."""
    # The pre-chat survey on every leg (its scope is the visit session); the exit and agent
    # surveys, answered after the end, on the last leg only.
    record, chat = row.record, row.chat
    last = row.leg is record.legs[-1]
    out = []
    for kind, section, source in SURVEY_SECTIONS:
        answers = chat.surveys.get(kind) or {}
        survey = account.surveys.get(kind)
        if not answers or survey is None or (kind != "preChat" and not last):
            continue
        when = chat.created if kind == "preChat" else record.survey_times.get(kind, record.ended)
        for question in sorted(survey.questions, key=lambda q: q.order):
            if answers.get(question.id):
                out.append(Answer(section, source, survey, question,
                                  [str(v) for v in answers[question.id]], when))
    return out


def visitor_texts(chat: Chat) -> list[str]:
    """What visitorInfo shows of the visitor, and their name: the keyword area `visitorInfo`."""
    persona = chat.visitor.persona
    values = [chat.visitor.name or "", chat.visitor.ip]
    if persona is not None:
        values += [persona.country, persona.country_code, persona.city, persona.browser,
                   persona.operating_system, persona.device]
    return values
