"""Operational Realtime API (service leDataReporting): chat queue health, engagement activity,
agent state distribution, current queue state and the SLA histogram, all from the sandbox's own
history (model/analytics/realtime.py), with a bearer or an API key of the account; and, on the
same service, Messaging Operations' messaging queue health (no messaging here: all 0)."""
from flask import Blueprint

from ..model.analytics import realtime
from ..model.errors import BadRequest
from ..wire.operations_reports import (agent_activity_json, engagement_activity_json, enveloped,
                                       messaging_queue_health_json, queue_health_json,
                                       queue_state_json, sla_json)
from .common import data_auth, json_body, query_arg, respond, sandbox

bp = Blueprint("operational_realtime", __name__)
BASE = "/operations/api/account/<account_id>"
AGENT_ACTIVITY_FIELDS = ("timeframe", "agentIds", "v", "interval")


def _frame(args: dict, bucketed: bool = True, exact: bool = False) -> realtime.Frame:
    """The request's time frame (and intervals) on the sandbox clock; 400 when they are bad."""
    minutes = realtime.timeframe(args.get("timeframe"))
    every = realtime.interval(args.get("interval"), minutes)
    return realtime.frame(sandbox().clock.now(), minutes, every, bucketed, exact)


def _query(*names) -> dict:
    return {name: query_arg(name) for name in names}


def _chat_center() -> None:
    """`chatCenterId`: a number; the sandbox has no chat centers, so it filters nothing."""
    raw = query_arg("chatCenterId")
    if raw not in (None, "") and not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        raise BadRequest("chatCenterId must be a numeric id", 1)


@bp.get(f"{BASE}/queuehealth")
@data_auth
def queue_health(account_id):
    """Queue metrics of the account, or per skill and in total, over the time frame."""
    args = _query("timeframe", "interval", "skillIds", "v")
    skills = realtime.ids(args["skillIds"], "skillIds")
    version = realtime.version(args["v"])
    _chat_center()
    sb = sandbox()
    report = realtime.queue_health(sb.analytics, sb.query, sb.account(account_id), _frame(args),
                                   skills)
    return respond(enveloped(queue_health_json(report), version))


@bp.get(f"{BASE}/engactivity")
@data_auth
def engagement_activity(account_id):
    """Closed and connected engagements and handling times, per skill and agent, in total."""
    args = _query("timeframe", "interval", "skillIds", "agentIds", "v")
    skills = realtime.ids(args["skillIds"], "skillIds")
    agents = realtime.ids(args["agentIds"], "agentIds")
    version = realtime.version(args["v"])
    sb = sandbox()
    report = realtime.engagement_activity(sb.analytics, sb.account(account_id), _frame(args),
                                          skills, agents)
    return respond(enveloped(engagement_activity_json(report), version))


def _agent_activity(account_id, args: dict):
    agents = realtime.ids(args.get("agentIds"), "agentIds")
    if agents is None:
        raise BadRequest("agentIds is required: 'all' or a comma-separated list of agent ids", 1)
    version = realtime.version(args.get("v"))
    sb = sandbox()
    report, reasons = realtime.agent_activity(sb.analytics, sb.account(account_id),
                                              _frame(args, bucketed=False), agents)
    return respond(enveloped(agent_activity_json(report, reasons), version))


@bp.get(f"{BASE}/agentactivity")
@data_auth
def agent_activity(account_id):
    """Time in each state (Online, Back in 5, Away, logged in) per agent, chatting or not."""
    return _agent_activity(account_id, _query(*AGENT_ACTIVITY_FIELDS))


@bp.post(f"{BASE}/agentactivity")
@data_auth
def agent_activity_post(account_id):
    """The same, with the parameters in a JSON body (for long agent lists)."""
    body = json_body(required=False)
    args = {}
    for name in AGENT_ACTIVITY_FIELDS:
        value = body.get(name)
        if isinstance(value, list):
            value = ",".join(_text(item, name) for item in value)
        args[name] = query_arg(name) if value is None else _text(value, name)
    return _agent_activity(account_id, args)


def _text(value, name: str) -> str:
    """A body parameter as its query text: strings and integers only."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRequest(f"'{name}' must be a string or an integer", 1)
    return str(value)


@bp.get(f"{BASE}/queuestate")
@data_auth
def queue_state(account_id):
    """Each skill's queue now: chats waiting, free slots (and, from v=2, the longest wait)."""
    skills = realtime.ids(query_arg("skillIds"), "skillIds")
    version = realtime.version(query_arg("v"))
    sb = sandbox()
    per_skill, totals = realtime.queue_state(sb.analytics, sb.query, sb.account(account_id), skills)
    return respond(queue_state_json(per_skill, totals, version))


@bp.get(f"{BASE}/sla")
@data_auth
def sla(account_id):
    """How long the chats connected in the time frame waited, in histogram buckets."""
    args = _query("timeframe", "skillIds", "groupIds", "histogram", "v")
    skills = realtime.ids(args["skillIds"], "skillIds")
    groups = realtime.ids(args["groupIds"], "groupIds", signed=True)  # the root group is -1
    buckets = realtime.histogram(args["histogram"])
    version = realtime.version(args["v"])
    sb = sandbox()
    report = realtime.sla(sb.analytics, sb.account(account_id), _frame({**args, "interval": None}),
                          skills, groups, buckets)
    return respond(enveloped(sla_json(report), version))


@bp.get(f"{BASE}/msgqueuehealth")
@data_auth
def messaging_queue_health(account_id):
    """Messaging Operations: the messaging queue's averages per skill and in total, over the
    time frame (not rounded), by interval when asked; always the docs' bare body."""
    args = _query("timeframe", "interval", "skillIds", "v")
    skills = realtime.ids(args["skillIds"], "skillIds")
    realtime.version(args["v"])
    f = _frame(args, exact=True)
    report = realtime.messaging_queue_health(sandbox().account(account_id), f, skills)
    return respond(messaging_queue_health_json(report))
