"""The suite catches broken bots: the same customer script, run by pytest on a tiny project
(pytester), passes with the weather bot and fails, naming the step, with a bot that never
answers and with one that never escalates."""
import textwrap

import pytest

SCRIPT = """\
name: weather, then a person
skill: support-bot
timeout: 1
steps:
  - expect: {reply: weather bot}
  - say: weather in Paris
    expect: {rich: vertical}
  - say: I want a person
    expect: {transferred: support-human, reason: asked for a person}
"""

CONFTEST = '''
import pytest

from helpers import running_bot
from weather_bot import WeatherBot


class SilentBot(WeatherBot):
    """Greets, then never answers."""

    def answer(self, chat, text):
        pass


class StubbornBot(WeatherBot):
    """Never hands a chat to a person."""

    def escalate(self, chat, reason):
        self.say(chat, "I can only talk about the weather.")


BOTS = {"test_good": WeatherBot, "test_silent": SilentBot, "test_stubborn": StubbornBot}


@pytest.fixture
def cc_bot(request, cc_sandbox):
    cc_sandbox.human_agent("demo-agent")  # Alex on duty: escalation can succeed
    with running_bot(cc_sandbox, BOTS[request.node.path.stem]) as bot:
        yield bot
'''


@pytest.fixture
def sandbox_loaded(cc_sandbox):
    """A first chat request: the sandbox and its persona generator are loaded before pytester
    snapshots sys.modules, so neither the inner run nor the tests after it load them again."""
    cc_sandbox.customer(skill="support-bot")


def test_broken_bots_fail_naming_the_step(sandbox_loaded, pytester):
    pytester.makeconftest(textwrap.dedent(CONFTEST))
    for name in ("test_good", "test_silent", "test_stubborn"):
        pytester.makefile(".yaml", **{name: SCRIPT})
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "--cc-sandbox-scope=session")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "test_silent.yaml::weather, then a person: step 2 failed (say 'weather in Paris'; "
        "expect reply rich content (vertical) within 1s): not within 1s; got no agent line",
        "test_stubborn.yaml::weather, then a person: step 3 failed (say 'I want a person'; "
        "expect transfer to support-human with reason /asked for a person/ within 1s): "
        "not within 1s; got no transfer",
    ])
    assert "test_good.yaml::" not in result.stdout.str()  # the good bot's run has no failure
