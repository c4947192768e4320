"""A chat line as the fixture hands it back, from a wait's match or from a polled event."""
import re
from datetime import datetime

from simulator.responses import ChatEvent

RICH = "rich-content"


class Line(str):
    """One line of a chat. It is its text (a `str`: `"order" in line`, `line == "Hi"`), with
    who said it and when; `rich` is the structured content (None for text lines)."""

    id: int
    text: str
    source: str  # agent, visitor or system
    by: str | None
    time: float  # epoch seconds, by the sandbox clock
    text_type: str
    rich: object

    def __new__(cls, id: int, text: str, source: str, by: str | None, time: float,
                text_type: str = "plain", rich: object = None) -> "Line":
        line = super().__new__(cls, text)
        line.id, line.text, line.source, line.by, line.time = id, text, source, by, time
        line.text_type, line.rich = text_type, rich
        return line

    def __repr__(self) -> str:
        return f"Line(id={self.id}, source={self.source!r}, by={self.by!r}, text={self.text!r})"

    @property
    def plain(self) -> str:
        """The text as a person reads it: an html line without its tags and entities."""
        return ChatEvent(self.id, "line", text=self.text, text_type=self.text_type, json=self.rich).plain_text

    @classmethod
    def from_match(cls, match: dict) -> "Line":
        """From the match of a `line` wait (time in epoch ms)."""
        return cls(id=int(match["id"]), text=match.get("text") or "", source=match.get("source") or "",
                   by=match.get("by"), time=int(match.get("time") or 0) / 1000,
                   text_type=match.get("textType") or "plain",
                   rich=match.get("json") if match.get("textType") == RICH else None)

    @classmethod
    def from_event(cls, event) -> "Line":
        """From a simulator ChatEvent (time as the API's ISO-8601 text)."""
        return cls(id=event.id, text=event.text or "", source=event.source or "", by=event.by,
                   time=_epoch(event.time), text_type=event.text_type or "plain",
                   rich=event.json if event.text_type == RICH else None)


def _epoch(text: str | None) -> float:
    try:
        return datetime.fromisoformat(text).timestamp() if text else 0.0
    except ValueError:
        return 0.0


class ChatSide:
    """One side of a chat in a test: waits for the other side's lines and for the chat's state
    on the control plane (POST /_sandbox/wait), never by sleeping."""

    other = "agent"  # whose lines wait_for_line waits for

    def __init__(self, control, chat_id: str):
        self._control = control
        self.chat_id = chat_id
        self._cursor = -1  # the id of the last line wait_for_line returned

    def wait_for_line(self, pattern: str | None = None, timeout: float = 5, **fields) -> Line:
        """The other side's next line (after the last one returned) whose text matches
        `pattern` (a regex, searched); also `text=` (equal), `contains=`, `rich=True`."""
        if isinstance(pattern, re.Pattern):  # a compiled pattern: its text, with its flags
            flags = "".join(f for f, bit in (("i", re.I), ("s", re.S), ("m", re.M), ("x", re.X))
                            if pattern.flags & bit)
            pattern = f"(?{flags}){pattern.pattern}" if flags else pattern.pattern
        match = self._control.wait("line", timeout, chat=self.chat_id, source=self.other,
                                   pattern=pattern, after=self._cursor, **fields)
        line = Line.from_match(match)
        self._cursor = line.id
        return line

    def wait_for_state(self, state: str, timeout: float = 5) -> str:
        """Wait until the chat is in `state` (waiting, chatting, ended)."""
        return self._control.wait("chat_state", timeout, chat=self.chat_id, state=state)["state"]
