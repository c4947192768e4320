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

BEARER = [{"bearer": []}]
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
                "subType": enum("REGULAR", "ONLY_TO_REP"), "json": {}},
               optional=("textType", "subType", "json"))
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
    reads = (401, 404)
    writes = (401, 403, 404, 412)
    listing = (param("v"), param("select"), param("fields"), param("include_deleted"))
    item = (param("v"), param("select"), param("fields"))
    paths = {}
    examples = {
        "Skill": {"name": "billing", "description": "Billing questions", "maxWaitTime": 60},
        "User": {"loginName": "new-agent", "fullName": "New Agent", "nickname": "Nina",
                 "passwordSh": "new-agent-pass", "skillIds": [2001002], "maxChats": 2},
        "Campaign": {"name": "Spring sale", "description": "Seasonal", "status": 0},
        "Engagement": {"name": "Sale chat", "skillId": 2001001, "enabled": True},
    }
    for path, name, schema, write, ids, bulk in (
            (f"{USERS}/skills", "Skill", "Skill", "SkillWrite", ("skillId",), True),
            (f"{USERS}/users", "User", "User", "UserWrite", ("userId",), False),
            (CAMPAIGNS, "Campaign", "Campaign", "CampaignWrite", ("campaignId",), False),
            (f"{CAMPAIGNS}/{{campaignId}}/engagements", "Engagement", "Engagement",
             "EngagementWrite", ("campaignId", "engagementId"), False)):
        example = {name.lower(): examples[name]}
        parents = tuple(param(i) for i in ids[:-1])
        own = param(ids[-1])
        body = ({"oneOf": [ref(write), array(ref(write), minItems=1)]} if bulk else ref(write))
        created = ({"oneOf": [ref(schema), array(ref(schema))]} if bulk else ref(schema))
        plural = f"{name.lower()}s"
        paths[path] = {
            "get": op(f"Every {name.lower()}", CONFIG, BEARER, operation_id=f"list{name}s",
                      params=(param("accountId"), *parents, *listing),
                      response=ok(array(ref(schema)), headers=REVISION_HEADERS), errors=reads),
            "post": op(f"Create a {name.lower()}" + (" (or a list of them)" if bulk else ""),
                       CONFIG, BEARER, operation_id=f"create{name}", ok_status=201,
                       description="Administrators only. `If-Match` may name the revision.",
                       params=(param("accountId"), *parents, *item, param("If-Match")),
                       body=body, examples=example, response=ok(created, "Created",
                                              {**REVISION_HEADERS, **LOCATION_HEADER}),
                       errors=writes)}
        paths[f"{path}/{{{ids[-1]}}}"] = {
            "get": op(f"One {name.lower()}", CONFIG, BEARER, operation_id=f"get{name}",
                      params=(param("accountId"), *parents, own, *item),
                      response=ok(ref(schema), headers=REVISION_HEADERS), errors=reads),
            "put": op(f"Update a {name.lower()}", CONFIG, BEARER, operation_id=f"update{name}",
                      description="Administrators only. A stale `If-Match` is 412.",
                      params=(param("accountId"), *parents, own, *item, param("If-Match")),
                      body=ref(write), examples=example,
                      response=ok(ref(schema), headers=REVISION_HEADERS),
                      errors=writes),
            "delete": op(f"Delete a {name.lower()} (kept, marked deleted)", CONFIG, BEARER,
                         operation_id=f"delete{name}",
                         params=(param("accountId"), *parents, own, *item, param("If-Match")),
                         response=ok(description=f"Deleted; the {plural} revision is bumped",
                                     headers=REVISION_HEADERS),
                         errors=(400, *writes) if name == "User" else writes)}
    return paths


def _sandbox() -> dict:
    html = {"text/html": {"schema": {"type": "string"}}}
    page = lambda summary, operation_id: {"get": op(  # noqa: E731
        summary, PAGES, PUBLIC, operation_id=operation_id,
        response={"description": "An HTML page (CSP: scripts and styles of this server only)",
                  "content": html})}
    return {
        "/_sandbox/health": {"get": op(
            "Liveness", CONTROL, PUBLIC, operation_id="health",
            response=ok(obj({"status": {"const": "ok"}})))},
        "/_sandbox/clock": {"get": op(
            "The sandbox's time and whether it can be moved", CONTROL, PUBLIC,
            operation_id="getClock",
            response=ok(obj({"now": integer("epoch ms"), "movable": boolean()})))},
        "/_sandbox/clock/advance": {"post": op(
            "Move the clock forward (servers started with --movable-clock)", CONTROL, PUBLIC,
            operation_id="advanceClock",
            description="Applies every timeout that falls due. 400 on the wall clock.",
            body=obj({"seconds": number(minimum=0)}),
            response=ok(obj({"now": integer("epoch ms")})))},
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
            description="JSON only: `/openapi.xml` or `Accept: application/xml` alone is 406.",
            response={"description": "OpenAPI 3.1",
                      "content": {"application/json": {"schema": {"type": "object"}}}},
            errors=(406,))},
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


def build_paths() -> dict:
    """Every path of the sandbox, grouped by API."""
    paths = {}
    for part in (_domain(), _login(), _agent_session(), _agent_chat(), _server_chat(),
                 _account_config(), _sandbox(), _socket_io()):
        for path, item in part.items():
            paths.setdefault(path, {}).update(item)
    return paths
