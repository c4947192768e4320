"""Clocks: every timeout in the model reads one of these, so tests can move time."""
import threading
import time


class Clock:
    """The real wall clock (epoch seconds)."""

    def now(self) -> float:
        """Return the current time in epoch seconds."""
        return time.time()


class ManualClock(Clock):
    """A clock that only moves when told to: for tests and the control plane."""

    def __init__(self, start: float | None = None):
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the frozen current time."""
        return self._now

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds` and return the new time."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._now += seconds
            return self._now


class OffsetClock(Clock):
    """The wall clock plus an offset that can only grow: lets a live server skip ahead."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        """Return wall time plus the accumulated offset."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> float:
        """Skip `seconds` ahead and return the new time."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        self.offset += seconds
        return self.now()
