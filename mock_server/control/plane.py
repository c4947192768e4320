"""The control plane's own state: the journal, the fault rules, and a signal that something changed."""
from typing import Callable

from ..model.errors import BadRequest
from ..model.sandbox import Sandbox
from ..model.seed import ConfigError
from .faults import Faults
from .journal import Journal


class Changes:
    """A counter every state change (a bus event, a finished call) moves: waits sleep on it.

    Waiters sleep on events of the server's own async mode (`make_event`: gevent's under the
    CLI, which patches nothing, threading's in the fixture), so a wait never blocks the server."""

    def __init__(self, make_event: Callable[[], object]):
        self._make_event = make_event
        self._waiters: set = set()
        self.generation = 0

    def bump(self, *_event) -> None:
        """Something changed: wake every waiter."""
        self.generation += 1
        if self._waiters:  # most calls have no one waiting
            for event in list(self._waiters):
                event.set()

    def wait_past(self, generation: int, timeout: float) -> None:
        """Sleep until the counter moves past `generation` or `timeout` seconds pass."""
        event = self._make_event()
        self._waiters.add(event)
        try:
            if self.generation == generation:  # a change between the check and here wakes us
                event.wait(timeout)
        finally:
            self._waiters.discard(event)


class ControlPlane:
    """What /_sandbox keeps beside the Sandbox: it outlives a reset, which empties it."""

    def __init__(self, sb: Sandbox, make_event: Callable[[], object], sleep: Callable[[float], None],
                 known: dict[str, frozenset] | None = None):
        self.known = known or {}  # the API and operation names rules may name
        self.changes = Changes(make_event)
        self.sleep = sleep  # the server's own (gevent's under the CLI): a latency fault blocks one call only
        self.journal = Journal(int(sb.settings["journal_max_entries"]), self.changes.bump)
        self.faults = Faults(sb.seed, self.known)
        self._unsubscribe = None
        self.bind(sb)

    def bind(self, sb: Sandbox) -> None:
        """Follow a (new) sandbox: its bus wakes waiters; the config's faults are in force."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = sb.bus.subscribe(self.changes.bump)
        self.faults = Faults(sb.seed, self.known)
        for i, rule in enumerate(sb.config.get("faults") or []):
            try:
                self.faults.add(rule)
            except BadRequest as exc:
                raise ConfigError(f"faults[{i}]: {exc.message}") from None
        self.journal.clear()
        self.changes.bump()


def replace_sandbox(app, config: dict | None = None, seed: int | None = None,
                    keep_seed: bool = True) -> Sandbox:
    """Put a fresh Sandbox in the app: the same config and seed unless given (the clock stays:
    time never goes back); the live view and the control plane follow the new one."""
    old: Sandbox = app.extensions["sandbox"]
    shards, whole = app.extensions.get("sandbox.shards"), config
    if shards is not None and config is not None:
        config = shards.owned_config(config)  # a shard builds only the accounts it owns
    with old.lock:
        fresh = Sandbox(old.config if config is None else config, clock=old.clock,
                        seed=old.seed if keep_seed and seed is None else seed)
        if shards is not None and whole is not None:
            shards.learn(whole)  # its Domain API answers for every account of the new config
        if old.store is not None:  # the data dir forgets the old state and keeps the fresh one
            old.store.reset(fresh)
        app.extensions["sandbox.control"].bind(fresh)
        app.extensions["sandbox"] = fresh
        app.extensions["sandbox.live"].bind(fresh)
        app.extensions["sandbox.analytics_feed"].bind(fresh)  # dashboards refetch
    return fresh
