"""An HTTP client of the control plane (/_sandbox, docs/control-plane.md) and its errors."""
import requests

WAIT_SLACK = 10.0  # seconds the HTTP call of a wait may take beyond the wait's own timeout
CALL_TIMEOUT = 30.0


class ControlError(Exception):
    """The control plane refused a call (4xx/5xx): the status and the envelope's message."""

    def __init__(self, method: str, path: str, status: int, message: str):
        self.method, self.path, self.status, self.message = method, path, status, message
        super().__init__(f"{method} /_sandbox{path} -> {status}: {message}")


class WaitTimeout(AssertionError):
    """A wait's condition did not hold in time; `seen` is what the sandbox saw instead."""

    def __init__(self, condition: str, fields: dict, timeout: float, seen: dict, message: str):
        self.condition, self.fields, self.timeout, self.seen = condition, fields, timeout, seen
        wanted = ", ".join(f"{k}={v!r}" for k, v in fields.items())
        super().__init__(f"{message or 'no match'}: waited {timeout:g} s for {condition}({wanted}); "
                         f"seen: {seen}")


def query_value(value) -> str:
    """A filter value as the query string spells it (booleans as true/false)."""
    return str(value).lower() if isinstance(value, bool) else str(value)


class ControlClient:
    """Calls /_sandbox/* of one sandbox over one requests session."""

    def __init__(self, url: str, verify: bool | str = True):
        self.base = f"{url}/_sandbox"
        self.verify = verify
        self.http = requests.Session()

    def call(self, method: str, path: str, body=None, params: dict | None = None,
             timeout: float = CALL_TIMEOUT, ok: tuple[int, ...] = ()) -> requests.Response:
        """One call; a status outside 2xx and `ok` raises ControlError."""
        # verify per request: a session-level value loses to REQUESTS_CA_BUNDLE.
        response = self.http.request(method, self.base + path, json=body, params=params,
                                     timeout=timeout, verify=self.verify)
        if not (200 <= response.status_code < 300 or response.status_code in ok):
            raise ControlError(method, path, response.status_code, _message(response))
        return response

    def get(self, path: str, **params):
        """GET a JSON answer (None-valued parameters are left out)."""
        query = {k: query_value(v) for k, v in params.items() if v is not None}
        return self.call("GET", path, params=query).json()

    def post(self, path: str, body=None):
        """POST a JSON body; the JSON answer."""
        return self.call("POST", path, body if body is not None else {}).json()

    def delete(self, path: str):
        """DELETE; the JSON answer."""
        return self.call("DELETE", path).json()

    def wait(self, condition: str, timeout: float = 5, **fields) -> dict:
        """POST /wait: the match, or WaitTimeout with what was seen."""
        fields = {k: v for k, v in fields.items() if v is not None}
        response = self.call("POST", "/wait", {"condition": condition, "timeout": timeout, **fields},
                             timeout=timeout + WAIT_SLACK, ok=(408,))
        body = response.json()
        if response.status_code == 408 or not body.get("matched"):
            raise WaitTimeout(condition, fields, timeout, body.get("seen") or {}, body.get("message", ""))
        return body.get("match") or {}

    def close(self) -> None:
        """Drop pooled connections."""
        self.http.close()


def _message(response: requests.Response) -> str:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])
    return response.text.strip()[:500] or response.reason
