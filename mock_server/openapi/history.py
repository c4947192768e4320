"""The Engagement History API (engHistDomain) and its messaging sibling (msgHist) as OpenAPI path
items; merged by paths.build_paths. The record schema is the docs' example record's."""
from ..model.analytics.history import KEYWORD_AREAS, MAX_LIMIT, RICH_CONTENT
from .paths import DATA, ok, op, param, query
from .schemas import array, boolean, enum, id_value, integer, nullable, obj, string

HISTORY = "Engagement History API"

EPOCH = {"type": ["integer", "string"], "description": "Epoch ms (a number, or digits)"}
BOUNDS = obj({"from": integer(minimum=0), "to": integer(minimum=0)})
LINK = obj({"rel": string(), "href": string("Absolute, on the request's own scheme and host")})
TIME = string("yyyy-MM-dd HH:mm:ss.SSS+0000 (UTC)")
MS = integer("Epoch ms")

INFO = obj({
    "startTime": TIME, "startTimeL": MS, "endTime": TIME, "endTimeL": MS,
    "duration": integer("Seconds from the agent taking it to its end"),
    "visitorId": string(), "visitorName": string(),
    "engagementId": string("accountId + chat id (every leg of a chat shares it)"),
    "sharkEngagementId": string(), "isInteractive": boolean(), "accountId": string(),
    "agentId": string("-1: no agent took this leg"), "agentName": string(),
    "agentNickName": string(), "agentLoginName": string(), "agentFullName": string(),
    "agentDeleted": boolean(), "skillId": id_value("-1: Unassigned"), "skillName": string(),
    "isAgentSurvey": boolean(), "isPostChatSurvey": boolean(), "isPreChatSurvey": boolean(),
    "channel": integer("1: web chat"), "startReason": string(), "startReasonDesc": string(),
    "endReason": string(), "endReasonDesc": string(), "engagementSet": integer(),
    "engagementSequence": integer("0, then one more per transfer or requeue"),
    "agentGroupId": id_value(), "agentGroupName": string(),
    "mcs": nullable(integer("Deprecated: alertedMCS")), "alertedMCS": nullable(integer("-1, 0, 1")),
    "chatMCS": nullable(integer("-100..100")), "chatRequestedTime": TIME, "chatRequestedTimeL": MS,
    "chatStartUrl": string(), "chatStartPage": string(), "isPartial": boolean(),
    "ended": boolean(), "interactive": boolean(), "chatDataEnriched": boolean()})
LINE = obj({
    "time": TIME, "timeL": MS, "controlType": integer("The system message id; 0: a said line"),
    "text": string(), "json": {"description": "rich-content lines: the card"},
    "by": string(), "source": enum("visitor", "agent", "system"),
    "subType": enum("REGULAR", "ONLY_TO_REP"),
    "textType": enum("plain", "html", "url", "rich-content"), "cannedAnswerType": integer(),
    "agentId": id_value("0 on lines not an agent's"), "lineSeq": string()},
    optional=("text", "json"))
ANSWER = obj({"scope": string(), "source": enum("Pre-Chat", "Exit", "Operator"),
              "displayName": string("The question"), "value": string(), "values": array(string()),
              "name": string("The survey's name"), "time": TIME, "timeL": MS,
              "questionID": id_value(), "surveyID": id_value()})
RECORD = obj({
    "info": INFO, "transcript": obj({"lines": array(LINE)}),
    "lineScores": array(obj({"lineSeq": string(), "lineRawScore": integer(), "mcs": integer()})),
    "surveys": obj({name: array(ANSWER) for name in ("preChat", "postChat", "operator")}),
    "campaign": obj({name: string() for name in (
        "campaignEngagementId", "campaignEngagementName", "campaignId", "campaignName", "goalId",
        "goalName", "visitorBehaviorId", "visitorBehaviorName", "visitorProfileId",
        "visitorProfileName", "lobName")} | {"lobId": integer()}),
    "visitorInfo": obj({name: string() for name in (
        "country", "countryCode", "state", "city", "isp", "org", "device", "ipAddress", "browser",
        "operatingSystem", "browserType")}),
    "coBrowseSessions": obj({"coBrowseSessionsList": array(obj({}))}),
    "sdes": obj({"events": array(obj({"sdeType": string(), "serverTimeStamp": string()}))})})


def _metadata(shards: dict) -> dict:
    return obj({"count": integer(), "next": LINK, "last": LINK, "self": LINK,
                "shardsStatusResult": obj(shards)}, optional=("next", "last"))


def _paging(sort_fields: str) -> tuple:
    return (param("accountId"),
            query("offset", integer(minimum=0), "Where the page starts (default 0)"),
            query("limit", integer(minimum=1, maximum=MAX_LIMIT), "Records per page (default 50)"),
            query("sort", string(), f"field:asc|desc, comma-separated; fields {sort_fields}"))


SEARCH_BODY = obj({
    "start": obj({"from": EPOCH, "to": EPOCH}, description="Required; at most one month"),
    "keyword": string("Words, and one phrase in quotes"),
    "keyword_search_area": obj({"types": array(enum(*KEYWORD_AREAS))}),
    "skillIds": array(id_value()), "agentIds": array(id_value()), "agentGroupIds": array(id_value()),
    "duration": BOUNDS, "interactive": boolean(), "ended": boolean(),
    "visitor": string("Ignores the time range"), "engagementId": string("Ignores the time range"),
    "channel": {"type": "integer", "enum": [-1, 1, 2]},
    "alertedMcsValues": array(enum("-1", "0", "1")),
    "chatMCS": obj({"from": integer(), "to": integer()}, optional=("from", "to")),
    "mcs": {"type": "integer", "enum": [-1, 0, 1]}, "hasCoBrowse": boolean(),
    "hasInteractiveCoBrowse": boolean(), "coBrowseDuration": BOUNDS,
    "lineContentTypes": array(enum(RICH_CONTENT))},
    optional=("keyword", "keyword_search_area", "skillIds", "agentIds", "agentGroupIds", "duration",
              "interactive", "ended", "visitor", "engagementId", "channel", "alertedMcsValues",
              "chatMCS", "mcs", "hasCoBrowse", "hasInteractiveCoBrowse", "coBrowseDuration",
              "lineContentTypes"))
EXAMPLE = {"interactive": True, "ended": True,
           "start": {"from": 1433140200000, "to": 1435645800000}}


def history_paths() -> dict:
    """POST .../interactions/search (Engagement History) and .../conversations/search (msgHist)."""
    search = op(
        "Ended chats' engagements (transcripts) matching the filters", HISTORY, DATA,
        operation_id="searchInteractions",
        description="One record per leg of an ended chat (a transfer makes a chain: endReason "
                    "101/106, then startReason 1/6). `start` is required and may span one month; "
                    "`visitor` and `engagementId` ignore it. Cobrowse filters match nothing.",
        params=_paging("start, end, duration, visitor, engagementId, interactive, agentId, "
                       "skillId"),
        body=SEARCH_BODY, examples={"simple": EXAMPLE},
        response=ok(obj({"_metadata": _metadata({"failureShards": integer(),
                                                 "totalShards": integer(),
                                                 "partialResult": boolean()}),
                         "interactionHistoryRecords": array(RECORD)})),
        errors=(401, 404))
    conversations = op(
        "Messaging conversations (service msgHist): none in a live-chat sandbox", HISTORY, DATA,
        operation_id="searchConversations",
        description="`start` is checked as documented (required, at most three months; `to` -1 "
                    "is now); the answer is always empty.",
        params=_paging("start, end"),
        body=obj({"start": obj({"from": EPOCH, "to": EPOCH})}), examples={"simple": EXAMPLE},
        response=ok(obj({"_metadata": _metadata({"partialResult": boolean()}),
                         "conversationHistoryRecords": array(obj({}), maxItems=0)})),
        errors=(401, 404))
    return {"/interaction_history/api/account/{accountId}/interactions/search": {"post": search},
            "/messaging_history/api/account/{accountId}/conversations/search": {
                "post": conversations}}
