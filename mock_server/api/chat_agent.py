"""Chat Agent API (service agentVep): agent sessions, availability, ringing, chats, lines."""
from flask import Blueprint, g, request

from ..model.errors import BadRequest, NotFound
from ..wire.agents import available_agent_json
from ..wire.chat import (agent_chat_links, chat_json, chat_session_json, event_json, events_json,
                         info_json, visit_json)
from ..wire.formats import epoch_ms, link, location, one_or_many
from ..wire.surveys import survey_json
from ..model.numbers import is_int_text
from .common import (agent_auth, event_body, int_arg, int_path, json_body, respond, root_url, sandbox,
                     slots_query)

bp = Blueprint("chat_agent", __name__)
BASE = "/api/account/<account_id>/agentSession"


def session_url(account_id: str, session_id: str) -> str:
    """The absolute URL of an agent session, on the scheme and host the request used."""
    return f"{root_url()}/api/account/{account_id}/agentSession/{session_id}"


def _session(session_id):
    return sandbox().agent_session(g.login, session_id)


def _chat(session_id, chat_id):
    session = _session(session_id)
    return session, sandbox().query.agent_chat(session, chat_id)


def _tz(account_id):
    return sandbox().account(account_id).timezone


@bp.post(BASE)
@agent_auth
def start_agent_session(account_id):
    """Start an agent session; the body ({"loginData": ...}) is required but not read."""
    json_body(required=False)  # malformed JSON is still a 400
    session = sandbox().start_agent_session(g.login)
    return respond(location("agentSessionLocation", session_url(account_id, session.id)))


@bp.get(f"{BASE}/<session_id>")
@agent_auth
def agent_session(account_id, session_id):
    """The agent session resource: its links and current state."""
    session = _session(session_id)
    url = session_url(account_id, session_id)
    body = {"@id": session.id,
            "link": [link(url, "self"), link(f"{url}/info", "info"),
                     link(f"{url}/availability", "availability"),
                     link(f"{url}/incomingRequests", "incoming-requests"),
                     link(f"{url}/chatSessions", "chat-sessions"),
                     link(f"{url}/availableAgents", "available-agents"),
                     link(f"{url}/chat/availableSlots", "chat-available-slots")],
            "availability": {"chat": session.availability, "voice": "Offline"}}
    if request.args.get("cs") == "1":
        # cs=1 (Postman): the session's status including its ongoing chat sessions
        items = [chat_session_json(c, url) for c in sandbox().query.held_chats(session)]
        body["chatSessions"] = {"chatSession": one_or_many(items)} if items else {}
    return respond({"agentSession": body})


@bp.get(f"{BASE}/<session_id>/info")
@agent_auth
def agent_info(account_id, session_id):
    """The agent's own profile: names, id, maxChats, availability, skills."""
    session = _session(session_id)
    account, user = sandbox().account(account_id), session.user
    skills = [{"id": s, "name": account.skills[s].name} for s in user.skill_ids if s in account.skills]
    info = {"link": link(f"{session_url(account_id, session_id)}/info", "self"),
            "agentName": user.agent_name, "displayName": user.display_name,
            "loginName": user.login_name, "id": user.id, "maxChats": str(user.max_chats),
            "availability": {"chat": session.availability, "voice": "Offline"},
            "skillsInfo": {"skillInfo": one_or_many(skills)} if skills else None}
    return respond({"info": info})


@bp.get(f"{BASE}/<session_id>/availability")
@agent_auth
def get_availability(account_id, session_id):
    """The agent's current chat availability."""
    session = _session(session_id)
    return respond({"availability": {"chat": session.availability, "voice": "Offline"}})


@bp.put(f"{BASE}/<session_id>/availability")
@agent_auth
def set_availability(account_id, session_id):
    """Set availability: {"availability": {"chat": "Online"|"Away"|"Occupied"}}."""
    session = _session(session_id)
    availability = json_body().get("availability")
    if not isinstance(availability, dict) or "chat" not in availability:
        raise BadRequest("The body must be {\"availability\": {\"chat\": ...}}", 1)
    sandbox().set_agent_availability(session, availability["chat"])
    return respond({"availability": {"chat": session.availability}})


@bp.get(f"{BASE}/<session_id>/incomingRequests")
@agent_auth
def incoming_requests(account_id, session_id):
    """How many chats ring at this session; with a link to accept the next when any do."""
    session = _session(session_id)
    ringing = sandbox().query.ringing_at(session)
    body = {"ringingCount": str(len(ringing))}
    if ringing:
        body["link"] = link(f"{session_url(account_id, session_id)}/incomingRequests",
                            "accept-next-chat")
    return respond({"incomingRequests": body})


@bp.post(f"{BASE}/<session_id>/incomingRequests")
@agent_auth
def accept_chat(account_id, session_id):
    """Accept the next ringing chat: 201 with its location."""
    session = _session(session_id)
    json_body(required=False)
    chat = sandbox().accept_chat(session)
    href = f"{session_url(account_id, session_id)}/chat/{chat.id}"
    return respond(location("chatLocation", href), 201)


@bp.get(f"{BASE}/<session_id>/chatSessions")
@agent_auth
def chat_sessions(account_id, session_id):
    """The chats this agent is chatting in."""
    session = _session(session_id)
    url = session_url(account_id, session_id)
    items = [chat_session_json(c, url) for c in sandbox().query.held_chats(session)]
    return respond({"chatSessions": {"chatSession": one_or_many(items)} if items else {}})


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>")
@agent_auth
def chat_resource(account_id, session_id, chat_id):
    """The whole chat: links, events (from `from`), info."""
    session, chat = _chat(session_id, chat_id)
    start = int_arg("from", 0)
    url = session_url(account_id, session_id)
    sb = sandbox()
    return respond(chat_json(chat, f"{url}/chat/{chat.id}", agent_chat_links(chat, url, start),
                             start, False, _tz(account_id), None, sb.clock.now()))


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/events")
@agent_auth
def chat_events(account_id, session_id, chat_id):
    """Poll the chat's events from `from` on; follow the `next` link."""
    _, chat = _chat(session_id, chat_id)
    chat_url = f"{session_url(account_id, session_id)}/chat/{chat.id}"
    return respond({"events": events_json(chat, chat_url, int_arg("from", 0), False,
                                          _tz(account_id))})


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/events/<event_id>")
@agent_auth
def chat_event(account_id, session_id, chat_id, event_id):
    """One event of the chat (the location a POST to events returns)."""
    _, chat = _chat(session_id, chat_id)
    missing = NotFound(f"Event {event_id} was not found in chat {chat_id}", 45)
    index = int_path(event_id, missing)
    if index >= len(chat.events):
        raise missing
    return respond({"event": event_json(chat.events[index], _tz(account_id))})


@bp.post(f"{BASE}/<session_id>/chat/<chat_id>/events")
@agent_auth
def add_event(account_id, session_id, chat_id):
    """Add a line ({"event": {"@type": "line", ...}}) or end the chat (state "ended")."""
    session, chat = _chat(session_id, chat_id)
    event = event_body()
    sb = sandbox()
    chat_url = f"{session_url(account_id, session_id)}/chat/{chat.id}"
    if event["type"] == "state":
        if event.get("state") != "ended":
            raise BadRequest("An agent can only set the state 'ended'", 38)
        ended = sb.end_agent_chat(session, chat)
        return respond(location("chatLocation", f"{chat_url}/events/{ended.id}"), 201)
    line = sb.add_agent_line(session, chat, event.get("text"), event.get("textType") or "plain",
                         event.get("subType") or "REGULAR", event.get("json"),
                         event.get("quickReplies"))
    return respond(location("chatEventLocation", f"{chat_url}/events/{line.id}"), 201)


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/info")
@agent_auth
def chat_info(account_id, session_id, chat_id):
    """The chat's info: state, agent, visitor, typing, timing."""
    _, chat = _chat(session_id, chat_id)
    chat_url = f"{session_url(account_id, session_id)}/chat/{chat.id}"
    return respond({"info": info_json(chat, chat_url, _tz(account_id), False, None,
                                      sandbox().clock.now())})



@bp.get(f"{BASE}/<session_id>/availableAgents")
@agent_auth
def available_agents(account_id, session_id):
    """Every enabled agent of the account, filtered by skill, chatState or voiceState."""
    _session(session_id)
    sb = sandbox()
    account, now, args = sb.account(account_id), sb.clock.now(), request.args
    agents = [available_agent_json(account, *row, now) for row in sb.query.available_agents(
        account, args.get("skill"), args.get("chatState"), args.get("voiceState"))]
    next_href = f"{session_url(account_id, session_id)}/availableAgents?timeStamp={epoch_ms(now)}"
    return respond({"availableAgents": {"agents": {"agent": one_or_many(agents)} if agents else None,
                                        "link": link(next_href, "next")}})


@bp.get(f"{BASE}/<session_id>/chat/availableSlots")
@agent_auth
def available_slots(account_id, session_id):
    """Free chat capacity of Online agents (by skill and maxWaitTime, or one agent)."""
    _session(session_id)
    return respond({"availableSlots": slots_query(account_id)})


@bp.get(f"{BASE}/<session_id>/chat")
@agent_auth
def multi_chat(account_id, session_id):
    """Data of several chats at once: chatSessionKeys, with fromEventIds matched by position."""
    session = _session(session_id)
    keys = [k for k in request.args.get("chatSessionKeys", "").split(",") if k.strip()]
    if not keys:
        raise BadRequest("Query parameter 'chatSessionKeys' is required", 1)
    froms = [f for f in request.args.get("fromEventIds", "").split(",") if f.strip()]
    if any(not is_int_text(f.strip()) or f.strip().startswith("-") for f in froms):
        raise BadRequest("fromEventIds must be non-negative integers", 1)
    sb, url, tz = sandbox(), session_url(account_id, session_id), _tz(account_id)
    chats = []
    for i, key in enumerate(keys):
        chat = sb.query.agent_chat(session, key.strip())
        start = int(froms[i]) if i < len(froms) else 0
        chats.append(chat_json(chat, f"{url}/chat/{chat.id}", agent_chat_links(chat, url, start),
                               start, False, tz, None, sb.clock.now())["chat"])
    return respond({"chats": {"chat": one_or_many(chats)}})


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/info/visitorName")
@agent_auth
def visitor_name(account_id, session_id, chat_id):
    """The visitor's name ("visitor" until they give one)."""
    _, chat = _chat(session_id, chat_id)
    return respond({"visitorName": chat.visitor.name or "visitor"})


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/info/visitorTyping")
@agent_auth
def visitor_typing(account_id, session_id, chat_id):
    """Is the visitor typing?"""
    _, chat = _chat(session_id, chat_id)
    return respond({"visitorTyping": chat.visitor_typing})


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/info/agentTyping")
@agent_auth
def get_agent_typing(account_id, session_id, chat_id):
    """The agent's own typing state."""
    _, chat = _chat(session_id, chat_id)
    return respond({"agentTyping": chat.agent_typing})


@bp.put(f"{BASE}/<session_id>/chat/<chat_id>/info/agentTyping")
@agent_auth
def set_agent_typing(account_id, session_id, chat_id):
    """Set {"agentTyping": "typing"|"not-typing"}: the visitor sees it. 201, as documented."""
    _, chat = _chat(session_id, chat_id)
    value = json_body().get("agentTyping")
    sandbox().set_typing(chat, "agent", value)
    return respond({"agentTyping": chat.agent_typing}, 201)


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/transfer")
@agent_auth
def transfer_skills(account_id, session_id, chat_id):
    """Skills the chat can be transferred to: those with an agent on duty."""
    session, chat = _chat(session_id, chat_id)
    skills = [{"id": sid, "name": name, "onlineAgents": str(n)}
              for sid, name, n in sandbox().query.transfer_skills(session, sandbox().account(chat.account_id))]
    return respond({"transfer": {"skill": one_or_many(skills)} if skills else {}})


@bp.post(f"{BASE}/<session_id>/chat/<chat_id>/transfer")
@agent_auth
def transfer_chat(account_id, session_id, chat_id):
    """Transfer to {"skill": {"id"}} or {"agent": {"id"}} (the agent wins), with a `text` note."""
    session, chat = _chat(session_id, chat_id)
    body = json_body()
    spec = body.get("transfer")
    if not isinstance(spec, dict):
        raise BadRequest("The body must carry a 'transfer' object", 1)
    skill, agent = spec.get("skill"), spec.get("agent")
    if (skill is not None and not isinstance(skill, dict)) or (agent is not None and not isinstance(agent, dict)):
        raise BadRequest("'skill' and 'agent' must be objects with an 'id'", 1)
    text = spec.get("text", body.get("text"))  # the sample app puts text beside `transfer`
    sandbox().transfer_chat(session, chat, (skill or {}).get("id"),
                            (agent or {}).get("id"), text)
    return respond()


@bp.get(f"{BASE}/<session_id>/chat/<chat_id>/survey")
@agent_auth
def agent_survey(account_id, session_id, chat_id):
    """The agent survey's structure."""
    _chat(session_id, chat_id)
    return respond(survey_json(sandbox().account(account_id).surveys["agent"], typed=False))


@bp.put(f"{BASE}/<session_id>/chat/<chat_id>/survey")
@agent_auth
def submit_agent_survey(account_id, session_id, chat_id):
    """Answer the agent survey: {"survey": {"id", "question": [{"id", "answer"}]}}."""
    _, chat = _chat(session_id, chat_id)
    sandbox().submit_survey(chat, "agent", json_body().get("survey"))
    return respond()


def _visit_chat(session, visit_id):
    sb = sandbox()
    for chat in sb.query.chats_of(session.user):
        if chat.visit_id == visit_id:
            return chat
    raise NotFound(f"Visit {visit_id} was not found for this agent session", 49)


def _visit(account_id, session_id, visit_id) -> dict:
    """The visit resource of one of this agent's chats."""
    chat = _visit_chat(_session(session_id), visit_id)
    url = f"{session_url(account_id, session_id)}/visits/visit/{visit_id}"
    return visit_json(chat, sandbox().account(account_id), url)


@bp.get(f"{BASE}/<session_id>/visits/visit/<visit_id>")
@agent_auth
def visit(account_id, session_id, visit_id):
    """The visit behind a chat: the visitor's details, pre-chat answers, custom variables."""
    return respond({"visit": _visit(account_id, session_id, visit_id)})


@bp.get(f"{BASE}/<session_id>/visits/visit/<visit_id>/customVariables")
@agent_auth
def visit_custom_variables(account_id, session_id, visit_id):
    """The visit's custom variables (visitor details and pre-chat answers, as name/value)."""
    return respond({"customVariables": _visit(account_id, session_id, visit_id)["customVariables"]})
