"""Helpers of the weather bot's tests: run a bot on a thread against a cc_sandbox fixture, start
a chat, and ask the journal whether the bot has let go of one."""
import threading
from contextlib import contextmanager

from weather_bot import Settings, WeatherBot
from weather_bot.bot import GREETING

POLL = 0.02  # seconds between the bot's rounds: the sandbox is local


@contextmanager
def running_bot(cc_sandbox, bot_class=WeatherBot, online=True, **overrides):
    """The bot, Online as demo-bot; stopped (and logged out) afterwards. `bot.pauses` records
    every retry pause it asked for (they are not waited: tests stay fast); `online=False`
    does not wait for it to be Online."""
    pauses: list[float] = []
    settings = Settings(domain=cc_sandbox.domain, account=cc_sandbox.account, username="demo-bot",
                        password="demo-bot-pass", scheme=cc_sandbox.url.split("://")[0],
                        verify=cc_sandbox.verify, poll=POLL, timeout=10.0, pause=pauses.append)
    for key, value in overrides.items():
        setattr(settings, key, value)
    bot = bot_class(settings)
    bot.pauses = pauses
    bot.thread = thread = threading.Thread(target=bot.run, name="weather-bot", daemon=True)
    thread.start()
    try:
        if online:
            cc_sandbox.wait("availability", agent="demo-bot", availability="Online")
        yield bot
    finally:
        bot.stop()
        thread.join(10)
    assert not thread.is_alive(), "the bot did not stop within 10 s"


def start_chat(cc_sandbox, **request):
    """A customer on support-bot, greeted by the bot."""
    customer = cc_sandbox.customer(skill="support-bot", **request)
    line = customer.wait_for_line("weather bot")
    assert (line.text, line.by) == (GREETING, "Demo Bot")
    return customer


def forecast_lines(customer, city: str) -> list:
    """The forecast lines for `city` the customer has seen so far."""
    return [line for line in customer.transcript if line.text.startswith(f"Weather in {city} today")]


def bot_has_let_go(cc_sandbox, bot, chat_id: str) -> None:
    """The bot no longer polls `chat_id`: three rounds on, its poll count stays put for three more."""
    def three_rounds():
        rounds = cc_sandbox.journal.count(operation="getIncomingRequests")
        cc_sandbox.wait("journal_count", at_least=rounds + 3, operation="getIncomingRequests")
    three_rounds()  # it has read what ended its part in the chat
    before = cc_sandbox.journal.count(operation="agentGetEvents", chat=chat_id)
    three_rounds()
    assert cc_sandbox.journal.count(operation="agentGetEvents", chat=chat_id) == before
    assert chat_id not in bot.chats
    refused = [e for e in cc_sandbox.journal.entries(api="chat_agent", chat=chat_id)
               if e["status"] and e["status"] >= 400]
    assert refused == []  # it stopped by itself, not because the chat was closed to it
