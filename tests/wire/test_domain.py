"""Domain API (CSDS): every URL form, every service, errors."""
import pytest
import requests

from mock_server.api.domain import SERVICES

from tests.support.constants import ACCOUNT, UNKNOWN_ACCOUNT



@pytest.mark.parametrize("form", [
    "/api/account/{a}/service/{s}/baseURI.json?version=1.0",
    "/api/account/{a}/service/{s}/baseURI?version=1.0",
    "/csdr/account/{a}/service/{s}/baseURI.json?version=1.0",
    "/csdr/account/{a}/service/{s}/baseURI?version=1.0",
])
def test_single_service_forms(live, form):
    r = requests.get(live.url + form.format(a=ACCOUNT, s="agentVep"))
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"service": "agentVep", "account": ACCOUNT, "baseURI": live.host}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_resolves_to_this_server(live, service):
    r = requests.get(f"{live.url}/csdr/account/{ACCOUNT}/service/{service}/baseURI.json?version=1.0")
    assert r.status_code == 200
    assert r.json()["baseURI"] == live.host


def test_minimum_live_chat_services_are_listed():
    for name in ("agentVep", "conversationVep", "smt", "engHistDomain", "leDataReporting",
                 "accountConfigReadOnly", "accountConfigReadWrite", "acCdnDomain"):
        assert name in SERVICES


@pytest.mark.parametrize("form", [
    "/api/account/{a}/service/baseURI?version=1.0",
    "/api/account/{a}/service/baseURI.json?version=1.0",
    "/csdr/account/{a}/service/baseURI.json?version=1.0",
    "/csdr/account/{a}/service/baseURI?version=1.0",
])
def test_all_services_forms(live, form):
    r = requests.get(live.url + form.format(a=ACCOUNT), headers={"Accept": "application/json"})
    assert r.status_code == 200
    uris = r.json()["baseURIs"]
    assert {u["service"] for u in uris} == set(SERVICES)
    assert all(u == {"service": u["service"], "account": ACCOUNT, "baseURI": live.host} for u in uris)


def test_base_uri_follows_the_host_the_request_came_in_on(live):
    r = requests.get(f"{live.url}/csdr/account/{ACCOUNT}/service/agentVep/baseURI.json",
                     headers={"Host": "sandbox.example:9443"})
    assert r.json()["baseURI"] == "sandbox.example:9443"


def test_unknown_account_is_a_clear_404(live):
    r = requests.get(f"{live.url}/csdr/account/{UNKNOWN_ACCOUNT}/service/agentVep/baseURI.json?version=1.0")
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["responseStatus"] == "NOT_FOUND"
    assert UNKNOWN_ACCOUNT in error["message"]
    r = requests.get(f"{live.url}/api/account/{UNKNOWN_ACCOUNT}/service/baseURI.json?version=1.0")
    assert r.status_code == 404


def test_service_names_are_case_sensitive(live):
    r = requests.get(f"{live.url}/csdr/account/{ACCOUNT}/service/agentvep/baseURI.json?version=1.0")
    assert r.status_code == 404
    assert "agentvep" in r.json()["error"]["message"]
