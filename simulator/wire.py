"""HTTP plumbing shared by every client: JSON calls, LivePerson's error envelope, URL helpers."""
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


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
    cls = Unauthorized if response.status_code == 401 else ApiError
    raise cls(response.request.method, response.url, response.status_code, message, internal,
              status_name)


class Transport:
    """One requests session (one cookie jar) with TLS settings; thread-safe for our use."""

    def __init__(self, verify: bool | str = True, timeout: float = 30.0):
        self.verify = verify
        self.timeout = timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "lp-simulator/1.0"
        # The keep-alive timer thread and the polling loop share this session and its jar.
        self._lock = threading.Lock()

    def call(self, method: str, url: str, body=None, headers: dict | None = None) -> requests.Response:
        """Send one request; JSON body if given; raise on transport failure or non-2xx."""
        merged = {**JSON_HEADERS, **(headers or {})}
        try:
            with self._lock:
                # verify per request: a session-level value loses to REQUESTS_CA_BUNDLE.
                response = self.http.request(method, url, json=body, headers=merged,
                                             verify=self.verify, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ConnectionFailed(f"{method} {url}: {exc}") from exc
        raise_for_error(response)
        return response

    def get_json(self, url: str, headers: dict | None = None) -> dict:
        """GET and decode a JSON object."""
        return json_of(self.call("GET", url, headers=headers))

    def post_json(self, url: str, body, headers: dict | None = None) -> dict:
        """POST a JSON body and decode the JSON answer ({} when the body is empty)."""
        return json_of(self.call("POST", url, body, headers))

    def cookie(self, name: str) -> str | None:
        """The value of a cookie in the jar, if any."""
        return self.http.cookies.get(name)

    def close(self) -> None:
        """Release pooled connections."""
        self.http.close()


def json_of(response: requests.Response) -> dict:
    """The JSON object of a response; {} for an empty body."""
    if not response.content.strip():
        return {}
    try:
        body = response.json()
    except ValueError as exc:
        raise LivePersonError(f"{response.url}: answer is not JSON: {response.text[:200]!r}") from exc
    return body if isinstance(body, dict) else {"value": body}


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
