"""A weather bot for LivePerson live chat, on the public Chat Agent API with `requests` only.

Domain API (agentVep) -> Login Service user login -> agent session -> Online -> poll
incomingRequests and accept -> poll each chat's events -> answer. Retries follow LivePerson's
"Retry and KeepAlive best practices": no 4xx is retried (a 401 logs in again, a 404 on the agent
session opens a new one), 5xx are retried after pauses, a 429 after its Retry-After, and a call
that got no answer is repeated only when repeating it is harmless (GET, PUT).
"""
import logging
import re
import threading
from dataclasses import dataclass
from typing import Callable

import requests

log = logging.getLogger("weather_bot")

GREETING = 'Hi! I\'m the weather bot. Ask me "weather in <city>", or ask for a person at any time.'
NOT_UNDERSTOOD = 'Sorry, I didn\'t get that. Try "weather in Paris", or ask for a person.'
HANDOFF = "I'm connecting you with one of our team now; they will see our conversation."
UNAVAILABLE = ("I'm sorry, nobody from our team is available right now. "
               "I'm still here for weather questions.")
GOODBYE = "Goodbye, and enjoy the weather!"
SKIES = ("sunny", "partly cloudy", "light rain", "windy", "snow showers")

BYE = re.compile(r"\b(bye|goodbye)\b", re.I)
PERSON = re.compile(r"\b(agent|human|person|someone|representative)\b", re.I)
WEATHER = re.compile(r"\bweather\s+in\s+(?P<city>[^\W\d_][\w .'-]*?)\s*[?.!]*$", re.I)
SAFE = ("GET", "PUT")  # repeating them changes nothing: retried when no answer came


@dataclass
class Settings:
    """Where the bot logs in and how it paces itself."""

    domain: str  # the CSDS domain, e.g. api.liveperson.net
    account: str
    username: str
    password: str
    human_skill: str = "support-human"  # where escalations go (skill name or id)
    scheme: str = "https"
    poll: float = 2.0  # seconds between polling rounds
    timeout: float = 30.0  # seconds one HTTP call may take
    retry_pauses: tuple[float, ...] = (5.0, 10.0, 15.0)  # before each retry of a failed call
    rate_limit_floor: float = 1.0  # a 429 waits at least this long ...
    login_rate_limit_floor: float = 5.0  # ... and a throttled login this long
    rate_limit_retries: int = 3
    recovery_pause: float = 120.0  # after a round failed despite the retries
    verify: bool | str = True
    pause: Callable[[float], object] | None = None  # how retry pauses are waited (default: sleep)


class ApiError(Exception):
    """A call that failed for good: its status (None: no usable answer) and message."""

    def __init__(self, method: str, url: str, status: int | None, message: str):
        super().__init__(f"{method} {url} -> {status or 'no answer'}: {message}")
        self.status = status


class SessionLost(Exception):
    """The agent session is gone (ended, or kicked by a login elsewhere)."""


@dataclass
class Chat:
    """One accepted chat: where it is, what was read, how the bot is doing in it."""

    id: str
    url: str
    next_url: str | None = None
    last_event: int = -1
    misunderstood: int = 0


def href(element: dict, rel: str | None = None) -> str | None:
    """The @href of a `link` element (an object or a list) with this rel (any if None)."""
    links = element.get("link") if isinstance(element, dict) else None
    for link in links if isinstance(links, list) else [links]:
        if isinstance(link, dict) and rel in (None, link.get("@rel")):
            return link.get("@href")
    return None


def as_list(value) -> list:
    """LivePerson sends one item as an object and several as a list."""
    return [] if value is None else value if isinstance(value, list) else [value]


def forecast(city: str) -> tuple[str, int]:
    """A canned forecast (sky, high in °C), the same for a city every time."""
    n = sum(map(ord, city.lower()))
    return SKIES[n % len(SKIES)], 5 + n % 25


def weather_card(city: str, sky: str, high: int) -> dict:
    """The forecast as structured content (json-pollock's vertical card)."""
    person = {"actions": [{"type": "publishText", "text": "I want a person"}]}
    return {"type": "vertical", "elements": [
        {"type": "text", "text": f"Weather in {city}", "style": {"bold": True, "size": "large"}},
        {"type": "text", "text": f"Today: {sky}, high of {high} °C"},
        {"type": "button", "title": "Talk to a person", "click": person}]}


class LivePersonApi:
    """The Domain, Login Service and Chat Agent calls of one bot user, with the retry rules."""

    def __init__(self, settings: Settings, pause: Callable[[float], object]):
        self.s = settings
        self.pause = pause
        self.http = requests.Session()
        self.account_url: str | None = None  # the account on the agentVep host
        self.bearer: str | None = None
        self.csrf: str | None = None

    def login(self) -> None:
        """Find agentVep through the Domain API and log in with the user's password."""
        s = self.s
        if self.account_url is None:
            found = self.request("GET", f"{s.scheme}://{s.domain}/api/account/{s.account}/service/"
                                        "agentVep/baseURI.json?version=1.0", auth=False)
            self.account_url = f"{s.scheme}://{found['baseURI']}/api/account/{s.account}"
        body = self.request("POST", f"{self.account_url}/login?v=1.3", auth=False,
                            body={"username": s.username, "password": s.password})
        self.bearer, self.csrf = body["bearer"], body.get("csrf")
        log.info("logged in as %s", s.username)

    def logout(self) -> None:
        """End the login (its agent session goes with it)."""
        if self.bearer:
            self.bearer = None
            self.request("POST", f"{self.account_url}/logout", {"csrf": self.csrf}, auth=False)

    def call(self, method: str, url: str, body=None) -> dict:
        """One Chat Agent API call (v=1&NC=true, JSON)."""
        return self.request(method, url, body, params={"v": "1", "NC": "true"})

    def request(self, method: str, url: str, body=None, *, auth: bool = True,
                params: dict | None = None) -> dict:
        """Send one call; retry as LivePerson advises; the JSON answer ({} if none)."""
        failures = throttled = 0
        relogged = not auth
        while True:
            headers = {"Accept": "application/json", "Content-Type": "application/json"}
            if auth:
                headers["Authorization"] = f"Bearer {self.bearer}"
            if method == "PUT":
                headers["X-HTTP-Method-Override"] = "PUT"  # LivePerson tunnels PUT through POST
            try:
                answer = self.http.request("POST" if method == "PUT" else method, url, params=params,
                                           json=body, headers=headers, timeout=self.s.timeout,
                                           verify=self.s.verify)
            except requests.RequestException as exc:
                answer, problem = None, str(exc)
            status = answer.status_code if answer is not None else None
            if status is not None and status < 300:
                if answer.content.strip():
                    return answer.json()
                if method != "GET":
                    return {}
                status, problem = None, "an empty answer"
            if status == 401 and not relogged:
                relogged = True  # the login expired or was lost: log in again, try once more
                self.login()
                continue
            if status == 429 and throttled < self.s.rate_limit_retries:
                throttled += 1
                floor = self.s.login_rate_limit_floor if "/login" in url else self.s.rate_limit_floor
                self.pause(max(_retry_after(answer), floor))
                continue
            retry = status >= 500 if status is not None else method in SAFE
            if retry and failures < len(self.s.retry_pauses):
                self.pause(self.s.retry_pauses[failures])
                failures += 1
                continue
            message = problem if status is None else _message(answer)
            raise ApiError(method, url, status, message)


def _retry_after(answer: requests.Response) -> float:
    """The Retry-After header in seconds (0 if absent or not a number)."""
    try:
        return float(answer.headers.get("Retry-After", 0))
    except ValueError:
        return 0.0


def _message(answer: requests.Response) -> str:
    """The message of LivePerson's error envelope, else the start of the body."""
    try:
        return str(answer.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return answer.text[:200] or answer.reason


class WeatherBot:
    """Answers weather questions, hands people to `human_skill`, ends chats on "bye"."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._stop = threading.Event()
        self.api = LivePersonApi(settings, settings.pause or self._stop.wait)
        self.session: str | None = None  # the agent session's URL
        self.chats: dict[str, Chat] = {}
        self.online = threading.Event()

    def run(self) -> None:
        """Serve chats until stop() (or a refused login); then log out."""
        while not self._stop.is_set():
            failed = True
            try:
                if self.session is None:
                    self.start_session()
                self.tick()
                failed = False
            except SessionLost:
                log.warning("agent session lost: opening a new one")
                self.session, failed = None, False
            except ApiError as exc:
                if not self.online.is_set() and exc.status and 400 <= exc.status < 500 and exc.status != 429:
                    log.error("cannot start, not trying again: %s", exc)  # e.g. a wrong password
                    break
                log.warning("round failed: %s", exc)
            except Exception:  # an answer of an unexpected shape: this round only
                log.exception("round failed")
            if failed:
                self.api.pause(self.settings.recovery_pause)
            self._stop.wait(self.settings.poll)
        try:
            self.api.logout()
        except ApiError as exc:
            log.warning("logout failed: %s", exc)
        self.api.http.close()

    def stop(self) -> None:
        """Ask run() to finish."""
        self._stop.set()

    def start_session(self) -> None:
        """Log in if needed, open an agent session, go Online."""
        if self.api.bearer is None:
            self.api.login()
        body = self.api.call("POST", f"{self.api.account_url}/agentSession", {"loginData": ""})
        self.session = href(body["agentSessionLocation"], "location")
        try:
            self.api.call("PUT", f"{self.session}/availability", {"availability": {"chat": "Online"}})
        except ApiError:
            self.session = None  # not Online: start again next round
            raise
        log.info("Online in agent session %s", self.session)
        self.online.set()

    def on_session(self, method: str, url: str, body=None) -> dict:
        """A call on the agent session; a 404 means the session is gone."""
        try:
            return self.api.call(method, url, body)
        except ApiError as exc:
            if exc.status == 404:
                raise SessionLost(str(exc)) from exc
            raise

    def tick(self) -> None:
        """One round: accept what rings, then read every chat once."""
        ring = self.on_session("GET", f"{self.session}/incomingRequests").get("incomingRequests", {})
        for _ in range(int(ring.get("ringingCount") or 0)):
            self.accept(href(ring) or f"{self.session}/incomingRequests")
        for chat in list(self.chats.values()):
            self.read(chat)

    def accept(self, url: str) -> None:
        """Take the next ringing chat; greet it unless it is ours coming back."""
        try:
            body = self.api.call("POST", url, {})
        except ApiError as exc:
            if exc.status == 404:
                return  # it stopped ringing here before we took it
            raise
        url = href(body["chatLocation"], "location")
        chat_id = url.rstrip("/").rsplit("/", 1)[-1]
        if chat_id in self.chats:  # back after a lost session: same memory, new address
            self.chats[chat_id].url, self.chats[chat_id].next_url = url, None
            return
        chat = self.chats[chat_id] = Chat(chat_id, url)
        log.info("accepted chat %s", chat_id)
        self.say(chat, GREETING)

    def read(self, chat: Chat) -> None:
        """Poll the chat's events from where we stopped; answer what the visitor said."""
        url = chat.next_url or f"{chat.url}/events?from={chat.last_event + 1}"
        try:
            events = self.api.call("GET", url).get("events") or {}
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
            self.on_session("GET", f"{self.session}/availability")  # SessionLost if it is gone
            self.chats.pop(chat.id, None)  # else the chat is: it left us
            return
        chat.next_url = href(events, "next") or chat.next_url
        for event in as_list(events.get("event")):
            number = int(event.get("@id", -1))
            if number <= chat.last_event:
                continue
            chat.last_event = number
            if event.get("@type") == "state" and event.get("state") == "ended":
                log.info("chat %s ended", chat.id)
                self.chats.pop(chat.id, None)
                return
            if event.get("@type") == "line" and event.get("source") == "visitor":
                self.answer(chat, (event.get("text") or "").strip())
                if chat.id not in self.chats:
                    return

    def answer(self, chat: Chat, text: str) -> None:
        """React to one visitor line."""
        if BYE.search(text):
            self.say(chat, GOODBYE)
            self.end(chat)
        elif PERSON.search(text):
            self.escalate(chat, f'The customer asked for a person: "{text}"')
        elif match := WEATHER.search(text):
            chat.misunderstood = 0
            self.send_forecast(chat, match["city"].strip().title())
        else:
            chat.misunderstood += 1
            if chat.misunderstood >= 2:
                self.escalate(chat, f'The bot did not understand the customer twice; last: "{text}"')
            else:
                self.say(chat, NOT_UNDERSTOOD)

    def send_forecast(self, chat: Chat, city: str) -> None:
        """The forecast as a card, with its text for clients that cannot draw cards."""
        sky, high = forecast(city)
        text = f"Weather in {city} today: {sky}, high of {high} °C."
        try:
            self.post_event(chat, {"@type": "line", "textType": "rich-content", "text": text,
                                   "json": weather_card(city, sky, high)})
        except ApiError as exc:
            if exc.status != 400:
                raise
            self.say(chat, text)  # the card was refused: the text alone

    def escalate(self, chat: Chat, reason: str) -> None:
        """Hand the chat to the human skill with a note; if nobody is there, say so."""
        chat.misunderstood = 0
        skills = as_list(self.api.call("GET", f"{chat.url}/transfer").get("transfer", {}).get("skill"))
        wanted = self.settings.human_skill
        skill = next((s for s in skills if wanted in (str(s.get("id")), s.get("name"))), None)
        if skill is not None:
            self.say(chat, HANDOFF)
            self.say(chat, f"Weather bot handoff. {reason}", agent_only=True)
            try:
                self.api.call("POST", f"{chat.url}/transfer",
                              {"transfer": {"skill": {"id": str(skill["id"])}, "text": reason}})
                log.info("chat %s transferred to %s", chat.id, wanted)
                self.chats.pop(chat.id, None)
                return
            except ApiError as exc:
                if exc.status != 400:  # 400: refused, e.g. the last agent just left
                    raise
        self.say(chat, UNAVAILABLE)

    def say(self, chat: Chat, text: str, agent_only: bool = False) -> None:
        """A plain line to the visitor (or, agent_only, a note only agents see)."""
        event = {"@type": "line", "textType": "plain", "text": text}
        if agent_only:
            event["subType"] = "ONLY_TO_REP"
        self.post_event(chat, event)

    def end(self, chat: Chat) -> None:
        """Close the chat."""
        self.post_event(chat, {"@type": "state", "state": "ended"})
        self.chats.pop(chat.id, None)

    def post_event(self, chat: Chat, event: dict) -> None:
        """Add an event to the chat."""
        self.api.call("POST", f"{chat.url}/events", {"event": event})
