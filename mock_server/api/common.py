"""What every view shares: the sandbox, the request's base URL, bodies, auth, responses.

These run on every API request, several times each: they read Flask's context variables and
the WSGI environ directly rather than through the `request`/`current_app`/`g` proxies (each
proxy access costs a context-variable lookup and two Python calls), and `respond` builds its
answer as a `WireResponse` (mock_server/wire/plumbing.py). What they return is unchanged.
"""
import json
from functools import wraps
from urllib.parse import quote

from flask import Response, request
from flask.globals import _cv_app, _cv_request
from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge

from ..model.errors import BadRequest, Unauthorized
from ..model.numbers import is_int_text
from ..model.oauth1 import Principal
from ..model.sandbox import Sandbox
from ..wire.bodies import BodyError, parse_json
from ..wire.plumbing import WireResponse
from ..wire.xml import from_xml, to_xml

GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68"  # LivePerson's documented global key

# json.dumps(payload, ensure_ascii=False, separators=(",", ":")) builds this encoder anew on
# every call; one instance (it keeps no state between calls) writes the same text.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _request():
    """The request being served (what the `request` proxy resolves to)."""
    try:
        return _cv_request.get().request
    except LookupError:
        return request._get_current_object()  # outside a request: Flask's own RuntimeError


current_request = _request  # the same lookup, for the hooks of other packages (control/hooks.py)


def _app_ctx():
    """The application context (what `current_app` and `g` resolve through)."""
    try:
        return _cv_app.get()
    except LookupError:
        from flask import current_app
        return current_app._get_current_object()  # outside an app context: Flask's error


def sandbox() -> Sandbox:
    """The Sandbox of the app serving this request."""
    return _app_ctx().app.extensions["sandbox"]


def root_url() -> str:
    """`scheme://host:port` as the request came in: every @href is built on it."""
    req = _request()
    return f"{req.scheme}://{req.host}"


def wants_xml() -> bool:
    """Did the client ask for XML: a `.xml` suffix, or an Accept header preferring it?"""
    req = _request()
    environ = req.environ
    fmt = environ.get("sandbox.format")
    if fmt:
        return fmt == "xml"
    if "xml" not in environ.get("HTTP_ACCEPT", ""):
        return False  # the common case, without parsing the Accept header
    accept = req.accept_mimetypes
    best = accept.best_match(["application/json", "application/xml", "text/xml"])
    return best in ("application/xml", "text/xml") and accept[best] > accept["application/json"]


def respond(payload=None, status: int = 200, headers: dict | None = None) -> Response:
    """A LivePerson-style response in JSON (compact, key order kept) or XML; empty without payload."""
    xml = wants_xml()
    if payload is None:
        return WireResponse(b"", status, "application/xml" if xml else "application/json", headers)
    if xml:
        return WireResponse(to_xml(payload), status, "application/xml; charset=utf-8", headers)
    return WireResponse(_JSON.encode(payload).encode(), status, "application/json", headers)


def query_arg(name: str) -> str | None:
    """`request.args.get(name)`: the first value of a query parameter, or None.

    A plain query string (ASCII, no `%` or `+` escapes: every poll's `?from=N`, `?v=1&NC=true`)
    is split here as Werkzeug splits it (`&`, then the first `=`; blank values kept); any other
    goes through `request.args`."""
    req = _request()
    query = req.environ.get("QUERY_STRING", "")
    if not query:
        return None
    if query.isascii() and "%" not in query and "+" not in query:
        for part in query.split("&"):
            key, _, value = part.partition("=")
            if key == name and part:
                return value
        return None
    return req.args.get(name)


def _is_xml_body(raw: bytes) -> bool:
    req = _request()
    content_type = req.environ.get("CONTENT_TYPE")
    # "application/json" as it is (what every client sends) is its own mimetype
    mimetype = content_type if content_type == "application/json" else (req.mimetype or "")
    return mimetype.endswith("/xml") or (not mimetype.endswith("json") and raw.lstrip().startswith(b"<"))


def _body(req, limit: int | None) -> bytes:
    """`req.get_data(cache=True)`; a plain body (a Content-Length of digits, no
    Transfer-Encoding, a server that terminates the input, as gevent's pywsgi does) is read
    here with the same checks and the same reads as Werkzeug's stream (a LimitedStream of
    MAX_CONTENT_LENGTH over wsgi.input), without building that stream."""
    cached = getattr(req, "_cached_data", None)
    if cached is not None:
        return cached
    environ = req.environ
    length = environ.get("CONTENT_LENGTH")
    if (limit is None or limit <= 0 or not length or not length.isascii() or not length.isdigit()
            or "HTTP_TRANSFER_ENCODING" in environ or "wsgi.input_terminated" not in environ
            or "stream" in req.__dict__ or req._max_content_length is not None):
        return req.get_data(cache=True)
    if int(length) > limit:
        raise RequestEntityTooLarge()
    stream = environ["wsgi.input"]
    if hasattr(stream, "readinto"):
        return req.get_data(cache=True)  # LimitedStream reads such a stream another way
    out = bytearray()
    pos = 0
    while pos < limit:  # LimitedStream.readall with is_max=True
        try:
            data = stream.read(min(64 * 1024, limit - pos))
        except (OSError, ValueError):
            raise ClientDisconnected() from None
        if not data:
            break
        out += data
        pos += len(data)
    raw = bytes(out)
    req._cached_data = raw
    return raw


def json_body(required: bool = True, allow_list: bool = False):
    """The request body (JSON, or XML in the same mapping) as an object; 400 when malformed.

    Bodies that no reader could render back (bad UTF-8, lone surrogates, NaN, 1e999, 400-digit
    numbers, absurd nesting) are refused here, before any model code sees them. With
    `allow_list`, a JSON array is accepted too (Account Config creates in bulk)."""
    req = _request()
    limit = _app_ctx().app.config["MAX_CONTENT_LENGTH"]
    raw = _body(req, limit)  # over MAX_CONTENT_LENGTH: 413, rendered by app.py
    if req.content_length is None and limit is not None and len(raw) >= limit:
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
    raw = query_arg(name)
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
    header = _request().environ.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def locked(view):
    """Run the view (its model calls and its rendering) under the sandbox lock."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with sandbox().lock:
            return view(*args, **kwargs)
    return wrapper


def writes(view):
    """A GET that changes state (an OAuth code is issued): a write in flight while it runs, so
    a data dir stores what it changed before the answer leaves (model/unit.py)."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        with sandbox().lock.writing():
            return view(*args, **kwargs)
    return wrapper


def agent_auth(view):
    """Chat Agent and other bearer APIs: the bearer must be live and of the path's account."""
    @wraps(view)
    def wrapper(account_id, *args, **kwargs):
        sb = sandbox()
        with sb.lock:
            sb.account(account_id)
            _app_ctx().g.login = sb.authenticate(account_id, bearer_token())
            return view(account_id, *args, **kwargs)
    return wrapper


def data_auth(view):
    """Data APIs (Account Config; Engagement History, Operational Realtime, ...): a Login Service
    bearer of the path's account, or an API key of that account (an OAuth 1.0a HMAC-SHA1 signature
    in the Authorization header, model/oauth1.py); 401 otherwise (400 for malformed OAuth).

    Use it as `agent_auth` (`from .common import data_auth`; the view's first argument is
    `account_id`; it runs under the sandbox lock). Who is calling, whatever the credential:
    `g.principal` (model/oauth1.Principal: `.user`, `.api_key`, `.is_admin`, `.has(permission)`);
    `g.login` is the LoginSession of a bearer (None for a key), `g.api_key` the key (None for a
    bearer)."""
    @wraps(view)
    def wrapper(account_id, *args, **kwargs):
        sb = sandbox()
        with sb.lock:
            account = sb.account(account_id)
            g = _app_ctx().g
            req = _request()
            scheme = req.environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")[0]
            if scheme.lower() == "oauth":
                g.principal = sb.api_keys.verify(account, *_signed_request(req))
                g.login, g.api_key = None, g.principal.api_key
            else:
                bearer = bearer_token()
                if not bearer:
                    raise Unauthorized("Authorization header with a Bearer token or an OAuth 1.0a "
                                       "signature (an API key) is required", 2)
                g.login = sb.authenticate(account_id, bearer)
                g.api_key = None
                g.principal = Principal(account_id, user=g.login.user, login=g.login)
            return view(account_id, *args, **kwargs)
    return wrapper


FORM = "application/x-www-form-urlencoded"
PATH_SAFE = "/:@!$&'()*+,;=~"  # what a path keeps unencoded (RFC 3986 pchar), besides A-Z a-z 0-9 _.-


def _signed_request(req) -> tuple[str, str, dict, str]:
    """(method, URL, headers, body) as the client sent and signed them: the method before
    X-HTTP-Method-Override, the scheme and Host it came in on, the path before the `.json`/`.xml`
    suffix came off (raw, as on the request line), the raw query; a body only when form-encoded
    (clients sign no other, RFC 5849 §3.4.1.3.1)."""
    environ = req.environ
    method = environ.get("sandbox.original_method") or environ["REQUEST_METHOD"]
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or ""
    if raw.startswith("/"):
        path = raw.partition("?")[0]
    else:  # a server that keeps no raw target: the decoded path, encoded again
        path = environ.get("sandbox.original_path") or environ.get("PATH_INFO", "")
        path = quote((environ.get("SCRIPT_NAME", "") + path).encode("latin-1", "replace"),
                     safe=PATH_SAFE)
    query = environ.get("QUERY_STRING", "")
    uri = f"{req.scheme}://{req.host}{path}" + (f"?{query}" if query else "")
    headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
    content_type = environ.get("CONTENT_TYPE", "")
    body = ""
    if FORM in content_type.lower():
        headers["Content-Type"] = FORM  # oauthlib matches the type case-sensitively
        body = _body(req, _app_ctx().app.config["MAX_CONTENT_LENGTH"]).decode("utf-8", "replace")
    return method, uri, headers, body


def app_key() -> str | None:
    """The Server Chat API's app key: `Authorization: LivePerson appKey=...` or `?appKey=`."""
    header = _request().environ.get("HTTP_AUTHORIZATION", "")
    try:
        key = _APP_KEYS[header]  # every poll of a chat sends the same header
    except KeyError:
        key = _app_key_of(header)
        if len(_APP_KEYS) >= 1024:
            _APP_KEYS.clear()
        _APP_KEYS[header] = key
    if key is not None:
        return key
    return query_arg("appKey") or query_arg("appkey")


_APP_KEYS: dict[str, str | None] = {}  # Authorization header -> the app key in it (or None)


def _app_key_of(header: str) -> str | None:
    """The app key of an `Authorization: LivePerson appKey=...` header value, if any."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "liveperson":
        for part in rest.replace(",", " ").split():
            name, _, value = part.partition("=")
            if name.strip().lower() == "appkey" and value.strip():
                return value.strip().strip('"')
    return None


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
            _app_ctx().g.account = account
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
    args = _request().args
    if args.get("agent") and (args.get("skill") or args.get("maxWaitTime")):
        raise BadRequest("'agent' cannot be combined with 'skill' or 'maxWaitTime'", 1)
    max_wait = int_arg("maxWaitTime")
    if max_wait is not None and max_wait > 86400:
        raise BadRequest("maxWaitTime must be between 0 and 86400 seconds", 1)
    return args.get("skill"), max_wait, args.get("agent")


def slots_query(account_id: str) -> int:
    """availableSlots for this request's `skill`/`maxWaitTime` or `agent` (both APIs share it)."""
    sb = sandbox()
    return sb.query.available_slots(sb.account(account_id), *capacity_query())
