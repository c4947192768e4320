"""create_app: one Flask app (and Socket.IO) around one Sandbox."""
import logging

from flask import Flask, request
from flask_socketio import SocketIO
from werkzeug.exceptions import HTTPException

from .api import (account_config, app_engagement, chat_agent, domain, domain_jsonp, login, monitoring,
                  operational_realtime, sentinel, server_chat, visitor_auth)
from .api import engagement_history  # Engagement History API (engHistDomain, msgHist)
from .api.common import respond
from .control import init_control
from .live import init_live_view
from .model.clock import Clock
from .model.errors import SandboxError
from .model.sandbox import Sandbox
from .model.seed import ConfigError
from .openapi import bp as openapi_bp
from .pages import bp as pages_bp
from .realtime import harden, socketio_options
from .wire.errors import envelope, name_of, status_of
from .websocket import whole_websocket_frames
from .wire.negotiation import LivePersonRequestMiddleware
from .wire.plumbing import install as install_plumbing

log = logging.getLogger(__name__)


def create_app(config: dict | None = None, *, clock: Clock | None = None, seed: int | None = None,
               async_mode: str | None = None, allowed_origins: list[str] | None = None,
               data_dir: str | None = None) -> Flask:
    """Build the app: a fresh Sandbox from `config` (the demo config when None).

    `allowed_origins`: page origins, besides the sandbox's own and the config's
    `settings.allowed_origins`, that may open the Socket.IO live view (--allowed-origin).
    `data_dir` (or the config's `store.dir`): keep the state there, and restore it at start
    (store/persistence.py); without one the sandbox lives in memory."""
    app = Flask(__name__, static_folder=None)
    sb = Sandbox(config, clock=clock, seed=seed)
    store = open_store(sb, data_dir)
    app.extensions["sandbox"] = sb
    # Werkzeug refuses a larger body (Content-Length or streamed) with 413 when a view reads it.
    app.config["MAX_CONTENT_LENGTH"] = int(sb.settings["max_body_bytes"])
    app.wsgi_app = LivePersonRequestMiddleware(app.wsgi_app)
    install_plumbing(app)  # cached URL matches and ensure_sync (wire/plumbing.py)
    for blueprint in (domain.bp, login.bp, chat_agent.bp, server_chat.bp, account_config.bp,
                      domain_jsonp.bp, monitoring.bp, app_engagement.bp, sentinel.bp, visitor_auth.bp,
                      operational_realtime.bp,
                      engagement_history.bp,
                      pages_bp, openapi_bp):
        app.register_blueprint(blueprint)
    _register_errors(app)
    # Same origin plus the allowed ones (never cors_allowed_origins=[]: that turns the check off).
    socketio = SocketIO(app, async_mode=async_mode,
                        **socketio_options(sb.settings, allowed_origins or ()))
    app.extensions["sandbox.socketio"] = socketio
    init_control(app, socketio, sb)  # /_sandbox, the request journal and the fault rules
    whole_websocket_frames(socketio)
    harden(socketio)
    init_live_view(app, socketio, sb)
    if store is not None:
        app.wsgi_app = _WritesInFlight(app, app.wsgi_app)
    return app


def open_store(sb: Sandbox, data_dir: str | None):
    """The data dir's store, attached to `sb` (restoring what the dir holds), or None."""
    section = sb.config.get("store") or {}
    directory = data_dir or section.get("dir")
    if not directory:
        return None
    from .store import Persistence, StoreError
    try:
        store = Persistence(directory, str(section.get("durability", "normal")))
        store.attach(sb)
    except StoreError as exc:
        raise ConfigError(f"data dir {directory}: {exc}") from None
    return store


class _WritesInFlight:
    """Every request but a read is a write in flight while it runs: the unit of work it holds
    commits the sandbox's parts too (state no event names, such as a new app installation).
    A chat's `events` POST (a line, typing, an end) is not: each change it makes is an event
    that names its chat, which is what gets written (idle timestamps aside, see
    store/persistence.py)."""

    READS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        if (environ.get("REQUEST_METHOD") in self.READS
                or environ.get("PATH_INFO", "").rpartition("/")[2].partition(".")[0] == "events"):
            return self.wsgi_app(environ, start_response)
        with self.app.extensions["sandbox"].lock.writing():
            return self.wsgi_app(environ, start_response)


def start_ticker(app: Flask, interval: float = 1.0) -> None:
    """Apply timeouts (ring, login TTL, ...) every `interval` seconds in the background."""
    socketio: SocketIO = app.extensions["sandbox.socketio"]

    def loop():
        while True:
            socketio.sleep(interval)
            try:
                app.extensions["sandbox"].tick()  # looked up each time: a reset replaces it
            except Exception:  # a bad tick must not stop the next one
                log.exception("sandbox tick failed")

    socketio.start_background_task(loop)


def _register_errors(app: Flask) -> None:
    """Every error leaves as LivePerson's envelope: never a traceback, never an HTML page."""

    def now() -> float:
        return app.extensions["sandbox"].clock.now()

    @app.errorhandler(SandboxError)
    def sandbox_error(exc: SandboxError):
        status = status_of(exc.response_status)
        return respond(envelope(exc.message, exc.internal_code, exc.response_status,
                                now()), status)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = exc.code or 400
        message = {404: f"No resource at {request.path}",
                   405: f"Method {request.method} is not allowed on {request.path}",
                   413: f"The request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes"
                   }.get(code, exc.description or exc.name)
        response = respond(envelope(message, code, name_of(code), now()), code)
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return respond(envelope("Internal server error", 500, "INTERNAL_SERVER_ERROR",
                                now()), 500)
