"""The request journal: every LivePerson API call the sandbox answered, oldest first, bounded."""
import itertools
import json
import re
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from ..model.errors import BadRequest

BODY_CHARS = 4096  # a request body is kept up to this many characters


@dataclass(frozen=True)
class RawBody:
    """A request body as it came (bytes), decoded only when the journal is read."""

    data: bytes
    is_json: bool

    def decoded(self) -> object:
        """JSON when it parses (and was sent as JSON), else the text; the first 4 KB."""
        text = self.data.decode("utf-8", "replace")
        if self.is_json:
            try:
                return json.loads(text)
            except (ValueError, RecursionError):  # hostile nesting: shown as text
                pass
        return text[:BODY_CHARS]


@dataclass(slots=True)
class Entry:
    """One call: what was asked, of which operation, and what it answered."""

    id: int
    time: int  # epoch ms, by the sandbox clock
    method: str
    path: str
    query: str
    api: str | None
    operation: str | None
    account: str | None
    chat: str | None
    status: int | None = None
    ms: float | None = None
    fault: dict | None = None
    body: object = None

    def to_json(self) -> dict:
        """The entry as the control plane shows it."""
        out = asdict(self)
        if isinstance(self.body, RawBody):
            out["body"] = self.body.decoded()
        return out


# Filter name -> how a query-string value becomes the typed value (JSON bodies give types).
def _int(name: str, value) -> int:
    if isinstance(value, bool) or not (isinstance(value, int) or str(value).lstrip("-").isdigit()):
        raise BadRequest(f"Journal filter '{name}' must be an integer", 1)
    return int(value)


def _bool(name: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no"):
        return False
    raise BadRequest(f"Journal filter '{name}' must be true or false", 1)


def _time_ms(name: str, value) -> int:
    """Epoch ms, or an ISO-8601 time (a naive one is UTC)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"Journal filter '{name}' must be epoch ms or an ISO-8601 time", 1) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1000)


def _pattern(name: str, value) -> re.Pattern:
    try:
        return re.compile(str(value))
    except re.error as exc:
        raise BadRequest(f"Journal filter '{name}' is not a valid regular expression: {exc}", 1) from None


def _text(_name: str, value) -> str:
    return str(value)


FILTERS = {"api": _text, "operation": _text, "account": _text, "chat": _text, "method": _text,
           "status": _int, "path": _pattern, "fault": _bool, "since": _time_ms, "after": _int,
           "limit": _int}


@dataclass(frozen=True)
class Filter:
    """Which entries a journal question is about (every field given must hold)."""

    fields: dict

    @classmethod
    def parse(cls, given: dict, extra: tuple[str, ...] = ()) -> "Filter":
        """Typed filters from query parameters or a JSON body; unknown names are refused."""
        unknown = sorted(set(given) - set(FILTERS) - set(extra))
        if unknown:
            raise BadRequest(f"Unknown journal filter(s): {', '.join(unknown)}; known: "
                             f"{', '.join(FILTERS)}", 1)
        fields = {name: FILTERS[name](name, value) for name, value in given.items()
                  if name in FILTERS and value is not None}
        if "method" in fields:
            fields["method"] = fields["method"].upper()
        return cls(fields)

    def matches(self, entry: Entry) -> bool:
        """Does `entry` satisfy every field of this filter (limit aside)?"""
        f = self.fields
        for name in ("api", "operation", "account", "chat", "method", "status"):
            if name in f and getattr(entry, name) != f[name]:
                return False
        if "path" in f and not f["path"].search(entry.path):
            return False
        if "fault" in f and (entry.fault is not None) != f["fault"]:
            return False
        if "since" in f and entry.time < f["since"]:
            return False
        if "after" in f and entry.id <= f["after"]:
            return False
        return True


class Journal:
    """The last `capacity` calls (0 turns the journal off); thread-safe."""

    def __init__(self, capacity: int, on_change=lambda: None):
        self.capacity = capacity
        self._entries: deque[Entry] = deque(maxlen=max(capacity, 1))
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._on_change = on_change
        self.dropped = 0  # entries the cap pushed out since the last clear

    @property
    def enabled(self) -> bool:
        """Does the journal keep anything?"""
        return self.capacity > 0

    def open(self, time: int, method: str, path: str, query: str, api: str | None,
             operation: str | None, account: str | None, chat: str | None, body=None) -> Entry:
        """Start an entry for a call being served (recorded at once: a dropped connection
        never finishes it)."""
        entry = Entry(next(self._ids), time, method, path, query, api, operation, account, chat,
                      body=body)
        with self._lock:
            if len(self._entries) == self._entries.maxlen:
                self.dropped += 1
            self._entries.append(entry)
        self._on_change()  # a journal_count wait sees a call as it starts (a held one too)
        return entry

    def close(self, entry: Entry, status: int, ms: float) -> None:
        """Finish an entry with the answer's status; waiters on a journal count hear of it."""
        entry.status, entry.ms = status, round(ms, 3)
        self._on_change()

    def select(self, flt: Filter) -> list[Entry]:
        """Entries matching `flt`, oldest first (the newest `limit` when it is given)."""
        with self._lock:
            entries = list(self._entries)
        found = [e for e in entries if flt.matches(e)]
        limit = flt.fields.get("limit")
        return found[-limit:] if limit is not None and limit >= 0 else found

    def count(self, flt: Filter) -> int:
        """How many entries match `flt`."""
        return len(self.select(Filter({k: v for k, v in flt.fields.items() if k != "limit"})))

    def clear(self) -> int:
        """Forget every entry; return how many there were."""
        with self._lock:
            count = len(self._entries)
            self._entries.clear()
            self.dropped = 0
        return count
