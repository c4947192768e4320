"""Sentinel (service sentinel): OAuth 2.0 for installed applications, over the wire.

client_credentials gives an AppJWT (checked with the JWKS); authorization_code gives a Login
Service bearer of the user who authorized, which the bearer APIs take, a refresh_token and an
id_token; revoking ends it. Errors are RFC 6749's bodies."""
import base64
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests

from tests.support.constants import (ACCOUNT, APP_CALLBACK, APP_ID, APP_SECRET, DEMO_ADMIN, DEMO_AGENT,
                                     OTHER_ACCOUNT, SHOP_AGENT, SHOP_APP_ID, SHOP_APP_SECRET, UNKNOWN_ACCOUNT)
from tests.support.wire import bearer_headers, login

SHOP_CLIENT = (SHOP_APP_ID, SHOP_APP_SECRET)
FORM = {"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8"}


def sentinel(live, account=ACCOUNT):
    return f"{live.url}/sentinel/api/account/{account}"


def keys(live):
    r = requests.get(f"{live.url}/sentinel/well-known/jwks")
    assert r.status_code == 200
    return {k["kid"]: jwt.PyJWK(k) for k in r.json()["keys"]}


def decode(live, token, audience):
    kid = jwt.get_unverified_header(token)["kid"]
    return jwt.decode(token, keys(live)[kid].key, algorithms=["RS256"], audience=audience,
                      options={"verify_exp": False, "verify_iat": False})


def oauth_error(r, status, error):
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json()["error"] == error and set(r.json()) <= {"error", "error_description"}
    assert r.headers["Cache-Control"] == "no-store"


# --- client_credentials -------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["body", "query", "basic", "v2"])
def test_app_jwt(live, where):
    data = {"client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "client_credentials"}
    url, params, headers = f"{sentinel(live)}/app/token", {"v": "1.0"}, dict(FORM)
    if where == "query":  # as the Connector API docs write it
        params, data = {**params, **data}, None
    elif where == "basic":
        token = base64.b64encode(f"{APP_ID}:{APP_SECRET}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
        data = {"grant_type": "client_credentials"}
    elif where == "v2":
        url, params = f"{live.url}/sentinel/api/v2/account/{ACCOUNT}/app/token", {}
    r = requests.post(url, params=params, data=data, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["Cache-Control"] == "no-store" and r.headers["Pragma"] == "no-cache"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body) <= {"access_token", "token_type", "expires_in", "scope"}
    claims = decode(live, body["access_token"], ACCOUNT)
    assert claims["aud"] == ACCOUNT and claims["azp"] == APP_ID and claims["iss"] == "Sentinel"
    assert claims["scope"] == "msg.consumer" and claims["exp"] - claims["iat"] == 3600
    assert claims["iat"] == int(live.clock.now())
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "RS256"


def test_client_credentials_errors(live):
    url = f"{sentinel(live)}/app/token?v=1.0"
    good = {"client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "client_credentials"}
    oauth_error(requests.post(url, data={**good, "client_secret": "wrong"}, headers=FORM),
                401, "invalid_client")
    oauth_error(requests.post(url, data={**good, "client_id": "nobody"}, headers=FORM),
                401, "invalid_client")
    oauth_error(requests.post(url, data={"grant_type": "client_credentials"}, headers=FORM),
                401, "invalid_client")
    oauth_error(requests.post(url, data={**good, "grant_type": "password"}, headers=FORM),
                400, "unsupported_grant_type")
    oauth_error(requests.post(url, data={k: v for k, v in good.items() if k != "grant_type"},
                              headers=FORM), 400, "invalid_request")
    oauth_error(requests.post(url, data={**good, "scope": "admin"}, headers=FORM),
                400, "invalid_scope")
    oauth_error(requests.post(url, data=[*good.items(), ("grant_type", "client_credentials")],
                              headers=FORM), 400, "invalid_request")  # duplicated
    # the application is installed on another account only
    oauth_error(requests.post(f"{sentinel(live, OTHER_ACCOUNT)}/app/token", data=good,
                              headers=FORM), 401, "invalid_client")
    oauth_error(requests.post(f"{sentinel(live, UNKNOWN_ACCOUNT)}/app/token", data=good,
                              headers=FORM), 401, "invalid_client")
    # a body that is not a form reads as no parameters at all
    oauth_error(requests.post(url, json=good), 400, "invalid_request")
    # an application without the grant: the shop app may not use authorization_code
    shop = {"client_id": SHOP_CLIENT[0], "client_secret": SHOP_CLIENT[1]}
    oauth_error(requests.post(f"{sentinel(live, OTHER_ACCOUNT)}/token",
                              data={**shop, "grant_type": "authorization_code", "code": "x"},
                              headers=FORM), 400, "unauthorized_client")


def test_app_jwt_is_no_login_bearer(live):
    token = requests.post(f"{sentinel(live)}/app/token", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET,
        "grant_type": "client_credentials"}).json()["access_token"]
    r = requests.get(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills",
                     headers=bearer_headers(token))
    assert r.status_code == 401 and r.json()["error"]["responseStatus"] == "UNAUTHORIZED"


# --- authorization_code -------------------------------------------------------------------------

def authorize(live, http, **params):
    query = {"v": "1.0", "response_type": "code", "client_id": APP_ID, "state": "xyz", **params}
    r = http.get(f"{sentinel(live)}/authorize", params=query, allow_redirects=False)
    return r


def code_of(r):
    assert r.status_code == 302, r.text
    location = urlsplit(r.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == APP_CALLBACK
    return parse_qs(location.query)


def exchange(live, code, **extra):
    return requests.post(f"{sentinel(live)}/token?v=1.0", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "authorization_code",
        "code": code, "redirect_uri": APP_CALLBACK, **extra})


def test_code_flow_gives_a_bearer_the_apis_take(live, http):
    login(live.url, ACCOUNT, *DEMO_ADMIN, session=http)  # the SSO session
    query = code_of(authorize(live, http, redirect_uri=APP_CALLBACK))
    assert query["state"] == ["xyz"]
    r = exchange(live, query["code"][0])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["id_token"]
    claims = decode(live, body["id_token"], APP_ID)
    admin = live.sb.accounts[ACCOUNT].user_by_login(DEMO_ADMIN.login)
    assert claims["sub"] == admin.id and claims["is_admin"] is True and claims["is_lpa"] is False
    assert claims["iss"] == "sentinel" and claims["exp"] - claims["iat"] == 600
    # the access token is a bearer of demo-admin: Account Config reads and writes take it
    bearer = body["access_token"]
    r = requests.get(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills",
                     headers=bearer_headers(bearer))
    assert r.status_code == 200
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills",
                      json={"name": "oauth-made"}, headers=bearer_headers(bearer))
    assert r.status_code == 201
    # ... and so does the Chat Agent API; never another account
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/agentSession", json={},
                      headers=bearer_headers(bearer))
    assert r.status_code == 200
    r = requests.get(f"{live.url}/api/account/{OTHER_ACCOUNT}/configuration/le-users/skills",
                     headers=bearer_headers(bearer))
    assert r.status_code == 401
    # a code is good once
    oauth_error(exchange(live, query["code"][0]), 400, "invalid_grant")

    # refresh: a new access token and refresh token, the old access token is dead
    r = requests.post(f"{sentinel(live)}/token?v=1.0", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "refresh_token",
        "refresh_token": body["refresh_token"]})
    assert r.status_code == 200, r.text
    renewed = r.json()
    assert renewed["access_token"] != bearer and renewed["refresh_token"] != body["refresh_token"]
    assert "id_token" not in renewed
    skills = f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills"
    assert requests.get(skills, headers=bearer_headers(bearer)).status_code == 401
    assert requests.get(skills, headers=bearer_headers(renewed["access_token"])).status_code == 200
    oauth_error(requests.post(f"{sentinel(live)}/token", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "refresh_token",
        "refresh_token": body["refresh_token"]}), 400, "invalid_grant")  # rotated away

    # revoke (the documented body: the refresh token): the session ends everywhere
    r = requests.post(f"{sentinel(live)}/token/revoke?v1.0", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "token": renewed["refresh_token"]})
    assert r.status_code == 200 and r.content == b""
    assert requests.get(skills, headers=bearer_headers(renewed["access_token"])).status_code == 401
    oauth_error(requests.post(f"{sentinel(live)}/token/revoke", headers=FORM, data={
        "client_id": APP_ID, "client_secret": "wrong", "token": "x"}), 401, "invalid_client")


def test_agent_code_gives_a_non_admin(live, http):
    login(live.url, ACCOUNT, *DEMO_AGENT, session=http)
    code = code_of(authorize(live, http))["code"][0]  # one registered redirect_uri: the default
    r = requests.post(f"{sentinel(live)}/token", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "authorization_code",
        "code": code})
    assert r.status_code == 200, r.text
    assert decode(live, r.json()["id_token"], APP_ID)["is_admin"] is False
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/configuration/le-users/skills",
                      json={"name": "nope"}, headers=bearer_headers(r.json()["access_token"]))
    assert r.status_code == 403


def test_code_flow_errors(live, http):
    # no Conversational Cloud session: back to the application with error=login_required
    query = code_of(authorize(live, http))
    assert query["error"] == ["login_required"] and query["state"] == ["xyz"]
    login(live.url, ACCOUNT, *DEMO_AGENT, session=http)
    # errors the application can be told of go back to it
    assert code_of(authorize(live, http, response_type="token"))["error"] == ["unsupported_response_type"]
    assert code_of(authorize(live, http, scope="admin"))["error"] == ["invalid_scope"]
    # an unknown client or redirect_uri is never redirected to: LivePerson's envelope
    r = authorize(live, http, client_id="nobody")
    assert r.status_code == 401 and r.json()["error"]["responseStatus"] == "UNAUTHORIZED"
    r = authorize(live, http, redirect_uri="https://evil.example.com/cb")
    assert r.status_code == 400 and "Location" not in r.headers
    r = http.get(f"{sentinel(live, UNKNOWN_ACCOUNT)}/authorize",
                 params={"response_type": "code", "client_id": APP_ID}, allow_redirects=False)
    assert r.status_code == 401
    # a session of another account does not authorize on this one
    with requests.Session() as other:
        login(live.url, OTHER_ACCOUNT, *SHOP_AGENT, session=other)
        assert code_of(authorize(live, other))["error"] == ["login_required"]
    # the code is bound to its redirect_uri, its client and its lifetime
    code = code_of(authorize(live, http, redirect_uri=APP_CALLBACK))["code"][0]
    oauth_error(exchange(live, code, redirect_uri="http://localhost:3000/other"), 400,
                "invalid_request")
    r = requests.post(f"{sentinel(live)}/token", headers=FORM, data={
        "client_id": APP_ID, "client_secret": APP_SECRET, "grant_type": "authorization_code",
        "code": code})  # redirect_uri was in the authorization request: it is required here
    assert r.status_code == 400
    code = code_of(authorize(live, http))["code"][0]
    live.advance(601)
    oauth_error(exchange(live, code), 400, "invalid_grant")
    oauth_error(exchange(live, "made-up"), 400, "invalid_grant")


def test_pkce(live, http):
    login(live.url, ACCOUNT, *DEMO_AGENT, session=http)
    verifier = "v" * 50
    code = code_of(authorize(live, http, code_challenge=verifier,
                             code_challenge_method="plain"))["code"][0]
    oauth_error(exchange(live, code, code_verifier="w" * 50), 400, "invalid_grant")
    code = code_of(authorize(live, http, code_challenge=verifier,
                             code_challenge_method="plain"))["code"][0]
    assert exchange(live, code, code_verifier=verifier).status_code == 200
