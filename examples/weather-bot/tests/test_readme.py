"""The example of the sandbox's README ("Testing your bot"), kept here so it stays true."""
import threading

import pytest

from weather_bot import Settings, WeatherBot  # your bot: plain requests, no sandbox imports


@pytest.fixture
def readme_bot(cc_sandbox):  # the README calls it cc_bot; this project's own is in conftest.py
    bot = WeatherBot(Settings(domain=cc_sandbox.domain, account=cc_sandbox.account, scheme="http",
                              username="demo-bot", password="demo-bot-pass", poll=0.02))
    thread = threading.Thread(target=bot.run, daemon=True)
    thread.start()
    cc_sandbox.wait("availability", agent="demo-bot", availability="Online")
    yield bot
    bot.stop()
    thread.join(10)


def test_a_person_takes_over(cc_sandbox, readme_bot):
    alex = cc_sandbox.human_agent("demo-agent")
    customer = cc_sandbox.customer(skill="support-bot")
    customer.wait_for_line("weather bot")
    customer.say("agent please")
    customer.wait_for_line("connecting you")
    assert "asked for a person" in cc_sandbox.wait("transfer", chat=customer.chat_id)["reason"]
    alex.accept().say("Hi, Alex here")
    assert customer.wait_for_line("Alex here").by == "Alex"
    assert cc_sandbox.journal.count(operation="transferChat") == 1
