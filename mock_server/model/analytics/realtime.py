"""The Operational Realtime API's numbers, from the recorder's history and the live model.

Queue health, engagement activity, agent activity, current queue state and the SLA histogram:
every number is a chat, a wait or a state span that happened on the sandbox clock (nothing is
canned). docs/fidelity.md, "Operational Realtime API", has each judgement call."""
import math
from bisect import bisect_right
from dataclasses import dataclass, field

from ..agents import AWAY, OCCUPIED, ONLINE
from ..errors import BadRequest
from .records import ABANDONED, CONNECTED

BUCKET = 300  # seconds: LivePerson collects events into 5-minute buckets
MAX_TIMEFRAME = 1440  # minutes: the data covers the last 24 hours
MIN_INTERVAL = 5  # minutes
SAMPLE_MS = 2000  # queue size and slots are measured every 2 s (the docs' ~10,800 per 6 h)
DEFAULT_HISTOGRAM = (0, 15, 30, 45, 60, 90, 120)
MAX_IDS = 1000  # ids in one list: far more than any account has
ALL = "all"
STATES = (ONLINE, OCCUPIED, AWAY)

# --- parameters ----------------------------------------------------------------------------------


def _digits(raw: str, signed: bool = False) -> bool:
    text = raw[1:] if signed and raw.startswith("-") else raw
    return text.isascii() and text.isdigit() and 0 < len(text) <= 18


def timeframe(raw: str | None) -> int:
    """`timeframe`: whole minutes, 1 to 1440 (required)."""
    if raw in (None, ""):
        raise BadRequest("Query parameter 'timeframe' is required (minutes, at most 1440)", 1)
    if not _digits(raw) or not 1 <= int(raw) <= MAX_TIMEFRAME:
        raise BadRequest("timeframe must be a whole number of minutes from 1 to "
                         f"{MAX_TIMEFRAME}", 1)
    return int(raw)


def interval(raw: str | None, frame_minutes: int) -> int | None:
    """`interval`: minutes, at least 5, at most the timeframe and a divisor of it (None: none)."""
    if raw in (None, ""):
        return None
    if not _digits(raw) or int(raw) < MIN_INTERVAL:
        raise BadRequest(f"interval must be a whole number of minutes, at least {MIN_INTERVAL}", 1)
    value = int(raw)
    if value > frame_minutes or frame_minutes % value:
        raise BadRequest(f"interval {value} must be at most the timeframe ({frame_minutes}) "
                         "and divide it", 1)
    return value


def ids(raw: str | None, name: str, signed: bool = False):
    """A comma-separated id list or `all`: None (absent), ALL, or a tuple of id strings."""
    if raw is None or not raw.strip():
        return None
    if raw.strip().lower() == ALL:
        return ALL
    items = [item.strip() for item in raw.split(",")]
    if len(items) > MAX_IDS or not all(_digits(item, signed) for item in items):
        raise BadRequest(f"{name} must be 'all' or a comma-separated list of numeric ids", 1)
    return tuple(dict.fromkeys(items))


def version(raw: str | None) -> float | None:
    """`v`: a positive number such as 1, 1.0 or 2 (None: absent)."""
    if raw in (None, ""):
        return None
    whole, _, part = raw.partition(".")
    if not _digits(whole) or len(whole) > 3 or (part and not _digits(part)) or float(raw) < 1:
        raise BadRequest("v must be the API version, a number such as 1 or 2", 1)
    return float(raw)


def histogram(raw: str | None) -> tuple[int, ...]:
    """`histogram`: bucket lower bounds in seconds, multiples of 5; 0 is always one of them."""
    if raw is None or not raw.strip():
        return DEFAULT_HISTOGRAM
    items = [item.strip() for item in raw.split(",")]
    if len(items) > 100 or not all(_digits(i) and len(i) <= 6 and int(i) % 5 == 0 for i in items):
        raise BadRequest("histogram must list seconds that are multiples of 5 (at most 100)", 1)
    return tuple(sorted({0, *(int(i) for i in items)}))


# --- time frames ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """What a request covers: [start, end) and its intervals (oldest first), in epoch seconds."""

    start: float
    end: float
    now: float
    intervals: tuple[tuple[float, float], ...] = ()
    starts: tuple[float, ...] = ()  # each interval's start, to find an instant's interval


def frame(now: float, minutes: int, every: int | None = None, bucketed: bool = True,
          exact: bool = False) -> Frame:
    """The frame of `minutes` up to now, in intervals of `every` minutes, rounded as documented
    (`exact`: not rounded at all, [now - minutes, now), as Messaging Operations documents it)."""
    end = now if exact else (math.floor(now / BUCKET) + 1) * BUCKET  # the current bucket's end
    start = now - minutes * 60
    if bucketed and not exact:  # queue health, engagement activity, SLA; agent activity exactly
        start = math.floor(start / BUCKET) * BUCKET
    spans, right = [], end
    while every and right > start:  # back from the end; the earliest holds what is left
        left = max(right - every * 60, start)
        spans.append((left, right))
        right = left
    spans.reverse()
    return Frame(start, end, now, tuple(spans), tuple(a for a, _ in spans))


def _windows(f: Frame) -> list[tuple[float, float]]:
    return [(f.start, f.end), *f.intervals]


def _index(f: Frame, t: float | None) -> list[int]:
    """Which windows (0: the whole frame, then each interval) hold the instant t."""
    if t is None or not f.start <= t < f.end:
        return []
    if not f.intervals:
        return [0]
    return [0, bisect_right(f.starts, t)]


@dataclass
class Report:
    """A report's whole-frame value, and one per interval (oldest first) as (timestamp in epoch
    ms, value): the interval's end, or its start for Messaging Operations."""

    top: object
    intervals: list = field(default_factory=list)


def _report(f: Frame, values: list, at_start: bool = False) -> Report:
    stamps = [int(round((a if at_start else b) * 1000)) for a, b in f.intervals]
    return Report(values[0], list(zip(stamps, values[1:])))


# --- queue health --------------------------------------------------------------------------------


@dataclass
class Measure:
    """Samples of one quantity: how many, their sum, the lowest and the highest."""

    count: int = 0
    total: int = 0
    low: int | None = None
    high: int | None = None

    def add(self, value: int, times: int) -> None:
        self.count += times
        self.total += value * times
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)


@dataclass
class QueueHealth:
    """One skill's (or the totals') queue numbers over one window; times in seconds."""

    entered: int = 0
    connected: int = 0
    abandoned: int = 0
    answer_seconds: float = 0.0
    abandon_seconds: float = 0.0
    queue: Measure = field(default_factory=Measure)
    slots: Measure = field(default_factory=Measure)
    current_queue: int = -1  # -1: no current value (intervals, or nobody measured now)
    current_slots: int = -1

    @property
    def has_data(self) -> bool:
        return bool(self.entered or self.connected or self.abandoned or self.queue.count
                    or self.current_queue >= 0)


class _Series:
    """(queue size, free slots, live agent sessions) of some skills over time (ms), as steps."""

    def __init__(self, changes: list[tuple[int, int, int, int]]):
        changes.sort(key=lambda c: c[0])
        self.times: list[int] = []
        self.values: list[tuple[int, int, int]] = []
        q = s = live = 0
        for t, dq, ds, dl in changes:
            q, s, live = q + dq, s + ds, live + dl
            if self.times and self.times[-1] == t:
                self.values[-1] = (q, s, live)
            else:
                self.times.append(t)
                self.values.append((q, s, live))

    def measure(self, a: int, b: int, into: QueueHealth) -> None:
        """Add the samples in [a, b): every SAMPLE_MS while an agent is on or a chat waits."""
        k = max(bisect_right(self.times, a) - 1, 0)  # before the first change all is 0: skipped
        while k < len(self.times) and self.times[k] < b:
            lo = max(self.times[k], a)
            hi = min(self.times[k + 1], b) if k + 1 < len(self.times) else b
            q, s, live = self.values[k]
            samples = _ceil_div(hi, SAMPLE_MS) - _ceil_div(lo, SAMPLE_MS) if hi > lo else 0
            if samples and (live > 0 or q > 0):
                into.queue.add(q, samples)
                into.slots.add(s, samples)
            k += 1


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _ms(t: float) -> int:
    return int(round(t * 1000))


def _free(user, held: int) -> int:
    """A user's free slots while Online; an unlimited one counts 1 (the docs' rule)."""
    return 1 if user.max_chats < 0 else max(user.max_chats - held, 0)


class History:
    """The recorder's facts of one account, indexed for the reports (built once per request)."""

    def __init__(self, recorder, account):
        self.account = account
        self.records = recorder.of_account(account.id)
        self.episodes = recorder.episodes(account.id)
        self.spans = recorder.agent_spans(account.id)
        self.legs = [leg for r in self.records for leg in r.legs]
        self.legs_of: dict[str, list] = {}
        for leg in self.legs:
            if leg.agent_id and leg.connected is not None:
                self.legs_of.setdefault(leg.agent_id, []).append(leg)
        self.spans_of: dict[str, list] = {}
        for span in self.spans:
            self.spans_of.setdefault(span.user_id, []).append(span)
        self._slots: dict[str, list] = {}

    def users(self, skills: set | None) -> list:
        """The account's users with one of `skills` (None: every user)."""
        return [u for u in self.account.users.values()
                if skills is None or skills & set(u.skill_ids)]

    def slot_changes(self, user) -> list[tuple[int, int]]:
        """(ms, change) of the user's free slots: free while Online, as chats come and go."""
        if user.id not in self._slots:
            events = []
            for leg in self.legs_of.get(user.id, ()):
                events.append((_ms(leg.connected), 1, 0))
                if leg.ended is not None:
                    events.append((_ms(leg.ended), -1, 0))
            for span in self.spans_of.get(user.id, ()):
                if span.state == ONLINE:
                    events.append((_ms(span.start), 0, 1))
                    if span.end is not None:
                        events.append((_ms(span.end), 0, -1))
            events.sort(key=lambda e: e[0])
            out, held, online, value = [], 0, 0, 0
            for i, (t, dh, do) in enumerate(events):
                held, online = held + dh, online + do
                if i + 1 < len(events) and events[i + 1][0] == t:
                    continue  # apply every change of one instant before reading the value
                new = _free(user, held) if online > 0 else 0
                if new != value:
                    out.append((t, new - value))
                    value = new
            self._slots[user.id] = out
        return self._slots[user.id]

    def series(self, skills: set | None) -> _Series:
        """Queue size, free slots and live sessions over time of these skills (None: all)."""
        changes = []
        for e in self.episodes:
            if skills is None or e.skill_id in skills:
                changes.append((_ms(e.entered), 1, 0, 0))
                if e.left is not None:
                    changes.append((_ms(e.left), -1, 0, 0))
        for user in self.users(skills):
            changes += [(t, 0, d, 0) for t, d in self.slot_changes(user)]
            for span in self.spans_of.get(user.id, ()):
                changes.append((_ms(span.start), 0, 0, 1))
                if span.end is not None:
                    changes.append((_ms(span.end), 0, 0, -1))
        return _Series(changes)


def _current_queue(query, history: History, skills: set | None) -> tuple[int, int]:
    """(queue size, free slots) now, from the live model; (-1, -1) when nothing is measured."""
    # measured: an agent with one of the skills is logged in, or a chat waits
    account = history.account
    waiting = [c for c in query.waiting(account) if skills is None or c.skill_id in skills]
    users = {u.id for u in history.users(skills)}
    sessions = [s for s in query.live_sessions(account.id) if s.user.id in users]
    if not sessions and not waiting:
        return -1, -1
    slots, seen = 0, set()
    for session in sessions:
        if session.availability == ONLINE and session.user.id not in seen:
            seen.add(session.user.id)
            free = query.free_slots(session)
            slots += 1 if free is None else free
    return len(waiting), slots


def _queue_windows(history: History, f: Frame, skills: set | None) -> list[QueueHealth]:
    out = [QueueHealth() for _ in _windows(f)]
    for e in history.episodes:
        if skills is not None and e.skill_id not in skills:
            continue
        for i in _index(f, e.entered):
            out[i].entered += 1
        if e.outcome in (CONNECTED, ABANDONED):
            for i in _index(f, e.left):
                cell = out[i]
                if e.outcome == CONNECTED:
                    cell.connected += 1
                    cell.answer_seconds += e.left - e.entered
                else:
                    cell.abandoned += 1
                    cell.abandon_seconds += e.left - e.entered
    series = history.series(skills)
    upto = _ms(f.now) + 1  # measures up to now, not beyond
    for cell, (a, b) in zip(out, _windows(f)):
        series.measure(_ms(a), min(_ms(b), upto), cell)
    return out


@dataclass
class QueueWindow:
    """One window of queue health: per skill (None when no skillIds were given) and totals."""

    totals: QueueHealth
    skills: dict | None = None  # skill id -> QueueHealth, only the skills with data


def queue_health(recorder, query, account, f: Frame, skills) -> Report:
    """Queue health per window: per skill asked for (ALL: every one) and in total."""
    # without skillIds the totals are the account's, chats without a skill included
    history = History(recorder, account)
    if skills is None:
        wanted = None
    elif skills == ALL:
        wanted = sorted(set(account.skills) | {e.skill_id for e in history.episodes
                                               if e.skill_id is not None})
    else:
        wanted = list(skills)
    total_set = None if wanted is None else set(wanted)
    totals = _queue_windows(history, f, total_set)
    totals[0].current_queue, totals[0].current_slots = _current_queue(query, history, total_set)
    windows = [QueueWindow(t, None if wanted is None else {}) for t in totals]
    for skill_id in wanted or ():
        cells = _queue_windows(history, f, {skill_id})
        cells[0].current_queue, cells[0].current_slots = _current_queue(query, history, {skill_id})
        for window, cell in zip(windows, cells):
            if cell.has_data:
                window.skills[skill_id] = cell
    return _report(f, windows)


# --- engagement activity -------------------------------------------------------------------------


@dataclass
class Activity:
    """Engagements closed and connected in one window; handling times in seconds."""

    interactive: int = 0
    non_interactive: int = 0
    handling: float = 0.0
    non_interactive_handling: float = 0.0
    connected: int = 0

    def add(self, other: "Activity") -> None:
        self.interactive += other.interactive
        self.non_interactive += other.non_interactive
        self.handling += other.handling
        self.non_interactive_handling += other.non_interactive_handling
        self.connected += other.connected

    @property
    def has_data(self) -> bool:
        return bool(self.interactive or self.non_interactive or self.connected)


@dataclass
class EngagementWindow:
    """One window of engagement activity, in the groupings the request asked for."""

    per_skill: dict | None = None  # skill id -> ({agent id: Activity}, skill totals)
    skill_totals: Activity | None = None
    per_agent: dict | None = None  # agent id -> Activity
    agent_totals: Activity | None = None
    totals: Activity | None = None  # only when neither skills nor agents were asked for


def _leg_cells(history: History, f: Frame) -> list[dict]:
    """Per window: (skill id, agent id or None) -> Activity of legs connected or closed in it."""
    # A leg is one agent's part of a chat. One that never connected was left in the queue:
    # non-interactive, of no agent.
    out: list[dict] = [{} for _ in _windows(f)]
    for leg in history.legs:
        key = (leg.skill_id, leg.agent_id if leg.connected is not None else None)
        for i in _index(f, leg.connected):
            out[i].setdefault(key, Activity()).connected += 1
        if leg.ended is None:
            continue
        handled = leg.ended - leg.connected if leg.connected is not None else 0.0
        interactive = leg.connected is not None and leg.visitor_lines > 0
        for i in _index(f, leg.ended):
            cell = out[i].setdefault(key, Activity())
            if interactive:
                cell.interactive += 1
                cell.handling += handled
            else:
                cell.non_interactive += 1
                cell.non_interactive_handling += handled
    return out


def _group(cells: dict, skills, agents) -> EngagementWindow:
    def keep(value, chosen) -> bool:
        return chosen == ALL or value in chosen

    window = EngagementWindow()
    if skills is None and agents is None:
        window.totals = Activity()
        for activity in cells.values():
            window.totals.add(activity)
        return window
    chosen = [(k, a) for k, a in cells.items()
              if (skills is None or keep(k[0], skills)) and (agents is None or keep(k[1], agents))]
    if skills is not None:
        window.per_skill, window.skill_totals = {}, Activity()
        for (skill_id, agent_id), activity in chosen:
            if skill_id is None:
                continue
            by_agent, total = window.per_skill.setdefault(skill_id, ({}, Activity()))
            total.add(activity)
            window.skill_totals.add(activity)
            if agent_id is not None:
                by_agent.setdefault(agent_id, Activity()).add(activity)
        window.per_skill = {k: v for k, v in sorted(window.per_skill.items()) if v[1].has_data}
    if agents is not None:
        window.per_agent, window.agent_totals = {}, Activity()
        for (_, agent_id), activity in chosen:
            if agent_id is not None:
                window.per_agent.setdefault(agent_id, Activity()).add(activity)
                window.agent_totals.add(activity)
        window.per_agent = {k: v for k, v in sorted(window.per_agent.items()) if v.has_data}
    return window


def engagement_activity(recorder, account, f: Frame, skills, agents) -> Report:
    """Engagement activity per skill and agent, as the request groups it."""
    cells = _leg_cells(History(recorder, account), f)
    return _report(f, [_group(c, skills, agents) for c in cells])


# --- agent activity ------------------------------------------------------------------------------


@dataclass
class StateTime:
    """Seconds in one state: in all, while chatting, while holding maxChats chats."""

    total: float = 0.0
    chatting: float = 0.0
    at_max: float = 0.0


def _agent_segments(history: History, user, now: float) -> list[tuple[float, float, str, int]]:
    """(from, to, state, chats held) of a user while logged in, up to now, in time order."""
    # With several sessions the newest one's state counts (as availableAgents shows the user).
    events = []
    for span in history.spans_of.get(user.id, ()):
        end = now if span.end is None else min(span.end, now)
        events.append((span.start, 1, "open", span))
        events.append((end, 0, "close", span))
    for leg in history.legs_of.get(user.id, ()):
        events.append((leg.connected, 1, "held", 1))
        if leg.ended is not None:
            events.append((leg.ended, 0, "held", -1))
    events.sort(key=lambda e: (e[0], e[1]))  # at one instant, what ends before what starts
    open_spans: dict = {}  # session id -> its open span
    first_seen: dict[str, float] = {}
    out, held, since = [], 0, None
    for t, _, kind, what in events:
        if since is not None and t > since and open_spans:
            newest = max(open_spans.values(),
                         key=lambda s: (first_seen[s.session_id], s.session_id))
            out.append((since, t, newest.state, held))
        since = t
        if kind == "held":
            held += what
        elif kind == "open":
            first_seen.setdefault(what.session_id, what.start)
            open_spans[what.session_id] = what
        elif open_spans.get(what.session_id) is what:
            del open_spans[what.session_id]
    return [s for s in out if s[0] < now]


def agent_activity(recorder, account, f: Frame, agents) -> tuple[Report, list[str]]:
    """Per window {agent id: {state: StateTime}}, and the account's Away reason ids."""
    history = History(recorder, account)
    wanted = set(history.spans_of) if agents == ALL else set(agents)
    out: list[dict] = [{} for _ in _windows(f)]
    for user_id in sorted(wanted):
        user = account.users.get(user_id)
        if user is None:
            continue
        segments = _agent_segments(history, user, f.now)
        starts = [s[0] for s in segments]
        for found, (a, b) in zip(out, _windows(f)):
            states = {state: StateTime() for state in STATES}
            seen = False
            first = max(bisect_right(starts, a) - 1, 0)  # segments do not overlap: skip to a
            for start, end, state, held in segments[first:bisect_right(starts, b)]:
                overlap = min(end, b) - max(start, a)
                if overlap <= 0 or state not in states:
                    continue
                seen = True
                cell = states[state]
                cell.total += overlap
                if held > 0:
                    cell.chatting += overlap
                if 0 < user.max_chats <= held:
                    cell.at_max += overlap
            if seen:
                found[user_id] = states
    reasons = sorted(r.id for r in getattr(account, "status_reasons", {}).values()
                     if r.state == AWAY and r.enabled and not r.deleted)
    return _report(f, out), reasons


# --- current queue state -------------------------------------------------------------------------


@dataclass
class QueueNow:
    """A skill's queue now: free slots, chats waiting, the longest wait so far (ms); -1: none."""

    slots: int = -1
    size: int = -1
    max_wait_ms: int = -1


def queue_state(recorder, query, account, skills) -> tuple[dict, QueueNow]:
    """({skill id: QueueNow}, totals) now: the skills asked for, else every one with data."""
    # a skill asked for without data is -1 everywhere; totals add only the valid values
    history = History(recorder, account)
    now = query.clock.now()
    entered = {e.chat_id: e.entered for e in history.episodes if e.left is None}
    waiting = query.waiting(account)
    listed = skills not in (None, ALL)
    candidates = list(skills) if listed else sorted(
        s.id for s in account.skills.values() if not s.deleted)
    out, totals = {}, QueueNow()
    for skill_id in candidates:
        size, slots = _current_queue(query, history, {skill_id})
        if size < 0:
            if listed:
                out[skill_id] = QueueNow()
            continue
        waits = [now - entered[c.id] for c in waiting if c.skill_id == skill_id and c.id in entered]
        cell = QueueNow(slots, size, int(round(max(waits) * 1000)) if waits else -1)
        out[skill_id] = cell
        totals.slots = max(totals.slots, 0) + cell.slots
        totals.size = max(totals.size, 0) + cell.size
        totals.max_wait_ms = max(totals.max_wait_ms, cell.max_wait_ms)
    return out, totals


# --- SLA histogram -------------------------------------------------------------------------------


@dataclass
class SlaBucket:
    """Chats whose queue wait (request or transfer to the agent's accept) falls in the bucket."""

    lower: int
    chats: int = 0
    share: float = 0.0
    accumulated: float = 0.0


def sla(recorder, account, f: Frame, skills, groups, buckets: tuple[int, ...]) -> list[SlaBucket]:
    """The wait histogram of the legs accepted in the frame, of those skills and agent groups."""
    out = [SlaBucket(lower) for lower in buckets]
    for leg in History(recorder, account).legs:
        if not _index(f, leg.connected):
            continue
        if skills not in (None, ALL) and leg.skill_id not in skills:
            continue
        if groups not in (None, ALL) and leg.agent_group_id not in groups:
            continue
        wait = max(leg.connected - leg.queued, 0.0)
        out[bisect_right(buckets, wait) - 1].chats += 1
    total = sum(b.chats for b in out)
    running = 0
    for bucket in out:
        running += bucket.chats
        bucket.share = bucket.chats / total if total else 0.0
        bucket.accumulated = running / total if total else 0.0
    return out


# --- messaging queue health (Messaging Operations API) -------------------------------------------


@dataclass
class MessagingQueue:
    """One skill's (or the total's) average messaging queue over one window: unassigned
    conversations, actionable or not, and those with a manual SLA, in a transfer, whose consumer
    wrote last or is new. The sandbox serves live chat only: no messaging conversation is ever
    queued, so every average is 0."""

    unassigned: float = 0.0
    actionable: float = 0.0
    not_actionable: float = 0.0
    actionable_manual_sla: float = 0.0
    actionable_during_transfer: float = 0.0
    actionable_consumer_last_message: float = 0.0
    not_actionable_during_transfer: float = 0.0
    not_actionable_manual_sla: float = 0.0
    unassigned_first_time_consumer: float = 0.0


@dataclass
class MessagingQueueWindow:
    """One window: {skill id: MessagingQueue} and their total (the sum of the skills' averages)."""

    skills: dict
    total: MessagingQueue


def messaging_queue_health(account, f: Frame, skills) -> Report:
    """Messaging queue health per window (f exact, intervals stamped at their start), for every
    live skill (no skillIds or ALL) or the live skills of those ids; an id of no live skill of
    the account has no data and is left out."""
    live = sorted(s.id for s in account.skills.values() if not s.deleted)
    wanted = live if skills in (None, ALL) else [s for s in skills if s in set(live)]
    windows = [MessagingQueueWindow({skill_id: MessagingQueue() for skill_id in wanted},
                                    MessagingQueue()) for _ in _windows(f)]
    return _report(f, windows, at_start=True)
