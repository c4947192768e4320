"""Hostile bodies for the control routes the contract fuzzer leaves out (tests/fuzz.py: they
change the whole sandbox for every later case, or hold a case for up to 2 minutes): whatever
arrives, the answer is a 2xx, a 400 in LivePerson's envelope or the route's own 404/408, never a
500, and a refused write changes nothing. Seeded (derandomized) so every run sends the same."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mock_server.app import create_app
from mock_server.control.faults import KINDS, MATCH_KEYS, PARAM_KEYS, WHEN_KEYS
from mock_server.model.clock import ManualClock
from tests.support.constants import ACCOUNT

FIELD_NAMES = sorted({"kind", "condition", "timeout", "seed", "config", "accounts", "settings",
                      "chat", "account", "source", "pattern", "text", "contains", "after", "rich",
                      "agent_only", "state", "skill", "agent", "availability", "at_least", "status",
                      "since", "limit", "fault", "path", *MATCH_KEYS, *WHEN_KEYS,
                      *(k for keys in PARAM_KEYS.values() for k in keys)})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                    st.sampled_from([*KINDS, "line", "chat_state", "transfer", "availability",
                                     "journal_count", "chat", "ring", "(", "[a-z]+", ACCOUNT,
                                     "support-bot", "demo-agent", "Online", "2026-01-01T00:00:00Z"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6)), inner, max_size=4)),
    max_leaves=10)
BODIES = st.one_of(JSON, st.dictionaries(st.sampled_from(FIELD_NAMES), JSON, max_size=6))
VALUES = st.one_of(SCALARS, JSON)
# Values that pass a field's own check, so the examples also reach what lies behind the checks.
PLAUSIBLE = {
    "api": st.sampled_from(["domain", "login", "chat_agent", "server_chat", "account_config"]),
    "operation": st.sampled_from(["apiOneService", "login", "agentAddEvent", "requestChat"]),
    "method": st.sampled_from(["GET", "post"]), "path": st.sampled_from(["events", "^/api/", "x$"]),
    "account": st.just(ACCOUNT), "after": st.integers(-1, 5), "times": st.integers(1, 3),
    "probability": st.floats(0, 1), "ms": st.floats(0, 5), "min_ms": st.floats(0, 2),
    "max_ms": st.floats(0, 5), "median_ms": st.floats(0, 3), "sigma": st.floats(0, 2),
    "distribution": st.sampled_from(["fixed", "uniform", "lognormal"]),
    "status": st.integers(200, 599), "message": st.text(max_size=20), "retry_after": st.integers(0, 3),
    "host": st.just("elsewhere:1"), "chat": st.text(max_size=8), "source": st.sampled_from(["agent", "visitor"]),
    "pattern": st.sampled_from(["a", ".*", "("]), "text": st.text(max_size=5),
    "contains": st.text(max_size=3), "rich": st.booleans(), "agent_only": st.booleans(),
    "state": st.sampled_from(["waiting", "chatting", "ended"]), "skill": st.sampled_from(["support-bot", "2001002"]),
    "agent": st.sampled_from(["demo-agent", "3001001"]), "availability": st.sampled_from(["Online", "Away"]),
    "at_least": st.integers(0, 3), "fault": st.booleans(), "since": st.integers(0, 2 * 10**12),
    "limit": st.integers(-1, 3),
}
CONDITION_FIELDS = {
    "line": ("chat", "account", "source", "pattern", "text", "contains", "after", "rich", "agent_only"),
    "chat_state": ("chat", "state"), "transfer": ("chat", "account", "skill"),
    "availability": ("agent", "account", "availability"), "chat": ("account", "skill", "state"),
    "journal_count": ("api", "operation", "account", "chat", "method", "status", "path", "fault",
                      "since", "after", "limit", "at_least"),
    "ring": ("agent", "account", "chat"),
}


def shaped(key: str, fields_of: dict) -> st.SearchStrategy:
    """Bodies that get past the first check: a known `key`, then some of that kind's fields,
    mostly with plausible values, sometimes hostile ones."""
    return st.one_of(*(st.fixed_dictionaries({key: st.just(name)}, optional={
        f: st.one_of(PLAUSIBLE.get(f, VALUES), PLAUSIBLE.get(f, VALUES), VALUES) for f in fields})
        for name, fields in fields_of.items()))


RULES = st.one_of(BODIES, shaped("kind", {kind: (*MATCH_KEYS, *WHEN_KEYS, *PARAM_KEYS[kind])
                                          for kind in KINDS}))
WAITS = st.one_of(BODIES, shaped("condition", CONDITION_FIELDS))
DOMAIN = f"/api/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0"
FUZZ = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def client():
    app = create_app(seed=1234, clock=ManualClock(1_790_000_000), async_mode="threading")
    return app.test_client()


def _ok(response, *allowed):
    assert response.status_code != 500 and response.status_code in {200, 201, 400, *allowed}, \
        (response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        error = response.get_json()
        assert error and ("error" in error or error.get("matched") is False), response.get_data()


@FUZZ
@given(body=RULES)
def test_fault_rules(client, body):
    before = client.get("/_sandbox/faults").get_json()["faults"]
    r = client.post("/_sandbox/faults", json=body)
    _ok(r)
    if r.status_code == 400:
        assert client.get("/_sandbox/faults").get_json()["faults"] == before
    elif body.get("kind") not in ("latency", "drop", "empty"):  # held, dropped, bodiless: not here
        _ok(client.get(DOMAIN), 429, *range(500, 600))
    client.delete("/_sandbox/faults")


@FUZZ
@given(body=WAITS)
def test_waits(client, body):
    if isinstance(body, dict):
        body = {**body, "timeout": 0}  # hostile fields, not a held test run
    _ok(client.post("/_sandbox/wait", json=body), 408)


@FUZZ
@given(body=BODIES)
def test_journal_filters(client, body):
    _ok(client.post("/_sandbox/journal/count", json=body))
    if isinstance(body, dict):
        query = {k: v if isinstance(v, str) else str(v) for k, v in body.items()}
        _ok(client.get("/_sandbox/journal", query_string=query))


@FUZZ
@given(body=BODIES)
def test_seed(client, body):
    before = client.application.extensions["sandbox"]
    r = client.post("/_sandbox/seed", json=body)
    _ok(r)
    if r.status_code == 400:
        assert client.application.extensions["sandbox"] is before
    else:  # back to the demo config for the next example
        client.post("/_sandbox/seed", json={"seed": 1234, "config": before.config})
    _ok(client.get("/_sandbox/state?events=false"))
