"""The tree of state under one Sandbox: who owns what, built once, top-down."""
import time

from .accounts import Account
from .analytics import Recorder
from .analytics.abtest import ABTest, parse_test
from .agents import AgentSessions
from .auth import Logins
from .bus import Event, EventBus
from .chats import Chat, ChatEvent, ChatIndex
from .clock import Clock
from .errors import BadRequest, NotFound
from .holds import Holds
from .ids import IdGenerator
from .monitoring import Monitoring
from .oauth import Sentinel
from .oauth1 import ApiKeys
from .queries import Queries
from .retention import Retention
from .routing import Router
from .unit import UnitOfWork
from .seed import ConfigError, build_accounts, load_config, settings_of
from .visitor_auth import VisitorAuthentication


class SandboxTree:
    """The state of one server: accounts, logins, agent sessions, holds, queues, chats.

    Each part is handed only the parts below it (the clock, the ids, `publish`, the stores it
    reads); no part holds the Sandbox, so every call goes down the tree. Follow-ups that span
    parts live in model/followups.py, operations in model/operations/."""

    def __init__(self, config: dict | None = None, clock: Clock | None = None,
                 seed: int | None = None):
        self.config = config if config is not None else load_config()
        self.settings = settings_of(self.config)
        self.seed = seed
        self.clock = clock or Clock()
        self.ids = IdGenerator(seed)
        self.bus = EventBus()
        # One lock serialises every operation: views hold it while they read and render; a
        # store (--data-dir) commits each hold's changes as it lets go (model/unit.py).
        self.lock = UnitOfWork()
        self.store = None  # the data dir's store.Persistence, when one keeps this tree
        self.started = time.time()
        self.accounts: dict[str, Account] = build_accounts(self.config, self.ids)
        # The chats in memory: open ones, and ended ones until retention retires them (a data
        # dir still reads those back through the index).
        self.chats: ChatIndex = ChatIndex()
        self.open_chats: dict[str, Chat] = {}  # not ended yet: what the clock's timeouts scan
        self.retention = Retention(self.settings)
        self.offline_messages: list[dict] = []  # offline-survey answers, oldest first
        self.holds = Holds()
        self.logins = Logins(self.clock, self.ids, self.settings, self.publish)
        self.agents = AgentSessions(self.clock, self.ids, self.holds, self.publish)
        self.router = Router(self.agents, self.chats, self.holds, self.clock, self.publish)
        self.query = Queries(self.accounts, self.chats, self.logins, self.agents, self.holds, self.router,
                             self.clock, self.started, self.open_chats)
        self.monitoring = Monitoring(self.clock, self.ids, self.query)  # Monitoring, App Engagement
        self.sentinel = Sentinel(self.clock, self.ids, self.logins)  # OAuth 2.0 for applications
        self.visitor_auth = VisitorAuthentication(self.clock, self.ids)  # authenticated chat
        self.api_keys = ApiKeys(self.clock)  # OAuth1-signed data API calls, and their nonces
        self.analytics = Recorder(self.accounts)  # Step 5 metrics, built from the bus
        self.bus.subscribe(self.analytics)
        # account id -> test id -> A/B test (the config's `abTests`, then the sandbox route)
        self.ab_tests: dict[str, dict[str, ABTest]] = {
            account.id: {} for account in self.accounts.values()}
        for raw in self.config.get("accounts", []):
            account = self.accounts[str(raw["id"])]
            for test in raw.get("abTests", []) or []:
                try:
                    parsed = parse_test(test, account, seed, self.clock.now())
                except BadRequest as exc:
                    raise ConfigError(f"account {account.id}: {exc.message}") from exc
                self.ab_tests[account.id][parsed.id] = parsed

    def publish(self, kind: str, account_id: str, **data) -> None:
        """Put a state change on the bus."""
        self.bus.publish(Event(kind=kind, account_id=account_id, data=data, time=self.clock.now()))

    def emit(self, chat: Chat, event: ChatEvent) -> None:
        """Publish a chat event that was just appended."""
        self.publish("chat.event", chat.account_id, chat=chat, event=event)

    def account(self, account_id: str) -> Account:
        """The account with this id, or NotFound."""
        account = self.accounts.get(account_id)
        if account is None:
            raise NotFound(f"Account {account_id} was not found", 5)
        return account

    def load(self, user) -> int:
        """How many chats the user is chatting in right now (see Queries.load)."""
        return self.holds.load(user)
