"""Agent-side client: Domain API, Login Service API and Chat Agent API, as a real bot uses them.

Start from the CSDS URL and an account; every other host comes from the Domain API and the
login's csdsCollectionResponse, and every later URL from the links the server returns.
"""
from .csds import DomainLookup
from .login import REFRESH_EVERY, Credentials, LoginSession, Report, silent
from .models import (Availability, ChatEvent, ChatInfo, ChatResource, ChatSessionEntry, EventsPage,
                     IncomingRequests, LoginResult, as_list, links_by_rel)
from .wire import (ApiError, ConnectionFailed, LivePersonError, Transport, Unauthorized, json_of,
                   json_suffix, last_segment, with_query)

__all__ = ["AgentClient", "AgentSession", "AgentChat", "Credentials", "LoginResult", "ChatEvent",
           "EventsPage", "ChatInfo", "ChatResource", "IncomingRequests", "ChatSessionEntry",
           "Availability", "LivePersonError", "ApiError", "Unauthorized", "ConnectionFailed"]

LTR_PARAGRAPH = "<p dir='ltr' style='direction: ltr; text-align: left;'>{}</p>"


class AgentClient:
    """One agent (human or bot): its login and the Chat Agent API calls made with its bearer."""

    def __init__(self, csds_url: str, account: str, verify: bool | str = True,
                 timeout: float = 30.0, report: Report = silent):
        self.account = account
        self.transport = Transport(verify, timeout)
        self.domains = DomainLookup(csds_url, account, self.transport)
        self.auth = LoginSession(self.domains, self.transport, report)
        self.report = report

    # --- Login Service API ------------------------------------------------------------

    @property
    def bearer(self) -> str:
        """The bearer of the current login."""
        return self.auth.bearer

    def login(self, credentials: Credentials) -> LoginResult:
        """Find the login host through CSDS and log in (user or application login)."""
        return self.auth.login(credentials)

    def login_user(self, username: str, password: str) -> LoginResult:
        """User login with a password."""
        return self.login(Credentials(username, password=password))

    def login_app(self, username: str, app_key: str, secret: str | None = None,
                  access_token: str | None = None,
                  access_token_secret: str | None = None) -> LoginResult:
        """Application login with an API key set (a bot user whose login method is app key)."""
        return self.login(Credentials(username, app_key=app_key, secret=secret,
                                      access_token=access_token,
                                      access_token_secret=access_token_secret))

    def start_keepalive(self, interval: float = REFRESH_EVERY) -> None:
        """Refresh the login every `interval` seconds (re-login if it expired)."""
        self.auth.start_keepalive(interval)

    def logout(self) -> None:
        """Log out (also stops the keep-alive timer)."""
        self.auth.logout()

    def close(self) -> None:
        """Stop the timer and drop pooled connections (does not log out)."""
        self.auth.stop_keepalive()
        self.transport.close()

    # --- Chat Agent API ---------------------------------------------------------------

    def call(self, method: str, url: str, body=None) -> dict:
        """One Chat Agent call: `.json` suffix and `v=1&NC=true` like the sample app, bearer auth."""
        headers = {"Authorization": f"Bearer {self.auth.bearer}"}
        if method in ("PUT", "DELETE"):
            # LivePerson tunnels PUT through POST with this header (documented for availability).
            headers["X-HTTP-Method-Override"] = method
            method = "POST"
        url = with_query(json_suffix(url), v=1, NC="true")
        return json_of(self.transport.call(method, url, body, headers))

    def start_agent_session(self) -> "AgentSession":
        """POST agentSession on the agentVep host the login named; the body is legacy filler."""
        base = self.domains.url("agentVep")
        body = self.call("POST", f"{base}/api/account/{self.account}/agentSession", {"loginData": ""})
        href = links_by_rel(body.get("agentSessionLocation", {}).get("link")).get("location")
        if not href:
            raise LivePersonError(f"agentSession answer has no location link: {body}")
        self.report("agent_session.started", session=last_segment(href))
        return AgentSession(self, href)


class AgentSession:
    """An agent session: availability, ringing chats, accepting and reading chats."""

    def __init__(self, client: AgentClient, url: str):
        self.client = client
        self.url = url
        self.id = last_segment(url)
        self.generation = client.auth.generation  # the login this session belongs to

    def availability(self) -> Availability:
        """The agent's current availability."""
        element = self.client.call("GET", f"{self.url}/availability").get("availability") or {}
        return Availability(chat=element.get("chat", ""), voice=element.get("voice"))

    def set_availability(self, chat: str) -> Availability:
        """Set chat availability: Online, Away or Occupied."""
        body = self.client.call("PUT", f"{self.url}/availability", {"availability": {"chat": chat}})
        element = body.get("availability") or {}
        return Availability(chat=element.get("chat", chat), voice=element.get("voice"))

    def incoming_requests(self) -> IncomingRequests:
        """How many chats ring here; the accept link appears only while some do."""
        element = self.client.call("GET", f"{self.url}/incomingRequests").get("incomingRequests") or {}
        link = element.get("link")
        href = link.get("@href", link.get("href")) if isinstance(link, dict) else None
        count = int(element.get("ringingCount") or 0)  # a string on the wire
        return IncomingRequests(ringing_count=count, accept_url=href)

    def accept(self, accept_url: str | None = None) -> "AgentChat":
        """Accept the next ringing chat (201 with its location)."""
        url = accept_url or f"{self.url}/incomingRequests"
        body = self.client.call("POST", url, {})
        href = links_by_rel(body.get("chatLocation", {}).get("link")).get("location")
        if not href:
            raise LivePersonError(f"accept answer has no chat location: {body}")
        return AgentChat(self.client, href)

    def chat_sessions(self) -> list[ChatSessionEntry]:
        """The chats this agent is chatting in."""
        element = self.client.call("GET", f"{self.url}/chatSessions").get("chatSessions") or {}
        out = []
        for item in as_list(element.get("chatSession")):
            href = next(iter(links_by_rel(item.get("link")).values()), "")
            start = item.get("startTime")
            out.append(ChatSessionEntry(url=href, chat_session_key=str(item.get("chatSessionKey", "")),
                                        start_time_ms=int(start) if start is not None else None))
        return out

    def chat(self, url: str) -> "AgentChat":
        """A handle on a chat this agent holds, by its URL."""
        return AgentChat(self.client, url)


class AgentChat:
    """One chat seen by the agent; remembers where the next events poll starts."""

    def __init__(self, client: AgentClient, url: str):
        self.client = client
        self.url = url
        self.id = last_segment(url)
        self.next_url: str | None = None

    def resource(self) -> ChatResource:
        """The whole chat; its events' `next` link becomes the poll cursor."""
        resource = ChatResource.from_json(self.client.call("GET", self.url))
        self.next_url = resource.events.next_url or self.next_url
        return resource

    def poll(self) -> EventsPage:
        """Events since the last poll (all events on the first), following the `next` link."""
        url = self.next_url or f"{self.url}/events?from=0"
        page = EventsPage.from_json(self.client.call("GET", url).get("events"))
        self.next_url = page.next_url or self.next_url
        return page

    def add_line(self, text: str, text_type: str = "plain", sub_type: str | None = None) -> int:
        """Say a line (plain, html or, with sub_type ONLY_TO_REP, for agents only); its event id."""
        event = {"@type": "line", "text": text, "textType": text_type}
        if sub_type:
            event["subType"] = sub_type
        body = self.client.call("POST", f"{self.url}/events", {"event": event})
        return _event_id(body, "chatEventLocation")

    def add_html_line(self, text: str) -> int:
        """Say an html line wrapped the way LivePerson's sample app does (text not escaped)."""
        return self.add_line(LTR_PARAGRAPH.format(text), "html")

    def end(self) -> int:
        """End the chat; the id of the `ended` state event."""
        ended = {"event": {"@type": "state", "state": "ended"}}
        body = self.client.call("POST", f"{self.url}/events", ended)
        return _event_id(body, "chatLocation")  # the docs' wrapper name for this answer

    def info(self) -> ChatInfo:
        """The chat's info: state, agent, visitor, typing, timing."""
        return ChatInfo.from_json(self.client.call("GET", f"{self.url}/info").get("info") or {})


def _event_id(body: dict, wrapper: str) -> int:
    """The event id at the end of a created event's location link (-1 if the server gave none)."""
    element = body.get(wrapper) or body.get("chatEventLocation") or body.get("chatLocation") or {}
    href = links_by_rel(element.get("link")).get("location", "")
    segment = last_segment(href) if href else ""
    return int(segment) if segment.isdigit() else -1
