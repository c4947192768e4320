"""The HTTP client plumbing every API client shares: one session with TLS settings, JSON calls,
retries, LivePerson's error envelope (the errors the clients raise) and URL helpers.

What goes over the wire is parsed in simulator/responses.py; this module only moves it.
"""
import re
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
import urllib3

from .report import Report, silent

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})  # HTTP: repeating changes nothing


class LivePersonError(Exception):
    """Base of every error the simulator's clients raise."""


class ConnectionFailed(LivePersonError):
    """The server could not be reached (DNS, refused connection, TLS, timeout)."""


class ApiError(LivePersonError):
    """A non-2xx answer, with LivePerson's error envelope when the server sent one."""

    def __init__(self, method: str, url: str, status: int, message: str,
                 internal_code: int | None = None, response_status: str | None = None):
        self.method, self.url, self.status = method, url, status
        self.message, self.internal_code, self.response_status = message, internal_code, response_status
        code = f" (internalCode {internal_code})" if internal_code is not None else ""
        super().__init__(f"{method} {url} -> {status}: {message}{code}")


class Unauthorized(ApiError):
    """401: the bearer, csrf, cookie or credentials were refused (or the session expired)."""


class RateLimited(ApiError):
    """429: throttled; `retry_after` is the pause the server asked for (seconds, None if none)."""

    def __init__(self, *args, retry_after: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class EmptyAnswer(LivePersonError):
    """A 2xx answer with no body where the API always sends one (JSON was expected)."""

    def __init__(self, method: str, url: str, status: int, repeated: bool):
        self.method, self.url, self.status = method, url, status
        note = "" if repeated else "; not repeated: the call may have taken effect"
        super().__init__(f"{method} {url} -> {status} with an empty body where JSON was expected{note}")


def raise_for_error(response: requests.Response) -> None:
    """Turn a non-2xx response into ApiError/Unauthorized, reading `{"error": {...}}` if present."""
    if 200 <= response.status_code < 300:
        return
    message, internal, status_name = response.text.strip() or response.reason, None, None
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        message = error.get("message", message)
        internal, status_name = error.get("internalCode"), error.get("responseStatus")
    args = (response.request.method, response.url, response.status_code, message, internal,
            status_name)
    if response.status_code == 429:
        raise RateLimited(*args, retry_after=retry_after(response))
    raise (Unauthorized if response.status_code == 401 else ApiError)(*args)


def retry_after(response: requests.Response) -> float | None:
    """The Retry-After header in seconds (RFC 9110: seconds or an HTTP date); None if absent or bad."""
    value = (response.headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a call again.

    LivePerson's "Retry and KeepAlive best practices": never retry a 4xx; retry a 5xx three times
    with 5, 10 and 15 second pauses; a 429 after at least 1 second, a login after at least 5.
    A 429's Retry-After is honoured when it asks for more, up to `retry_after_cap` (the bot
    serves every chat from one loop: a longer wait inside one call would stall them all, so
    the call fails instead and the bot's longer recovery pause takes over). A connection that
    could not be opened is retried like a 5xx (nothing reached the server). A request that may
    have reached the server but got no answer (read timeout, dropped connection, empty body) is
    retried only when repeating it changes nothing (GET, PUT): sending a line twice is worse
    than reporting the failure.
    """

    delays: tuple[float, ...] = (5.0, 10.0, 15.0)
    rate_limit_floor: float = 1.0  # "retry after at least 1 second"
    login_rate_limit_floor: float = 5.0  # "login requests should be retried only after 5 seconds"
    rate_limit_retries: int = 3  # as many as for a 5xx (the guide gives no number for 429)
    retry_after_cap: float = 60.0  # the longest Retry-After waited out inside one call

    @classmethod
    def none(cls) -> "RetryPolicy":
        """Try once (used while shutting down, when waiting makes no sense)."""
        return cls(delays=(), rate_limit_retries=0)

    def delay(self, attempt: int) -> float | None:
        """Seconds to wait before retry number `attempt` (1-based); None when out of retries."""
        return self.delays[attempt - 1] if attempt <= len(self.delays) else None

    def throttled_delay(self, attempt: int, asked: float | None, login: bool = False) -> float | None:
        """Seconds to wait after a 429 (Retry-After, at least the floor); None past the retries or the cap."""
        if attempt > self.rate_limit_retries:
            return None
        floor = self.login_rate_limit_floor if login else self.rate_limit_floor
        pause = max(asked if asked is not None else 0.0, floor)
        return pause if pause <= self.retry_after_cap else None


def _retryable(method: str, exc: Exception | None, status: int | None) -> bool:
    """May this failure be retried? 5xx always (LivePerson's advice); transport errors see below."""
    if status is not None:
        return status >= 500
    if isinstance(exc, requests.exceptions.SSLError):
        return False  # a certificate that is refused now will be refused again
    if isinstance(exc, requests.exceptions.ConnectTimeout) or _never_sent(exc):
        return True
    return method in IDEMPOTENT and isinstance(exc, requests.RequestException)


def _unanswered(method: str, meant: str, url: str, failure: Exception) -> str:
    """What went wrong, and whether the call may have reached the server without being repeated."""
    note = ""
    if not (_never_sent(failure) or isinstance(failure, (requests.exceptions.ConnectTimeout,
                                                         requests.exceptions.SSLError))):
        if meant not in IDEMPOTENT:
            note = " (no answer; not repeated: a POST may have reached the server)"
        else:
            note = " (no answer, still none after the retries)"
    return f"{method} {url}: {failure}{note}"


def _never_sent(exc: Exception | None) -> bool:
    """Did the connection fail before the request went out (refused, DNS, unreachable)?"""
    if not isinstance(exc, requests.exceptions.ConnectionError) or not exc.args:
        return False
    reason = getattr(exc.args[0], "reason", None)  # urllib3's MaxRetryError carries the cause
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class Transport:
    """One requests session (one cookie jar) with TLS settings and a retry policy; thread-safe."""

    def __init__(self, verify: bool | str = True, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, report: Report = silent):
        self.verify = verify
        self.timeout = timeout
        self.retry = retry if retry is not None else RetryPolicy()
        self.report = report
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "lp-simulator/1.0"
        # The keep-alive timer thread and the polling loop share this session and its jar.
        self._lock = threading.Lock()
        self._closing = threading.Event()  # set by close(): retry pauses end at once
        # How a retry pause is waited: tests put a recorder here to keep pauses out of the clock.
        self.sleep = self._closing.wait

    def call(self, method: str, url: str, body=None, headers: dict | None = None, *,
             need_body: bool = False, login: bool = False) -> requests.Response:
        """Send one request (JSON body if given), retrying per the policy; raise on failure/non-2xx."""
        # need_body: a 2xx without a body is a failure (EmptyAnswer); login: its 429 waits longer.
        merged = {**JSON_HEADERS, **(headers or {})}
        meant = merged.get("X-HTTP-Method-Override", method)  # a tunnelled PUT is still a PUT
        attempt = 0
        while True:
            attempt += 1
            response, failure = None, None
            try:
                with self._lock:
                    # verify per request: a session-level value loses to REQUESTS_CA_BUNDLE.
                    response = self.http.request(method, url, json=body, headers=merged,
                                                 verify=self.verify, timeout=self.timeout)
            except requests.RequestException as exc:
                failure = exc
            status = response.status_code if response is not None else None
            empty = (failure is None and need_body and 200 <= status < 300
                     and not response.content.strip())
            if failure is None and status < 500 and status != 429 and not empty:
                raise_for_error(response)
                return response
            if status == 429:
                pause = self.retry.throttled_delay(attempt, retry_after(response), login)
            elif empty:
                pause = self.retry.delay(attempt) if meant in IDEMPOTENT else None
            else:
                pause = self.retry.delay(attempt) if _retryable(meant, failure, status) else None
            if pause is None or self._closing.is_set():
                if failure is not None:
                    raise ConnectionFailed(_unanswered(method, meant, url, failure)) from failure
                if empty:
                    raise EmptyAnswer(method, url, status, repeated=meant in IDEMPOTENT)
                raise_for_error(response)
            self.report("http.retry", method=method, url=url, attempt=attempt, wait=pause,
                        status=status, error=type(failure).__name__ if failure else
                        ("EmptyAnswer" if empty else None))
            self.sleep(pause)

    def get_json(self, url: str, headers: dict | None = None) -> dict:
        """GET and decode a JSON object (an empty answer is retried, then EmptyAnswer)."""
        return json_of(self.call("GET", url, headers=headers, need_body=True))

    def post_json(self, url: str, body, headers: dict | None = None, *, need_body: bool = False,
                  login: bool = False) -> dict:
        """POST a JSON body and decode the JSON answer ({} for an empty body unless `need_body`)."""
        return json_of(self.call("POST", url, body, headers, need_body=need_body, login=login))

    def cookie(self, name: str) -> str | None:
        """The value of a cookie in the jar, if any."""
        return self.http.cookies.get(name)

    def close(self) -> None:
        """Release pooled connections and cut short any retry pause."""
        self._closing.set()
        self.http.close()


def json_of(response: requests.Response):
    """The JSON body of a response ({} for an empty body); objects and arrays as decoded."""
    if not response.content.strip():
        return {}
    try:
        return response.json()
    except ValueError as exc:
        raise LivePersonError(f"{response.url}: answer is not JSON: {response.text[:200]!r}") from exc


def with_query(url: str, **params) -> str:
    """Add query parameters that the URL does not carry yet (a `next` link keeps its `from`)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    query += [(k, str(v)) for k, v in params.items() if k not in present and v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def json_suffix(url: str) -> str:
    """`.../events?from=4` -> `.../events.json?from=4`, as LivePerson's sample app calls it."""
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith(".json") else parts.path + ".json"
    return urlunsplit(parts._replace(path=path))


def last_segment(url: str) -> str:
    """The last path segment of a URL (an agent session id, a chat id, an event id)."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def service_url(csds_url: str, base_uri: str) -> str:
    """`https://<baseURI>`: a service host from CSDS, on the scheme the CSDS URL uses."""
    scheme = urlsplit(csds_url).scheme or "https"
    return f"{scheme}://{base_uri.strip().rstrip('/')}"


def normalise_base(url: str) -> str:
    """`localhost:8443` -> `https://localhost:8443`; trailing slashes dropped."""
    url = url.strip().rstrip("/")
    return url if "://" in url else f"https://{url}"
