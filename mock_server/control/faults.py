"""Fault rules: LivePerson's own failures, injected on the calls a rule matches (docs/control-plane.md)."""
import math
import random
import re
import threading
from dataclasses import dataclass, field

from ..model.errors import BadRequest

KINDS = ("latency", "error", "rate_limit", "bearer_expired", "session_kicked", "domain_host",
         "drop", "empty")
MATCH_KEYS = ("api", "operation", "method", "path", "account")
WHEN_KEYS = ("after", "times", "probability")
PARAM_KEYS = {
    "latency": ("ms", "distribution", "min_ms", "max_ms", "median_ms", "sigma"),
    "error": ("status", "message"),
    "rate_limit": ("retry_after", "message"),
    "bearer_expired": (),
    "session_kicked": (),
    "domain_host": ("host",),
    "drop": (),
    "empty": ("status",),
}
MAX_LATENCY_MS = 120_000  # a latency beyond any client's timeout is a drop, not a delay


@dataclass(frozen=True)
class Call:
    """What a rule can match a call on."""

    api: str | None
    operation: str | None
    method: str
    path: str
    account: str | None


@dataclass
class Rule:
    """One fault rule: what it matches, when it fires, what it does, and how often it did."""

    id: str
    kind: str
    match: dict
    params: dict
    after: int = 0
    times: int | None = None
    probability: float | None = None
    path_re: re.Pattern | None = field(default=None, repr=False)
    seen: int = 0  # matching calls that reached this rule
    taken: int = 0  # calls it was taken on

    def matches(self, call: Call) -> bool:
        """Do all of the rule's match fields hold for `call`?"""
        for key in ("api", "operation", "account"):
            if key in self.match and getattr(call, key) != self.match[key]:
                return False
        if "method" in self.match and call.method != self.match["method"]:
            return False
        return self.path_re is None or bool(self.path_re.search(call.path))

    @property
    def spent(self) -> bool:
        """Has the rule been taken as often as it may?"""
        return self.times is not None and self.taken >= self.times

    def to_json(self) -> dict:
        """The rule as it was given, with its id and counters."""
        body = {"id": self.id, "kind": self.kind, **self.match, **self.params}
        if self.after:
            body["after"] = self.after
        if self.times is not None:
            body["times"] = self.times
        if self.probability is not None:
            body["probability"] = self.probability
        return {**body, "seen": self.seen, "taken": self.taken, "spent": self.spent}


def _number(rule: dict, key: str, low: float, high: float, *, integer: bool = False):
    value = rule[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            integer and not float(value).is_integer()) or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        raise BadRequest(f"Fault '{key}' must be {kind} from {low:g} to {high:g}", 1)
    return int(value) if integer else float(value)


def _params(kind: str, rule: dict) -> dict:
    """The kind's own parameters, checked, with their defaults filled in."""
    p = {k: rule[k] for k in PARAM_KEYS[kind] if k in rule}
    if kind == "latency":
        dist = p.setdefault("distribution", "fixed")
        needs = {"fixed": ("ms",), "uniform": ("min_ms", "max_ms"),
                 "lognormal": ("median_ms", "sigma")}.get(dist)
        if needs is None:
            raise BadRequest("Fault 'distribution' must be fixed, uniform or lognormal", 1)
        for key in needs:
            if key not in p:
                raise BadRequest(f"A {dist} latency fault needs '{key}'", 1)
            p[key] = _number(p, key, 0, 100 if key == "sigma" else MAX_LATENCY_MS)
        if dist == "uniform" and p["min_ms"] > p["max_ms"]:
            raise BadRequest("Fault 'min_ms' must not be above 'max_ms'", 1)
    elif kind == "error":
        p["status"] = _number(p, "status", 500, 599, integer=True) if "status" in p else 503
    elif kind == "rate_limit":
        p["retry_after"] = _number(p, "retry_after", 0, 86_400, integer=True) if "retry_after" in p else 1
    elif kind == "empty":
        p["status"] = _number(p, "status", 200, 599, integer=True) if "status" in p else 200
    elif kind == "domain_host":
        host = p.get("host")
        if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,255}", host):
            raise BadRequest("A domain_host fault needs 'host' (host or host:port)", 1)
    for key in ("message",):
        if key in p and not isinstance(p[key], str):
            raise BadRequest(f"Fault '{key}' must be a string", 1)
    return p


class Faults:
    """The rules in force, in the order added, drawing chances from one seeded generator."""

    def __init__(self, seed: int | None = None, known: dict[str, frozenset] | None = None):
        self.known = known or {}  # name -> the values a rule may match it on (api, operation)
        self._rules: list[Rule] = []
        self._next = 1
        self._lock = threading.Lock()
        self.random = random.Random(seed)

    def add(self, rule: dict) -> Rule:
        """Check a rule as a client gave it and put it in force; return it."""
        if not isinstance(rule, dict):
            raise BadRequest("A fault rule is a JSON object", 1)
        kind = rule.get("kind")
        if kind not in KINDS:
            raise BadRequest(f"Fault 'kind' must be one of {', '.join(KINDS)}", 1)
        known = {"kind", *MATCH_KEYS, *WHEN_KEYS, *PARAM_KEYS[kind]}
        unknown = sorted(set(rule) - known)
        if unknown:
            raise BadRequest(f"Unknown field(s) for a {kind} fault: {', '.join(unknown)}", 1)
        match = {}
        for key in MATCH_KEYS:
            if key in rule:
                if not isinstance(rule[key], str) or not rule[key]:
                    raise BadRequest(f"Fault '{key}' must be a non-empty string", 1)
                match[key] = rule[key].upper() if key == "method" else rule[key]
                if key in self.known and match[key] not in self.known[key]:
                    raise BadRequest(f"Fault '{key}' {match[key]!r} is not one of the sandbox's: "
                                     f"{', '.join(sorted(self.known[key]))}", 1)
        path_re = None
        if "path" in match:
            try:
                path_re = re.compile(match["path"])
            except re.error as exc:
                raise BadRequest(f"Fault 'path' is not a valid regular expression: {exc}", 1) from None
        params = _params(kind, rule)
        after = _number(rule, "after", 0, 10**9, integer=True) if "after" in rule else 0
        times = _number(rule, "times", 1, 10**9, integer=True) if rule.get("times") is not None else None
        chance = _number(rule, "probability", 0, 1) if rule.get("probability") is not None else None
        with self._lock:
            made = Rule(id=f"f{self._next}", kind=kind, match=match, params=params, after=after,
                        times=times, probability=chance, path_re=path_re)
            self._next += 1
            self._rules.append(made)
        return made

    def rules(self) -> list[Rule]:
        """Every rule, in the order added."""
        with self._lock:
            return list(self._rules)

    def remove(self, rule_id: str) -> bool:
        """Take one rule out of force; False when there is none with that id."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> int:
        """Take every rule out of force; return how many there were."""
        with self._lock:
            count = len(self._rules)
            self._rules = []
            return count

    def any(self) -> bool:
        """Is any rule in force? (Most calls of most runs meet none: no Call is built then.)"""
        return bool(self._rules)

    def take(self, call: Call) -> Rule | None:
        """The first rule that matches `call` and fires on it (its counters move), or None."""
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.spent or not rule.matches(call):
                    continue
                rule.seen += 1
                if rule.seen <= rule.after:
                    continue
                if rule.probability is not None and self.random.random() >= rule.probability:
                    continue
                rule.taken += 1
                return rule
        return None

    def delay_of(self, rule: Rule) -> float:
        """Seconds a latency rule holds this call (drawn from its distribution)."""
        p = rule.params
        if p["distribution"] == "uniform":
            with self._lock:
                ms = self.random.uniform(p["min_ms"], p["max_ms"])
        elif p["distribution"] == "lognormal":
            with self._lock:
                ms = self.random.lognormvariate(math.log(max(p["median_ms"], 1e-3)), p["sigma"])
        else:
            ms = p["ms"]
        return min(ms, MAX_LATENCY_MS) / 1000.0
