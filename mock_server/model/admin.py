"""Account configuration: create, update and delete skills, users, campaigns, engagements."""
import logging
import re

from . import text
from .accounts import BOT, HUMAN, Account, AppKeySet, Campaign, Engagement, Skill, User
from .errors import BadRequest, Conflict, NotFound
from .seed import _pid

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
MAX_BULK = 100  # skills in one bulk create
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


def _apply_skill(sb, account: Account, changes: dict, skill: Skill | None, now: float) -> Skill:
    """Store validated changes: a new skill (with a fresh id) or the updated one."""
    skill = skill or Skill(id=sb.ids.digits(10), name=changes["name"])
    _apply(skill, changes)
    skill.updated = now
    account.skills[skill.id] = skill
    sb.publish("config.skill", account.id, skillId=skill.id, name=skill.name)
    return skill


def save_skill(sb, account: Account, data: dict, skill: Skill | None = None) -> Skill:
    """Create a skill (skill=None) or update one; names are unique."""
    changes = _skill_changes(account, data, skill)
    skill = _apply_skill(sb, account, changes, skill, sb.clock.now())
    account.revisions["skills"] += 1
    return skill


def save_skills(sb, account: Account, items: list) -> list[Skill]:
    """Create a list of skills: all of them (one write, one revision) or, if one is bad, none."""
    if not items:
        raise BadRequest("A bulk create needs at least one skill", 80)
    if len(items) > MAX_BULK:
        raise BadRequest(f"A bulk create may hold at most {MAX_BULK} skills", 80)
    all_changes, names = [], set()
    for item in items:
        changes = _skill_changes(account, item, taken=frozenset(names))
        names.add(changes["name"])
        all_changes.append(changes)
    now = sb.clock.now()
    created = [_apply_skill(sb, account, changes, None, now) for changes in all_changes]
    account.revisions["skills"] += 1
    return created


def delete_skill(sb, account: Account, skill: Skill) -> None:
    """Delete a skill (kept, marked deleted, as LivePerson does)."""
    skill.deleted, skill.updated = True, sb.clock.now()
    account.revisions["skills"] += 1


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


def save_user(sb, account: Account, data: dict, user: User | None = None) -> tuple[User, list[str]]:
    """Create or update a user; returns the user and warnings for the developer."""
    changes, skills = _user_changes(account, data, user)
    user = user or User(id=sb.ids.digits(10), login_name=changes["login_name"], password=None,
                        pid=_pid(sb.ids))
    _apply(user, changes)
    user.updated = sb.clock.now()
    account.users[user.id] = user
    account.revisions["users"] += 1
    warnings = _bot_skill_warnings(user, skills)
    for warning in warnings:
        log.warning("account %s: %s", account.id, warning)
    sb.publish("config.user", account.id, userId=user.id, loginName=user.login_name)
    sb.router.dispatch(account.id)  # new skills may let waiting chats ring
    return user, warnings


def delete_user(sb, account: Account, user: User, acting: User | None = None) -> None:
    """Delete a user: its sessions end and it can no longer log in."""
    if acting is not None and user.id == acting.id:
        raise BadRequest("An administrator cannot delete themself", 86)
    user.deleted, user.enabled, user.updated = True, False, sb.clock.now()
    for session in sb.agents.for_user(user):
        sb.agents.end(session, "user deleted")
    account.revisions["users"] += 1


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


def save_campaign(sb, account: Account, data: dict, campaign: Campaign | None = None) -> Campaign:
    """Create or update a campaign; `status` 1 publishes it, 0 unpublishes."""
    changes = _campaign_changes(data, campaign)
    # New campaigns start unpublished, unless the body says otherwise.
    campaign = campaign or Campaign(id=sb.ids.digits(10), name=changes["name"], status=0)
    _apply(campaign, changes)
    campaign.updated = sb.clock.now()
    account.campaigns[campaign.id] = campaign
    account.revisions["campaigns"] += 1
    sb.publish("config.campaign", account.id, campaignId=campaign.id, status=campaign.status)
    return campaign


def delete_campaign(sb, account: Account, campaign: Campaign) -> None:
    """Delete a campaign and, with it, its engagements."""
    campaign.deleted, campaign.updated = True, sb.clock.now()
    for engagement_id in campaign.engagement_ids:
        account.engagements[engagement_id].deleted = True
    account.revisions["campaigns"] += 1


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


def save_engagement(sb, account: Account, campaign: Campaign, data: dict,
                    engagement: Engagement | None = None) -> Engagement:
    """Create or update a live-chat engagement of a campaign; it routes to `skillId`."""
    changes = _engagement_changes(account, data, engagement)
    now = sb.clock.now()
    if engagement is None:
        engagement = Engagement(id=sb.ids.digits(10), campaign_id=campaign.id, name=changes["name"],
                                skill_id=None, window_id=sb.ids.digits(10), created=now)
        campaign.engagement_ids.append(engagement.id)
    _apply(engagement, changes)
    engagement.updated = now
    account.engagements[engagement.id] = engagement
    account.revisions["campaigns"] += 1
    return engagement


def delete_engagement(sb, account: Account, engagement: Engagement) -> None:
    """Delete an engagement (kept, marked deleted; it stays in its campaign's engagementIds)."""
    engagement.deleted, engagement.updated = True, sb.clock.now()
    account.revisions["campaigns"] += 1
