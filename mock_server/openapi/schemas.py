"""JSON Schema pieces of the OpenAPI description: small helpers, then the shared components.

The shapes are LivePerson's JSON mapping as the sandbox sends it (docs/fidelity.md): `@`-keys for
XML attributes, one item as an object and several as an array (`one_or_many`), numbers as strings
where the docs' examples have strings (`num_str`), an empty element as `null` (`nullable`).
"""


def ref(name: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


def string(description: str | None = None, **extra) -> dict:
    return _described({"type": "string", **extra}, description)


def integer(description: str | None = None, **extra) -> dict:
    return _described({"type": "integer", **extra}, description)


def number(description: str | None = None, **extra) -> dict:
    return _described({"type": "number", **extra}, description)


def boolean(description: str | None = None) -> dict:
    return _described({"type": "boolean"}, description)


def enum(*values, description: str | None = None) -> dict:
    return _described({"type": "string", "enum": list(values)}, description)


def num_str(description: str | None = None) -> dict:
    """A number sent as a JSON string (`"ringingCount": "1"`), as LivePerson's examples show."""
    return string(description, pattern="^-?[0-9]+$")


def bool_str(description: str | None = None) -> dict:
    """A boolean sent as a JSON string (`"deleted": "false"`)."""
    return enum("true", "false", description=description)


def id_value(description: str | None = None) -> dict:
    """An id the docs show as a number: a JSON number when it is digits, else the string."""
    return _described({"type": ["integer", "string"]}, description)


def nullable(schema: dict) -> dict:
    """The schema, or `null` (LivePerson's empty element)."""
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict, description: str | None = None, **extra) -> dict:
    return _described({"type": "array", "items": items, **extra}, description)


def one_or_many(item: dict) -> dict:
    """LivePerson's mapping of a repeated element: one item bare, several as an array."""
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 2}]}


def obj(properties: dict, *, optional=(), description: str | None = None,
        additional: bool | dict = True) -> dict:
    """An object whose properties are all required except those named in `optional`."""
    schema = {"type": "object", "properties": properties,
              "required": [name for name in properties if name not in optional]}
    if not schema["required"]:
        del schema["required"]
    if additional is not True:
        schema["additionalProperties"] = additional
    return _described(schema, description)


def wrapper(key: str, schema: dict, description: str | None = None) -> dict:
    """`{"<key>": <schema>}`: LivePerson's one-key resource wrapper (the XML root element)."""
    return obj({key: schema}, description=description)


def _described(schema: dict, description: str | None) -> dict:
    if description:
        schema["description"] = description
    return schema


# --- shared pieces ----------------------------------------------------------------------------

LINK = obj({"@href": string("Absolute URL, on the scheme and host the request came in on",
                            format="uri"),
            "@rel": string("What the link is (self, next, location, events, ...)")})
LINKS = array(ref("Link"), minItems=2)
AVAILABILITY_STATES = ("Online", "Away", "Occupied")
TYPING = enum("typing", "not-typing", "unknown")
LOCATION_LINK = obj({"link": ref("Link")})

EVENT = {
    "oneOf": [
        obj({"@id": num_str("0-based, increasing per chat"), "@type": {"const": "state"},
             "time": string("ISO-8601 with ms and the account's offset"),
             "state": enum("waiting", "chatting", "ended")}),
        obj({"@id": num_str(), "@type": {"const": "line"}, "time": string(),
             "textType": enum("plain", "html", "rich-content"), "text": string(),
             "by": string("info (system), the agent's name, or the visitor's"),
             "source": enum("system", "agent", "visitor"),
             "systemMessageId": num_str("System lines only: 2, 3, 4, 5, 6, 13, 15, 23"),
             "subType": enum("REGULAR", "ONLY_TO_REP"),
             "json": {"description": "Rich content (textType rich-content): a structured-content template"},
             "quickReplies": {"description": "An agent line's quick replies (sandbox extension)"}},
            optional=("systemMessageId", "json", "quickReplies")),
    ],
}
EVENTS = obj({"link": LINKS, "event": one_or_many(ref("Event"))}, optional=("event",),
             description="`event` is left out when there is no event from `from` on")

PERSONA = obj({name: string() for name in (
    "name", "email", "phone", "country", "countryCode", "city", "ip", "userAgent", "browser",
    "operatingSystem", "device", "page")}, description="A made-up visitor (Faker, seeded)")


def chat_info(for_visitor: bool) -> dict:
    """The `info` element of a chat, as the agent or the visitor sees it."""
    props = {
        "link": LINKS, "state": enum("waiting", "chatting", "ended"), "chatSessionKey": string(),
        "agentName": string("Once an agent holds the chat"), "agentId": id_value(),
        "startTime": string(), "duration": integer("Seconds since the chat was accepted"),
        "lastUpdate": string(), "chatTimeout": integer("Seconds"), "visitorId": id_value(),
        "agentTyping": TYPING, "visitorTyping": TYPING, "visitorName": string(),
        "rtSessionId": id_value(), "sharkVisitorId": string(), "sharkSessionId": string(),
        "sharkContextId": string(), "engagementId": string(), "campaignId": string(),
        "language": string(),
    }
    optional = ["agentName", "agentId", "engagementId", "campaignId"]
    if for_visitor:
        props.update(skillName=nullable(string()), skillId=id_value())
        optional += ["skillName", "skillId"]
    else:
        props["visitorInfo"] = ref("Persona")
        optional.append("visitorInfo")
    return obj(props, optional=optional)


def chat_resource(info: str) -> dict:
    return obj({"link": LINKS, "events": ref("Events"), "info": ref(info)})


SURVEY_ENTRY = obj({"checked": {"type": ["string", "boolean"]}, "value": string(),
                    "displayValue": string(),
                    "logic": obj({"showLogicId": one_or_many({"type": ["string", "integer"]})})},
                   optional=("logic",))
SURVEY_QUESTION = obj({
    "type": enum("Dropdown Box", "Checkbox", "Radio Button", "Radio Button (side by side)",
                 "Text Field", "Text Area"),
    "validationType": string("alpha_numeric, numeric or email"),
    "id": {"type": ["string", "integer"]}, "logicId": {"type": ["string", "integer"]},
    "order": {"type": ["string", "integer"]}, "mandatory": {"type": ["string", "boolean"]},
    "label": string(), "entry": array(SURVEY_ENTRY), "lastKnownValue": string()},
    optional=("entry", "lastKnownValue"))
SURVEY = wrapper("survey", obj({
    "id": {"type": ["string", "integer"]}, "title": string(), "header": string(),
    "questions": obj({"question": one_or_many(SURVEY_QUESTION)}, optional=("question",))}),
    "Strings throughout (the pre-chat example); the exit survey uses numbers and booleans")
SURVEY_ANSWERS = wrapper("survey", obj({
    "id": {"type": ["string", "integer"]},
    "question": one_or_many(obj({"id": {"type": ["string", "integer"]},
                                 "answer": one_or_many({"type": ["string", "integer"]})}))},
    optional=("id",)))

BASE_URI = obj({"service": string(), "account": string(),
                "baseURI": string("host[:port], no scheme: this sandbox's own")})

LOGIN_RESPONSE = obj({
    "csrf": string(), "wsuk": num_str(),
    "config": obj({"loginName": string(), "userId": string(), "userPid": string(),
                   "userPrivileges": array(integer()), "serverCurrentTime": integer("epoch ms"),
                   "timeDiff": integer(), "serverTimeZoneName": string(),
                   "serverTimeGMTDiff": integer("ms"), "isLPA": boolean(), "isAdmin": boolean(),
                   "accountTimeZoneId": string()}),
    "siteConfig": obj({}), "csdsCollectionResponse": ref("BaseURIs"),
    "accountData": obj({"agentGroupsData": obj({
        "items": array(obj({"id": integer(), "deleted": boolean(), "name": string()})),
        "revision": integer()})}),
    "sessionTTl": num_str("Milliseconds, as a string (sic: TTl)"),
    "bearer": string("Send as `Authorization: Bearer <bearer>`"),
    "sessionId": string("The Session_id cookie's value")})

AVAILABLE_AGENT = obj({
    "@id": string(),
    "@chatState": enum("1", "2", "3", "4", description="1 Offline, 2 Online, 3 Occupied, 4 Away"),
    "@voiceState": num_str(), "@maxChats": num_str("-1 unlimited"), "userName": string(),
    "nickname": string(), "email": string(), "privilegeGroup": string(),
    "skills": nullable(obj({"skill": one_or_many(string())})),
    "skillsInfo": nullable(obj({"skillInfo": one_or_many(ref("SkillInfo"))})),
    "agentGroupName": string(), "agentGroupId": string(), "elapsedTimeInState": num_str("ms"),
    "userType": enum("human", "bot", description="Sandbox addition"),
    "chats": num_str("Only when the agent holds chats")}, optional=("chats",))

CHAT_SESSION = obj({"link": ref("Link"), "chatSessionKey": string(),
                    "startTime": integer("epoch ms")})
CHAT_SESSIONS = obj({"chatSession": one_or_many(CHAT_SESSION)}, optional=("chatSession",),
                    description="`{}` when the agent holds no chat")
CUSTOM_VARIABLES = nullable(obj({"customVariable": one_or_many(obj({"name": string(),
                                                                   "value": string()}))}))
VISIT = obj({
    "@id": string(), "link": LINKS, "visitorId": string(), "visitorName": string(),
    "ipAddress": string(), "userAgent": string(), "chatStartUrl": string(), "language": string(),
    "visitorInfo": nullable(ref("Persona")),
    "preChatSurvey": wrapper("survey", obj({"id": string(), "question": one_or_many(obj({
        "id": string(), "label": string(), "answer": one_or_many(string())}))})),
    "customVariables": ref("CustomVariables")}, optional=("preChatSurvey",))

# --- Account Config entities ------------------------------------------------------------------

SKILL = obj({
    "id": id_value(), "skillOrder": integer(), "description": string(), "name": string(),
    "maxWaitTime": integer(), "deleted": boolean(), "dateUpdated": string("yyyy-MM-dd HH:mm:ss"),
    "canTransfer": boolean(), "skillTransferList": array(id_value()), "lobIds": array({}),
    "skillRoutingConfiguration": array({})})
USER = obj({
    "id": string(), "deleted": bool_str(), "loginName": string(), "fullName": string(),
    "nickname": string(), "isEnabled": bool_str(), "maxChats": num_str(), "isActive": bool_str(),
    "email": string(), "disabledManually": boolean(), "skillIds": array(id_value()),
    "profiles": array({}), "changePwdNextLogin": bool_str(), "pictureUrl": nullable(string()),
    "userTypeId": {"type": "integer", "enum": [1, 2], "description": "1 human, 2 bot"},
    "allowedAppKeys": nullable(string("Comma-separated app keys")),
    "memberOf": obj({"agentGroupId": string(), "assignmentDate": string()}),
    "managerOf": array({}), "permissionGroups": array(string()), "dateUpdated": string()})
CAMPAIGN = obj({
    "id": id_value(), "name": string(), "description": string(), "type": integer(),
    "status": {"type": "integer", "enum": [0, 1], "description": "1 published, 0 unpublished"},
    "isDeleted": boolean(), "engagementIds": array(id_value()), "priority": number(),
    "weight": number(), "controlGroup": obj({"percentage": number()}), "timeZone": string(),
    "startDate": string(), "expirationDate": nullable(string())})
AGENT_GROUP = obj({
    "id": string("-1 for the root, Main Group"), "deleted": boolean(), "name": string(),
    "description": string(), "parentGroupId": string("absent only on the root"),
    "isEnabled": boolean(), "dateUpdated": string("yyyy-MM-dd HH:mm:ss")},
    optional=("parentGroupId",))
STATUS_REASON = obj({
    "id": id_value(), "text": string(), "state": enum("Online", "Occupied", "Away"),
    "enabled": boolean(), "deleted": boolean()})
ENGAGEMENT = obj({
    "id": id_value(), "name": string(), "description": string(), "deleted": boolean(),
    "campaignId": id_value(), "channel": integer(), "type": integer(), "enabled": boolean(),
    "language": string(), "skillId": id_value("-1 when unassigned"), "skillName": string(),
    "windowId": id_value(), "createdDate": string(), "modifiedDate": string()})

_TEXT = {"type": ["string", "integer"]}
_FLAG = {"type": ["boolean", "string"]}
SKILL_WRITE = obj({"name": string(), "description": string(), "maxWaitTime": _TEXT,
                   "canTransfer": _FLAG, "skillTransferList": nullable(array(id_value()))},
                  optional=("description", "maxWaitTime", "canTransfer", "skillTransferList"))
USER_WRITE = obj({"loginName": string(), "fullName": string(), "nickname": string(),
                  "passwordSh": string("The password (write only)"), "email": string(),
                  "pictureUrl": string(), "userTypeId": {"type": ["integer", "string"]},
                  "allowedAppKeys": string(), "skillIds": array(id_value()), "maxChats": _TEXT,
                  "isEnabled": _FLAG, "memberOf": obj({"agentGroupId": id_value()})},
                 optional=("passwordSh", "email", "pictureUrl", "userTypeId", "allowedAppKeys",
                           "skillIds", "maxChats", "isEnabled", "memberOf"),
                 description="Create: loginName, fullName, nickname and passwordSh (or allowedAppKeys)")
AGENT_GROUP_WRITE = obj({"name": string(), "description": string(),
                         "parentGroupId": id_value("A live group; -1 is the root"),
                         "isEnabled": _FLAG},
                        optional=("description", "parentGroupId", "isEnabled"),
                        description="Create: name and parentGroupId")
STATUS_REASON_WRITE = obj({"text": string("At most 100 characters, unique"),
                           "state": enum("Online", "Occupied", "Away"), "enabled": _FLAG},
                          optional=("state", "enabled"))
CAMPAIGN_WRITE = obj({"name": string(), "description": string(),
                      "status": {"type": ["integer", "string"]}},
                     optional=("description", "status"))
ENGAGEMENT_WRITE = obj({"name": string(), "description": string(), "skillId": id_value(),
                        "language": string(), "enabled": _FLAG},
                       optional=("description", "skillId", "language", "enabled"))

# --- sandbox-only -----------------------------------------------------------------------------

SNAPSHOT = obj({
    "accountId": string(), "accountName": string(), "seq": integer(), "now": integer("epoch ms"),
    "skills": array(obj({"id": string(), "name": string()})),
    "agents": array(obj({
        "userId": string(), "loginName": string(), "nickname": string(), "fullName": string(),
        "userType": enum("human", "bot"), "pictureUrl": nullable(string()), "isAdmin": boolean(),
        "availability": enum("Online", "Away", "Occupied", "Offline"), "sessions": integer(),
        "load": integer(), "maxChats": integer(), "ringing": integer(),
        "skills": array(string())})),
    "queues": {"type": "object", "additionalProperties": array(obj({
        "chatId": string(), "visitorName": string(), "since": integer(),
        "ringing": nullable(string()), "transferred": boolean()})),
        "description": "Waiting chats per skill name, oldest first"},
    "cannedResponses": array(obj({"title": string(), "text": string(
        "{visitorName} and {agentName} are filled in by the workspace"), "category": string()}),
        "The account's canned responses (`cannedResponses` in the config)"),
    "chats": array({"type": "object", "description": "A chat summary with its newest events",
                    "required": ["id", "state", "events"],
                    "properties": {"id": string(), "state": string(),
                                   "events": array({"type": "object"})}})})
ENGAGEMENTS = obj({
    "accountId": string(), "accountName": string(),
    "engagements": array(obj({
        "campaignId": string(), "campaignName": string(), "engagementId": string(),
        "engagementName": string(), "description": nullable(string()),
        "skillId": nullable(string()), "skillName": nullable(string()), "available": boolean(),
        "availableNow": boolean(), "estimatedWaitTime": integer(),
        "agentTypes": array(enum("human", "bot"))})),
    "agents": array(obj({"nickname": string(), "userType": enum("human", "bot"),
                         "pictureUrl": nullable(string())}))})

ERROR = wrapper("error", obj({
    "time": string("Like `Nov 23, 2026 8:16:27 PM`"), "message": string(),
    "internalCode": integer("See the error table of docs/fidelity.md"),
    "responseStatus": enum("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND",
                           "METHOD_NOT_ALLOWED", "NOT_ACCEPTABLE", "CONFLICT",
                           "PRECONDITION_FAILED", "REQUEST_ENTITY_TOO_LARGE",
                           "REQUEST_URI_TOO_LONG", "UNSUPPORTED_MEDIA_TYPE",
                           "REQUEST_HEADER_FIELDS_TOO_LARGE", "INTERNAL_SERVER_ERROR")}),
    "LivePerson's error envelope: every error of every API")

COMPONENTS = {
    "Error": ERROR,
    "Link": LINK,
    "BaseURI": BASE_URI,
    "BaseURIs": obj({"baseURIs": array(ref("BaseURI"))}),
    "LoginResponse": LOGIN_RESPONSE,
    "Availability": obj({"chat": enum(*AVAILABILITY_STATES), "voice": string()}),
    "Event": EVENT,
    "Events": EVENTS,
    "AgentChatInfo": chat_info(for_visitor=False),
    "VisitorChatInfo": chat_info(for_visitor=True),
    "AgentChat": chat_resource("AgentChatInfo"),
    "VisitorChat": chat_resource("VisitorChatInfo"),
    "SkillInfo": obj({"id": string(), "name": string()}),
    "AvailableAgent": AVAILABLE_AGENT,
    "ChatSessions": CHAT_SESSIONS,
    "Persona": PERSONA,
    "Survey": SURVEY,
    "SurveyAnswers": SURVEY_ANSWERS,
    "CustomVariables": CUSTOM_VARIABLES,
    "Visit": VISIT,
    "Skill": SKILL,
    "User": USER,
    "Campaign": CAMPAIGN,
    "Engagement": ENGAGEMENT,
    "AgentGroup": AGENT_GROUP,
    "StatusReason": STATUS_REASON,
    "AgentGroupWrite": AGENT_GROUP_WRITE,
    "StatusReasonWrite": STATUS_REASON_WRITE,
    "SkillWrite": SKILL_WRITE,
    "UserWrite": USER_WRITE,
    "CampaignWrite": CAMPAIGN_WRITE,
    "EngagementWrite": ENGAGEMENT_WRITE,
    "LiveSnapshot": SNAPSHOT,
    "SandboxEngagements": ENGAGEMENTS,
}
