"""The monitoring system behind the Monitoring API (service smt) and the App Engagement API
(service msdkgw): monitor sessions (visitorId + sessionId), which engagement a consumer is offered
and whether it is available right now, and what the consumer's app reports (engagement
attributes, impressions).

An engagement is offered when its campaign is published, it is enabled, and someone can take the
chat now: an agent Online on its skill (any Online agent of the account for an engagement without
a skill), the same rule as the Server Chat API's availability. A consumer whose visitor id has a
chat that has not ended gets that chat back instead (status `conversation`).
"""
import ipaddress
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from .accounts import Account, Application, Engagement
from .clock import Clock
from .ids import IdGenerator
from .errors import BadRequest, NotFound

if TYPE_CHECKING:  # queries.py imports nothing of this module: the hint only
    from .queries import Queries

SESSION_TTL = 1800  # seconds a monitor session lives unused
MAX_SESSIONS = 5000  # per sandbox; the oldest are dropped first
VALID_FOR_SECONDS = 900  # App Engagement API: how long an offered engagement stays valid
DEVICE_FAMILIES = ("DESKTOP", "TABLET", "MOBILE")
OPERATING_SYSTEMS = ("WINDOWS", "MAC_OSX", "LINUX", "IOS", "ANDROID")
APP_TYPES = ("MSDK", "EXTERNAL")
IMPRESSIONS = ("impDisplay", "impAccept", "impExpanded", "impTimeout", "impClose")
MAX_ITEMS = 100  # entries of one list in a body (attributes, identities, entry points)
MAX_TEXT = 1024

# internalCode values of the Monitoring API's error table
INVALID_DATA, INVALID_APP, BAD_VERSION, BAD_VISITOR, BAD_SESSION, NO_ACCOUNT = 5, 18, 33, 37, 39, 20


@dataclass
class MonitorSession:
    """The server-side state of one consumer device's visit."""

    account_id: str
    visitor_id: str
    session_id: str
    created: float
    last_seen: float
    app: str = ""  # the app installation id (Monitoring API) or the app type (App Engagement API)
    identities: list = field(default_factory=list)
    client_properties: dict = field(default_factory=dict)
    entry_points: list = field(default_factory=list)
    attributes: list = field(default_factory=list)  # engagement attributes reported, oldest first
    impressions: list = field(default_factory=list)  # impression events reported, oldest first
    exposed: dict = field(default_factory=dict)  # engagement id -> its context id in this session
    page_ids: list = field(default_factory=list)


@dataclass
class Offer:
    """One engagement offered to a session (or the chat the consumer is already in)."""

    engagement: Engagement
    context_id: str
    revision: int
    connector_id: str | None = None
    conversation_id: str | None = None


def check_version(value) -> None:
    """`v` is required and 1.0 is the only version."""
    if value not in ("1.0", "1"):
        raise BadRequest("Illegal Version: v=1.0 is required", BAD_VERSION)


class Monitoring:
    """Every monitor session of a sandbox, and the engagement decisions."""

    def __init__(self, clock: Clock, ids: IdGenerator, query: "Queries"):
        self.clock, self.ids, self.query = clock, ids, query
        self.sessions: dict[tuple[str, str], MonitorSession] = {}  # (account, sessionId)
        self.visitors: set[tuple[str, str]] = set()  # (account, visitorId) ever issued

    # --- sessions -----------------------------------------------------------------------------

    def application(self, account: Account, app_installation_id: str) -> Application:
        """The installed application of this id, or 404 (internalCode 18)."""
        app = account.applications.get(app_installation_id)
        if app is None:
            raise NotFound(f"invalid appInstallationId: {app_installation_id}", INVALID_APP)
        return app

    def find(self, account: Account, visitor_id: str | None, session_id: str | None):
        """The live session of this (visitorId, sessionId) pair, or None."""
        session = self.sessions.get((account.id, session_id or ""))
        now = self.clock.now()
        if session is None or session.visitor_id != visitor_id:
            return None
        if now - session.last_seen > SESSION_TTL:
            del self.sessions[(account.id, session.session_id)]
            return None
        session.last_seen = now
        return session

    def session(self, account: Account, visitor_id: str | None, session_id: str | None,
                app: str) -> tuple[MonitorSession, bool]:
        """The session of a valid pair (False), else a new one (True): the visitor id is kept when
        this account issued it, a new one is made otherwise."""
        found = self.find(account, visitor_id, session_id)
        if found is not None:
            return found, False
        self._prune()
        ids, now = self.ids, self.clock.now()
        if not visitor_id or (account.id, visitor_id) not in self.visitors:
            visitor_id = ids.token(22)
            self.visitors.add((account.id, visitor_id))
        session = MonitorSession(account_id=account.id, visitor_id=visitor_id,
                                 session_id=ids.token(22), created=now, last_seen=now, app=app)
        self.sessions[(account.id, session.session_id)] = session
        return session, True

    def existing(self, account: Account, visitor_id: str, session_id: str | None) -> MonitorSession:
        """A session that must exist (App Engagement API update): 404 37 or 39 otherwise."""
        if (account.id, visitor_id) not in self.visitors:
            raise NotFound(f"invalid visitorId: {visitor_id}", BAD_VISITOR)
        session = self.find(account, visitor_id, session_id)
        if session is None:
            raise NotFound(f"invalid sessionId: {session_id}", BAD_SESSION)
        return session

    def _prune(self) -> None:
        now = self.clock.now()
        for key, session in list(self.sessions.items()):
            if now - session.last_seen > SESSION_TTL:
                del self.sessions[key]
        while len(self.sessions) >= MAX_SESSIONS:
            oldest = min(self.sessions, key=lambda k: self.sessions[k].last_seen)
            del self.sessions[oldest]

    # --- the engagement decision --------------------------------------------------------------

    def available(self, account: Account, engagement: Engagement) -> bool:
        """Can a chat on this engagement start now (someone Online on its skill)?"""
        if engagement.skill_id is not None:
            skill = account.skills.get(engagement.skill_id)
            if skill is None or skill.deleted:
                return False
        return self.query.chat_available(account, engagement.skill_id)

    def eligible(self, account: Account) -> list[Engagement]:
        """Published, enabled engagements of the account, in campaign order."""
        out = []
        for campaign in account.campaigns.values():
            if campaign.deleted or campaign.status != 1:
                continue
            for engagement_id in campaign.engagement_ids:
                engagement = account.engagements.get(engagement_id)
                if engagement is not None and not engagement.deleted and engagement.enabled:
                    out.append(engagement)
        return out

    def offers(self, account: Account, session: MonitorSession,
               conversations: bool = True) -> list[Offer]:
        """What this session is offered: its open chat (with `conversations`), else every
        available engagement."""
        revision = account.revisions.get("campaigns", 1)
        chat = self._open_chat(account, session.visitor_id) if conversations else None
        if chat is not None and chat.engagement_id in account.engagements:
            engagement = account.engagements[chat.engagement_id]
            return [Offer(engagement, self._context(session, engagement), revision,
                          self._connector(account, engagement), conversation_id=chat.id)]
        return [Offer(e, self._context(session, e), revision, self._connector(account, e))
                for e in self.eligible(account) if self.available(account, e)]

    def _open_chat(self, account: Account, visitor_id: str):
        return self.query.open_chat_of(account, visitor_id)

    @staticmethod
    def _context(session: MonitorSession, engagement: Engagement) -> str:
        if engagement.id not in session.exposed:
            session.exposed[engagement.id] = str(len(session.exposed) + 1)
        return session.exposed[engagement.id]

    @staticmethod
    def _connector(account: Account, engagement: Engagement) -> str | None:
        if engagement.authenticated and account.authentication is not None:
            return account.authentication.connector_id
        return None

    def new_page(self, session: MonitorSession, page_id=None) -> str:
        """A page of the session: the given pageId, or a new one."""
        page = _text(page_id, "pageId") if page_id not in (None, "") else self.ids.digits(10)
        if page not in session.page_ids:
            session.page_ids.append(page)
        return page

    # --- what the consumer's app sends ----------------------------------------------------------

    def record(self, session: MonitorSession, body: dict, impressions: list) -> None:
        """Keep what a (validated) engagement or report call says about the consumer."""
        if body.get("identities"):
            session.identities = body["identities"]
        if body.get("clientProperties") or body.get("appDetails"):
            session.client_properties = body.get("clientProperties") or body.get("appDetails")
        for key in ("entryPoints", "consumerSections"):
            for point in body.get(key) or []:
                if point not in session.entry_points:
                    session.entry_points.append(point)
        session.attributes.extend(a for a in body.get("engagementAttributes") or []
                                  if a.get("type") not in IMPRESSIONS)
        now = self.clock.now()
        for event in impressions:
            session.impressions.append({**event, "time": now})

    @staticmethod
    def check_impressions(session: MonitorSession | None, events: list) -> None:
        """Impression events only for an engagement this session was offered (400 otherwise)."""
        for event in events:
            engagement_id = str(event.get("engId", ""))
            if session is None or engagement_id not in session.exposed:
                raise BadRequest(f"engId {engagement_id or '(none)'}: impression events are "
                                 "reported in the session the engagement was offered in",
                                 INVALID_DATA)


# --- body validation ------------------------------------------------------------------------------

def _text(value, name: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadRequest(f"{name} must be a string of at most {MAX_TEXT} characters", INVALID_DATA)
    return value


def _list(body: dict, name: str) -> list:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise BadRequest(f"{name} must be a list of at most {MAX_ITEMS} items", INVALID_DATA)
    return value


def _attributes(body: dict, name: str, impressions_allowed: bool) -> list:
    items = _list(body, name)
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str) or not item["type"]:
            raise BadRequest(f"{name}: every attribute is an object with a 'type'", INVALID_DATA)
        if item["type"] in IMPRESSIONS and not impressions_allowed:
            raise BadRequest(f"{name}: impression events ({item['type']}) are reported with the "
                             "report call", INVALID_DATA)
        if item["type"] in IMPRESSIONS and not isinstance(item.get("engId"), (int, str)):
            raise BadRequest(f"{name}: an impression event needs its engagement's 'engId'",
                             INVALID_DATA)
    return items


def _properties(body: dict, name: str, any_ip: bool) -> None:
    props = body.get(name)
    if props is None:
        return
    if not isinstance(props, dict):
        raise BadRequest(f"{name} must be an object", INVALID_DATA)
    for key, value in props.items():
        if value is not None and not isinstance(value, (str, int, float)):
            raise BadRequest(f"{name}.{key} must be a string", INVALID_DATA)
    if props.get("deviceFamily") is not None and props["deviceFamily"] not in DEVICE_FAMILIES:
        raise BadRequest(f"{name}.deviceFamily must be one of {', '.join(DEVICE_FAMILIES)}",
                         INVALID_DATA)
    if props.get("os") is not None and props["os"] not in OPERATING_SYSTEMS:
        raise BadRequest(f"{name}.os must be one of {', '.join(OPERATING_SYSTEMS)}", INVALID_DATA)
    if props.get("ipAddress") is not None:
        try:
            address = ipaddress.ip_address(_text(props["ipAddress"], f"{name}.ipAddress"))
        except ValueError:
            raise BadRequest(f"{name}.ipAddress must be an IP address", INVALID_DATA) from None
        if not any_ip and address.version != 4:
            raise BadRequest(f"{name}.ipAddress must be an IPv4 address", INVALID_DATA)


def _identities(body: dict) -> None:
    for identity in _list(body, "identities"):
        if (not isinstance(identity, dict) or not isinstance(identity.get("sub"), str)
                or not identity["sub"] or not isinstance(identity.get("acr"), str)):
            raise BadRequest("identities: every identity needs 'sub' and 'acr' strings",
                             INVALID_DATA)
        if identity.get("iss") is not None:
            _text(identity["iss"], "identities.iss")
    if body.get("consumerId") is not None:
        _text(body["consumerId"], "consumerId")


def _strings(body: dict, name: str) -> None:
    for item in _list(body, name):
        _text(item, name)


def engagement_body(body: dict) -> dict:
    """The Monitoring API's engagement call body (every field optional)."""
    _identities(body)
    _properties(body, "clientProperties", any_ip=False)
    _strings(body, "entryPoints")
    _attributes(body, "engagementAttributes", impressions_allowed=False)
    return body


def report_body(body: dict, visitor_id: str | None) -> list:
    """The report call's body; returns its impression events."""
    _identities(body)
    _strings(body, "entryPoints")
    if "engagementAttributes" not in body:
        raise BadRequest("engagementAttributes", INVALID_DATA)
    items = _attributes(body, "engagementAttributes", impressions_allowed=True)
    identified = (body.get("consumerId") or visitor_id
                  or any(i.get("sub") for i in body.get("identities") or []))
    if not identified:
        raise BadRequest("consumerId", INVALID_DATA)  # the docs' own example of this error
    if body.get("pageId") is not None:
        _text(body["pageId"], "pageId")
    return [i for i in items if i["type"] in IMPRESSIONS]


def app_session_body(body: dict) -> dict:
    """The App Engagement API's create-session body: appType is required."""
    if body.get("appType") not in APP_TYPES:
        raise BadRequest(f"appType must be one of {', '.join(APP_TYPES)}", INVALID_DATA)
    _properties(body, "appDetails", any_ip=True)
    _strings(body, "consumerSections")
    _attributes(body, "engagementAttributes", impressions_allowed=False)
    return body


def app_update_body(body: dict) -> list:
    """The App Engagement API's update-session body; returns its impression events."""
    if body.get("pageId") in (None, ""):
        raise BadRequest("pageId is required", INVALID_DATA)
    _text(body["pageId"], "pageId")
    _attributes(body, "engagementAttributes", impressions_allowed=False)
    events = _attributes(body, "impAttributes", impressions_allowed=True)
    for event in events:
        if event["type"] not in IMPRESSIONS:
            raise BadRequest(f"impAttributes: {event['type']} is not an impression event "
                             f"({', '.join(IMPRESSIONS)})", INVALID_DATA)
    return events
