"""What the live view shows: the snapshot of one account and the pieces of it that the feed
pushes (`agent_summaries`, `queues`, `chat_summary`, `live_event`). Only data of one account is
ever put together; everything is read through the model's query surface."""
import nh3

from ..model.accounts import Account, User
from ..model.chats import ENDED, WAITING, Chat, ChatEvent
from ..model.queries import Queries
from ..wire.chat import event_json
from ..wire.formats import epoch_ms

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


def agent_summary(query: Queries, account: Account, user: User) -> dict:
    """One user of the agent list: who, bot or human, availability, load, capacity."""
    sessions = query.sessions_of(user)
    return {"userId": user.id, "loginName": user.login_name, "nickname": user.agent_name,
            "fullName": user.display_name, "userType": user.user_type,
            "pictureUrl": user.picture_url or None, "isAdmin": user.is_admin,
            "availability": query.availability(user),
            "sessions": len(sessions), "load": query.load(user), "maxChats": user.max_chats,
            "ringing": sum(len(s.ringing) for s in sessions),
            "skills": [account.skills[s].name for s in user.skill_ids if s in account.skills]}


def takes_chats(user: User) -> bool:
    """Can chats reach this user? Not an administrator with `maxChats` 0 and no skill, who
    only watches (logged in or not): the agent list leaves such a user out."""
    return bool(user.skill_ids) or user.max_chats != 0


def agent_summaries(query: Queries, account: Account) -> list[dict]:
    """Every enabled, not deleted user who can take chats, bots first."""
    users = [u for u in account.users.values() if u.enabled and not u.deleted and takes_chats(u)]
    users.sort(key=lambda u: (u.user_type != "bot", u.agent_name.lower()))
    return [agent_summary(query, account, u) for u in users]


def queues(query: Queries, account: Account) -> dict[str, list[dict]]:
    """Waiting chats per skill name, oldest first (every skill of the account is listed)."""
    out = {s.name: [] for s in account.skills.values() if not s.deleted}
    for chat in query.waiting(account):
        ringing = query.ringing_session(chat)
        out.setdefault(account.skill_name(chat.skill_id) or "(any skill)", []).append({
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


def chat_summary(query: Queries, account: Account, chat: Chat) -> dict:
    """Everything the live view shows about a chat except its events."""
    agent = chat.agent
    ringing = query.ringing_session(chat)
    last_agent = agent or next((account.users.get(e.agent_id) for e in reversed(chat.events)
                                if e.agent_id and e.agent_id in account.users), None)
    persona = chat.visitor.persona
    return {
        "id": chat.id, "skill": account.skill_name(chat.skill_id), "skillId": chat.skill_id,
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
            "fromSkill": account.skill_name(transfer.from_skill_id),
            "to": to_user.agent_name if to_user else account.skill_name(transfer.to_skill_id),
            "toSkill": account.skill_name(transfer.to_skill_id),
            "toAgent": to_user.agent_name if to_user else None,
            "reason": transfer.text, "time": epoch_ms(transfer.time)}


def chat_with_events(query: Queries, account: Account, chat: Chat,
                     limit: int = SNAPSHOT_EVENTS) -> dict:
    """A chat summary with its newest `limit` events."""
    out = chat_summary(query, account, chat)
    events = chat.events[-limit:] if limit else chat.events
    out["events"] = [live_event(e, account.timezone) for e in events]
    out["eventsOmitted"] = len(chat.events) - len(events)
    return out


def snapshot(query: Queries, account: Account, now: float, seq: int = 0) -> dict:
    """The live view of one account: agents, queues per skill, chats with their events."""
    chats = query.chats_of_account(account)
    open_chats = [c for c in chats if c.state != ENDED]
    ended = sorted((c for c in chats if c.state == ENDED), key=lambda c: c.last_update)
    room = max(SNAPSHOT_CHATS - len(open_chats), 0)
    shown = sorted(open_chats + (ended[-room:] if room else []), key=lambda c: c.created)
    return {"accountId": account.id, "accountName": account.name, "seq": seq,
            "now": epoch_ms(now),
            "skills": [{"id": s.id, "name": s.name} for s in account.skills.values() if not s.deleted],
            "agents": agent_summaries(query, account), "queues": queues(query, account),
            "cannedResponses": [{"title": c.title, "text": c.text, "category": c.category}
                                for c in account.canned_responses],
            "chats": [chat_with_events(query, account, c) for c in shown]}
