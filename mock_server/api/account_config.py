"""Account Config API: skills, users, campaigns and engagements, read and written by bearer."""
import logging

from flask import Blueprint, g, request

from ..model import admin
from ..model.errors import Forbidden
from ..wire.config import campaign_json, engagement_json, skill_json, user_json
from .common import agent_auth, json_body, respond, root_url, sandbox

bp = Blueprint("account_config", __name__)
log = logging.getLogger(__name__)
USERS = "/api/account/<account_id>/configuration/le-users"
CAMPAIGNS = "/api/account/<account_id>/configuration/le-campaigns/campaigns"
WARN_TEXT_CHARS = 300  # of each warning in the Warning header (the log has it whole)
WARNINGS_SHOWN = 5  # warning-values in one Warning header


def _account(write: bool = False):
    """The path's account; writes need an administrator's bearer."""
    if write and not g.login.user.is_admin:
        raise Forbidden("Only an administrator may change the account configuration", 90)
    return sandbox().account(g.login.account_id)


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
@agent_auth
def list_skills(account_id):
    """Every skill of the account (deleted ones with include_deleted=true)."""
    account = _account()
    skills = [skill_json(s, i) for i, s in enumerate(_visible(account.skills.values()))]
    return _with_revision(skills, account, "skills")


@bp.get(f"{USERS}/skills/<skill_id>")
@agent_auth
def get_skill(account_id, skill_id):
    """One skill."""
    account = _account()
    return _with_revision(skill_json(admin.live(account.skills, skill_id, "Skill")), account, "skills")


@bp.post(f"{USERS}/skills")
@agent_auth
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
@agent_auth
def update_skill(account_id, skill_id):
    """Update a skill (If-Match: the revision it was read at)."""
    account = _account(write=True)
    _if_match(account, "skills")
    skill = admin.live(account.skills, skill_id, "Skill")
    return _with_revision(skill_json(sandbox().save_skill(account, json_body(), skill)),
                          account, "skills")


@bp.delete(f"{USERS}/skills/<skill_id>")
@agent_auth
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
@agent_auth
def list_users(account_id):
    """Every user of the account."""
    account = _account()
    users = [user_json(u) for u in _visible(account.users.values())]
    return _with_revision(users, account, "users")


@bp.get(f"{USERS}/users/<user_id>")
@agent_auth
def get_user(account_id, user_id):
    """One user."""
    account = _account()
    return _with_revision(user_json(admin.live(account.users, user_id, "User")), account, "users")


@bp.post(f"{USERS}/users")
@agent_auth
def create_user(account_id):
    """Create a user (human or bot, userTypeId 1|2): 201; a Warning header when a bot's skill lacks 'bot'."""
    account = _account(write=True)
    _if_match(account, "users")
    user, warnings = sandbox().save_user(account, json_body())
    location = f"{root_url()}/api/account/{account_id}/configuration/le-users/users/{user.id}"
    return _user_response(user, warnings, account, 201, {"Location": location})


@bp.put(f"{USERS}/users/<user_id>")
@agent_auth
def update_user(account_id, user_id):
    """Update a user (skills, names, picture, maxChats, ...)."""
    account = _account(write=True)
    _if_match(account, "users")
    user, warnings = sandbox().save_user(account, json_body(),
                                     admin.live(account.users, user_id, "User"))
    return _user_response(user, warnings, account)


@bp.delete(f"{USERS}/users/<user_id>")
@agent_auth
def delete_user(account_id, user_id):
    """Delete a user."""
    account = _account(write=True)
    _if_match(account, "users")
    sandbox().delete_user(account, admin.live(account.users, user_id, "User"), g.login.user)
    return _with_revision(None, account, "users")


# --- campaigns and engagements ----------------------------------------------------------------

@bp.get(CAMPAIGNS)
@agent_auth
def list_campaigns(account_id):
    """Every campaign of the account."""
    account = _account()
    items = [campaign_json(c) for c in _visible(account.campaigns.values())]
    return _with_revision(items, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>")
@agent_auth
def get_campaign(account_id, campaign_id):
    """One campaign."""
    account = _account()
    return _with_revision(campaign_json(admin.live(account.campaigns, campaign_id, "Campaign")),
                          account, "campaigns")


@bp.post(CAMPAIGNS)
@agent_auth
def create_campaign(account_id):
    """Create a campaign (unpublished unless `status` is 1)."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = sandbox().save_campaign(account, json_body())
    location = f"{root_url()}/api/account/{account_id}/configuration/le-campaigns/campaigns/{campaign.id}"
    return _with_revision(campaign_json(campaign), account, "campaigns", 201, {"Location": location})


@bp.put(f"{CAMPAIGNS}/<campaign_id>")
@agent_auth
def update_campaign(account_id, campaign_id):
    """Update a campaign; {"status": 1} publishes it."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    return _with_revision(campaign_json(sandbox().save_campaign(account, json_body(), campaign)),
                          account, "campaigns")


@bp.delete(f"{CAMPAIGNS}/<campaign_id>")
@agent_auth
def delete_campaign(account_id, campaign_id):
    """Delete a campaign and its engagements."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    sandbox().delete_campaign(account, admin.live(account.campaigns, campaign_id, "Campaign"))
    return _with_revision(None, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>/engagements")
@agent_auth
def list_engagements(account_id, campaign_id):
    """The engagements of a campaign."""
    account = _account()
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    items = [engagement_json(account, e)
             for e in _visible(account.engagements[i] for i in campaign.engagement_ids)]
    return _with_revision(items, account, "campaigns")


@bp.get(f"{CAMPAIGNS}/<campaign_id>/engagements/<engagement_id>")
@agent_auth
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
@agent_auth
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
@agent_auth
def update_engagement(account_id, campaign_id, engagement_id):
    """Update an engagement (name, skill, enabled)."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    campaign = admin.live(account.campaigns, campaign_id, "Campaign")
    engagement = sandbox().save_engagement(account, campaign, json_body(),
                                       _engagement(account, campaign_id, engagement_id))
    return _with_revision(engagement_json(account, engagement), account, "campaigns")


@bp.delete(f"{CAMPAIGNS}/<campaign_id>/engagements/<engagement_id>")
@agent_auth
def delete_engagement(account_id, campaign_id, engagement_id):
    """Delete an engagement."""
    account = _account(write=True)
    _if_match(account, "campaigns")
    sandbox().delete_engagement(account, _engagement(account, campaign_id, engagement_id))
    return _with_revision(None, account, "campaigns")
