"""The Operational Realtime API's bodies (queuehealth, engactivity, agentactivity, queuestate,
sla) and Messaging Operations' msgqueuehealth as the method pages' examples show them, from
model/analytics/realtime.py's numbers."""
import math

from ..model.agents import AWAY, OCCUPIED, ONLINE
from ..model.analytics.realtime import (Activity, MessagingQueue, MessagingQueueWindow,
                                        QueueHealth, QueueNow, QueueWindow, Report)

# The agent state distribution's entries, in the example's order: (id, name, model state)
STATE_ENTRIES = ((2, "Online", ONLINE), (3, "Back in 5", OCCUPIED), (4, "Away", AWAY))
LOGGED_IN = (-1, "Logged in")


def _half_up(value: float) -> int:
    return int(math.floor(value + 0.5))


def enveloped(payload: dict, version: float | None) -> dict:
    """`{"meta": {"responseCode": 200}, "body": ...}`, unless v=1 (the docs' bare examples)."""
    # tap-liveperson reads meta/body from queuehealth (no v) and agentactivity (v=2)
    if version is not None and version < 2:
        return payload
    return {"meta": {"responseCode": 200}, "body": payload}


def _by_intervals(report: Report, render, newest_first: bool) -> dict:
    """The whole frame's body, after `metricsByIntervals` when the request had an interval."""
    body = render(report.top)
    if not report.intervals:
        return body
    rows = reversed(report.intervals) if newest_first else report.intervals
    return {"metricsByIntervals": [{"timestamp": ts, "metricsData": render(value)}
                                   for ts, value in rows], **body}


# --- queue health --------------------------------------------------------------------------------

def queue_metrics(q: QueueHealth) -> dict:
    """One skill's (or the totals') queue health metrics; -1 where nothing was measured."""
    answer, abandon = _half_up(q.answer_seconds), _half_up(q.abandon_seconds)
    ended = q.abandoned + q.connected
    return {
        "totalTimeToAnswer": answer, "enteredQEng": q.entered,
        "avgTimeToAnswer": _half_up(answer / q.connected) if q.connected else 0,
        "abandonmentRate": round(q.abandoned / ended, 2) if ended else 0,
        "abandonedEng": q.abandoned, "connectedEng": q.connected,
        "avgTimeToAbandon": _half_up(abandon / q.abandoned) if q.abandoned else 0,
        "totalTimeToAbandon": abandon,
        "maxQueueSize": _or_minus_one(q.queue.high), "minQueueSize": _or_minus_one(q.queue.low),
        "averageQueueSize": q.queue.total / q.queue.count if q.queue.count else -1,
        "maxAvailableSlots": _or_minus_one(q.slots.high), "minAvailableSlots": _or_minus_one(q.slots.low),
        "averageAvailableSlots": q.slots.total / q.slots.count if q.slots.count else -1,
        "currentQueueSize": q.current_queue, "currentAvailableSlots": q.current_slots,
        "availableSlotsSum": q.slots.total, "availableSlotsCount": q.slots.count,
        "queueSizeSum": q.queue.total, "queueSizeCount": q.queue.count,
    }


def _or_minus_one(value: int | None) -> int:
    return -1 if value is None else value


def _queue_window(w: QueueWindow) -> dict:
    body = {}
    if w.skills is not None:
        body["skillsMetrics"] = {sid: queue_metrics(m) for sid, m in w.skills.items()}
    body["metricsTotals"] = queue_metrics(w.totals)
    return body


def queue_health_json(report: Report) -> dict:
    """Queue health: `skillsMetrics` (with skillIds) and `metricsTotals`, intervals oldest first."""
    return _by_intervals(report, _queue_window, newest_first=False)


# --- engagement activity -------------------------------------------------------------------------

def activity_metrics(a: Activity) -> dict:
    """One agent's, skill's or the totals' engagement activity (times in whole seconds)."""
    return {"totalInteractiveChats": a.interactive, "totalNonInteractiveChats": a.non_interactive,
            "totalHandlingTime": _half_up(a.handling),
            "nonInteractiveTotalHandlingTime": _half_up(a.non_interactive_handling),
            "connectedEngagements": a.connected}


def _engagement_window(w) -> dict:
    if w.totals is not None:
        return {"metricsTotals": activity_metrics(w.totals)}
    body = {}
    if w.per_skill is not None:
        body["skillsMetricsPerAgent"] = {
            "metricsPerSkill": {sid: {"metricsPerAgent": {aid: activity_metrics(m)
                                                          for aid, m in agents.items()},
                                      "metricsTotals": activity_metrics(total)}
                                for sid, (agents, total) in w.per_skill.items()},
            "metricsTotals": activity_metrics(w.skill_totals)}
    if w.per_agent is not None:
        body["agentsMetrics"] = {
            "metricsPerAgent": {aid: activity_metrics(m) for aid, m in w.per_agent.items()},
            "metricsTotals": activity_metrics(w.agent_totals)}
    return body


def engagement_activity_json(report: Report) -> dict:
    """Engagement activity; intervals newest first, as the docs' examples."""
    return _by_intervals(report, _engagement_window, newest_first=True)


# --- agent activity ------------------------------------------------------------------------------

def _state_value(total: float, chatting: float, at_max: float) -> dict:
    whole, busy = _half_up(total), _half_up(chatting)
    return {"total": whole, "chatting": busy, "notChatting": whole - busy,
            "chattingInMaxConcurrency": _half_up(at_max)}


def _agent_states(states: dict, reasons: list[str]) -> list[dict]:
    entries = []
    for number, name, state in STATE_ENTRIES:
        cell = states[state]
        entry = {"id": number, "name": name,
                 "value": _state_value(cell.total, cell.chatting, cell.at_max)}
        if state == AWAY:  # no session gives a reason here: every reason's time is 0
            entry = {"reasons": [{"id": r, "value": _state_value(0, 0, 0)} for r in reasons],
                     **entry}
        entries.append(entry)
    cells = states.values()
    entries.append({"id": LOGGED_IN[0], "name": LOGGED_IN[1], "value": _state_value(
        sum(c.total for c in cells), sum(c.chatting for c in cells), sum(c.at_max for c in cells))})
    return entries


def agent_activity_json(report: Report, reasons: list[str]) -> dict:
    """Agent state distribution per agent; `metricsTotals` is `[]` ("not currently supported")."""
    def render(per_agent: dict) -> dict:
        return {"agentsMetrics": {"metricsPerAgent": {aid: _agent_states(states, reasons)
                                                      for aid, states in per_agent.items()},
                                  "metricsTotals": []}}
    return _by_intervals(report, render, newest_first=True)


# --- current queue state and SLA -----------------------------------------------------------------

def _queue_now(q: QueueNow, version: float | None) -> dict:
    body = {"currentAvailableSlots": q.slots, "currentQueueSize": q.size}
    if version is not None and version >= 2:
        body["currentMaxWaitTimeInQueue"] = q.max_wait_ms
    return body


def queue_state_json(skills: dict, totals: QueueNow, version: float | None) -> dict:
    """`{"skills": {...}, "totals": {...}}`; the longest wait (ms) from v=2 on."""
    return {"skills": {sid: _queue_now(q, version) for sid, q in skills.items()},
            "totals": _queue_now(totals, version)}


def sla_json(buckets) -> dict:
    """`{"slaDataRange": {"<lower bound>": {accumulated, percentageFromTotal, chats}}}`."""
    return {"slaDataRange": {str(b.lower): {"accumulated": round(b.accumulated, 4),
                                            "percentageFromTotal": round(b.share, 4),
                                            "chats": b.chats} for b in buckets}}


# --- messaging queue health (Messaging Operations API) -------------------------------------------

# (the docs' name, the model's field), in the example's order; every value a double
MESSAGING_QUEUE_FIELDS = (
    ("unassignedConversations", "unassigned"), ("actionableConversations", "actionable"),
    ("notActionableConversations", "not_actionable"),
    ("actionableAndManualSla", "actionable_manual_sla"),
    ("actionableAndDuringTransfer", "actionable_during_transfer"),
    ("actionableAndConsumerLastMessage", "actionable_consumer_last_message"),
    ("notActionableDuringTransfer", "not_actionable_during_transfer"),
    ("notActionableAndManualSla", "not_actionable_manual_sla"),
    ("unassignedConversationsAndFirstTimeConsumer", "unassigned_first_time_consumer"))


def messaging_queue_metrics(m: MessagingQueue) -> dict:
    """One skill's (or the total's) nine averages, as doubles (the element table's type)."""
    return {name: float(getattr(m, attr)) for name, attr in MESSAGING_QUEUE_FIELDS}


def _messaging_window(w: MessagingQueueWindow) -> dict:
    return {"skillsMetrics": {sid: messaging_queue_metrics(m) for sid, m in w.skills.items()},
            "metricsTotal": messaging_queue_metrics(w.total)}


def messaging_queue_health_json(report: Report) -> dict:
    """Always bare, as the page's examples: `{skillsMetrics, metricsTotal}`; with an interval
    `{metricsByIntervals: [{timestamp (the interval's start), metricsData}], timeframeSummary}`,
    newest interval first."""
    body = _messaging_window(report.top)
    if not report.intervals:
        return body
    return {"metricsByIntervals": [{"timestamp": ts, "metricsData": _messaging_window(value)}
                                   for ts, value in reversed(report.intervals)],
            "timeframeSummary": body}
