"""The request journal as the fixture shows it: a thin client of /_sandbox/journal."""
from .control import ControlClient


class JournalClient:
    """Every LivePerson API call the sandbox answered, oldest first, with filters (api,
    operation, account, chat, method, status, path, fault, since, after, limit)."""

    def __init__(self, control: ControlClient):
        self._control = control

    def entries(self, **filters) -> list[dict]:
        """The entries that match, oldest first."""
        return self._control.get("/journal", **filters)["entries"]

    def count(self, **filters) -> int:
        """How many entries match."""
        body = {k: v for k, v in filters.items() if v is not None}
        return int(self._control.post("/journal/count", body)["count"])

    def last(self, **filters) -> dict | None:
        """The newest entry that matches, or None."""
        found = self.entries(**filters, limit=1)
        return found[-1] if found else None

    def clear(self) -> int:
        """Forget every entry; how many there were."""
        return int(self._control.delete("/journal").get("cleared", 0))

    def __iter__(self):
        """Every entry, oldest first (`for call in cc_sandbox.journal`)."""
        return iter(self.entries())

    def __len__(self) -> int:
        """How many entries the journal holds."""
        return self.count()

    def wait(self, at_least: int = 1, timeout: float = 5, **filters) -> int:
        """Wait until at least `at_least` entries match; their count."""
        return int(self._control.wait("journal_count", timeout, at_least=at_least, **filters)["count"])
