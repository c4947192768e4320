"""The consumer page's "Save as test script" button: it downloads the current (or last) chat as
a replayable customer script, at desktop and phone width, and says so when the sandbox no
longer has the chat. No sleeps: Playwright's expectations and download waits have deadlines."""
from pathlib import Path

import requests
import yaml

from simulator.scripts import parse_script

from tests.support.browser import PHONE, expect, no_horizontal_scroll, only_chat, start_chat
from tests.support.constants import BOT_ENGAGEMENT_ID, BOT_NAME


def _download(page) -> tuple[str, dict]:
    """Click the button; the file's suggested name and its YAML."""
    with page.expect_download() as info:
        page.get_by_role("button", name="Save as test script").click()
    download = info.value
    return download.suggested_filename, yaml.safe_load(Path(download.path()).read_text(encoding="utf-8"))


def _chat_with_the_bot(page) -> None:
    start_chat(page, BOT_ENGAGEMENT_ID)
    bot_lines = page.locator("#transcript .msg.bot")
    expect(bot_lines.first).to_be_visible()  # the welcome
    welcome = bot_lines.count()
    message = page.get_by_label("Message")
    message.fill("It's order 12345")
    message.press("Enter")
    expect(bot_lines).to_have_count(welcome + 1)


def test_the_button_downloads_the_chat_as_a_script(pages, live, demo_bot):
    customer = pages.open("/consumer")
    button = customer.get_by_role("button", name="Save as test script")
    expect(customer.locator("#engagement-list .engagement").first).to_be_visible()
    expect(button).to_be_hidden()  # no chat yet: nothing to save

    _chat_with_the_bot(customer)
    expect(button).to_be_visible()
    pages.shot(customer, "01-desktop-chatting")
    chat = only_chat(live)
    name, script = _download(customer)
    assert name == f"chat-{chat.id}.yaml"
    assert script["engagement"] == BOT_ENGAGEMENT_ID
    assert script["request"]["persona"]["name"] == chat.visitor.persona.name
    said = [s for s in script["steps"] if "say" in s]
    assert said[0]["say"] == "It's order 12345" and "Order 12345 has shipped" in said[0]["expect"]["matches"]
    parse_script(script)
    expect(customer.locator("#toast")).to_contain_text("Test script saved")

    # After the end (and past the survey, to a new chat's choice) it still saves that chat.
    customer.get_by_role("button", name="End chat").click()
    expect(customer.locator("#state-pill")).to_have_text("Chat ended")
    expect(button).to_be_visible()
    pages.shot(customer, "02-desktop-ended")
    customer.get_by_role("button", name="Skip").click()
    customer.get_by_role("button", name="Start a new chat").click()
    expect(customer.locator("#engagement-list .engagement").first).to_be_visible()
    expect(button).to_be_visible()
    pages.shot(customer, "03-desktop-new-chat-choice")
    name, script = _download(customer)
    assert name == f"chat-{chat.id}.yaml" and script["steps"][-1] == {"end": True}

    # A sandbox that no longer has the chat: a message, not a downloaded error.
    assert requests.post(f"{live.url}/_sandbox/reset", timeout=10).status_code == 200
    button.click()
    expect(customer.locator("#toast")).to_contain_text(f"Could not save the test script: Chat {chat.id} was not found")
    pages.shot(customer, "04-desktop-chat-gone")


def test_the_button_fits_the_chat_head_at_phone_width(pages, live, demo_bot):
    customer = pages.open("/consumer", PHONE)
    _chat_with_the_bot(customer)
    button = customer.get_by_role("button", name="Save as test script")
    expect(button).to_be_visible()
    expect(customer.get_by_role("button", name="End chat")).to_be_visible()
    assert no_horizontal_scroll(customer)
    pages.shot(customer, "05-phone-chatting")
    name, script = _download(customer)
    assert name == f"chat-{only_chat(live).id}.yaml"
    assert any(BOT_NAME.split()[0] in str(s) for s in script["steps"])  # the bot's own words
