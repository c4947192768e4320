"""Fixtures every test folder shares: a live sandbox on an ephemeral port (real HTTP) with a
clock tests can move, a cookie-keeping HTTP session, and for the browser tests Chromium, pages
and the demo bot. Helpers that are not fixtures are in tests/support/."""
import pytest
import requests

from tests.support.server import serve

# pytester runs small test files in a sandboxed pytest (tests/plugin: the cc_sandbox plugin as a
# bot team uses it); pytest only takes pytest_plugins in the top-level conftest.
pytest_plugins = ["pytester"]


@pytest.fixture
def live():
    """A fresh sandbox (demo config, seeded ids, manual clock) on an ephemeral port."""
    with serve() as server:
        yield server


@pytest.fixture
def http():
    """A requests session (its own cookie jar, like a real client)."""
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, one per test module (skipped without Playwright or Chromium)."""
    from tests.support.browser import launch  # Playwright only where a test asks for a browser

    with launch() as chromium:
        yield chromium


@pytest.fixture
def pages(browser, live, request):
    """Pages of one test on `live`; any page error or dialog fails the test."""
    from tests.support.browser import Pages

    opened = Pages(browser, live, request.node.name.removeprefix("test_").replace("_", "-"))
    yield opened
    opened.close()
    assert not opened.errors, f"errors in the pages: {opened.errors}"


@pytest.fixture
def demo_bot(live):
    """demo-bot running the rules brain (with its escalation) on its own thread, 50 ms polls."""
    from tests.support.sim import rules_bot
    from tests.support.waiting import WAIT

    runner, thread, _ = rules_bot(live)
    yield runner
    runner.stop()
    thread.join(WAIT)
