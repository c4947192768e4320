"""Account configuration: create, update and delete skills, users, campaigns, engagements."""
import logging

from .accounts import BOT, HUMAN, Account, AppKeySet, Campaign, Engagement, Skill, User
from .errors import BadRequest, Conflict, NotFound
from .seed import _pid

log = logging.getLogger(__name__)
USER_TYPES = {1: HUMAN, 2: BOT, "1": HUMAN, "2": BOT, HUMAN: HUMAN, BOT: BOT}


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


def _bump(account: Account, collection: str) -> None:
    account.revisions[collection] += 1


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise BadRequest(f"'{name}' must be true or false", 80)


def _int(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BadRequest(f"'{name}' must be a number", 80) from None


def _str(data: dict, name: str, required: bool = False, default: str = "") -> str:
    value = data.get(name, default)
    if value is None:
        value = default
    if not isinstance(value, (str, int)) or (required and not str(value).strip()):
        raise BadRequest(f"'{name}' is required" if required else f"'{name}' must be a string", 81)
    return str(value)


def live(items: dict, ref: str, kind: str):
    """The non-deleted item `ref` of a collection, or NotFound."""
    item = items.get(str(ref))
    if item is None or item.deleted:
        raise NotFound(f"{kind} {ref} was not found", 82)
    return item


# --- skills ---------------------------------------------------------------------------------

def save_skill(sb, account: Account, data: dict, skill: Skill | None = None) -> Skill:
    """Create a skill (skill=None) or update one; names are unique."""
    if not isinstance(data, dict):
        raise BadRequest("A skill must be a JSON object", 80)
    name = _str(data, "name", required=skill is None, default=skill.name if skill else "").strip()
    other = account.skill_by_name(name)
    if other is not None and other is not skill:
        raise BadRequest(f"A skill named '{name}' already exists", 83)
    skill = skill or Skill(id=sb.ids.digits(10), name=name)
    skill.name = name
    skill.description = _str(data, "description", default=skill.description)
    if "maxWaitTime" in data:
        skill.max_wait_time = _int(data["maxWaitTime"], "maxWaitTime")
    if "canTransfer" in data:
        skill.can_transfer = _bool(data["canTransfer"], "canTransfer")
    if "skillTransferList" in data:
        skills = data["skillTransferList"]
        if skills is not None and not isinstance(skills, list):
            raise BadRequest("'skillTransferList' must be a list of skill ids", 80)
        skill.transfer_list = None if skills is None else [str(s) for s in skills]
    skill.updated = sb.clock.now()
    account.skills[skill.id] = skill
    _bump(account, "skills")
    sb.publish("config.skill", account.id, skillId=skill.id, name=skill.name)
    return skill


def delete_skill(sb, account: Account, skill: Skill) -> None:
    """Delete a skill (kept, marked deleted, as LivePerson does)."""
    skill.deleted, skill.updated = True, sb.clock.now()
    _bump(account, "skills")


# --- users ----------------------------------------------------------------------------------

def save_user(sb, account: Account, data: dict, user: User | None = None) -> tuple[User, list[str]]:
    """Create or update a user; returns the user and warnings for the developer."""
    if not isinstance(data, dict):
        raise BadRequest("A user must be a JSON object", 80)
    creating = user is None
    login_name = _str(data, "loginName", required=creating,
                      default=user.login_name if user else "").strip()
    other = account.user_by_login(login_name)
    if other is not None and other is not user:
        raise BadRequest(f"A user with loginName '{login_name}' already exists", 84)
    user_type = USER_TYPES.get(data.get("userTypeId", user.user_type if user else HUMAN))
    if user_type is None:
        raise BadRequest("'userTypeId' must be 1 (human) or 2 (bot)", 80)
    password = data.get("passwordSh")
    app_key = data.get("allowedAppKeys")
    if creating and not password and not app_key:
        raise BadRequest("A new user needs 'passwordSh' or, for a bot, 'allowedAppKeys'", 85)
    skill_ids = data.get("skillIds", user.skill_ids if user else [])
    if not isinstance(skill_ids, list):
        raise BadRequest("'skillIds' must be a list of skill ids", 80)
    skills = [live(account.skills, s, "Skill") for s in skill_ids]
    user = user or User(id=sb.ids.digits(10), login_name=login_name, password=None, pid=_pid(sb.ids))
    user.login_name = login_name
    user.user_type = user_type
    if password:
        user.password = str(password)
    if app_key:
        keys = [k.strip() for k in str(app_key).split(",") if k.strip()]
        user.app_keys = [k for k in user.app_keys if k.app_key in keys] + [
            AppKeySet(k, "", "", "") for k in keys if k not in {x.app_key for x in user.app_keys}]
    user.full_name = _str(data, "fullName", required=creating, default=user.full_name)
    user.nickname = _str(data, "nickname", required=creating, default=user.nickname)
    user.email = _str(data, "email", default=user.email)
    user.picture_url = _str(data, "pictureUrl", default=user.picture_url)
    if "maxChats" in data:
        user.max_chats = _int(data["maxChats"], "maxChats")
    if "isEnabled" in data:
        user.enabled = _bool(data["isEnabled"], "isEnabled")
    user.skill_ids = [s.id for s in skills]
    user.updated = sb.clock.now()
    account.users[user.id] = user
    _bump(account, "users")
    warnings = []
    if user.user_type == BOT:
        for skill in skills:
            if "bot" not in skill.name.lower():
                # Reporting on bots finds them by their skills' names; say so, but allow it.
                warnings.append(f"Bot user '{user.login_name}' has skill '{skill.name}' whose name "
                                f"lacks 'bot': bot reporting will not count its chats")
    for warning in warnings:
        log.warning("account %s: %s", account.id, warning)
    sb.publish("config.user", account.id, userId=user.id, loginName=user.login_name)
    sb.router.dispatch(account.id)  # new skills may let waiting chats ring
    return user, warnings


def delete_user(sb, account: Account, user: User) -> None:
    """Delete a user: its sessions end and it can no longer log in."""
    user.deleted, user.enabled, user.updated = True, False, sb.clock.now()
    for session in sb.agents.for_user(user):
        sb.agents.end(session, "user deleted")
    _bump(account, "users")


# --- campaigns and engagements ----------------------------------------------------------------

def save_campaign(sb, account: Account, data: dict, campaign: Campaign | None = None) -> Campaign:
    """Create or update a campaign; `status` 1 publishes it, 0 unpublishes."""
    if not isinstance(data, dict):
        raise BadRequest("A campaign must be a JSON object", 80)
    name = _str(data, "name", required=campaign is None, default=campaign.name if campaign else "")
    campaign = campaign or Campaign(id=sb.ids.digits(10), name=name, status=0)
    campaign.name = name
    campaign.description = _str(data, "description", default=campaign.description)
    if "status" in data:
        status = _int(data["status"], "status")
        if status not in (0, 1):
            raise BadRequest("'status' must be 0 (unpublished) or 1 (published)", 80)
        campaign.status = status
    campaign.updated = sb.clock.now()
    account.campaigns[campaign.id] = campaign
    _bump(account, "campaigns")
    sb.publish("config.campaign", account.id, campaignId=campaign.id, status=campaign.status)
    return campaign


def delete_campaign(sb, account: Account, campaign: Campaign) -> None:
    """Delete a campaign and, with it, its engagements."""
    campaign.deleted, campaign.updated = True, sb.clock.now()
    for engagement_id in campaign.engagement_ids:
        account.engagements[engagement_id].deleted = True
    _bump(account, "campaigns")


def save_engagement(sb, account: Account, campaign: Campaign, data: dict,
                    engagement: Engagement | None = None) -> Engagement:
    """Create or update a live-chat engagement of a campaign; it routes to `skillId`."""
    if not isinstance(data, dict):
        raise BadRequest("An engagement must be a JSON object", 80)
    name = _str(data, "name", required=engagement is None,
                default=engagement.name if engagement else "")
    skill_id = data.get("skillId", engagement.skill_id if engagement else None)
    skill = live(account.skills, skill_id, "Skill") if skill_id not in (None, "", -1, "-1") else None
    now = sb.clock.now()
    if engagement is None:
        engagement = Engagement(id=sb.ids.digits(10), campaign_id=campaign.id, name=name,
                                skill_id=None, window_id=sb.ids.digits(10), created=now)
        campaign.engagement_ids.append(engagement.id)
    engagement.name = name
    engagement.skill_id = skill.id if skill else None
    engagement.description = _str(data, "description", default=engagement.description)
    engagement.language = _str(data, "language", default=engagement.language)
    if "enabled" in data:
        engagement.enabled = _bool(data["enabled"], "enabled")
    engagement.updated = now
    account.engagements[engagement.id] = engagement
    _bump(account, "campaigns")
    return engagement
