"""Every operation the sandbox serves, LivePerson's and its own, as OpenAPI path items.

Each operation is written once with `op(...)`: its summary, security, parameters, request body,
success response and the error statuses it can give (each one LivePerson's envelope, shared as
`#/components/responses/E<status>`). Every JSON answer is also documented as `application/xml`.
"""
from .schemas import (AVAILABILITY_STATES, LOCATION_LINK, TYPING, array, boolean, enum, integer,
                      nullable, num_str, number, obj, one_or_many, ref, string, wrapper)

ACCOUNT = "/api/account/{accountId}"
AGENT_SESSION = f"{ACCOUNT}/agentSession/{{agentSessionId}}"
AGENT_CHAT = f"{AGENT_SESSION}/chat/{{chatId}}"
VISITOR_CHAT = f"{ACCOUNT}/chat/{{chatId}}"
USERS = f"{ACCOUNT}/configuration/le-users"
CAMPAIGNS = f"{ACCOUNT}/configuration/le-campaigns/campaigns"
REASONS = f"{ACCOUNT}/configuration/le-agents/status-reasons"

BEARER = [{"bearer": []}]
DATA = [{"bearer": []}, {"oauth1": []}]  # a bearer or an API key (api/common.py data_auth)
APP_KEY = [{"appKeyHeader": []}, {"appKeyQuery": []}]
PUBLIC: list = []

DOMAIN, LOGIN, AGENT, VISITOR, CONFIG = (
    "Domain API", "Login Service API", "Chat Agent API", "Server Chat API", "Account Config API")
CONTROL, PAGES = "Sandbox control plane", "Sandbox pages and files"
LIVE = "Sandbox live view (Socket.IO)"

REVISION_HEADERS = {
    "ETag": {"description": "The collection's revision", "schema": {"type": "string"}},
    "ac-revision": {"description": "The same revision, as LivePerson names it",
                    "schema": {"type": "string"}},
}
LOCATION_HEADER = {"Location": {"description": "The created resource's absolute URL",
                                "schema": {"type": "string", "format": "uri"}}}


# --- builders ---------------------------------------------------------------------------------

def content(schema: dict) -> dict:
    """JSON, and the same data as XML (`.xml` suffix or `Accept: application/xml`)."""
    return {"application/json": {"schema": schema}, "application/xml": {"schema": schema}}


def ok(schema: dict | None = None, description: str = "OK", headers: dict | None = None) -> dict:
    """A success response: `schema` in JSON and XML, or an empty body without one."""
    response = {"description": description}
    if schema is not None:
        response["content"] = content(schema)
    if headers:
        response["headers"] = headers
    return response


def query(name: str, schema: dict, description: str, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


def param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def op(summary: str, tag: str, security: list, *, ok_status: int = 200, response: dict,
       errors=(), params=(), body: dict | None = None, body_required: bool = True,
       examples: dict | None = None, description: str | None = None, operation_id: str) -> dict:
    """One operation; `errors` are the error statuses it can answer (400 and 413 come with
    every request body). The request body is documented in JSON; XML in the same mapping works
    too (`Content-Type: application/xml`)."""
    operation = {"operationId": operation_id, "summary": summary, "tags": [tag],
                 "security": security}
    if description:
        operation["description"] = description
    if params:
        operation["parameters"] = list(params)
    statuses = set(errors)
    if body is not None:
        media = {"schema": body}
        if examples:
            media["examples"] = {name: {"value": value} for name, value in examples.items()}
        operation["requestBody"] = {"required": body_required, "content": {"application/json": media}}
        statuses |= {400, 413}
    operation["responses"] = {str(ok_status): response,
                              **{str(s): {"$ref": f"#/components/responses/E{s}"}
                                 for s in sorted(statuses)}}
    return operation


def lp(*own) -> tuple:
    """The operation's own parameters, then LivePerson's `v` and `NC` (accepted, ignored)."""
    return (*own, param("v"), param("NC"))


# --- the operations ---------------------------------------------------------------------------

def _domain() -> dict:
    paths = {}
    for prefix, note in (("/api", ""), ("/csdr", " (the `csdr` form of the same call)")):
        base = f"{prefix}/account/{{accountId}}/service"
        tag_id = prefix.strip("/")
        paths[f"{base}/{{serviceName}}/baseURI"] = {"get": op(
            f"The host of one service{note}", DOMAIN, PUBLIC, operation_id=f"{tag_id}OneService",
            description="Every service resolves to the host and port the request came in on. "
                        "Service names are case-sensitive. Sent as `baseURI.json` by most clients.",
            params=(param("accountId"), param("serviceName"), param("version")),
            response=ok(ref("BaseURI")), errors=(404,))}
        paths[f"{base}/baseURI"] = {"get": op(
            f"The hosts of every service{note}", DOMAIN, PUBLIC, operation_id=f"{tag_id}AllServices",
            params=(param("accountId"), param("version")), response=ok(ref("BaseURIs")),
            errors=(404,))}
    return paths


def _login() -> dict:
    user = obj({"username": string(), "password": string()})
    app = obj({"username": string(), "appKey": string(), "secret": string(),
               "accessToken": string(), "accessTokenSecret": string()},
              optional=("secret", "accessToken", "accessTokenSecret"))
    csrf = obj({"csrf": string("The csrf of the login response")}, optional=("csrf",))
    cookie = {"Set-Cookie": {"description": "`Session_id=...; HttpOnly; Path=/`",
                             "schema": {"type": "string"}}}
    keep = ("Needs the `Session_id` cookie of the login (or its bearer) and the csrf; 401 with "
            "internalCode 10 on a wrong csrf, 11 once the session has expired.")
    return {
        f"{ACCOUNT}/login": {"post": op(
            "User login or application (app key) login", LOGIN, PUBLIC, operation_id="login",
            description="`password` makes it a user login, `appKey` an application login. An "
                        "unknown account is 401, as LivePerson answers.",
            params=(param("v"), param("accountId")), body={"oneOf": [user, app]},
            examples={"user": {"username": "demo-agent", "password": "demo-agent-pass"},
                      "application": {"username": "demo-bot",
                                      "appKey": "a11ea3bc37718ed531bd4a1de1d65275",
                                      "secret": "8e2c38508a25ca8e",
                                      "accessToken": "cc2d7b97268c5adfcf6b1d59743e32ff",
                                      "accessTokenSecret": "6109677e51b1b80e"}},
            response=ok(ref("LoginResponse"), headers=cookie), errors=(400, 401))},
        f"{ACCOUNT}/refresh": {"post": op(
            "Keep the login session alive", LOGIN, PUBLIC, operation_id="refresh",
            description=keep, params=(param("v"), param("accountId")), body=csrf,
            body_required=False, response=ok(headers=cookie), errors=(401,))},
        f"{ACCOUNT}/logout": {"post": op(
            "End the login session: the bearer is dead from now on", LOGIN, PUBLIC,
            operation_id="logout", description=keep, params=(param("v"), param("accountId")),
            body=csrf, body_required=False, response=ok(), errors=(401,))},
    }


AGENT_ERRORS = (401, 403, 404)  # no/expired bearer; another user's session; unknown session


def _agent_session() -> dict:
    session = (param("accountId"), param("agentSessionId"))
    skill_query = query("skill", string(), "A skill name or id")
    capacity = (skill_query, query("maxWaitTime", integer(minimum=0, maximum=86400),
                                   "Seconds (0: an agent free now)"),
                query("agent", string(), "An agent's login name; not with skill or maxWaitTime"))
    availability_body = wrapper("availability", obj(
        {"chat": enum(*AVAILABILITY_STATES), "chatReasonId": string()}, optional=("chatReasonId",)))
    return {
        f"{ACCOUNT}/agentSession": {"post": op(
            "Start an agent session", AGENT, BEARER, operation_id="startAgentSession",
            description="The body (`{\"loginData\": \"\"}`) is required by the docs but not read.",
            params=lp(param("accountId")), body=obj({"loginData": {}}, optional=("loginData",)),
            body_required=False, response=ok(wrapper("agentSessionLocation", LOCATION_LINK)),
            errors=(401, 404))},
        AGENT_SESSION: {"get": op(
            "The agent session: its links and availability", AGENT, BEARER,
            operation_id="getAgentSession",
            params=lp(*session, query("cs", string(), "1: add the session's chatSessions")),
            response=ok(wrapper("agentSession", obj({
                "@id": string(), "link": array(ref("Link")), "availability": ref("Availability"),
                "chatSessions": ref("ChatSessions")}, optional=("chatSessions",)))),
            errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/info": {"get": op(
            "The agent's own profile", AGENT, BEARER, operation_id="getAgentInfo",
            params=lp(*session), response=ok(wrapper("info", obj({
                "link": ref("Link"), "agentName": string(), "displayName": string(),
                "loginName": string(), "id": string(), "maxChats": num_str("-1 unlimited"),
                "availability": ref("Availability"),
                "skillsInfo": nullable(obj({"skillInfo": one_or_many(ref("SkillInfo"))}))}))),
            errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/availability": {
            "get": op("The agent's chat availability", AGENT, BEARER,
                      operation_id="getAvailability", params=lp(*session),
                      response=ok(wrapper("availability", ref("Availability"))),
                      errors=AGENT_ERRORS),
            "put": op("Set the agent's chat availability", AGENT, BEARER,
                      operation_id="setAvailability",
                      description="Also `POST` with `X-HTTP-Method-Override: PUT`, as documented.",
                      params=lp(*session), body=availability_body,
                      examples={"online": {"availability": {"chat": "Online"}}},
                      response=ok(wrapper("availability", obj({"chat": enum(*AVAILABILITY_STATES)}))),
                      errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/incomingRequests": {
            "get": op("How many chats ring at this session", AGENT, BEARER,
                      operation_id="getIncomingRequests",
                      params=lp(*session, query("__d", string(), "Cache buster (ignored)")),
                      response=ok(wrapper("incomingRequests", obj(
                          {"ringingCount": num_str(), "link": ref("Link")}, optional=("link",),
                          description="`link` (accept the next chat) only while a chat rings"))),
                      errors=AGENT_ERRORS),
            "post": op("Accept the next ringing chat", AGENT, BEARER, operation_id="acceptChat",
                       ok_status=201, params=lp(*session), body={"type": "object"},
                       body_required=False,
                       response=ok(wrapper("chatLocation", LOCATION_LINK), "Accepted"),
                       description="404 (internalCode 43) when nothing rings.",
                       errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/chatSessions": {"get": op(
            "The chats this agent holds", AGENT, BEARER, operation_id="getChatSessions",
            params=lp(*session), response=ok(wrapper("chatSessions", ref("ChatSessions"))),
            errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/availableAgents": {"get": op(
            "Every enabled agent of the account, filtered", AGENT, BEARER,
            operation_id="getAvailableAgents",
            params=lp(*session, skill_query,
                      query("chatState", string(), "Online, Offline, Occupied, Away or 1-4"),
                      query("voiceState", string(), "Offline (nobody is on voice here)"),
                      query("chatReasonId", string(), "Accepted, ignored"),
                      query("timeStamp", string(), "From the `next` link (ignored)")),
            response=ok(wrapper("availableAgents", obj({
                "agents": nullable(obj({"agent": one_or_many(ref("AvailableAgent"))})),
                "link": ref("Link")}))),
            errors=(400, *AGENT_ERRORS))},
        f"{AGENT_SESSION}/chat/availableSlots": {"get": op(
            "Free chat capacity of Online agents", AGENT, BEARER,
            operation_id="getAgentAvailableSlots", params=lp(*session, *capacity),
            response=ok(wrapper("availableSlots", integer("-1 unlimited"))),
            errors=(400, *AGENT_ERRORS))},
        f"{AGENT_SESSION}/chat": {"get": op(
            "Several chats at once", AGENT, BEARER, operation_id="getChats",
            params=lp(*session,
                      query("chatSessionKeys", string(), "Chat ids, comma-separated", required=True),
                      query("fromEventIds", string(), "A `from` per chat, by position")),
            response=ok(wrapper("chats", obj({"chat": one_or_many(ref("AgentChat"))}))),
            errors=(400, *AGENT_ERRORS))},
        f"{AGENT_SESSION}/visits/visit/{{visitId}}": {"get": op(
            "The visit behind one of this agent's chats", AGENT, BEARER, operation_id="getVisit",
            params=lp(*session, param("visitId")), response=ok(wrapper("visit", ref("Visit"))),
            errors=AGENT_ERRORS)},
        f"{AGENT_SESSION}/visits/visit/{{visitId}}/customVariables": {"get": op(
            "The visit's custom variables", AGENT, BEARER, operation_id="getVisitCustomVariables",
            params=lp(*session, param("visitId")),
            response=ok(wrapper("customVariables", ref("CustomVariables"))),
            errors=AGENT_ERRORS)},
    }


EVENT_EXAMPLES = {"line": {"event": {"@type": "line", "text": "Hello!", "textType": "plain"}},
                  "end": {"event": {"@type": "state", "state": "ended"}}}


def _event_body() -> dict:
    line = obj({"@type": {"const": "line"}, "text": string(),
                "textType": enum("plain", "html", "rich-content"),
                "subType": enum("REGULAR", "ONLY_TO_REP"),
                "json": {"type": "object", "description": (
                    "Agent lines, textType rich-content: a structured-content template, checked "
                    "against json-pollock's JSON schema (400, internalCode 39, if it fails)")},
                "quickReplies": {"type": "object", "description": (
                    "Agent lines (sandbox extension; LivePerson has quick replies on Messaging): "
                    '{"type": "quickReplies", "itemsPerRow": 1-8, "replies": [1-24 buttons]}')}},
               optional=("textType", "subType", "json", "quickReplies"))
    state = obj({"@type": {"const": "state"}, "state": {"const": "ended"}})
    return wrapper("event", {"oneOf": [line, state]})


def _chat_reads(base: str, session: tuple, security: list, side: str, chat: str, info: str,
                errors: tuple) -> dict:
    """The reads both sides share: the chat, its events, one event, its info, typing, name."""
    from_ = query("from", integer(minimum=0), "The first event id to include")
    prefix = "agent" if side == AGENT else "visitor"
    return {
        base: {"get": op("The whole chat: links, events from `from`, info", side, security,
                         operation_id=f"{prefix}GetChat", params=lp(*session, from_),
                         response=ok(wrapper("chat", ref(chat))), errors=(400, *errors))},
        f"{base}/events": {
            "get": op("Poll the chat's events; follow the `next` link", side, security,
                      operation_id=f"{prefix}GetEvents", params=lp(*session, from_),
                      response=ok(wrapper("events", ref("Events"))), errors=(400, *errors))},
        f"{base}/events/{{eventId}}": {"get": op(
            "One event of the chat", side, security, operation_id=f"{prefix}GetEvent",
            params=lp(*session, param("eventId")), response=ok(wrapper("event", ref("Event"))),
            errors=errors)},
        f"{base}/info": {"get": op(
            "The chat's info: state, agent, visitor, typing, timing", side, security,
            operation_id=f"{prefix}GetChatInfo", params=lp(*session),
            response=ok(wrapper("info", ref(info))), errors=errors)},
        f"{base}/info/visitorName": {"get": op(
            "The visitor's name", side, security, operation_id=f"{prefix}GetVisitorName",
            params=lp(*session), response=ok(wrapper("visitorName", string())), errors=errors)},
        f"{base}/info/visitorTyping": {"get": op(
            "Is the visitor typing", side, security, operation_id=f"{prefix}GetVisitorTyping",
            params=lp(*session), response=ok(wrapper("visitorTyping", TYPING)), errors=errors)},
        f"{base}/info/agentTyping": {"get": op(
            "Is the agent typing", side, security, operation_id=f"{prefix}GetAgentTyping",
            params=lp(*session), response=ok(wrapper("agentTyping", TYPING)), errors=errors)},
    }


def _agent_chat() -> dict:
    chat = (param("accountId"), param("agentSessionId"), param("chatId"))
    writes = (*AGENT_ERRORS, 409)  # 409: the chat has ended
    transfer_body = obj({"transfer": obj({
        "skill": obj({"id": {"type": ["string", "integer"]}}),
        "agent": obj({"id": {"type": ["string", "integer"]}}), "text": string()},
        optional=("skill", "agent", "text")), "text": string("The sample app's place for it")},
        optional=("text",))
    paths = _chat_reads(AGENT_CHAT, chat, BEARER, AGENT, "AgentChat", "AgentChatInfo",
                        AGENT_ERRORS)
    paths[f"{AGENT_CHAT}/events"]["post"] = op(
        "Add a line, or end the chat (state ended)", AGENT, BEARER, operation_id="agentAddEvent",
        ok_status=201, params=lp(*chat), body=_event_body(), examples=EVENT_EXAMPLES,
        response=ok({"oneOf": [wrapper("chatEventLocation", LOCATION_LINK),
                               wrapper("chatLocation", LOCATION_LINK)]},
                    "The new event's location (`chatLocation` when ending)"),
        errors=writes)
    paths[f"{AGENT_CHAT}/info/agentTyping"]["put"] = op(
        "Set the agent's typing state", AGENT, BEARER, operation_id="setAgentTyping",
        ok_status=201, params=lp(*chat), body=wrapper("agentTyping", TYPING),
        examples={"typing": {"agentTyping": "typing"}},
        response=ok(wrapper("agentTyping", TYPING), "Set (201, as documented)"), errors=writes)
    paths[f"{AGENT_CHAT}/transfer"] = {
        "get": op("Skills the chat can be transferred to", AGENT, BEARER,
                  operation_id="getTransferSkills", params=lp(*chat),
                  response=ok(wrapper("transfer", obj({"skill": one_or_many(obj({
                      "id": string(), "name": string(), "onlineAgents": num_str()}))},
                      optional=("skill",)))), errors=AGENT_ERRORS),
        "post": op("Transfer the chat to a skill or an agent (the agent wins)", AGENT, BEARER,
                   operation_id="transferChat", params=lp(*chat), body=transfer_body,
                   examples={"skill": {"transfer": {"skill": {"id": "2001001"},
                                                    "text": "The customer asks for a bot"}}},
                   response=ok(description="Transferred: the agent no longer holds the chat"),
                   errors=writes)}
    paths[f"{AGENT_CHAT}/survey"] = {
        "get": op("The agent survey's structure", AGENT, BEARER, operation_id="getAgentSurvey",
                  params=lp(*chat, query("windowSurveyEnabled", string(), "Accepted, ignored"),
                            query("surveyApiId", string(), "Accepted, ignored"),
                            query("engSkillId", string(), "Accepted, ignored")),
                  response=ok(ref("Survey")), errors=AGENT_ERRORS),
        "put": op("Answer the agent survey", AGENT, BEARER, operation_id="submitAgentSurvey",
                  params=lp(*chat), body=ref("SurveyAnswers"), response=ok(),
                  errors=AGENT_ERRORS)}
    return paths


CONSUMER_ERRORS = (401, 404)  # no/unknown app key; unknown account or chat


def _server_chat() -> dict:
    account = (param("accountId"),)
    chat = (param("accountId"), param("chatId"))
    writes = (*CONSUMER_ERRORS, 409)
    skill = query("skill", string(), "A skill name or id")
    capacity = (skill, query("maxWaitTime", integer(minimum=0, maximum=86400), "Seconds"),
                query("agent", string(), "An agent's login name; not with skill or maxWaitTime"))
    request_body = wrapper("request", obj({
        "skill": string("Skill name or id"), "engagementId": string(), "campaignId": string(),
        "interactionTimeout": {"type": ["integer", "string"], "description": "Seconds"},
        "visitorId": string(), "visitorIp": string(), "userAgent": string(),
        "chatReferrer": string(), "language": string(), "LETagVisitorId": string(),
        "LETagSessionId": string(), "LETagContextId": string(), "preChatLines": {},
        "survey": ref("SurveyAnswers"), "customVariables": {},
        "persona": obj({}, description="Sandbox extension: override persona fields")},
        optional=("skill", "engagementId", "campaignId", "interactionTimeout", "visitorId",
                  "visitorIp", "userAgent", "chatReferrer", "language", "LETagVisitorId",
                  "LETagSessionId", "LETagContextId", "preChatLines", "survey",
                  "customVariables", "persona")))
    paths = _chat_reads(VISITOR_CHAT, chat, APP_KEY, VISITOR, "VisitorChat", "VisitorChatInfo",
                        CONSUMER_ERRORS)
    paths[f"{VISITOR_CHAT}/events"]["post"] = op(
        "Send a line or end the chat", VISITOR, APP_KEY, operation_id="visitorAddEvent",
        ok_status=201, params=lp(*chat), body=_event_body(), examples=EVENT_EXAMPLES,
        response=ok(description="Created: the event's URI in Location", headers=LOCATION_HEADER),
        errors=writes)
    paths[f"{VISITOR_CHAT}/info/visitorName"]["put"] = op(
        "Set the visitor's name", VISITOR, APP_KEY, operation_id="setVisitorName", ok_status=201,
        params=lp(*chat), body=wrapper("visitorName", string()),
        examples={"name": {"visitorName": "Natalie"}},
        response=ok(description="Set (201, as documented)"), errors=writes)
    paths[f"{VISITOR_CHAT}/info/visitorTyping"]["put"] = op(
        "Set the visitor's typing state", VISITOR, APP_KEY, operation_id="setVisitorTyping",
        params=lp(*chat), body=wrapper("visitorTyping", TYPING),
        examples={"typing": {"visitorTyping": "typing"}}, response=ok(), errors=writes)
    paths.update({
        ACCOUNT: {"get": op(
            "Discovery: links to the chat resources", VISITOR, APP_KEY, operation_id="discovery",
            params=lp(*account), response=ok(wrapper("account", obj({
                "@id": string(), "link": array(ref("Link"))}))), errors=CONSUMER_ERRORS)},
        f"{ACCOUNT}/chat/availability": {"get": op(
            "Is an agent available", VISITOR, APP_KEY, operation_id="chatAvailability",
            params=lp(*account, *capacity), response=ok(wrapper("availability", boolean())),
            errors=(400, *CONSUMER_ERRORS))},
        f"{ACCOUNT}/chat/availableSlots": {"get": op(
            "Free chat capacity", VISITOR, APP_KEY, operation_id="visitorAvailableSlots",
            params=lp(*account, *capacity),
            response=ok(wrapper("availableSlots", integer("-1 unlimited"))),
            errors=(400, *CONSUMER_ERRORS))},
        f"{ACCOUNT}/chat/estimatedWaitTime": {"get": op(
            "Seconds until an agent is free", VISITOR, APP_KEY, operation_id="estimatedWaitTime",
            params=lp(*account, skill),
            response=ok(wrapper("estimatedWaitTime", integer(
                "0 free now, -1 nobody online, -2 not enough data"))),
            errors=CONSUMER_ERRORS)},
        f"{ACCOUNT}/chat/preSurvey": {"get": op(
            "The pre-chat survey's structure", VISITOR, APP_KEY, operation_id="preChatSurvey",
            params=lp(*account), response=ok(ref("Survey")), errors=CONSUMER_ERRORS)},
        f"{ACCOUNT}/chat/offlineSurvey": {
            "get": op("The offline survey's structure", VISITOR, APP_KEY,
                      operation_id="offlineSurvey", params=lp(*account), response=ok(ref("Survey")),
                      errors=CONSUMER_ERRORS),
            "put": op("Leave an offline message", VISITOR, APP_KEY,
                      operation_id="submitOfflineSurvey", params=lp(*account),
                      body=ref("SurveyAnswers"), response=ok(), errors=CONSUMER_ERRORS)},
        f"{ACCOUNT}/chat/request": {"post": op(
            "Request a chat on a skill or an engagement", VISITOR, APP_KEY,
            operation_id="requestChat", params=lp(*account), body=request_body,
            examples={"skill": {"request": {"skill": "support-bot"}},
                      "engagement": {"request": {"engagementId": "5001002",
                                                 "interactionTimeout": 120}}},
            response=ok(description="Requested: the chat-session-uri in Location",
                        headers=LOCATION_HEADER), errors=CONSUMER_ERRORS)},
        f"{VISITOR_CHAT}/exitSurvey": {
            "get": op("The exit survey's structure (CSAT 1-5, comment)", VISITOR, APP_KEY,
                      operation_id="exitSurvey", params=lp(*chat), response=ok(ref("Survey")),
                      errors=CONSUMER_ERRORS),
            "put": op("Answer the exit survey", VISITOR, APP_KEY, operation_id="submitExitSurvey",
                      params=lp(*chat), body=ref("SurveyAnswers"), response=ok(),
                      errors=CONSUMER_ERRORS)},
        f"{VISITOR_CHAT}/transcriptRequest": {"put": op(
            "Ask for the transcript by e-mail (recorded, no mail sent)", VISITOR, APP_KEY,
            operation_id="transcriptRequest", params=lp(*chat),
            body=obj({"email": string()}), examples={"email": {"email": "visitor@example.com"}},
            response=ok(), errors=CONSUMER_ERRORS)},
        f"{VISITOR_CHAT}/transcriptWithSubjectRequest": {"put": op(
            "Ask for the transcript with a subject line", VISITOR, APP_KEY,
            operation_id="transcriptWithSubjectRequest", params=lp(*chat),
            body=obj({"email": string(), "subject": string()}, optional=("subject",)),
            response=ok(), errors=CONSUMER_ERRORS)},
    })
    return paths


def _account_config() -> dict:
    reads = (400, 401, 404)  # 400: a malformed OAuth signature
    writes = (400, 401, 403, 404, 412)
    listing = (param("v"), param("select"), param("fields"), param("include_deleted"))
    item = (param("v"), param("select"), param("fields"))
    paths = {}
    examples = {
        "Skill": {"name": "billing", "description": "Billing questions", "maxWaitTime": 60},
        "User": {"loginName": "new-agent", "fullName": "New Agent", "nickname": "Nina",
                 "passwordSh": "new-agent-pass", "skillIds": [2001002], "maxChats": 2},
        "Campaign": {"name": "Spring sale", "description": "Seasonal", "status": 0},
        "Engagement": {"name": "Sale chat", "skillId": 2001001, "enabled": True},
        "AgentGroup": {"name": "Tier 2", "description": "Escalations", "parentGroupId": "-1",
                       "isEnabled": True},
        "StatusReason": {"text": "Coaching", "state": "Away", "enabled": True},
    }
    labels = {"AgentGroup": "agent group", "StatusReason": "status reason"}
    for path, name, schema, write, ids, bulk in (
            (f"{USERS}/skills", "Skill", "Skill", "SkillWrite", ("skillId",), True),
            (f"{USERS}/users", "User", "User", "UserWrite", ("userId",), False),
            (f"{USERS}/agentGroups", "AgentGroup", "AgentGroup", "AgentGroupWrite",
             ("agentGroupId",), True),
            (REASONS, "StatusReason", "StatusReason", "StatusReasonWrite", ("statusReasonId",), True),
            (CAMPAIGNS, "Campaign", "Campaign", "CampaignWrite", ("campaignId",), False),
            (f"{CAMPAIGNS}/{{campaignId}}/engagements", "Engagement", "Engagement",
             "EngagementWrite", ("campaignId", "engagementId"), False)):
        label = labels.get(name, name.lower())
        example = {name.lower(): examples[name]}
        parents = tuple(param(i) for i in ids[:-1])
        own = param(ids[-1])
        body = ({"oneOf": [ref(write), array(ref(write), minItems=1)]} if bulk else ref(write))
        created = ({"oneOf": [ref(schema), array(ref(schema))]} if bulk else ref(schema))
        plural = f"{label}s"
        writers = ("Administrators (a bearer, or an administrator's key set) and API keys with "
                   "the `accountConfigReadWrite` permission only.")
        get_item = (param("accountId"), *parents, own, *item)
        if name == "StatusReason":  # documented on the item too
            get_item = (*get_item, param("include_deleted"))
        paths[path] = {
            "get": op(f"Every {label}", CONFIG, DATA, operation_id=f"list{name}s",
                      params=(param("accountId"), *parents, *listing),
                      response=ok(array(ref(schema)), headers=REVISION_HEADERS), errors=reads),
            "post": op(f"Create a {label}" + (" (or a list of them)" if bulk else ""),
                       CONFIG, DATA, operation_id=f"create{name}", ok_status=201,
                       description=f"{writers} `If-Match` may name the revision.",
                       params=(param("accountId"), *parents, *item, param("If-Match")),
                       body=body, examples=example, response=ok(created, "Created",
                                              {**REVISION_HEADERS, **LOCATION_HEADER}),
                       errors=writes)}
        paths[f"{path}/{{{ids[-1]}}}"] = {
            "get": op(f"One {label}", CONFIG, DATA, operation_id=f"get{name}",
                      params=get_item,
                      response=ok(ref(schema), headers=REVISION_HEADERS), errors=reads),
            "put": op(f"Update a {label}", CONFIG, DATA, operation_id=f"update{name}",
                      description=f"{writers} A stale `If-Match` is 412.",
                      params=(param("accountId"), *parents, own, *item, param("If-Match")),
                      body=ref(write), examples=example,
                      response=ok(ref(schema), headers=REVISION_HEADERS),
                      errors=writes),
            "delete": op(f"Delete a {label} (kept, marked deleted)", CONFIG, DATA,
                         operation_id=f"delete{name}",
                         params=(param("accountId"), *parents, own, *item, param("If-Match")),
                         response=ok(description=f"Deleted; the {plural} revision is bumped",
                                     headers=REVISION_HEADERS),
                         errors=writes)}
    return paths


def _sandbox() -> dict:
    html = {"text/html": {"schema": {"type": "string"}}}
    page = lambda summary, operation_id: {"get": op(  # noqa: E731
        summary, PAGES, PUBLIC, operation_id=operation_id,
        response={"description": "An HTML page (CSP: scripts and styles of this server only)",
                  "content": html})}
    return {
        "/_sandbox/accounts/{accountId}/engagements": {"get": op(
            "The consumer page's engagements, with skill and availability", CONTROL, APP_KEY,
            operation_id="sandboxEngagements", params=(param("accountId"),),
            response=ok(ref("SandboxEngagements")), errors=CONSUMER_ERRORS)},
        "/_sandbox/accounts/{accountId}/live": {"get": op(
            "The live view's snapshot of the bearer's account", CONTROL, BEARER,
            operation_id="liveSnapshot", params=(param("accountId"),),
            response=ok(ref("LiveSnapshot")), errors=(401, 404))},
        "/_sandbox/persona": {"get": op(
            "A persona suggestion for the consumer page", CONTROL, PUBLIC,
            operation_id="persona",
            description="Any other query parameter (`name`, `city`, ...) overrides that field.",
            params=(query("seed", integer(minimum=0), "Repeat a persona; without it, a new one"),),
            response=ok(obj({"seed": integer(), "persona": ref("Persona")})), errors=(400,))},
        "/": page("The home page: accounts, users, engagements, URLs", "home"),
        "/consumer": page("The customer page: chat as a visitor", "consumerPage"),
        "/workspace": page("The agent workspace: queues, chats live, take chats", "workspacePage"),
        "/docs": page("This description, browsable (Swagger UI)", "docsPage"),
        "/openapi.json": {"get": op(
            "This OpenAPI description", PAGES, PUBLIC, operation_id="openapi",
            description="JSON only: `/openapi.xml` or `Accept: application/xml` alone is 406. "
                        "`part=liveperson` (LivePerson's APIs) or `part=sandbox` (the sandbox's "
                        "own routes) gives one half: what `/docs` shows at a time.",
            params=(query("part", enum("liveperson", "sandbox"),
                          "liveperson or sandbox: one half of the description"),),
            response={"description": "OpenAPI 3.1",
                      "content": {"application/json": {"schema": {"type": "object"}}}},
            errors=(400, 406))},
        "/static/{filename}": {"get": op(
            "A file of the pages (HTML, scripts, styles, pictures)", PAGES, PUBLIC,
            operation_id="staticFile", params=(param("filename"),),
            response={"description": "The file", "content": {"*/*": {"schema": {}}}},
            errors=(404,))},
        "/vendor/{name}": {"get": op(
            "A front-end library installed from npm (no CDN)", PAGES, PUBLIC,
            operation_id="vendorFile", params=(param("vendorName"),),
            response={"description": "The file", "content": {"*/*": {"schema": {}}}},
            errors=(404,))},
        "/favicon.ico": {"get": op(
            "The pages' icon (browsers ask for it whatever a page links)", PAGES, PUBLIC,
            operation_id="favicon",
            description="The same SVG as `/static/img/favicon.svg`, which every page links.",
            response={"description": "The icon",
                      "content": {"image/svg+xml": {"schema": {"type": "string"}}}})},
    }


SOCKET_IO = "/socket.io/"
LIVE_VIEW = """Socket.IO 4 (Engine.IO protocol 4) for the pages' live view; served by
python-engineio in front of Flask, so it is not a Flask route and its own errors are plain text,
not LivePerson's envelope. Events: emit `watch` `{accountId, bearer}` (a live Login Service bearer
of that account): the acknowledgement carries the live snapshot (as `GET
/_sandbox/accounts/{accountId}/live`), then `sandbox_event` messages arrive for every change in
that account only; `unwatch` stops; `watch_ended` tells of a logout or expiry. The handshake checks
`Origin` (the sandbox's own, plus the configured ones)."""


def _socket_io() -> dict:
    """The Socket.IO endpoint: described, not fuzzed (its protocol is not a JSON API)."""
    text = {"text/plain": {"schema": {"type": "string"}}}
    eio = (query("EIO", enum("4"), "Engine.IO protocol version", required=True),
           query("transport", enum("polling", "websocket"), "polling, or an upgrade", required=True),
           query("sid", string(), "The session id of the handshake (after it)"),
           query("t", string(), "Cache buster"))
    failure = {"400": {"description": "A bad handshake, transport or session (plain text)",
                       "content": text},
               "403": {"description": "The page's Origin is not allowed", "content": text}}
    return {SOCKET_IO: {
        "x-served-by": "python-engineio (outside Flask's url_map)",
        "description": LIVE_VIEW,
        "get": {"operationId": "socketIoPoll", "tags": [LIVE], "security": PUBLIC,
                "summary": "Handshake, long-polling, or the websocket upgrade",
                "parameters": list(eio),
                "responses": {"200": {"description": "Engine.IO packets", "content": text},
                              **failure}},
        "post": {"operationId": "socketIoSend", "tags": [LIVE], "security": PUBLIC,
                 "summary": "Send packets (long-polling)", "parameters": list(eio),
                 "requestBody": {"required": True, "content": text},
                 "responses": {"200": {"description": "`ok`", "content": text}, **failure}},
    }}


# --- the documented pieces that answered 404 (issue 9, item 9) --------------------------------

MONITORING, APP_ENGAGEMENT, SENTINEL = (
    "Monitoring API", "App Engagement API", "Sentinel (OAuth 2.0)")
# JSON-only APIs: no XML form; errors in their own documented shapes (ERROR_RESPONSES).
JSON_ONLY_TAGS = (MONITORING, APP_ENGAGEMENT, SENTINEL)
OAUTH_ERRORS = ("invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
                "unsupported_grant_type", "invalid_scope", "unsupported_token_type",
                "invalid_token", "server_error")
ERROR_RESPONSES = {
    **{f"Monitoring{status}": {"description": text, "content": {"application/json": {
        "schema": obj({"time": integer("epoch ms"), "message": string(),
                       "internalCode": integer("5 bad data, 18 app id, 20 account, 33 version, "
                                               "37 visitorId, 39 sessionId")}),
        "example": {"time": 1501074704502, "message": "consumerId", "internalCode": 5}}}}
       for status, text in ((400, "Validation error (internalCode 5, or 33 for `v`)"),
                            (404, "Unknown account (20), app installation (18), visitor (37) "
                                  "or session (39)"),
                            (413, "The request body is too large"))},
    **{f"OAuth{status}": {"description": text, "content": {"application/json": {
        "schema": obj({"error": enum(*OAUTH_ERRORS), "error_description": string()},
                      optional=("error_description",)),
        "example": {"error": "invalid_grant", "error_description": "Invalid authorization code"}}}}
       for status, text in ((400, "RFC 6749 §5.2 error (invalid_request, invalid_grant, "
                                  "unsupported_grant_type, ...)"),
                            (401, "RFC 6749 §5.2 `invalid_client`: unknown or wrong client "
                                  "credentials, or an account the application is not installed on"))},
}


def _json_only(schema: dict | None, description: str = "OK", headers: dict | None = None) -> dict:
    response = {"description": description}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    if headers:
        response["headers"] = headers
    return response


def _own_errors(operation: dict, prefix: str, statuses) -> dict:
    """Point the operation's error responses at its API's own error components."""
    for status in statuses:
        operation["responses"][str(status)] = {"$ref": f"#/components/responses/{prefix}{status}"}
    return operation


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1}}


def _domain_jsonp() -> dict:
    cb = query("cb", string("A JavaScript identifier path; absent: `lpCb`",
                            pattern=r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*){0,7}$",
                            maxLength=128), "The callback's name")
    script = {"description": "`/**/<cb>({\"ResultSet\": {...}});` (nosniff). An unknown account "
                             "or service is `ResultSet.lpCallError`, still 200",
              "content": {"text/javascript": {"schema": {"type": "string"}}}}
    paths = {}
    for prefix in ("/api", "/csdr"):
        base = f"{prefix}/account/{{accountId}}/service"
        tag_id = prefix.strip("/")
        paths[f"{base}/{{serviceName}}/baseURI.lpCsds"] = {"get": op(
            "The host of one service, as JSONP (`ResultSet.lpData[0].lpServer`)", DOMAIN, PUBLIC,
            operation_id=f"{tag_id}OneServiceJsonp", response=script, errors=(400,),
            description="The legacy form the JavaScript Chat SDK calls. An unsafe `cb` is 400 "
                        "(LivePerson's envelope, JSON).",
            params=(param("accountId"), param("serviceName"), param("version"), cb))}
        paths[f"{base}/baseURI.lpCsds"] = {"get": op(
            "The hosts of every service, as JSONP (`ResultSet.lpData.baseURIs`)", DOMAIN, PUBLIC,
            operation_id=f"{tag_id}AllServicesJsonp", response=script, errors=(400,),
            params=(param("accountId"), param("version"), cb))}
    return paths


def _visitor_extras() -> dict:
    chat = (param("accountId"), param("chatId"))
    body = obj({"authChatConnId": {"type": ["integer", "string"]}, "ssoKey": string(
        "The brand's JWT (implicit flow, RS256)"), "engagementId": {"type": ["integer", "string"]},
        "LETagContextId": string(), "LETagSessionId": string(), "LETagVisitorId": string(),
        "redirectUri": string()}, optional=("engagementId", "LETagContextId", "LETagSessionId",
                                            "LETagVisitorId", "redirectUri"))
    return {
        f"{ACCOUNT}/conversation": {"post": op(
            "Visitor Authentication: a participantId and conversationId for the chat request",
            VISITOR, APP_KEY, operation_id="visitorAuthentication", params=lp(param("accountId")),
            description="Sent as `conversation.json`. The ssoKey must verify with the account's "
                        "configured key and issuer; 401 (internalCode 102) otherwise.",
            body=body, examples={"documented": {
                "authChatConnId": 568046210, "ssoKey": "eyJ...", "engagementId": 567609310,
                "LETagContextId": "2", "LETagSessionId": "90o5l5twRUGu1rN7bzwNMA",
                "LETagVisitorId": "RiM2JlOTcwOGIxZmNiNTk4"}},
            response=ok(obj({"participantId": string(), "conversationId": string()})),
            errors=(401, 404))},
        f"{VISITOR_CHAT}/customVariables": {"get": op(
            "The custom variables the chat request gave (read only)", VISITOR, APP_KEY,
            operation_id="visitorCustomVariables", params=lp(*chat),
            response=ok(wrapper("customVariables", ref("CustomVariables"))),
            errors=CONSUMER_ERRORS)},
    }


def _monitoring() -> dict:
    app = f"{ACCOUNT}/app/{{appInstallationId}}"
    version = query("v", enum("1.0", "1"), "API version: 1.0", required=True)
    vid = query("vid", string(), "The visitorId of an earlier answer")
    sid = query("sid", string(), "The sessionId of an earlier answer")
    own = (param("accountId"), _path("appInstallationId",
                                     "The client_id of an application installed on the account"))
    identities = array(obj({"iss": string(), "acr": string(), "sub": string()},
                           optional=("iss",)))
    attributes = array(obj({"type": string()}))
    strings = array(string())
    engagement_body = obj({
        "consumerId": string("Deprecated: use identities"), "identities": identities,
        "clientProperties": obj({"appVersion": string(), "deviceFamily": enum("DESKTOP", "TABLET",
                                                                              "MOBILE"),
                                 "ipAddress": string("IPv4"), "os": enum(
                                     "WINDOWS", "MAC_OSX", "LINUX", "IOS", "ANDROID"),
                                 "osVersion": string()},
                                optional=("appVersion", "deviceFamily", "ipAddress", "os",
                                          "osVersion")),
        "entryPoints": strings, "engagementAttributes": attributes},
        optional=("consumerId", "identities", "clientProperties", "entryPoints",
                  "engagementAttributes"))
    detail = obj({"campaignId": integer(), "engagementId": integer(),
                  "engagementRevision": integer(), "contextId": string(),
                  "windowId": string(), "language": string(), "connectorId": integer(),
                  "conversationId": string("The chat the consumer is in"),
                  "status": enum("expose", "conversation")},
                 optional=("contextId", "windowId", "language", "connectorId", "conversationId"))
    session = obj({"sessionId": string(), "visitorId": string(), "pageId": string()})
    answer = obj({"sessionId": string(), "visitorId": string(), "pageId": string(),
                  "engagementDetails": array(detail, "Absent when nothing is available")},
                 optional=("engagementDetails",))
    engagement = op(
        "A monitor session and the engagements available to it", MONITORING, PUBLIC,
        operation_id="monitoringEngagement", ok_status=201, params=(*own, version, vid, sid),
        description="201: a new session (no or unknown vid/sid); 200: the pair was valid. "
                    "Available = published, and an agent Online on the skill. A consumer whose "
                    "visitorId has an open chat gets it (`status` `conversation`).",
        body=engagement_body, body_required=False,
        examples={"documented": {"clientProperties": {"deviceFamily": "MOBILE", "os": "IOS"},
                                 "entryPoints": ["sec://Sport"],
                                 "engagementAttributes": [{"type": "personal", "personal": {
                                     "firstname": "test"}}]}},
        response=_json_only(answer, "A new session"))
    engagement["responses"]["200"] = _json_only(answer, "The same session")
    report = op(
        "Report engagement attributes and impression events", MONITORING, PUBLIC,
        operation_id="monitoringReport", params=(*own, version, vid, sid),
        description="Also `POST` with `X-HTTP-Method-Override: PUT`. Impression events only for "
                    "an engagement offered in this session (400, internalCode 5).",
        body=obj({"consumerId": string(), "identities": identities, "pageId": string(),
                  "entryPoints": strings, "engagementAttributes": attributes},
                 optional=("consumerId", "identities", "pageId", "entryPoints")),
        examples={"lead": {"consumerId": "myConsumerId", "engagementAttributes": [
            {"type": "lead", "lead": {"topic": "luxury car test drive 2015"}}]}},
        response=_json_only(session, "Reported"))
    report["responses"]["201"] = _json_only(session, "Reported, in a new session")
    return {f"{app}/engagement": {"post": _own_errors(engagement, "Monitoring", (400, 404, 413))},
            f"{app}/report": {"put": _own_errors(report, "Monitoring", (400, 404, 413))}}


def _app_engagement() -> dict:
    visitors = f"{ACCOUNT}/app/engagement/visitors"
    version = query("v", enum("1.0", "1"), "API version: 1.0", required=True)
    sid = query("sid", string(), "The sessionId of an earlier answer")
    visitor = _path("visitorId", "The visitorId of an earlier answer")
    create = obj({"appType": enum("MSDK", "EXTERNAL"), "appDetails": obj({
        "appVersion": string(), "deviceFamily": enum("DESKTOP", "TABLET", "MOBILE"),
        "ipAddress": string(), "os": enum("WINDOWS", "MAC_OSX", "LINUX", "IOS", "ANDROID"),
        "osVersion": string()}, optional=("appVersion", "deviceFamily", "ipAddress", "os",
                                          "osVersion")),
        "consumerSections": array(string()), "engagementAttributes": array(obj({"type": string()}))},
        optional=("appDetails", "consumerSections", "engagementAttributes"))
    answer = obj({"status": enum("Available", "NotAvailable"), "sessionId": string(),
                  "visitorId": string(), "pageId": string(), "engagementDetails": obj({
                      "campaignId": string(), "engagementId": string(), "contextId": string(),
                      "windowId": string(), "language": string(),
                      "engagementRevision": integer(), "validForSeconds": integer(),
                      "skillId": integer(), "skillName": string(), "connectorId": string()},
                      optional=("skillId", "skillName", "connectorId"))},
                 optional=("engagementDetails",))
    example = {"msdk": {"appType": "MSDK", "consumerSections": ["Support", "English"]}}

    def create_op(operation_id, params):
        operation = op("Start (or continue) a session: is an engagement available?",
                       APP_ENGAGEMENT, PUBLIC, operation_id=operation_id,
                       params=(param("accountId"), *params, version, sid), body=create,
                       examples=example, response=_json_only(answer))
        return _own_errors(operation, "Monitoring", (400, 404, 413))

    update = op("Update a session: impression events and engagement attributes", APP_ENGAGEMENT,
                PUBLIC, operation_id="appEngagementUpdateSession",
                params=(param("accountId"), visitor, version,
                        query("sid", string(), "The session", required=True)),
                body=obj({"pageId": string(), "impAttributes": array(obj({"type": string()})),
                          "engagementAttributes": array(obj({"type": string()}))},
                         optional=("impAttributes", "engagementAttributes")),
                response=_json_only(None, "Updated (empty body)"))
    return {visitors: {"post": create_op("appEngagementCreateSession", ())},
            f"{visitors}/{{visitorId}}": {
                "post": create_op("appEngagementCreateSessionForVisitor", (visitor,)),
                "put": _own_errors(update, "Monitoring", (400, 404, 413))}}


def _sentinel() -> dict:
    base = "/sentinel/api/account/{accountId}"
    no_store = {"Cache-Control": {"description": "`no-store`", "schema": {"type": "string"}},
                "Pragma": {"description": "`no-cache`", "schema": {"type": "string"}}}
    version = query("v", string(), "1.0 or 2.0: accepted, ignored")
    client = {"client_id": string("The installation id"), "client_secret": string()}
    token = obj({"access_token": string(), "token_type": {"const": "Bearer"},
                 "expires_in": integer(), "refresh_token": string(),
                 "id_token": string("A JWT: sub, aud, iss, iat, exp, is_admin, is_lpa"),
                 "scope": string()}, optional=("refresh_token", "id_token", "scope"))

    def form_op(summary, operation_id, fields, required, response, description, params=(),
                statuses=(400, 401), body_required=True, ok_status=200, examples=None):
        operation = op(summary, SENTINEL, PUBLIC, operation_id=operation_id, ok_status=ok_status,
                       description=description, params=(param("accountId"), version, *params),
                       body={}, body_required=body_required, response=response)
        schema = obj(fields, optional=tuple(k for k in fields if k not in required))
        media = {"schema": schema}
        if examples:
            media["examples"] = {name: {"value": value} for name, value in examples.items()}
        operation["requestBody"]["content"] = {"application/x-www-form-urlencoded": media}
        return _own_errors(operation, "OAuth", statuses)

    credentials_fields = {"grant_type": enum("client_credentials"), **client, "scope": string()}
    app_token = dict(
        summary="client_credentials: an AppJWT for an installed application",
        fields=credentials_fields, required=(),
        response=_json_only(token, "The AppJWT (RS256; see /sentinel/well-known/jwks)", no_store),
        description="Parameters in the form body, in the query string (as LivePerson's examples "
                    "write them), or the client in HTTP Basic. Errors are RFC 6749's.",
        params=tuple(query(k, s, "May be sent here instead of the body")
                     for k, s in credentials_fields.items()), body_required=False,
        examples={"demo": {"grant_type": "client_credentials",
                           "client_id": "5c1f0b9e-7a3d-4e62-9b8f-2d4c6a1e3f70",
                           "client_secret": "k7h2m9q4w8e3r6t1y5u0i2o7"}})
    return {
        f"{base}/app/token": {"post": form_op(operation_id="sentinelAppToken", **app_token)},
        "/sentinel/api/v2/account/{accountId}/app/token": {
            "post": form_op(operation_id="sentinelAppTokenV2", **app_token)},
        f"{base}/token": {"post": form_op(
            "authorization_code or refresh_token: a user's access token", "sentinelToken",
            {"grant_type": enum("authorization_code", "refresh_token"), "code": string(),
             "redirect_uri": string(), "refresh_token": string(), "code_verifier": string(),
             "scope": string(), **client}, ("grant_type",),
            _json_only(token, "The access token is a Login Service bearer of the user", no_store),
            "The code comes from `authorize`; a refresh ends the previous access token.")},
        f"{base}/token/revoke": {"post": form_op(
            "Revoke a refresh (or access) token: its session ends", "sentinelRevoke",
            {"token": string(), "token_type_hint": enum("refresh_token", "access_token"),
             **client}, ("token",), _json_only(None, "Revoked (also for an unknown token)"),
            "RFC 7009; the client must authenticate (401 otherwise).")},
        f"{base}/authorize": {"get": op(
            "The user's authorization: 302 to the redirect_uri with a code", SENTINEL, PUBLIC,
            operation_id="sentinelAuthorize", ok_status=302,
            description="The user is the browser's live Login Service session of the account "
                        "(the `Session_id` cookie) or a bearer; without one, 302 with "
                        "`error=login_required`. Unknown client: 401, bad redirect_uri: 400 "
                        "(LivePerson's envelope, never redirected).",
            params=(param("accountId"), version,
                    query("response_type", enum("code"), "code", required=True),
                    query("client_id", string(), "The installation id", required=True),
                    query("redirect_uri", string(), "One of the application's"),
                    query("scope", string(), "Space-separated"), query("state", string(), "Echoed"),
                    query("code_challenge", string(), "PKCE"),
                    query("code_challenge_method", enum("plain", "S256"), "PKCE")),
            response={"description": "To the application, with `code` and `state` (or `error`)",
                      "headers": {"Location": {"description": "The redirect_uri with the answer",
                                               "schema": {"type": "string"}}}},
            errors=(400, 401))},
        "/sentinel/well-known/jwks": {"get": op(
            "The public key of Sentinel's JWTs (JWKS)", SENTINEL, PUBLIC,
            operation_id="sentinelJwks",
            response=_json_only(obj({"keys": array(obj({"kty": string(), "kid": string(),
                                                         "n": string(), "e": string()}))})))},
    }


# --- Operational Realtime API (leDataReporting) -----------------------------------------------

REALTIME = "Operational Realtime API"
OPERATIONS = "/operations/api/account/{accountId}"
REALTIME_ERRORS = (400, 401, 404)  # bad parameter or OAuth; no/foreign credential; unknown account
MESSAGING_QUEUE_METRICS = (  # Messaging Operations' msgqueuehealth, in the docs' order
    "unassignedConversations", "actionableConversations", "notActionableConversations",
    "actionableAndManualSla", "actionableAndDuringTransfer", "actionableAndConsumerLastMessage",
    "notActionableDuringTransfer", "notActionableAndManualSla",
    "unassignedConversationsAndFirstTimeConsumer")


def _map(values: dict) -> dict:
    """An object keyed by id (skill, agent, bucket), every value of one shape."""
    return {"type": "object", "additionalProperties": values}


def _realtime_body(window: dict, description: str) -> dict:
    """The body as the docs show it (`v=1`), or in `{"meta", "body"}` (any other or no `v`)."""
    intervals = array(obj({"timestamp": integer("The interval's end, epoch ms"),
                           "metricsData": window}))
    bare = {"allOf": [window, obj({"metricsByIntervals": intervals},
                                  optional=("metricsByIntervals",))]}
    wrapped = obj({"meta": obj({"responseCode": integer()}), "body": bare})
    return {"anyOf": [bare, wrapped], "description": description}


def _operational_realtime() -> dict:
    def ids(name: str, what: str) -> dict:
        return query(name, string(pattern=r"^(all|[0-9]+(,[0-9]+)*)$"),
                     f"`all` or comma-separated {what} ids")

    frame = query("timeframe", integer(minimum=1, maximum=1440),
                  "Minutes back from now (at most 1440); rounded to 5-minute buckets", True)
    every = query("interval", integer(minimum=5), "Minutes per interval: at most the timeframe, "
                  "and a divisor of it")
    version = query("v", string(pattern=r"^[0-9]+(\.[0-9]+)?$"),
                    "API version: `1` answers the documented body; `2` (or none) wraps it in "
                    "`{meta, body}`")
    account = param("accountId")
    seconds = {name: integer() for name in ("total", "chatting", "notChatting",
                                            "chattingInMaxConcurrency")}
    state_value = obj(seconds)
    queue = obj({name: (number() if name.startswith(("average", "abandonment")) else integer())
                 for name in ("totalTimeToAnswer", "enteredQEng", "avgTimeToAnswer",
                              "abandonmentRate", "abandonedEng", "connectedEng",
                              "avgTimeToAbandon", "totalTimeToAbandon", "maxQueueSize",
                              "minQueueSize", "averageQueueSize", "maxAvailableSlots",
                              "minAvailableSlots", "averageAvailableSlots", "currentQueueSize",
                              "currentAvailableSlots", "availableSlotsSum", "availableSlotsCount",
                              "queueSizeSum", "queueSizeCount")})
    activity = obj({name: integer() for name in (
        "totalInteractiveChats", "totalNonInteractiveChats", "totalHandlingTime",
        "nonInteractiveTotalHandlingTime", "connectedEngagements")})
    per_agent = obj({"metricsPerAgent": _map(activity), "metricsTotals": activity})
    engagement = obj({"metricsTotals": activity, "agentsMetrics": per_agent,
                      "skillsMetricsPerAgent": obj({"metricsPerSkill": _map(per_agent),
                                                    "metricsTotals": activity})},
                     optional=("metricsTotals", "agentsMetrics", "skillsMetricsPerAgent"))
    entry = obj({"id": integer("-1 logged in, 2 Online, 3 Back in 5, 4 Away"), "name": string(),
                 "value": state_value,
                 "reasons": array(obj({"id": string(), "value": state_value}))},
                optional=("reasons",))
    agents = obj({"agentsMetrics": obj({"metricsPerAgent": _map(array(entry)),
                                        "metricsTotals": array({})})})
    now = obj({"currentAvailableSlots": integer(), "currentQueueSize": integer(),
               "currentMaxWaitTimeInQueue": integer("ms, from v=2; -1 when nobody waits")},
              optional=("currentMaxWaitTimeInQueue",))
    sla = obj({"slaDataRange": _map(obj({"accumulated": number(), "percentageFromTotal": number(),
                                          "chats": integer()}))})
    activity_body = obj({"timeframe": {"type": ["string", "integer"]},
                         "agentIds": {"type": ["string", "integer", "array"]},
                         "v": {"type": ["string", "integer"]},
                         "interval": {"type": ["string", "integer"]}},
                        optional=("v", "interval"))
    agent_params = (account, frame, query("agentIds", string(pattern=r"^(all|[0-9]+(,[0-9]+)*)$"),
                                          "`all` or comma-separated agent ids", True),
                    every, version)
    agent_response = ok(_realtime_body(agents, "Seconds in each state per agent"))
    messaging = obj({name: number("An average over the window (0: live chat only here)")
                     for name in MESSAGING_QUEUE_METRICS})
    msg_window = obj({"skillsMetrics": _map(messaging), "metricsTotal": messaging})
    msg_intervals = obj({"metricsByIntervals": array(obj({
        "timestamp": integer("The interval's start, epoch ms"), "metricsData": msg_window})),
        "timeframeSummary": msg_window})
    return {
        f"{OPERATIONS}/queuehealth": {"get": op(
            "Queue health: entered, connected and abandoned chats, waits, queue sizes and slots",
            REALTIME, DATA, operation_id="realtimeQueueHealth", errors=REALTIME_ERRORS,
            params=(account, frame, ids("skillIds", "skill"), every, version,
                    query("chatCenterId", string(pattern="^[0-9]+$"), "Accepted (no chat "
                          "centers here)")),
            response=ok(_realtime_body(obj({"skillsMetrics": _map(queue), "metricsTotals": queue},
                                           optional=("skillsMetrics",)),
                                       "Per skill (with skillIds) and in total")))},
        f"{OPERATIONS}/engactivity": {"get": op(
            "Engagement activity: closed (interactive or not) and connected chats, handling time",
            REALTIME, DATA, operation_id="realtimeEngagementActivity", errors=REALTIME_ERRORS,
            params=(account, frame, ids("skillIds", "skill"), ids("agentIds", "agent"), every,
                    version),
            response=ok(_realtime_body(engagement, "Per skill and agent, per agent, or in total")))},
        f"{OPERATIONS}/agentactivity": {
            "get": op("Agent state distribution: time Online, Back in 5, Away and logged in",
                      REALTIME, DATA, operation_id="realtimeAgentActivity",
                      errors=REALTIME_ERRORS, params=agent_params, response=agent_response),
            "post": op("Agent state distribution, parameters in a JSON body (long agent lists)",
                       REALTIME, DATA, operation_id="realtimeAgentActivityPost",
                       errors=REALTIME_ERRORS, params=(account,), body=activity_body,
                       body_required=False, response=agent_response,
                       examples={"documented": {"timeframe": "1440", "v": "1",
                                                "agentIds": "3001002", "interval": "1440"}})},
        f"{OPERATIONS}/queuestate": {"get": op(
            "Current queue state per skill: chats waiting, free slots, the longest wait (v=2)",
            REALTIME, DATA, operation_id="realtimeQueueState", errors=REALTIME_ERRORS,
            params=(account, ids("skillIds", "skill"), version),
            response=ok(obj({"skills": _map(now), "totals": now})))},
        f"{OPERATIONS}/sla": {"get": op(
            "SLA histogram: how long the chats connected in the time frame waited",
            REALTIME, DATA, operation_id="realtimeSla", errors=REALTIME_ERRORS,
            params=(account, frame, ids("skillIds", "skill"),
                    query("groupIds", string(pattern=r"^(all|-?[0-9]+(,-?[0-9]+)*)$"),
                          "`all` or comma-separated agent group ids"),
                    query("histogram", string(pattern=r"^[0-9]+(,[0-9]+)*$"),
                          "Bucket lower bounds in seconds, multiples of 5 (default "
                          "0,15,30,45,60,90,120)"), version),
            response=ok(_realtime_body(sla, "Chats per wait bucket")))},
        f"{OPERATIONS}/msgqueuehealth": {"get": op(
            "Messaging Operations API, messaging queue health: unassigned conversations per skill",
            REALTIME, DATA, operation_id="messagingQueueHealth", errors=REALTIME_ERRORS,
            description="The sandbox serves live chat only, so every average is 0, for every "
                        "live skill (`skillIds=all` or none) or the requested ones that are "
                        "live skills of the account. The body is always bare, as the docs show "
                        "it, whatever `v`; the time frame is exactly the last `timeframe` "
                        "minutes (not rounded), intervals newest first.",
            params=(account, query("timeframe", integer(minimum=1, maximum=1440),
                                   "Minutes back from now (at most 1440), not rounded", True),
                    ids("skillIds", "skill"), every,
                    query("v", string(pattern=r"^[0-9]+(\.[0-9]+)?$"),
                          "API version (`1`, `2`): the same bare body")),
            response=ok({"anyOf": [msg_window, msg_intervals],
                         "description": "Per skill and in total; with an interval, per interval "
                                        "and for the whole time frame"}))},
    }


def build_paths() -> dict:
    """Every path of the sandbox, grouped by API."""
    from .control import control_paths  # it builds on this module's helpers
    from .history import history_paths  # Engagement History (engHistDomain, msgHist)
    paths = {}
    for part in (_domain(), _login(), _agent_session(), _agent_chat(), _server_chat(),
                 _account_config(), _sandbox(), _socket_io(), _domain_jsonp(), _visitor_extras(),
                 _monitoring(), _app_engagement(), _sentinel(), _operational_realtime(),
                 history_paths(), control_paths()):
        for path, item in part.items():
            paths.setdefault(path, {}).update(item)
    return paths
