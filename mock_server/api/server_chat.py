"""Server Chat API (service conversationVep): the visitor's side of the same chats."""
from flask import Blueprint, g, request

from ..model.errors import BadRequest, NotFound
from ..wire.chat import chat_json, event_json, events_json, info_json, visitor_chat_links
from ..wire.formats import link, one_or_many
from ..wire.surveys import survey_json
from .common import (capacity_query, consumer_auth, event_body, int_arg, int_path, json_body, respond, root_url,
                     sandbox, slots_query)

bp = Blueprint("server_chat", __name__)
BASE = "/api/account/<account_id>"


def account_url(account_id: str) -> str:
    """The absolute URL of the account root, on the scheme and host the request used."""
    return f"{root_url()}/api/account/{account_id}"


def chat_url(account_id: str, chat_id: str) -> str:
    """The chat-session-uri of a chat."""
    return f"{account_url(account_id)}/chat/{chat_id}"


def _chat(account_id, chat_id):
    return sandbox().visitor_chat(g.account, chat_id)


def _skill_name(chat):
    skill = g.account.skills.get(chat.skill_id) if chat.skill_id else None
    return skill.name if skill else None


@bp.get(BASE)
@consumer_auth
def discovery(account_id):
    """The account root: links to the chat resources, chosen by rel."""
    url = account_url(account_id)
    return respond({"account": {"@id": account_id, "link": [
        link(url, "self"), link(f"{url}/chat/request", "chat-request"),
        link(f"{url}/chat/availability", "chat-availability"),
        link(f"{url}/chat/availableSlots", "chat-available-slots"),
        link(f"{url}/chat/estimatedWaitTime", "chat-estimatedWaitTime"),
        link(f"{url}/chat/preSurvey", "prechat-survey"),
        link(f"{url}/chat/offlineSurvey", "chat-offline-survey")]}})


@bp.get(f"{BASE}/chat/availability")
@consumer_auth
def availability(account_id):
    """Is an agent available: by skill (+ maxWaitTime) or by agent login name."""
    skill, max_wait, agent = capacity_query()
    try:
        available = sandbox().query.chat_available(g.account, skill, max_wait, agent)
    except BadRequest:
        available = False  # an unknown skill has nobody available
    return respond({"availability": available})


@bp.post(f"{BASE}/chat/request")
@consumer_auth
def request_chat(account_id):
    """Request a chat; the chat-session-uri comes back in the Location header."""
    body = json_body()
    if "request" not in body:
        raise BadRequest("The body must carry the chat request under the 'request' key", 34)
    chat = sandbox().request_chat(g.account, body["request"], request.remote_addr or "",
                                  request.headers.get("User-Agent", ""))
    return respond(None, 200, {"Location": chat_url(account_id, chat.id)})


@bp.get(f"{BASE}/chat/<chat_id>")
@consumer_auth
def chat_resource(account_id, chat_id):
    """The whole chat as the visitor sees it."""
    chat = _chat(account_id, chat_id)
    start, url = int_arg("from", 0), chat_url(account_id, chat_id)
    return respond(chat_json(chat, url, visitor_chat_links(chat, url, start), start, True,
                             g.account.timezone, _skill_name(chat), sandbox().clock.now()))


@bp.get(f"{BASE}/chat/<chat_id>/events")
@consumer_auth
def chat_events(account_id, chat_id):
    """Poll the chat's events from `from` on (agent-only lines are never shown)."""
    chat = _chat(account_id, chat_id)
    return respond({"events": events_json(chat, chat_url(account_id, chat_id),
                                          int_arg("from", 0), True, g.account.timezone)})


@bp.get(f"{BASE}/chat/<chat_id>/events/<event_id>")
@consumer_auth
def chat_event(account_id, chat_id, event_id):
    """One event of the chat, unless it is an agent-only line."""
    chat = _chat(account_id, chat_id)
    missing = NotFound(f"Event {event_id} was not found in chat {chat_id}", 45)
    index = int_path(event_id, missing)
    if index >= len(chat.events) or not chat.events[index].visible_to_visitor:
        raise missing
    return respond({"event": event_json(chat.events[index], g.account.timezone)})


@bp.post(f"{BASE}/chat/<chat_id>/events")
@consumer_auth
def add_event(account_id, chat_id):
    """Send a line or end the chat: 201, the new event's URI in Location."""
    chat = _chat(account_id, chat_id)
    event = event_body()
    sb = sandbox()
    if event["type"] == "state":
        if event.get("state") != "ended":
            raise BadRequest("A visitor can only set the state 'ended'", 38)
        created = sb.end_visitor_chat(chat)
    else:
        created = sb.add_visitor_line(chat, event.get("text"))
    href = f"{chat_url(account_id, chat_id)}/events/{created.id}"
    return respond(None, 201, {"Location": href})


@bp.get(f"{BASE}/chat/<chat_id>/info")
@consumer_auth
def chat_info(account_id, chat_id):
    """The chat's info as the visitor sees it (also the keep-alive call)."""
    chat = _chat(account_id, chat_id)
    return respond({"info": info_json(chat, chat_url(account_id, chat_id), g.account.timezone,
                                      True, _skill_name(chat), sandbox().clock.now())})


@bp.get(f"{BASE}/chat/availableSlots")
@consumer_auth
def available_slots(account_id):
    """Free chat capacity (by skill and maxWaitTime, or one agent); -1 is unlimited."""
    return respond({"availableSlots": slots_query(account_id)})


@bp.get(f"{BASE}/chat/estimatedWaitTime")
@consumer_auth
def estimated_wait_time(account_id):
    """Seconds until an agent is free: 0 now, -1 nobody online, -2 not enough data."""
    seconds = sandbox().query.estimated_wait_time(g.account, request.args.get("skill"))
    return respond({"estimatedWaitTime": seconds})


@bp.get(f"{BASE}/chat/preSurvey")
@consumer_auth
def pre_chat_survey(account_id):
    """The pre-chat survey's structure (answers go in the chat request's `survey`)."""
    return respond(survey_json(g.account.surveys["preChat"], typed=False))


@bp.get(f"{BASE}/chat/offlineSurvey")
@consumer_auth
def offline_survey(account_id):
    """The offline survey's structure, for when nobody is available."""
    return respond(survey_json(g.account.surveys["offline"], typed=False))


@bp.put(f"{BASE}/chat/offlineSurvey")
@consumer_auth
def submit_offline_survey(account_id):
    """Leave an offline message (the offline survey's answers)."""
    sandbox().submit_offline_survey(g.account, json_body().get("survey"))
    return respond()


@bp.get(f"{BASE}/chat/<chat_id>/info/visitorName")
@consumer_auth
def get_visitor_name(account_id, chat_id):
    """The visitor's own name ("You" until set)."""
    chat = _chat(account_id, chat_id)
    return respond({"visitorName": chat.visitor.name or "You"})


@bp.put(f"{BASE}/chat/<chat_id>/info/visitorName")
@consumer_auth
def set_visitor_name(account_id, chat_id):
    """Set {"visitorName": "..."}: 201, as documented."""
    chat = _chat(account_id, chat_id)
    sandbox().set_visitor_name(chat, json_body().get("visitorName"))
    return respond(None, 201)


@bp.get(f"{BASE}/chat/<chat_id>/info/visitorTyping")
@consumer_auth
def get_visitor_typing(account_id, chat_id):
    """The visitor's own typing state."""
    return respond({"visitorTyping": _chat(account_id, chat_id).visitor_typing})


@bp.put(f"{BASE}/chat/<chat_id>/info/visitorTyping")
@consumer_auth
def set_visitor_typing(account_id, chat_id):
    """Set {"visitorTyping": "typing"|"not-typing"}: the agent sees it."""
    chat = _chat(account_id, chat_id)
    sandbox().set_typing(chat, "visitor", json_body().get("visitorTyping"))
    return respond()


@bp.get(f"{BASE}/chat/<chat_id>/info/agentTyping")
@consumer_auth
def get_agent_typing(account_id, chat_id):
    """Is the agent typing?"""
    return respond({"agentTyping": _chat(account_id, chat_id).agent_typing})


@bp.get(f"{BASE}/chat/<chat_id>/exitSurvey")
@consumer_auth
def exit_survey(account_id, chat_id):
    """The exit survey's structure (with the CSAT question)."""
    _chat(account_id, chat_id)
    return respond(survey_json(g.account.surveys["exit"], typed=True))


@bp.put(f"{BASE}/chat/<chat_id>/exitSurvey")
@consumer_auth
def submit_exit_survey(account_id, chat_id):
    """Answer the exit survey: compact answers or the structure sent back filled in."""
    chat = _chat(account_id, chat_id)
    sandbox().submit_survey(chat, "exit", json_body().get("survey"))
    return respond()


@bp.put(f"{BASE}/chat/<chat_id>/transcriptRequest")
@consumer_auth
def transcript_request(account_id, chat_id):
    """Ask for the transcript by e-mail: recorded; a sandbox sends no mail."""
    chat = _chat(account_id, chat_id)
    sandbox().request_transcript(chat, json_body().get("email"))
    return respond()


@bp.put(f"{BASE}/chat/<chat_id>/transcriptWithSubjectRequest")
@consumer_auth
def transcript_with_subject_request(account_id, chat_id):
    """Ask for the transcript by e-mail with a subject line: recorded, no mail sent."""
    chat = _chat(account_id, chat_id)
    body = json_body()
    subject = body.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise BadRequest("'subject' must be a string", 1)
    sandbox().request_transcript(chat, body.get("email"), subject)
    return respond()


@bp.get(f"{BASE}/chat/<chat_id>/customVariables")
@consumer_auth
def custom_variables(account_id, chat_id):
    """The custom variables the visitor gave in the chat request (read only: the docs mark the
    resource deprecated and document no way to change them)."""
    custom = _chat(account_id, chat_id).visitor.extra.get("customVariables") or {}
    items = custom.get("customVariable", []) if isinstance(custom, dict) else []
    variables = [{"name": str(i.get("name")), "value": str(i.get("value"))}
                 for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)]
    return respond({"customVariables": {"customVariable": one_or_many(variables)}
                    if variables else None})
