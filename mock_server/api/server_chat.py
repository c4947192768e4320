"""Server Chat API (service conversationVep): the visitor's side of the same chats."""
from flask import Blueprint, g, request

from ..model.errors import BadRequest, NotFound
from ..wire.chat import chat_json, event_json, events_json, info_json, visitor_chat_links
from ..wire.formats import link
from .common import consumer_auth, event_body, int_arg, json_body, respond, root_url, sandbox

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
    args = request.args
    if args.get("agent") and (args.get("skill") or args.get("maxWaitTime")):
        raise BadRequest("'agent' cannot be combined with 'skill' or 'maxWaitTime'", 1)
    max_wait = int_arg("maxWaitTime")
    if max_wait is not None and max_wait > 86400:
        raise BadRequest("maxWaitTime must be between 0 and 86400 seconds", 1)
    try:
        available = sandbox().chat_available(g.account, args.get("skill"), max_wait,
                                             args.get("agent"))
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
    if (not event_id.isdigit() or int(event_id) >= len(chat.events)
            or not chat.events[int(event_id)].visible_to_visitor):
        raise NotFound(f"Event {event_id} was not found in chat {chat_id}", 45)
    return respond({"event": event_json(chat.events[int(event_id)], g.account.timezone)})


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
        created = sb.visitor_end_chat(chat)
    else:
        created = sb.visitor_line(chat, event.get("text"))
    href = f"{chat_url(account_id, chat_id)}/events/{created.id}"
    return respond(None, 201, {"Location": href})


@bp.get(f"{BASE}/chat/<chat_id>/info")
@consumer_auth
def chat_info(account_id, chat_id):
    """The chat's info as the visitor sees it (also the keep-alive call)."""
    chat = _chat(account_id, chat_id)
    return respond({"info": info_json(chat, chat_url(account_id, chat_id), g.account.timezone,
                                      True, _skill_name(chat), sandbox().clock.now())})
