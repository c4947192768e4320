"""Agent-side client: Domain API, Login Service API and Chat Agent API, as a real bot uses them.

Start from the CSDS URL and an account; every other host comes from the Domain API and the
login's csdsCollectionResponse, and every later URL from the links the server returns. Nothing
here is specific to the sandbox: given LivePerson's own CSDS domain, it talks to LivePerson.
"""
from .csds import DomainLookup
from .login import REFRESH_EVERY, Credentials, LoginSession
from .report import Report, silent
from .responses import (AgentInfo, AgentSessionStatus, Availability, AvailableAgent, AvailableAgents,
                        ChatEvent, ChatInfo, ChatResource, ChatSessionEntry, EventsPage,
                        IncomingRequests, LoginResult, Survey, TransferSkill, Visit, as_list,
                        links_by_rel, survey_answers)
from .transport import (ApiError, ConnectionFailed, EmptyAnswer, LivePersonError, RateLimited,
                        RetryPolicy, Transport, Unauthorized, json_of, json_suffix, last_segment,
                        with_query)

__all__ = ["AgentClient", "AgentSession", "AgentChat", "Credentials", "LoginResult", "ChatEvent",
           "EventsPage", "ChatInfo", "ChatResource", "IncomingRequests", "ChatSessionEntry",
           "Availability", "AgentInfo", "AvailableAgent", "AvailableAgents", "TransferSkill",
           "Survey", "Visit", "AgentSessionStatus", "RetryPolicy", "LivePersonError", "ApiError",
           "Unauthorized", "ConnectionFailed", "RateLimited", "EmptyAnswer", "LTR_PARAGRAPH"]

LTR_PARAGRAPH = "<p dir='ltr' style='direction: ltr; text-align: left;'>{}</p>"
TYPING_STATES = ("typing", "not-typing", "unknown")


class AgentClient:
    """One agent (human or bot): its login and the Chat Agent API calls made with its bearer."""

    def __init__(self, csds_url: str, account: str, verify: bool | str = True,
                 timeout: float = 30.0, report: Report = silent, retry: RetryPolicy | None = None,
                 relogin_on_401: bool = True):
        self.account = account
        self.report = report
        self.transport = Transport(verify, timeout, retry, report)
        self.domains = DomainLookup(csds_url, account, self.transport)
        self.auth = LoginSession(self.domains, self.transport, report)
        self.relogin_on_401 = relogin_on_401

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

    def refresh(self) -> None:
        """Refresh the login once (Unauthorized if it has expired)."""
        self.auth.refresh()

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

    def call(self, method: str, url: str, body=None, *, need_body: bool | None = None, **query):
        """One Chat Agent call: `.json` suffix and `v=1&NC=true` like the sample app; re-login on 401.

        A 401 means the login expired or was lost: log in again with the same credentials
        and repeat the call once. (An agent session belongs to the old login, so a call on it
        may then answer 404; the bot runner opens a new session when that happens.)
        `need_body` (default: for a GET) makes an empty 2xx answer an EmptyAnswer.
        """
        return self.bearer_call(method, with_query(json_suffix(url), **query, v=1, NC="true"), body,
                                need_body=method == "GET" if need_body is None else need_body)

    def bearer_call(self, method: str, url: str, body=None, *, need_body: bool = False):
        """Any bearer-authorised call to `url` as given (other APIs); re-login on 401."""
        bearer = self.auth.bearer
        try:
            return self._send(method, url, body, bearer, need_body)
        except Unauthorized:
            if not self.relogin_on_401 or not self.auth.relogin_after(bearer):
                raise
            return self._send(method, url, body, self.auth.bearer, need_body)

    def _send(self, method: str, url: str, body, bearer: str, need_body: bool):
        headers = {"Authorization": f"Bearer {bearer}"}
        if method in ("PUT", "DELETE"):
            # LivePerson tunnels PUT through POST with this header (documented for availability).
            headers["X-HTTP-Method-Override"] = method
            method = "POST"
        return json_of(self.transport.call(method, url, body, headers, need_body=need_body))

    def start_agent_session(self) -> "AgentSession":
        """POST agentSession on the agentVep host the login named; the body is legacy filler."""
        base = self.domains.url("agentVep")
        body = self.call("POST", f"{base}/api/account/{self.account}/agentSession", {"loginData": ""},
                         need_body=True)
        href = links_by_rel(body.get("agentSessionLocation", {}).get("link")).get("location")
        if not href:
            raise LivePersonError(f"agentSession answer has no location link: {body}")
        self.report("agent_session.started", session=last_segment(href))
        return AgentSession(self, href)

    def session(self, url: str) -> "AgentSession":
        """A handle on an existing agent session of this login, by its URL."""
        return AgentSession(self, url)


class AgentSession:
    """An agent session: availability, agents and slots, ringing chats, accepting and reading chats."""

    def __init__(self, client: AgentClient, url: str):
        self.client = client
        self.url = url
        self.id = last_segment(url)
        self.generation = client.auth.generation  # the login this session belongs to

    def status(self, with_chats: bool = False) -> AgentSessionStatus:
        """The agent session resource; `with_chats` (cs=1) adds its ongoing chats."""
        body = self.client.call("GET", self.url, cs=1 if with_chats else None).get("agentSession") or {}
        availability = body.get("availability") or {}
        return AgentSessionStatus(id=str(body.get("@id", self.id)),
                                  availability=Availability(chat=availability.get("chat", ""),
                                                            voice=availability.get("voice")),
                                  links=links_by_rel(body.get("link")),
                                  chat_sessions=ChatSessionEntry.list_from(body.get("chatSessions")))

    def info(self) -> AgentInfo:
        """The agent's own profile: nickname, login name, id, maxChats, availability, skills."""
        return AgentInfo.from_json(self.client.call("GET", f"{self.url}/info").get("info") or {})

    def availability(self) -> Availability:
        """The agent's current availability."""
        element = self.client.call("GET", f"{self.url}/availability").get("availability") or {}
        return Availability(chat=element.get("chat", ""), voice=element.get("voice"))

    def set_availability(self, chat: str, chat_reason_id: str | None = None) -> Availability:
        """Set chat availability: Online, Away or Occupied (optionally with a reason id)."""
        element = {"chat": chat}
        if chat_reason_id is not None:
            element["chatReasonId"] = chat_reason_id
        body = self.client.call("PUT", f"{self.url}/availability", {"availability": element})
        answer = body.get("availability") or {}
        return Availability(chat=answer.get("chat", chat), voice=answer.get("voice"))

    def available_agents(self, skill: str | None = None, chat_state: str | None = None,
                         voice_state: str | None = None,
                         chat_reason_id: str | None = None) -> AvailableAgents:
        """Every enabled agent of the account (filtered), with the `next` link to poll."""
        body = self.client.call("GET", f"{self.url}/availableAgents", skill=skill,
                                chatState=chat_state, voiceState=voice_state,
                                chatReasonId=chat_reason_id).get("availableAgents") or {}
        agents = [AvailableAgent.from_json(a)
                  for a in as_list((body.get("agents") or {}).get("agent")) if isinstance(a, dict)]
        return AvailableAgents(agents=agents, next_url=links_by_rel(body.get("link")).get("next"))

    def available_slots(self, skill: str | None = None, max_wait_time: int | None = None,
                        agent: str | None = None) -> int:
        """Free chat capacity of Online agents (per skill, or of one agent); -1 is unlimited."""
        body = self.client.call("GET", f"{self.url}/chat/availableSlots", skill=skill,
                                maxWaitTime=max_wait_time, agent=agent)
        return int(body.get("availableSlots", 0))

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
        body = self.client.call("POST", url, {}, need_body=True)
        href = links_by_rel(body.get("chatLocation", {}).get("link")).get("location")
        if not href:
            raise LivePersonError(f"accept answer has no chat location: {body}")
        return AgentChat(self.client, href)

    def chat_sessions(self) -> list[ChatSessionEntry]:
        """The chats this agent is chatting in."""
        return ChatSessionEntry.list_from(self.client.call("GET", f"{self.url}/chatSessions")
                                          .get("chatSessions"))

    def chats_data(self, chat_session_keys: list[str],
                   from_event_ids: list[int] | None = None) -> list[ChatResource]:
        """Several chats in one call; `from_event_ids[i]` limits the events of chat i."""
        body = self.client.call(
            "GET", f"{self.url}/chat", chatSessionKeys=",".join(chat_session_keys),
            fromEventIds=",".join(str(i) for i in from_event_ids) if from_event_ids else None)
        return [ChatResource.from_json({"chat": c})
                for c in as_list((body.get("chats") or {}).get("chat"))]

    def chat(self, url: str) -> "AgentChat":
        """A handle on a chat this agent holds, by its URL."""
        return AgentChat(self.client, url)

    def visit(self, visit_id: str) -> Visit:
        """The visit behind a chat, by visit id (see AgentChat.visit for the linked way)."""
        return Visit.from_json(self.client.call("GET", f"{self.url}/visits/visit/{visit_id}"))


class AgentChat:
    """One chat seen by the agent; remembers where the next events poll starts and its links."""

    def __init__(self, client: AgentClient, url: str):
        self.client = client
        self.url = url
        self.id = last_segment(url)
        self.next_url: str | None = None
        self.links: dict[str, str] = {}  # rels of the chat and of its info, once read

    def _link(self, rel: str, path: str) -> str:
        # Follow the server's link when we have read it; else the documented path.
        return self.links.get(rel) or f"{self.url}/{path}"

    def resource(self, from_event: int | None = None) -> ChatResource:
        """The whole chat; its events' `next` link becomes the poll cursor."""
        resource = ChatResource.from_json(self.client.call("GET", self.url, **{"from": from_event}))
        self.next_url = resource.events.next_url or self.next_url
        self.links.update(resource.links)
        if resource.info:
            self.links.update({k: v for k, v in resource.info.links.items() if k != "self"})
        return resource

    def poll(self) -> EventsPage:
        """Events since the last poll (all events on the first), following the `next` link."""
        url = self.next_url or f"{self._link('events', 'events')}?from=0"
        page = EventsPage.from_json(self.client.call("GET", url).get("events"))
        self.next_url = page.next_url or self.next_url
        return page

    def event(self, event_id: int) -> ChatEvent:
        """One event by id (the location an add-line answer points at)."""
        body = self.client.call("GET", f"{self._link('events', 'events')}/{event_id}")
        return ChatEvent.from_json(body.get("event") or {})

    def _post_event(self, event: dict, wrapper: str) -> int:
        body = self.client.call("POST", self._link("events", "events"), {"event": event}, need_body=True)
        return _event_id(body, wrapper)

    def add_line(self, text: str, text_type: str = "plain", sub_type: str | None = None,
                 quick_replies: dict | None = None) -> int:
        """Say a line (plain, html or, with sub_type ONLY_TO_REP, for agents only); its event id.
        `quick_replies` rides along as the line's `quickReplies` (the sandbox shows them;
        LivePerson documents quick replies for Messaging)."""
        event = {"@type": "line", "text": text, "textType": text_type}
        if sub_type:
            event["subType"] = sub_type
        if quick_replies is not None:
            event["quickReplies"] = quick_replies
        return self._post_event(event, "chatEventLocation")

    def add_html_line(self, text: str, quick_replies: dict | None = None) -> int:
        """Say an html line wrapped the way LivePerson's sample app does (text not escaped)."""
        return self.add_line(LTR_PARAGRAPH.format(text), "html", quick_replies=quick_replies)

    def add_private_line(self, text: str) -> int:
        """A line only agents see (subType ONLY_TO_REP)."""
        return self.add_line(text, "plain", "ONLY_TO_REP")

    def add_rich_content(self, content: dict, text: str | None = None,
                         quick_replies: dict | None = None) -> int:
        """Send structured content (textType rich-content with its `json`); `text` goes with
        it as the line's text (what a client that cannot draw the card shows)."""
        event = {"@type": "line", "textType": "rich-content", "json": content}
        if text:
            event["text"] = text
        if quick_replies is not None:
            event["quickReplies"] = quick_replies
        return self._post_event(event, "chatEventLocation")

    def end(self) -> int:
        """End the chat; the id of the `ended` state event."""
        # The docs' wrapper name for this answer is chatLocation, not chatEventLocation.
        return self._post_event({"@type": "state", "state": "ended"}, "chatLocation")

    def info(self) -> ChatInfo:
        """The chat's info: state, agent, visitor (and persona), typing, timing."""
        info = ChatInfo.from_json(self.client.call("GET", self._link("info", "info")).get("info") or {})
        self.links.update({k: v for k, v in info.links.items() if k != "self"})
        return info

    def visitor_name(self) -> str:
        """The visitor's name ("visitor" until they give one)."""
        body = self.client.call("GET", self._link("visitor-name", "info/visitorName"))
        return str(body.get("visitorName", ""))

    def visitor_typing(self) -> str:
        """Is the visitor typing: typing, not-typing or unknown."""
        body = self.client.call("GET", self._link("visitor-typing", "info/visitorTyping"))
        return str(body.get("visitorTyping", "unknown"))

    def agent_typing(self) -> str:
        """Our own typing state as the server holds it."""
        body = self.client.call("GET", self._link("agent-typing", "info/agentTyping"))
        return str(body.get("agentTyping", "unknown"))

    def set_agent_typing(self, state: str | bool) -> None:
        """Show (True/"typing") or clear (False/"not-typing") the typing indicator to the visitor."""
        value = {True: "typing", False: "not-typing"}.get(state, state) if isinstance(state, bool) else state
        if value not in TYPING_STATES:
            raise ValueError(f"typing state must be one of {TYPING_STATES}, not {state!r}")
        self.client.call("PUT", self._link("agent-typing", "info/agentTyping"), {"agentTyping": value})

    def transfer_skills(self) -> list[TransferSkill]:
        """Skills this chat can go to now (only those with an agent on duty)."""
        element = self.client.call("GET", self._link("transfer", "transfer")).get("transfer") or {}
        return [TransferSkill(id=str(s.get("id", "")), name=str(s.get("name", "")),
                              online_agents=int(s.get("onlineAgents") or 0))
                for s in as_list(element.get("skill")) if isinstance(s, dict)]

    def transfer(self, skill_id: str | None = None, agent_id: str | None = None,
                 text: str | None = None) -> None:
        """Hand the chat to a skill or to one agent (the agent wins if both); `text` is a note
        only the next agent sees. The chat leaves this agent at once."""
        if skill_id is None and agent_id is None:
            raise ValueError("transfer needs a skill_id or an agent_id")
        spec: dict = {}
        if agent_id is not None:
            spec["agent"] = {"id": str(agent_id)}
        if skill_id is not None:
            spec["skill"] = {"id": str(skill_id)}
        if text:
            spec["text"] = text
        self.client.call("POST", self._link("transfer", "transfer"), {"transfer": spec})
        self.client.report("chat.transfer_sent", self.id, skill=skill_id, agent=agent_id)

    def survey(self) -> Survey:
        """The agent survey's structure."""
        return Survey.from_json(self.client.call("GET", self._link("agent-survey", "survey")))

    def submit_survey(self, survey_id: str, answers: dict[str, str | list[str]]) -> None:
        """Answer the agent survey: `{question id: answer or [answers]}`."""
        self.client.call("PUT", self._link("agent-survey", "survey"), survey_answers(survey_id, answers))

    def visit(self) -> Visit:
        """The visit behind this chat (its `visit-id` link): visitor details, pre-chat answers."""
        if "visit-id" not in self.links:
            self.resource()
        return Visit.from_json(self.client.call("GET", self.links["visit-id"]))

    def visit_custom_variables(self) -> dict[str, str]:
        """The visit's custom variables as `{name: value}`."""
        if "visit-id" not in self.links:
            self.resource()
        body = self.client.call("GET", f"{self.links['visit-id']}/customVariables")
        items = as_list((body.get("customVariables") or {}).get("customVariable"))
        return {str(i.get("name")): str(i.get("value")) for i in items if isinstance(i, dict)}


def _event_id(body: dict, wrapper: str) -> int:
    """The event id at the end of a created event's location link (-1 if the server gave none)."""
    element = body.get(wrapper) or body.get("chatEventLocation") or body.get("chatLocation") or {}
    href = links_by_rel(element.get("link")).get("location", "")
    segment = last_segment(href) if href else ""
    return int(segment) if segment.isdigit() else -1
