"""Account Config entities on the wire, in the shapes of LivePerson's examples."""
from datetime import datetime, timezone

from .formats import number_if_digits
from ..model.accounts import BOT, Account, AgentGroup, Campaign, Engagement, Skill, StatusReason, User


def config_time(ts: float) -> str:
    """`2015-11-25 14:18:11`: the Account Config date format."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


_num = number_if_digits


def skill_json(skill: Skill, order: int = 0) -> dict:
    """A skill as the Skills API example shows it (real numbers and booleans)."""
    return {"id": _num(skill.id), "skillOrder": order, "description": skill.description,
            "name": skill.name, "maxWaitTime": skill.max_wait_time, "deleted": skill.deleted,
            "dateUpdated": config_time(skill.updated), "canTransfer": skill.can_transfer,
            "skillTransferList": [_num(s) for s in skill.transfer_list or []], "lobIds": [],
            "skillRoutingConfiguration": []}


def user_json(user: User) -> dict:
    """A user as the Users API example shows it (several values as strings)."""
    return {"id": user.id, "deleted": str(user.deleted).lower(), "loginName": user.login_name,
            "fullName": user.full_name, "nickname": user.nickname,
            "isEnabled": str(user.enabled).lower(), "maxChats": str(user.max_chats),
            "isActive": "true", "email": user.email, "disabledManually": not user.enabled,
            "skillIds": [_num(s) for s in user.skill_ids], "profiles": [],
            "changePwdNextLogin": "false", "pictureUrl": user.picture_url,
            "userTypeId": 2 if user.user_type == BOT else 1,
            "allowedAppKeys": ",".join(k.app_key for k in user.app_keys) or None,
            "memberOf": {"agentGroupId": user.agent_group_id, "assignmentDate": config_time(user.updated)},
            "managerOf": [], "permissionGroups": ["1"] if user.is_admin else ["3"],
            "dateUpdated": config_time(user.updated)}


def campaign_json(campaign: Campaign) -> dict:
    """A campaign (status 1 published, 0 unpublished)."""
    return {"id": _num(campaign.id), "name": campaign.name, "description": campaign.description,
            "type": 1, "status": campaign.status, "isDeleted": campaign.deleted,
            "engagementIds": [_num(e) for e in campaign.engagement_ids],
            "priority": 0.5, "weight": 0.2, "controlGroup": {"percentage": 0},
            "timeZone": "UTC", "startDate": config_time(0), "expirationDate": None}


def engagement_json(account: Account, engagement: Engagement) -> dict:
    """A live-chat engagement: channel 1 (web chat), the skill it routes to."""
    skill = account.skills.get(engagement.skill_id) if engagement.skill_id else None
    return {"id": _num(engagement.id), "name": engagement.name, "description": engagement.description,
            "deleted": engagement.deleted, "campaignId": _num(engagement.campaign_id),
            "channel": 1, "type": 6, "enabled": engagement.enabled, "language": engagement.language,
            "skillId": _num(skill.id) if skill else -1,
            "skillName": skill.name if skill else "Unassigned",
            "windowId": _num(engagement.window_id), "createdDate": config_time(engagement.created),
            "modifiedDate": config_time(engagement.updated)}


def agent_group_json(group: AgentGroup) -> dict:
    """An agent group: ids as strings (the docs' example), booleans as JSON booleans (the
    entity table); the root has no parent, so no parentGroupId (docs/fidelity.md)."""
    out = {"id": group.id, "deleted": group.deleted, "name": group.name,
           "description": group.description, "parentGroupId": group.parent_group_id,
           "isEnabled": group.enabled, "dateUpdated": config_time(group.updated)}
    if group.parent_group_id is None:
        del out["parentGroupId"]  # tap-liveperson's schema has no null here: the key is left out
    return out


def status_reason_json(reason: StatusReason) -> dict:
    """A status reason as the Agent Status Reason API's examples show it (a numeric id)."""
    return {"id": _num(reason.id), "text": reason.text, "state": reason.state,
            "enabled": reason.enabled, "deleted": reason.deleted}
