"""The browser pages in headless Chromium (Playwright): the consumer page and the agent workspace.

A customer chats with the demo bot (the rules brain), a human agent watches it live in a second
browser context, the customer asks for an agent, the bot transfers the chat with a reason, the
human accepts it, reads the whole history and replies, the customer ends the chat and rates it.
Other tests: hostile text, a 10,000-character line and a burst of 200 lines, at phone width; the
keyboard alone. Every page state is saved as a screenshot under test-artifacts/screenshots/.
No sleeps: Playwright's expectations wait (up to EXPECT_MS) for what they check.
"""
import re

import requests

from tests.support.browser import (DESKTOP, PHONE, expect, login_workspace, no_horizontal_scroll, only_chat,
                                   start_chat)
from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_ENGAGEMENT_ID, BOT_NAME, BOT_SKILL, DEMO_ADMIN,
                                     DEMO_AGENT, DEMO_BOT, HUMAN_ENGAGEMENT_ID, HUMAN_SKILL)
from tests.support.wire import accept, agent, bearer_headers, consumer_headers, end, say

XSS_LINE = '<img src=x onerror="window.__xss=1">'


def test_customer_bot_escalation_to_human(pages, live, demo_bot):
    """The whole journey at 1280x800, watched live, escalated, answered, ended and rated."""
    # The human agent logs in (Login Service, agent session, Online) and watches the account live.
    ws = pages.open("/workspace")
    pages.shot(ws, "01-workspace-login")
    login_workspace(ws)
    agents = ws.locator("#agent-list")
    expect(agents.locator(f'[data-login="{DEMO_BOT.login}"]')).to_contain_text("Bot")
    expect(agents.locator(f'[data-login="{DEMO_BOT.login}"]')).to_contain_text("Online")
    expect(agents.locator(f'[data-login="{DEMO_AGENT.login}"]')).to_contain_text("Human")
    expect(agents.locator(f'[data-login="{DEMO_AGENT.login}"]')).to_contain_text("Online")
    expect(ws.locator("#queue-list")).to_contain_text(BOT_SKILL)
    pages.shot(ws, "02-workspace-online")

    # The customer chooses the bot engagement, edits the persona, answers the pre-chat survey.
    customer = pages.open("/consumer")
    bot_engagement = customer.locator(f'[data-engagement="{BOT_ENGAGEMENT_ID}"]')
    expect(bot_engagement).to_contain_text("Chat with the bot")
    expect(bot_engagement).to_contain_text(f"skill {BOT_SKILL}")
    expect(bot_engagement).to_contain_text("Live chat support")  # the campaign
    expect(bot_engagement).to_contain_text("Agent available now")
    expect(customer.locator(f'[data-engagement="{HUMAN_ENGAGEMENT_ID}"]')).to_contain_text(f"skill {HUMAN_SKILL}")
    expect(customer.get_by_label("Name", exact=True)).not_to_have_value("")
    customer.get_by_label("Name", exact=True).fill("Dana Tester")
    customer.get_by_label("City").fill("Lisbon")
    assert no_horizontal_scroll(customer)
    pages.shot(customer, "03-consumer-engagements")
    bot_engagement.click()
    customer.get_by_role("button", name="Continue").click()
    expect(customer.get_by_label("What is your name?")).to_have_value("Dana Tester")
    customer.get_by_label("What do you need help with?").select_option("Orders")
    pages.shot(customer, "04-consumer-prechat")
    customer.get_by_role("button", name="Start chat").click()

    # The bot takes the chat and greets; the customer talks with it (Enter sends).
    transcript = customer.locator("#transcript")
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    expect(customer.locator("#status-bar")).to_contain_text(BOT_NAME)
    bot_lines = transcript.locator(".msg.bot")
    expect(bot_lines.first).to_be_visible()  # the bot's welcome
    welcome = bot_lines.count()
    message = customer.get_by_label("Message")
    expect(message).to_be_focused()
    message.fill("Hello")
    message.press("Enter")
    expect(transcript.locator(".msg.mine")).to_contain_text("Hello")
    expect(bot_lines).to_have_count(welcome + 1)  # the bot answered
    expect(transcript.locator(".msg.bot img").first).to_have_attribute("src", "/static/img/bot.svg")
    pages.shot(customer, "05-consumer-chatting-with-bot")
    chat = only_chat(live)
    assert chat.visitor.persona.city == "Lisbon" and chat.surveys["preChat"]

    # The workspace shows that conversation live, without a reload, with the customer's typing.
    ws.get_by_role("tab", name=re.compile("All conversations")).click()
    item = ws.locator(f'.conv[data-chat="{chat.id}"]')
    expect(item).to_contain_text("Dana Tester")
    expect(item).to_contain_text(BOT_SKILL)
    expect(item).to_contain_text("Chatting")
    item.click()
    pane = ws.locator("#pane-transcript")
    expect(pane).to_contain_text("Hello")
    expect(pane.locator(".msg.bot")).to_have_count(welcome + 1)
    expect(ws.locator("#pane-badges")).to_contain_text("Watching live")
    message.fill("Where is my ord")  # typing, not sent yet
    expect(ws.locator("#pane-typing")).to_contain_text("Dana Tester is typing")
    message.fill("Where is my order?")
    message.press("Enter")
    expect(pane).to_contain_text("Where is my order?")
    expect(pane.locator(".msg.bot")).to_have_count(welcome + 2)
    expect(bot_lines).to_have_count(welcome + 2)
    expect(ws.locator("#pane-typing")).to_be_empty()
    pages.shot(ws, "06-workspace-watching-bot-chat")

    # The customer asks for an agent: the bot hands off to support-human with a reason.
    message.fill("I want to talk to an agent")
    message.press("Enter")
    expect(customer.locator("#state-pill")).to_have_text("Transferring…")
    expect(customer.locator("#status-bar")).to_contain_text(HUMAN_SKILL)
    pages.shot(customer, "07-consumer-transferring")
    ring = ws.locator("#ring")
    expect(ring).to_be_visible()
    expect(ring).to_contain_text("Dana Tester")
    expect(ring).to_contain_text("transferred by Demo Bot")
    expect(ws.locator("#queue-list")).to_contain_text("ringing Alex")
    expect(ws.locator("#pane-info")).to_contain_text("Demo Bot → support-human")
    pages.shot(ws, "08-workspace-ringing")

    # The human accepts and reads the whole history: the bot's part and the transfer reason.
    ws.get_by_role("button", name="Accept").click()
    expect(ring).to_be_hidden()
    expect(ws.locator("#pane-badges")).to_contain_text("Your chat")
    expect(pane.locator(".msg.bot").first).to_be_visible()
    expect(pane).to_contain_text("Where is my order?")
    reason = chat.transfers[-1].text
    assert reason and chat.transfers[-1].from_agent_name == BOT_NAME
    note = pane.locator(".msg.note")
    expect(note).to_contain_text(reason)
    expect(note).to_contain_text("note for agents")
    expect(pane).to_contain_text("transferred to support-human")
    expect(ws.locator("#pane-info")).to_contain_text(f"reason: {reason}")
    expect(ws.get_by_role("tab", name=re.compile("My chats"))).to_have_attribute("aria-selected", "true")
    expect(ws.locator(f'#agent-list [data-login="{DEMO_AGENT.login}"]')).to_contain_text("1/3 chats")
    ws.get_by_label("Message").fill("Hi Dana, Alex here. Let me check your order.")
    ws.get_by_label("Message").press("Enter")
    expect(pane).to_contain_text("Alex here")
    pages.shot(ws, "09-workspace-chatting")

    # The customer sees the human's reply, with name and picture.
    expect(transcript).to_contain_text("Alex here")
    alex_line = transcript.locator(".msg.theirs").filter(has_text="Alex here")
    expect(alex_line.locator(".who")).to_have_text(AGENT_NAME)
    expect(alex_line.locator("img")).to_have_attribute("src", "/static/img/agent.svg")
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    expect(customer.locator("#chat-title")).to_have_text(AGENT_NAME)

    # Hostile text is shown as text on both pages and runs nothing.
    message.fill(XSS_LINE)
    message.press("Enter")
    expect(transcript.locator(".msg.mine").last).to_contain_text(XSS_LINE)
    expect(pane.locator(".msg.visitor").last).to_contain_text(XSS_LINE)
    for page in (customer, ws):
        assert page.evaluate("window.__xss") is None
        assert page.locator('img[src="x"]').count() == 0
    pages.shot(customer, "10-consumer-chatting-with-human")

    # The customer ends the chat and answers the exit survey (CSAT 1-5, resolved, a comment).
    customer.get_by_role("button", name="End chat").click()
    expect(customer.locator("#state-pill")).to_have_text("Chat ended")
    expect(customer.get_by_role("radio", name="5 - Very satisfied")).to_be_visible()
    expect(customer.get_by_role("radio")).to_have_count(7)  # CSAT 1-5, then resolved Yes / No
    pages.shot(customer, "11-consumer-exit-survey")
    customer.get_by_role("radio", name="4", exact=True).check()
    customer.get_by_role("radio", name="Yes", exact=True).check()
    customer.get_by_label("Anything else you would like to tell us?").fill("Alex was quick.")
    customer.get_by_role("button", name="Submit feedback").click()
    expect(customer.get_by_role("heading", name="Thank you!")).to_be_visible()
    pages.shot(customer, "12-consumer-thanks")
    exit_survey = live.sb.accounts[ACCOUNT].surveys["exit"]
    csat = next(q for q in exit_survey.questions if q.csat)
    resolved = next(q for q in exit_survey.questions if q.fcr)
    comment = next(q for q in exit_survey.questions if q.type == "Text Area")
    assert chat.surveys["exit"] == {csat.id: ["4"], resolved.id: ["Yes"], comment.id: ["Alex was quick."]}
    assert live.sb.analytics.records[chat.id].resolved is True  # the consumer's own answer

    # The workspace shows the end, live and in the agent's own chat.
    expect(ws.locator("#pane-badges")).to_contain_text("Ended")
    expect(ws.locator("#pane-foot")).to_contain_text("This chat has ended.")
    expect(ws.get_by_label("Message")).to_be_hidden()
    expect(ws.locator(f'#agent-list [data-login="{DEMO_AGENT.login}"]')).to_contain_text("0/3 chats")
    pages.shot(ws, "13-workspace-ended")
    assert chat.state == "ended" and chat.end_reason == "visitor"


def _chat_with_agent(pages, live, viewport):
    """A customer on the human engagement at `viewport`, answered by demo-agent over the API."""
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    customer = pages.open("/consumer", viewport)
    expect(customer.locator(f'[data-engagement="{HUMAN_ENGAGEMENT_ID}"]')).to_contain_text("Agent available now")
    assert no_horizontal_scroll(customer)
    pages.shot(customer, "00-consumer-engagements")
    start_chat(customer, HUMAN_ENGAGEMENT_ID)
    expect(customer.locator("#state-pill")).to_have_text("Waiting in queue")
    chat_url = accept(session_url, bearer)
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    return customer, bearer, chat_url


def test_long_line_burst_and_html_at_phone_width(pages, live):
    """A 10,000-character line, an html line with a script in it and 200 lines in a burst:
    both pages (one at phone width, one at 1280x800) stay whole and show the newest line."""
    watcher = pages.open("/workspace", PHONE)
    pages.shot(watcher, "00-workspace-login")
    login_workspace(watcher, *DEMO_ADMIN)
    customer, bearer, chat_url = _chat_with_agent(pages, live, PHONE)
    chat = only_chat(live)
    watcher.get_by_role("tab", name=re.compile("All conversations")).click()
    watcher.locator(f'.conv[data-chat="{chat.id}"]').click()
    pane = watcher.locator("#pane-transcript")
    expect(pane).to_contain_text("You are now chatting with Alex")
    pages.shot(customer, "01-consumer-phone-chatting")

    long_word = "x" * 10_000
    say(chat_url, bearer_headers(bearer), long_word, textType="plain")
    html = ("<p dir='ltr' style='direction: ltr; text-align: left;'>Your order <b>shipped</b>"
            "<img src=x onerror=\"window.__xss=2\"><script>window.__xss=3</script></p>")
    say(chat_url, bearer_headers(bearer), html, textType="html")
    transcript = customer.locator("#transcript")
    expect(transcript.locator("b", has_text="shipped")).to_be_visible()
    expect(pane.locator("b", has_text="shipped")).to_be_visible()
    for page in (customer, watcher):
        assert page.evaluate("window.__xss") is None
        assert page.locator("#transcript img[src='x'], #pane-transcript img[src='x'], script:not([src])").count() == 0
        assert no_horizontal_scroll(page)
    box = transcript.locator(".msg").filter(has_text="xxxxxxxx").locator(".bubble").bounding_box()
    assert box["width"] <= PHONE["width"], box
    pages.shot(customer, "02-consumer-phone-long-line")

    with requests.Session() as http:
        for n in range(1, 201):
            say(chat_url, bearer_headers(bearer), f"burst line {n}", http, textType="plain")
    expect(transcript.locator(".msg").filter(has_text="burst line 200")).to_be_in_viewport()
    assert transcript.locator(".msg", has_text="burst line").count() == 200  # the chat window is complete
    expect(pane.locator("li").filter(has_text="burst line 200")).to_be_visible()
    assert pane.locator("li").count() <= 201  # the live view caps what it draws per chat
    expect(pane.locator(".omitted")).to_contain_text("earlier events not shown")
    for page in (customer, watcher):
        assert no_horizontal_scroll(page)
    pages.shot(customer, "03-consumer-phone-burst")
    pages.shot(watcher, "04-workspace-phone-burst")

    # The customer still works: a line goes out and the agent ends the chat.
    message = customer.get_by_label("Message")
    message.fill("Thanks, that was a lot")
    message.press("Enter")
    expect(pane).to_contain_text("Thanks, that was a lot")
    end(chat_url, bearer_headers(bearer))
    expect(customer.locator("#state-pill")).to_have_text("Chat ended")
    expect(customer.get_by_role("radio", name="1 - Very dissatisfied")).to_be_visible()
    assert no_horizontal_scroll(customer)
    pages.shot(customer, "05-consumer-phone-survey")
    desktop = pages.open("/workspace", DESKTOP)
    pages.shot(desktop, "06-workspace-login-desktop")


def test_keyboard_only_and_waiting_in_queue(pages, live):
    """Keyboard alone: choose an engagement, start, type and send with Enter; with nobody on duty
    the customer waits in the queue, which the workspace shows per skill."""
    customer = pages.open("/consumer")
    expect(customer.locator(".engagement").first).to_be_visible()
    human = customer.locator(f'[data-engagement="{HUMAN_ENGAGEMENT_ID}"]')
    expect(human).to_contain_text("Nobody online")
    customer.locator(".engagement").first.focus()
    customer.keyboard.press("ArrowDown")
    expect(human).to_be_focused()
    expect(human).to_have_attribute("aria-checked", "true")
    customer.keyboard.press("Enter")  # straight on to the pre-chat survey
    expect(customer.get_by_label("What is your name?")).to_be_focused()
    for _ in range(4):  # email, help topic, Back, Start chat
        customer.keyboard.press("Tab")
    expect(customer.get_by_role("button", name="Start chat")).to_be_focused()
    customer.keyboard.press("Enter")
    expect(customer.locator("#state-pill")).to_have_text("Waiting in queue")
    expect(customer.locator("#transcript")).to_contain_text("All of our agents are currently busy")
    message = customer.get_by_label("Message")
    expect(message).to_be_focused()
    customer.keyboard.type("Is anyone there?")
    customer.keyboard.press("Enter")
    expect(customer.locator("#transcript .msg.mine")).to_contain_text("Is anyone there?")
    expect(customer.locator("#transcript .msg.mine .meta")).not_to_contain_text("sending")
    expect(message).to_have_value("")
    pages.shot(customer, "01-consumer-waiting-in-queue")
    chat = only_chat(live)
    assert chat.state == "waiting" and chat.events[-1].text == "Is anyone there?"

    watcher = pages.open("/workspace")
    login_workspace(watcher, *DEMO_ADMIN)
    queue = watcher.locator(f'#queue-list [data-skill="{HUMAN_SKILL}"]')
    expect(queue).to_contain_text("1 waiting")
    expect(queue).to_contain_text(chat.visitor.persona.name)
    watcher.get_by_role("tab", name=re.compile("All conversations")).click()
    expect(watcher.locator(f'.conv[data-chat="{chat.id}"]')).to_contain_text("Waiting in queue")
    pages.shot(watcher, "02-workspace-queue")

    # The customer gives up: the chat leaves the queue, live.
    customer.get_by_role("button", name="End chat").click()
    expect(customer.locator("#state-pill")).to_have_text("Chat ended")
    expect(queue).to_contain_text("0 waiting")
    customer.get_by_role("button", name="Skip").click()
    expect(customer.get_by_role("button", name="Start a new chat")).to_be_focused()
    customer.keyboard.press("Enter")
    expect(customer.locator(f'[data-engagement="{BOT_ENGAGEMENT_ID}"]')).to_be_visible()


def test_pages_are_linked_and_served_locally(live):
    """The home page links the pages and the API reference; the Socket.IO client comes from node_modules."""
    home = requests.get(live.url + "/")
    assert 'href="/consumer"' in home.text and 'href="/workspace"' in home.text and 'href="/docs"' in home.text
    for path in ("/consumer", "/workspace"):
        r = requests.get(live.url + path)
        assert r.status_code == 200 and "text/html" in r.headers["Content-Type"]
        assert "script-src 'self'" in r.headers["Content-Security-Policy"]
        assert "http://" not in r.text and "https://" not in r.text  # nothing from elsewhere
    js = requests.get(live.url + "/vendor/socket.io.min.js")
    assert js.status_code == 200, "node_modules is missing: run npm ci"
    assert "socket.io" in js.text[:300].lower() or "engine.io" in js.text.lower()
    assert requests.get(live.url + "/vendor/../package.json").status_code == 404
    r = requests.get(f"{live.url}/_sandbox/accounts/{ACCOUNT}/engagements", headers=consumer_headers())
    assert [e["engagementId"] for e in r.json()["engagements"]] == [BOT_ENGAGEMENT_ID, HUMAN_ENGAGEMENT_ID]
