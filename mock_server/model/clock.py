"""Clocks: every timeout in the model reads one of these, so tests can move time."""
import threading
import time


class Clock:
    """The real wall clock (epoch seconds); it cannot be moved or frozen."""

    movable = False

    def now(self) -> float:
        """Return the current time in epoch seconds."""
        return time.time()


class MovableClock(Clock):
    """A clock the control plane moves: running at the wall clock's pace plus an offset that
    only grows, or frozen at one instant (then only `advance` moves it). Time never goes back."""

    movable = True

    def __init__(self, start: float | None = None, frozen: bool = False):
        start = time.time() if start is None else float(start)
        self._lock = threading.Lock()
        self._frozen_at: float | None = start if frozen else None
        self._offset = start - time.time()

    @property
    def frozen(self) -> bool:
        """Is the clock stopped (moving only when advanced)?"""
        return self._frozen_at is not None

    def now(self) -> float:
        """Return the clock's current time in epoch seconds."""
        frozen_at = self._frozen_at
        return frozen_at if frozen_at is not None else time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move time forward by `seconds` and return the new time."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
            return self.now()

    def freeze(self) -> float:
        """Stop the clock at the current instant; return it."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time() + self._offset
            return self._frozen_at

    def unfreeze(self) -> float:
        """Let the clock run again from where it stands, at the wall clock's pace."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None
            return self.now()


class ManualClock(MovableClock):
    """A frozen clock that only moves when told to: for tests and the pytest fixture."""

    def __init__(self, start: float | None = None):
        super().__init__(start, frozen=True)


class OffsetClock(MovableClock):
    """The wall clock that a live server can skip ahead (`--movable-clock`)."""

    def __init__(self):
        super().__init__()
