"""Refused writes change nothing (Account Config, chat requests, transfers), and the Warning
header never carries raw user data: every check over the wire, state compared by GET."""
import http.client
import json
import re
from urllib.parse import unquote

import pytest
import requests

from tests.support.constants import (ACCOUNT, ADMIN_ID, AGENT_ID, BOT_APP_KEYS, BOT_ENGAGEMENT_ID, BOT_ID,
                                     BOT_SKILL, BOT_SKILL_ID, CAMPAIGN_ID, DEMO_ADMIN, DEMO_AGENT, DEMO_BOT,
                                     HUMAN_SKILL, HUMAN_SKILL_ID)
from tests.support.server import LiveSandbox, serve
from tests.support.wire import (JSON, accept, agent, assert_envelope, bearer_headers, consumer_headers, login,
                                request_chat, say)

SKILLS, USERS = "le-users/skills", "le-users/users"
CAMPAIGNS = "le-campaigns/campaigns"
ENGAGEMENTS = f"{CAMPAIGNS}/{CAMPAIGN_ID}/engagements"


@pytest.fixture(scope="module")
def shared():
    """One sandbox for every refused request of this module: none of them may change it."""
    with serve() as server:
        yield server


class Config:
    """Bearer headers of an administrator and of a plain agent, and the configuration URL."""

    def __init__(self, server: LiveSandbox):
        self.server = server
        self.base = f"{server.url}/api/account/{ACCOUNT}/configuration"
        self.admin = bearer_headers(login(server.url, ACCOUNT, *DEMO_ADMIN)["bearer"])
        self.agent = bearer_headers(login(server.url, ACCOUNT, *DEMO_AGENT)["bearer"])

    def headers(self, who: str) -> dict:
        """admin, agent (not an administrator) or stale (admin with an old If-Match)."""
        return {"admin": self.admin, "agent": self.agent,
                "stale": {**self.admin, "If-Match": "0"}}[who]

    def snapshot(self) -> dict:
        """Every collection (deleted items too) and every campaign's engagements, with revisions."""
        out = {}
        for path in (SKILLS, USERS, CAMPAIGNS):
            r = requests.get(f"{self.base}/{path}?include_deleted=true", headers=self.admin)
            assert r.status_code == 200
            out[path] = (r.json(), r.headers["ac-revision"], r.headers["ETag"])
        for campaign in out[CAMPAIGNS][0]:
            path = f"{CAMPAIGNS}/{campaign['id']}/engagements"
            r = requests.get(f"{self.base}/{path}?include_deleted=true", headers=self.admin)
            out[path] = (r.json(), r.headers["ac-revision"])
        return out

    def send(self, method: str, path: str, body, who: str = "admin") -> requests.Response:
        return requests.request(method, f"{self.base}/{path}", json=body, headers=self.headers(who))


@pytest.fixture(scope="module")
def config(shared):
    return Config(shared)


def refused(config: Config, method: str, path: str, body, who: str, status: int) -> None:
    """Send a request that must be refused; the whole configuration must be as it was."""
    before = config.snapshot()
    assert_envelope(config.send(method, path, body, who), status)
    assert config.snapshot() == before


def case(body, who="admin", status=400, name=None):
    return pytest.param(body, who, status, id=name)


NEW_USER = {"loginName": "new-user", "fullName": "New User", "nickname": "New", "passwordSh": "pw",
            "skillIds": [int(HUMAN_SKILL_ID)], "email": "new@example.com"}


def user(**fields):
    """NEW_USER with some fields replaced (None: left out)."""
    out = {**NEW_USER, **fields}
    return {k: v for k, v in out.items() if v is not None}


# --- skills ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, who, status", [
    case({"name": 123}, name="name-not-a-string"),
    case({}, name="name-missing"),
    case({"name": "   "}, name="name-blank"),
    case({"name": BOT_SKILL}, name="duplicate-name"),
    case({"name": f" {BOT_SKILL} "}, name="duplicate-name-after-trim"),
    case({"name": "two\r\nlines"}, name="name-crlf"),
    case({"name": "nul\x00"}, name="name-nul"),
    case({"name": "x" * 256}, name="name-too-long"),
    case({"name": "ok-1", "description": ["x"]}, name="description-not-a-string"),
    case({"name": "ok-2", "maxWaitTime": "soon"}, name="maxWaitTime-not-a-number"),
    case({"name": "ok-3", "maxWaitTime": -1}, name="maxWaitTime-negative"),
    case({"name": "ok-4", "maxWaitTime": "٣"}, name="maxWaitTime-arabic-digit"),
    case({"name": "ok-5", "canTransfer": "yes"}, name="canTransfer-bad-boolean"),
    case({"name": "ok-6", "skillTransferList": BOT_SKILL_ID}, name="transfer-list-not-a-list"),
    case({"name": "ok-7", "skillTransferList": [999]}, status=404, name="transfer-list-unknown-skill"),
    case({"name": "ok-8", "skillTransferList": [True]}, name="transfer-list-boolean-id"),
    case([{"name": "ok-9"}, {"name": 5}], name="bulk-one-bad-item"),
    case([{"name": "ok-10"}, {"name": "ok-10"}], name="bulk-duplicate-names"),
    case([{"name": "ok-11"}, {"name": HUMAN_SKILL}], name="bulk-duplicate-of-existing"),
    case([{"name": "ok-12"}, "ok-13"], name="bulk-item-not-an-object"),
    case([], name="bulk-empty"),
    case([{"name": f"many-{i}"} for i in range(101)], name="bulk-too-many"),
    case({"name": "ok-14"}, who="agent", status=403, name="non-admin"),
    case({"name": "ok-15"}, who="stale", status=412, name="stale-if-match"),
])
def test_refused_skill_create(config, body, who, status):
    refused(config, "POST", SKILLS, body, who, status)


@pytest.mark.parametrize("body, who, status", [
    case({"description": "changed", "canTransfer": "maybe"}, name="bad-boolean"),
    case({"description": "changed", "name": ""}, name="name-blank"),
    case({"description": "changed", "name": 5}, name="name-not-a-string"),
    case({"description": "changed", "name": BOT_SKILL}, name="duplicate-name"),
    case({"description": "changed", "maxWaitTime": 10**30}, name="maxWaitTime-absurd"),
    case({"description": "changed", "skillTransferList": [int(BOT_SKILL_ID), 999]}, status=404,
         name="transfer-list-unknown-skill"),
    case({"description": "tab\there"}, name="description-control-character"),
    case({"description": "changed"}, who="agent", status=403, name="non-admin"),
    case({"description": "changed"}, who="stale", status=412, name="stale-if-match"),
])
def test_refused_skill_update(config, body, who, status):
    refused(config, "PUT", f"{SKILLS}/{HUMAN_SKILL_ID}", body, who, status)


def test_refused_skill_update_of_an_unknown_skill(config):
    refused(config, "PUT", f"{SKILLS}/999", {"description": "x"}, "admin", 404)


@pytest.mark.parametrize("path, who, status", [
    (f"{SKILLS}/{HUMAN_SKILL_ID}", "agent", 403), (f"{SKILLS}/{HUMAN_SKILL_ID}", "stale", 412),
    (f"{SKILLS}/999", "admin", 404)])
def test_refused_skill_delete(config, path, who, status):
    refused(config, "DELETE", path, None, who, status)


# --- users ----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, who, status", [
    case(user(loginName=None), name="loginName-missing"),
    case(user(loginName=DEMO_AGENT.login), name="duplicate-loginName"),
    case(user(loginName=42), name="loginName-not-a-string"),
    case(user(loginName="a\nb"), name="loginName-lf"),
    case(user(fullName=None), name="fullName-missing"),
    case(user(nickname=5), name="nickname-not-a-string"),
    case(user(nickname="x" * 256), name="nickname-too-long"),
    case(user(passwordSh=123), name="password-not-a-string"),
    case(user(passwordSh=None), name="no-credentials"),
    case(user(isEnabled="yes"), name="isEnabled-bad-boolean"),
    case(user(maxChats="many"), name="maxChats-not-a-number"),
    case(user(maxChats=-5), name="maxChats-negative"),
    case(user(maxChats="²"), name="maxChats-superscript-digit"),
    case(user(userTypeId=3), name="userTypeId-unknown"),
    case(user(userTypeId=[]), name="userTypeId-a-list"),
    case(user(userTypeId=True), name="userTypeId-boolean"),
    case(user(skillIds=[999]), status=404, name="unknown-skill-id"),
    case(user(skillIds=HUMAN_SKILL_ID), name="skillIds-not-a-list"),
    case(user(skillIds=[True]), name="skillIds-boolean"),
    case(user(skillIds=[{"id": int(HUMAN_SKILL_ID)}]), name="skillIds-object"),
    case(user(allowedAppKeys=["k"]), name="appKeys-not-a-string"),
    case(user(allowedAppKeys="bad key!"), name="appKeys-bad-characters"),
    case(user(email="not-an-email"), name="email-malformed"),
    case(user(email=5), name="email-not-a-string"),
    case(user(pictureUrl="javascript:alert(1)"), name="pictureUrl-javascript"),
    case(user(), who="agent", status=403, name="non-admin"),
    case(user(), who="stale", status=412, name="stale-if-match"),
])
def test_refused_user_create(config, body, who, status):
    refused(config, "POST", USERS, body, who, status)


def _logs_in(server, username: str, password: str) -> int:
    r = requests.post(f"{server.url}/api/account/{ACCOUNT}/login?v=1.3",
                      json={"username": username, "password": password}, headers=JSON)
    return r.status_code


@pytest.mark.parametrize("body, who, status", [
    case({"fullName": 5}, name="fullName-not-a-string"),
    case({"nickname": ""}, name="nickname-blank"),
    case({"isEnabled": "no way"}, name="isEnabled-bad-boolean"),
    case({"maxChats": "lots"}, name="maxChats-not-a-number"),
    case({"skillIds": [int(BOT_SKILL_ID), 999]}, status=404, name="unknown-skill-id"),
    case({"loginName": DEMO_BOT.login}, name="duplicate-loginName"),
    case({"email": "x"}, name="email-malformed"),
    case({"pictureUrl": "data:image/png;base64,AAAA"}, name="pictureUrl-data"),
    case({"userTypeId": 9}, name="userTypeId-unknown"),
    case({"nickname": "Alex\r\nSet-Cookie: x=1"}, name="nickname-crlf"),
    case({"fullName": "New name"}, who="agent", status=403, name="non-admin"),
    case({"fullName": "New name"}, who="stale", status=412, name="stale-if-match"),
])
def test_refused_user_update_keeps_the_password(config, body, who, status):
    # Each body also changes the password (and names, skills...): none of it may stick.
    refused(config, "PUT", f"{USERS}/{AGENT_ID}",
            {"passwordSh": "new-pass", "fullName": "Changed", "skillIds": [int(BOT_SKILL_ID)], **body}, who, status)
    assert _logs_in(config.server, *DEMO_AGENT) == 200
    assert _logs_in(config.server, DEMO_AGENT.login, "new-pass") == 401


def test_refused_user_update_of_an_unknown_user(config):
    refused(config, "PUT", f"{USERS}/999", {"passwordSh": "new-pass"}, "admin", 404)


def test_refused_user_update_keeps_the_app_keys(config):
    new_key = "f" * 32
    refused(config, "PUT", f"{USERS}/{BOT_ID}", {"allowedAppKeys": new_key, "maxChats": "lots"}, "admin", 400)
    url = f"{config.server.url}/api/account/{ACCOUNT}/login?v=1.3"
    new = requests.post(url, json={"username": DEMO_BOT.login, "appKey": new_key}, headers=JSON)
    assert new.status_code == 401
    assert requests.post(url, json={"username": DEMO_BOT.login, **BOT_APP_KEYS}, headers=JSON).status_code == 200


@pytest.mark.parametrize("path, who, status", [
    (f"{USERS}/{ADMIN_ID}", "admin", 400),  # the administrator itself
    (f"{USERS}/{AGENT_ID}", "agent", 403), (f"{USERS}/{AGENT_ID}", "stale", 412), (f"{USERS}/999", "admin", 404)])
def test_refused_user_delete(config, path, who, status):
    refused(config, "DELETE", path, None, who, status)
    assert _logs_in(config.server, *DEMO_AGENT) == 200
    assert _logs_in(config.server, *DEMO_ADMIN) == 200


# --- campaigns and engagements ----------------------------------------------------------------

@pytest.mark.parametrize("body, who, status", [
    case({}, name="name-missing"),
    case({"name": 5}, name="name-not-a-string"),
    case({"name": "Draft", "status": 7}, name="status-out-of-range"),
    case({"name": "Draft", "status": True}, name="status-boolean"),
    case({"name": "Draft", "status": "published"}, name="status-not-a-number"),
    case({"name": "Draft", "description": ["d"]}, name="description-not-a-string"),
    case({"name": "esc\x1b[31m"}, name="name-escape-sequence"),
    case({"name": "Draft"}, who="agent", status=403, name="non-admin"),
    case({"name": "Draft"}, who="stale", status=412, name="stale-if-match"),
])
def test_refused_campaign_create(config, body, who, status):
    refused(config, "POST", CAMPAIGNS, body, who, status)


@pytest.mark.parametrize("body, who, status", [
    case({"name": "Renamed", "status": 7}, name="status-out-of-range"),
    case({"name": "Renamed", "status": "1.5"}, name="status-not-whole"),
    case({"name": "", "status": 0}, name="name-blank"),
    case({"name": "Renamed", "description": 5}, name="description-not-a-string"),
    case({"name": "Renamed"}, who="agent", status=403, name="non-admin"),
    case({"name": "Renamed"}, who="stale", status=412, name="stale-if-match"),
])
def test_refused_campaign_update(config, body, who, status):
    refused(config, "PUT", f"{CAMPAIGNS}/{CAMPAIGN_ID}", body, who, status)


@pytest.mark.parametrize("path, who, status", [
    (f"{CAMPAIGNS}/{CAMPAIGN_ID}", "agent", 403), (f"{CAMPAIGNS}/{CAMPAIGN_ID}", "stale", 412),
    (f"{CAMPAIGNS}/999", "admin", 404)])
def test_refused_campaign_delete(config, path, who, status):
    refused(config, "DELETE", path, None, who, status)


NEW_ENGAGEMENT = {"name": "New chat", "skillId": int(HUMAN_SKILL_ID)}


@pytest.mark.parametrize("body, who, status", [
    case({**NEW_ENGAGEMENT, "enabled": "yes"}, name="enabled-bad-boolean"),
    case({**NEW_ENGAGEMENT, "skillId": 999}, status=404, name="unknown-skill-id"),
    case({**NEW_ENGAGEMENT, "skillId": True}, name="skillId-boolean"),
    case({**NEW_ENGAGEMENT, "skillId": {"id": int(HUMAN_SKILL_ID)}}, name="skillId-object"),
    case({"skillId": int(HUMAN_SKILL_ID)}, name="name-missing"),
    case({**NEW_ENGAGEMENT, "name": 5}, name="name-not-a-string"),
    case({**NEW_ENGAGEMENT, "name": "a\r\nb"}, name="name-crlf"),
    case({**NEW_ENGAGEMENT, "language": 5}, name="language-not-a-string"),
    case({**NEW_ENGAGEMENT, "language": "not a language"}, name="language-malformed"),
    case({**NEW_ENGAGEMENT, "description": {"x": 1}}, name="description-not-a-string"),
    case(NEW_ENGAGEMENT, who="agent", status=403, name="non-admin"),
    case(NEW_ENGAGEMENT, who="stale", status=412, name="stale-if-match"),
])
def test_refused_engagement_create(config, body, who, status):
    refused(config, "POST", ENGAGEMENTS, body, who, status)


def test_refused_engagement_create_in_an_unknown_campaign(config):
    refused(config, "POST", f"{CAMPAIGNS}/999/engagements", NEW_ENGAGEMENT, "admin", 404)


@pytest.mark.parametrize("path, body, who, status", [
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", {"name": "Renamed", "enabled": "maybe"}, "admin", 400),
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", {"name": "Renamed", "skillId": 999}, "admin", 404),
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", {"name": "", "enabled": False}, "admin", 400),
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", {"name": "Renamed"}, "agent", 403),
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", {"name": "Renamed"}, "stale", 412),
    (f"{ENGAGEMENTS}/999", {"name": "Renamed"}, "admin", 404),
])
def test_refused_engagement_update(config, path, body, who, status):
    refused(config, "PUT", path, body, who, status)


@pytest.mark.parametrize("path, who, status", [
    (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", "agent", 403), (f"{ENGAGEMENTS}/{BOT_ENGAGEMENT_ID}", "stale", 412),
    (f"{ENGAGEMENTS}/999", "admin", 404), (f"{CAMPAIGNS}/999/engagements/{BOT_ENGAGEMENT_ID}", "admin", 404)])
def test_refused_engagement_delete(config, path, who, status):
    refused(config, "DELETE", path, None, who, status)


# --- no dangling id: a refused create draws no id either ---------------------------------------

@pytest.fixture
def twins():
    """Two fresh sandboxes with the same seed: what one does, the other repeats id for id."""
    servers = [serve(), serve()]
    yield [Config(s) for s in servers]
    for server in servers:
        server.stop()


@pytest.mark.parametrize("path, bad, good", [
    (SKILLS, [{"name": "one-bot"}, {"name": 5}], {"name": "one-bot"}),
    (USERS, user(maxChats="many"), user()),
    (CAMPAIGNS, {"name": "Draft", "status": 9}, {"name": "Draft"}),
    (ENGAGEMENTS, {**NEW_ENGAGEMENT, "enabled": "yes"}, NEW_ENGAGEMENT),
], ids=["skills-bulk", "user", "campaign", "engagement"])
def test_a_refused_create_leaves_no_trace_in_the_ids(twins, path, bad, good):
    refused_first, direct = twins
    assert refused_first.send("POST", path, bad).status_code == 400
    made = [c.send("POST", path, good) for c in (refused_first, direct)]
    assert [r.status_code for r in made] == [201, 201]
    assert made[0].headers["Location"].rsplit("/", 1)[1] == made[1].headers["Location"].rsplit("/", 1)[1]
    assert made[0].json() == made[1].json()
    assert made[0].headers["ac-revision"] == made[1].headers["ac-revision"]


def test_bulk_create_is_one_write(live):
    c = Config(live)
    before = int(requests.get(f"{c.base}/{SKILLS}", headers=c.admin).headers["ac-revision"])
    r = c.send("POST", SKILLS, [{"name": "x-bot"}, {"name": "y-bot"}, {"name": "z-bot"}])
    assert r.status_code == 201 and [s["name"] for s in r.json()] == ["x-bot", "y-bot", "z-bot"]
    assert int(r.headers["ac-revision"]) == before + 1


# --- chat requests ----------------------------------------------------------------------------

def _live_view(server, headers) -> dict:
    r = requests.get(f"{server.url}/_sandbox/accounts/{ACCOUNT}/live", headers=headers)
    assert r.status_code == 200
    return r.json()


def _chat_request(server, fields) -> requests.Response:
    return requests.post(f"{server.url}/api/account/{ACCOUNT}/chat/request?v=1&NC=true",
                         json={"request": fields}, headers=consumer_headers())


@pytest.mark.parametrize("fields", [
    pytest.param({"skill": "no-such-skill"}, id="unknown-skill"),
    pytest.param({"engagementId": "999"}, id="unknown-engagement"),
    pytest.param({"skill": BOT_SKILL, "interactionTimeout": "soon"}, id="timeout-not-a-number"),
    pytest.param({"skill": BOT_SKILL, "interactionTimeout": -5}, id="timeout-negative"),
    pytest.param({"skill": BOT_SKILL, "interactionTimeout": 10**9}, id="timeout-absurd"),
    pytest.param({"skill": BOT_SKILL, "interactionTimeout": "٣"}, id="timeout-arabic-digit"),
    pytest.param({"skill": BOT_SKILL, "interactionTimeout": True}, id="timeout-boolean"),
    pytest.param({"skill": BOT_SKILL, "persona": "Ada"}, id="persona-not-an-object"),
    pytest.param({"skill": BOT_SKILL, "persona": {"name": "Ada\r\nLovelace"}}, id="persona-crlf"),
    pytest.param({"skill": BOT_SKILL, "visitorId": {"id": 1}}, id="visitorId-object"),
    pytest.param({"skill": BOT_SKILL, "language": "en\x00"}, id="language-nul"),
    pytest.param({"skill": BOT_SKILL, "LETagVisitorId": "v" * 300}, id="visitor-tag-too-long"),
    pytest.param({"skill": [BOT_SKILL]}, id="skill-a-list"),
    pytest.param({"skill": BOT_SKILL, "survey": {"id": 1, "question": [{"id": 999, "answer": "x"}]}},
                 id="bad-prechat-answer"),
])
def test_refused_chat_request_stores_nothing(shared, config, fields):
    before = _live_view(shared, config.admin)
    assert_envelope(_chat_request(shared, fields), 400)
    assert _live_view(shared, config.admin) == before


def test_refused_chat_request_draws_no_id(twins):
    refused_first, direct = (c.server for c in twins)
    bad = _chat_request(refused_first, {"skill": BOT_SKILL, "interactionTimeout": "soon"})
    assert bad.status_code == 400
    locations = [request_chat(s.url, ACCOUNT, skill=BOT_SKILL) for s in (refused_first, direct)]
    assert locations[0].rsplit("/", 1)[1] == locations[1].rsplit("/", 1)[1]


def test_chat_request_on_an_engagement_whose_skill_was_deleted(live):
    c = Config(live)
    assert c.send("DELETE", f"{SKILLS}/{BOT_SKILL_ID}", None).status_code == 200
    before = _live_view(live, c.admin)
    r = _chat_request(live, {"engagementId": BOT_ENGAGEMENT_ID})  # the engagement routes to support-bot
    assert_envelope(r, 400)
    assert _live_view(live, c.admin) == before
    assert live.sb.chats == {}


# --- transfers --------------------------------------------------------------------------------

@pytest.fixture
def bot_chat(live):
    """A customer chatting with demo-bot, demo-agent on duty: (bot bearer, chat URL, visitor URI)."""
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    agent(live.url, ACCOUNT, *DEMO_AGENT)
    uri = request_chat(live.url, ACCOUNT, skill=BOT_SKILL)
    chat_url = accept(bot_session, bot_bearer)
    say(uri, consumer_headers(), "agent please")
    return bot_bearer, chat_url, uri


def _chat_state(live, bearer, chat_url, uri) -> tuple:
    """The chat as the agent, the visitor and the live view see it."""
    agent_side = requests.get(chat_url, headers=bearer_headers(bearer)).json()
    visitor_side = requests.get(uri, headers=consumer_headers()).json()
    return agent_side, visitor_side, _live_view(live, bearer_headers(bearer))


@pytest.mark.parametrize("body, status", [
    pytest.param({"transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": 5}}, 400, id="text-not-a-string"),
    pytest.param({"transfer": {"skill": {"id": HUMAN_SKILL_ID}, "text": "x" * 100_001}}, 400, id="text-too-long"),
    pytest.param({"transfer": {"skill": {"id": HUMAN_SKILL_ID}}, "text": ["note"]}, 400, id="text-beside-a-list"),
    pytest.param({"transfer": {"agent": {"id": AGENT_ID}, "skill": {"id": "999"}}, "text": "note"}, 400,
                 id="unknown-skill-beside-an-agent"),
    pytest.param({"transfer": {"agent": {"id": BOT_ID}}, "text": "note"}, 400, id="to-the-holder"),
    pytest.param({"transfer": {"agent": {"id": ADMIN_ID}}, "text": "note"}, 400, id="agent-off-duty"),
    pytest.param({"transfer": {"skill": {"id": BOT_SKILL_ID}}, "text": "note"}, 400, id="skill-nobody-else-on"),
    pytest.param({"transfer": {"skill": {"id": {"x": 1}}}, "text": "note"}, 400, id="skill-id-an-object"),
])
def test_refused_transfer_changes_nothing(live, bot_chat, body, status):
    bearer, chat_url, uri = bot_chat
    before = _chat_state(live, bearer, chat_url, uri)
    r = requests.post(f"{chat_url}/transfer", json=body, headers=bearer_headers(bearer))
    assert_envelope(r, status)
    assert _chat_state(live, bearer, chat_url, uri) == before
    assert live.sb.chats[uri.rsplit("/", 1)[1]].transfers == []


def test_transfer_to_a_deleted_skill_is_refused(live, bot_chat):
    bearer, chat_url, uri = bot_chat
    c = Config(live)
    assert c.send("DELETE", f"{SKILLS}/{HUMAN_SKILL_ID}", None).status_code == 200
    before = _chat_state(live, bearer, chat_url, uri)
    listed = requests.get(f"{chat_url}/transfer", headers=bearer_headers(bearer)).json()
    assert listed == {"transfer": {}}  # a deleted skill is not offered
    r = requests.post(f"{chat_url}/transfer", json={"transfer": {"skill": {"id": HUMAN_SKILL_ID}}, "text": "note"},
                      headers=bearer_headers(bearer))
    assert_envelope(r, 400)
    assert _chat_state(live, bearer, chat_url, uri) == before


# --- headers never carry raw user data --------------------------------------------------------

WARN_VALUE = r'299 sandbox "((?:[^"\\]|\\.)*)"'


def warn_texts(header: str) -> list[str]:
    """The texts of an RFC 7234 Warning header, decoded (quoted-pairs, then percent-encoding)."""
    assert all(" " <= ch <= "~" for ch in header), header  # printable ASCII: no CR, LF, NUL
    assert re.fullmatch(f"{WARN_VALUE}(?:, {WARN_VALUE})*", header), header
    return [unquote(re.sub(r"\\(.)", r"\1", text)) for text in re.findall(WARN_VALUE, header)]


SKILL_NAME = 'Ünïcode "human" \\ 100% 名前'
LOGIN_NAME = 'robøt "quoted" \\ ボット'


def test_warning_header_encodes_names_with_non_ascii_quotes_and_backslashes(live, caplog):
    c = Config(live)
    skill = c.send("POST", SKILLS, {"name": SKILL_NAME})
    assert skill.status_code == 201 and skill.json()["name"] == SKILL_NAME
    r = c.send("POST", USERS, {"loginName": LOGIN_NAME, "fullName": "Robot", "nickname": "Robot",
                               "passwordSh": "pw", "userTypeId": 2, "skillIds": [skill.json()["id"]]})
    assert r.status_code == 201 and r.json()["loginName"] == LOGIN_NAME
    [text] = warn_texts(r.headers["Warning"])
    assert f"'{LOGIN_NAME}'" in text and f"'{SKILL_NAME}'" in text and "lacks 'bot'" in text
    assert any(SKILL_NAME in rec.getMessage() for rec in caplog.records)
    # the update answers with the same warning
    updated = c.send("PUT", f"{USERS}/{r.json()['id']}", {"nickname": "Robot 2"})
    assert updated.status_code == 200 and warn_texts(updated.headers["Warning"]) == [text]


@pytest.mark.parametrize("name", ["crlf\r\nX-Injected: 1", "lf\nonly", "nul\x00", "del\x7f", "sep\u2028"])
def test_names_that_could_split_a_header_are_refused(live, name):
    c = Config(live)
    before = c.snapshot()
    assert_envelope(c.send("POST", SKILLS, {"name": name}), 400)
    assert_envelope(c.send("POST", USERS, {"loginName": name, "fullName": "B", "nickname": "B", "passwordSh": "pw",
                                           "userTypeId": 2, "skillIds": [int(HUMAN_SKILL_ID)]}), 400)
    assert c.snapshot() == before


def test_a_long_warning_list_is_cut_short(live):
    c = Config(live)
    made = c.send("POST", SKILLS, [{"name": f"human-{i}-" + "é" * 200} for i in range(8)])
    assert made.status_code == 201
    r = c.send("POST", USERS, {"loginName": "many-bot", "fullName": "M", "nickname": "M", "passwordSh": "pw",
                               "userTypeId": 2, "skillIds": [s["id"] for s in made.json()]})
    assert r.status_code == 201
    texts = warn_texts(r.headers["Warning"])
    assert len(texts) == 6 and texts[-1].startswith("and 3 more")
    assert len(r.headers["Warning"]) < 16_000


def test_location_headers_are_built_from_generated_ids(live):
    c = Config(live)
    r = c.send("POST", SKILLS, {"name": "located", "id": "1\r\nX-Injected: 1"})
    assert r.status_code == 201 and "X-Injected" not in r.headers
    skill_id = r.json()["id"]
    assert isinstance(skill_id, int) and r.headers["Location"] == f"{c.base}/{SKILLS}/{skill_id}"
    e = c.send("POST", ENGAGEMENTS, {"name": "located", "skillId": skill_id, "id": "evil", "campaignId": "x"})
    assert e.status_code == 201
    assert e.headers["Location"] == f"{c.base}/{ENGAGEMENTS}/{e.json()['id']}"


@pytest.mark.parametrize("host", ["évil.example", 'a"b', "a b", "x%0d%0ay"])
def test_location_stays_clean_whatever_the_host_header(live, host):
    # Links are built on the Host the request came in on: Werkzeug drops a Host with bad
    # characters, so nothing of it can reach the Location header.
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=10)
    body = json.dumps({"request": {"skill": BOT_SKILL}}).encode()
    conn.putrequest("POST", f"/api/account/{ACCOUNT}/chat/request", skip_host=True)
    for name, value in [("Host", host.encode("latin-1")), ("Content-Length", str(len(body))),
                        *consumer_headers().items()]:
        conn.putheader(name, value)
    conn.endheaders(body)
    response = conn.getresponse()
    response.read()
    conn.close()
    location = response.getheader("Location")
    assert response.status == 200 and all(" " <= ch <= "~" for ch in location), location
    assert re.search(rf"/api/account/{ACCOUNT}/chat/H\d+-[0-9a-f]{{32}}K\d+$", location)
    assert host not in location
