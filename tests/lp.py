"""Small wire-level helpers for tests: log in, open agent sessions, start chats, as docs say."""
import requests

GLOBAL_KEY = "721c180b09eb463d9f3191c41762bb68"
JSON = {"Content-Type": "application/json", "Accept": "application/json"}


def consumer_headers(key: str = GLOBAL_KEY) -> dict:
    """Headers of every Server Chat API call."""
    return {**JSON, "Authorization": f"LivePerson appKey={key}"}


def bearer_headers(bearer: str) -> dict:
    """Headers of every Chat Agent API call."""
    return {**JSON, "Authorization": f"Bearer {bearer}"}


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


def as_list(value) -> list:
    """LivePerson sends one item as an object: make it a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
