"""Rich content in the browser (Playwright, Debian's Chromium, the set-up of tests/support/browser.py):
structured content drawn by json-pollock on the consumer page and in the agent workspace, under
the pages' CSP with no violation; buttons that send their text (the bot answers) and open http(s)
links in a new tab without an opener; quick replies; a hostile card that renders harmlessly.
Screenshots at 1280x800 and 390x844 in test-artifacts/screenshots/."""
import re

import pytest

from tests.support.browser import (DESKTOP, PHONE, expect, login_workspace, no_horizontal_scroll, only_chat,
                                   start_chat)
from tests.support.constants import ACCOUNT, BOT_ENGAGEMENT_ID, DEMO_ADMIN, DEMO_BOT
from tests.support.wire import accept, agent, bearer_headers, post_event

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
# Every CSP violation of a page (and of pages it opens) is kept in window.__csp.
CSP_WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sample || ''}`));"""
MARKUP = '<img src=x onerror="window.__xss=1"><b>bold?</b><script>window.__xss=2</script>'


def open_page(pages, path, viewport=DESKTOP):
    """Pages.open with the CSP watch installed before the page's first script, and the
    console's CSP complaints collected as errors too."""
    return pages.open(path, viewport, init_script=CSP_WATCH, console_errors="Content Security Policy")


def assert_clean(*opened):
    """No CSP violation, no script run from chat content."""
    for page in opened:
        assert page.evaluate("window.__csp") == [], page.url
        assert page.evaluate("window.__xss") is None
        assert page.locator('img[src="x"], .rich script').count() == 0


def start_bot_chat(pages, viewport):
    customer = open_page(pages, "/consumer", viewport)
    start_chat(customer, BOT_ENGAGEMENT_ID)
    return customer


def watch(pages, live, viewport):
    """demo-admin's workspace, looking at the only chat."""
    ws = open_page(pages, "/workspace", viewport)
    login_workspace(ws, *DEMO_ADMIN)
    chat = only_chat(live)
    ws.get_by_role("tab", name=re.compile("All conversations")).click()
    ws.locator(f'.conv[data-chat="{chat.id}"]').click()
    return ws, ws.locator("#pane-transcript")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_demo_bots_card_and_quick_replies_talk_to_the_bot(pages, live, demo_bot, size):
    viewport = VIEWPORTS[size]
    customer = start_bot_chat(pages, viewport)
    transcript = customer.locator("#transcript")
    card = transcript.locator(".msg.bot .rich-card").first
    expect(card.locator(".lp-json-pollock")).to_be_visible()  # drawn by json-pollock
    first = only_chat(live).visitor.persona.name.split()[0]
    expect(card).to_contain_text(f"Hi {first}! I'm Demo Bot, the demo bot.")
    buttons = card.get_by_role("button")
    expect(buttons).to_have_text(["Order status", "Returns", "Opening hours"])
    # the card's own style (bold, large) is applied: through the CSSOM, not a blocked attribute
    title = card.locator(".lp-json-pollock-element-text span").first
    assert title.evaluate("(n) => getComputedStyle(n).fontWeight") == "700"
    assert title.evaluate("(n) => getComputedStyle(n).fontSize") == "17px"
    assert no_horizontal_scroll(customer)
    pages.shot(customer, f"01-consumer-{size}-welcome-card")

    # A button says its text as the customer's line, and the bot answers it.
    card.get_by_role("button", name="Returns").click()
    expect(transcript.locator(".msg.mine").last).to_contain_text("How do returns work?")
    expect(transcript.locator(".msg.bot").last).to_contain_text("within 30 days")
    assert [e.text for e in only_chat(live).events if e.source == "visitor"] == ["How do returns work?"]

    # Quick replies under the bot's fallback: one tap says it, and the chips go.
    message = customer.get_by_label("Message")
    message.fill("purple elephants")
    message.press("Enter")
    chips = transcript.locator(".msg.bot").last.locator(".rich-quick-replies")
    expect(chips.get_by_role("button")).to_have_text(["Order status", "Returns", "Opening hours"])
    assert no_horizontal_scroll(customer)
    pages.shot(customer, f"02-consumer-{size}-quick-replies")
    chips.get_by_role("button", name="Opening hours").click()
    expect(chips).to_be_hidden()
    expect(transcript.locator(".msg.mine").last).to_contain_text("Opening hours")
    expect(transcript.locator(".msg.bot").last).to_contain_text("Monday to Friday")
    pages.shot(customer, f"03-consumer-{size}-quick-reply-answered")

    # The agent's view: the same card and chips, shown but not pressable.
    ws, pane = watch(pages, live, viewport)
    pane_card = pane.locator(".msg.bot .rich-card").first
    expect(pane_card.get_by_role("button")).to_have_text(["Order status", "Returns", "Opening hours"])
    for button in pane_card.get_by_role("button").all():
        expect(button).to_be_disabled()
    expect(pane_card.get_by_role("button", name="Returns")).to_have_attribute(
        "title", re.compile('it sends "How do returns work\\?"'))
    pane_chips = pane.locator(".rich-quick-replies").first
    expect(pane_chips).to_be_visible()  # the agent sees them even once the customer has answered
    expect(pane_chips).to_contain_text("Quick replies:")
    expect(pane_chips.get_by_role("button", name="Opening hours")).to_be_disabled()
    assert no_horizontal_scroll(ws)
    pane_card.evaluate("(n) => n.scrollIntoView({block: 'start'})")
    pages.shot(ws, f"04-workspace-{size}-card")
    pane_chips.evaluate("(n) => n.scrollIntoView({block: 'end'})")
    pages.shot(ws, f"05-workspace-{size}-quick-replies")

    # Once the chat has ended, the customer's card can send nothing any more.
    customer.get_by_role("button", name="End chat").click()
    expect(customer.locator("#state-pill")).to_have_text(re.compile("ended", re.I))
    for button in card.get_by_role("button").all():
        expect(button).to_be_disabled()
    assert_clean(customer, ws)


def _agent_chat(pages, live, viewport):
    """A customer on the bot engagement answered over the API as demo-bot (no bot running)."""
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_BOT)
    customer = start_bot_chat(pages, viewport)
    chat_url = accept(session_url, bearer)
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    return customer, bearer, chat_url


def _send(chat_url, bearer, **event):
    """demo-bot sends a line (rich content, mostly) over the Chat Agent API."""
    r = post_event(chat_url, bearer_headers(bearer), {"@type": "line", **event})
    assert r.status_code == 201, r.text


def test_link_buttons_open_http_links_in_a_new_tab_and_nothing_else(pages, live):
    customer, bearer, chat_url = _agent_chat(pages, live, DESKTOP)
    target = f"{live.url}/?from=card"
    _send(chat_url, bearer, textType="rich-content", text="Links", json={"type": "vertical", "elements": [
        {"type": "image", "url": f"{live.url}/static/img/bot.svg", "caption": "Our bot", "tooltip": "the bot"},
        {"type": "text", "text": "Useful links"},
        {"type": "button", "title": "Sandbox home", "click": {"actions": [{"type": "link", "name": "home", "uri": target}]}},
        {"type": "button", "title": "Web override", "click": {"actions": [
            {"type": "link", "uri": "https://example.invalid/app", "web": {"uri": f"{live.url}/?web=1"}}]}},
        {"type": "button", "title": "Not a web link", "click": {"actions": [
            {"type": "link", "uri": "javascript:window.__xss=3"}]}},
    ]})
    card = customer.locator("#transcript .rich-card").last
    expect(card.locator("img")).to_have_attribute("src", f"{live.url}/static/img/bot.svg")  # its own origin
    expect(card.locator("img")).to_have_js_property("complete", True)
    context = customer.context
    with context.expect_page() as opened:
        card.get_by_role("button", name="Sandbox home").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == target
    assert tab.evaluate("window.opener") is None  # noopener
    expect(tab.get_by_role("heading", name="Conversational Cloud sandbox")).to_be_visible()
    with context.expect_page() as opened:
        card.get_by_role("button", name="Web override").click()  # web.uri wins on the web
    assert opened.value.url == f"{live.url}/?web=1"
    pages_before = len(context.pages)
    card.get_by_role("button", name="Not a web link").click()
    expect(card).to_contain_text("not an http(s) address")
    assert len(context.pages) == pages_before and customer.url.endswith("/consumer")
    assert live.sb.chats[only_chat(live).id].events[-1].source == "agent"  # nothing was said
    pages.shot(customer, "01-consumer-link-card")
    assert_clean(customer, *context.pages)


def _hostile_card():
    deep = {"type": "text", "text": "the bottom of a card 25 levels deep"}
    for _ in range(25):
        deep = {"type": "vertical", "elements": [deep]}
    return {"type": "vertical", "elements": [
        {"type": "text", "text": MARKUP, "tooltip": '"><img src=x onerror=window.__xss=4>'},
        {"type": "text", "text": "Overlay?", "style": {
            "color": "red;position:fixed;top:0;left:0;width:100vw;height:100vh;z-index:99999",
            "background-color": "#000;background-image:url(https://example.com/track.png)"}},
        {"type": "image", "url": "https://tracker.example.com/pixel.png", "caption": "<i>caption</i>", "tooltip": "remote"},
        {"type": "image", "url": "javascript:window.__xss=5", "tooltip": "script"},
        {"type": "button", "title": "<u>Click</u>", "subtitle": "<script>window.__xss=6</script>",
         "click": {"actions": [{"type": "publishText", "text": "<b>sent</b>"}]}},
        {"type": "horizontal", "elements": [
            {"type": "button", "title": "x" * 128, "click": {"actions": [{"type": "link", "uri": "javascript:alert(1)"}]}},
            {"type": "text", "text": "y" * 400}]},
        deep,
    ]}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_hostile_card_renders_harmlessly(pages, live, size):
    viewport = VIEWPORTS[size]
    customer, bearer, chat_url = _agent_chat(pages, live, viewport)
    _send(chat_url, bearer, textType="rich-content", json=_hostile_card(), quickReplies={
        "type": "quickReplies", "itemsPerRow": 8, "replies": [
            {"type": "button", "title": f"<i>chip {n}</i>", "click": {"actions": [{"type": "publishText", "text": f"chip {n}"}]}}
            for n in range(1, 25)]})
    ws, pane = watch(pages, live, viewport)
    # the conversation list previews the card by what it says (json-pollock's text, as text)
    expect(ws.locator(f'.conv[data-chat="{only_chat(live).id}"]')).to_contain_text('Demo Bot: <img src=x onerror=')
    for page, where in ((customer, customer.locator("#transcript")), (ws, pane)):
        card = where.locator(".rich-card").last
        expect(card).to_contain_text(MARKUP)  # text is text
        expect(card.get_by_role("button", name="<u>Click</u>")).to_be_visible()
        expect(card).to_contain_text("<script>window.__xss=6</script>")
        expect(card).to_contain_text("the bottom of a card 25 levels deep")
        expect(card.locator(".rich-image-blocked")).to_have_count(2)  # neither picture is fetched
        expect(card.locator(".rich-image-blocked").first).to_contain_text("tracker.example.com")
        assert card.locator("img").count() == 0
        assert card.locator("i, u, b, script").count() == 0
        # the injected CSS never applies: no overlay, no remote background
        overlay = card.get_by_text("Overlay?")
        assert overlay.evaluate("(n) => getComputedStyle(n).position") == "static"
        assert card.evaluate("""(root) => [...root.querySelectorAll('*')].every((n) =>
            getComputedStyle(n).position !== 'fixed' && getComputedStyle(n).backgroundImage === 'none')""")
        chips = where.locator(".rich-quick-replies").last
        expect(chips.get_by_role("button")).to_have_count(24)
        expect(chips.get_by_role("button").first).to_have_text("<i>chip 1</i>")
        assert no_horizontal_scroll(page)
        box, bubble = card.bounding_box(), card.locator("xpath=ancestor::*[contains(@class,'bubble')]").bounding_box()
        assert box["x"] >= bubble["x"] and box["x"] + box["width"] <= bubble["x"] + bubble["width"] + 1
    for page, card, name in ((customer, customer.locator("#transcript .rich-card").last, "consumer"),
                             (ws, pane.locator(".rich-card").last, "workspace")):
        card.evaluate("(n) => n.scrollIntoView({block: 'start'})")
        pages.shot(page, f"01-{name}-{size}-hostile-card-top")
        card.evaluate("(n) => n.closest('.msg').scrollIntoView({block: 'end'})")
        pages.shot(page, f"02-{name}-{size}-hostile-card-bottom")

    # Its buttons: a javascript: link opens nothing; publishText says its text, as text.
    card = customer.locator("#transcript .rich-card").last
    card.get_by_role("button", name=re.compile("^x+$")).click()
    expect(card).to_contain_text("not an http(s) address")
    card.get_by_role("button", name="<u>Click</u>").click()
    expect(customer.locator("#transcript .msg.mine").last).to_contain_text("<b>sent</b>")
    expect(pane.locator(".msg.visitor").last).to_contain_text("<b>sent</b>")
    assert len(customer.context.pages) == 1
    assert_clean(customer, ws)
