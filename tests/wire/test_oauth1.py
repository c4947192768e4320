"""API keys: OAuth 1.0a (HMAC-SHA1) header signatures on Account Config, made by requests_oauthlib
as real clients (tap-liveperson) make them; the signature covers the method and URL as sent."""
import time

import pytest
import requests
from oauthlib.oauth1 import Client

from tests.support.constants import (ACCOUNT, BOT_APP_KEYS, BOT_ID, HUMAN_SKILL_ID, OTHER_ACCOUNT,
                                     PROVISIONING_KEY, REPORTING_KEY, SHOP_REPORTING_KEY)
from tests.support.server import start, stop
from tests.support.wire import ApiKeyAuth, assert_envelope, bearer_headers, login

CONFIG = f"/api/account/{ACCOUNT}/configuration"


def signed(url: str, key: dict, method: str = "GET", clock=None, **kwargs) -> requests.PreparedRequest:
    """A request signed with `key`, ready to send (or to tamper with first)."""
    prepared = requests.Request(method, url, auth=ApiKeyAuth(key, clock), **kwargs).prepare()
    header = prepared.headers["Authorization"]  # requests_oauthlib sets it as bytes
    prepared.headers["Authorization"] = header.decode() if isinstance(header, bytes) else header
    return prepared


def send(prepared: requests.PreparedRequest) -> requests.Response:
    with requests.Session() as session:
        return session.send(prepared, timeout=60)


def test_a_good_signature_reads_skills_and_users_with_the_json_suffix(live):
    base = f"{live.url}{CONFIG}"
    skills = requests.get(f"{base}/le-users/skills.json?v=2.0", auth=ApiKeyAuth(REPORTING_KEY))
    assert skills.status_code == 200 and skills.headers["ETag"]
    assert HUMAN_SKILL_ID in {str(s["id"]) for s in skills.json()}
    users = requests.get(f"{base}/le-users/users.json?v=4.0&select=$all",
                         auth=ApiKeyAuth(REPORTING_KEY))
    assert users.status_code == 200 and BOT_ID in {u["id"] for u in users.json()}
    xml = requests.get(f"{base}/le-users/users.xml", auth=ApiKeyAuth(REPORTING_KEY))
    assert xml.status_code == 200 and xml.text.startswith("<?xml") and "<loginName>" in xml.text


def test_the_query_string_is_signed(live):
    url = f"{live.url}{CONFIG}/le-users/skills?v=2.0&include_deleted=true&select=id,name"
    assert send(signed(url, REPORTING_KEY)).status_code == 200
    tampered = signed(url, REPORTING_KEY)
    tampered.url = tampered.url.replace("include_deleted=true", "include_deleted=false")
    error = assert_envelope(send(tampered), 401, 3)
    assert "signature_invalid" in error["message"]


def test_method_override_is_signed_as_the_post_it_is(live):
    url = f"{live.url}{CONFIG}/le-users/skills/{HUMAN_SKILL_ID}.json?v=2.0"
    override = {"X-HTTP-Method-Override": "PUT"}
    r = requests.post(url, json={"description": "Signed humans"}, headers=override,
                      auth=ApiKeyAuth(PROVISIONING_KEY))
    assert r.status_code == 200 and r.json()["description"] == "Signed humans"
    # signed as PUT, sent as POST: the signature is over another method
    key = PROVISIONING_KEY
    client = Client(key["appKey"], key["secret"], key["accessToken"], key["accessTokenSecret"])
    _, headers, _ = client.sign(url, "PUT")
    r = requests.post(url, json={"description": "x"}, headers={**headers, **override})
    assert_envelope(r, 401, 3)
    skill = requests.get(url, auth=ApiKeyAuth(REPORTING_KEY)).json()
    assert skill["description"] == "Signed humans"  # the refused write changed nothing


def test_tampered_signature_wrong_secret_and_unknown_key_are_401(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    tampered = signed(url, REPORTING_KEY)
    header = tampered.headers["Authorization"]
    start_at = header.index('oauth_signature="') + len('oauth_signature="')
    flipped = "A" if header[start_at] != "A" else "B"
    tampered.headers["Authorization"] = header[:start_at] + flipped + header[start_at + 1:]
    assert "signature_invalid" in assert_envelope(send(tampered), 401, 3)["message"]
    for key in ({**REPORTING_KEY, "secret": "0" * 16}, {**REPORTING_KEY, "accessTokenSecret": "0" * 16}):
        assert_envelope(requests.get(url, auth=ApiKeyAuth(key)), 401, 3)
    for key in ({**REPORTING_KEY, "appKey": "f" * 32}, {**REPORTING_KEY, "accessToken": "f" * 32}):
        error = assert_envelope(requests.get(url, auth=ApiKeyAuth(key)), 401, 3)
        assert "consumer_key_unknown" in error["message"]


def test_stale_timestamps_are_401_on_the_sandbox_clock(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    # the test sandbox's clock is far from the wall clock: either clock's time is accepted
    assert requests.get(url, auth=ApiKeyAuth(REPORTING_KEY, live.clock)).status_code == 200
    early = signed(url, REPORTING_KEY, clock=live.clock)
    assert requests.post(f"{live.url}/_sandbox/clock/advance", json={"seconds": 601}).status_code == 200
    error = assert_envelope(send(early), 401, 12)
    assert "timestamp_refused" in error["message"]

    class At:  # a client whose clock is an hour ahead of both
        def __init__(self, t):
            self.t = t

        def now(self):
            return self.t

    for offset in (-3600, 3600):
        ahead = At(live.clock.now() + offset)
        assert_envelope(requests.get(url, auth=ApiKeyAuth(REPORTING_KEY, ahead)), 401, 12)
    assert requests.get(url, auth=ApiKeyAuth(REPORTING_KEY, At(live.clock.now() - 599))).status_code == 200


def test_a_nonce_is_good_once(live):
    prepared = signed(f"{live.url}{CONFIG}/le-users/skills", REPORTING_KEY)
    assert send(prepared).status_code == 200
    error = assert_envelope(send(prepared.copy()), 401, 12)
    assert "nonce_used" in error["message"]
    # a nonce refused for its signature is not spent: only accepted requests use theirs up
    key, now = REPORTING_KEY, str(int(time.time()))
    client = Client(key["appKey"], "wrong-secret", key["accessToken"], key["accessTokenSecret"],
                    nonce="0123456789abcdef0123", timestamp=now)
    url = f"{live.url}{CONFIG}/le-agents/status-reasons"
    assert_envelope(requests.get(url, headers=client.sign(url)[1]), 401, 3)
    client = Client(key["appKey"], key["secret"], key["accessToken"], key["accessTokenSecret"],
                    nonce="0123456789abcdef0123", timestamp=now)
    assert requests.get(url, headers=client.sign(url)[1]).status_code == 200


def test_a_key_is_good_on_its_own_account_only(live):
    own = f"{live.url}/api/account/{OTHER_ACCOUNT}/configuration/le-users/skills"
    assert requests.get(own, auth=ApiKeyAuth(SHOP_REPORTING_KEY)).status_code == 200
    assert_envelope(requests.get(f"{live.url}{CONFIG}/le-users/skills",
                                 auth=ApiKeyAuth(SHOP_REPORTING_KEY)), 401, 3)
    assert_envelope(requests.get(own, auth=ApiKeyAuth(REPORTING_KEY)), 401, 3)


def test_writes_need_the_read_write_permission_or_an_administrator(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    r = requests.post(url, json={"name": "by-reporting"}, auth=ApiKeyAuth(REPORTING_KEY))
    assert_envelope(r, 403, 90)
    r = requests.post(url, json={"name": "by-bot"}, auth=ApiKeyAuth(BOT_APP_KEYS))  # a bot's set
    assert_envelope(r, 403, 90)
    # JSON bodies are not signed (requests_oauthlib signs form bodies only)
    r = requests.post(f"{url}?v=2.0", json={"name": "by-provisioning"}, auth=ApiKeyAuth(PROVISIONING_KEY))
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/skills/{r.json()['id']}")
    names = {s["name"] for s in requests.get(url, auth=ApiKeyAuth(REPORTING_KEY)).json()}
    assert "by-provisioning" in names and not names & {"by-reporting", "by-bot"}
    # a user deleted by an API key: no acting user, so no "cannot delete themself" rule
    users = f"{live.url}{CONFIG}/le-users/users"
    new = requests.post(users, json={"loginName": "temp", "fullName": "T", "nickname": "T",
                                     "passwordSh": "pw"}, auth=ApiKeyAuth(PROVISIONING_KEY)).json()
    assert requests.delete(f"{users}/{new['id']}", auth=ApiKeyAuth(PROVISIONING_KEY)).status_code == 200


def test_a_users_key_set_acts_as_the_user_until_it_is_disabled(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    assert requests.get(url, auth=ApiKeyAuth(BOT_APP_KEYS)).status_code == 200
    admin = bearer_headers(login(live.url, ACCOUNT, "demo-admin", "demo-admin-pass")["bearer"])
    r = requests.put(f"{live.url}{CONFIG}/le-users/users/{BOT_ID}", json={"isEnabled": False},
                     headers=admin)
    assert r.status_code == 200
    assert_envelope(requests.get(url, auth=ApiKeyAuth(BOT_APP_KEYS)), 401, 3)


def test_form_bodies_are_signed(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    prepared = signed(url, PROVISIONING_KEY, "POST", data={"name": "formed"}, headers=form)
    # the signature holds, so the view runs: it wants JSON
    assert_envelope(send(prepared), 400, 1)
    tampered = signed(url, PROVISIONING_KEY, "POST", data={"name": "formed"}, headers=form)
    tampered.body = "name=changed"
    tampered.headers["Content-Length"] = str(len(tampered.body))
    assert_envelope(send(tampered), 401, 3)


def test_the_path_is_verified_as_sent(live):
    # %21 stays encoded on the wire; the route sees "x!" and finds no such skill
    url = f"{live.url}{CONFIG}/le-users/skills/x%21.json"
    assert_envelope(requests.get(url, auth=ApiKeyAuth(REPORTING_KEY)), 404, 82)


def test_malformed_oauth_is_400_and_no_credentials_401(live):
    url = f"{live.url}{CONFIG}/le-users/skills"
    assert_envelope(requests.get(url), 401, 2)
    for header in ("OAuth", "OAuth garbage", 'OAuth oauth_consumer_key="a", oauth_consumer_key="b"',
                   'OAuth oauth_consumer_key="09dd9db69fcf705541ac7b66cab3d6a3"', "OAuth \x7f=\x01"):
        assert_envelope(requests.get(url, headers={"Authorization": header}), 400, 1)
    for method in ("PLAINTEXT", "RSA-SHA1", "HMAC-SHA256"):  # LivePerson documents HMAC-SHA1
        prepared = signed(url, REPORTING_KEY)
        prepared.headers["Authorization"] = prepared.headers["Authorization"].replace(
            'oauth_signature_method="HMAC-SHA1"', f'oauth_signature_method="{method}"')
        assert_envelope(send(prepared), 400, 1)
    key = REPORTING_KEY
    no_token = Client(key["appKey"], key["secret"])
    assert_envelope(requests.get(url, headers=no_token.sign(url)[1]), 400, 1)
    # hostile URLs and headers never reach a 500
    for query in ("%zz", "a=%ff%fe", "\u00e9=1", "x=" + "%00" * 10):
        r = requests.get(f"{url}?{query}", auth=ApiKeyAuth(REPORTING_KEY))
        assert r.status_code in (200, 400, 401), r.text


def test_bearers_still_work_with_the_same_rules(live):
    bearer = login(live.url, ACCOUNT, "demo-agent", "demo-agent-pass")["bearer"]
    url = f"{live.url}{CONFIG}/le-users/skills"
    assert requests.get(url, headers=bearer_headers(bearer)).status_code == 200
    assert_envelope(requests.post(url, json={"name": "nope"}, headers=bearer_headers(bearer)), 403, 90)
    other = f"{live.url}/api/account/{OTHER_ACCOUNT}/configuration/le-users/skills"
    assert_envelope(requests.get(other, headers=bearer_headers(bearer)), 401, 2)


def test_the_domain_api_answers_signed_lookups(live):
    # tap-liveperson signs its CSDS lookups; the Domain API needs no credential and takes them
    for path in (f"/api/account/{ACCOUNT}/service/accountConfigReadOnly/baseURI.json?version=1.0",
                 f"/api/account/{ACCOUNT}/service/baseURI.json?version=1.0",
                 f"/csdr/account/{ACCOUNT}/service/accountConfigReadOnly/baseURI.xml"):
        for key in (REPORTING_KEY, {**REPORTING_KEY, "secret": "wrong"}):
            r = requests.get(f"{live.url}{path}", auth=ApiKeyAuth(key))
            assert r.status_code == 200 and live.host in r.text


def test_signatures_verify_on_the_cli_server(tmp_path):
    """gevent's server keeps no raw path of its own: the sandbox records it (RAW_URI)."""
    proc, url, _ = start([], tmp_path)
    try:
        base = f"{url}{CONFIG}/le-users/skills"
        assert requests.get(f"{base}.json?v=2.0&include_deleted=true",
                            auth=ApiKeyAuth(REPORTING_KEY)).status_code == 200
        assert_envelope(requests.get(f"{base}/x%21.json", auth=ApiKeyAuth(REPORTING_KEY)), 404, 82)
        r = requests.post(f"{base}/{HUMAN_SKILL_ID}.json", json={"description": "cli"},
                          headers={"X-HTTP-Method-Override": "PUT"}, auth=ApiKeyAuth(PROVISIONING_KEY))
        assert r.status_code == 200 and r.json()["description"] == "cli"
    finally:
        stop(proc)


@pytest.mark.parametrize("path", ["le-users/agentGroups", "le-agents/status-reasons"])
def test_what_reporting_clients_read_is_signed_too(live, path):
    r = requests.get(f"{live.url}{CONFIG}/{path}?include_deleted=true", auth=ApiKeyAuth(REPORTING_KEY))
    assert r.status_code == 200 and isinstance(r.json(), list) and r.json()
