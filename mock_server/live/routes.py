"""The browser pages' own endpoints (sandbox extensions, not LivePerson APIs).

* `GET /_sandbox/accounts/{id}/engagements` (Server Chat app key): what the consumer page offers:
  campaign, engagement, skill, whether an agent is available now; and the agents' nicknames,
  types and pictures, so agent lines can show who said them.
* `GET /_sandbox/persona?seed=N`: a fresh Faker persona suggestion for the consumer page.
* `GET /_sandbox/accounts/{id}/live` (Login Service bearer of that account): the live-view
  snapshot, the same one the Socket.IO `watch` acknowledgement carries; it also carries the
  account's canned responses (`cannedResponses` in the config) for the workspace.
"""
import random

from flask import Blueprint, current_app, g, request

from ..api.common import agent_auth, consumer_auth, int_arg, locked, respond, sandbox
from ..model.personas import make_persona
from .presenters import snapshot

bp = Blueprint("live", __name__, url_prefix="/_sandbox")


@bp.get("/accounts/<account_id>/engagements")
@consumer_auth
def engagements(account_id):
    """The consumer page's engagement chooser, and who may answer (nickname, type, picture)."""
    query, account = sandbox().query, g.account
    items = []
    for engagement in account.engagements.values():
        campaign = account.campaigns.get(engagement.campaign_id)
        if (engagement.deleted or not engagement.enabled or campaign is None or campaign.deleted
                or campaign.status != 1):
            continue
        skill_id = engagement.skill_id
        items.append({
            "campaignId": campaign.id, "campaignName": campaign.name,
            "engagementId": engagement.id, "engagementName": engagement.name,
            "description": engagement.description or campaign.description,
            "skillId": skill_id, "skillName": account.skill_name(skill_id),
            "available": query.chat_available(account, skill_id),
            "availableNow": query.chat_available(account, skill_id, max_wait_time=0),
            "estimatedWaitTime": query.estimated_wait_time(account, skill_id),
            "agentTypes": sorted({u.user_type for u in account.users.values()
                                  if skill_id is None or skill_id in u.skill_ids}),
        })
    agents = [{"nickname": u.agent_name, "userType": u.user_type, "pictureUrl": u.picture_url or None}
              for u in account.users.values() if u.enabled and not u.deleted]
    return respond({"accountId": account.id, "accountName": account.name,
                    "engagements": items, "agents": agents})


@bp.get("/persona")
@locked
def persona():
    """A persona suggestion: `seed` repeats one; without it, a new one each time."""
    seed = int_arg("seed")
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    overrides = {k: v for k, v in request.args.items() if k != "seed"}
    return respond({"seed": seed, "persona": make_persona(seed, overrides).as_dict()})


@bp.get("/accounts/<account_id>/live")
@agent_auth
def live_snapshot(account_id):
    """The live-view snapshot of the bearer's account."""
    sb = sandbox()
    return respond(snapshot(sb.query, sb.account(account_id), sb.clock.now(),
                            current_app.extensions["sandbox.live"].seq))
