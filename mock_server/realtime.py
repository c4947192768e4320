"""Socket.IO as a transport: its options, the Origin policy, and the guards against hostile
clients. What travels over it (the live view) is mock_server/live/.

Hostile clients: every handler checks its arguments and answers a bad call with the error
acknowledgement {"ok": false, "error": "..."}; nothing a client sends (a malformed or binary
packet, an unknown event, a handler that fails) leaves a traceback in the log, only one line.
The Engine.IO handshake (every request, in fact) checks `Origin`: the sandbox's own origin
(the scheme and `Host` the request came in on), plus the configured `allowed_origins`. A client
that sends no `Origin` (not a browser) is not asked for one: the bearer is what guards `watch`.
"""
import functools
import logging
import re
import threading
import urllib.parse

from flask_socketio import SocketIO
from socketio import packet as sio_packet

from .model.errors import SandboxError
from .model.seed import ConfigError, normalize_origin

log = logging.getLogger(__name__)

# Limits of `watch` arguments: account ids are short digit strings, bearers 64 hex characters.
MAX_ACCOUNT_ID = 64
MAX_BEARER = 1024
MAX_EVENT_NAME = 64
# python-engineio's client refuses a polling payload of more than 16 packets
# (Payload.max_decode_packets) and drops the connection; its server sends every queued packet
# in one. A burst of events between two polls would cut off every Python client of the live
# view (simulator check, tests), so one poll answers at most this many; the rest wait in order.
PACKETS_PER_POLL = 16
# Text no id or token holds: control characters, and lone surrogates (no encoder can write them).
_BAD_TEXT = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


class BadArguments(ValueError):
    """A Socket.IO call with arguments the handler cannot use; the message says why."""


def refusal(message: str) -> dict:
    """The error acknowledgement every handler answers a bad call with."""
    return {"ok": False, "error": message}


def _brief(exc: BaseException) -> str:
    """An exception in one short line (its text may hold anything a client sent)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]!r}" if text else type(exc).__name__


def _text_arg(message: dict, key: str, limit: int) -> str:
    value = message.get(key)
    if value is None or value == "":
        raise BadArguments(f"'{key}' is required")
    if not isinstance(value, str):
        raise BadArguments(f"'{key}' must be a string")
    if len(value) > limit:
        raise BadArguments(f"'{key}' is longer than {limit} characters")
    if _BAD_TEXT.search(value):
        raise BadArguments(f"'{key}' holds characters that are not valid text")
    return value


def watch_arguments(args: tuple) -> tuple[str, str]:
    """(account id, bearer) of a `watch` call, or BadArguments."""
    if len(args) != 1 or not isinstance(args[0], dict):
        raise BadArguments("watch takes one object: {\"accountId\": ..., \"bearer\": ...}")
    account_id = _text_arg(args[0], "accountId", MAX_ACCOUNT_ID).strip()
    bearer = _text_arg(args[0], "bearer", MAX_BEARER)
    return account_id, bearer


def guarded(name: str):
    """Wrap a handler: a bad call or any failure becomes an error acknowledgement and at most
    one log line; no exception ever leaves the handler."""
    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            try:
                return handler(*args)
            except BadArguments as exc:
                return refusal(str(exc))
            except SandboxError as exc:
                return refusal(exc.message)
            except Exception as exc:  # a bug: say so in one line, answer the client anyway
                log.error("socket.io %s failed: %s", name, _brief(exc))
                return refusal(f"{name} failed on the server")
        return wrapper
    return decorate


# --- Origin -------------------------------------------------------------------------------

def origin_policy(allowed=()):
    """The `cors_allowed_origins` callable for python-engineio: an `Origin` is accepted when
    it is the request's own origin (scheme and `Host`) or one of `allowed` (`*`: any).

    Never pass `[]`: python-engineio reads an empty list as "no Origin check at all"."""
    extra = {normalize_origin(o) for o in allowed}
    any_origin = "*" in extra

    def allowed_origin(origin, environ=None) -> bool:
        if any_origin:
            return True
        try:
            origin = normalize_origin(origin)
        except ConfigError:
            return False  # "null", garbage, another scheme
        return origin in extra or origin == own_origin(environ or {})
    return allowed_origin


def own_origin(environ: dict) -> str | None:
    """The origin a page served by this request's host would have (None if unknown)."""
    host = environ.get("HTTP_HOST")
    if not host:
        return None
    try:
        return normalize_origin(f"{environ.get('wsgi.url_scheme', 'http')}://{host}")
    except ConfigError:
        return None


def socketio_options(settings: dict, allowed_origins=()) -> dict:
    """Keyword arguments of SocketIO(...): the Origin policy (settings' `allowed_origins`
    plus `allowed_origins`, e.g. from --allowed-origin) and quiet one-line loggers."""
    return {"cors_allowed_origins": origin_policy([*settings.get("allowed_origins", ()),
                                                   *allowed_origins]),
            "logger": ENGINE_LOG, "engineio_logger": ENGINE_LOG}


class OneLine(logging.Filter):
    """Python-socketio and python-engineio log a traceback for a packet they cannot read, and
    put client text (a session id from the query string, ...) into messages: make every record
    of theirs one line (the exception's type and text stay; control characters are escaped)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {_brief(record.exc_info[1])}"
        record.msg = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", message)
        record.args = None
        record.exc_info = record.exc_text = record.stack_info = None
        return True


_CONTROL = re.compile("[\x00-\x1f\x7f]")


# Both libraries log through this (WARNING and up: a refused Origin, a malformed packet).
ENGINE_LOG = logging.getLogger("mock_server.socketio")
if ENGINE_LOG.level == logging.NOTSET:
    ENGINE_LOG.setLevel(logging.WARNING)
ENGINE_LOG.addFilter(OneLine())


def harden(socketio: SocketIO) -> None:
    """The transport's guards on a SocketIO server: packets checked before dispatch, polls
    bounded, every answer `nosniff`, oversized POSTs refused."""
    _guard_packets(socketio)
    _bound_polls(socketio)
    _wrap_requests(socketio)


def _packet_problem(pkt) -> str | None:
    """Why a decoded Socket.IO packet cannot reach a handler (None when it can)."""
    if pkt.packet_type in (sio_packet.BINARY_EVENT, sio_packet.BINARY_ACK):
        return "binary packets are not accepted"
    if pkt.packet_type == sio_packet.EVENT:
        data = pkt.data
        if not isinstance(data, list) or not data:
            return "an event packet needs [name, ...arguments]"
        if not isinstance(data[0], str) or not data[0] or len(data[0]) > MAX_EVENT_NAME:
            return "an event name must be a short string"
    return None


def _guard_packets(socketio: SocketIO) -> None:
    """Check each Socket.IO packet before python-socketio dispatches it: a malformed one is
    dropped with one log line (answered with an error acknowledgement when it asked for one)
    instead of raising inside the library (a traceback, and no answer)."""
    server = socketio.server
    dispatch = server._handle_eio_message

    def on_message(eio_sid, data):
        try:
            if not isinstance(data, str):  # a binary attachment: only after a binary packet
                raise ValueError("binary data is not accepted")
            pkt = server.packet_class(encoded_packet=data)
            problem = _packet_problem(pkt)
            if problem:
                log.warning("socket.io: packet from %s refused: %s", eio_sid, problem)
                if pkt.packet_type in (sio_packet.EVENT, sio_packet.BINARY_EVENT) \
                        and pkt.id is not None:
                    server._send_packet(eio_sid, server.packet_class(
                        sio_packet.ACK, namespace=pkt.namespace or "/", id=pkt.id,
                        data=[refusal(problem)]))
                return
            dispatch(eio_sid, data)
        except Exception as exc:
            log.warning("socket.io: malformed packet from %s dropped: %s", eio_sid, _brief(exc))

    server.eio.on("message", on_message)


def _bound_polls(socketio: SocketIO) -> None:
    """Every Engine.IO socket, as it connects, answers a poll with at most PACKETS_PER_POLL
    packets, oldest first; the others go out with the next poll (or WebSocket write)."""
    eio = socketio.server.eio
    on_connect = eio.handlers["connect"]

    def connect(eio_sid, environ, *args):
        sock = eio.sockets.get(eio_sid)
        if sock is not None:
            _bound_poll(sock)
        return on_connect(eio_sid, environ, *args)

    eio.on("connect", connect)


def _bound_poll(sock) -> None:
    poll = sock.poll
    pending: list = []  # taken from the socket's queue, not sent yet (oldest first)
    lock = threading.Lock()

    def take() -> list:
        batch = pending[:PACKETS_PER_POLL]
        del pending[:PACKETS_PER_POLL]
        return batch

    def bounded_poll():
        with lock:
            if pending:
                return take()
        packets = poll()  # blocks until there is something (never under the lock)
        with lock:
            pending.extend(packets)
            return take()

    sock.poll = bounded_poll


def _wrap_requests(socketio: SocketIO) -> None:
    """Every Engine.IO answer gets `X-Content-Type-Options: nosniff` (as every response of the
    sandbox does), and a POST larger than the handshake's `maxPayload` is refused here with 413:
    python-engineio itself would close the session waiting for the client to poll the close
    packet, which it never does while it waits for the POST's answer (the request hangs)."""
    eio = socketio.server.eio
    handle = eio.handle_request

    def handle_request(environ, start_response):
        def start(status, headers, exc_info=None):
            if not any(name.lower() == "x-content-type-options" for name, _ in headers):
                headers = [*headers, ("X-Content-Type-Options", "nosniff")]
            return start_response(status, headers, exc_info)

        length = _content_length(environ)
        if environ.get("REQUEST_METHOD") == "POST" and length > eio.max_http_buffer_size:
            sid = urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).get("sid", [""])[0]
            sock = eio.sockets.pop(sid, None)
            if sock is not None:
                sock.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
            log.warning("socket.io: a POST of %s bytes refused (maxPayload %s)", length,
                        eio.max_http_buffer_size)
            body = b'"Payload too large"'
            start("413 Payload Too Large", [("Content-Type", "text/plain"),
                                            ("Content-Length", str(len(body)))])
            return [body]
        return handle(environ, start)

    eio.handle_request = handle_request


def _content_length(environ: dict) -> int:
    try:
        return int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
