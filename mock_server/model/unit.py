"""The sandbox lock, and each hold of it as one unit of work that a store commits."""
import threading
from contextlib import contextmanager
from typing import Callable


class UnitOfWork:
    """One holder at a time (re-entrant). As the outermost hold lets go, `commit` (set by a
    store, model-free) runs with whether a write is in flight: a write request or a tick, which
    may change state that no event names. What it commits is on disk before the lock is free,
    so before the view's answer leaves."""

    def __init__(self):
        self._lock = threading.RLock()
        self._depth = 0
        self._writers = 0
        self._count = threading.Lock()
        self.commit: Callable[[bool], None] | None = None

    def __enter__(self) -> "UnitOfWork":
        self._lock.acquire()
        self._depth += 1
        return self

    def __exit__(self, *exc) -> bool:
        try:
            if self._depth == 1 and self.commit is not None:
                self.commit(self._writers > 0)
        finally:
            self._depth -= 1
            self._lock.release()
        return False

    @contextmanager
    def writing(self):
        """Mark a write in flight (a non-GET request, a tick) around its holds of the lock."""
        with self._count:
            self._writers += 1
        try:
            yield
        finally:
            with self._count:
                self._writers -= 1
