"""Waiting without sleeping: check a condition until it holds or a deadline passes."""
import threading
import time

WAIT = 20.0  # a generous deadline for anything to happen; tests finish far sooner


def wait_until(condition, timeout: float = WAIT, interval: float = 0.02):
    """Check `condition()` until it gives something truthy (returned) or the deadline passes
    (then its last value is returned)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        pause.wait(interval)
