"""The agent workspace as an agent works in it (headless Chromium, Playwright): the visitor panel,
the ring notice, how a chat ended with the customer's rating, canned responses, filters and
search, the wrap-up survey, the agent list without a watching administrator, and the empty list's
text that follows availability. Customers are driven over the Server Chat API (the consumer
page has its own tests); every state is saved as a screenshot at 1280x800 and 390x844."""
import base64
import re

import requests

from tests.support.browser import DESKTOP, PHONE, expect, login_workspace, no_horizontal_scroll
from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_B_NAME, BOT_NAME, BOT_SKILL, DEMO_ADMIN,
                                     DEMO_AGENT, DEMO_BOT, DEMO_BOT_B, HUMAN_SKILL)
from tests.support.paths import SHOTS
from tests.support.wire import accept, agent, bearer_headers, consumer_headers, end, request_chat, say

ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/131.0.0.0 Mobile Safari/537.36")
PERSONA = {"name": "Pia Panel", "email": "pia.panel@example.com", "phone": "+351 912 345 678",
           "city": "Porto", "country": "Portugal", "ip": "203.0.113.9", "userAgent": ANDROID,
           "page": "https://shop.example.com/orders/track"}


def _prechat(live, topic="Orders", name="Pia"):
    survey = live.sb.accounts[ACCOUNT].surveys["preChat"]
    questions = sorted(survey.questions, key=lambda q: q.order)
    return {"id": survey.id, "question": [{"id": questions[0].id, "answer": name},
                                          {"id": questions[2].id, "answer": topic}]}


def _rate(live, chat_uri: str, csat: str, comment: str):
    survey = live.sb.accounts[ACCOUNT].surveys["exit"]
    rating = next(q for q in survey.questions if q.csat)
    remark = next(q for q in survey.questions if q.type == "Text Area")
    r = requests.put(f"{chat_uri}/exitSurvey", headers=consumer_headers(), json={"survey": {
        "id": survey.id, "question": [{"id": rating.id, "answer": csat}, {"id": remark.id, "answer": comment}]}})
    assert r.status_code in (200, 201), r.text


def _chat_of(live, name: str):
    """The newest chat of the customer with this name."""
    return [c for c in live.sb.chats.values() if c.visitor.persona.name == name][-1]


def _logout(ws):
    """Log out (ends this login's agent sessions, so the next ring goes to another page)."""
    ws.get_by_role("button", name="Log out").click()
    expect(ws.get_by_role("button", name="Log in")).to_be_visible()


def _accept_in_workspace(ws):
    expect(ws.locator("#ring")).to_be_visible()
    ws.get_by_role("button", name="Accept").click()
    expect(ws.locator("#pane-badges")).to_contain_text("Your chat")


def test_visitor_panel_shows_the_persona(pages, live):
    """Everything the agent may see about the customer, at desktop and at phone width; an
    Android phone's user agent is a mobile device."""
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        ws = pages.open("/workspace", viewport)
        login_workspace(ws)
        request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona=PERSONA, survey=_prechat(live),
                     customVariables={"customVariable": [{"name": "cart", "value": "3 items"}]})
        _accept_in_workspace(ws)
        panel = ws.locator("#visitor-panel")
        expect(ws.get_by_role("tab", name="Visitor")).to_have_attribute("aria-selected", "true")
        expect(panel).to_be_visible()
        expect(panel.locator("#vp-name")).to_have_text("Pia Panel")
        expect(panel.locator("#vp-email")).to_have_text("pia.panel@example.com")
        expect(panel.locator("#vp-phone")).to_have_text("+351 912 345 678")
        expect(panel.locator("#vp-city")).to_have_text("Porto")
        expect(panel.locator("#vp-country")).to_have_text("Portugal")
        expect(panel.locator("#vp-ip")).to_have_text("203.0.113.9")
        expect(panel.locator("#vp-ua")).to_have_text(ANDROID)
        expect(panel.locator("#vp-device")).to_have_text("Mobile")
        expect(panel.locator("#vp-device-badge")).to_have_text("Mobile")
        expect(panel.locator("#vp-browser")).to_have_text("Chrome 131")
        expect(panel.locator("#vp-os")).to_have_text("Android")
        expect(panel.locator("#vp-page")).to_have_text("https://shop.example.com/orders/track")
        prechat = panel.locator("#vp-prechat")
        expect(prechat).to_contain_text("What is your name?")
        expect(prechat).to_contain_text("Pia")
        expect(prechat).to_contain_text("What do you need help with?")
        expect(prechat).to_contain_text("Orders")
        expect(panel).to_contain_text("cart")
        expect(panel.locator("#vp-persona")).to_contain_text("Made up by the sandbox")
        expect(ws.locator("#pane-sub")).to_contain_text("mobile")
        chat = _chat_of(live, "Pia Panel")
        expect(panel.locator("#vp-chat-id")).to_have_text(chat.id)
        assert no_horizontal_scroll(ws)
        if label == "phone":
            panel.scroll_into_view_if_needed()
        pages.shot(ws, f"visitor-panel-{label}")
        ws.get_by_role("button", name="End chat").click()
        expect(ws.locator("#outcome")).to_contain_text("You ended the chat")
        _logout(ws)  # the next viewport's page takes the next ring


def test_a_ring_changes_title_and_favicon_and_shows_the_wait(pages, live):
    ws = pages.open("/workspace")
    login_workspace(ws)
    title = ws.title()
    favicon = ws.locator("#favicon")
    original = favicon.get_attribute("href")
    sound = ws.locator("#sound")
    expect(sound).to_have_attribute("aria-pressed", "false")
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Rory Ring"})
    ring = ws.locator("#ring")
    expect(ring).to_be_visible()
    expect(ring).to_contain_text("Rory Ring")
    expect(ws).to_have_title(re.compile(r"^\(1\) Incoming chat · "))
    expect(favicon).to_have_attribute("data-badge", "1")
    badge = favicon.get_attribute("href")
    assert badge.startswith("data:image/png;base64,")
    (SHOTS / f"{pages.prefix}-favicon-badge.png").write_bytes(base64.b64decode(badge.split(",", 1)[1]))
    wait = ws.locator("#ring-wait")
    expect(wait).to_have_text(re.compile(r"^Waiting 0:\d\d$"))
    first = wait.text_content()
    expect(wait).not_to_have_text(first)  # it keeps counting, every second
    # the optional sound: off until the agent switches it on; on, it chimes while the chat rings
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "true")
    expect(sound).to_have_attribute("data-played", re.compile(r"^[1-9]"))
    pages.shot(ws, "ringing-desktop")
    # a second chat: the count goes up
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Rita Second"})
    expect(ws).to_have_title(re.compile(r"^\(2\) Incoming chats · "))
    expect(favicon).to_have_attribute("data-badge", "2")
    ws.get_by_role("button", name="Accept").click()
    expect(ws).to_have_title(re.compile(r"^\(1\) Incoming chat · "))
    ws.get_by_role("button", name="Accept").click()
    expect(ring).to_be_hidden()
    expect(ws).to_have_title(title)
    expect(favicon).to_have_attribute("href", original)
    assert favicon.get_attribute("data-badge") is None
    sound.click()
    expect(sound).to_have_attribute("aria-pressed", "false")
    for name in ("Rita Second", "Rory Ring"):  # done with both: end them (a logout would requeue them)
        ws.locator(f'.conv[data-chat="{_chat_of(live, name).id}"]').click()
        ws.get_by_role("button", name="End chat").click()
        expect(ws.locator("#outcome")).to_contain_text("You ended the chat")
    _logout(ws)

    phone = pages.open("/workspace", PHONE)
    login_workspace(phone)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Pat Phone"})
    ring = phone.locator("#ring")
    expect(ring).to_contain_text("Pat Phone")
    expect(phone.locator("#ring-wait")).to_have_text(re.compile(r"^Waiting 0:\d\d$"))
    expect(phone).to_have_title(re.compile(r"^\(1\) Incoming chat · "))
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "ringing-phone")


def test_ended_by_and_the_customers_rating_appear(pages, live):
    ws = pages.open("/workspace")
    login_workspace(ws)
    chat_uri = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Cora Csat"})
    _accept_in_workspace(ws)
    ws.get_by_label("Message").fill("Anything else?")
    ws.get_by_label("Message").press("Enter")
    expect(ws.locator("#pane-transcript")).to_contain_text("Anything else?")
    end(chat_uri, consumer_headers())
    outcome = ws.locator("#outcome")
    expect(outcome).to_contain_text("The customer ended the chat")
    expect(outcome).to_contain_text("No exit survey yet")
    expect(ws.locator("#pane-foot")).to_contain_text("This chat has ended.")
    _rate(live, chat_uri, "4", "Quick and friendly.")
    expect(outcome.locator("#outcome-csat")).to_contain_text("4/5")
    expect(outcome.locator("#outcome-csat")).to_have_attribute("data-csat", "4")
    expect(outcome.locator(".stars")).to_have_attribute("aria-label", "4 out of 5")
    expect(outcome.locator("#outcome-comment")).to_have_text("Quick and friendly.")
    panel = ws.locator("#visitor-panel")
    expect(panel.locator("#vp-ended-by")).to_contain_text("The customer ended the chat")
    expect(panel.locator("#vp-csat")).to_have_text("4/5")
    expect(panel.locator("#vp-comment")).to_have_text("Quick and friendly.")
    pages.shot(ws, "ended-rated-desktop")

    # watched chats say who ended them too: a timeout here
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Tom Timeout"})
    _accept_in_workspace(ws)
    live.advance(45)  # the customer stays silent longer than chatTimeout
    expect(ws.locator("#outcome")).to_contain_text("timed out")
    ws.get_by_role("tab", name=re.compile("All conversations")).click()
    ws.locator(f'.conv[data-chat="{_chat_of(live, "Cora Csat").id}"]').click()
    expect(ws.locator("#outcome")).to_contain_text("4/5")

    phone = pages.open("/workspace", PHONE)
    login_workspace(phone, *DEMO_ADMIN)
    phone.get_by_role("tab", name=re.compile("All conversations")).click()
    phone.locator(f'.conv[data-chat="{_chat_of(live, "Cora Csat").id}"]').click()
    expect(phone.locator("#outcome")).to_contain_text("The customer ended the chat")
    expect(phone.locator("#outcome-comment")).to_have_text("Quick and friendly.")
    phone.locator("#outcome").scroll_into_view_if_needed()
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "ended-rated-phone")


def test_canned_response_inserts_text(pages, live):
    ws = pages.open("/workspace")
    login_workspace(ws)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Nina Canned"})
    _accept_in_workspace(ws)
    message = ws.get_by_label("Message")
    ws.get_by_role("button", name="Canned responses").click()
    picker = ws.locator("#canned")
    expect(picker).to_be_visible()
    expect(picker.locator(".canned-item")).to_have_count(len(live.sb.accounts[ACCOUNT].canned_responses))
    expect(ws.get_by_label("Filter canned responses")).to_be_focused()
    pages.shot(ws, "canned-desktop")
    picker.locator('.canned-item[data-title="Greeting"]').click()
    expect(picker).to_be_hidden()
    greeting = "Hi Nina Canned, this is Alex. How can I help you today?"
    expect(message).to_have_value(greeting)
    expect(message).to_be_focused()
    message.press("Enter")
    chat = _chat_of(live, "Nina Canned")
    expect(ws.locator("#pane-transcript")).to_contain_text(greeting)
    assert any(e.text == greeting and e.source == "agent" for e in chat.events)
    # "/" in an empty reply opens the list; typing filters it; Enter takes the first match
    message.type("/")
    expect(picker).to_be_visible()
    expect(message).to_have_value("")
    ws.keyboard.type("goodbye")
    expect(picker.locator(".canned-item")).to_have_count(1)
    ws.keyboard.press("Enter")
    expect(message).to_have_value("Thank you for chatting with us, Nina Canned. Have a great day!")
    # Escape closes without inserting
    message.fill("Also: ")
    ws.get_by_role("button", name="Canned responses").click()
    ws.keyboard.press("Escape")
    expect(picker).to_be_hidden()
    expect(message).to_have_value("Also: ")

    ws.get_by_role("button", name="End chat").click()  # done (a logout would requeue it)
    _logout(ws)
    phone = pages.open("/workspace", PHONE)
    login_workspace(phone)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Pam Phone"})
    _accept_in_workspace(phone)
    phone.get_by_role("button", name="Canned responses").click()
    expect(phone.locator("#canned")).to_be_visible()
    phone.locator("#composer").scroll_into_view_if_needed()
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "canned-phone")


def test_filters_and_search_narrow_the_list(pages, live):
    bot_bearer, bot_session = agent(live.url, ACCOUNT, *DEMO_BOT)
    human_bearer, human_session = agent(live.url, ACCOUNT, *DEMO_AGENT)
    bot_chat = request_chat(live.url, ACCOUNT, skill=BOT_SKILL, persona={"name": "Bea Botwise"})
    accept(bot_session, bot_bearer)
    say(bot_chat, consumer_headers(), "My parcel is late")
    human_chat = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Hugo Human"})
    accept(human_session, human_bearer)
    say(human_chat, consumer_headers(), "A billing question")
    ended_chat = request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Edda Ended"})
    accept(human_session, human_bearer)
    end(ended_chat, consumer_headers())
    go_away = requests.put(f"{human_session}/availability", json={"availability": {"chat": "Away"}},
                           headers=bearer_headers(human_bearer))
    assert go_away.status_code == 200, go_away.text
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Wanda Waiting"})

    ws = pages.open("/workspace")
    login_workspace(ws, *DEMO_ADMIN)
    ws.get_by_role("tab", name=re.compile("All conversations")).click()
    items = ws.locator("#conversation-list .conv")
    expect(items).to_have_count(4)
    names = lambda: [n.strip() for n in ws.locator("#conversation-list .conv .top").all_text_contents()]  # noqa: E731

    ws.get_by_label("State").select_option("waiting")
    expect(items).to_have_count(1)
    assert names() == ["Wanda Waiting"]
    expect(ws.locator("#filter-note")).to_contain_text("1 of 4 shown")
    ws.get_by_label("State").select_option("ended")
    expect(items).to_have_count(1)
    assert names() == ["Edda Ended"]
    ws.get_by_label("State").select_option("")
    ws.get_by_label("Skill", exact=True).select_option(BOT_SKILL)
    expect(items).to_have_count(1)
    assert names() == ["Bea Botwise"]
    ws.get_by_label("Skill", exact=True).select_option(HUMAN_SKILL)
    expect(items).to_have_count(3)
    ws.get_by_label("Skill", exact=True).select_option("")
    ws.get_by_label("Bot or human").select_option("bot")
    expect(items).to_have_count(1)
    assert names() == ["Bea Botwise"]
    ws.get_by_label("Bot or human").select_option("human")
    expect(items).to_have_count(3)
    ws.get_by_label("State").select_option("chatting")
    expect(items).to_have_count(1)
    assert names() == ["Hugo Human"]
    pages.shot(ws, "filters-desktop")
    ws.get_by_role("button", name="Clear").click()
    expect(items).to_have_count(4)
    expect(ws.locator("#filter-note")).to_be_hidden()

    search = ws.get_by_label("Search conversations")
    search.fill("parcel")  # the text of a line
    expect(items).to_have_count(1)
    assert names() == ["Bea Botwise"]
    search.fill("hugo")  # the visitor's name
    expect(items).to_have_count(1)
    assert names() == ["Hugo Human"]
    search.fill("nobody said this")
    expect(items).to_have_count(0)
    expect(ws.locator("#conversation-list")).to_contain_text("No conversation matches")
    pages.shot(ws, "search-nothing-desktop")
    search.fill("")
    expect(items).to_have_count(4)

    phone = pages.open("/workspace", PHONE)
    login_workspace(phone, *DEMO_ADMIN)
    phone.get_by_role("tab", name=re.compile("All conversations")).click()
    phone.get_by_label("Search conversations").fill("billing")
    expect(phone.locator("#conversation-list .conv")).to_have_count(1)
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "search-phone")


def test_wrapup_survey_submits(pages, live):
    ws = pages.open("/workspace")
    login_workspace(ws)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Walt Wrapup"})
    _accept_in_workspace(ws)
    ws.get_by_role("button", name="End chat").click()
    expect(ws.locator("#outcome")).to_contain_text("You ended the chat")
    form = ws.locator("#wrapup")
    expect(form).to_be_visible()
    resolved = form.get_by_role("radio", name="Yes")
    expect(resolved).to_be_visible()
    expect(form.get_by_role("radio")).to_have_count(2)
    assert form.locator("input:checked").count() == 0  # nothing pre-answered
    assert ws.evaluate("document.activeElement?.type") != "radio"  # and no radio has the focus
    pages.shot(ws, "wrapup-desktop")
    ws.get_by_role("button", name="Save wrap-up").click()
    expect(ws.locator("#wrapup-error")).to_have_text("Answer at least one question.")
    resolved.check()
    form.get_by_label("Notes").fill("Refund issued, order #1234.")
    ws.get_by_role("button", name="Save wrap-up").click()
    expect(form).to_be_hidden()
    expect(ws.locator("#toast")).to_contain_text("Wrap-up saved")
    expect(ws.locator("#outcome-wrapup")).to_contain_text("Was the customer's issue resolved? Yes")
    expect(ws.locator("#outcome-wrapup")).to_contain_text("Refund issued, order #1234.")
    survey = live.sb.accounts[ACCOUNT].surveys["agent"]
    resolved_q = next(q for q in survey.questions if q.label == "Was the customer's issue resolved?")
    notes_q = next(q for q in survey.questions if q.label == "Notes")
    chat = _chat_of(live, "Walt Wrapup")
    assert chat.surveys["agent"] == {resolved_q.id: ["Yes"], notes_q.id: ["Refund issued, order #1234."]}
    assert chat.end_reason == "agent"
    pages.shot(ws, "wrapup-saved-desktop")

    _logout(ws)
    phone = pages.open("/workspace", PHONE)
    login_workspace(phone)
    request_chat(live.url, ACCOUNT, skill=HUMAN_SKILL, persona={"name": "Phil Phone"})
    _accept_in_workspace(phone)
    phone.get_by_role("button", name="End chat").click()
    expect(phone.locator("#wrapup")).to_be_visible()
    phone.locator("#wrapup").scroll_into_view_if_needed()
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "wrapup-phone")


def test_the_admin_is_not_in_the_agent_list(pages, live):
    ws = pages.open("/workspace")
    login_workspace(ws, *DEMO_ADMIN)
    agents = ws.locator("#agent-list")
    expect(agents.locator(f'[data-login="{DEMO_AGENT.login}"]')).to_contain_text(AGENT_NAME)
    expect(agents.locator(f'[data-login="{DEMO_BOT.login}"]')).to_contain_text(BOT_NAME)
    expect(agents.locator(f'[data-login="{DEMO_BOT_B.login}"]')).to_contain_text(BOT_B_NAME)
    expect(agents.locator(".agent")).to_have_count(3)
    assert agents.locator(f'[data-login="{DEMO_ADMIN.login}"]').count() == 0
    expect(ws.locator("#me-note")).to_contain_text("take no chats")
    expect(ws.locator("#conversation-list")).to_contain_text("You take no chats")
    pages.shot(ws, "admin-desktop")
    phone = pages.open("/workspace", PHONE)
    login_workspace(phone, *DEMO_ADMIN)
    expect(phone.locator("#agent-list .agent")).to_have_count(3)
    phone.locator("#team-panel").scroll_into_view_if_needed()
    assert no_horizontal_scroll(phone)
    pages.shot(phone, "admin-phone")


def test_the_empty_list_follows_availability(pages, live):
    for viewport, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        ws = pages.open("/workspace", viewport)
        login_workspace(ws)
        empty = ws.locator("#conversation-list .empty")
        expect(empty).to_have_text("No chats yet. You are Online, waiting for chats.")
        pages.shot(ws, f"empty-online-{label}")
        ws.get_by_label("Availability").select_option("Away")
        expect(empty).to_have_text("No chats yet. You are Away: go Online to receive chats.")
        pages.shot(ws, f"empty-away-{label}")
        ws.get_by_label("Availability").select_option("Occupied")
        expect(empty).to_contain_text("You are Occupied")
        ws.get_by_label("Availability").select_option("Online")
        expect(empty).to_contain_text("waiting for chats")
        assert no_horizontal_scroll(ws)
        _logout(ws)
