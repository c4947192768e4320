"""The weather bot against the sandbox: conversations and escalations, seen from the customer's
side and through the control plane (its journal, its transfer records)."""
from weather_bot import forecast
from weather_bot.bot import GOODBYE, GREETING, HANDOFF, NOT_UNDERSTOOD, UNAVAILABLE

from helpers import bot_has_let_go, start_chat

FORECAST = r"^Weather in {} today: [a-z ]+, high of \d+ °C\.$"


# --- conversations ----------------------------------------------------------------------------

def test_greets_a_new_customer(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    assert customer.wait_for_state("chatting") == "chatting"
    assert customer.info.agent_name == "Demo Bot"


def test_weather_in_a_city_gets_the_canned_forecast(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    customer.say("What's the weather in Paris?")
    line = customer.wait_for_line(FORECAST.format("Paris"))
    sky, high = forecast("Paris")
    assert line.text == f"Weather in Paris today: {sky}, high of {high} °C."


def test_the_forecast_comes_as_a_rich_card(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    customer.say("weather in lisbon")
    line = customer.wait_for_line("Weather in Lisbon", rich=True)
    card = line.rich  # the line's structured content (None for a text line)
    assert card["type"] == "vertical"
    texts = [e.get("text") for e in card["elements"] if e["type"] == "text"]
    assert texts[0] == "Weather in Lisbon"
    button = next(e for e in card["elements"] if e["type"] == "button")
    assert button["click"]["actions"][0] == {"type": "publishText", "text": "I want a person"}
    # The sandbox validated the card with json-pollock's schema and took it (201, not 400).
    sent = cc_sandbox.journal.last(operation="agentAddEvent", chat=customer.chat_id)
    assert sent["status"] == 201 and sent["body"]["event"]["textType"] == "rich-content"


def test_the_cards_button_reaches_a_person(cc_sandbox, cc_bot, alex):
    customer = start_chat(cc_sandbox)
    customer.say("weather in Rome")
    card = customer.wait_for_line("Weather in Rome", rich=True).rich
    tapped = next(e for e in card["elements"] if e["type"] == "button")["click"]["actions"][0]["text"]
    customer.say(tapped)  # what json-pollock publishes when the button is tapped
    transfer = cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-human")
    assert "asked for a person" in transfer["reason"]


def test_each_city_gets_its_own_forecast(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    for city in ("Oslo", "Cairo", "Oslo"):
        customer.say(f"weather in {city}")
        sky, high = forecast(city)
        assert customer.wait_for_line(FORECAST.format(city)).text.endswith(f"{sky}, high of {high} °C.")
    assert forecast("Oslo") != forecast("Cairo")


def test_bye_ends_the_chat(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    customer.say("Thanks, bye!")
    assert customer.wait_for_line("Goodbye").text == GOODBYE
    assert customer.wait_for_state("ended") == "ended"
    ended = cc_sandbox.journal.last(operation="agentAddEvent", chat=customer.chat_id)
    assert ended["body"]["event"] == {"@type": "state", "state": "ended"}
    bot_has_let_go(cc_sandbox, cc_bot, customer.chat_id)


def test_two_customers_at_once_get_their_own_answers(cc_sandbox, cc_bot):
    ana, ben = start_chat(cc_sandbox), start_chat(cc_sandbox)
    ana.say("weather in Madrid")
    ben.say("weather in Tokyo")
    assert ben.wait_for_line("Weather in").text.startswith("Weather in Tokyo")
    assert ana.wait_for_line("Weather in").text.startswith("Weather in Madrid")
    ben.say("bye")
    ben.wait_for_state("ended")
    ana.say("weather in Quito")
    assert ana.wait_for_line("Weather in").text.startswith("Weather in Quito")
    assert cc_sandbox.journal.count(operation="acceptChat", status=201) == 2


def test_one_misunderstood_line_gets_help_not_a_person(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    customer.say("flibbertigibbet")
    assert customer.wait_for_line("didn't get that").text == NOT_UNDERSTOOD
    customer.say("weather in Lima")
    customer.wait_for_line("Weather in Lima")
    customer.say("zxcvb")  # understood in between: the count starts again
    assert customer.wait_for_line("didn't get that").text == NOT_UNDERSTOOD
    assert cc_sandbox.journal.count(operation="getTransferSkills") == 0
    assert cc_sandbox.journal.count(operation="transferChat") == 0


# --- escalation ---------------------------------------------------------------------------------

def test_asking_for_a_person_transfers_with_a_reason(cc_sandbox, cc_bot, alex):
    customer = start_chat(cc_sandbox)
    customer.say("Can I talk to a person please?")
    assert customer.wait_for_line("connecting you").text == HANDOFF
    transfer = cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-human")
    assert (transfer["from_skill"], transfer["skill"], transfer["skill_name"]) == (
        "2001001", "2001002", "support-human")  # from support-bot
    assert transfer["reason"] == 'The customer asked for a person: "Can I talk to a person please?"'
    bot_has_let_go(cc_sandbox, cc_bot, customer.chat_id)


def test_the_handoff_note_is_for_agents_only(cc_sandbox, cc_bot, alex):
    customer = start_chat(cc_sandbox)
    customer.say("I want a human")
    cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-human")
    note = cc_sandbox.wait("line", chat=customer.chat_id, agent_only=True, contains="Weather bot handoff")
    assert 'asked for a person: "I want a human"' in note["text"]
    transfer_line = cc_sandbox.wait("line", chat=customer.chat_id, source="system", contains="transferred")
    assert note["id"] < transfer_line["id"]  # the note comes first
    assert not [line for line in customer.transcript if "handoff" in line.text]


def test_two_misunderstood_lines_escalate(cc_sandbox, cc_bot, alex):
    customer = start_chat(cc_sandbox)
    customer.say("asdf")
    customer.wait_for_line("didn't get that")
    customer.say("qwerty uiop")
    customer.wait_for_line("connecting you")
    transfer = cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-human")
    assert "did not understand" in transfer["reason"] and "qwerty uiop" in transfer["reason"]


def test_a_person_takes_over_after_the_handoff(cc_sandbox, cc_bot, alex):
    customer = start_chat(cc_sandbox)
    customer.say("agent please")
    chat = alex.accept()
    assert chat.chat_id == customer.chat_id
    chat.say("Hi, this is Alex. How can I help?")
    line = customer.wait_for_line("this is Alex")
    assert line.by == "Alex"
    customer.say("My order is late")
    assert chat.wait_for_line("order is late").source == "visitor"
    chat.say("Let me check.")
    customer.wait_for_line("Let me check")
    # The bot let go: it neither answered "My order is late" nor kept polling the chat.
    bot_has_let_go(cc_sandbox, cc_bot, customer.chat_id)
    said_by_bot = [line.text for line in customer.transcript if line.by == "Demo Bot"]
    assert said_by_bot == [GREETING, HANDOFF]


def test_nobody_on_duty_the_bot_says_so_and_carries_on(cc_sandbox, cc_bot):
    customer = start_chat(cc_sandbox)
    customer.say("I need a human")
    assert customer.wait_for_line("nobody from our team").text == UNAVAILABLE
    assert customer.wait_for_state("chatting") == "chatting"
    customer.say("ok, weather in Dublin then")
    customer.wait_for_line("Weather in Dublin")
    assert cc_sandbox.journal.count(operation="transferChat") == 0
    assert customer.chat_id in cc_bot.chats


def test_a_refused_transfer_is_told_to_the_customer(cc_sandbox, cc_bot, alex):
    # Alex is on duty when the bot looks, but goes Away as soon as the bot's handoff note is
    # written, while its transfer call is held on the wire (500 ms): the sandbox refuses the
    # transfer (400), and the bot must tell the customer instead of crashing.
    cc_sandbox.faults.latency(ms=500, operation="transferChat", times=1)
    customer = start_chat(cc_sandbox)
    customer.say("person please")
    cc_sandbox.wait("line", chat=customer.chat_id, agent_only=True, contains="Weather bot handoff")
    alex.set_availability("Away")
    assert customer.wait_for_line("nobody from our team").text == UNAVAILABLE
    assert cc_sandbox.journal.last(operation="transferChat")["status"] == 400
    customer.say("weather in Nice")
    customer.wait_for_line("Weather in Nice")
    assert customer.wait_for_state("chatting") == "chatting"
