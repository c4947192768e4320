"""The event bus: every state change is published here, and observers subscribe."""
import logging
from dataclasses import dataclass, field
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass
class Event:
    """One state change: a kind such as `chat.line` and the facts that go with it."""

    kind: str
    account_id: str
    data: dict[str, Any] = field(default_factory=dict)
    time: float = 0.0


class EventBus:
    """Synchronous publish/subscribe; a failing subscriber never breaks the publisher."""

    def __init__(self):
        self._subscribers: list[Callable[[Event], None]] = []

    def subscribe(self, handler: Callable[[Event], None]) -> Callable[[], None]:
        """Register `handler` for every event; return a function that unsubscribes it."""
        self._subscribers.append(handler)
        return lambda: self._subscribers.remove(handler)

    def publish(self, event: Event) -> None:
        """Deliver `event` to every subscriber in order."""
        for handler in list(self._subscribers):
            try:
                handler(event)
            except Exception:  # an observer's bug must not undo a state change
                log.exception("event subscriber failed on %s", event.kind)
