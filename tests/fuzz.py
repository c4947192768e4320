"""Contract fuzzing of a sandbox with schemathesis, over its own /openapi.json.

Used by tests/wire/test_fuzz.py (against an in-process sandbox), and alone against any running one:

    .venv/bin/python -m tests.fuzz --url http://localhost:8080 --examples 200 [--seed 8] [--collect]

What it does, all through the public HTTP APIs (so it works against any sandbox):
* `prepare(url)` logs in demo-agent (an agent session, Online, holding three chats) and
  demo-admin, and creates throwaway skills, users, agent groups, status reasons, campaigns and
  engagements;
* `config(target, ...)` fixes the path parameters to those real objects, so requests get past
  the lookups: reads use one chat, the operations that may end or move a chat use their own, and
  Account Config writes touch only the throwaway objects (the seeded demo account stays as it is);
* `Pool` renews what the run uses up: a chat that was ended or transferred away, an object a
  DELETE removed;
* `SandboxAuth` gives each operation the credentials its `security` names: the agent's bearer
  (Chat Agent API, live view), the admin's (Account Config), the app key (Server Chat API);
* `wants_xml`, `add_lone_surrogate` and `send_body_as_xml` vary some requests beyond what
  schemathesis generates, and `xml_well_formed` is an extra check on XML answers;
* `check_normal_chat(url)` proves afterwards that a normal chat still works end to end.
"""
import argparse
import os
import sys
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import requests
from defusedxml.ElementTree import fromstring

from tests.support.constants import ACCOUNT, APP_ID, DEMO_ADMIN, DEMO_AGENT, GLOBAL_KEY, HUMAN_SKILL, User
from tests.support.wire import JSON, bearer_headers, consumer_headers

CHECK_NAMES = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
               "response_schema_conformance")
DEFAULT_EXAMPLES = 15  # per operation; with the coverage cases about 3,500 requests in all
DEFAULT_SEED = 8
XML_SHARE = 5  # one request in five asks for XML (Accept: application/xml)

# Operations that may end or move their chat get a chat of their own (fuzzed to death, fine).
AGENT_CHAT_WRITES = ("agentAddEvent", "transferChat")
VISITOR_CHAT_WRITES = ("visitorAddEvent",)


def _ok(response: requests.Response, *statuses: int) -> requests.Response:
    if response.status_code not in (statuses or (200,)):
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code} "
                           f"{response.text[:300]}")
    return response


def login(url: str, user: User) -> dict:
    """A user login; returns the response body (bearer, csrf, ...)."""
    r = requests.post(f"{url}/api/account/{ACCOUNT}/login?v=1.3", headers=JSON, json=user.credentials)
    return _ok(r).json()


def start_agent(url: str, bearer: str) -> str:
    """A new agent session of the bearer's user, Online; returns its id."""
    r = _ok(requests.post(f"{url}/api/account/{ACCOUNT}/agentSession?v=1&NC=true",
                          json={"loginData": ""}, headers=bearer_headers(bearer)))
    href = r.json()["agentSessionLocation"]["link"]["@href"]
    _ok(requests.put(f"{href}/availability?v=1&NC=true", json={"availability": {"chat": "Online"}},
                     headers=bearer_headers(bearer)))
    return href.rsplit("/", 1)[1]


def request_chat(url: str, skill: str = HUMAN_SKILL) -> str:
    """A visitor's chat on `skill` (long interaction timeout); returns the chat id."""
    r = _ok(requests.post(f"{url}/api/account/{ACCOUNT}/chat/request?v=1&NC=true",
                          json={"request": {"skill": skill, "interactionTimeout": 3600}},
                          headers=consumer_headers()))
    return r.headers["Location"].rsplit("/", 1)[1]


def accept(url: str, bearer: str, session_id: str) -> str:
    """Accept the next chat ringing at the session; returns the chat id."""
    session_url = f"{url}/api/account/{ACCOUNT}/agentSession/{session_id}"
    ringing = _ok(requests.get(f"{session_url}/incomingRequests", headers=bearer_headers(bearer)))
    assert ringing.json()["incomingRequests"]["ringingCount"] != "0", (
        "no chat rings at the new agent session: is demo-agent Online elsewhere (the workspace, "
        "another run)? Log it out or restart the sandbox")
    r = _ok(requests.post(f"{session_url}/incomingRequests", json={},
                          headers=bearer_headers(bearer)), 201)
    return r.json()["chatLocation"]["link"]["@href"].rsplit("/", 1)[1]


def _create(url: str, bearer: str, path: str, body: dict) -> str:
    r = _ok(requests.post(f"{url}/api/account/{ACCOUNT}/configuration/{path}", json=body,
                          headers=bearer_headers(bearer)), 201)
    return str(r.json()["id"])


@dataclass
class Target:
    """A sandbox made ready for fuzzing: credentials and real objects to aim at."""

    url: str
    agent_bearer: str
    agent_csrf: str
    admin_bearer: str
    session_id: str
    chats: dict = field(default_factory=dict)  # role -> chat id
    visit_id: str = ""
    ids: dict = field(default_factory=dict)  # name -> Account Config id
    description: dict = field(default_factory=dict)


def prepare(url: str) -> Target:
    """Log in, open an Online agent session with three chats, make throwaway config objects."""
    agent_login, admin_login = login(url, DEMO_AGENT), login(url, DEMO_ADMIN)
    bearer, admin = agent_login["bearer"], admin_login["bearer"]
    session_id = start_agent(url, bearer)
    chats = {}
    for role in ("read", "agent_write", "visitor_write"):
        request_chat(url)
        chats[role] = accept(url, bearer, session_id)
    r = _ok(requests.get(f"{url}/api/account/{ACCOUNT}/agentSession/{session_id}/chat/"
                         f"{chats['read']}", headers=bearer_headers(bearer)))
    visit = next(l["@href"] for l in r.json()["chat"]["link"] if l["@rel"] == "visit-id")
    tag = uuid.uuid4().hex[:8]
    ids = {}
    for role in ("keep", "drop"):
        ids[f"skill_{role}"] = _create(url, admin, "le-users/skills",
                                       {"name": f"fuzz-{role}-{tag}", "description": "fuzzing"})
        ids[f"user_{role}"] = _create(url, admin, "le-users/users", {
            "loginName": f"fuzz-{role}-{tag}", "fullName": "Fuzz", "nickname": "Fuzz",
            "passwordSh": f"fuzz-{tag}", "skillIds": [int(ids[f"skill_{role}"])], "maxChats": 0})
        ids[f"campaign_{role}"] = _create(url, admin, "le-campaigns/campaigns",
                                          {"name": f"fuzz-{role}-{tag}"})
        ids[f"agentgroup_{role}"] = _create(url, admin, "le-users/agentGroups",
                                            {"name": f"fuzz-{role}-{tag}", "parentGroupId": "-1"})
        ids[f"statusreason_{role}"] = _create(url, admin, "le-agents/status-reasons",
                                              {"text": f"fuzz-{role}-{tag}"})
    for role in ("keep", "drop"):
        ids[f"engagement_{role}"] = _create(
            url, admin, f"le-campaigns/campaigns/{ids['campaign_keep']}/engagements",
            {"name": f"fuzz-{role}-{tag}", "skillId": int(ids["skill_keep"])})
    description = _ok(requests.get(f"{url}/openapi.json")).json()
    return Target(url=url, agent_bearer=bearer, agent_csrf=agent_login["csrf"], admin_bearer=admin,
                  session_id=session_id, chats=chats, visit_id=visit.rsplit("/", 1)[1], ids=ids,
                  description=description)


def config(target: Target, examples: int = DEFAULT_EXAMPLES, seed: int = DEFAULT_SEED) -> dict:
    """The schemathesis configuration (the schemathesis.toml shape) of a run on `target`."""
    ids = target.ids

    def fixed(operation_ids, **parameters) -> dict:
        return {"include-operation-id": list(operation_ids), "parameters": parameters}

    def pair(kind: str, name: str, **extra) -> list:
        return [fixed((f"get{kind}", f"update{kind}"), **{name: ids[f"{kind.lower()}_keep"]}, **extra),
                fixed((f"delete{kind}",), **{name: ids[f"{kind.lower()}_drop"]}, **extra)]

    campaign = {"campaignId": ids["campaign_keep"]}
    return {
        "base-url": target.url,
        "seed": seed,
        "generation": {"max-examples": examples, "no-shrink": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECK_NAMES}},
        "output": {"sanitization": {"enabled": False}},  # show the real values in reproductions
        "phases": {"stateful": {"enabled": False},
                   "coverage": {"unexpected-methods": []}},
        "parameters": {"accountId": ACCOUNT, "agentSessionId": target.session_id,
                       "chatId": target.chats["read"], "visitId": target.visit_id,
                       "appInstallationId": APP_ID},
        "operations": [
            # Socket.IO speaks its own protocol (plain-text errors): described, not fuzzed.
            {"include-path": "/socket.io/", "enabled": False},
            # Control routes that change the whole sandbox for every later case (a seed without
            # the demo accounts, a fault rule that drops every call) or hold a case up to 2
            # minutes (a wait): their hostile inputs are tested in tests/wire/test_faults.py and
            # test_control_plane.py instead.
            {"include-operation-id": ["seedSandbox", "addFault", "waitFor"],
             "enabled": False},
            fixed(AGENT_CHAT_WRITES, chatId=target.chats["agent_write"]),
            fixed(VISITOR_CHAT_WRITES, chatId=target.chats["visitor_write"]),
            *pair("Skill", "skillId"), *pair("User", "userId"), *pair("Campaign", "campaignId"),
            *pair("AgentGroup", "agentGroupId"), *pair("StatusReason", "statusReasonId"),
            *pair("Engagement", "engagementId", **campaign),
            fixed(("listEngagements", "createEngagement"), **campaign),
        ],
    }


class Pool:
    """Objects the fuzzer uses up, renewed while the run lasts so the writes keep going deep.

    A chat that an operation ended (409) or moved away (404) is replaced by the next chat that
    rings at the agent session (the visitor asks for one when none does); an Account Config
    object that a DELETE removed (200) is replaced by a new one."""

    CHAT_ROLES = {**{op: "agent_write" for op in AGENT_CHAT_WRITES},
                  **{op: "visitor_write" for op in VISITOR_CHAT_WRITES}}
    DELETES = {"deleteSkill": ("skillId", "skill_drop"), "deleteUser": ("userId", "user_drop"),
               "deleteCampaign": ("campaignId", "campaign_drop"),
               "deleteEngagement": ("engagementId", "engagement_drop"),
               "deleteAgentGroup": ("agentGroupId", "agentgroup_drop"),
               "deleteStatusReason": ("statusReasonId", "statusreason_drop")}
    MAX_RENEWALS = 120

    def __init__(self, target: Target):
        self.target, self.renewals = target, 0
        self.lock = threading.Lock()

    def aim(self, operation_id: str, path_parameters: dict) -> None:
        """Point a case's path parameters at the current object of its kind."""
        with self.lock:
            if operation_id in self.CHAT_ROLES:
                path_parameters["chatId"] = self.target.chats[self.CHAT_ROLES[operation_id]]
            elif operation_id in self.DELETES:
                name, key = self.DELETES[operation_id]
                path_parameters[name] = self.target.ids[key]

    def after(self, operation_id: str, status: int) -> None:
        """Renew what the answer says is used up."""
        with self.lock:
            if self.renewals >= self.MAX_RENEWALS:
                return
            if operation_id in self.CHAT_ROLES and status in (404, 409):
                self.renewals += 1
                role = self.CHAT_ROLES[operation_id]
                self.target.chats[role] = self._next_chat() or self.target.chats[role]
            elif operation_id in self.DELETES and status == 200:
                self.renewals += 1
                self.target.ids[self.DELETES[operation_id][1]] = self._replacement(operation_id)

    def _next_chat(self) -> str | None:
        """A chat for the agent session (Online again): one that rings, else a new one."""
        t = self.target
        session_url = f"{t.url}/api/account/{ACCOUNT}/agentSession/{t.session_id}"
        headers = bearer_headers(t.agent_bearer)
        requests.put(f"{session_url}/availability", json={"availability": {"chat": "Online"}},
                     headers=headers)
        for attempt in range(2):
            r = requests.post(f"{session_url}/incomingRequests", json={}, headers=headers)
            if r.status_code == 201:
                return r.json()["chatLocation"]["link"]["@href"].rsplit("/", 1)[1]
            if attempt == 0:
                request_chat(t.url)
        return None  # no free slot (the fuzzer accepted chats of its own): keep the old one

    def _replacement(self, operation_id: str) -> str:
        t, tag = self.target, uuid.uuid4().hex[:8]
        if operation_id == "deleteSkill":
            return _create(t.url, t.admin_bearer, "le-users/skills", {"name": f"fuzz-{tag}"})
        if operation_id == "deleteUser":
            return _create(t.url, t.admin_bearer, "le-users/users", {
                "loginName": f"fuzz-{tag}", "fullName": "Fuzz", "nickname": "Fuzz",
                "passwordSh": f"fuzz-{tag}", "maxChats": 0})
        if operation_id == "deleteCampaign":
            return _create(t.url, t.admin_bearer, "le-campaigns/campaigns", {"name": f"fuzz-{tag}"})
        if operation_id == "deleteAgentGroup":
            return _create(t.url, t.admin_bearer, "le-users/agentGroups",
                           {"name": f"fuzz-{tag}", "parentGroupId": "-1"})
        if operation_id == "deleteStatusReason":
            return _create(t.url, t.admin_bearer, "le-agents/status-reasons", {"text": f"fuzz-{tag}"})
        return _create(t.url, t.admin_bearer,
                       f"le-campaigns/campaigns/{t.ids['campaign_keep']}/engagements",
                       {"name": f"fuzz-{tag}"})


def credentials(target: Target, method: str, path: str) -> dict:
    """The headers an operation's `security` asks for, with the fuzz run's credentials."""
    operation = target.description["paths"][path][method.lower()]
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    if "bearer" in schemes:
        admin = "Account Config API" in operation.get("tags", ())
        return {"Authorization": f"Bearer {target.admin_bearer if admin else target.agent_bearer}"}
    if "appKeyHeader" in schemes:
        return {"Authorization": f"LivePerson appKey={GLOBAL_KEY}"}
    return {}


class SandboxAuth:
    """schemathesis auth provider: per operation, the credentials its `security` names."""

    target: Target | None = None  # set before the run

    def get(self, case, context):
        return self.target

    def set(self, case, target, context):
        headers = credentials(target, case.operation.method, case.operation.path)
        if headers:
            case.headers = {**(case.headers or {}), **headers}


def wants_xml(case) -> bool:
    """Deterministically, one case in XML_SHARE asks for XML."""
    key = repr((case.method, case.path, case.query, case.body))  # not the ids: they vary by server
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % XML_SHARE == 0


SURROGATE_SHARE = 7  # one JSON body in seven gets a lone UTF-16 surrogate in one of its strings


def add_lone_surrogate(case) -> bool:
    """Deterministically, put "\\ud800" into one string of some JSON bodies (hypothesis never
    generates one; a client's JSON can still carry it as an escape)."""
    key = zlib.crc32(repr((case.method, case.path, case.body)).encode("utf-8", "surrogatepass"))
    if not isinstance(case.body, (dict, list)) or key % SURROGATE_SHARE or not _json_body(case):
        return False
    strings, stack = [], [case.body]
    while stack:
        item = stack.pop()
        for name, value in (item.items() if isinstance(item, dict) else enumerate(item)):
            if isinstance(value, str):
                strings.append((item, name))
            elif isinstance(value, (dict, list)):
                stack.append(value)
    if not strings:
        return False
    item, name = strings[key // SURROGATE_SHARE % len(strings)]
    item[name] = item[name] + "\ud800"
    return True


def _json_body(case) -> bool:
    """Is the case's body JSON (not a form, which no client could send a surrogate in)?"""
    return (getattr(case, "media_type", None) or "application/json") == "application/json"


XML_BODY_SHARE = 6  # one JSON body in six is sent as XML instead (the same data, LivePerson's mapping)


def send_body_as_xml(case) -> bool:
    """Deterministically, send some object bodies as `application/xml` in the sandbox's mapping
    (wrapper -> root element, `@x` -> attributes, lists -> repeated elements)."""
    from mock_server.wire.xml import to_xml

    key = zlib.crc32(repr(("xml", case.method, case.path, case.body)).encode("utf-8", "surrogatepass"))
    if not isinstance(case.body, dict) or not case.body or key % XML_BODY_SHARE or not _json_body(case):
        return False
    try:
        body = to_xml(case.body)
    except Exception:  # a shape the mapping cannot write (e.g. a key that is no XML name)
        return False
    case.body, case.media_type = body, "application/xml"
    return True


def xml_well_formed(ctx, response, case):
    """An XML answer parses, and an error answer's root element is LivePerson's `error`."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    content_type = headers.get("content-type") or [""]
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    if "xml" not in content_type or not response.content:
        return None
    try:
        root = fromstring(response.content)
    except ParseError as exc:
        raise AssertionError(f"The XML answer does not parse: {exc}") from None
    if response.status_code >= 400 and root.tag != "error":
        raise AssertionError(f"An XML error answer has root <{root.tag}>, not <error>")
    return None


# --- after the run ----------------------------------------------------------------------------

def end_open_chats(url: str) -> int:
    """End every chat still open (as its visitor): the fuzzer's own chats would queue ahead."""
    admin = login(url, DEMO_ADMIN)["bearer"]
    snapshot = _ok(requests.get(f"{url}/_sandbox/accounts/{ACCOUNT}/live",
                                headers=bearer_headers(admin))).json()
    ended = 0
    for chat in snapshot["chats"]:
        if chat["state"] != "ended":
            _ok(requests.post(f"{url}/api/account/{ACCOUNT}/chat/{chat['id']}/events",
                              json={"event": {"@type": "state", "state": "ended"}},
                              headers=consumer_headers()), 201, 409)
            ended += 1
    return ended


def logout(url: str, bearer: str, csrf: str) -> None:
    """Log the fuzz run's agent out (401: it had already ended); its sessions end with it."""
    _ok(requests.post(f"{url}/api/account/{ACCOUNT}/logout", json={"csrf": csrf},
                      headers=bearer_headers(bearer)), 200, 401)


def check_normal_chat(url: str) -> None:
    """A visitor asks for support-human, demo-agent goes Online and accepts, both add a line,
    both see both lines, the visitor ends the chat. Raises AssertionError on any step."""
    agent_login = login(url, DEMO_AGENT)
    bearer = agent_login["bearer"]
    session_id = start_agent(url, bearer)
    visitor_chat = request_chat(url)
    agent_chat = accept(url, bearer, session_id)
    assert agent_chat == visitor_chat, "the agent accepted another chat than the visitor's"
    visitor_url = f"{url}/api/account/{ACCOUNT}/chat/{visitor_chat}"
    agent_url = f"{url}/api/account/{ACCOUNT}/agentSession/{session_id}/chat/{agent_chat}"
    _ok(requests.post(f"{visitor_url}/events", headers=consumer_headers(),
                      json={"event": {"@type": "line", "text": "Hello after fuzzing"}}), 201)
    _ok(requests.post(f"{agent_url}/events", headers=bearer_headers(bearer),
                      json={"event": {"@type": "line", "text": "Hi, how can I help?",
                                      "textType": "plain"}}), 201)
    for events_url, headers in ((f"{visitor_url}/events", consumer_headers()),
                                (f"{agent_url}/events", bearer_headers(bearer))):
        events = _ok(requests.get(events_url, headers=headers)).json()["events"].get("event", [])
        texts = [e.get("text") for e in (events if isinstance(events, list) else [events])]
        assert "Hello after fuzzing" in texts and "Hi, how can I help?" in texts, texts
    _ok(requests.post(f"{visitor_url}/events", headers=consumer_headers(),
                      json={"event": {"@type": "state", "state": "ended"}}), 201)
    logout(url, bearer, agent_login["csrf"])  # leave the sandbox as it was: no session left
    assert _ok(requests.get(f"{url}/_sandbox/health")).json() == {"status": "ok"}


# --- alone, against any running sandbox --------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the sandbox, e.g. http://localhost:8080")
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES,
                        help=f"generated requests per operation (default {DEFAULT_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--collect", action="store_true",
                        help="list every distinct failure instead of each operation's first")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = parser.parse_args(argv)
    import pytest

    os.environ.update(FUZZ_URL=args.url.rstrip("/"), FUZZ_EXAMPLES=str(args.examples),
                      FUZZ_SEED=str(args.seed), FUZZ_COLLECT="1" if args.collect else "")
    here = os.path.dirname(os.path.abspath(__file__))
    return pytest.main([os.path.join(here, "test_fuzz.py"), "-q", "-p", "no:cacheprovider",
                        *args.pytest_args])


if __name__ == "__main__":
    sys.exit(main())
