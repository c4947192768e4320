"""LivePerson's APIs over HTTP, as the docs say: headers, login, agent sessions, chats, events."""
import requests
from requests_oauthlib import OAuth1

from .constants import GLOBAL_KEY

JSON = {"Content-Type": "application/json", "Accept": "application/json"}
TIMEOUT = 60  # seconds for one request: generous, the machine is shared


def consumer_headers(key: str = GLOBAL_KEY) -> dict:
    """Headers of every Server Chat API call."""
    return {**JSON, "Authorization": f"LivePerson appKey={key}"}


def bearer_headers(bearer: str) -> dict:
    """Headers of every Chat Agent API call."""
    return {**JSON, "Authorization": f"Bearer {bearer}"}


class ApiKeyAuth(OAuth1):
    """requests' auth for an API key (a dict of appKey, secret, accessToken, accessTokenSecret):
    an OAuth 1.0a HMAC-SHA1 header signature, as real clients make it; with `clock` (a
    sandbox's), oauth_timestamp is that clock's time instead of the wall clock's."""

    def __init__(self, key: dict, clock=None, **kwargs):
        super().__init__(key["appKey"], key["secret"], key["accessToken"], key["accessTokenSecret"],
                         **kwargs)
        self.sandbox_clock = clock

    def __call__(self, r):
        if self.sandbox_clock is not None:
            self.client.timestamp = str(int(self.sandbox_clock.now()))
        return super().__call__(r)


def login(url: str, account: str, username: str, password: str, session=None) -> dict:
    """User login; returns the response body (raises on failure)."""
    r = (session or requests).post(f"{url}/api/account/{account}/login?v=1.3",
                                   json={"username": username, "password": password}, headers=JSON)
    r.raise_for_status()
    return r.json()


def start_agent_session(url: str, account: str, bearer: str) -> str:
    """Start an agent session; returns its absolute URL."""
    r = requests.post(f"{url}/api/account/{account}/agentSession?v=1&NC=true",
                      json={"loginData": ""}, headers=bearer_headers(bearer))
    r.raise_for_status()
    return r.json()["agentSessionLocation"]["link"]["@href"]


def go_online(session_url: str, bearer: str, state: str = "Online") -> requests.Response:
    """Set availability the documented way: POST + X-HTTP-Method-Override: PUT."""
    return requests.post(f"{session_url}/availability?v=1&NC=true",
                         json={"availability": {"chat": state}},
                         headers={**bearer_headers(bearer), "X-HTTP-Method-Override": "PUT"})


def agent(url: str, account: str, username: str, password: str, online: bool = True):
    """Log in, start a session and (by default) go Online; returns (bearer, session_url)."""
    bearer = login(url, account, username, password)["bearer"]
    session_url = start_agent_session(url, account, bearer)
    if online:
        go_online(session_url, bearer).raise_for_status()
    return bearer, session_url


def request_chat(url: str, account: str, key: str = GLOBAL_KEY, **fields) -> str:
    """Request a chat on the Server Chat API; returns the chat-session-uri (Location)."""
    r = requests.post(f"{url}/api/account/{account}/chat/request?v=1&NC=true",
                      json={"request": fields}, headers=consumer_headers(key))
    assert r.status_code == 200, r.text
    return r.headers["Location"]


def accept(session_url: str, bearer: str) -> str:
    """Accept the next ringing chat; returns the agent-side chat URL."""
    r = requests.post(f"{session_url}/incomingRequests?v=1&NC=true", json={},
                      headers=bearer_headers(bearer))
    assert r.status_code == 201, r.text
    return r.json()["chatLocation"]["link"]["@href"]


def accepted_chat(url: str, account: str, user, **fields) -> tuple[str, str, str, str]:
    """`user` (a (login, password) pair) goes Online and accepts a chat requested with `fields`:
    (bearer, session_url, agent chat URL, visitor chat URI)."""
    bearer, session_url = agent(url, account, *user)
    uri = request_chat(url, account, **fields)
    return bearer, session_url, accept(session_url, bearer), uri


def ringing(session_url: str, bearer: str) -> int:
    """How many chats ring at this agent session (incomingRequests' ringingCount)."""
    r = requests.get(f"{session_url}/incomingRequests", headers=bearer_headers(bearer), timeout=TIMEOUT)
    return int(r.json()["incomingRequests"]["ringingCount"])


def chat_id_of(url: str) -> str:
    """The chat id at the end of a chat's URL (either API)."""
    return url.rsplit("/", 1)[1]


def post_event(url: str, headers: dict, event: dict, http=requests) -> requests.Response:
    """POST one event to the chat at `url` (agent chat URL or visitor chat URI)."""
    return http.post(f"{url}/events", json={"event": event}, headers=headers, timeout=TIMEOUT)


def say(url: str, headers: dict, text: str, http=requests, **fields) -> requests.Response:
    """Add a line to the chat, and check it was stored (201)."""
    r = post_event(url, headers, {"@type": "line", "text": text, **fields}, http)
    assert r.status_code == 201, r.text
    return r


def end(url: str, headers: dict) -> requests.Response:
    """End the chat (state ended), and check it was (201)."""
    r = post_event(url, headers, {"@type": "state", "state": "ended"})
    assert r.status_code == 201, r.text
    return r


def events(url: str, headers: dict, start: int = 0) -> list[dict]:
    """The chat's events from `start` (either API), as a list."""
    r = requests.get(f"{url}/events?from={start}", headers=headers, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return as_list(r.json()["events"].get("event"))


def as_list(value) -> list:
    """LivePerson sends one item as an object: make it a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# LivePerson's responseStatus names of the statuses tests check by name
STATUS_NAMES = {400: "BAD_REQUEST", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                412: "PRECONDITION_FAILED"}


def assert_envelope(r: requests.Response, status: int, code: int | None = None) -> dict:
    """The response is `status` with LivePerson's error envelope (JSON; its responseStatus the
    status's name, its internalCode `code` when given); returns the envelope's `error`."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/json")
    error = r.json()["error"]
    assert set(error) == {"time", "message", "internalCode", "responseStatus"}
    if status in STATUS_NAMES:
        assert error["responseStatus"] == STATUS_NAMES[status], error
    if code is not None:
        assert error["internalCode"] == code, error
    return error


# --- the control plane -----------------------------------------------------------------------

def add_fault(url: str, **rule) -> dict:
    """Put a fault rule in force (POST /_sandbox/faults, checked: 201); the rule with its id."""
    r = requests.post(f"{url}/_sandbox/faults", json=rule, timeout=TIMEOUT)
    assert r.status_code == 201, r.text
    return r.json()


def journal(url: str, **filters) -> list[dict]:
    """Journal entries matching `filters` (GET /_sandbox/journal), oldest first."""
    return requests.get(f"{url}/_sandbox/journal", params=filters, timeout=TIMEOUT).json()["entries"]
