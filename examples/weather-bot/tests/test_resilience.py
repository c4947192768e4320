"""The weather bot under LivePerson's timeouts and failures: the sandbox's clock moves them, its
fault rules inject them. `cc_bot.pauses` holds the retry pauses the bot asked for."""
import pytest

from weather_bot.bot import GREETING

from helpers import bot_has_let_go, forecast_lines, start_chat


def ask(customer, city: str):
    """Ask for a city's forecast and wait for it."""
    customer.say(f"weather in {city}")
    return customer.wait_for_line(f"Weather in {city} today")


# --- timeouts (the sandbox clock) ------------------------------------------------------------

def test_customer_leaves_mid_chat(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    ask(customer, "Berlin")
    customer.end()
    assert customer.wait_for_state("ended") == "ended"
    bot_has_let_go(cc_sandbox, cc_bot, customer.chat_id)  # and never wrote into the closed chat
    ask(start_chat(cc_sandbox), "Vienna")  # and serves the next customer


def test_visitor_timeout_ends_the_chat_and_the_bot_lets_go(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    ask(customer, "Prague")
    cc_sandbox.advance(41)  # the customer stopped polling for longer than 40 s
    assert customer.wait_for_state("ended") == "ended"
    cc_sandbox.wait("line", chat=customer.chat_id, source="system", contains="disconnected")
    bot_has_let_go(cc_sandbox, cc_bot, customer.chat_id)
    ask(start_chat(cc_sandbox), "Warsaw")


@pytest.mark.cc_sandbox(config="configs/backup_human.yaml")
def test_a_chat_the_bot_cannot_take_rings_out_to_the_next_agent(cc_sandbox, cc_bot):
    bot_session = cc_bot.session.rsplit("/", 1)[-1]  # the bot sees the ring but cannot take it
    cc_sandbox.faults.error(503, operation="acceptChat", path=f"/agentSession/{bot_session}/")
    cc_sandbox.advance(1)  # the frozen clock would make the bot and Alex Online equally long
    alex = cc_sandbox.human_agent("demo-agent")  # also on support-bot, Online after the bot
    customer = cc_sandbox.customer(skill="support-bot")
    cc_sandbox.wait("journal_count", operation="acceptChat", status=503)  # it rang at the bot
    with pytest.raises(AssertionError):
        alex.accept(timeout=0.2)  # not at Alex, before the ring timeout
    cc_sandbox.advance(31)  # past the 30 s ring timeout
    chat = alex.accept()
    assert chat.chat_id == customer.chat_id
    chat.say("Hi, Alex here.")
    assert customer.wait_for_line("Alex here").by == "Alex"
    assert cc_sandbox.journal.count(operation="acceptChat", status=201) == 1  # Alex's only
    assert cc_bot.chats == {}


# --- login and session loss ------------------------------------------------------------------

def test_token_expiry_mid_chat_logs_in_again_and_carries_on(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.bearer_expired(operation="agentGetEvents", times=1)
    cc_sandbox.wait("journal_count", operation="login", at_least=2)
    ask(customer, "Oslo")
    assert cc_sandbox.journal.count(operation="login") == 2
    assert cc_sandbox.journal.count(operation="startAgentSession") == 2
    assert cc_sandbox.journal.count(operation="agentGetEvents", status=401) == 1
    greetings = [line for line in customer.transcript if line.text == GREETING]
    assert len(greetings) == 1  # the same chat came back: no second hello
    assert len(forecast_lines(customer, "Oslo")) == 1


def test_a_kicked_session_is_replaced_and_the_chat_continues(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    old = cc_bot.session
    cc_sandbox.faults.session_kicked(operation="getIncomingRequests", times=1)
    cc_sandbox.wait("journal_count", operation="startAgentSession", at_least=2)
    cc_sandbox.wait("availability", agent="demo-bot", availability="Online")
    ask(customer, "Athens")
    assert cc_bot.session != old
    assert cc_sandbox.journal.count(operation="login") == 1  # the login was fine: no new one
    assert cc_sandbox.journal.count(operation="setAvailability") == 2
    assert [line.text for line in customer.transcript].count(GREETING) == 1


# --- throttling and server errors ------------------------------------------------------------

def test_429_storm_honours_retry_after(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.rate_limit(retry_after=2, operation="agentGetEvents", times=3)
    ask(customer, "Seoul")
    assert cc_bot.pauses == [2.0, 2.0, 2.0]
    assert cc_sandbox.journal.count(operation="agentGetEvents", status=429) == 3


def test_429_with_retry_after_zero_still_waits_a_second(cc_sandbox, cc_bot):
    cc_sandbox.faults.rate_limit(retry_after=0, operation="getIncomingRequests", times=6)
    customer = start_chat(cc_sandbox)  # served once the storm is over
    ask(customer, "Delhi")
    # LivePerson: at least 1 s; after 3 retries the round fails (a longer pause), then 2 more.
    assert cc_bot.pauses == [1.0, 1.0, 1.0, 120.0, 1.0, 1.0]
    assert cc_sandbox.journal.count(operation="getIncomingRequests", status=429) == 6


def test_server_errors_are_retried_and_the_line_goes_out_once(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.error(503, operation="agentAddEvent", times=2)
    ask(customer, "Nairobi")
    assert cc_bot.pauses == [5.0, 10.0]  # LivePerson's 5 s, then 10 s
    assert len(forecast_lines(customer, "Nairobi")) == 1
    assert cc_sandbox.journal.count(operation="agentAddEvent", status=503) == 2


def test_an_outage_longer_than_the_retries_is_survived(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.error(500, operation="agentGetEvents", times=5)
    ask(customer, "Accra")
    assert cc_bot.pauses == [5.0, 10.0, 15.0, 120.0, 5.0]  # 3 retries, a longer pause, again
    assert cc_sandbox.journal.count(operation="login") == 1


def test_a_refused_login_is_not_retried(cc_sandbox, make_bot):
    bot = make_bot(password="not-the-password", online=False)
    bot.thread.join(5)  # it gives up by itself
    assert not bot.thread.is_alive()
    assert cc_sandbox.journal.count(operation="login") == 1
    assert cc_sandbox.journal.last(operation="login")["status"] == 401
    assert cc_sandbox.journal.count(operation="startAgentSession") == 0
    assert bot.pauses == []


# --- connections and answers -----------------------------------------------------------------

def test_a_dropped_poll_is_retried(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.drop(operation="agentGetEvents", times=1)
    ask(customer, "Hanoi")
    dropped = cc_sandbox.journal.entries(operation="agentGetEvents", fault=True)
    assert len(dropped) == 1 and dropped[0]["fault"]["kind"] == "drop"
    assert cc_bot.pauses == [5.0]


def test_a_dropped_line_is_not_sent_twice(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.drop(operation="agentAddEvent", times=1)
    customer.say("weather in Lima")
    cc_sandbox.wait("journal_count", operation="agentAddEvent", fault=True)
    customer.say("weather in Lima?")  # the customer asks again
    customer.wait_for_line("Weather in Lima today")
    cards = [e for e in cc_sandbox.journal.entries(operation="agentAddEvent", chat=customer.chat_id)
             if e["body"]["event"].get("textType") == "rich-content"]
    assert [e["fault"] and e["fault"]["kind"] for e in cards] == ["drop", None]  # one try each
    assert len(forecast_lines(customer, "Lima")) == 1
    assert cc_bot.pauses == [120.0]  # not repeated: the round failed, no retry


def test_a_slow_answer_beyond_the_timeout_is_retried_when_safe(cc_sandbox, make_bot):
    bot = make_bot(timeout=1.0)  # seconds a call may take
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.latency(ms=1500, operation="agentGetEvents", times=1)
    ask(customer, "Manila")
    assert cc_sandbox.journal.count(operation="agentGetEvents", fault=True) == 1
    assert bot.pauses == [5.0]


def test_latency_on_every_line_only_slows_the_bot(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    cc_sandbox.faults.latency(ms=100, operation="agentAddEvent")
    ask(customer, "Riga")
    customer.say("bye")
    customer.wait_for_state("ended")
    slow = cc_sandbox.journal.entries(operation="agentAddEvent", fault=True)
    assert len(slow) == 3 and all(e["ms"] >= 100 for e in slow)
    assert cc_bot.pauses == []


def test_an_empty_answer_to_a_poll_is_retried(cc_sandbox, cc_bot):
    cc_sandbox.faults.empty(operation="getIncomingRequests", times=2)
    customer = start_chat(cc_sandbox)
    ask(customer, "Lagos")
    assert cc_sandbox.journal.count(operation="getIncomingRequests", fault=True) == 2
    assert cc_bot.pauses == [5.0, 10.0]


# --- the journal as a witness ------------------------------------------------------------------

def test_journal_a_whole_chat_costs_what_it_should(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    ask(customer, "Paris")
    customer.say("bye")
    customer.wait_for_state("ended")
    count = cc_sandbox.journal.count
    assert count(operation="apiOneService") == 1  # one Domain API lookup (agentVep)
    assert count(operation="login") == 1
    assert count(operation="startAgentSession") == 1
    assert count(operation="setAvailability") == 1
    assert count(operation="acceptChat") == 1
    assert count(operation="agentAddEvent", chat=customer.chat_id) == 4  # hello, card, bye, end
    assert count(operation="transferChat") == 0 and count(operation="getChatSessions") == 0
    tunnelled = cc_sandbox.journal.last(operation="setAvailability")
    assert tunnelled["method"] == "PUT" and "NC=true" in tunnelled["query"]


def test_the_bot_logs_out_when_stopped(cc_sandbox, cc_bot):
    cc_bot.stop()
    cc_sandbox.wait("journal_count", operation="logout")
    assert cc_sandbox.wait("availability", agent="demo-bot", availability="Offline")
