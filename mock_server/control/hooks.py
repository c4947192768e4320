"""The control plane on the request path: every LivePerson API call is journaled, and a fault
rule that matches it is taken before the view runs (docs/control-plane.md)."""
import re
import socket
import time
from functools import lru_cache

from flask import Flask, request

from ..api.common import bearer_token, current_request, respond
from ..wire.errors import envelope, name_of
from .faults import Call, Rule
from .journal import BODY_CHARS, RawBody

# Blueprints that are not LivePerson's APIs: nothing of theirs is journaled or faulted.
OWN_BLUEPRINTS = frozenset({"control", "live", "pages", "openapi"})
OWN_PREFIXES = ("/_sandbox", "/socket.io", "/static", "/vendor", "/favicon.ico")
COOKIE = "Session_id"  # the Login Service's session cookie (api/login.py)
DOMAIN_HOST = "sandbox.domain_host"  # environ key: the host a domain_host fault names


def install(app: Flask) -> None:
    """Run the journal and the faults around every LivePerson API request of `app`."""
    control = app.extensions["sandbox.control"]

    @app.before_request
    def before():
        req = current_request()  # this runs on every call: the context variable, not the proxy
        rule_ = req.url_rule
        endpoint = rule_.endpoint if rule_ is not None else None
        blueprint = endpoint.rpartition(".")[0] or None if endpoint else None
        path = req.path
        if blueprint in OWN_BLUEPRINTS or (blueprint is None and path.startswith(OWN_PREFIXES)):
            return None
        environ = req.environ
        view_args = req.view_args or {}
        method = environ["REQUEST_METHOD"]
        operation = operation_of(rule_.rule if rule_ is not None else None, method)
        account = view_args.get("account_id")
        sb = app.extensions["sandbox"]
        entry = None
        if control.journal.enabled:
            entry = control.journal.open(
                int(sb.clock.now() * 1000), method, path, environ.get("QUERY_STRING", ""),
                blueprint, operation, account, view_args.get("chat_id"),
                _body(req) if req.content_length else None)
            environ["sandbox.journal"] = (entry, time.perf_counter())
        faults = control.faults
        if not faults.any():
            return None
        rule = faults.take(Call(blueprint, operation, method, path, account))
        if rule is None:
            return None
        if entry is not None:
            entry.fault = {"id": rule.id, "kind": rule.kind}
        return _apply(control, sb, rule, view_args)

    @app.after_request
    def after(response):
        environ = current_request().environ
        started = environ.get("sandbox.journal")
        if started is not None:
            dropped = environ.get("sandbox.dropped")  # the client got no status at all
            control.journal.close(started[0], None if dropped else response.status_code,
                                  (time.perf_counter() - started[1]) * 1000)
        return response


def known_names(app: Flask) -> dict[str, frozenset]:
    """The API and operation names a fault rule may match on (others are typos: a 400)."""
    apis = {bp for bp in app.blueprints if bp not in OWN_BLUEPRINTS}
    return {"api": frozenset(apis), "operation": frozenset(_operations().values())}


@lru_cache(maxsize=None)
def _operations() -> dict[tuple[str, str], str]:
    """(path template with `{}` for each parameter, METHOD) -> operationId, from the OpenAPI
    description, so the journal and the faults name operations as /openapi.json does."""
    from ..openapi.paths import build_paths
    out = {}
    for path, item in build_paths().items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "operationId" in operation:
                out[(re.sub(r"\{[^}]*\}", "{}", path), method.upper())] = operation["operationId"]
    return out


@lru_cache(maxsize=4096)
def operation_of(rule: str | None, method: str) -> str | None:
    """The operationId of a Flask URL rule and method (None when the description has none)."""
    if rule is None:
        return None
    template = re.sub(r"<[^>]*>", "{}", rule)
    return _operations().get((template, method))


def _body(req) -> object:
    """The request body for the journal, as sent (the first 16 KB; parsed only when the journal
    is read, see Entry.to_json). A body over the size limit is not read here: the view's own
    413 stays the answer."""
    length = req.content_length
    if not length or length > (req.max_content_length or length):
        return None
    try:
        data = req.get_data(cache=True)  # cached: the view reads the same bytes again
    except Exception:  # a client that went away mid-body: the view reports it
        return None
    return RawBody(data[:BODY_CHARS * 4], req.is_json and len(data) <= BODY_CHARS * 4)


def _apply(control, sb, rule: Rule, view_args: dict):
    """Do what the rule says: answer in the view's place, or change the model and let the view
    answer, or hold the call a while first."""
    kind, params = rule.kind, rule.params
    now = sb.clock.now()
    if kind == "latency":
        control.sleep(control.faults.delay_of(rule))
        return None
    if kind == "error":
        status = params["status"]
        message = params.get("message") or "The service is temporarily unavailable"
        return respond(envelope(message, status, name_of(status), now), status)
    if kind == "rate_limit":
        message = params.get("message") or "Too many requests: slow down and retry later"
        return respond(envelope(message, 429, "TOO_MANY_REQUESTS", now), 429,
                       {"Retry-After": str(params["retry_after"])})
    if kind == "bearer_expired":
        with sb.lock:
            sb.expire_login(bearer=bearer_token(), cookie=request.cookies.get(COOKIE))
        return None  # the view now refuses the bearer as LivePerson does
    if kind == "session_kicked":
        session_id, account = view_args.get("session_id"), view_args.get("account_id")
        if session_id and account:
            with sb.lock:
                sb.kick_agent_session(account, session_id)
        return None
    if kind == "domain_host":
        request.environ[DOMAIN_HOST] = params["host"]
        return None
    if kind == "drop":
        request.environ["sandbox.dropped"] = True
        _drop(request.environ)
        return respond(None, 500)  # never reaches the client: the socket is shut
    if kind == "empty":
        response = respond(None, params["status"])
        response.headers["Content-Type"] = "application/json"
        return response
    return None


def _drop(environ) -> None:
    """Shut the connection's socket so the client sees it close without an answer."""
    sock = environ.get("werkzeug.socket") or environ.get("sandbox.socket")
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # the client went already
