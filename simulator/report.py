"""The simulator's one event reporter: one structured log line per thing that happens.

Every line is time, who (role), chat, what, then key=value details: text (logfmt-like, the
default) or JSON lines (`fmt="json"`), one event per line either way. A `Report` is anything
called like a Reporter (`silent` says nothing). `report_event` is how every client (bot, customer,
check) reports a chat event it read, and `verdict_line` how every pass/fail report prints a step.
"""
import json
import sys
import threading
from datetime import datetime, timezone
from typing import Callable, TextIO

from .responses import ChatEvent

FORMATS = ("text", "json")

Report = Callable[..., None]  # report(what, chat=None, **fields)


def silent(what: str, chat: str | None = None, **fields) -> None:
    """The default reporter: say nothing."""


class Reporter:
    """Prints `2024-05-01T10:00:00.123Z bot chat=H12..K34 line.sent text="Hello"` lines."""

    def __init__(self, role: str, stream: TextIO | None = None, lock=None, fmt: str = "text"):
        if fmt not in FORMATS:
            raise ValueError(f"log format must be one of {FORMATS}")
        self.role = role
        self.stream = stream
        self.fmt = fmt
        # Bot and customer may share a terminal (and a lock) when run from one process.
        self.lock = lock or threading.Lock()
        self.lines: list[str] = []  # kept so callers (tests) can read what was printed

    def __call__(self, what: str, chat: str | None = None, **fields) -> None:
        """Print one event line."""
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        details = {key: value for key, value in fields.items() if value is not None}
        if self.fmt == "json":
            line = json.dumps({"time": now, "role": self.role, "chat": chat, "event": what,
                               **{k: _jsonable(v) for k, v in details.items()}}, ensure_ascii=False)
        else:
            parts = [now, self.role, f"chat={chat or '-'}", what]
            parts += [f"{key}={_value(value)}" for key, value in details.items()]
            line = " ".join(parts)
        with self.lock:
            self.lines.append(line)
            stream = self.stream or sys.stdout
            stream.write(line + "\n")  # one write: reporters of other threads cannot split it
            stream.flush()


def _value(value) -> str:
    """Bare words stay bare; anything with spaces or quotes is JSON-quoted."""
    text = str(value)
    if text and all(c.isalnum() or c in "-_.:/@" for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def report_event(report: Report, chat: str | None, event: ChatEvent) -> None:
    """One chat event read from either API: a line as `line.<source>` (id, by, the text as a
    reader sees it, systemMessageId), anything else by its type (id, state)."""
    if event.is_line:
        report(f"line.{event.source}", chat, id=event.id, by=event.by, text=event.plain_text,
               systemMessageId=event.system_message_id)
    else:
        report(event.type or "event", chat, id=event.id, state=event.state)


def verdict_line(mark: str, number: int, title: str, detail: str = "") -> str:
    """One step of a pass/fail report: `PASS 3. what the step is: what was seen`."""
    return f"{mark} {number}. {title}" + (f": {detail}" if detail else "")
