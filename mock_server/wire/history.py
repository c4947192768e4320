"""Engagement History's representation: one record per leg of an ended chat, the search page
(`_metadata` and `interactionHistoryRecords`), and the Messaging Interactions page.

The shapes and JSON types are the docs' examples (retrieve-engagement-list-by-criteria): times
as `yyyy-MM-dd HH:mm:ss.SSS+0000` (UTC) with an `...L` twin in epoch ms, `agentId` a string in
`info` and a number on lines, `skillId` and `agentGroupId` numbers, `lineSeq` a string, rich
content's `json` the card itself. Links are plain `{"rel", "href"}`, as this API's examples
write them. docs/fidelity.md ("Engagement History") has the judgement calls.
"""
from datetime import datetime, timezone
from urllib.parse import quote

from ..model.analytics import history, mcs
from ..model.analytics.history import Page, Paging, Row
from ..model.analytics.records import END_REASONS, START_REASONS, ChatRecord
from ..model.chats import AGENT, SYSTEM, Chat, ChatEvent
from ..model.numbers import is_int_text

# What LivePerson's records carry for the parts of a campaign the sandbox does not model:
# the defaults of every LivePerson campaign (the docs' example values), ids -1 as lobId is.
CAMPAIGN_DEFAULTS = {"goalId": "-1", "goalName": "Interact with visitors", "visitorBehaviorId": "-1",
                     "visitorBehaviorName": "Any behavior", "visitorProfileId": "-1",
                     "visitorProfileName": "All visitors", "lobId": -1, "lobName": "NA"}
NO_ID, NO_NAME = "-1", "NA"
UNASSIGNED_SKILL = "Unassigned"
CUSTOM_VARIABLES = "CUSTOM_VARIABLES"  # the sdeType of the chat request's customVariables


def history_time(epoch_ms: int) -> str:
    """`2017-02-01 17:11:59.916+0000`: the docs' time format, in UTC."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, timezone.utc)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{epoch_ms % 1000:03d}+0000"


def _number(value):
    """An id the docs show as a number (`-1` included): an int when it is digits."""
    text = str(value)
    return int(text) if is_int_text(text) else value


def _timed(name: str, seconds: float) -> dict:
    stamp = history.ms(seconds)
    return {name: history_time(stamp), f"{name}L": stamp}


# --- one record -----------------------------------------------------------------------------------

def engagement_records(sb, account, record: ChatRecord) -> list[dict]:
    """The Engagement History records of one chat: one per leg that has ended, in sequence."""
    chat = sb.chats.get(record.chat_id)
    if chat is None:
        return []
    return [engagement_record(account, Row(record, leg, chat))
            for leg in record.legs if leg.ended is not None]


def engagement_record(account, row: Row) -> dict:
    """One engagement (a leg of a chat) in the docs' record shape."""
    answers = history.surveys(account, row)
    return {
        "info": _info(account, row, {answer.section for answer in answers}),
        "transcript": {"lines": [_line(event) for event in history.lines(row.chat, row.leg)]},
        "lineScores": [{"lineSeq": str(s.line_seq), "lineRawScore": s.raw, "mcs": s.mcs}
                       for s in history.line_scores(row.record, row.leg)],
        "surveys": {section: [_answer(a) for a in answers if a.section == section]
                    for _, section, _ in history.SURVEY_SECTIONS},
        "campaign": _campaign(account, row.chat),
        "visitorInfo": _visitor_info(row.chat),
        "coBrowseSessions": {"coBrowseSessionsList": []},  # the sandbox has no cobrowse
        "sdes": {"events": _sdes(row.chat)},
    }


def _info(account, row: Row, sections: set) -> dict:
    record, leg, chat = row.record, row.leg, row.chat
    start = history.start_ms(leg)
    user = account.users.get(leg.agent_id) if leg.agent_id else None
    score = history.leg_mcs(record, leg)
    interactive = bool(leg.visitor_lines)
    return {
        "startTime": history_time(start), "startTimeL": start, **_timed("endTime", leg.ended),
        "duration": history.duration(leg),
        "visitorId": record.visitor_id,
        "visitorName": chat.visitor.name or "You",
        "engagementId": history.engagement_id(account.id, chat),
        "sharkEngagementId": f"{account.id}_{chat.visitor.shark_session_id}_{leg.sequence + 1}",
        "isInteractive": interactive,
        "accountId": account.id,
        "agentId": leg.agent_id or NO_ID,
        # the table's agentName (older example) and the newer example's agentNickName, both
        "agentName": leg.agent_nickname, "agentNickName": leg.agent_nickname,
        "agentLoginName": leg.agent_login, "agentFullName": leg.agent_full_name,
        "agentDeleted": bool(user is not None and user.deleted),
        "skillId": _number(leg.skill_id) if leg.skill_id else -1,
        "skillName": account.skill_name(leg.skill_id) or UNASSIGNED_SKILL,
        "isAgentSurvey": "operator" in sections, "isPostChatSurvey": "postChat" in sections,
        "isPreChatSurvey": "preChat" in sections,
        "channel": history.CHANNEL_WEB,
        "startReason": leg.start_reason, "startReasonDesc": START_REASONS.get(leg.start_reason, ""),
        "endReason": leg.end_reason or "", "endReasonDesc": END_REASONS.get(leg.end_reason, ""),
        "engagementSet": 0, "engagementSequence": leg.sequence,
        "agentGroupId": _number(leg.agent_group_id),
        "agentGroupName": account.group_name(leg.agent_group_id),
        "mcs": mcs.bucket(score), "alertedMCS": mcs.bucket(score), "chatMCS": score,
        **_timed("chatRequestedTime", leg.queued),
        "chatStartUrl": chat.visitor.referrer, "chatStartPage": chat.visitor.referrer,
        "isPartial": False, "ended": True, "interactive": interactive,
        "chatDataEnriched": True,  # nothing arrives later in a sandbox
    }


def _line(event: ChatEvent) -> dict:
    """One transcript line: controlType is the system message id on system lines, else 0."""
    stamp = history.ms(event.time)
    out = {"time": history_time(stamp), "timeL": stamp,
           "controlType": (event.system_message_id or 0) if event.source == SYSTEM else 0}
    if event.text_type == "rich-content":
        out["json"] = event.json  # the card itself, as the docs' example has it
        if event.text:
            out["text"] = event.text
    else:
        out["text"] = event.text or ""
    agent_id = event.agent_id if event.source == AGENT and event.agent_id else 0
    out.update({"by": event.by or "", "source": event.source, "subType": event.sub_type,
                "textType": event.text_type, "cannedAnswerType": 0,
                "agentId": _number(agent_id), "lineSeq": str(event.id)})
    return out


def _answer(answer: history.Answer) -> dict:
    return {"scope": "Session", "source": answer.source, "displayName": answer.question.label,
            "value": ", ".join(answer.values), "values": list(answer.values),
            "name": answer.survey.name, **_timed("time", answer.time),
            "questionID": _number(answer.question.id), "surveyID": _number(answer.survey.id)}


def _campaign(account, chat: Chat) -> dict:
    engagement = account.engagements.get(chat.engagement_id) if chat.engagement_id else None
    campaign = account.campaigns.get(chat.campaign_id) if chat.campaign_id else None
    return {"campaignEngagementId": chat.engagement_id or NO_ID,
            "campaignEngagementName": engagement.name if engagement else NO_NAME,
            "campaignId": chat.campaign_id or NO_ID,
            "campaignName": campaign.name if campaign else NO_NAME, **CAMPAIGN_DEFAULTS}


def _visitor_info(chat: Chat) -> dict:
    persona = chat.visitor.persona
    browser = persona.browser if persona else ""
    return {"country": persona.country if persona else "",
            "countryCode": persona.country_code if persona else "", "state": "",
            "city": persona.city if persona else "", "isp": "", "org": "",
            "device": (persona.device if persona else "") or "NA", "ipAddress": chat.visitor.ip,
            "browser": browser,
            "operatingSystem": (persona.operating_system if persona else "") or "NA",
            "browserType": browser.rsplit(" ", 1)[0].upper().replace(" ", "_") if browser else ""}


def _sdes(chat: Chat) -> list[dict]:
    """The chat request's `customVariables` as one event in the appendix's shape; none: no event."""
    # The only engagement attributes a live-chat request carries (the page's lpTag SDEs are not).
    custom = chat.visitor.extra.get("customVariables") or {}
    items = custom.get("customVariable", []) if isinstance(custom, dict) else []
    variables = [{"name": str(i.get("name")), "value": str(i.get("value"))}
                 for i in (items if isinstance(items, list) else [items]) if isinstance(i, dict)]
    if not variables:
        return []
    stamp = str(history.ms(chat.created))
    return [{"customVariables": {"serverTimeStamp": stamp, "originalTimeStamp": stamp,
                                 "customVariables": variables},
             "serverTimeStamp": stamp, "sdeType": CUSTOM_VARIABLES,
             "isAuthenticated": bool(chat.visitor.extra.get("authentication"))}]


# --- the pages ------------------------------------------------------------------------------------

def history_page(account, page: Page, base_url: str) -> dict:
    """The search answer: `_metadata` (count, links) and the page's records."""
    url = f"{base_url}/interaction_history/api/account/{account.id}/interactions/search"
    shards = {"failureShards": 0, "totalShards": 1, "partialResult": False}
    return {"_metadata": metadata(url, page.count, page.paging, shards),
            "interactionHistoryRecords": [engagement_record(account, row) for row in page.rows]}


def conversations_page(account_id: str, paging: Paging, base_url: str) -> dict:
    """The Messaging Interactions search answer: the sandbox has no messaging conversations."""
    url = f"{base_url}/messaging_history/api/account/{account_id}/conversations/search"
    return {"_metadata": metadata(url, 0, paging, {"partialResult": False}),
            "conversationHistoryRecords": []}


def metadata(url: str, count: int, paging: Paging, shards: dict) -> dict:
    """count, then `next` and `last` while pages follow this one, `self`, shardsStatusResult."""
    out = {"count": count}
    if paging.offset + paging.limit < count:
        last = paging.offset + (count - paging.offset - 1) // paging.limit * paging.limit
        out["next"] = _link(url, "next", paging.offset + paging.limit, paging)
        out["last"] = _link(url, "last", last, paging)
    out["self"] = _link(url, "self", paging.offset, paging)
    out["shardsStatusResult"] = shards
    return out


def _link(url: str, rel: str, offset: int, paging: Paging) -> dict:
    query = f"limit={paging.limit}&offset={offset}"
    if paging.sort_text:
        query += f"&sort={quote(paging.sort_text, safe=':,')}"
    return {"rel": rel, "href": f"{url}?{query}"}
