"""Fault rules as the fixture shows them: a thin client of /_sandbox/faults.

Match fields (all optional): api, operation, method, path (a regex), account; when: after,
times, probability. Each shortcut is `add` with its kind."""
from .control import ControlClient


class FaultsClient:
    """Put LivePerson's own failures on the calls a rule matches."""

    def __init__(self, control: ControlClient):
        self._control = control

    def add(self, kind: str | dict, **rule) -> dict:
        """Put a rule in force (`add("error", api=...)`, or the whole rule as a dict, as
        POST /_sandbox/faults takes it); the rule with its `id`."""
        given = dict(kind) if isinstance(kind, dict) else {"kind": kind}
        body = {k: v for k, v in {**given, **rule}.items() if v is not None}
        return self._control.post("/faults", body)

    def get(self, rule_id: str) -> dict:
        """One rule with its counters (seen, taken, spent)."""
        return self._control.get(f"/faults/{rule_id}")

    def remove(self, rule_id: str) -> None:
        """Take one rule out of force."""
        self._control.delete(f"/faults/{rule_id}")

    def clear(self) -> int:
        """Take every rule out of force; how many there were."""
        return int(self._control.delete("/faults").get("removed", 0))

    def latency(self, ms: float | None = None, **rule) -> dict:
        """The real answer, `ms` late (or by `distribution`: uniform or lognormal)."""
        return self.add("latency", ms=ms, **rule)

    def error(self, status: int = 503, **rule) -> dict:
        """LivePerson's error envelope with `status` (500..599)."""
        return self.add("error", status=status, **rule)

    def rate_limit(self, retry_after: float = 1, **rule) -> dict:
        """429 with Retry-After."""
        return self.add("rate_limit", retry_after=retry_after, **rule)

    def bearer_expired(self, **rule) -> dict:
        """The call's login ends now: the real 401."""
        return self.add("bearer_expired", **rule)

    def session_kicked(self, **rule) -> dict:
        """The call's agent session ends as after a login elsewhere."""
        return self.add("session_kicked", **rule)

    def domain_host(self, host: str, **rule) -> dict:
        """The Domain API names `host` (host:port) for every service."""
        return self.add("domain_host", host=host, **rule)

    def drop(self, **rule) -> dict:
        """The connection closes with no answer."""
        return self.add("drop", **rule)

    def empty(self, **rule) -> dict:
        """An answer with an empty body (status 200 unless given)."""
        return self.add("empty", **rule)

    # Last in the class: `list` would shadow the builtin in annotations below it.
    def list(self):
        """Every rule in force, in the order added, with its counters."""
        return self._control.get("/faults")["faults"]
