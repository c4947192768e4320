"""Sentinel (service sentinel): OAuth 2.0 for installed applications (model/oauth.py).

    POST /sentinel/api/account/{id}/app/token      client_credentials -> AppJWT  (also /api/v2/)
    GET  /sentinel/api/account/{id}/authorize      response_type=code -> 302 to redirect_uri
    POST /sentinel/api/account/{id}/token          authorization_code, refresh_token
    POST /sentinel/api/account/{id}/token/revoke   revoke a refresh (or access) token
    GET  /sentinel/well-known/jwks                 the key the JWTs are signed with

Token requests are form-encoded; LivePerson's own examples also put the parameters in the query
string (`app/token?v=1.0&grant_type=client_credentials&client_id=...`), so query and body are
read together (`v` aside) before oauthlib sees them. Token errors are RFC 6749's
`{"error", "error_description"}` (oauthlib's); the authorize endpoint's errors that cannot be
sent back to the application (unknown account, client or redirect_uri) are LivePerson's envelope.
"""
import json
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from oauthlib.oauth2 import FatalClientError, OAuth2Error
from oauthlib.oauth2.rfc6749.errors import InvalidClientIdError

from ..model.errors import BadRequest, NotFound, Unauthorized
from .common import bearer_token, locked, root_url, sandbox, writes

bp = Blueprint("sentinel", __name__)
BASE = "/sentinel/api/account/<account_id>"
BAD_AUTH = "Bad Authentication (invalid site or application id)"
COOKIE = "Session_id"  # the Login Service's session: the "existing LiveEngage session"


def _account(account_id):
    try:
        return sandbox().account(account_id)
    except NotFound:
        return None


def _oauth(headers: dict, body, status: int) -> Response:
    """oauthlib's answer as it is (JSON token or RFC 6749 error, no-store headers)."""
    headers = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
    return Response(body or b"", status=status, headers=headers,
                    content_type="application/json;charset=utf-8")


def _invalid_client() -> Response:
    body = json.dumps({"error": "invalid_client", "error_description": BAD_AUTH})
    return _oauth({"Cache-Control": "no-store", "Pragma": "no-cache"}, body, 401)


def _params() -> str:
    """Query (without `v`) and form parameters together, re-encoded for oauthlib."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "v"]
    pairs += list(request.form.items(multi=True))
    return urlencode(pairs, errors="replace")


def _headers() -> dict:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if request.headers.get("Authorization"):
        headers["Authorization"] = request.headers["Authorization"]
    return headers


def _token(account_id, grant: str) -> Response:
    account = _account(account_id)
    if account is None:
        return _invalid_client()
    headers, body, status = sandbox().oauth_token(account, grant, f"{root_url()}{request.path}",
                                                  _params(), _headers())
    return _oauth(headers, body, status)


@bp.post(f"{BASE}/app/token")
@bp.post("/sentinel/api/v2/account/<account_id>/app/token")
@locked
def app_token(account_id):
    """client_credentials: an AppJWT for the installed application."""
    return _token(account_id, "app")


@bp.post(f"{BASE}/token")
@locked
def token(account_id):
    """authorization_code (with the code from authorize) or refresh_token."""
    return _token(account_id, "user")


@bp.post(f"{BASE}/token/revoke")
@locked
def revoke(account_id):
    """Revoke a token: its login session ends (200, empty, also for an unknown token)."""
    account = _account(account_id)
    if account is None:
        return _invalid_client()
    headers, body, status = sandbox().revoke_oauth_token(account, f"{root_url()}{request.path}",
                                                         _params(), _headers())
    return _oauth(headers, body, status)


@bp.get(f"{BASE}/authorize")
@writes
@locked
def authorize(account_id):
    """The user's consent: a code for the application's redirect_uri, when the browser has a
    live Login Service session of the account (cookie, or a bearer); else `error=login_required`."""
    sb = sandbox()
    account = _account(account_id)
    if account is None:
        raise Unauthorized(BAD_AUTH, 2)
    query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "v"],
                      errors="replace")
    uri = f"{root_url()}{request.path}?{query}"
    endpoint = sb.sentinel.authorization_endpoint(account)
    try:
        scopes, _ = endpoint.validate_authorization_request(uri, "GET", None, {})
    except InvalidClientIdError:  # never redirected: the redirect_uri is not to be trusted
        raise Unauthorized(BAD_AUTH, 2) from None
    except FatalClientError as exc:
        raise BadRequest(f"{exc.error}: {exc.description}", 1) from None
    except OAuth2Error as exc:
        return _redirect(exc.in_uri(exc.redirect_uri or _redirect_uri(account)))
    session = sb.query.live_login(bearer=bearer_token(), cookie=request.cookies.get(COOKIE))
    if session is None or session.account_id != account.id:
        login = OAuth2Error(description="No Conversational Cloud session: log in first",
                            state=request.args.get("state"))
        login.error = "login_required"
        return _redirect(login.in_uri(_redirect_uri(account)))
    headers, _, _ = endpoint.create_authorization_response(
        uri, "GET", None, {}, scopes, {"user": session.user})
    return _redirect(headers["Location"])


def _redirect(location: str) -> Response:
    """302 to the application, no body (the code or the error is in the Location's query)."""
    return Response(b"", status=302, headers={"Location": location, "Cache-Control": "no-store"})


def _redirect_uri(account) -> str:
    app = account.applications[request.args["client_id"]]
    return request.args.get("redirect_uri") or app.redirect_uris[0]


@bp.get("/sentinel/well-known/jwks")
@locked  # the key is made on first use, under the same lock as the tokens it signs
def jwks():
    """The public key of the AppJWTs and id_tokens (JWKS, RFC 7517)."""
    body = json.dumps(sandbox().sentinel.signer.jwks(), separators=(",", ":"))
    return Response(body, content_type="application/json")
