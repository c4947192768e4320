"""Monitoring API (service smt): the app engagement call and the report call.

    POST /api/account/{accountId}/app/{appInstallationId}/engagement?v=1.0[&vid=&sid=]
    PUT  /api/account/{accountId}/app/{appInstallationId}/report?v=1.0&vid=&sid=

The API is public: the app installation id (the client_id of an application installed on the
account, `applications` in the config) is all it checks. It speaks JSON only, and its errors are
its own documented shape `{"time": <epoch ms>, "message", "internalCode"}` (not the `{"error":
...}` envelope of the chat APIs).
"""
import json

from flask import Blueprint, Response, request
from werkzeug.exceptions import HTTPException

from ..model import monitoring
from ..model.errors import NotFound, SandboxError
from ..wire.errors import status_of
from ..wire.formats import epoch_ms, number_if_digits
from .common import json_body, locked, sandbox

bp = Blueprint("monitoring", __name__)
APP = "/api/account/<account_id>/app/<app_id>"


def render(payload, status: int = 200) -> Response:
    """JSON only (the Monitoring and App Engagement APIs have no XML form); empty without payload."""
    body = b"" if payload is None else json.dumps(payload, separators=(",", ":"))
    return Response(body, status=status, content_type="application/json")


def render_error(message: str, internal_code: int, status: int) -> Response:
    """The monitoring services' error entity: `{"time", "message", "internalCode"}`."""
    return render({"time": epoch_ms(sandbox().clock.now()), "message": message,
                   "internalCode": internal_code}, status)


def register_errors(blueprint: Blueprint) -> None:
    """Errors of the blueprint's views leave in the monitoring services' own shape."""

    @blueprint.errorhandler(SandboxError)
    def sandbox_error(exc: SandboxError):
        # The body checks shared with the other APIs (malformed JSON, not an object) say 1;
        # the monitoring services' code for "request data is missing or invalid" is 5.
        code = monitoring.INVALID_DATA if exc.internal_code == 1 else exc.internal_code
        return render_error(exc.message, code, status_of(exc.response_status))

    @blueprint.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 400
        return render_error(exc.description or exc.name, monitoring.INVALID_DATA if code < 500
                            else code, code)


register_errors(bp)


def account_of(account_id: str):
    """The path's account; an unknown one is 404 (internalCode 20, the account code)."""
    try:
        return sandbox().account(account_id)
    except NotFound:
        raise NotFound(f"Account {account_id} was not found", monitoring.NO_ACCOUNT) from None


def begin(account_id: str, app_id: str | None = None):
    """What every Monitoring and App Engagement call checks first: `v`, the account, and the
    installed application when the path names one; returns (sandbox, account)."""
    monitoring.check_version(request.args.get("v"))
    sb = sandbox()
    account = account_of(account_id)
    if app_id is not None:
        sb.monitoring.application(account, app_id)
    return sb, account


def _details(offer: monitoring.Offer) -> dict:
    engagement = offer.engagement
    out = {"campaignId": number_if_digits(engagement.campaign_id),
           "engagementId": number_if_digits(engagement.id),
           "engagementRevision": offer.revision}
    if offer.conversation_id:
        out["conversationId"] = offer.conversation_id
    else:
        out.update(contextId=offer.context_id, windowId=engagement.window_id,
                   language=engagement.language)
    if offer.connector_id:
        out["connectorId"] = number_if_digits(offer.connector_id)
    out["status"] = "conversation" if offer.conversation_id else "expose"
    return out


@bp.post(f"{APP}/engagement")
@locked
def engagement(account_id, app_id):
    """A session (201 new, 200 for a valid vid/sid pair) and the engagements offered to it."""
    sb, account = begin(account_id, app_id)
    body = monitoring.engagement_body(json_body(required=False))
    session, created = sb.monitoring.session(account, request.args.get("vid"),
                                             request.args.get("sid"), app_id)
    sb.monitoring.record(session, body, [])
    offers = sb.monitoring.offers(account, session)
    payload = {"sessionId": session.session_id, "visitorId": session.visitor_id,
               "pageId": sb.monitoring.new_page(session)}
    if offers:  # nothing available: no engagementDetails at all, as documented
        payload["engagementDetails"] = [_details(o) for o in offers]
    return render(payload, 201 if created else 200)


@bp.put(f"{APP}/report")
@locked
def report(account_id, app_id):
    """Report engagement attributes and impression events of a session."""
    sb, account = begin(account_id, app_id)
    body = json_body()
    vid, sid = request.args.get("vid"), request.args.get("sid")
    impressions = monitoring.report_body(body, vid)
    session = sb.monitoring.find(account, vid, sid)
    monitoring.Monitoring.check_impressions(session, impressions)
    created = session is None
    if created:
        session, _ = sb.monitoring.session(account, vid, sid, app_id)
    sb.monitoring.record(session, body, impressions)
    page = sb.monitoring.new_page(session, body.get("pageId"))
    return render({"sessionId": session.session_id, "visitorId": session.visitor_id,
                   "pageId": page}, 201 if created else 200)
