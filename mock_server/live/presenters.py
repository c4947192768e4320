"""The browser pages' own endpoints (sandbox extensions, not LivePerson APIs).

* `GET /_sandbox/accounts/{id}/engagements` (Server Chat app key): what the consumer page offers:
  campaign, engagement, skill, whether an agent is available now; and the agents' nicknames,
  types and pictures, so agent lines can show who said them.
* `GET /_sandbox/persona?seed=N`: a fresh Faker persona suggestion for the consumer page.
* `GET /_sandbox/accounts/{id}/live` (Login Service bearer of that account): the live-view
  snapshot, the same one the Socket.IO `watch` acknowledgement carries; it also carries the
  account's canned responses (`cannedResponses` in the config) for the workspace.

The snapshot and the pieces of it that the live view pushes (`agent_summaries`, `queues`,
`chat_summary`, `live_event`) are built here; only data of one account is ever put together.
"""
import random

import nh3
from flask import Blueprint, current_app, g, request

from ..api.common import agent_auth, consumer_auth, int_arg, locked, respond, sandbox
from ..model import capacity
from ..model.accounts import Account, User
from ..model.agents import OFFLINE
from ..model.chats import ENDED, WAITING, Chat, ChatEvent
from ..model.personas import make_persona
from ..wire.chat import event_json
from ..wire.formats import epoch_ms

bp = Blueprint("live", __name__, url_prefix="/_sandbox")

# Markup an agent's html line may keep on the pages; everything else (attributes such as
# style and event handlers, script, img, iframe, ...) is removed, text is kept.
ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a", "code", "pre",
                "blockquote", "span"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
SNAPSHOT_EVENTS = 300  # events per chat in a snapshot (the newest); the count says how many exist
SNAPSHOT_CHATS = 200  # chats in a snapshot: every open chat, then the newest ended ones


def sanitize_html(text: str) -> str:
    """An html line reduced to the allowed tags (nh3/ammonia); safe to insert as markup."""
    return nh3.clean(text or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow")


# --- the pieces of a live view ------------------------------------------------------------

def live_event(event: ChatEvent, tz: str) -> dict:
    """A chat event as the live view sends it: the wire form, plus the sanitised markup of an
    html line under `html` and the epoch ms time under `ms`."""
    out = event_json(event, tz)
    out["ms"] = epoch_ms(event.time)
    if event.type == "line" and event.text_type == "html":
        out["html"] = sanitize_html(event.text)
    if event.agent_id:
        out["agentId"] = event.agent_id
    return out


def agent_summary(sb, account: Account, user: User) -> dict:
    """One user of the agent list: who, bot or human, availability, load, capacity."""
    sessions = sb.agents.for_user(user)
    return {"userId": user.id, "loginName": user.login_name, "nickname": user.agent_name,
            "fullName": user.display_name, "userType": user.user_type,
            "pictureUrl": user.picture_url or None, "isAdmin": user.is_admin,
            "availability": sessions[-1].availability if sessions else OFFLINE,
            "sessions": len(sessions), "load": sb.load(user), "maxChats": user.max_chats,
            "ringing": sum(len(s.ringing) for s in sessions),
            "skills": [account.skills[s].name for s in user.skill_ids if s in account.skills]}


def takes_chats(user: User) -> bool:
    """Can chats reach this user? Not an administrator with `maxChats` 0 and no skill, who
    only watches (logged in or not): the agent list leaves such a user out."""
    return bool(user.skill_ids) or user.max_chats != 0


def agent_summaries(sb, account: Account) -> list[dict]:
    """Every enabled, not deleted user who can take chats, bots first."""
    users = [u for u in account.users.values() if u.enabled and not u.deleted and takes_chats(u)]
    users.sort(key=lambda u: (u.user_type != "bot", u.agent_name.lower()))
    return [agent_summary(sb, account, u) for u in users]


def _skill_name(account: Account, skill_id: str | None) -> str | None:
    skill = account.skills.get(skill_id) if skill_id else None
    return skill.name if skill else None


def queues(sb, account: Account) -> dict[str, list[dict]]:
    """Waiting chats per skill name, oldest first (every skill of the account is listed).

    The router's queues give the order; a waiting chat not in them yet (the bus tells of a new
    chat just before it is queued) comes after them."""
    out = {s.name: [] for s in account.skills.values() if not s.deleted}
    ordered = [chat_id for (account_id, _skill), ids in sb.router.queues.items()
               if account_id == account.id for chat_id in ids]
    seen = set(ordered)
    # Filter before sorting: sb.chats keeps every chat ever, and this runs on many events.
    late = [c for c in sb.chats.values()
            if c.account_id == account.id and c.state == WAITING and c.id not in seen]
    ordered += [c.id for c in sorted(late, key=_waiting_since)]
    for chat_id in ordered:
        chat = sb.chats[chat_id]
        if chat.state != WAITING:
            continue
        ringing = sb.agents.by_id.get(chat.ringing_session_id) if chat.ringing_session_id else None
        out.setdefault(_skill_name(account, chat.skill_id) or "(any skill)", []).append({
            "chatId": chat.id, "visitorName": visitor_name(chat),
            "since": epoch_ms(_waiting_since(chat)),
            "ringing": ringing.user.agent_name if ringing else None,
            "transferred": chat.transferred})
    return out


def _waiting_since(chat: Chat) -> float:
    for event in reversed(chat.events):
        if event.type == "state":
            return event.time
    return chat.created


def visitor_name(chat: Chat) -> str:
    """The name the workspace shows for the customer: the one given, else the persona's."""
    persona = chat.visitor.persona
    return chat.visitor.name or (persona.name if persona else None) or "Visitor"


def chat_summary(sb, account: Account, chat: Chat) -> dict:
    """Everything the live view shows about a chat except its events."""
    agent = chat.agent
    ringing = sb.agents.by_id.get(chat.ringing_session_id) if chat.ringing_session_id else None
    last_agent = agent or next((account.users.get(e.agent_id) for e in reversed(chat.events)
                                if e.agent_id and e.agent_id in account.users), None)
    persona = chat.visitor.persona
    return {
        "id": chat.id, "skill": _skill_name(account, chat.skill_id), "skillId": chat.skill_id,
        "state": chat.state, "engagementId": chat.engagement_id, "campaignId": chat.campaign_id,
        "agentName": agent.agent_name if agent else None,
        "agentId": agent.id if agent else None,
        "agentType": agent.user_type if agent else None,
        "lastAgentName": last_agent.agent_name if last_agent else None,
        "lastAgentType": last_agent.user_type if last_agent else None,
        "ringingAgent": ringing.user.agent_name if ringing else None,
        "ringingSessionId": ringing.id if ringing else None,
        "visitorName": visitor_name(chat),
        "visitor": visitor_details(chat),
        "preChat": survey_answers(account, "preChat", chat.surveys.get("preChat")),
        "customVariables": custom_variables(chat),
        "visitorTyping": chat.visitor_typing, "agentTyping": chat.agent_typing,
        "created": epoch_ms(chat.created), "lastUpdate": epoch_ms(chat.last_update),
        "waitingSince": epoch_ms(_waiting_since(chat)) if chat.state == WAITING else None,
        "endedBy": chat.end_reason if chat.state == ENDED else None,
        "endedTime": epoch_ms(chat.ended_time) if chat.state == ENDED and chat.ended_time else None,
        "transfers": [transfer_json(account, t) for t in chat.transfers],
        "eventCount": len(chat.events),
        "surveys": {k: v for k, v in chat.surveys.items()},
        "exitSurvey": survey_answers(account, "exit", chat.surveys.get("exit")),
        "agentSurvey": survey_answers(account, "agent", chat.surveys.get("agent")),
    }


def visitor_details(chat: Chat) -> dict | None:
    """Who the customer is, as the agent may see it (the visit's details): the persona, with
    the address, user agent and page the chat really came with."""
    persona, visitor = chat.visitor.persona, chat.visitor
    if persona is None:
        return None
    out = persona.as_dict()
    out.update(ip=visitor.ip or persona.ip, userAgent=visitor.user_agent or persona.user_agent,
               page=visitor.referrer or persona.page, language=visitor.language,
               visitorId=visitor.visitor_id, visitId=chat.visit_id, givenName=visitor.name)
    return out


def survey_answers(account: Account, kind: str, answers: dict | None) -> list[dict] | None:
    """Stored answers of one of the chat's surveys with their questions' labels, in the
    survey's order: [{id, label, answer: [values], csat}], or None when not answered."""
    if not answers:
        return None
    survey = account.surveys.get(kind)
    questions = sorted(survey.questions, key=lambda q: q.order) if survey else []
    known = [q for q in questions if q.id in answers]
    items = [{"id": q.id, "label": q.label, "answer": list(answers[q.id]), "csat": q.csat}
             for q in known]
    items += [{"id": qid, "label": qid, "answer": list(values), "csat": False}
              for qid, values in answers.items() if qid not in {q.id for q in known}]
    return items


def custom_variables(chat: Chat) -> list[dict]:
    """The chat request's own `customVariables` as [{name, value}] (sandbox: as sent)."""
    custom = chat.visitor.extra.get("customVariables") or {}
    items = custom.get("customVariable", []) if isinstance(custom, dict) else []
    return [{"name": str(i.get("name")), "value": str(i.get("value"))}
            for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)]


def transfer_json(account: Account, transfer) -> dict:
    """One transfer: from whom, to which skill or agent, and the reason given."""
    to_user = account.users.get(transfer.to_user_id) if transfer.to_user_id else None
    return {"from": transfer.from_agent_name, "fromUserId": transfer.from_user_id,
            "fromSkill": _skill_name(account, transfer.from_skill_id),
            "to": to_user.agent_name if to_user else _skill_name(account, transfer.to_skill_id),
            "toSkill": _skill_name(account, transfer.to_skill_id),
            "toAgent": to_user.agent_name if to_user else None,
            "reason": transfer.text, "time": epoch_ms(transfer.time)}


def chat_with_events(sb, account: Account, chat: Chat, limit: int = SNAPSHOT_EVENTS) -> dict:
    """A chat summary with its newest `limit` events."""
    out = chat_summary(sb, account, chat)
    events = chat.events[-limit:] if limit else chat.events
    out["events"] = [live_event(e, account.timezone) for e in events]
    out["eventsOmitted"] = len(chat.events) - len(events)
    return out


def snapshot(sb, account_id: str, seq: int = 0) -> dict:
    """The live view of one account: agents, queues per skill, chats with their events."""
    account = sb.account(account_id)
    chats = [c for c in sb.chats.values() if c.account_id == account.id]
    open_chats = [c for c in chats if c.state != ENDED]
    ended = sorted((c for c in chats if c.state == ENDED), key=lambda c: c.last_update)
    room = max(SNAPSHOT_CHATS - len(open_chats), 0)
    shown = sorted(open_chats + (ended[-room:] if room else []), key=lambda c: c.created)
    return {"accountId": account.id, "accountName": account.name, "seq": seq,
            "now": epoch_ms(sb.clock.now()),
            "skills": [{"id": s.id, "name": s.name} for s in account.skills.values() if not s.deleted],
            "agents": agent_summaries(sb, account), "queues": queues(sb, account),
            "cannedResponses": [{"title": c.title, "text": c.text, "category": c.category}
                                for c in account.canned_responses],
            "chats": [chat_with_events(sb, account, c) for c in shown]}


# --- endpoints ----------------------------------------------------------------------------

@bp.get("/accounts/<account_id>/engagements")
@consumer_auth
def engagements(account_id):
    """The consumer page's engagement chooser, and who may answer (nickname, type, picture)."""
    sb, account = sandbox(), g.account
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
            "skillId": skill_id, "skillName": _skill_name(account, skill_id),
            "available": sb.chat_available(account, skill_id),
            "availableNow": sb.chat_available(account, skill_id, max_wait_time=0),
            "estimatedWaitTime": capacity.estimated_wait_time(sb, account, skill_id),
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
    feed = getattr(current_app.extensions.get("sandbox.socketio"), "sandbox_feed", None)
    return respond(snapshot(sandbox(), account_id, feed.seq if feed else 0))
