"""Login Service API: user and application login, the response body, refresh, logout, TTL."""
import pytest
import requests

from mock_server.api.domain import SERVICES

from tests.support.constants import (ACCOUNT, BOT_APP_KEYS, BOT_ID, DEMO_ADMIN, DEMO_AGENT, DEMO_BOT,
                                     UNKNOWN_ACCOUNT)
from tests.support.server import START
from tests.support.wire import JSON, bearer_headers, login, start_agent_session


def _post(live, path, body, session=None, **kw):
    return (session or requests).post(f"{live.url}/api/account/{ACCOUNT}/{path}", json=body,
                                      headers=JSON, **kw)


@pytest.mark.parametrize("version", ["1.2", "1.3"])
def test_user_login_full_body(live, http, version):
    r = _post(live, f"login?v={version}", DEMO_BOT.credentials, http)
    assert r.status_code == 200
    body = r.json()
    assert len(body["bearer"]) == 64 and len(body["csrf"]) == 64
    assert body["wsuk"].isdigit()
    assert body["sessionTTl"] == "28800000"
    config = body["config"]
    assert config["loginName"] == DEMO_BOT.login
    assert config["userId"] == BOT_ID
    assert config["userPid"]
    assert isinstance(config["userPrivileges"], list)
    assert config["isAdmin"] is False and config["isLPA"] is False
    for key in ("serverCurrentTime", "timeDiff", "serverTimeZoneName", "serverTimeGMTDiff",
                "accountTimeZoneId"):
        assert key in config
    services = {u["service"]: u["baseURI"] for u in body["csdsCollectionResponse"]["baseURIs"]}
    assert set(services) == set(SERVICES)
    assert services["agentVep"] == live.host
    assert body["accountData"]["agentGroupsData"]["items"][0] == {"id": -1, "deleted": False,
                                                                   "name": "Main Group"}
    assert http.cookies.get("Session_id") == body["sessionId"]


def test_admin_login_is_admin(live):
    assert login(live.url, ACCOUNT, *DEMO_ADMIN)["config"]["isAdmin"] is True


def test_application_login_with_key_set(live):
    r = _post(live, "login?v=1.3", {"username": DEMO_BOT.login, **BOT_APP_KEYS})
    assert r.status_code == 200
    assert r.json()["config"]["loginName"] == DEMO_BOT.login


def test_application_login_with_wrong_secret_is_refused(live):
    r = _post(live, "login?v=1.3", {"username": DEMO_BOT.login, **BOT_APP_KEYS, "secret": "nope"})
    assert r.status_code == 401


def test_application_login_needs_the_users_own_key(live):
    r = _post(live, "login?v=1.3", {"username": DEMO_AGENT.login, **BOT_APP_KEYS})
    assert r.status_code == 401


@pytest.mark.parametrize("body", [
    {"username": DEMO_BOT.login, "password": "wrong"},
    {"username": "nobody", "password": DEMO_BOT.password},
])
def test_bad_credentials_get_the_envelope(live, body):
    r = _post(live, "login?v=1.3", body)
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["responseStatus"] == "UNAUTHORIZED"
    assert error["message"] == "Bad Authentication (invalid site or agent)"
    assert isinstance(error["internalCode"], int)
    assert error["time"]  # like "Sep 22, 2016 4:10:15 PM"


def test_login_on_unknown_account_is_401(live):
    r = requests.post(f"{live.url}/api/account/{UNKNOWN_ACCOUNT}/login?v=1.3",
                      json=DEMO_BOT.credentials, headers=JSON)
    assert r.status_code == 401


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b""])
def test_malformed_login_body_is_400(live, raw):
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/login?v=1.3", data=raw, headers=JSON)
    assert r.status_code == 400
    assert r.json()["error"]["responseStatus"] == "BAD_REQUEST"


def test_login_without_username_is_400(live):
    assert _post(live, "login?v=1.3", {"password": "x"}).status_code == 400


def test_refresh_keeps_the_session_and_answers_empty(live, http):
    body = login(live.url, ACCOUNT, *DEMO_BOT, http)
    r = _post(live, "refresh?v=1.2", {"csrf": body["csrf"]}, http)
    assert r.status_code == 200 and r.content == b""
    assert "Session_id" in r.headers.get("Set-Cookie", "")


def test_refresh_with_bad_csrf_is_the_documented_401(live, http):
    login(live.url, ACCOUNT, *DEMO_BOT, http)
    r = _post(live, "refresh", {"csrf": "0" * 64}, http)
    assert r.status_code == 401
    error = r.json()["error"]
    assert error["internalCode"] == 10
    assert error["message"].startswith("CSRF token invalid!")


def test_logout_kills_the_bearer(live, http):
    body = login(live.url, ACCOUNT, *DEMO_BOT, http)
    start_agent_session(live.url, ACCOUNT, body["bearer"])
    r = _post(live, "logout?v=1.2", {"csrf": body["csrf"]}, http)
    assert r.status_code == 200 and r.content == b""
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                      json={"loginData": ""}, headers=bearer_headers(body["bearer"]))
    assert r.status_code == 401
    assert r.json()["error"]["responseStatus"] == "UNAUTHORIZED"
    assert _post(live, "refresh", {"csrf": body["csrf"]}, http).status_code == 401


def test_logout_with_bad_csrf_keeps_the_session(live, http):
    body = login(live.url, ACCOUNT, *DEMO_BOT, http)
    assert _post(live, "logout", {"csrf": "nope"}, http).status_code == 401
    assert start_agent_session(live.url, ACCOUNT, body["bearer"])


def test_idle_ttl_expires_the_bearer(live):
    body = login(live.url, ACCOUNT, *DEMO_BOT)
    live.advance(1801)
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                      json={"loginData": ""}, headers=bearer_headers(body["bearer"]))
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "Session expired"


def test_activity_keeps_the_session_but_the_absolute_ttl_wins(live, http):
    body = login(live.url, ACCOUNT, *DEMO_BOT, http)
    for _ in range(20):  # 20 x 29 minutes of use: never idle 30 minutes, but past 8 hours
        live.advance(29 * 60)
        r = _post(live, "refresh", {"csrf": body["csrf"]}, http)
        if r.status_code != 200:
            break
    assert r.status_code == 401
    assert live.clock.now() - START > 8 * 3600


def test_refresh_keeps_an_otherwise_idle_session_alive(live, http):
    body = login(live.url, ACCOUNT, *DEMO_BOT, http)
    for _ in range(3):
        live.advance(25 * 60)
        assert _post(live, "refresh", {"csrf": body["csrf"]}, http).status_code == 200
    assert start_agent_session(live.url, ACCOUNT, body["bearer"])


def test_refresh_without_cookie_finds_the_session_by_csrf(live):
    body = login(live.url, ACCOUNT, *DEMO_BOT)
    assert _post(live, "refresh", {"csrf": body["csrf"]}).status_code == 200
