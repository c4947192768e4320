"""The pytest plugin (entry point pytest11 `cc_sandbox`): fixtures `cc_sandbox` and
`cc_sandbox_session`, the `cc_sandbox` marker, options --cc-sandbox-config and --cc-sandbox-scope.

Every pytest run where the package is installed imports this module: it imports only pytest and
the standard library; the sandbox (Flask, the model, requests) loads when a fixture is used."""
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import DEFAULT_SEED

MARKER = "cc_sandbox"
MARKER_KEYS = ("config", "tls", "seed")
SCOPES = ("function", "session")


@dataclass(frozen=True)
class Settings:
    """How one sandbox is made: its config (a resolved file, a dict, or None: the demo's), https,
    its seed."""

    config: object = None
    tls: bool = False
    seed: int | None = DEFAULT_SEED

    @property
    def key(self) -> str:
        """Equal for equal settings (a session keeps one sandbox per key)."""
        return json.dumps([self.config, self.tls, self.seed], sort_keys=True, default=str)


DEFAULTS = pytest.StashKey[Settings]()  # the run's settings (--cc-sandbox-config), in config.stash


def pytest_addoption(parser):
    """--cc-sandbox-config and --cc-sandbox-scope."""
    group = parser.getgroup("cc_sandbox", "Conversational Cloud sandbox")
    group.addoption("--cc-sandbox-config", metavar="FILE", default=None,
                    help="seed config (YAML or JSON) of the cc_sandbox fixtures (default: the demo account)")
    group.addoption("--cc-sandbox-scope", choices=SCOPES, default="function",
                    help="function: a fresh sandbox per test (default); session: cc_sandbox is "
                         "the session's sandbox, reset before each test")


def pytest_configure(config):
    """Register the marker; resolve --cc-sandbox-config once for the whole run."""
    config.addinivalue_line(
        "markers", f"{MARKER}(config=FILE, tls=False, seed={DEFAULT_SEED}): how the cc_sandbox "
                   "fixture makes this test's sandbox (config relative to the test file or the rootdir)")
    option = config.getoption("--cc-sandbox-config", None)
    path = None
    if option:  # checked now: a wrong path is one usage error, not an error in every test
        path = _resolve(option, config.invocation_params.dir, config.rootpath)
        if path is None:
            raise pytest.UsageError(f"--cc-sandbox-config: {_not_found(option, config.invocation_params.dir)}")
    config.stash[DEFAULTS] = Settings(config=path)


def pytest_collect_file(file_path: Path, parent):
    """`test_*.yaml` customer scripts: one test per script (scripts.py), each on cc_sandbox."""
    if file_path.name.startswith("test_") and file_path.suffix in (".yaml", ".yml"):
        from .scripts import collect_file  # only when such a file is there: YAML, the simulator
        return collect_file(file_path, parent)
    return None


def _resolve(path, *bases: Path) -> str | None:
    """An existing config file: absolute, or under the first base where it exists."""
    given = Path(path).expanduser()
    for candidate in [given] if given.is_absolute() else [base / given for base in bases]:
        if candidate.is_file():
            return str(candidate.resolve())
    return None


def _not_found(path, base: Path) -> str:
    return f"cc_sandbox config {path} not found (relative to {base} or the rootdir)"


def _test_settings(request) -> Settings:
    """The run's settings with the test's markers over them (the closest marker wins per key)."""
    given: dict = {}
    for mark in request.node.iter_markers(MARKER):
        unknown = sorted(set(mark.kwargs) - set(MARKER_KEYS))
        if mark.args or unknown:
            pytest.fail(f"@pytest.mark.{MARKER} takes only the keywords {', '.join(MARKER_KEYS)} "
                        f"(got {', '.join(unknown) or 'positional arguments'})", pytrace=False)
        for key, value in mark.kwargs.items():
            given.setdefault(key, value)
    settings = request.config.stash[DEFAULTS]
    config = given.get("config", settings.config)
    if "config" in given and config is not None and not isinstance(config, dict):
        path = _resolve(config, request.node.path.parent, request.config.rootpath)
        if path is None:
            pytest.fail(_not_found(config, request.node.path.parent), pytrace=False)
        config = path
    return Settings(config=config, tls=bool(given.get("tls", False)),
                    seed=given.get("seed", settings.seed))


def _start(settings: Settings):
    from .sandbox import CCSandbox
    return CCSandbox(settings.config, seed=settings.seed, tls=settings.tls)


def seed_for_test(seed: int | None, nodeid: str) -> int | None:
    """The seed a session sandbox gets for one test: the same for that test in every run and in
    any order, and another for each test, so a bot that outlives the tests never sees a chat or
    session id it met in an earlier test (LivePerson never reuses one)."""
    if seed is None:
        return None
    return (seed * 1_000_003 + zlib.crc32(nodeid.encode())) % 2**31


class SandboxPool:
    """The session's sandboxes, one per settings, each restored before every test."""

    def __init__(self):
        self._sandboxes: dict = {}
        self._prepared: dict = {}  # settings key -> the test it was last restored for

    def get(self, settings: Settings):
        """The session's sandbox of these settings (started on first use)."""
        if settings.key not in self._sandboxes:
            self._sandboxes[settings.key] = _start(settings)
        return self._sandboxes[settings.key]

    def prepare(self, settings: Settings, nodeid: str):
        """The sandbox, restored for test `nodeid` (once per test) with that test's own seed."""
        sandbox = self.get(settings)
        if self._prepared.get(settings.key) != nodeid:
            sandbox.restore(seed_for_test(settings.seed, nodeid))
        self._prepared[settings.key] = nodeid
        return sandbox

    def close(self) -> None:
        """Stop every sandbox."""
        for sandbox in self._sandboxes.values():
            sandbox.close()
        self._sandboxes.clear()


@pytest.fixture(scope="session")
def _cc_sandbox_pool():
    """The session's sandboxes (cc_sandbox_session, and cc_sandbox with --cc-sandbox-scope session)."""
    pool = SandboxPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def cc_sandbox_session(_cc_sandbox_pool, pytestconfig):
    """One sandbox for the whole session (the run's config, demo account by default), reset
    before each test that uses it."""
    return _cc_sandbox_pool.get(pytestconfig.stash[DEFAULTS])


@pytest.fixture(autouse=True)
def _cc_sandbox_session_reset(request):
    """Reset the session sandbox before each test that uses it (the session fixture itself is
    made once, so the reset lives here)."""
    if "cc_sandbox_session" not in request.fixturenames:
        yield
        return
    if request.node.get_closest_marker(MARKER) and "cc_sandbox" not in request.fixturenames:
        pytest.fail(f"@pytest.mark.{MARKER} sets up the cc_sandbox fixture; cc_sandbox_session is "
                    "the session's sandbox of --cc-sandbox-config", pytrace=False)
    request.getfixturevalue("cc_sandbox_session")
    pool = request.getfixturevalue("_cc_sandbox_pool")
    sandbox = pool.prepare(request.config.stash[DEFAULTS], request.node.nodeid)
    yield
    sandbox.close_actors()


@pytest.fixture
def cc_sandbox(request):
    """A sandbox served in-process on an ephemeral port: seeded ids, a frozen clock that only
    `advance` moves. Fresh per test (or, with --cc-sandbox-scope session, the session's, reset)."""
    settings = _test_settings(request)
    if request.config.getoption("--cc-sandbox-scope") == "session":
        pool = request.getfixturevalue("_cc_sandbox_pool")
        sandbox = pool.prepare(settings, request.node.nodeid)
        yield sandbox
        sandbox.close_actors()
        return
    sandbox = _start(settings)
    try:
        yield sandbox
    finally:
        sandbox.close()
