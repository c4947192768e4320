"""CCSandbox: a sandbox served in-process for a test, and every control-plane route as a method.

Everything that reads or changes the sandbox goes over HTTP to /_sandbox/* (the fixture is a
client of the control plane, as any outside tool is); `app` and `sandbox` are there for
white-box asserts only."""
import copy
from functools import lru_cache
from pathlib import Path

from . import DEFAULT_SEED
from .analytics import ABTestsClient, AnalyticsClient
from .control import ControlClient, WaitTimeout
from .faults import FaultsClient
from .journal import JournalClient
from .serving import START, ServedApp

__all__ = ["CCSandbox", "WaitTimeout", "DEFAULT_SEED"]


def load(config) -> dict:
    """A seed config: a dict as it is, a path read as YAML/JSON, None the demo config."""
    if isinstance(config, dict):
        return config
    path = Path(config).resolve() if config is not None else None
    if path is not None and not path.is_file():
        from ..model.seed import load_config
        return load_config(path)  # its ConfigError says what is wrong with the path
    return copy.deepcopy(_parsed(path, path.stat().st_mtime_ns if path else 0))


@lru_cache(maxsize=32)
def _parsed(path: Path | None, _mtime: int) -> dict:
    """A config file parsed once per version (a test suite starts many sandboxes of one file;
    YAML parsing is most of a fresh sandbox's cost after Flask's own)."""
    from ..model.seed import load_config
    return load_config(path)


class CCSandbox:
    """A fresh sandbox (a config, a seed, a frozen clock) on an ephemeral port of 127.0.0.1."""

    def __init__(self, config: dict | str | Path | None = None, *, seed: int | None = DEFAULT_SEED,
                 tls: bool = False, start: float = START):
        self._config = load(config)
        self._seed = seed
        self._original = (self._config, seed)  # what restore() goes back to
        self._served = ServedApp(self._config, seed, tls, start)
        self.tls = tls
        self.domain = f"127.0.0.1:{self._served.port}"
        self.url = f"{self._served.scheme}://{self.domain}"
        self.ca: Path | None = self._served.ca  # the CA to verify https with (None for http)
        self.verify: bool | str = str(self.ca) if self.ca else True
        self.account = str(self._config["accounts"][0]["id"])
        self._control = ControlClient(self.url, self.verify)
        self.journal = JournalClient(self._control)
        self.faults = FaultsClient(self._control)
        self.ab_tests = ABTestsClient(self._control)  # /_sandbox/abtests
        self.analytics = AnalyticsClient(self._control)  # /_sandbox/analytics
        self._actors: list = []  # customers and agents made here, closed at the end of a test
        self._reseeded = False

    # --- white box ------------------------------------------------------------------------

    @property
    def app(self):
        """The Flask app."""
        return self._served.app

    @property
    def sandbox(self):
        """The model now (a reset or seed replaces it)."""
        return self._served.app.extensions["sandbox"]

    # --- the clock ------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """The sandbox's time, epoch seconds."""
        return self._control.get("/clock")["now"] / 1000

    def clock(self) -> dict:
        """`{"now": ms, "movable", "frozen"}`."""
        return self._control.get("/clock")

    def advance(self, seconds: float) -> float:
        """Move the clock and apply every timeout due; the new time (epoch seconds)."""
        return self._control.post("/clock/advance", {"seconds": seconds})["now"] / 1000

    def freeze(self) -> float:
        """Stop the clock where it is (the fixture's clock starts frozen)."""
        return self._control.post("/clock/freeze")["now"] / 1000

    def unfreeze(self) -> float:
        """Let the clock run at the wall clock's pace (timeouts then apply by themselves)."""
        return self._control.post("/clock/unfreeze")["now"] / 1000

    # --- the whole sandbox ----------------------------------------------------------------

    def reset(self) -> None:
        """A fresh sandbox from the same config and seed (the clock keeps its time)."""
        self._control.post("/reset")

    def seed(self, n: int | None, config: dict | str | Path | None = None) -> None:
        """A fresh sandbox with seed `n` (and this config, a dict or a file); resets keep both."""
        body = {"seed": n}
        if config is not None:
            body["config"] = load(config)
        self._control.post("/seed", body)
        self._seed = n
        if config is not None:
            self._config = body["config"]
            self.account = str(self._config["accounts"][0]["id"])
        self._reseeded = True

    def state(self, account: str | None = None, events: bool = True) -> dict:
        """Accounts, logins, agent sessions, queues and chats."""
        return self._control.get("/state", account=account, events=None if events else False)

    def wait(self, condition: str, timeout: float = 5, **fields) -> dict:
        """Hold until the condition holds; the match (WaitTimeout with what was seen if not)."""
        return self._control.wait(condition, timeout, **fields)

    def chat_script(self, chat_id: str) -> str:
        """The chat as a replayable YAML customer script."""
        return self._control.call("GET", f"/chats/{chat_id}/script").text

    # --- people ---------------------------------------------------------------------------

    def customer(self, skill: str | None = None, engagement: str | None = None,
                 persona: dict | None = None, account: str | None = None, **request):
        """A Server Chat customer with the chat requested (`request`: more chat request fields,
        e.g. interactionTimeout=600 to let a test advance the clock past the default 40 s)."""
        from .customer import Customer
        customer = Customer(self._control, self.url, account or self.account, self.verify,
                            skill=skill, engagement=engagement, persona=persona, **request)
        self._actors.append(customer)
        return customer

    def human_agent(self, login: str = "demo-agent", password: str | None = None,
                    account: str | None = None):
        """A human agent: logged in (the config's password unless given), a session, Online."""
        from .agent import HumanAgent
        account = account or self.account
        agent = HumanAgent(self._control, self.url, account, self.verify, login,
                           password or self._password(account, login),
                           lambda skill: self._skill_id(account, skill))
        self._actors.append(agent)
        return agent

    def _account_config(self, account: str) -> dict:
        found = next((a for a in self._config["accounts"] if str(a.get("id")) == account), None)
        if found is None:
            raise ValueError(f"account {account} is not in the sandbox's config")
        return found

    def _password(self, account: str, login: str) -> str:
        user = next((u for u in self._account_config(account).get("users") or []
                     if u.get("loginName") == login), None)
        if user is None or not user.get("password"):
            raise ValueError(f"user {login} of account {account} has no password in the "
                             f"sandbox's config; pass password=")
        return str(user["password"])

    def _skill_id(self, account: str, skill) -> str:
        """A skill id from an id or a name (as given when the config has neither)."""
        for item in self._account_config(account).get("skills") or []:
            if str(skill) in (str(item.get("id")), item.get("name")):
                return str(item["id"])
        return str(skill)

    # --- lifecycle ------------------------------------------------------------------------

    def restore(self, seed: int | None = None) -> None:
        """Back to how the sandbox started (for the next test of a session sandbox): its
        config, its seed (or `seed`), the clock frozen again; the clock's time does not go back."""
        self.close_actors()
        config, original = self._original
        seed = original if seed is None else seed
        if self._reseeded or seed != self._seed:
            self._control.post("/seed", {"seed": seed, "config": config})
            self._config, self._seed, self._reseeded = config, seed, False
            self.account = str(config["accounts"][0]["id"])
        else:
            self.reset()
        if not self.clock().get("frozen", True):
            self.freeze()

    def close_actors(self) -> None:
        """Drop the connections of every customer and agent made so far."""
        actors, self._actors = self._actors, []
        for actor in actors:
            actor.close()

    def close(self) -> None:
        """Stop serving."""
        self.close_actors()
        self._control.close()
        self._served.stop()

    def __enter__(self) -> "CCSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<CCSandbox {self.url} account {self.account} seed {self._seed}>"
