"""The cc_sandbox plugin's tests run small test files in a scratch directory with pytest's own
`pytester`, as a bot team's suite would use the fixture.

pytester must be enabled at the top level (pytest refuses `pytest_plugins` in a conftest below the
rootdir): `pytest_plugins = ["pytester"]` in tests/conftest.py, or `-p pytester` on the command line."""
import pytest

# A bot team's conftest: their bot (here a tiny echo bot on the simulator's BotRunner, 50 ms
# polls) runs on its own thread against the sandbox the test gets.
BOT_CONFTEST = '''
import io
import threading

import pytest

from simulator.bot import BotOptions, BotRunner
from simulator.brains import FunctionBrain
from simulator.brains.escalation import escalating
from simulator.login import Credentials
from simulator.report import Reporter


def echo(context, text):
    return f"You said: {text}"


def start_bot(sandbox):
    options = BotOptions(sandbox.url, sandbox.account, Credentials("demo-bot", password="demo-bot-pass"),
                         poll=0.05, verify=sandbox.verify)
    runner = BotRunner(options, escalating(FunctionBrain(echo)), Reporter("bot", stream=io.StringIO()))
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    assert runner.online.wait(10), "the bot did not get Online"
    return runner, thread


def stop_bot(runner, thread):
    runner.stop()
    thread.join(10)
    assert not thread.is_alive()


@pytest.fixture
def bot(cc_sandbox):
    runner, thread = start_bot(cc_sandbox)
    yield runner
    stop_bot(runner, thread)


@pytest.fixture
def session_bot(cc_sandbox_session):
    runner, thread = start_bot(cc_sandbox_session)
    yield runner
    stop_bot(runner, thread)
'''


@pytest.fixture
def suite(request):
    """A scratch test directory with the bot team's conftest; run it with `suite.runpytest()`."""
    if not request.config.pluginmanager.has_plugin("pytester"):
        pytest.skip("needs pytester: pytest_plugins = ['pytester'] in tests/conftest.py, or -p pytester")
    pytester = request.getfixturevalue("pytester")
    pytester.makeconftest(BOT_CONFTEST)
    return pytester
