"""The sandbox's OpenAPI 3.1 description: served at `/openapi.json`, browsable at `/docs`.

`description()` builds it once from `schemas.py` (the shapes) and `paths.py` (the operations).
tests/wire/test_openapi.py checks that it names exactly the routes Flask serves.
"""
import json
from functools import lru_cache

from flask import Blueprint, Response, request

from ..api.common import wants_xml
from ..model.errors import BadRequest, SandboxError
from ..pages import VENDOR, _page
from .control import CONTROL_RESPONSES
from .paths import ERROR_RESPONSES, build_paths
from .schemas import COMPONENTS, ref

VERSION = "1.0.0"
# status: (description, responseStatus, a typical internalCode and message)
ERROR_STATUSES = {
    400: ("Bad request: malformed body or query, or a value the API refuses", "BAD_REQUEST", 1,
          "The request body is not valid JSON"),
    401: ("No, wrong or expired credentials (bearer, app key or API key signature)", "UNAUTHORIZED", 11,
          "Session expired"),
    403: ("Authenticated, but not allowed (another user's session; a write without admin rights)",
          "FORBIDDEN", 90, "Only an administrator may change the account configuration"),
    404: ("Unknown account, session, chat, event or item; or no such URL", "NOT_FOUND", 44,
          "Chat H1234-abcdK567 was not found"),
    405: ("Method not allowed on this resource (e.g. POST without X-HTTP-Method-Override: PUT)",
          "METHOD_NOT_ALLOWED", 405, "Method POST is not allowed on /api/account/12345678/..."),
    406: ("The representation asked for (XML) is not offered here", "NOT_ACCEPTABLE", 406,
          "The OpenAPI description is served as JSON only: GET /openapi.json"),
    409: ("The chat has ended: only reading is allowed", "CONFLICT", 30, "Chat H1234-abcdK567 has ended"),
    412: ("Stale `If-Match` revision", "PRECONDITION_FAILED", 412,
          "Revision 3 of skills is stale; the current revision is 4"),
    413: ("The request body is larger than the limit (1 MB by default)", "REQUEST_ENTITY_TOO_LARGE",
          413, "The request body is larger than 1048576 bytes"),
    415: ("Unsupported request media type", "UNSUPPORTED_MEDIA_TYPE", 415,
          "Unsupported media type"),
}

INFO = """A local, offline mock of LivePerson Conversational Cloud live chat: the Domain, Login
Service, Chat Agent, Server Chat and Account Config APIs, and the sandbox's own endpoints.

Conventions (docs/fidelity.md has every detail):

* **Suffixes**: `<path>.json` and `<path>.xml` are the same resource as `<path>`; `.xml` (or
  `Accept: application/xml`) answers XML with the same data: the JSON wrapper is the root element,
  `@x` keys are attributes, arrays are repeated elements.
* **XML bodies**: a request body may be XML in the same mapping (`Content-Type: application/xml`).
* **PUT as POST**: `POST` with `X-HTTP-Method-Override: PUT` (or `DELETE`) is routed as that method;
  a plain `POST` to a PUT-only resource is 405.
* **`v`, `NC`, `__d`** query parameters are accepted and ignored.
* **One or many**: a repeated element with one item is an object, with several an array.
* **Numbers as strings** where LivePerson's examples have strings (`ringingCount`, `@id`, `maxChats`).
* **Errors**: always `{"error": {"time", "message", "internalCode", "responseStatus"}}`.
* **Links** are absolute, on the scheme and host the request came in on.

Demo credentials: account `12345678`, `demo-agent` / `demo-agent-pass`, `demo-admin` /
`demo-admin-pass`; Server Chat app key `721c180b09eb463d9f3191c41762bb68`."""

TAGS = [
    ("Domain API", "CSDS: every service of every account resolves to this server"),
    ("Login Service API", "User and application login, refresh, logout (service agentVep)"),
    ("Chat Agent API", "The agent's side of live chat (service agentVep)"),
    ("Server Chat API", "The visitor's side of the same chats (service conversationVep)"),
    ("Account Config API", "Skills, users, campaigns and engagements"),
    ("Monitoring API", "App engagement and report calls (service smt); JSON only, own errors"),
    ("App Engagement API", "Visitor sessions from an app (service msdkgw); JSON only, own errors"),
    ("Sentinel (OAuth 2.0)", "Installed applications' tokens (service sentinel); RFC 6749 errors"),
    ("Engagement History API", "Chat transcripts of ended chats (service engHistDomain; msgHist)"),
    ("Operational Realtime API", "Chat contact-center metrics (service leDataReporting)"),
    ("Sandbox control plane", "Sandbox-only endpoints under /_sandbox (not LivePerson APIs)"),
    ("Sandbox pages and files", "The browser pages, their files and this description"),
    ("Sandbox live view (Socket.IO)", "The pages' live view: Socket.IO, outside Flask's routes"),
]


def _path_param(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, **schema}}


def _query_param(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _parameters() -> dict:
    return {
        "accountId": _path_param("accountId", "The account (e.g. 12345678)"),
        "agentSessionId": _path_param("agentSessionId", "From agentSessionLocation's @href"),
        "chatId": _path_param("chatId", "The chat id (chatSessionKey)"),
        "eventId": _path_param("eventId", "The event's @id"),
        "visitId": _path_param("visitId", "From the chat's visit-id link"),
        "serviceName": {**_path_param("serviceName", "A service name (case-sensitive)"),
                        "examples": {name: {"value": name} for name in ("agentVep", "conversationVep")}},
        "skillId": _path_param("skillId", "A skill id"),
        "userId": _path_param("userId", "A user id"),
        "campaignId": _path_param("campaignId", "A campaign id"),
        "engagementId": _path_param("engagementId", "An engagement id"),
        "agentGroupId": _path_param("agentGroupId", "An agent group id (-1: the root, Main Group)"),
        "statusReasonId": _path_param("statusReasonId", "A status reason id"),
        "filename": {**_path_param("filename", "A file under static/"),
                     "examples": {name: {"value": name} for name in ("consumer.html", "js/common.js")}},
        "vendorName": {**_path_param("name", "A whitelisted file of an npm package"),
                       "schema": {"type": "string", "enum": sorted(VENDOR)}},
        "v": _query_param("v", "API version (1, 1.2, 1.3, ...): accepted, ignored"),
        "NC": _query_param("NC", "No-cache flag: accepted, ignored"),
        "version": _query_param("version", "Domain API version (1.0): accepted, ignored"),
        "select": _query_param("select", "Accepted, ignored (every field is sent)"),
        "fields": _query_param("fields", "Accepted, ignored (every field is sent)"),
        "include_deleted": _query_param("include_deleted", "true: list deleted items too",
                                        {"type": "string", "enum": ["true", "false"]}),
        "If-Match": {"name": "If-Match", "in": "header", "required": False,
                     "description": "The revision the write is based on (ETag); stale: 412",
                     "schema": {"type": "string"}},
    }


def _responses() -> dict:
    """One shared response per error status: the envelope, in JSON and XML."""
    responses = {}
    for status, (text, name, code, message) in ERROR_STATUSES.items():
        example = {"error": {"time": "Nov 23, 2026 8:16:27 PM", "message": message,
                             "internalCode": code, "responseStatus": name}}
        responses[f"E{status}"] = {"description": text, "content": {
            "application/json": {"schema": ref("Error"), "example": example},
            "application/xml": {"schema": ref("Error")}}}
    return responses


@lru_cache(maxsize=1)
def description() -> dict:
    """The whole OpenAPI document (built once)."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Conversational Cloud sandbox", "version": VERSION, "description": INFO},
        "servers": [{"url": "/", "description": "This sandbox (any host and port)"}],
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": build_paths(),
        "components": {
            "schemas": COMPONENTS,
            "parameters": _parameters(),
            "responses": {**_responses(), **ERROR_RESPONSES, **CONTROL_RESPONSES},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "The Login Service `bearer` (Chat Agent API, Account "
                                          "Config API, the live view)"},
                "appKeyHeader": {"type": "apiKey", "in": "header", "name": "Authorization",
                                 "description": "Server Chat API: the value "
                                                "`LivePerson appKey=<key>`"},
                "appKeyQuery": {"type": "apiKey", "in": "query", "name": "appKey",
                                "description": "Server Chat API: `?appKey=<key>`"},
                "oauth1": {"type": "http", "scheme": "OAuth",
                           "description": "An API key: an OAuth 1.0a signature (RFC 5849, "
                                          "HMAC-SHA1) in the Authorization header, with the key's "
                                          "app key and secret, access token and secret, over the "
                                          "method and URL as sent (before `.json` comes off and "
                                          "`X-HTTP-Method-Override` applies). The timestamp must "
                                          "be within 600 s; each nonce is good once. Account "
                                          "Config: any key reads, `accountConfigReadWrite` "
                                          "writes"},
            },
        },
    }


class NotAcceptable(SandboxError):
    """XML was asked for where the sandbox offers JSON only."""

    response_status = "NOT_ACCEPTABLE"
    internal_code = 406


bp = Blueprint("openapi", __name__)


PARTS = ("liveperson", "sandbox")  # /openapi.json?part=: the LivePerson APIs, or the sandbox's own


def part_of(document: dict, part: str) -> dict:
    """The description cut to one part: the LivePerson APIs or the sandbox's own routes (tags
    named "Sandbox ..."). /docs shows one part at a time: Swagger UI stops rendering a page
    of more than about 135 expanded operations, and the whole description has more."""
    def sandbox(tag: str) -> bool:
        return tag.startswith("Sandbox")
    wanted = (lambda tag: sandbox(tag)) if part == "sandbox" else (lambda tag: not sandbox(tag))
    paths = {path: item for path, item in document["paths"].items()
             if any(wanted(tag) for op in item.values() if isinstance(op, dict)
                    for tag in op.get("tags", ()))}
    return {**document, "tags": [t for t in document["tags"] if wanted(t["name"])], "paths": paths}


@bp.get("/openapi")  # reached as /openapi.json: the suffix is stripped before routing
def openapi_document():
    """The OpenAPI description, JSON only (an OpenAPI document has no XML form); `?part=`
    liveperson or sandbox gives one half of it (what /docs shows at a time)."""
    if wants_xml():
        raise NotAcceptable("The OpenAPI description is served as JSON only: GET /openapi.json")
    document = description()
    part = request.args.get("part")
    if part is not None:
        if part not in PARTS:
            raise BadRequest(f"part must be one of {', '.join(PARTS)}", 1)
        document = part_of(document, part)
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return Response(body, content_type="application/json")


@bp.get("/docs")
def docs_page():
    """The description in Swagger UI (served from node_modules, no CDN)."""
    return _page("docs.html")
