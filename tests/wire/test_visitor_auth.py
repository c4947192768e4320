"""Server Chat API, Visitor Authentication (`conversation.json`) and authenticated chat.

The brand's token (ssoKey, RS256, the account's configured key and issuer) gives a participantId
and conversationId; the chat request carrying them gets the token's identity; an authenticated
engagement refuses chats without them. Bad tokens and bad bodies are 400/401 envelopes."""
import copy

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mock_server.model.seed import ConfigError, build_accounts, load_config
from mock_server.model.ids import IdGenerator

from tests.support.constants import (ACCOUNT, APP_ID, BOT_ENGAGEMENT_ID, BOT_SKILL, DEMO_AGENT,
                                     HUMAN_ENGAGEMENT_ID, HUMAN_SKILL, UNKNOWN_ACCOUNT)
from tests.support.server import START, serve
from tests.support.wire import accept, agent, bearer_headers, consumer_headers

ISSUER = "https://idp.example.com"
CONNECTOR = "568046210"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def config(public_key=PUBLIC_PEM):
    data = copy.deepcopy(load_config())
    account = next(a for a in data["accounts"] if a["id"] == ACCOUNT)
    account["authentication"] = {"connectorId": CONNECTOR, "issuer": ISSUER,
                                 "jwtPublicKey": public_key}
    account["campaigns"][0]["engagements"].append(
        {"id": "5001009", "name": "Signed-in customers", "skill": HUMAN_SKILL,
         "authenticated": True})
    return data


@pytest.fixture
def auth_live():
    with serve(config(), seed=99) as server:
        yield server


def sso_key(key=KEY, **claims):
    now = int(START)
    body = {"sub": "cust-4255551212", "iss": ISSUER, "iat": now, "exp": now + 3600,
            "given_name": "Jane", "family_name": "Doe", "email": "jane@example.com",
            "phone_number": "+1-425-555-1212",
            "lp_sdes": [{"type": "ctmrinfo", "info": {"customerId": "138766AC", "ctype": "vip"}}],
            **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, key, algorithm="RS256")


def authenticate(live, key=None, **body):
    payload = {"authChatConnId": int(CONNECTOR), "ssoKey": key or sso_key(),
               "engagementId": 5001009, "LETagContextId": "2",
               "LETagSessionId": "90o5l5twRUGu1rN7bzwNMA", "LETagVisitorId": "RiM2JlOTcwOGIxZmNiNTk4",
               **body}
    payload = {k: v for k, v in payload.items() if v is not None}
    return requests.post(f"{live.url}/api/account/{ACCOUNT}/conversation.json?v=1&NC=true",
                         json=payload, headers=consumer_headers())


def chat_request(live, **fields):
    return requests.post(f"{live.url}/api/account/{ACCOUNT}/chat/request?v=1&NC=true",
                         json={"request": fields}, headers=consumer_headers())


def envelope(r, status, code):
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["internalCode"] == code and error["message"]
    return error


def test_authenticated_chat_carries_the_token_identity(auth_live):
    r = authenticate(auth_live)
    assert r.status_code == 200, r.text
    pair = r.json()
    assert set(pair) == {"participantId", "conversationId"}
    assert len(pair["participantId"]) == 36 and pair["participantId"].count("-") == 4
    bearer, session_url = agent(auth_live.url, ACCOUNT, *DEMO_AGENT)
    r = chat_request(auth_live, engagementId="5001009", **pair)
    assert r.status_code == 200, r.text
    accept(session_url, bearer)
    chat_url = r.headers["Location"].replace(f"/api/account/{ACCOUNT}/chat/",
                                             f"/api/account/{ACCOUNT}/agentSession/"
                                             f"{session_url.rsplit('/', 1)[1]}/chat/")
    chat = requests.get(chat_url, headers=bearer_headers(bearer)).json()["chat"]
    visit_url = next(l["@href"] for l in chat["link"] if l["@rel"] == "visit-id")
    visit = requests.get(visit_url, headers=bearer_headers(bearer)).json()["visit"]
    assert visit["authentication"]["customerId"] == "cust-4255551212"
    assert visit["authentication"]["issuer"] == ISSUER
    assert visit["authentication"]["claims"]["lp_sdes"][0]["info"]["ctype"] == "vip"
    assert visit["visitorInfo"]["name"] == "Jane Doe"
    assert visit["visitorInfo"]["email"] == "jane@example.com"
    assert visit["visitorInfo"]["phone"] == "+1-425-555-1212"
    # the pair is good for one chat
    envelope(chat_request(auth_live, engagementId="5001009", **pair), 400, 25)


def test_authenticated_engagement_needs_the_pair(auth_live):
    envelope(chat_request(auth_live, engagementId="5001009"), 400, 24)
    pair = authenticate(auth_live).json()
    envelope(chat_request(auth_live, engagementId="5001009", participantId=pair["participantId"]),
             400, 25)
    envelope(chat_request(auth_live, engagementId="5001009", participantId=pair["participantId"],
                          conversationId="ff0ff4f4-29ec-4eff-82d0-4f047cdc01a0"), 400, 25)
    # an unauthenticated engagement works as before; the pair may be used there too
    assert chat_request(auth_live, engagementId=BOT_ENGAGEMENT_ID).status_code == 200
    assert chat_request(auth_live, skill=BOT_SKILL, **pair).status_code == 200


def test_the_pair_expires_with_the_token(auth_live):
    pair = authenticate(auth_live, key=sso_key(exp=int(START) + 60)).json()
    auth_live.advance(61)
    envelope(chat_request(auth_live, engagementId="5001009", **pair), 400, 25)


@pytest.mark.parametrize("claims", [
    {"iss": "https://other.example.com"}, {"exp": int(START) - 1}, {"iat": int(START) + 3600},
    {"nbf": int(START) + 3600}, {"sub": None}, {"iss": None}, {"exp": None}, {"iat": None},
    {"sub": ""}, {"exp": "tomorrow"}])
def test_bad_tokens_are_401(auth_live, claims):
    envelope(authenticate(auth_live, key=sso_key(**claims)), 401, 102)


def test_forged_and_odd_tokens_are_401(auth_live):
    envelope(authenticate(auth_live, key=sso_key(key=OTHER_KEY)), 401, 102)  # another signer
    unsigned = jwt.encode({"sub": "x", "iss": ISSUER, "iat": int(START), "exp": int(START) + 60},
                          None, algorithm="none")
    envelope(authenticate(auth_live, key=unsigned), 401, 102)
    hmac = jwt.encode({"sub": "x", "iss": ISSUER, "iat": int(START), "exp": int(START) + 60},
                      PUBLIC_PEM.encode().ljust(32, b"k")[:64], algorithm="HS256")
    envelope(authenticate(auth_live, key=hmac), 401, 102)  # the public key used as an HMAC secret
    envelope(authenticate(auth_live, key="a.b.c.d.e"), 401, 102)  # JWE: not served
    envelope(authenticate(auth_live, key="k12197"), 401, 102)  # a code-flow code: not served
    envelope(authenticate(auth_live, key="a.b.c"), 401, 102)


def test_bad_bodies(auth_live):
    envelope(authenticate(auth_live, authChatConnId=1), 400, 101)
    envelope(authenticate(auth_live, authChatConnId=None), 400, 101)
    envelope(authenticate(auth_live, authChatConnId=True), 400, 101)
    envelope(authenticate(auth_live, ssoKey=None), 400, 102)
    r = authenticate(auth_live, ssoKey="")
    assert r.status_code == 400
    envelope(authenticate(auth_live, ssoKey=123), 400, 102)
    envelope(authenticate(auth_live, engagementId=123), 400, 21)
    envelope(authenticate(auth_live, LETagVisitorId="a\nb"), 400, 103)
    assert authenticate(auth_live, authChatConnId=CONNECTOR, engagementId=None).status_code == 200
    url = f"{auth_live.url}/api/account/{ACCOUNT}/conversation.json"
    envelope(requests.post(url, data=b"{", headers=consumer_headers()), 400, 1)
    envelope(requests.post(url, json=[1], headers=consumer_headers()), 400, 1)
    # the Server Chat API's app key is required; the account must exist
    r = requests.post(url, json={"ssoKey": sso_key()}, headers={"Content-Type": "application/json"})
    envelope(r, 401, 2)
    r = requests.post(url.replace(ACCOUNT, UNKNOWN_ACCOUNT), json={}, headers=consumer_headers())
    assert r.status_code == 404


def test_account_without_authentication(live):
    r = requests.post(f"{live.url}/api/account/{ACCOUNT}/conversation.json",
                      json={"authChatConnId": int(CONNECTOR), "ssoKey": sso_key()},
                      headers=consumer_headers())
    envelope(r, 400, 100)


def test_xml_answer(auth_live):
    r = requests.post(f"{auth_live.url}/api/account/{ACCOUNT}/conversation.xml",
                      json={"authChatConnId": CONNECTOR, "ssoKey": sso_key()},
                      headers=consumer_headers())
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/xml")
    assert "<participantId>" in r.text


def test_a_bad_configured_key_is_a_config_error():
    with pytest.raises(ConfigError):
        build_accounts(config(public_key="not a key"), IdGenerator(1))
    bare = "".join(PUBLIC_PEM.strip().splitlines()[1:-1])  # base64 X.509, as LivePerson's form
    assert build_accounts(config(public_key=bare), IdGenerator(1))[ACCOUNT].authentication


def test_monitoring_gives_the_connector_of_authenticated_engagements(auth_live):
    agent(auth_live.url, ACCOUNT, *DEMO_AGENT)
    r = requests.post(f"{auth_live.url}/api/account/{ACCOUNT}/app/{APP_ID}/engagement?v=1.0", json={})
    details = {d["engagementId"]: d for d in r.json()["engagementDetails"]}
    assert details[5001009]["connectorId"] == int(CONNECTOR)
    assert "connectorId" not in details[int(HUMAN_ENGAGEMENT_ID)]
