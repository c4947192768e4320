"""`python -m simulator load`: many generated customers at a steady rate, against a local sandbox.

N customers (simulator/mix.py: a seeded persona, an intent drawn from the mix, lines drawn
from its phrasings) start at R per second, at most C at once, each playing its script through
the one customer engine (ScriptedCustomer) on the Server Chat API. The run stops at its
timeout, whatever is left, and says what was unfinished. It refuses any host but this machine's
(localhost, 127.0.0.1, ::1), for the Domain API and for the chat host it names: a load must
never reach a real LivePerson account.
"""
import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .client import AgentClient
from .customer import CustomerResult, ScriptedCustomer
from .mix import Customer, Mix, Timing, load_mix, plan
from .report import silent
from .responses import TRANSFERRED
from .transport import normalise_base
from .visitor import GLOBAL_APP_KEY, VisitorClient

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_ENGAGEMENT = "5001001"  # the demo account's "Chat with the bot"
ON_DUTY_POLL = 10.0  # seconds between an on-duty agent's polls (its session is kept alive)
STOP_GRACE = 30.0  # seconds stopped customers have to close their chats after the timeout


class LoadRefused(ValueError):
    """A load that must not run (a host that is not this machine)."""


def local_host(url: str) -> str | None:
    """The host of `url` (a URL or a bare host:port) if it is this machine, else None."""
    try:
        host = urlsplit(normalise_base(url)).hostname
    except ValueError:  # not even a URL (e.g. a bad IPv6 literal)
        return None
    return host if host in LOCAL_HOSTS else None


def refuse_remote(url: str, what: str = "--url") -> None:
    """LoadRefused unless `url` is on this machine."""
    if local_host(url) is None:
        raise LoadRefused(f"{what} {url} is not this machine: the load generator runs only against "
                          f"a local sandbox ({', '.join(LOCAL_HOSTS)}), so it can never load a real "
                          f"LivePerson account")


@dataclass
class LoadOptions:
    """Where the load goes and how much of it."""

    url: str
    account: str = "12345678"
    chats: int = 20
    rate: float = 2.0  # customers started per second
    seed: int = 1
    mix: Mix | None = None  # None: simulator/mixes/default.yaml
    engagement: str | None = None  # default: DEFAULT_ENGAGEMENT, unless `skill` is given
    skill: str | None = None
    concurrency: int = 20  # customers at once, at most
    timeout: float = 600.0  # seconds for the whole run
    poll: float = 0.5  # seconds between a customer's polls (the first answer's resolution)
    timing: Timing = field(default_factory=Timing)
    app_key: str = GLOBAL_APP_KEY
    verify: bool | str = True


@dataclass
class Outcome:
    """How one customer's chat went: ok, error, unfinished (stopped at the timeout) or not
    started."""

    customer: Customer
    status: str = "not started"
    result: CustomerResult | None = None
    error: str | None = None

    @property
    def started(self) -> bool:
        """The customer asked for its chat (or was about to)."""
        return self.status != "not started"

    @property
    def ended(self) -> bool:
        """The chat is over (whoever ended it)."""
        return self.result is not None and self.result.ended_by is not None

    @property
    def transferred(self) -> bool:
        """The platform announced a transfer in this chat."""
        return self.result is not None and any(
            e.is_system_line and e.system_message_id == TRANSFERRED for e in self.result.events)

    @property
    def surveyed(self) -> bool:
        """The customer answered the exit survey."""
        return self.result is not None and any(
            s.step.survey is not None and s.status == "passed" for s in self.result.steps)

    @property
    def first_answer(self) -> float | None:
        """Seconds from the customer's first line to the next agent line, if both happened."""
        return self.result.first_answer if self.result else None


@dataclass
class LoadReport:
    """Every customer's outcome and how long the run took."""

    options: LoadOptions
    outcomes: list[Outcome]
    elapsed: float = 0.0
    timed_out: bool = False

    def count(self, status: str) -> int:
        """How many chats ended up with this status."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        """Every chat ran to its end without an error."""
        return all(o.status == "ok" for o in self.outcomes)


class LoadRun:
    """One load run; `run()` blocks until it is over (or its timeout), `stop()` ends it early."""

    def __init__(self, options: LoadOptions, on_change=None):
        self.o = options
        self.mix = options.mix or load_mix()
        engagement = options.engagement or (None if options.skill else DEFAULT_ENGAGEMENT)
        self.customers = plan(options.chats, options.seed, self.mix, skill=options.skill,
                              engagement=engagement, timing=options.timing)
        self.outcomes = [Outcome(c) for c in self.customers]
        self.on_change = on_change or (lambda outcome: None)  # after each start and each end
        self._halt = threading.Event()  # the timeout passed, or stop(): customers give up
        self._lock = threading.Lock()
        self._running: set[ScriptedCustomer] = set()
        self._slots = threading.Semaphore(max(1, options.concurrency))
        self._local = threading.local()
        self._clients: list[VisitorClient] = []
        self._chat_host: str | None = None

    def stop(self) -> None:
        """End the run now: no more starts, running customers give up and close their chats."""
        self._halt.set()
        with self._lock:
            running = list(self._running)
        for customer in running:
            customer.stop()

    def check_hosts(self) -> None:
        """Refuse a Domain API, or a chat host it names, that is not this machine."""
        refuse_remote(self.o.url)
        probe = VisitorClient(self.o.url, self.o.account, self.o.app_key, verify=self.o.verify)
        try:
            self._chat_host = probe.domains.host("conversationVep")
        finally:
            probe.close()
        refuse_remote(self._chat_host, "the Domain API's conversationVep host")

    def run(self) -> LoadReport:
        """Start the customers at the rate, wait for them (up to the timeout), report."""
        self.check_hosts()
        start = time.monotonic()
        deadline = start + self.o.timeout
        pace = self.o.rate if self.o.rate > 0 else float("inf")
        with ThreadPoolExecutor(max_workers=max(1, self.o.concurrency),
                                thread_name_prefix="customer") as pool:
            futures = []
            for n, outcome in enumerate(self.outcomes):
                if not self._until(start + n / pace, deadline) or not self._slot(deadline):
                    break
                outcome.status = "running"
                futures.append(pool.submit(self._play, outcome))
            wait(futures, timeout=max(deadline - time.monotonic(), 0))
            timed_out = not all(f.done() for f in futures) or any(not o.started for o in self.outcomes)
            if timed_out:  # the deadline (or stop()) came first
                self.stop()
                wait(futures, timeout=STOP_GRACE)
        for client in self._clients:
            client.close()
        return LoadReport(self.o, self.outcomes, time.monotonic() - start, timed_out)

    def _until(self, due: float, deadline: float) -> bool:
        """Wait until `due`; False if the run is halted or its deadline comes first."""
        if due >= deadline:
            self._halt.wait(max(deadline - time.monotonic(), 0))
            return False
        return not self._halt.wait(max(due - time.monotonic(), 0))

    def _slot(self, deadline: float) -> bool:
        """Wait for a free place among the `concurrency` customers at once."""
        while not self._slots.acquire(timeout=0.05):
            if self._halt.is_set() or time.monotonic() >= deadline:
                return False
        return True

    def _client(self) -> VisitorClient:
        """This worker thread's Server Chat client, which knows the chat host already."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = VisitorClient(self.o.url, self.o.account, self.o.app_key, verify=self.o.verify)
            client.domains.learn([{"service": "conversationVep", "baseURI": self._chat_host}],
                                 "the load's first lookup")
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client

    def _play(self, outcome: Outcome) -> None:
        """One customer's chat, start to end, through the one customer engine."""
        try:
            self.on_change(outcome)
            customer = ScriptedCustomer(self._client(), outcome.customer.script, poll=self.o.poll,
                                        report=silent, control=False)
            with self._lock:
                self._running.add(customer)
            if self._halt.is_set():
                customer.stop()
            try:
                outcome.result = customer.run()
            finally:
                with self._lock:
                    self._running.discard(customer)
            if outcome.result.ok:
                outcome.status = "ok"
            else:
                outcome.status = "unfinished" if self._halt.is_set() else "error"
                outcome.error = outcome.result.failure()
        except Exception as exc:  # any failure is this chat's error, never the whole run's end
            outcome.status, outcome.error = "error", f"{type(exc).__name__}: {exc}"
        finally:
            self._slots.release()
            self.on_change(outcome)


class OnDuty:
    """A human agent kept Online while the load runs, taking no chats, so the bots have someone
    to transfer to (they hand over only to a skill with an agent on duty)."""

    def __init__(self, url: str, account: str, login: str, password: str, verify: bool | str = True):
        refuse_remote(url)
        self.client = AgentClient(url, account, verify)
        self.client.login_user(login, password)
        self.session = self.client.start_agent_session()
        self.session.set_availability("Online")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep_alive, name="on-duty", daemon=True)
        self._thread.start()

    def _keep_alive(self) -> None:
        # An agent session that stops polling is dropped (and with it the agent's Online).
        while not self._stop.wait(ON_DUTY_POLL):
            try:
                self.session.incoming_requests()
            except Exception:  # a missed keep-alive is retried next time; never the run's end
                continue

    def close(self) -> None:
        """Stop polling and log out."""
        self._stop.set()
        self._thread.join(ON_DUTY_POLL)
        try:
            self.client.logout()
        finally:
            self.client.close()


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` 0.5 for p50), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(max(math.ceil(share * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]
