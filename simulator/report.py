"""One printed line per thing that happens: time, who, chat, what, then key=value details."""
import json
import sys
import threading
from datetime import datetime, timezone
from typing import TextIO


class Reporter:
    """Prints `2024-05-01T10:00:00.123Z bot chat=H12..K34 line.sent text="Hello"` lines."""

    def __init__(self, role: str, stream: TextIO | None = None, lock=None):
        self.role = role
        self.stream = stream
        # Bot and customer may share a terminal (and a lock) when run from one process.
        self.lock = lock or threading.Lock()
        self.lines: list[str] = []  # kept so callers (tests) can read what was printed

    def __call__(self, what: str, chat: str | None = None, **fields) -> None:
        """Print one event line."""
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        parts = [now, self.role, f"chat={chat or '-'}", what]
        parts += [f"{key}={_value(value)}" for key, value in fields.items() if value is not None]
        line = " ".join(parts)
        with self.lock:
            self.lines.append(line)
            stream = self.stream or sys.stdout
            print(line, file=stream, flush=True)


def _value(value) -> str:
    """Bare words stay bare; anything with spaces or quotes is JSON-quoted."""
    text = str(value)
    if text and all(c.isalnum() or c in "-_.:/@" for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)
