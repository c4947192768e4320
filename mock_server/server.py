"""The CLI's server stack: gevent's pywsgi, answering even malformed requests in LivePerson's envelope.

pywsgi answers a request line over 8 KB, an oversized header or a broken request itself, with an
empty body (and a traceback on stderr for some); here each of those gets the error envelope every
other answer uses, and a single log line.
"""
import json
import logging
import socket
import time
from http import HTTPStatus
from http.client import HTTPException

from gevent import pywsgi

from .wire.errors import envelope, name_of

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 16 * 1024  # all header names and values together; one line may be 8 KB


class HeadersTooLarge(ValueError):
    """The request's headers are over the limit."""


class SandboxHandler(pywsgi.WSGIHandler):
    """pywsgi's handler with envelope errors and no access log (pywsgi formats one per request)."""

    def log_request(self):
        pass

    def read_request(self, raw_requestline):
        try:
            ok = super().read_request(raw_requestline)
        except HTTPException as exc:  # http.client: more than 100 headers
            raise HeadersTooLarge(str(exc)) from None
        size = sum(len(name) + len(value) for name, value in self.headers.items())
        if size > MAX_HEADER_BYTES:
            raise HeadersTooLarge(f"headers of {size} bytes")
        return ok

    def handle_one_request(self):
        result = super().handle_one_request()
        if isinstance(result, tuple) and result[0] == "414":
            return self._raw_error(414, f"The request line is longer than {pywsgi.MAX_REQUEST_LINE} bytes")
        return result

    def _handle_client_error(self, ex):
        if isinstance(ex, HeadersTooLarge) or "Line too long" in str(ex):
            log.info("refused request from %s: headers too large", self.client_address)
            return self._raw_error(431, f"The request headers are larger than {MAX_HEADER_BYTES} bytes "
                                        "or a header line is too long")
        log.info("refused malformed request from %s: %s", self.client_address, str(ex)[:200])
        return self._raw_error(400, "The request is not valid HTTP")

    def _send_error_response_if_possible(self, error_code):
        if self.response_length:
            self.close_connection = True
            return
        body = self._error_body(error_code, "The request is not valid HTTP" if error_code < 500
                                else "Internal server error")
        try:
            self.start_response(f"{error_code} {HTTPStatus(error_code).phrase}",
                                [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                                 ("Connection", "close")])
            self.write(body)
        except socket.error:
            self.close_connection = True

    def _error_body(self, code: int, message: str) -> bytes:
        sandbox = getattr(self.server.application, "extensions", {}).get("sandbox")
        now = sandbox.clock.now() if sandbox is not None else time.time()
        return json.dumps(envelope(message, code, name_of(code), now), separators=(",", ":")).encode("utf-8")

    def _raw_error(self, code: int, message: str) -> tuple[str, bytes]:
        """A whole HTTP response, for errors found before there is a WSGI request to answer."""
        body = self._error_body(code, message)
        head = (f"HTTP/1.1 {code} {HTTPStatus(code).phrase}\r\nConnection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n")
        return str(code), head.encode("latin-1") + body


def make_server(app, host: str, port: int, ssl: dict | None = None) -> pywsgi.WSGIServer:
    """A bound (not yet serving) gevent server for the app."""
    server = pywsgi.WSGIServer((host, port), app, log=None, handler_class=SandboxHandler,
                               error_log=logging.getLogger("gevent"), **(ssl or {}))
    server.init_socket()
    # pywsgi writes headers and body in two sends; without TCP_NODELAY Nagle holds the body
    # until the client's delayed ACK (~40 ms per request). Accepted sockets inherit the option.
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return server
