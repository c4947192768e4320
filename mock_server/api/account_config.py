"""Account Config API: skills, users, agent groups, status reasons, campaigns and engagements,
read and written with a bearer or an API key (OAuth1)."""
import logging

from flask import Blueprint, g, request

from ..model import admin
from ..model.errors import Forbidden
from ..wire.config import (agent_group_json, campaign_json, engagement_json, skill_json,
                           status_reason_json, user_json)
from .common import data_auth, json_body, respond, root_url, sandbox

bp = Blueprint("account_config", __name__)
log = logging.getLogger(__name__)
USERS = "/api/account/<account_id>/configuration/le-users"
REASONS = "/api/account/<account_id>/configuration/le-agents/status-reasons"
CAMPAIGNS = "/api/account/<account_id>/configuration/le-campaigns/campaigns"
WARN_TEXT_CHARS = 300  # of each warning in the Warning header (the log has it whole)
WARNINGS_SHOWN = 5  # warning-values in one Warning header


def _account(write: bool = False):
    """The path's account; writes need an administrator (bearer or key set) or a read/write API key."""
    if write and not g.principal.may_write_config:
        raise Forbidden("Only an administrator, or an API key with the accountConfigReadWrite "
                        "permission, may change the account configuration", 90)
    return sandbox().account(g.principal.account_id)


def _with_revision(payload, account, collection: str, status: int = 200, headers=None):
    revision = str(account.revisions[collection])
    return respond(payload, status, {"ETag": revision, "ac-revision": revision, **(headers or {})})


def _if_match(account, collection: str) -> None:
    admin.check_revision(account, collection,
                         request.headers.get("If-Match") or request.headers.get("ac-revision"))


def _include_deleted() -> bool:
    return request.args.get("include_deleted", "false").lower() == "true"


def _visible(items) -> list:
    """The items a list shows: deleted ones only with include_deleted=true."""
    return [item for item in items if _include_deleted() or not item.deleted]


# --- skills ---------------------------------------------------------------------------------

@bp.get(f"{USERS}/skills")
@data_auth
def list_skills(account_id):
    """Every skill of the account (deleted ones with include_deleted=true)."""
    account = _account()
    skills = [skill_json(s, i) for i, s in enumerate(_visible(account.skills.values()))]
    return _with_revision(skills, account, "skills")


@bp.get(f"{USERS}/skills/<skill_id>")
@data_auth
def get_skill(account_id, skill_id):
    """One skill."""
    account = _account()
    return _with_revision(skill_json(admin.live(account.skills, skill_id, "Skill")), account, "skills")


@bp.post(f"{USERS}/skills")
@data_auth
def create_skills(account_id):
    """Create one skill (or a list): 201 with its location."""
    account = _account(write=True)
    _if_match(account, "skills")
    body = json_body(allow_list=True)
    if isinstance(body, list):
        created = sandbox().save_skills(account, body)
    else:
        created = [sandbox().save_skill(account, body)]
    payload = [skill_json(s) for s in created] if isinstance(body, list) else skill_json(created[0])
    location = f"{root_url()}/api/account/{account_id}/configuration/le-users/skills/{created[0].id}"
    return _with_revision(payload, account, "skills", 201, {"Location": location})


@bp.put(f"{USERS}/skills/<skill_id>")
@data_auth
def update_skill(account_id, skill_id):
    """Update a skill (If-Match: the revision it was read at)."""
    account = _account(write=True)
    _if_match(account, "skills")
    skill = admin.live(account.skills, skill_id, "Skill")
    return _with_revision(skill_json(sandbox().save_skill(account, json_body(), skill)),
                          account, "skills")


@bp.delete(f"{USERS}/skills/<skill_id>")
@data_auth
def delete_skill(account_id, skill_id):
    """Delete a skill."""
    account = _account(write=True)
    _if_match(account, "skills")
    sandbox().delete_skill(account, admin.live(account.skills, skill_id, "Skill"))
    return _with_revision(None, account, "skills")


# --- users ----------------------------------------------------------------------------------

def _warn_text(text: str) -> str:
    """`text` as the inside of an RFC 7230 quoted-string: `"` and `\\` as quoted-pairs; anything
    outside printable ASCII (CR, LF, NUL, non-ASCII) and `%` itself as percent-encoded UTF-8."""
    if len(text) > WARN_TEXT_CHARS:
        text = text[:WARN_TEXT_CHARS] + "..."
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "%" or not " " <= ch <= "~":
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        else:
            out.append(ch)
    return "".join(out)


def warning_header(warnings: list[str]) -> str:
    """RFC 7234 §5.5 warning-values, `299 sandbox "text"`, comma-separated. The texts hold
    user-given names, so they are made header-safe; a long list is cut short."""
    shown = warnings[:WARNINGS_SHOWN]
    if len(warnings) > len(shown):
        shown.append(f"and {len(warnings) - len(shown)} more warnings (see the server log)")
    return ", ".join(f'299 sandbox "{_warn_text(w)}"' for w in shown)


def _user_response(user, warnings, account, status=200, headers=None):
    headers = dict(headers or {})
    if warnings:
        # HTTP's Warning header (code 299, "miscellaneous persistent warning") carries it.
        headers["Warning"] = warning_header(warnings)
    return _with_revision(user_json(user), account, "users", status, headers)


@bp.get(f"{USERS}/users")
@data_auth
def list_users(account_id):
    """Every user of the account."""
    account = _account()
    users = [user_json(u) for u in _visible(account.users.values())]
    return _with_revision(users, account, "users")


@bp.get(f"{USERS}/users/<user_id>")
@data_auth
def get_user(account_id, user_id):
    """One user."""
    account = _account()
    return _with_revision(user_json(admin.live(account.users, user_id, "User")), account, "users")


@bp.post(f"{USERS}/users")
@data_auth
def create_user(account_id):
    """Create a user (human or bot, userTypeId 1|2): 201; a Warning header when a bot's skill lacks 'bot'."""
    account = _account(write=True)
    _if_match(account, "users")
    user, warnings = sandbox().save_user(account, json_body())
    location = f"{root_url()}/api/account/{account_id}/configuration/le-users/users/{user.id}"
    return _user_response(user, warnings, account, 201, {"Location": location})


@bp.put(f"{USERS}/users/<user_id>")
@data_auth
def update_user(account_id, user_id):
    """Update a user (skills, names, picture, maxChats, ...)."""
    account = _account(write=True)
    _if_match(account, "users")
    user, warnings = sandbox().save_user(account, json_body(),
                                     admin.live(account.users, user_id, "User"))
    return _user_response(user, warnings, account)


@bp.delete(f"{USERS}/users/<user_id>")
@data_auth
def delete_user(account_id, user_id):
    """Delete a user."""
    account = _account(write=True)
    _if_match(account, "users")
    sandbox().delete_user(account, admin.live(account.users, user_id, "User"), g.principal.user)
    return _with_revision(None, account, "users")


# --- agent groups and status reasons ----------------------------------------------------------

def _created(items, body, render, location: str, account, collection: str):
    """201 with the created item (Location: its URL) or, for a list body, the list (no Location)."""
    if isinstance(body, list):
        return _with_revision([render(i) for i in items], account, collection, 201)
    return _with_revision(render(items[0]), account, collection, 201,
                          {"Location": f"{location}/{items[0].id}"})


@bp.get(f"{USERS}/agentGroups")
@data_auth
def list_agent_groups(account_id):
    """Every agent group of the account, the root "Main Group" (-1) first."""
    account = _account()
    groups = [agent_group_json(a) for a in _visible(account.agent_groups.values())]
    return _with_revision(groups, account, "agentGroups")


@bp.get(f"{USERS}/agentGroups/<group_id>")
@data_auth
def get_agent_group(account_id, group_id):
    """One agent group."""
    account = _account()
    group = admin.live(account.agent_groups, group_id, "Agent group")
    return _with_revision(agent_group_json(group), account, "agentGroups")


@bp.post(f"{USERS}/agentGroups")
@data_auth
def create_agent_groups(account_id):
    """Create an agent group (or a list): 201; each needs a parentGroupId."""
    account = _account(write=True)
    _if_match(account, "agentGroups")
    body = json_body(allow_list=True)
    created = sandbox().save_agent_groups(account, body if isinstance(body, list) else [body])
    return _created(created, body, agent_group_json,
                    f"{root_url()}/api/account/{account_id}/configuration/le-users/agentGroups",
                    account, "agentGroups")


@bp.put(f"{USERS}/agentGroups/<group_id>")
@data_auth
def update_agent_group(account_id, group_id):
    """Update an agent group (name, description, parentGroupId, isEnabled)."""
    account = _account(write=True)
    _if_match(account, "agentGroups")
    group = admin.live(account.agent_groups, group_id, "Agent group")
    return _with_revision(agent_group_json(sandbox().save_agent_group(account, json_body(), group)),
                          account, "agentGroups")


@bp.delete(f"{USERS}/agentGroups/<group_id>")
@data_auth
def delete_agent_group(account_id, group_id):
    """Delete an empty agent group (not the root)."""
    account = _account(write=True)
    _if_match(account, "agentGroups")
    sandbox().delete_agent_group(account, admin.live(account.agent_groups, group_id, "Agent group"))
    return _with_revision(None, account, "agentGroups")


@bp.get(REASONS)
@data_auth
def list_status_reasons(account_id):
    """Every status reason of the account, for every state."""
    account = _account()
    reasons = [status_reason_json(r) for r in _visible(account.status_reasons.values())]
    return _with_revision(reasons, account, "statusReasons")


@bp.get(f"{REASONS}/<reason_id>")
@data_auth
def get_status_reason(account_id, reason_id):
    """One status reason (a deleted one with include_deleted=true, as documented)."""
    account = _account()
    reason = account.status_reasons.get(reason_id)
    if reason is None or (reason.deleted and not _include_deleted()):
        raise admin.NotFound(f"Status reason {reason_id} was not found", 82)
    return _with_revision(status_reason_json(reason), account, "statusReasons")


@bp.post(REASONS)
@data_auth
def create_status_reasons(account_id):
    """Create a status reason (or a list): 201."""
    account = _account(write=True)
    _if_match(account, "statusReasons")
    body = json_body(allow_list=True)
    created = sandbox().save_status_reasons(account, body if isinstance(body, list) else [body])
    return _created(created, body, status_reason_json,
                    f"{root_url()}/api/account/{account_id}/configuration/le-agents/status-reasons",
                    account, "statusReasons")


@bp.put(f"{REASONS}/<reason_id>")
@data_auth
def update_status_reason(account_id, reason_id):
    """Update a status reason (text, state, enabled)."""
    account = _account(write=True)
    _if_match(account, "statusReasons")
    reason = admin.live(account.status_reasons, reason_id, "Status reason")
    return _with_revision(status_reason_json(sandbox().save_status_reason(account, json_body(), reason)),
                          account, "statusReasons")


@bp.delete(f"{REASONS}/<reason_id>")
@data_auth
def delete_status_reason(account_id, reason_id):
    """Delete a status reason (kept, marked deleted)."""
    account = _account(write=True)
    _if_match(account, "statusReasons")
    sandbox().delete_status_reason(account, admin.live(account.status_reasons, reason_id,
                                                       "Status reason"))
    return _with_revision(None, account, "statusReasons")


# --- campaigns and engagements ----------------------------------------------------------------

@bp.get(CAMPAIGNS)
@data_auth
def list_campaigns(account_id):
    """Every campaign of the account."""
    account = _account()
    items = [campaign_json(c) for c in _visible(account.campaigns.values())]
    return _with_revision(items, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>")
@data_auth
def get_campaign(account_id, campaign_id):
    """One campaign."""
    account = _account()
    return _with_revision(campaign_json(admin.live(account.campaigns, campaign_id, "Campaign")),
                          account, "campaigns")


@bp.post(CAMPAIGNS)
@data_auth
def create_campaign(account_id):
    """Create a campaign (unpublished unless `status` is 1)."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = sandbox().save_campaign(account, json_body())
    location = f"{root_url()}/api/account/{account_id}/configuration/le-campaigns/campaigns/{campaign.id}"
    return _with_revision(campaign_json(campaign), account, "campaigns", 201, {"Location": location})


@bp.put(f"{CAMPAIGNS}/<campaign_id>")
@data_auth
def update_campaign(account_id, campaign_id):
    """Update a campaign; {"status": 1} publishes it."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    return _with_revision(campaign_json(sandbox().save_campaign(account, json_body(), campaign)),
                          account, "campaigns")


@bp.delete(f"{CAMPAIGNS}/<campaign_id>")
@data_auth
def delete_campaign(account_id, campaign_id):
    """Delete a campaign and its engagements."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    sandbox().delete_campaign(account, admin.live(account.campaigns, campaign_id, "Campaign"))
    return _with_revision(None, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>/engagements")
@data_auth
def list_engagements(account_id, campaign_id):
    """The engagements of a campaign."""
    account = _account()
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    items = [engagement_json(account, e)
             for e in _visible(account.engagements[i] for i in campaign.engagement_ids)]
    return _with_revision(items, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>/engagements/<engagement_id>")
@data_auth
def get_engagement(account_id, campaign_id, engagement_id):
    """One engagement."""
    account = _account()
    engagement = _engagement(account, campaign_id, engagement_id)
    return _with_revision(engagement_json(account, engagement), account, "campaigns")


def _engagement(account, campaign_id, engagement_id):
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    if engagement_id not in campaign.engagement_ids:
        raise admin.NotFound(f"Engagement {engagement_id} was not found in campaign {campaign_id}", 82)
    return admin.live(account.engagements, engagement_id, "Engagement")


@bp.post(f"{CAMPAIGNS}/<campaign_id>/engagements")
@data_auth
def create_engagement(account_id, campaign_id):
    """Create a live-chat engagement on a skill."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    engagement = sandbox().save_engagement(account, campaign, json_body())
    location = (f"{root_url()}/api/account/{account_id}/configuration/le-campaigns/campaigns/"
                f"{campaign.id}/engagements/{engagement.id}")
    return _with_revision(engagement_json(account, engagement), account, "campaigns", 201,
                          {"Location": location})


@bp.put(f"{CAMPAIGNS}/<campaign_id>/engagements/<engagement_id>")
@data_auth
def update_engagement(account_id, campaign_id, engagement_id):
    """Update an engagement (name, skill, enabled)."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    engagement = sandbox().save_engagement(account, campaign, json_body(),
                                       _engagement(account, campaign_id, engagement_id))
    return _with_revision(engagement_json(account, engagement), account, "campaigns")


@bp.delete(f"{CAMPAIGNS}/<campaign_id>/engagements/<engagement_id>")
@data_auth
def delete_engagement(account_id, campaign_id, engagement_id):
    """Delete an engagement."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    sandbox().delete_engagement(account, _engagement(account, campaign_id, engagement_id))
    return _with_revision(None, account, "campaigns")
