"""Account configuration: create, update and delete skills, users, campaigns, engagements."""
import logging
import re

from . import text
from .accounts import (BOT, HUMAN, ROOT_GROUP_ID, STATUS_REASON_STATES, Account, AgentGroup, AppKeySet,
                       Campaign, Engagement, Skill, StatusReason, User)
from .errors import BadRequest, Conflict, NotFound

# Every save is two steps: `_*_changes` checks the whole request and returns the new attribute
# values as a dict, raising before anything is touched; then the save applies the dict at once.
# So a refused write leaves no object, no drawn id, no revision bump, no half-applied field.

log = logging.getLogger(__name__)
USER_TYPES = {1: HUMAN, 2: BOT, "1": HUMAN, "2": BOT, HUMAN: HUMAN, BOT: BOT}

# Limits of client-given values (docs/fidelity.md, Account Config).
NAME_CHARS = 255  # skill, campaign and engagement names, loginName, fullName, nickname
DESCRIPTION_CHARS = 1000
EMAIL_CHARS = 254  # RFC 5321's longest address
URL_CHARS = 2048
PASSWORD_CHARS = 256
APP_KEYS_CHARS = 10 * 129  # allowedAppKeys: up to ten keys of 128 characters, with commas
LANGUAGE_CHARS = 35
MAX_CHATS = 10_000  # and -1, unlimited
MAX_WAIT_SECONDS = 86_400
MAX_BULK = 100  # skills (or agent groups, status reasons) in one bulk create
STATUS_TEXT_CHARS = 100  # a status reason's text: "safeMedium String length:100"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
LANGUAGE = re.compile(r"[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*")
APP_KEY = re.compile(r"[A-Za-z0-9_-]{1,128}")
PICTURE_URL = re.compile(r"(https?://|/)\S*", re.IGNORECASE)  # no javascript: or data: pictures
UNASSIGNED = (None, "", -1, "-1")  # an engagement's skillId meaning "any skill"


class PreconditionFailed(Conflict):
    """If-Match named an older revision than the collection has now."""

    response_status = "PRECONDITION_FAILED"
    internal_code = 412


def check_revision(account: Account, collection: str, if_match: str | None) -> None:
    """Writes may name the revision they were based on; a stale one is refused."""
    if if_match in (None, "", "*"):
        return
    if if_match.strip('"') != str(account.revisions[collection]):
        raise PreconditionFailed(f"Revision {if_match} of {collection} is stale; the current "
                                 f"revision is {account.revisions[collection]}")


def live(items: dict, ref: str, kind: str):
    """The non-deleted item `ref` of a collection, or NotFound."""
    item = items.get(str(ref))
    if item is None or item.deleted:
        raise NotFound(f"{kind} {ref} was not found", 82)
    return item


# --- validation: each helper reads one body field, checks it, and records it in `changes` --------

def _object(data, kind: str) -> dict:
    """The body of one entity, which must be a JSON object."""
    if not isinstance(data, dict):
        raise BadRequest(f"A {kind} must be a JSON object", 80)
    return data


def _text(changes: dict, data: dict, key: str, attr: str, max_chars: int, *, creating: bool,
          required: bool = False, strip: bool = True, pattern: re.Pattern | None = None,
          what: str = "") -> None:
    """A text field: absent or null keeps the value; a required one may never become blank."""
    value = data.get(key)
    if value is None:
        if required and creating:
            raise BadRequest(f"'{key}' is required", 81)
        return
    value = text.text(value, key, max_chars)
    if strip:
        value = value.strip()
    if required and not value:
        raise BadRequest(f"'{key}' is required and may not be blank", 81)
    if value and pattern is not None and not pattern.fullmatch(value):
        raise BadRequest(f"'{key}' must be {what}", 80)
    changes[attr] = value


def _apply(item, changes: dict) -> None:
    """Set every validated attribute at once (nothing here can fail)."""
    for attr, value in changes.items():
        setattr(item, attr, value)


def _bool(value, name: str) -> bool:
    """true/false, as JSON booleans or as the strings LivePerson's user examples use."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise BadRequest(f"'{name}' must be true or false", 80)


def _skill_refs(account: Account, value, name: str) -> list[str]:
    """A list of skill ids, each of a live skill (unknown: NotFound); repeats are dropped."""
    if not isinstance(value, list):
        raise BadRequest(f"'{name}' must be a list of skill ids", 80)
    ids = [live(account.skills, text.identifier(ref, name), "Skill").id for ref in value]
    return list(dict.fromkeys(ids))


# --- skills ---------------------------------------------------------------------------------

def _skill_changes(account: Account, data, skill: Skill | None = None,
                   taken: frozenset = frozenset()) -> dict:
    """The validated changes of one skill; `taken`: names used by earlier items of a bulk create."""
    data = _object(data, "skill")
    creating, changes = skill is None, {}
    _text(changes, data, "name", "name", NAME_CHARS, creating=creating, required=True)
    if "name" in changes:
        other = account.skill_by_name(changes["name"])
        if (other is not None and other is not skill) or changes["name"] in taken:
            raise BadRequest(f"A skill named '{changes['name']}' already exists", 83)
    _text(changes, data, "description", "description", DESCRIPTION_CHARS, creating=creating,
          strip=False)
    if "maxWaitTime" in data:
        changes["max_wait_time"] = text.integer(data["maxWaitTime"], "maxWaitTime", 0,
                                                MAX_WAIT_SECONDS)
    if "canTransfer" in data:
        changes["can_transfer"] = _bool(data["canTransfer"], "canTransfer")
    if "skillTransferList" in data:
        # null means "may transfer anywhere", as in LivePerson's skill docs.
        refs = data["skillTransferList"]
        changes["transfer_list"] = (None if refs is None
                                    else _skill_refs(account, refs, "skillTransferList"))
    return changes


# --- users ----------------------------------------------------------------------------------

def _app_keys(value, user: User | None) -> list[AppKeySet]:
    """`allowedAppKeys` ("key1,key2"): keys already bound keep their secrets, new ones have none."""
    value = text.text(value, "allowedAppKeys", APP_KEYS_CHARS)
    keys = list(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))
    if not keys or not all(APP_KEY.fullmatch(k) for k in keys):
        raise BadRequest("'allowedAppKeys' must be app keys (letters, digits, '-', '_') "
                         "separated by commas", 80)
    current = {k.app_key: k for k in (user.app_keys if user else [])}
    return [current.get(k) or AppKeySet(k, "", "", "") for k in keys]


def _user_changes(account: Account, data, user: User | None) -> tuple[dict, list[Skill]]:
    """The validated changes of one user, and the skills it will have."""
    data = _object(data, "user")
    creating, changes = user is None, {}
    _text(changes, data, "loginName", "login_name", NAME_CHARS, creating=creating, required=True)
    if "login_name" in changes:
        other = account.user_by_login(changes["login_name"])
        if other is not None and other is not user:
            raise BadRequest(f"A user with loginName '{changes['login_name']}' already exists", 84)
    if "userTypeId" in data or creating:
        raw_type = data.get("userTypeId", HUMAN)
        user_type = USER_TYPES.get(raw_type) if isinstance(raw_type, (int, str)) else None
        if user_type is None or isinstance(raw_type, bool):
            raise BadRequest("'userTypeId' must be 1 (human) or 2 (bot)", 80)
        changes["user_type"] = user_type
    # passwordSh null (or empty) on an update keeps the password, as LivePerson's docs say.
    if data.get("passwordSh") not in (None, ""):
        changes["password"] = text.text(data["passwordSh"], "passwordSh", PASSWORD_CHARS)
    if data.get("allowedAppKeys") not in (None, ""):
        changes["app_keys"] = _app_keys(data["allowedAppKeys"], user)
    if creating and "password" not in changes and "app_keys" not in changes:
        raise BadRequest("A new user needs 'passwordSh' or, for a bot, 'allowedAppKeys'", 85)
    _text(changes, data, "fullName", "full_name", NAME_CHARS, creating=creating, required=True)
    _text(changes, data, "nickname", "nickname", NAME_CHARS, creating=creating, required=True)
    _text(changes, data, "email", "email", EMAIL_CHARS, creating=creating, pattern=EMAIL,
          what="an e-mail address")
    _text(changes, data, "pictureUrl", "picture_url", URL_CHARS, creating=creating,
          pattern=PICTURE_URL, what="an http(s) URL or a path starting with /")
    if "maxChats" in data:
        changes["max_chats"] = text.integer(data["maxChats"], "maxChats", -1, MAX_CHATS)
    if "isEnabled" in data:
        changes["enabled"] = _bool(data["isEnabled"], "isEnabled")
    if "skillIds" in data:
        changes["skill_ids"] = _skill_refs(account, data["skillIds"], "skillIds")
    member_of = data.get("memberOf")
    if member_of is not None:
        if not isinstance(member_of, dict):
            raise BadRequest("'memberOf' must be an object with an 'agentGroupId'", 80)
        if member_of.get("agentGroupId") is not None:
            ref = text.identifier(member_of["agentGroupId"], "memberOf.agentGroupId")
            changes["agent_group_id"] = live(account.agent_groups, ref, "Agent group").id
    skill_ids = changes.get("skill_ids", user.skill_ids if user else [])
    return changes, [account.skills[s] for s in skill_ids
                     if s in account.skills and not account.skills[s].deleted]


def _bot_skill_warnings(user: User, skills: list[Skill]) -> list[str]:
    """Warnings for a bot user's skills whose names lack 'bot'."""
    if user.user_type != BOT:
        return []
    # Reporting on bots finds them by their skills' names; say so, but allow it.
    return [f"Bot user '{user.login_name}' has skill '{skill.name}' whose name lacks 'bot': "
            f"bot reporting will not count its chats"
            for skill in skills if "bot" not in skill.name.lower()]


# --- campaigns and engagements ----------------------------------------------------------------

def _campaign_changes(data, campaign: Campaign | None) -> dict:
    """The validated changes of one campaign."""
    data = _object(data, "campaign")
    creating, changes = campaign is None, {}
    _text(changes, data, "name", "name", NAME_CHARS, creating=creating, required=True)
    _text(changes, data, "description", "description", DESCRIPTION_CHARS, creating=creating,
          strip=False)
    if "status" in data:
        try:
            changes["status"] = text.integer(data["status"], "status", 0, 1)
        except BadRequest:
            raise BadRequest("'status' must be 0 (unpublished) or 1 (published)", 80) from None
    return changes


def _engagement_changes(account: Account, data, engagement: Engagement | None) -> dict:
    """The validated changes of one engagement (skillId null, "" or -1: no skill)."""
    data = _object(data, "engagement")
    creating, changes = engagement is None, {}
    _text(changes, data, "name", "name", NAME_CHARS, creating=creating, required=True)
    if "skillId" in data:
        ref = data["skillId"]
        changes["skill_id"] = (None if ref in UNASSIGNED
                               else live(account.skills, text.identifier(ref, "skillId"), "Skill").id)
    _text(changes, data, "description", "description", DESCRIPTION_CHARS, creating=creating,
          strip=False)
    _text(changes, data, "language", "language", LANGUAGE_CHARS, creating=creating,
          pattern=LANGUAGE, what="a language tag such as en-US")
    if "enabled" in data:
        changes["enabled"] = _bool(data["enabled"], "enabled")
    return changes




# --- agent groups and status reasons ----------------------------------------------------------

def _group_changes(account: Account, data, group: AgentGroup | None = None,
                   taken: frozenset = frozenset()) -> dict:
    """The validated changes of one agent group: names unique, every group but the root under a
    live parent, no group under itself."""
    data = _object(data, "agent group")
    creating, changes = group is None, {}
    _text(changes, data, "name", "name", NAME_CHARS, creating=creating, required=True)
    if "name" in changes:
        other = next((g for g in account.agent_groups.values()
                      if g.name == changes["name"] and not g.deleted), None)
        if (other is not None and other is not group) or changes["name"] in taken:
            raise BadRequest(f"An agent group named '{changes['name']}' already exists", 83)
    _text(changes, data, "description", "description", DESCRIPTION_CHARS, creating=creating,
          strip=False)
    if "isEnabled" in data:
        changes["enabled"] = _bool(data["isEnabled"], "isEnabled")
    ref = data.get("parentGroupId")
    if ref in (None, ""):
        if creating:  # "Required if at least 1 agent group exists": the root always does
            raise BadRequest("'parentGroupId' is required: the root group is "
                             f"{ROOT_GROUP_ID}", 81)
    elif group is not None and group.id == ROOT_GROUP_ID:
        raise BadRequest("The root agent group has no parent", 80)
    else:
        parent = live(account.agent_groups, text.identifier(ref, "parentGroupId"), "Agent group")
        step = parent
        while group is not None and step is not None:
            if step is group:
                raise BadRequest("An agent group cannot be put under itself", 80)
            step = account.agent_groups.get(step.parent_group_id or "")
        changes["parent_group_id"] = parent.id
    return changes


def _group_delete_problem(account: Account, group: AgentGroup) -> str | None:
    """Why this agent group cannot be deleted now (the root, members, sub-groups), or None."""
    if group.id == ROOT_GROUP_ID:
        return "The root agent group cannot be deleted"
    users = sum(1 for u in account.users.values() if u.agent_group_id == group.id and not u.deleted)
    groups = sum(1 for g in account.agent_groups.values()
                 if g.parent_group_id == group.id and not g.deleted)
    if users or groups:
        return (f"Agent group {group.id} still has {users} users and {groups} groups: move them "
                f"to another group first")
    return None


def _reason_changes(account: Account, data, reason: StatusReason | None = None,
                    taken: frozenset = frozenset()) -> dict:
    """The validated changes of one status reason: a unique text, a state LivePerson names."""
    data = _object(data, "status reason")
    creating, changes = reason is None, {}
    _text(changes, data, "text", "text", STATUS_TEXT_CHARS, creating=creating, required=True)
    if "text" in changes:
        other = next((r for r in account.status_reasons.values()
                      if r.text == changes["text"] and not r.deleted), None)
        if (other is not None and other is not reason) or changes["text"] in taken:
            raise BadRequest(f"A status reason '{changes['text']}' already exists", 83)
    if data.get("state") is not None or creating:
        state = data.get("state", "Away")
        if state not in STATUS_REASON_STATES:
            raise BadRequest(f"'state' must be one of {', '.join(STATUS_REASON_STATES)}", 80)
        changes["state"] = state
    if "enabled" in data:
        changes["enabled"] = _bool(data["enabled"], "enabled")
    return changes
