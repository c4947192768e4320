"""The fixture's customer: a real Server Chat API client (simulator/visitor.py) with one chat."""
from simulator.transport import RetryPolicy
from simulator.visitor import GLOBAL_APP_KEY, VisitorClient

from .lines import ChatSide, Line

HTTP_TIMEOUT = 30.0


class Customer(ChatSide):
    """A visitor who asked for a chat (through CSDS, with LivePerson's global appKey)."""

    other = "agent"

    def __init__(self, control, url: str, account: str, verify: bool | str, *,
                 skill: str | None = None, engagement: str | None = None,
                 persona: dict | None = None, app_key: str = GLOBAL_APP_KEY, **request):
        # No retries: a test wants to see the sandbox's answer (or a fault) at once.
        self.client = VisitorClient(url, account, app_key, verify=verify, timeout=HTTP_TIMEOUT,
                                    retry=RetryPolicy.none())
        self.chat = self.client.request_chat(skill, None if engagement is None else str(engagement),
                                             persona=persona, **request)
        super().__init__(control, self.chat.id)
        self._lines: list[Line] = []

    def say(self, text: str) -> int:
        """Say a line; the new event's id."""
        return self.chat.add_line(text)

    def set_name(self, name: str) -> None:
        """Tell the agent our name."""
        self.chat.set_name(name)

    def end(self) -> int:
        """Close the chat from the visitor's side; the `ended` event's id."""
        return self.chat.end()

    @property
    def transcript(self) -> list[Line]:
        """Every line the visitor has seen so far (system, agent and own), polled now."""
        while True:
            page = self.chat.poll()
            self._lines += [Line.from_event(e) for e in page.events if e.is_line]
            if not page.events:
                return list(self._lines)

    @property
    def info(self):
        """The chat's info as the visitor sees it (a simulator ChatInfo)."""
        return self.chat.info()

    def close(self) -> None:
        """Drop pooled connections (the chat stays as it is)."""
        self.client.close()
