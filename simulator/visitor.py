"""The visitor's API: a Server Chat API client (service conversationVep) and one chat seen by it.

"Visitor" is LivePerson's word for this side of a chat (`source: visitor`, `visitorName`, ...);
the scripted person who uses this client is the customer (simulator/customer.py).
"""
import time

from .csds import DomainLookup
from .report import Report, silent
from .responses import ChatInfo, ChatResource, EventsPage, Survey, links_by_rel, survey_answers
from .transport import LivePersonError, RetryPolicy, Transport, json_of, last_segment, with_query

GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68"  # LivePerson's documented global key
KEEPALIVE_EVERY = 30.0  # LivePerson's keep-alive guide: chat info every 30 seconds


class VisitorClient:
    """The Server Chat API of one account, found through CSDS, authorised by an app key."""

    def __init__(self, csds_url: str, account: str, app_key: str = GLOBAL_APP_KEY,
                 verify: bool | str = True, timeout: float = 30.0,
                 retry: RetryPolicy | None = None, report: Report = silent):
        self.account = account
        self.app_key = app_key
        self.transport = Transport(verify, timeout, retry, report)
        self.domains = DomainLookup(csds_url, account, self.transport)

    def call(self, method: str, url: str, body=None):
        """One Server Chat call: `v=1&NC=true`, the LivePerson appKey header; the raw response."""
        headers = {"Authorization": f"LivePerson appKey={self.app_key}"}
        if method == "PUT":
            headers["X-HTTP-Method-Override"] = "PUT"  # the documented PUT emulation
            method = "POST"
        return self.transport.call(method, with_query(url, v=1, NC="true"), body, headers)

    def account_url(self) -> str:
        """`https://{conversationVep}/api/account/{account}`."""
        return f"{self.domains.url('conversationVep')}/api/account/{self.account}"

    def discovery(self) -> dict[str, str]:
        """The account's resource links by rel (chat-request, chat-availability, ...)."""
        body = json_of(self.call("GET", self.account_url()))
        return links_by_rel((body.get("account") or {}).get("link"))

    def availability(self, skill: str | None = None, agent: str | None = None,
                     max_wait_time: int | None = None) -> bool:
        """Is an agent available on `skill` (or is agent `agent` available)?"""
        url = with_query(f"{self.account_url()}/chat/availability", skill=skill, agent=agent,
                         maxWaitTime=max_wait_time)
        return bool(json_of(self.call("GET", url)).get("availability"))

    def available_slots(self, skill: str | None = None, agent: str | None = None,
                        max_wait_time: int | None = None) -> int:
        """Free chat capacity on `skill` (or of one agent); -1 is unlimited."""
        url = with_query(f"{self.account_url()}/chat/availableSlots", skill=skill, agent=agent,
                         maxWaitTime=max_wait_time)
        return int(json_of(self.call("GET", url)).get("availableSlots", 0))

    def estimated_wait_time(self, skill: str | None = None) -> int:
        """Seconds to wait: 0 an agent is free, -1 nobody online, -2 not enough data."""
        url = with_query(f"{self.account_url()}/chat/estimatedWaitTime", skill=skill)
        return int(json_of(self.call("GET", url)).get("estimatedWaitTime", -1))

    def pre_chat_survey(self, skill: str | None = None) -> Survey:
        """The pre-chat survey (answer it in request_chat's `survey`)."""
        url = with_query(f"{self.account_url()}/chat/preSurvey", skill=skill)
        return Survey.from_json(json_of(self.call("GET", url)))

    def offline_survey(self, skill: str | None = None) -> Survey:
        """The offline survey (for when nobody is available)."""
        url = with_query(f"{self.account_url()}/chat/offlineSurvey", skill=skill)
        return Survey.from_json(json_of(self.call("GET", url)))

    def submit_offline_survey(self, survey_id: str, answers: dict) -> None:
        """Leave an offline message: `{question id: answer}`."""
        self.call("PUT", f"{self.account_url()}/chat/offlineSurvey", survey_answers(survey_id, answers))

    def request_chat(self, skill: str | None = None, engagement_id: str | None = None,
                     **fields) -> "VisitorChat":
        """Ask for a chat by skill (name or id) and/or engagement; the chat URI comes in Location."""
        request = {k: v for k, v in fields.items() if v is not None}
        if skill is not None:
            request["skill"] = skill
        if engagement_id is not None:
            request["engagementId"] = engagement_id
        response = self.call("POST", f"{self.account_url()}/chat/request", {"request": request})
        location = response.headers.get("Location")
        if not location:
            raise LivePersonError(f"chat request answered {response.status_code} without a Location")
        return VisitorChat(self, location)

    def close(self) -> None:
        """Drop pooled connections."""
        self.transport.close()


class VisitorChat:
    """One chat seen by the visitor; remembers where the next events poll starts."""

    def __init__(self, client: VisitorClient, url: str):
        self.client = client
        self.url = url
        self.id = last_segment(url)
        self.next_url: str | None = None
        self.last_info = 0.0  # monotonic time of the last info call (the keep-alive)

    def poll(self) -> EventsPage:
        """Events since the last poll (all on the first), following the `next` link."""
        url = self.next_url or f"{self.url}/events?from=0"
        page = EventsPage.from_json(json_of(self.client.call("GET", url)).get("events"))
        self.next_url = page.next_url or self.next_url
        return page

    def _post_event(self, event: dict) -> int:
        response = self.client.call("POST", f"{self.url}/events", {"event": event})
        segment = last_segment(response.headers.get("Location", ""))
        return int(segment) if segment.isdigit() else -1

    def add_line(self, text: str) -> int:
        """Say a line (the visitor's text is never rendered as html); the new event's id."""
        return self._post_event({"@type": "line", "text": text})

    def end(self) -> int:
        """Close the chat from the visitor's side; the `ended` event's id."""
        return self._post_event({"@type": "state", "state": "ended"})

    def info(self) -> ChatInfo:
        """The chat's info; LivePerson suggests calling it every 30 s as a keep-alive."""
        self.last_info = time.monotonic()
        return ChatInfo.from_json(json_of(self.client.call("GET", f"{self.url}/info")).get("info") or {})

    def keep_alive(self, every: float = KEEPALIVE_EVERY) -> ChatInfo | None:
        """Call info if `every` seconds passed since the last call; the info when called."""
        return self.info() if time.monotonic() - self.last_info >= every else None

    def resource(self) -> ChatResource:
        """The whole chat resource."""
        return ChatResource.from_json(json_of(self.client.call("GET", self.url)))

    def set_name(self, name: str) -> None:
        """Tell the agent our name (later lines carry it in `by`)."""
        self.client.call("PUT", f"{self.url}/info/visitorName", {"visitorName": name})

    def name(self) -> str:
        """Our name as the chat shows it ("You" until set)."""
        return str(json_of(self.client.call("GET", f"{self.url}/info/visitorName")).get("visitorName", ""))

    def set_typing(self, typing: bool) -> None:
        """Show or clear our typing indicator to the agent."""
        self.client.call("PUT", f"{self.url}/info/visitorTyping",
                         {"visitorTyping": "typing" if typing else "not-typing"})

    def agent_typing(self) -> str:
        """Is the agent typing: typing, not-typing or unknown."""
        body = json_of(self.client.call("GET", f"{self.url}/info/agentTyping"))
        return str(body.get("agentTyping", "unknown"))

    def exit_survey(self) -> Survey:
        """The exit survey (CSAT) to show once the chat is over."""
        return Survey.from_json(json_of(self.client.call("GET", f"{self.url}/exitSurvey")))

    def submit_exit_survey(self, survey_id: str, answers: dict) -> None:
        """Answer the exit survey: `{question id: answer or [answers]}`."""
        self.client.call("PUT", f"{self.url}/exitSurvey", survey_answers(survey_id, answers))

    def request_transcript(self, email: str, subject: str | None = None) -> None:
        """Ask for the transcript by e-mail (with a subject: the ...WithSubject resource)."""
        if subject is None:
            self.client.call("PUT", f"{self.url}/transcriptRequest", {"email": email})
        else:
            self.client.call("PUT", f"{self.url}/transcriptWithSubjectRequest",
                             {"email": email, "subject": subject})
