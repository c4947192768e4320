"""Per-request plumbing of the Flask app kept cheap; nothing here changes a byte of any answer.

The sandbox answers a few routes (the events polls, above all) thousands of times a second in
one process, so Flask's and Werkzeug's fixed cost per request is most of its CPU. Three pieces
of it are redone on every request although their result never changes (bench/README.md, "Where
the time goes"):

* URL matching: Werkzeug's state machine walks ~150 rules (most under
  `/api/account/<account_id>/...`) with a regex per dynamic segment. `CachingMatcher` remembers
  each successful match by (host part, path, method, websocket), the only inputs of a match
  once the rules are set; misses, 404s, 405s and redirects always take Werkzeug's own path.
* Binding the URL map to each request (`FastMap`): Werkzeug IDNA-encodes the Host through
  Python's `idna` codec every time, and re-decodes every ASCII path; the same strings here.
* `get_host` (twice per request: Flask's `create_url_adapter` and `bind_to_environ`): a pure
  function of the scheme, the Host header and the server address, remembered here (without
  trusted hosts, the sandbox's configuration, it never raises).
* `Flask.ensure_sync` (twice per request: the view and each after_request hook) asks
  `inspect.iscoroutinefunction` every time: answered once per function here.
* `WireResponse`: the response `api/common.respond` builds. Same headers in the same order,
  same status line, same body as `flask.Response(body, status=..., headers=...,
  content_type=...)`; built without re-validating the two headers it sets itself, and written
  to the WSGI server without the copy-and-rescan of `get_wsgi_headers` when there is nothing
  for that to change (no Location/Content-Location to IRI-encode, no status without a body,
  not a HEAD request): then it falls back to Werkzeug's own code.
"""
import re
from inspect import iscoroutinefunction

from flask import Flask, Response
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadHost
from werkzeug.routing import Map
from werkzeug.routing.map import MapAdapter
from werkzeug.wsgi import get_host

MAX_CACHED_MATCHES = 16384  # ~2 paths (GET and POST) per chat side; cleared when full


class CachingMatcher:
    """Wraps a Werkzeug `StateMachineMatcher`: successful matches are remembered.

    `match(domain, path, method, websocket)` returns `(rule, values)`; the values dict is a
    fresh copy each time (Flask hands it to the view as keyword arguments and as
    `request.view_args`). Adding a rule (or `update()`) forgets every remembered match.
    """

    def __init__(self, matcher, limit: int = MAX_CACHED_MATCHES):
        self._matcher = matcher
        self._limit = limit
        self._cache: dict = {}

    def match(self, domain: str, path: str, method: str, websocket: bool):
        key = (domain, path, method, websocket)
        hit = self._cache.get(key)
        if hit is not None:
            return hit[0], dict(hit[1])
        rule, values = self._matcher.match(domain, path, method, websocket)  # raises on misses
        if len(self._cache) >= self._limit:
            self._cache.clear()
        self._cache[key] = (rule, dict(values))
        return rule, values

    def add(self, rule) -> None:
        self._cache.clear()
        self._matcher.add(rule)

    def update(self) -> None:
        self._cache.clear()
        self._matcher.update()

    def __getattr__(self, name):  # merge_slashes and anything else Werkzeug reads
        return getattr(self._matcher, name)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._matcher, name, value)


_IDNA: dict = {}  # host (lower case, no port) -> its IDNA (ASCII) form
_HOSTS: dict = {}  # (scheme, Host header, SERVER_NAME, SERVER_PORT) -> get_host(environ)


def host_of(environ) -> str:
    """`werkzeug.wsgi.get_host(environ)` (no trusted hosts), remembered per distinct input."""
    key = (environ["wsgi.url_scheme"], environ.get("HTTP_HOST"), environ.get("SERVER_NAME"),
           environ.get("SERVER_PORT"))
    host = _HOSTS.get(key)
    if host is None:
        host = get_host(environ)
        if len(_HOSTS) >= 256:
            _HOSTS.clear()
        _HOSTS[key] = host
    return host


def _wsgi_str(value: str | None) -> str | None:
    """Werkzeug's `_wsgi_decoding_dance` (latin-1 bytes read as UTF-8); ASCII is unchanged."""
    if value is None or value.isascii():
        return value
    return value.encode("latin1").decode(errors="replace")


class FastMap(Map):
    """Werkzeug's `Map` (3.1), binding to a request with the same result for less work."""

    def bind(self, server_name, script_name=None, subdomain=None, url_scheme="http",
             default_method="GET", path_info=None, query_args=None):
        # Map.bind, except that the IDNA form of each host is computed once
        server_name = server_name.lower()
        if self.host_matching:
            if subdomain is not None:
                raise RuntimeError("host matching enabled and a subdomain was provided")
        elif subdomain is None:
            subdomain = self.default_subdomain
        if script_name is None:
            script_name = "/"
        if path_info is None:
            path_info = "/"
        # Port isn't part of IDNA, and might push a name over the 63 octet limit.
        server_name, port_sep, port = server_name.partition(":")
        encoded = _IDNA.get(server_name)
        if encoded is None:
            try:
                encoded = server_name.encode("idna").decode("ascii")
            except UnicodeError as e:
                raise BadHost() from e
            if len(_IDNA) >= 256:
                _IDNA.clear()
            _IDNA[server_name] = encoded
        return MapAdapter(self, f"{encoded}{port_sep}{port}", script_name, subdomain, url_scheme,
                          path_info, default_method, query_args)

    def bind_to_environ(self, environ, server_name=None, subdomain=None):
        if server_name is not None or subdomain is None or not isinstance(environ, dict):
            return super().bind_to_environ(environ, server_name, subdomain)
        # Map.bind_to_environ as Flask calls it (no SERVER_NAME, the subdomain given), with the
        # ASCII strings of the environ taken as they are
        env = environ
        wsgi_server_name = host_of(env).lower()
        scheme = env["wsgi.url_scheme"]
        connection = env.get("HTTP_CONNECTION")
        if (connection and any(v.strip(" \t") == "upgrade" for v in connection.lower().split(","))
                and env.get("HTTP_UPGRADE", "").lower() == "websocket"):
            scheme = "wss" if scheme == "https" else "ws"
        return self.bind(wsgi_server_name, _wsgi_str(env.get("SCRIPT_NAME")), subdomain, scheme,
                         env["REQUEST_METHOD"], _wsgi_str(env.get("PATH_INFO")),
                         query_args=_wsgi_str(env.get("QUERY_STRING")))


# A URL that Werkzeug's iri_to_uri returns unchanged: http(s), a lower-case ASCII host whose
# labels the idna codec passes as they are (1-63 characters, no empty one), a port without a
# leading zero, then only characters `quote` keeps (unreserved, `%` and the part's safe set)
# in the path and a non-empty query, no fragment, no user info.
_PLAIN_URL = re.compile(r"(?:http|https)://([a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*)"
                        r"(?::([1-9][0-9]{0,4}))?"
                        r"(?:/[A-Za-z0-9_.~%!$&'()*+,/:;=@-]*)?"
                        r"(?:\?[A-Za-z0-9_.~%!$&'()*+,/:;=?@-]+)?")


def iri_unchanged(url: str) -> bool:
    """True when `werkzeug.urls.iri_to_uri(url) == url` (checked without computing it)."""
    match = _PLAIN_URL.fullmatch(url)
    return match is not None and (match.group(2) is None or int(match.group(2)) <= 65535)


def _plain_headers(headers) -> list | None:
    """The (name, value) list `Headers(headers)` would hold, for a dict of string values that
    Werkzeug would take as they are (no CR/LF) and that names neither Content-Type nor
    Content-Length; None for anything else."""
    if type(headers) is not dict:
        return None
    items = []
    for name, value in headers.items():
        if (type(name) is not str or type(value) is not str or "\n" in value or "\r" in value
                or name.lower() in ("content-type", "content-length")):
            return None
        items.append((name, value))
    return items


class WireResponse(Response):
    """A `flask.Response` of an API answer: bytes, status code, Content-Type, extra headers.

    `WireResponse(body, status, content_type, headers)` is in every respect the object that
    `flask.Response(body, status=status, headers=headers, content_type=content_type)` is: the
    extra headers first (in their order), then Content-Type, then Content-Length.
    """

    _STATUS: dict = {}  # status code -> (status line, code), as Werkzeug cleans it

    def __init__(self, body: bytes, status: int, content_type: str, headers=None):
        length = str(len(body))
        self.headers = Headers()
        if headers:
            items = _plain_headers(headers)
            if items is None:  # anything unusual: exactly Werkzeug's way
                self.headers = Headers(headers)
                self.headers["Content-Type"] = content_type
                self.headers["Content-Length"] = length
            else:
                self.headers._list = [*items, ("Content-Type", content_type),
                                      ("Content-Length", length)]
        else:
            self.headers._list += (("Content-Type", content_type), ("Content-Length", length))
        cleaned = self._STATUS.get(status)
        if cleaned is None:
            cleaned = self._STATUS[status] = self._clean_status(status)
        self._status, self._status_code = cleaned
        self.direct_passthrough = False
        self._on_close = []
        self.response = [body]

    def __call__(self, environ, start_response):
        status = self._status_code
        body = self.response
        if (type(body) is not list or self._on_close or self.direct_passthrough
                or not 200 <= status < 300 or status == 204
                or environ["REQUEST_METHOD"] == "HEAD"):
            return super().__call__(environ, start_response)
        items = self.headers._list
        content_length = False
        for key, value in items:
            ikey = key.lower()
            if ikey == "content-length":
                content_length = True
            elif ikey == "location":
                if not iri_unchanged(value):  # Werkzeug IRI-encodes it (and may change it)
                    return super().__call__(environ, start_response)
            elif ikey == "content-location":
                return super().__call__(environ, start_response)
        if not content_length:
            return super().__call__(environ, start_response)
        start_response(self._status, list(items))
        return body  # a list of bytes, as ClosingIterator(iter_encoded()) would yield it


def install(app: Flask) -> None:
    """Put the cheap plumbing into `app` (call once all blueprints are registered)."""
    url_map = app.url_map
    if type(url_map) is Map:
        url_map.__class__ = FastMap  # same state, two methods replaced
    if not isinstance(url_map._matcher, CachingMatcher):
        url_map._matcher = CachingMatcher(url_map._matcher)

    sync: dict = {}
    ensure_sync = app.ensure_sync

    def cached_ensure_sync(func):
        try:
            return sync[func]
        except KeyError:
            pass
        except TypeError:  # not hashable
            return ensure_sync(func)
        result = ensure_sync(func)
        if not iscoroutinefunction(func):  # async ones are wrapped anew each time, as before
            sync[func] = result
        return result

    app.ensure_sync = cached_ensure_sync

    create_url_adapter = app.create_url_adapter

    def fast_create_url_adapter(request):
        # Flask 3.1's create_url_adapter for a request when nothing configures hosts (no
        # TRUSTED_HOSTS, SERVER_NAME, host or subdomain matching), with get_host remembered
        config = app.config
        if (request is None or config["TRUSTED_HOSTS"] is not None or config["SERVER_NAME"] is not None
                or request.trusted_hosts is not None or app.url_map.host_matching
                or app.subdomain_matching):
            return create_url_adapter(request)
        request.host = host_of(request.environ)
        return app.url_map.bind_to_environ(request.environ, server_name=None,
                                           subdomain=app.url_map.default_subdomain or "")

    app.create_url_adapter = fast_create_url_adapter
