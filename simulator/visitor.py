"""Visitor side: a Server Chat API client (service conversationVep) and a scripted customer."""
import threading
import time
from dataclasses import dataclass, field

from .csds import DomainLookup
from .models import ChatEvent, ChatInfo, ChatResource, EventsPage, Survey, links_by_rel, survey_answers
from .report import Reporter
from .wire import (LivePersonError, Report, RetryPolicy, Transport, json_of, last_segment, silent,
                   with_query)

GLOBAL_APP_KEY = "721c180b09eb463d9f3191c41762bb68"  # LivePerson's documented global key
KEEPALIVE_EVERY = 30.0  # LivePerson's keep-alive guide: chat info every 30 seconds


class ConsumerClient:
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

    def __init__(self, client: ConsumerClient, url: str):
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


DEFAULT_LINES = ["Hi", "I have a question about my order", "It has not arrived yet",
                 "Could you check where it is?", "Thank you", "Bye"]


@dataclass
class CustomerResult:
    """How a scripted chat went."""

    chat_id: str | None = None
    sent: list[str] = field(default_factory=list)
    replies: list[ChatEvent] = field(default_factory=list)  # agent lines, in order
    answered: int = 0  # lines that got an agent line (or, for the last, the agent's end)
    ended_by: str | None = None  # "agent" or "visitor"
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Every line answered and the chat closed cleanly."""
        return self.error is None and self.answered == len(self.sent) and self.ended_by is not None


class ScriptedCustomer:
    """Requests a chat, says its lines one by one, waits for each answer, and sees the chat end."""

    def __init__(self, client: ConsumerClient, lines: list[str], skill: str | None = None,
                 engagement_id: str | None = None, timeout: float = 60.0, poll: float = 1.0,
                 report: Reporter | None = None):
        self.client = client
        self.lines = list(lines)
        self.skill, self.engagement_id = skill, engagement_id
        self.timeout, self.poll = timeout, poll
        self.report = report or Reporter("customer")
        self.chat: VisitorChat | None = None
        self.replies: list[ChatEvent] = []  # agent lines seen, in order
        self.chatting = False  # an agent has joined
        self.ended_by: str | None = None
        self._own: set[int] = set()  # ids of our own lines, not reported again when they echo
        self._stop = threading.Event()

    def stop(self) -> None:
        """Give up waiting (the run ends with an error)."""
        self._stop.set()

    def run(self) -> CustomerResult:
        """Play the script within `timeout` seconds; LivePerson errors end up in the result."""
        result = CustomerResult(replies=self.replies)
        deadline = time.monotonic() + self.timeout
        try:
            self._wait_available(deadline)
            self.chat = self.client.request_chat(self.skill, self.engagement_id)
            result.chat_id = self.chat.id
            self.report("chat.requested", self.chat.id, skill=self.skill,
                        engagement=self.engagement_id, url=self.chat.url)
            self._wait_for(lambda: self.chatting, deadline, "an agent to join")
            for index, text in enumerate(self.lines):
                result.sent.append(text)
                self._say(text, deadline, last=index == len(self.lines) - 1)
                result.answered += 1
            if not self.ended_by:
                self.chat.end()
                self.ended_by = "visitor"
                self.report("chat.ended", self.chat.id, by="visitor")
        except (LivePersonError, TimeoutError) as exc:
            result.error = str(exc)
            self.report("error", result.chat_id, error=str(exc))
            self._abandon()
        result.ended_by = self.ended_by
        self.report("done", result.chat_id, ok=result.ok,
                    answered=f"{result.answered}/{len(self.lines)}", endedBy=result.ended_by)
        return result

    def _abandon(self) -> None:
        """After a failure, close the chat if it is still open, so no agent waits on it."""
        if self.chat is None or self.ended_by:
            return
        try:
            self.chat.end()
            self.report("chat.ended", self.chat.id, by="visitor", reason="abandoned")
        except LivePersonError as exc:
            self.report("error", self.chat.id, stage="end", error=str(exc))

    def _wait_available(self, deadline: float) -> None:
        """Wait until the skill has an agent (a customer only sees the chat button then)."""
        announced = False
        while not self.client.availability(skill=self.skill):
            if not announced:
                self.report("waiting", reason="no agent available yet", skill=self.skill)
                announced = True
            self._pause(deadline, "an available agent")
        self.report("available", skill=self.skill)

    def _say(self, text: str, deadline: float, last: bool) -> None:
        """Send one line and wait for its answer: an agent line, or the agent ending after the last."""
        if self.ended_by:
            raise LivePersonError(f"the chat was ended by the {self.ended_by} before {text!r}")
        sent_id = self.chat.add_line(text)
        self._own.add(sent_id)
        self.report("line.sent", self.chat.id, id=sent_id, text=text)
        before = len(self.replies)
        self._wait_for(lambda: len(self.replies) > before or (last and self.ended_by == "agent"),
                       deadline, f"an answer to {text!r}")

    def _wait_for(self, condition, deadline: float, what: str) -> None:
        """Poll the chat's events until `condition()` holds; TimeoutError at the deadline."""
        while True:
            self._drain()
            if condition():
                return
            if self.ended_by:
                raise LivePersonError(
                    f"the chat was ended by the {self.ended_by} while waiting for {what}")
            self._pause(deadline, what)

    def _pause(self, deadline: float, what: str) -> None:
        """Wait one poll interval, or fail if the deadline passed or stop() was called."""
        if time.monotonic() >= deadline or self._stop.is_set():
            raise TimeoutError(f"gave up waiting for {what}")
        self._stop.wait(min(self.poll, max(deadline - time.monotonic(), 0)))

    def _drain(self) -> None:
        """One poll: report every event, keep agent lines, note the agent joining and the end."""
        for event in self.chat.poll().events:
            if event.id in self._own:
                continue
            if event.is_line:
                self.report(f"line.{event.source}", self.chat.id, id=event.id, by=event.by,
                            text=event.plain_text, systemMessageId=event.system_message_id)
                if event.is_agent_line:
                    self.replies.append(event)
            else:
                self.report(event.type, self.chat.id, id=event.id, state=event.state)
            if event.type == "state" and event.state == "chatting":
                self.chatting = True
            if event.is_ended and not self.ended_by:
                self.ended_by = "agent"
