"""API keys (model/oauth1.py), no HTTP: which keys sign, the timestamp window on the sandbox
clock, nonces good once and forgotten after the window (memory stays bounded)."""
import time

import pytest
from oauthlib.oauth1 import Client

from mock_server.model.accounts import AppKeySet
from mock_server.model.clock import ManualClock
from mock_server.model.errors import BadRequest, Unauthorized
from mock_server.model.oauth1 import REPLAY, ApiKeys, keys_of
from mock_server.model.sandbox import Sandbox

from tests.support.constants import ACCOUNT, BOT_ID, PROVISIONING_KEY, REPORTING_KEY

URL = f"http://localhost:8080/api/account/{ACCOUNT}/configuration/le-users/skills?v=2.0"
START = 1_790_000_000.0


@pytest.fixture
def sb():
    return Sandbox(clock=ManualClock(start=START), seed=1)


def sign(key: dict, at: float, nonce: str | None = None, method: str = "GET", url: str = URL):
    client = Client(key["appKey"], key["secret"], key["accessToken"], key["accessTokenSecret"],
                    timestamp=str(int(at)), nonce=nonce)
    _, headers, _ = client.sign(url, method)
    return method, url, headers


def test_account_keys_and_users_key_sets_sign(sb):
    account = sb.accounts[ACCOUNT]
    names = [k.name for k in keys_of(account)]
    assert names[:2] == ["Reporting", "Provisioning"] and "demo-bot" in names
    principal = sb.api_keys.verify(account, *sign(PROVISIONING_KEY, START))
    assert principal.user is None and principal.api_key.name == "Provisioning"
    assert principal.may_write_config and not principal.is_admin
    reporting = sb.api_keys.verify(account, *sign(REPORTING_KEY, START))
    assert not reporting.may_write_config and not reporting.has("accountConfigReadWrite")
    bot = account.users[BOT_ID]
    bot_key = {"appKey": bot.app_keys[0].app_key, "secret": bot.app_keys[0].secret,
               "accessToken": bot.app_keys[0].access_token,
               "accessTokenSecret": bot.app_keys[0].access_token_secret}
    assert sb.api_keys.verify(account, *sign(bot_key, START)).user is bot
    # a key bound with allowedAppKeys has no secrets: it cannot sign
    bot.app_keys.append(AppKeySet("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "", "", ""))
    assert "0f1e2d3c4b5a69788796a5b4c3d2e1f0" not in {k.app_key for k in keys_of(account)}
    bot.enabled = False
    assert "demo-bot" not in [k.name for k in keys_of(account)]


def test_the_window_is_on_the_sandbox_clock_or_the_wall_clock(sb):
    account = sb.accounts[ACCOUNT]
    sb.api_keys.verify(account, *sign(REPORTING_KEY, START + 600))
    sb.api_keys.verify(account, *sign(REPORTING_KEY, START - 600))
    with pytest.raises(Unauthorized) as refused:
        sb.api_keys.verify(account, *sign(REPORTING_KEY, START - 601))
    assert refused.value.internal_code == REPLAY
    sb.api_keys.verify(account, *sign(REPORTING_KEY, time.time()))  # a client on the wall clock


def test_a_nonce_is_good_once_and_forgotten_after_the_window(sb):
    account, clock = sb.accounts[ACCOUNT], sb.clock
    request = sign(REPORTING_KEY, START, nonce="n0000000000000000001")
    sb.api_keys.verify(account, *request)
    with pytest.raises(Unauthorized) as refused:
        sb.api_keys.verify(account, *request)
    assert "nonce_used" in refused.value.message
    store = ApiKeys(clock)
    for n in range(1022):
        store.verify(account, *sign(REPORTING_KEY, START, nonce=f"n{n:019d}"))
    assert len(store._seen) == 1022
    clock.advance(601)  # all of them are out of the window now
    store.verify(account, *sign(REPORTING_KEY, clock.now(), nonce="fresh-one"))
    store.verify(account, *sign(REPORTING_KEY, clock.now(), nonce="fresh-two"))  # the 1024th: a sweep
    assert len(store._seen) == 2


def test_malformed_requests_are_bad_requests(sb):
    account = sb.accounts[ACCOUNT]
    for headers in ({"Authorization": "OAuth oauth_consumer_key=\"x\""},
                    {"Authorization": "OAuth ="}, {"Authorization": "OAuth"}):
        with pytest.raises(BadRequest):
            sb.api_keys.verify(account, "GET", URL, headers)
    method, url, headers = sign(REPORTING_KEY, START)
    with pytest.raises(BadRequest):
        sb.api_keys.verify(account, method, url + "&bad=%zz", headers)
