"""What every view shares: the sandbox, the request's base URL, bodies, auth, responses."""
import json
from functools import wraps

from flask import Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..model import capacity
from ..model.errors import BadRequest, Unauthorized
from ..model.numbers import is_int_text
from ..model.sandbox import Sandbox
from ..wire.bodies import BodyError, parse_json
from ..wire.xml import from_xml, to_xml

GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68"  # LivePerson's documented global key


def sandbox() -> Sandbox:
    """The Sandbox of the app serving this request."""
    return current_app.extensions["sandbox"]


def root_url() -> str:
    """`scheme://host:port` as the request came in: every @href is built on it."""
    return f"{request.scheme}://{request.host}"


def wants_xml() -> bool:
    """Did the client ask for XML: a `.xml` suffix, or an Accept header preferring it?"""
    fmt = request.environ.get("sandbox.format")
    if fmt:
        return fmt == "xml"
    if "xml" not in request.headers.get("Accept", ""):
        return False  # the common case, without parsing the Accept header
    accept = request.accept_mimetypes
    best = accept.best_match(["application/json", "application/xml", "text/xml"])
    return best in ("application/xml", "text/xml") and accept[best] > accept["application/json"]


def respond(payload=None, status: int = 200, headers: dict | None = None) -> Response:
    """A LivePerson-style response in JSON (compact, key order kept) or XML; empty without payload."""
    xml = wants_xml()
    content_type = "application/xml" if xml else "application/json"
    if payload is None:
        return Response(b"", status=status, headers=headers, content_type=content_type)
    if xml:
        return Response(to_xml(payload), status=status, headers=headers,
                        content_type="application/xml; charset=utf-8")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, headers=headers, content_type=content_type)


def _is_xml_body(raw: bytes) -> bool:
    mimetype = request.mimetype or ""
    return mimetype.endswith("/xml") or (not mimetype.endswith("json") and raw.lstrip().startswith(b"<"))


def json_body(required: bool = True, allow_list: bool = False):
    """The request body (JSON, or XML in the same mapping) as an object; 400 when malformed.

    Bodies that no reader could render back (bad UTF-8, lone surrogates, NaN, 1e999, 400-digit
    numbers, absurd nesting) are refused here, before any model code sees them. With
    `allow_list`, a JSON array is accepted too (Account Config creates in bulk)."""
    raw = request.get_data(cache=True)  # over MAX_CONTENT_LENGTH: 413, rendered by app.py
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A streamed (chunked) body is cut at the limit rather than refused: refuse it here.
        raise RequestEntityTooLarge()
    if not raw.strip():
        if required:
            raise BadRequest("The request body is empty; a JSON object is required", 1)
        return {}
    try:
        if _is_xml_body(raw):
            try:
                return from_xml(raw)
            except BodyError:
                raise
            except ValueError:
                raise BadRequest("The request body is not valid XML", 1) from None
        body = parse_json(raw)
    except BodyError as exc:
        raise BadRequest(str(exc), 1) from None
    if not isinstance(body, dict) and not (allow_list and isinstance(body, list)):
        raise BadRequest("The request body must be a JSON object", 1)
    return body


def int_arg(name: str, default: int | None = None, minimum: int = 0) -> int | None:
    """An integer query parameter; 400 when it is not a number or is below `minimum`."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not is_int_text(raw):
        raise BadRequest(f"Query parameter '{name}' must be an integer", 1)
    value = int(raw)
    if value < minimum:
        raise BadRequest(f"Query parameter '{name}' must be at least {minimum}", 1)
    return value


def int_path(value: str, not_found) -> int:
    """A numeric path segment (an event id); `not_found` (a model error) when it is not one."""
    if not is_int_text(value) or value.startswith("-"):
        raise not_found
    return int(value)


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def locked(view):
    """Run the view (its model calls and its rendering) under the sandbox lock."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with sandbox().lock:
            return view(*args, **kwargs)
    return wrapper


def agent_auth(view):
    """Chat Agent and other bearer APIs: the bearer must be live and of the path's account."""
    @wraps(view)
    def wrapper(account_id, *args, **kwargs):
        sb = sandbox()
        with sb.lock:
            sb.account(account_id)
            g.login = sb.logins.authenticate(account_id, bearer_token())
            return view(account_id, *args, **kwargs)
    return wrapper


def app_key() -> str | None:
    """The Server Chat API's app key: `Authorization: LivePerson appKey=...` or `?appKey=`."""
    header = request.headers.get("Authorization", "").strip()
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "liveperson":
        for part in rest.replace(",", " ").split():
            name, _, value = part.partition("=")
            if name.strip().lower() == "appkey" and value.strip():
                return value.strip().strip('"')
    return request.args.get("appKey") or request.args.get("appkey")


def consumer_auth(view):
    """Server Chat API: a valid app key (the global one or the account's own) is required."""
    @wraps(view)
    def wrapper(account_id, *args, **kwargs):
        sb = sandbox()
        with sb.lock:
            account = sb.account(account_id)
            key = app_key()
            if not key:
                raise Unauthorized("Authorization header 'LivePerson appKey=...' is required", 2)
            if key != GLOBAL_APP_KEY and key not in account.app_keys:
                raise Unauthorized(f"appKey {key} is not valid for account {account_id}", 3)
            g.account = account
            return view(account_id, *args, **kwargs)
    return wrapper


def event_body() -> dict:
    """The `event` object of a POST to a chat's events, its type copied under `type`."""
    event = json_body().get("event")
    if not isinstance(event, dict):
        raise BadRequest("The body must carry an 'event' object", 1)
    kind = event.get("@type", event.get("type"))
    if kind not in ("line", "state"):
        raise BadRequest("event '@type' must be 'line' or 'state'", 1)
    return {**event, "type": kind}


def capacity_query() -> tuple[str | None, int | None, str | None]:
    """(skill, maxWaitTime, agent) of an availability or slots query, validated as documented."""
    args = request.args
    if args.get("agent") and (args.get("skill") or args.get("maxWaitTime")):
        raise BadRequest("'agent' cannot be combined with 'skill' or 'maxWaitTime'", 1)
    max_wait = int_arg("maxWaitTime")
    if max_wait is not None and max_wait > 86400:
        raise BadRequest("maxWaitTime must be between 0 and 86400 seconds", 1)
    return args.get("skill"), max_wait, args.get("agent")


def slots_query(account_id: str) -> int:
    """availableSlots for this request's `skill`/`maxWaitTime` or `agent` (both APIs share it)."""
    sb = sandbox()
    return capacity.available_slots(sb, sb.account(account_id), *capacity_query())
