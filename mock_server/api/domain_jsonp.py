"""Domain API, legacy JSONP form (`baseURI.lpCsds?cb=...`), as the JavaScript Chat SDK calls it.

The answer is JavaScript: `/**/<cb>({"ResultSet": {...}});` with `text/javascript` and
`X-Content-Type-Options: nosniff`. The callback name is a JavaScript identifier path only
(`cb`, `jQuery3310_17`, `lpTag.taglets.cb`): anything else would let a page run script of the
caller's choosing on this origin, so it is refused with 400 (LivePerson's envelope, as JSON, which
a browser with nosniff never runs). An unknown account or service is not an HTTP error here: the
script must run for the caller to learn of it, so it answers 200 with `ResultSet.lpCallError`,
as CSDS does (clients test `data.ResultSet.lpCallError`).
"""
import json
import re

from flask import Blueprint, Response, request

from ..model.errors import BadRequest, NotFound
from ..wire.errors import envelope
from .common import locked, sandbox
from .domain import SERVICES, base_uris, check_account, service_host

bp = Blueprint("domain_jsonp", __name__)

# A dotted path of ASCII identifiers; the same pattern is in the OpenAPI description.
CALLBACK_PATTERN = r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*){0,7}$"
CALLBACK = re.compile(CALLBACK_PATTERN)
CALLBACK_MAX = 128
DEFAULT_CALLBACK = "lpCb"  # when no `cb` is given (some clients strip the wrapper themselves)
JS_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"}


def _callback() -> str:
    name = request.args.get("cb")
    if name is None or name == "":
        return DEFAULT_CALLBACK
    if len(name) > CALLBACK_MAX or not CALLBACK.fullmatch(name):
        raise BadRequest("Query parameter 'cb' must be a JavaScript identifier (letters, digits, "
                         f"_ and $, dotted; at most {CALLBACK_MAX} characters)", 1)
    return name


def _script(callback: str, result: dict) -> Response:
    # ensure_ascii: U+2028/U+2029 and every other non-ASCII character leave as \\u escapes.
    body = f"/**/{callback}({json.dumps({'ResultSet': result}, separators=(',', ':'))});"
    return Response(body, status=200, headers=JS_HEADERS,
                    content_type="text/javascript; charset=utf-8")


def _call_error(error: NotFound) -> dict:
    inner = envelope(error.message, error.internal_code, error.response_status,
                     sandbox().clock.now())["error"]
    return {"lpCallError": inner}


@bp.get("/api/account/<account_id>/service/<service>/baseURI.lpCsds")
@bp.get("/csdr/account/<account_id>/service/<service>/baseURI.lpCsds")
@locked
def one_service_jsonp(account_id, service):
    """The host of one service: `ResultSet.lpData[0].lpServer`."""
    callback = _callback()  # a bad callback is refused before anything else is said
    try:
        check_account(account_id)
        if service not in SERVICES:
            raise NotFound(f"Service {service} was not found for account {account_id}", 5)
    except NotFound as exc:
        return _script(callback, _call_error(exc))
    return _script(callback, {"lpData": [{"lpServer": service_host(account_id)}]})


@bp.get("/api/account/<account_id>/service/baseURI.lpCsds")
@bp.get("/csdr/account/<account_id>/service/baseURI.lpCsds")
@locked
def all_services_jsonp(account_id):
    """The hosts of every service: `ResultSet.lpData.baseURIs`, items as in the JSON form."""
    callback = _callback()
    try:
        check_account(account_id)
    except NotFound as exc:
        return _script(callback, _call_error(exc))
    return _script(callback, {"lpData": {"baseURIs": base_uris(account_id)}})
