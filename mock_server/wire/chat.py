"""Chat resources on the wire: events, info and the whole chat, for the agent and visitor sides."""
from ..model.chats import Chat, ChatEvent
from .formats import epoch_ms, iso_time, link, number_if_digits, one_or_many


def event_json(event: ChatEvent, tz: str) -> dict:
    """One event: `@id` and `@type` as attributes, numbers as strings."""
    out = {"@id": str(event.id), "@type": event.type, "time": iso_time(event.time, tz)}
    if event.type == "state":
        out["state"] = event.state
        return out
    out["textType"] = event.text_type
    out["text"] = event.text
    out["by"] = event.by
    out["source"] = event.source
    if event.system_message_id is not None:
        # The Server Chat docs call it "a number passed as a string"; we do that on both sides.
        out["systemMessageId"] = str(event.system_message_id)
    out["subType"] = event.sub_type
    if event.json is not None:
        out["json"] = event.json
    if event.quick_replies is not None:
        out["quickReplies"] = event.quick_replies
    return out


def events_json(chat: Chat, chat_url: str, start: int, for_visitor: bool, tz: str) -> dict:
    """The `events` element: self and next links, then the events from `start` on."""
    events = chat.events_from(start, for_visitor)
    next_from = max(len(chat.events), start)  # events hidden from this side are skipped too
    out = {"link": [link(f"{chat_url}/events", "self"),
                    link(f"{chat_url}/events?from={next_from}", "next")]}
    rendered = one_or_many([event_json(e, tz) for e in events])
    if rendered is not None:
        out["event"] = rendered
    return out


def _info_links(chat_url: str) -> list:
    info = f"{chat_url}/info"
    return [link(info, "self"), link(f"{info}/visitorName", "visitor-name"),
            link(f"{info}/visitorTyping", "visitor-typing"),
            link(f"{info}/agentTyping", "agent-typing")]


def info_json(chat: Chat, chat_url: str, tz: str, for_visitor: bool, skill_name: str | None,
              now: float) -> dict:
    """The `info` element of a chat (the agent side's example shape; skill added for visitors)."""
    visitor_default = "You" if for_visitor else "visitor"
    duration = int((chat.ended_time or now) - chat.accepted_time) if chat.accepted_time else 0
    out = {"link": _info_links(chat_url), "state": chat.state, "chatSessionKey": chat.id}
    if for_visitor and chat.skill_id is not None:
        out["skillName"] = skill_name
        out["skillId"] = number_if_digits(chat.skill_id)
    if chat.agent is not None:
        out["agentName"] = chat.agent.agent_name
        out["agentId"] = number_if_digits(chat.agent.id)
    out.update({
        "startTime": iso_time(chat.created, tz),
        "duration": duration,
        "lastUpdate": iso_time(chat.last_update, tz),
        "chatTimeout": chat.chat_timeout,
        "visitorId": number_if_digits(chat.visitor.visitor_id),
        "agentTyping": chat.agent_typing,
        "visitorTyping": chat.visitor_typing,
        "visitorName": chat.visitor.name or visitor_default,
        "rtSessionId": number_if_digits(chat.rt_session_id),
        "sharkVisitorId": chat.visitor.shark_visitor_id,
        "sharkSessionId": chat.visitor.shark_session_id,
        "sharkContextId": chat.visitor.shark_context_id,
    })
    if not for_visitor and chat.visitor.persona is not None:
        # Not in the docs' example: the agent's view of who the customer is (docs/fidelity.md).
        out["visitorInfo"] = chat.visitor.persona.as_dict()
    if chat.engagement_id:
        out["engagementId"] = chat.engagement_id
    if chat.campaign_id:
        out["campaignId"] = chat.campaign_id
    out["language"] = chat.visitor.language
    return out


def agent_chat_links(chat: Chat, session_url: str, start: int) -> list:
    """The link list of a chat resource on the agent side."""
    chat_url = f"{session_url}/chat/{chat.id}"
    return [link(chat_url, "self"), link(f"{chat_url}/events", "events"),
            link(f"{chat_url}/info", "info"),
            link(f"{chat_url}?from={max(len(chat.events), start)}", "next"),
            link(f"{chat_url}/collaborationChannels", "collaboration-channels"),
            link(f"{session_url}/visits/visit/{chat.visit_id}", "visit-id"),
            link(f"{chat_url}/transfer", "transfer"),
            link(f"{chat_url}/transferAccount", "transfer-account"),
            link(f"{chat_url}/survey", "agent-survey")]


def visitor_chat_links(chat: Chat, chat_url: str, start: int) -> list:
    """The link list of a chat resource on the visitor side."""
    return [link(chat_url, "self"), link(f"{chat_url}/events", "events"),
            link(f"{chat_url}/info", "info"),
            link(f"{chat_url}?from={max(len(chat.events), start)}", "next"),
            link(f"{chat_url}/transcriptRequest", "transcript-request"),
            link(f"{chat_url}/transcriptWithSubjectRequest", "transcript-with-subject-request"),
            link(f"{chat_url}/exitSurvey", "exit-survey"),
            link(f"{chat_url}/customVariables", "custom-variables")]


def chat_json(chat: Chat, chat_url: str, links: list, start: int, for_visitor: bool, tz: str,
              skill_name: str | None, now: float) -> dict:
    """The whole chat resource: links, events from `start`, info."""
    return {"chat": {"link": links,
                     "events": events_json(chat, chat_url, start, for_visitor, tz),
                     "info": info_json(chat, chat_url, tz, for_visitor, skill_name, now)}}


def chat_session_json(chat: Chat, session_url: str) -> dict:
    """One entry of chatSessions."""
    return {"link": link(f"{session_url}/chat/{chat.id}", "chat-session"),
            "chatSessionKey": chat.id, "startTime": epoch_ms(chat.accepted_time or chat.created)}


def _answers(account, kind: str, answers: dict) -> list[dict]:
    """Stored survey answers as {id, label, answer} items (answer one-or-many)."""
    survey = account.surveys[kind]
    labels = {q.id: q.label for q in survey.questions}
    return [{"id": qid, "label": labels.get(qid, ""), "answer": one_or_many(values)}
            for qid, values in answers.items()]


def visit_json(chat: Chat, account, url: str) -> dict:
    """The visit behind a chat: visitor details (the persona), pre-chat answers, variables."""
    v, persona = chat.visitor, chat.visitor.persona
    details = persona.as_dict() if persona else {}
    variables = [{"name": k, "value": str(val)} for k, val in details.items()]
    prechat = chat.surveys.get("preChat", {})
    labels = {q.id: q.label for q in account.surveys["preChat"].questions}
    variables += [{"name": labels.get(qid, qid), "value": ", ".join(vals)} for qid, vals in prechat.items()]
    custom = (v.extra.get("customVariables") or {})
    items = custom.get("customVariable", []) if isinstance(custom, dict) else []
    variables += [{"name": str(i.get("name")), "value": str(i.get("value"))}
                  for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)]
    out = {"@id": chat.visit_id,
           "link": [link(url, "self"), link(f"{url}/customVariables", "custom-variables")],
           "visitorId": v.visitor_id, "visitorName": v.name or "visitor",
           "ipAddress": v.ip, "userAgent": v.user_agent, "chatStartUrl": v.referrer,
           "language": v.language, "visitorInfo": details or None}
    if prechat:
        out["preChatSurvey"] = {"survey": {"id": account.surveys["preChat"].id,
                                           "question": one_or_many(_answers(account, "preChat", prechat))}}
    out["customVariables"] = {"customVariable": one_or_many(variables)} if variables else None
    if v.extra.get("authentication"):  # Visitor Authentication: who the brand's token says
        out["authentication"] = v.extra["authentication"]
    return out
