"""Login Service API: user and application login, refresh and logout (service agentVep)."""
from datetime import datetime

from flask import Blueprint, request

from ..model.auth import BAD_AUTH
from ..model.errors import NotFound, Unauthorized
from ..wire.formats import epoch_ms, zone
from .common import bearer_token, json_body, locked, respond, sandbox
from .domain import base_uris

bp = Blueprint("login", __name__)
COOKIE = "Session_id"
AGENT_PRIVILEGES = [100, 101, 1730, 1731, 1732, 1733, 1734, 1735]
ADMIN_PRIVILEGES = AGENT_PRIVILEGES + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]


def _account(account_id):
    try:
        return sandbox().account(account_id)
    except NotFound:
        raise Unauthorized(BAD_AUTH, 2) from None


@bp.post("/api/account/<account_id>/login")
@locked
def login(account_id):
    """User login ({username, password}) or application login ({username, appKey, ...})."""
    sb = sandbox()
    account = _account(account_id)
    session = sb.login(account, json_body())
    user, now = session.user, sb.clock.now()
    offset = datetime.fromtimestamp(now, zone(account.timezone)).utcoffset()
    gmt_diff = int(offset.total_seconds() * 1000) if offset else 0
    body = {
        "csrf": session.csrf,
        "wsuk": session.wsuk,
        "config": {
            "loginName": user.login_name,
            "userId": user.id,
            "userPid": user.pid,
            "userPrivileges": ADMIN_PRIVILEGES if user.is_admin else AGENT_PRIVILEGES,
            "serverCurrentTime": epoch_ms(now),
            "timeDiff": 0,
            "serverTimeZoneName": account.timezone,
            "serverTimeGMTDiff": gmt_diff,
            "isLPA": False,
            "isAdmin": user.is_admin,
            "accountTimeZoneId": account.timezone,
        },
        "siteConfig": {},
        "csdsCollectionResponse": {"baseURIs": base_uris(account_id)},
        "accountData": {"agentGroupsData": {  # the doc's shape: numeric ids, live groups only
            "items": [{"id": int(g.id), "deleted": False, "name": g.name}
                      for g in account.agent_groups.values() if not g.deleted],
            "revision": account.revisions["agentGroups"]}},
        "sessionTTl": str(int(float(sb.settings["login_absolute_ttl_seconds"]) * 1000)),
        "bearer": session.bearer,
        "sessionId": session.session_id,
    }
    response = respond(body)
    response.set_cookie(COOKIE, session.session_id, path="/", httponly=True,
                        secure=request.scheme == "https")
    return response


def _csrf():
    return json_body(required=False).get("csrf")


@bp.post("/api/account/<account_id>/refresh")
@locked
def refresh(account_id):
    """Keep the login session alive: 200 with an empty body."""
    _account(account_id)
    session = sandbox().refresh_login(account_id, request.cookies.get(COOKIE), _csrf(),
                                       bearer_token())
    response = respond()
    response.set_cookie(COOKIE, session.session_id, path="/", httponly=True,
                        secure=request.scheme == "https")
    return response


@bp.post("/api/account/<account_id>/logout")
@locked
def logout(account_id):
    """End the login session: 200 with an empty body; the bearer is dead from now on."""
    _account(account_id)
    sandbox().logout(account_id, request.cookies.get(COOKIE), _csrf(), bearer_token())
    response = respond()
    response.delete_cookie(COOKIE, path="/")
    return response
