"""App Engagement API (service msdkgw): create and update a visitor session from an app.

    POST /api/account/{accountId}/app/engagement/visitors[/{visitorId}]?v=1.0[&sid=]
    PUT  /api/account/{accountId}/app/engagement/visitors/{visitorId}?v=1.0&sid=

The same monitor sessions and engagement decisions as the Monitoring API (model/monitoring.py);
this API answers 200 with `status` `Available` (and one `engagementDetails` object, with the
skill) or `NotAvailable`. JSON only; errors in the monitoring services' own shape.
"""
from flask import Blueprint, request

from ..model import monitoring
from ..model.errors import BadRequest
from ..wire.formats import number_if_digits
from .common import json_body, locked
from .monitoring import begin, register_errors, render

bp = Blueprint("app_engagement", __name__)
register_errors(bp)
VISITORS = "/api/account/<account_id>/app/engagement/visitors"


def _details(account, offer: monitoring.Offer) -> dict:
    engagement = offer.engagement
    out = {"campaignId": engagement.campaign_id, "engagementId": engagement.id,
           "contextId": offer.context_id, "windowId": engagement.window_id,
           "language": engagement.language, "engagementRevision": offer.revision,
           "validForSeconds": monitoring.VALID_FOR_SECONDS}
    skill = account.skills.get(engagement.skill_id) if engagement.skill_id else None
    if skill is not None:
        out.update(skillId=number_if_digits(skill.id), skillName=skill.name)
    if offer.connector_id:
        out["connectorId"] = offer.connector_id
    return out


@bp.post(VISITORS)
@bp.post(f"{VISITORS}/<visitor_id>")
@locked
def create_session(account_id, visitor_id=None):
    """Start (or continue, with a valid visitorId and sid) a session; is an engagement available?"""
    sb, account = begin(account_id)
    body = monitoring.app_session_body(json_body())
    session, _ = sb.monitoring.session(account, visitor_id, request.args.get("sid"),
                                       body["appType"])
    sb.monitoring.record(session, body, [])
    offers = sb.monitoring.offers(account, session, conversations=False)
    payload = {"status": "Available" if offers else "NotAvailable",
               "sessionId": session.session_id, "visitorId": session.visitor_id,
               "pageId": sb.monitoring.new_page(session)}
    if offers:
        payload["engagementDetails"] = _details(account, offers[0])
    return render(payload)


@bp.put(f"{VISITORS}/<visitor_id>")
@locked
def update_session(account_id, visitor_id):
    """Add engagement attributes and impression events to a session: 200, empty body."""
    sb, account = begin(account_id)
    body = json_body()
    events = monitoring.app_update_body(body)
    if not request.args.get("sid"):
        raise BadRequest("sid is required", monitoring.INVALID_DATA)
    session = sb.monitoring.existing(account, visitor_id, request.args.get("sid"))
    monitoring.Monitoring.check_impressions(session, events)
    sb.monitoring.record(session, {"engagementAttributes": body.get("engagementAttributes")}, events)
    sb.monitoring.new_page(session, body["pageId"])
    return render(None)
