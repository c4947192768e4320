"""Fault rules (docs/control-plane.md, "Faults"): each kind as a client sees it on the wire,
when rules fire, and that every fault taken shows in the journal."""
import pytest
import requests

from mock_server.model.seed import load_config
from tests.support.constants import ACCOUNT, DEMO_AGENT, HUMAN_SKILL, OTHER_ACCOUNT
from tests.support.server import serve
from tests.support.wire import (add_fault, agent, assert_envelope, bearer_headers, consumer_headers,
                                journal, login, request_chat)

DOMAIN = f"/api/account/{ACCOUNT}/service/agentVep/baseURI.json?version=1.0"


def test_error_answers_liveperson_envelope_with_the_status(live):
    rule = add_fault(live.url, kind="error", status=502, api="login", message="upstream down")
    assert rule["id"] == "f1" and rule["kind"] == "error" and rule["status"] == 502
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/login?v=1.3", json=DEMO_AGENT.credentials)
    error = assert_envelope(r, 502, 502)
    assert error["message"] == "upstream down" and error["responseStatus"] == "BAD_GATEWAY"
    (entry,) = journal(live.url, fault="true")
    assert entry["fault"] == {"id": "f1", "kind": "error"} and entry["status"] == 502
    assert entry["operation"] == "login"
    # Another API is untouched.
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 200


def test_rate_limit_is_429_with_retry_after(live):
    add_fault(live.url, kind="rate_limit", retry_after=7, operation="apiOneService")
    r = requests.get(f"{live.url}{DOMAIN}")
    assert r.status_code == 429 and r.headers["Retry-After"] == "7"
    assert r.json()["error"]["responseStatus"] == "TOO_MANY_REQUESTS"


def test_after_and_times_choose_which_calls_fail(live):
    add_fault(live.url, kind="error", status=503, operation="apiOneService", after=2, times=2)
    statuses = [requests.get(f"{live.url}{DOMAIN}").status_code for _ in range(6)]
    assert statuses == [200, 200, 503, 503, 200, 200]
    (rule,) = requests.get(f"{live.url}/_sandbox/faults").json()["faults"]
    assert rule["seen"] == 4 and rule["taken"] == 2 and rule["spent"] is True
    assert [e["status"] for e in journal(live.url, fault="true")] == [503, 503]


def test_probability_is_drawn_from_the_seed(live):
    def run() -> list[int]:
        requests.post(f"{live.url}/_sandbox/reset").raise_for_status()
        add_fault(live.url, kind="error", operation="apiOneService", probability=0.5)
        return [requests.get(f"{live.url}{DOMAIN}").status_code for _ in range(20)]

    first = run()
    assert 200 in first and 503 in first  # some fail, some do not
    assert run() == first  # and the same ones after a reset: the seed decides


def test_matching_by_method_path_and_account(live):
    add_fault(live.url, kind="error", method="GET", path=r"/chat/availability$", account=OTHER_ACCOUNT)
    mine = requests.get(f"{live.url}/api/account/{ACCOUNT}/chat/availability?skill={HUMAN_SKILL}",
                        headers=consumer_headers())
    theirs = requests.get(f"{live.url}/api/account/{OTHER_ACCOUNT}/chat/availability",
                          headers=consumer_headers())
    assert mine.status_code == 200 and theirs.status_code == 503


def test_bearer_expired_ends_the_login_now(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    add_fault(live.url, kind="bearer_expired", operation="getAgentSession", times=1)
    r = requests.get(session_url, headers=bearer_headers(bearer))
    assert_envelope(r, 401)
    # The login is gone for good: every later call with the bearer is refused too.
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession", json={"loginData": ""},
                      headers=bearer_headers(bearer))
    assert r.status_code == 401
    assert live.sb.query.is_logged_in(bearer) is False
    # A new login works.
    assert login(live.url, ACCOUNT, *DEMO_AGENT)["bearer"] != bearer


def test_session_kicked_ends_the_agent_session(live):
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    add_fault(live.url, kind="session_kicked", operation="getIncomingRequests", times=1)
    r = requests.get(f"{session_url}/incomingRequests", headers=bearer_headers(bearer))
    assert_envelope(r, 404, 40)  # as any agent call on an ended session
    assert requests.get(session_url, headers=bearer_headers(bearer)).status_code == 404
    # The login survives: a new agent session can start at once.
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession", json={"loginData": ""},
                      headers=bearer_headers(bearer))
    assert r.status_code == 200
    ended = [e for e in live.sb.agents.by_id.values() if e.ended]
    assert len(ended) == 1


def test_domain_host_names_another_host_for_every_service(live):
    add_fault(live.url, kind="domain_host", host="elsewhere.example:8443", api="domain")
    one = requests.get(f"{live.url}{DOMAIN}").json()
    assert one["baseURI"] == "elsewhere.example:8443"
    every = requests.get(f"{live.url}/api/account/{ACCOUNT}/service/baseURI.json?version=1.0").json()
    assert {s["baseURI"] for s in every["baseURIs"]} == {"elsewhere.example:8443"}


def test_drop_closes_the_connection_without_an_answer(live):
    add_fault(live.url, kind="drop", operation="apiOneService", times=1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{live.url}{DOMAIN}", timeout=10)
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 200  # spent: the next one answers
    (entry,) = journal(live.url, fault="true")
    assert entry["fault"]["kind"] == "drop" and entry["status"] is None


def test_empty_answers_with_no_body(live):
    add_fault(live.url, kind="empty", operation="requestChat")
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request?v=1&NC=true",
                      json={"request": {"skill": HUMAN_SKILL}}, headers=consumer_headers())
    assert r.status_code == 200 and r.content == b"" and "Location" not in r.headers
    assert live.sb.chats == {}  # the view never ran


def test_latency_holds_the_answer(live):
    add_fault(live.url, kind="latency", ms=150, operation="apiOneService")
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 200
    (entry,) = journal(live.url, fault="true")
    assert entry["fault"]["kind"] == "latency" and entry["ms"] >= 150  # a sleep lasts at least that


def test_latency_distributions_are_checked_and_drawn(live):
    uniform = add_fault(live.url, kind="latency", distribution="uniform", min_ms=1, max_ms=3)
    assert uniform["distribution"] == "uniform"
    assert add_fault(live.url, kind="latency", distribution="lognormal", median_ms=1, sigma=0.5)["sigma"] == 0.5
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 200


@pytest.mark.parametrize("rule", [
    {}, {"kind": "nope"}, {"kind": "error", "status": 404}, {"kind": "error", "status": "503"},
    {"kind": "latency"}, {"kind": "latency", "ms": -1}, {"kind": "latency", "ms": 10**9},
    {"kind": "latency", "distribution": "uniform", "min_ms": 5, "max_ms": 1},
    {"kind": "rate_limit", "retry_after": 1.5}, {"kind": "domain_host"},
    {"kind": "domain_host", "host": "bad host/"}, {"kind": "drop", "path": "("},
    {"kind": "drop", "probability": 2}, {"kind": "drop", "times": 0}, {"kind": "drop", "bogus": 1},
    {"kind": "drop", "api": ""}, {"kind": "drop", "ms": 5}, [], "drop",
    {"kind": "drop", "operation": "addAgentLine"}, {"kind": "drop", "api": "chat"},  # typos
])
def test_bad_rules_are_refused_and_change_nothing(live, rule):
    r = requests.post(f"{live.url}/_sandbox/faults", json=rule)
    assert_envelope(r, 400, 1)
    assert requests.get(f"{live.url}/_sandbox/faults").json()["faults"] == []


def test_list_get_remove_and_clear_rules(live):
    first, second = add_fault(live.url, kind="drop", api="login"), add_fault(live.url, kind="empty", api="domain")
    listed = requests.get(f"{live.url}/_sandbox/faults").json()["faults"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert requests.get(f"{live.url}/_sandbox/faults/{second['id']}").json()["kind"] == "empty"
    assert requests.delete(f"{live.url}/_sandbox/faults/{first['id']}").json() == {"removed": 1}
    assert_envelope(requests.delete(f"{live.url}/_sandbox/faults/{first['id']}"), 404)
    assert requests.get(f"{live.url}{DOMAIN}").content == b""  # the second still fires
    assert requests.delete(f"{live.url}/_sandbox/faults").json() == {"removed": 1}
    assert requests.get(f"{live.url}{DOMAIN}").json()["baseURI"]


def test_the_control_plane_itself_is_never_faulted(live):
    add_fault(live.url, kind="error", path=".*")
    assert requests.get(f"{live.url}/_sandbox/clock").status_code == 200
    assert requests.get(f"{live.url}/consumer").status_code == 200
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 503


def test_faults_from_the_config_file_hold_after_every_reset():
    config = {**load_config(), "faults": [{"kind": "rate_limit", "api": "domain", "retry_after": 3}]}
    with serve(config) as live:
        assert requests.get(f"{live.url}{DOMAIN}").status_code == 429
        requests.delete(f"{live.url}/_sandbox/faults").raise_for_status()
        assert requests.get(f"{live.url}{DOMAIN}").status_code == 200
        requests.post(f"{live.url}/_sandbox/reset").raise_for_status()
        assert requests.get(f"{live.url}{DOMAIN}").status_code == 429


def test_a_bad_fault_in_the_config_file_is_a_config_error():
    from mock_server.model.seed import ConfigError
    with pytest.raises(ConfigError, match=r"faults\[0\]"):
        serve({**load_config(), "faults": [{"kind": "error", "status": 200}]})


def test_reset_takes_added_rules_out_of_force(live):
    add_fault(live.url, kind="error", api="domain")
    requests.post(f"{live.url}/_sandbox/reset").raise_for_status()
    assert requests.get(f"{live.url}/_sandbox/faults").json()["faults"] == []
    assert requests.get(f"{live.url}{DOMAIN}").status_code == 200


def test_a_fault_on_one_chat_never_touches_another(live):
    first = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    second = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL)
    add_fault(live.url, kind="error", path=first.rsplit("/", 1)[1])
    assert requests.get(first, headers=consumer_headers()).status_code == 503
    assert requests.get(second, headers=consumer_headers()).status_code == 200
