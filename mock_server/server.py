"""The CLI's server stack: gevent's pywsgi, answering even malformed requests in LivePerson's envelope.

pywsgi answers a request line over 8 KB, an oversized header or a broken request itself, with an
empty body (and a traceback on stderr for some); here each of those gets the error envelope every
other answer uses, and a single log line.

It also does pywsgi's per-request work more cheaply, with the same bytes on the wire:
* request headers: pywsgi hands every header block to `http.client.parse_headers`, i.e. the
  e-mail parser (a feed parser, a policy object, a regex per line): ~15 % of the server's CPU per
  request. A block of plain `Name: value` lines (every client's) is split here with one regex
  into the same (name, value) list; anything else (folded lines, a line without a colon, odd
  bytes in a name, a first line `From ...`) still goes to the e-mail parser;
* the answer's head and body leave in one `send()` (pywsgi sends them in two: two system calls,
  and on the wire two TCP segments the client has to reassemble) when the body is small;
* the `Date` header is formatted once per second, not per request.
"""
import email.parser
import json
import logging
import re
import socket
import time
from http import HTTPStatus
from http import client as http_client
from http.client import HTTPException

from gevent import pywsgi

from .wire.errors import envelope, name_of

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 16 * 1024  # all header names and values together; one line may be 8 KB


# A header block of plain lines: `Name: value` (a name of the characters the e-mail parser takes
# for one, no CR or LF inside a line), then the empty line (or the end of the input).
_PLAIN_BLOCK = re.compile(r"(?:[!-9;-~]+:[^\r\n]*\r?\n)*(?:\r?\n)?")
_PLAIN_LINE = re.compile(r"([!-9;-~]+):[ \t]*([^\r\n]*)\r?\n")
ONE_SEND_MAX = 64 * 1024  # a body up to this size goes out in the same send() as the headers


class HeadersTooLarge(ValueError):
    """The request's headers are over the limit."""


class PlainHeaders(pywsgi.OldMessage):
    """Headers parsed from a plain block: what the e-mail parser makes of it, read faster.

    `get` is `email.message.Message.get` (the first value of a name, any case) from an index
    built once; without the policy call, which for text decoded from ISO-8859-1 (no surrogates)
    returns every value unchanged. The index is rebuilt whenever the header list may have
    changed (pywsgi deletes Content-Length of a chunked request, for one)."""

    _index = None  # (the header list indexed, its length, {lower-case name: first value})

    def get(self, name, failobj=None):
        headers = self._headers
        index = self._index
        if index is None or index[0] is not headers or index[1] != len(headers):
            first = {}
            for key, value in headers:
                first.setdefault(key.lower(), value)
            index = self._index = (headers, len(headers), first)
        return index[2].get(name.lower(), failobj)

    def replace_header(self, _name, _value):  # changes a value in place: forget the index
        self._index = None
        super().replace_header(_name, _value)

    def getheader(self, name, default=None):
        return self.get(name, default)

    @property
    def typeheader(self):
        return self.get("content-type")


def read_headers(fp):
    """`http.client.parse_headers(fp, _class=pywsgi.OldMessage)` as pywsgi calls it (same limits,
    same errors, same result), with a fast path for a plain header block."""
    lines = []
    while True:
        line = fp.readline(http_client._MAXLINE + 1)
        if len(line) > http_client._MAXLINE:
            message = pywsgi.OldMessage()
            message.status = "Line too long"  # as pywsgi's headers_factory reports LineTooLong
            return message
        lines.append(line)
        if len(lines) > http_client._MAXHEADERS:
            raise HTTPException(f"got more than {http_client._MAXHEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            break
    text = b"".join(lines).decode("iso-8859-1")
    if _PLAIN_BLOCK.fullmatch(text):
        message = PlainHeaders()
        message._headers = _PLAIN_LINE.findall(text)
        message.set_payload("")
        return message
    return email.parser.Parser(_class=pywsgi.OldMessage).parsestr(text)


_ENV_KEYS: dict[str, str] = {}  # header name -> its environ key ("" for none), as pywsgi makes it


def _env_key(name: str) -> str:
    """The environ key of a request header as pywsgi's `_headers` names it; "" when pywsgi
    leaves it out (a name with an underscore, Content-Type and Content-Length)."""
    key = "" if "_" in name else name.replace("-", "_").upper()
    key = "" if key in ("", "CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key
    if len(_ENV_KEYS) < 1024:  # names repeat; a client inventing new ones is not cached
        _ENV_KEYS[name] = key
    return key


class SandboxHandler(pywsgi.WSGIHandler):
    """pywsgi's handler with envelope errors and no access log (pywsgi formats one per request),
    cheaper header parsing and one send() per small answer (see the module docstring)."""

    _date = (None, b"")  # (second, formatted Date value) of the last answer

    def log_request(self):
        pass

    def MessageClass(self, fp, *args):
        return read_headers(fp)

    def get_environ(self):
        environ = super().get_environ()
        # a "drop the connection" fault shuts this down, as it does werkzeug's "werkzeug.socket"
        environ["sandbox.socket"] = self.socket
        environ["RAW_URI"] = self.path  # the request target as sent, as werkzeug's server has it
        return environ

    def _check_http_version(self):
        if self.request_version in ("HTTP/1.1", "HTTP/1.0"):
            return True  # what pywsgi's check answers for these, without parsing them
        return super()._check_http_version()

    def _headers(self):
        if type(self.headers) is not PlainHeaders:
            yield from super()._headers()
            return
        # pywsgi formats each header as "Name: value\r\n" and splits it again; the same result.
        keys = _ENV_KEYS
        for name, value in self.headers._headers:
            key = keys.get(name)
            if key is None:
                key = _env_key(name)
            if key:
                yield key, value.strip()

    def finalize_headers(self):
        # pywsgi's own (gevent 26.9), except that the Date value is formatted once per second
        if self.provided_date is None:
            now = int(time.time())
            second, value = SandboxHandler._date
            if second != now:
                value = pywsgi.format_date_time(now)  # gmtime() of the second, as pywsgi does
                SandboxHandler._date = (now, value)
            self.response_headers.append((b"Date", value))
        self.connection_upgraded = self.code == 101
        if self.code not in (304, 204):
            # the reply will include message-body; make sure we have either Content-Length or chunked
            if self.provided_content_length is None:
                if hasattr(self.result, "__len__"):
                    total_len = sum(len(chunk) for chunk in self.result)
                    self.response_headers.append((b"Content-Length", str(total_len).encode("latin-1")))
                else:
                    self.response_use_chunked = (not self.connection_upgraded
                                                 and self.request_version != "HTTP/1.0")
                    if self.response_use_chunked:
                        self.response_headers.append((b"Transfer-Encoding", b"chunked"))

    def _write_with_headers(self, data):
        # pywsgi's own, except that a small body goes out in the same send() as the headers
        self.headers_sent = True
        self.finalize_headers()
        towrite = bytearray(b"HTTP/1.1 ")
        towrite += self.status
        towrite += b"\r\n"
        for header, value in self.response_headers:
            towrite += header
            towrite += b": "
            towrite += value
            towrite += b"\r\n"
        towrite += b"\r\n"
        if data and not self.response_use_chunked and len(data) <= ONE_SEND_MAX:
            towrite += data
            self._sendall(towrite)
        else:
            self._sendall(towrite)
            self._write(data)

    def read_request(self, raw_requestline):
        try:
            ok = super().read_request(raw_requestline)
        except HTTPException as exc:  # http.client: more than 100 headers
            raise HeadersTooLarge(str(exc)) from None
        headers = self.headers
        # items() runs each value through the e-mail policy; plain headers' values are final
        pairs = headers._headers if type(headers) is PlainHeaders else headers.items()
        size = sum(len(name) + len(value) for name, value in pairs)
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
