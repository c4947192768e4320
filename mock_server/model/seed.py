"""Build accounts from the seed config (YAML or JSON) into model objects."""
import json
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .accounts import (BOT, HUMAN, ROOT_GROUP_ID, ROOT_GROUP_NAME, STATUS_REASON_STATES, Account,
                       AgentGroup, ApiKey, AppKeySet, Application, AuthConnector, CannedResponse,
                       Campaign, Engagement, Skill, StatusReason, User)
from .ids import IdGenerator
from .numbers import is_int_text
from .surveys import default_surveys
from .visitor_auth import public_key_of

DEFAULT_CONFIG = Path(__file__).resolve().parents[1] / "config" / "sandbox.yaml"

DEFAULT_SETTINGS = {
    "login_idle_ttl_seconds": 1800,
    "login_absolute_ttl_seconds": 28800,
    "ring_timeout_seconds": 30,
    "agent_session_timeout_seconds": 120,
    "max_body_bytes": 1_048_576,  # a larger request body is refused with 413
    "journal_max_entries": 10_000,  # the control plane's request journal keeps the newest N
    # Ended chats leave memory after this long, or oldest first beyond this many (a data dir
    # still serves them; without one they are dropped): model/retention.py.
    "ended_chat_memory_seconds": 7 * 86400,
    "ended_chat_memory_count": 10_000,
    # Page origins, besides the sandbox's own, whose browsers may open the Socket.IO live view.
    "allowed_origins": [],
}
DEFAULT_PORTS = {"http": 80, "https": 443}


class ConfigError(ValueError):
    """The seed config is not usable; the message says where."""


def load_config(path: str | Path | None = None) -> dict:
    """Read a seed config file (YAML, or JSON by suffix); the demo config by default."""
    path = Path(path) if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"config {path} is not valid: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
        raise ConfigError(f"config {path} needs a top-level 'accounts' list")
    try:
        settings_of(data)
    except ConfigError as exc:
        raise ConfigError(f"config {path}: {exc}") from exc
    return data


def settings_of(config: dict) -> dict:
    """The settings of a config (timings, allowed origins), defaults filled in."""
    settings = {**DEFAULT_SETTINGS, **(config.get("settings") or {})}
    origins = settings.get("allowed_origins") or []
    if isinstance(origins, str):
        origins = [origins]
    if not isinstance(origins, list):
        raise ConfigError("settings.allowed_origins must be a list of origins")
    settings["allowed_origins"] = [normalize_origin(o) for o in origins]
    return settings


def normalize_origin(value) -> str:
    """An origin as browsers send it in `Origin`: `scheme://host[:port]`, lowercase, without
    the scheme's default port; `*` (any origin) stays `*`. ConfigError when it is not one."""
    if value == "*":
        return "*"
    parts = _origin_parts(value)
    if parts is None:
        raise ConfigError(f"{str(value)[:200]!r} is not an origin such as https://host:8443")
    scheme, host, port = parts
    host = f"[{host}]" if ":" in host else host
    return f"{scheme}://{host}" if port == DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def _origin_parts(value) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, or None when `value` is not one."""
    if not isinstance(value, str) or not value.isascii() or not value.isprintable():
        return None
    try:
        url = urlsplit(value.strip())
        port = url.port
    except ValueError:
        return None
    scheme = url.scheme.lower()
    if (scheme not in DEFAULT_PORTS or not url.hostname or url.username is not None
            or url.password is not None or url.path not in ("", "/") or url.query
            or url.fragment or value.strip().endswith(("?", "#"))):
        return None
    return scheme, url.hostname.lower(), port if port is not None else DEFAULT_PORTS[scheme]


def build_accounts(config: dict, ids: IdGenerator) -> dict[str, Account]:
    """Turn the config's `accounts` list into Account objects keyed by account id."""
    accounts: dict[str, Account] = {}
    for raw in config["accounts"]:
        account = _account(raw, ids)
        if account.id in accounts:
            raise ConfigError(f"account {account.id} appears twice")
        accounts[account.id] = account
    return accounts


def _id(raw: dict, ids: IdGenerator, digits: int = 10) -> str:
    return str(raw["id"]) if raw.get("id") is not None else ids.digits(digits)


def _account(raw: dict, ids: IdGenerator) -> Account:
    try:
        account = Account(
            id=str(raw["id"]),
            name=raw.get("name", ""),
            timezone=raw.get("timezone", "UTC"),
            app_keys=[str(k) for k in raw.get("appKeys", [])],
            chat_timeout=int(raw.get("chatTimeout", 40)),
        )
    except KeyError as exc:
        raise ConfigError(f"an account lacks {exc}") from exc
    account.surveys = default_surveys(ids)
    account.canned_responses = _canned_responses(raw)
    account.api_keys = _api_keys(raw)
    account.agent_groups = _agent_groups(raw, ids)
    account.status_reasons = _status_reasons(raw, ids)
    for s in raw.get("skills", []):
        skill = Skill(id=_id(s, ids), name=s["name"], description=s.get("description", ""))
        account.skills[skill.id] = skill
    for u in raw.get("users", []):
        user = _user(u, account, ids)
        group = str(u.get("agentGroupId", ROOT_GROUP_ID))
        if group not in account.agent_groups:
            raise ConfigError(f"user {user.login_name}: agentGroupId {group} is not an agent group "
                              f"of account {account.id}")
        user.agent_group_id = group
        account.users[user.id] = user
    for c in raw.get("campaigns", []):
        campaign = Campaign(id=_id(c, ids), name=c["name"], description=c.get("description", ""),
                            status=int(c.get("status", 1)))
        for e in c.get("engagements", []):
            skill = account.find_skill(e["skill"]) if e.get("skill") is not None else None
            engagement = Engagement(id=_id(e, ids), campaign_id=campaign.id, name=e["name"],
                                    skill_id=skill.id if skill else None,
                                    description=e.get("description", ""),
                                    language=e.get("language", "en-US"),
                                    window_id=str(e.get("windowId", ids.digits(10))),
                                    authenticated=bool(e.get("authenticated", False)))
            account.engagements[engagement.id] = engagement
            campaign.engagement_ids.append(engagement.id)
        account.campaigns[campaign.id] = campaign
    for a in raw.get("applications", []):
        app = _application(a, account.id)
        account.applications[app.client_id] = app
    if raw.get("authentication"):
        account.authentication = _connector(raw["authentication"], account.id)
    return account


def _application(a: dict, account_id: str) -> Application:
    """An installed application (OAuth 2.0 client), as the app installation schema names it."""
    try:
        grants = [str(g) for g in a.get("grant_types", ["client_credentials"])]
        return Application(client_id=str(a["client_id"]), client_secret=str(a["client_secret"]),
                           client_name=str(a.get("client_name", "")), grant_types=grants,
                           redirect_uris=[str(u) for u in a.get("redirect_uris", [])],
                           scope=str(a.get("scope", "")))
    except KeyError as exc:
        raise ConfigError(f"account {account_id}: an application lacks {exc}") from exc


def _connector(c: dict, account_id: str) -> AuthConnector:
    """The authentication server of authenticated chat (implicit flow, RS256 public key)."""
    try:
        connector = AuthConnector(connector_id=str(c["connectorId"]), issuer=str(c["issuer"]),
                                  public_key=str(c["jwtPublicKey"]))
    except KeyError as exc:
        raise ConfigError(f"account {account_id}: authentication lacks {exc}") from exc
    try:
        public_key_of(connector.public_key)
    except ValueError as exc:
        raise ConfigError(f"account {account_id}: authentication.jwtPublicKey: {exc}") from exc
    return connector


CANNED_TEXT_CHARS = 2000


def _canned_responses(raw: dict) -> list[CannedResponse]:
    """The account's `cannedResponses`: a list of {title, text[, category]}, all text."""
    items = raw.get("cannedResponses") or []
    if not isinstance(items, list):
        raise ConfigError(f"account {raw.get('id')}: cannedResponses must be a list")
    out = []
    for n, item in enumerate(items, 1):
        if (not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                                  for k in ("title", "text"))
                or not isinstance(item.get("category", ""), str)):
            raise ConfigError(f"account {raw.get('id')}: canned response {n} needs a 'title' and "
                              f"a 'text' (strings; 'category' optional)")
        if len(item["text"]) > CANNED_TEXT_CHARS:
            raise ConfigError(f"account {raw.get('id')}: canned response {n} is longer than "
                              f"{CANNED_TEXT_CHARS} characters")
        out.append(CannedResponse(item["title"].strip(), item["text"].strip(),
                                  item.get("category", "").strip()))
    return out


def _strings(item, keys, where: str) -> list[str]:
    """The values of `keys` in a config mapping, each a non-blank string; ConfigError otherwise."""
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) and item[k].strip()
                                             for k in keys):
        raise ConfigError(f"{where} needs {', '.join(repr(k) for k in keys)} (non-blank strings)")
    return [item[k].strip() for k in keys]


def _list(raw: dict, key: str) -> list:
    items = raw.get(key) or []
    if not isinstance(items, list):
        raise ConfigError(f"account {raw.get('id')}: {key} must be a list")
    return items


def _api_keys(raw: dict) -> list[ApiKey]:
    """The account's `apiKeys`: the four OAuth1 values each, a `name`, `permissions` (a list)."""
    keys = []
    for n, item in enumerate(_list(raw, "apiKeys"), 1):
        where = f"account {raw.get('id')}: API key {n}"
        values = _strings(item, ("appKey", "secret", "accessToken", "accessTokenSecret"), where)
        permissions = item.get("permissions") or []
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise ConfigError(f"{where}: permissions must be a list of names")
        keys.append(ApiKey(*values, name=str(item.get("name", "")),
                           permissions=tuple(p.strip() for p in permissions)))
    return keys


def _agent_groups(raw: dict, ids: IdGenerator) -> dict[str, AgentGroup]:
    """The account's `agentGroups` under the root "Main Group" (-1), which every account has."""
    groups = {ROOT_GROUP_ID: AgentGroup(ROOT_GROUP_ID, ROOT_GROUP_NAME, parent_group_id=None)}
    parents = {}
    for n, item in enumerate(_list(raw, "agentGroups"), 1):
        where = f"account {raw.get('id')}: agent group {n}"
        (name,) = _strings(item, ("name",), where)
        group_id = _id(item, ids)
        if not is_int_text(group_id):
            raise ConfigError(f"{where}: its id must be a number (agent group ids are)")
        if group_id in groups and group_id != ROOT_GROUP_ID:
            raise ConfigError(f"{where}: id {group_id} appears twice")
        group = AgentGroup(group_id, name, description=str(item.get("description", "")),
                           enabled=bool(item.get("isEnabled", True)))
        if group_id == ROOT_GROUP_ID:
            group.parent_group_id = None  # the root's name may be changed, not its place
        else:
            parents[group_id] = str(item.get("parentGroupId", ROOT_GROUP_ID))
        groups[group_id] = group
    for group_id, parent in parents.items():
        seen = {group_id}
        step = parent
        while step is not None:  # every chain of parents ends at the root
            if step not in groups or step in seen:
                raise ConfigError(f"account {raw.get('id')}: agent group {group_id}: parentGroupId "
                                  f"{parent} does not lead to the root group {ROOT_GROUP_ID}")
            seen.add(step)
            step = parents.get(step)
        groups[group_id].parent_group_id = parent
    if len({g.name for g in groups.values()}) != len(groups):
        raise ConfigError(f"account {raw.get('id')}: agent group names must be unique")
    return groups


def _status_reasons(raw: dict, ids: IdGenerator) -> dict[str, StatusReason]:
    """The account's `statusReasons`: a `text` and a `state` (Online, Occupied, Away) each."""
    reasons: dict[str, StatusReason] = {}
    for n, item in enumerate(_list(raw, "statusReasons"), 1):
        where = f"account {raw.get('id')}: status reason {n}"
        (text,) = _strings(item, ("text",), where)
        state = item.get("state", "Away")
        if state not in STATUS_REASON_STATES:
            raise ConfigError(f"{where}: state must be one of {', '.join(STATUS_REASON_STATES)}")
        reason = StatusReason(_id(item, ids), text, state, enabled=bool(item.get("enabled", True)))
        if reason.id in reasons or any(r.text == text for r in reasons.values()):
            raise ConfigError(f"{where}: its id and its text must be unique")
        reasons[reason.id] = reason
    return reasons


def _user(u: dict, account: Account, ids: IdGenerator) -> User:
    user_type = u.get("userType", HUMAN)
    if user_type not in (HUMAN, BOT):
        raise ConfigError(f"user {u.get('loginName')}: userType must be human or bot")
    skill_ids = [account.find_skill(ref).id for ref in u.get("skills", [])]
    keys = [AppKeySet(k["appKey"], k.get("secret", ""), k.get("accessToken", ""),
                      k.get("accessTokenSecret", "")) for k in u.get("appKeys", [])]
    return User(
        id=_id(u, ids),
        login_name=u["loginName"],
        password=u.get("password"),
        user_type=user_type,
        nickname=u.get("nickname", u["loginName"]),
        full_name=u.get("fullName", u.get("nickname", u["loginName"])),
        email=u.get("email", ""),
        picture_url=u.get("pictureUrl", ""),
        max_chats=int(u.get("maxChats", -1)),
        skill_ids=skill_ids,
        is_admin=bool(u.get("isAdmin", False)),
        enabled=bool(u.get("isEnabled", True)),
        pid=u.get("pid") or _pid(ids),
        app_keys=keys,
    )


def _pid(ids: IdGenerator) -> str:
    """A user pid shaped like LivePerson's (a UUID-like string)."""
    h = ids.hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
