"""Fixtures of the weather bot's tests: `cc_bot` runs the bot against the `cc_sandbox` fixture."""
import pytest

from helpers import running_bot


@pytest.fixture
def make_bot(cc_sandbox):
    """Start a bot (WeatherBot unless `bot_class`, settings overridden by keywords); each one
    started is stopped at the end of the test."""
    started = []

    def start(bot_class=None, **overrides):
        runner = running_bot(cc_sandbox, **({"bot_class": bot_class} if bot_class else {}), **overrides)
        started.append(runner)
        return runner.__enter__()

    yield start
    for runner in reversed(started):
        runner.__exit__(None, None, None)


@pytest.fixture
def cc_bot(make_bot):
    """The weather bot, Online as demo-bot on skill support-bot (YAML scripts use it too)."""
    return make_bot()


@pytest.fixture
def alex(cc_sandbox):
    """demo-agent ("Alex"), Online on support-human."""
    return cc_sandbox.human_agent("demo-agent")
