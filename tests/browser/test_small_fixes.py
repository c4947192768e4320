"""Small things of the first hour, in headless Chromium (the fixtures of tests/conftest.py):
the home page and the consumer page's header fit a 390 px phone; the queue message agrees with
the engagement card when nobody is online; the exit survey after the agent ends a chat does not
look answered (the focus is on its heading; Tab reaches the choices); every page links an icon
that is served. Screenshots at 1280x800 and 390x844 under test-artifacts/screenshots/small-fixes-*.
"""
import re

import pytest
import requests

from tests.support.browser import DESKTOP, PHONE, expect, no_horizontal_scroll, start_chat
from tests.support.constants import (ACCOUNT, AGENT_NAME, BOT_NAME, DEMO_ADMIN, DEMO_AGENT, DEMO_BOT,
                                     HUMAN_ENGAGEMENT_ID)
from tests.support.paths import SHOTS
from tests.support.wire import accept, agent, bearer_headers, end, say

VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
ICON_HREF = "/static/img/favicon.svg"

# Elements of `selector` that stick out of their `container` (cut off by it, or past it), or
# whose text is cut short (an ellipsis: scrollWidth beyond clientWidth).
CUT_OFF = """([selector, container]) => [...document.querySelectorAll(selector)].filter((node) => {
    if (!node.getClientRects().length) return false;  // not shown
    const box = node.getBoundingClientRect(), outer = node.closest(container).getBoundingClientRect();
    return box.left < outer.left - 1 || box.right > outer.right + 1 || node.scrollWidth > node.clientWidth + 1;
  }).map((node) => `${node.tagName}#${node.id}.${node.className}: ${node.textContent.trim().slice(0, 40)}`)"""


def _shot(page, name: str, full_page: bool = False):
    size = page.viewport_size
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"small-fixes-{name}-{size['width']}x{size['height']}.png"),
                    full_page=full_page)


def _cut_off(page, selector: str, container: str) -> list[str]:
    return page.evaluate(CUT_OFF, [selector, container])


def _header_whole(page):
    """The consumer page's top bar and chat head: on screen, nothing cut off or cut short."""
    assert no_horizontal_scroll(page)
    assert not _cut_off(page, ".topbar .brand, .topbar a", ".topbar")
    assert not _cut_off(page, ".chat-head h1, .chat-head .subtitle, .chat-head .pill, .chat-head button",
                        ".chat-head")
    for link in (page.get_by_role("link", name="home"), page.get_by_role("link", name="workspace")):
        expect(link).to_be_in_viewport()  # both links stay, at any width
    bar = page.locator(".topbar").bounding_box()
    assert bar["height"] < 60, bar  # one row: the chat window's height counts on it


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_home_page_fits_and_names_people(pages, viewport):
    """The credentials table fits (cards on a phone), with nicknames, and the administrator
    who takes no chats is called that, not an agent at 0 chats."""
    home = pages.open("/", viewport)
    expect(home.locator("h1")).to_have_text("Conversational Cloud sandbox")
    assert no_horizontal_scroll(home)
    assert not _cut_off(home, "table.users td, table.users td > *, table.users tr", "section")
    rows = home.locator("table.users").first.locator("tbody tr")
    agent_row = rows.filter(has_text=DEMO_AGENT.login)
    expect(agent_row.locator('[data-label="Nickname"]')).to_have_text(AGENT_NAME)
    expect(agent_row.locator('[data-label="Role"]')).to_have_text("Human agent")
    expect(agent_row.locator('[data-label="Chats at once"]')).to_have_text("up to 3")
    bot_row = rows.filter(has_text=re.compile(rf"{DEMO_BOT.login}(?!-)"))  # not demo-bot-b's row
    expect(bot_row.locator('[data-label="Nickname"]')).to_have_text(BOT_NAME)
    admin = rows.filter(has_text=DEMO_ADMIN.login)
    expect(admin.locator('[data-label="Role"]')).to_have_text("Administrator (takes no chats)")
    expect(admin.locator('[data-label="Chats at once"]')).to_have_text("none")
    expect(admin).not_to_contain_text("agent")
    expect(home.locator('link[rel="icon"]')).to_have_attribute("href", ICON_HREF)
    if viewport == PHONE:  # each cell says what it is
        label = agent_row.locator('[data-label="Nickname"]').evaluate(
            "(node) => getComputedStyle(node, '::before').content")
        assert label == '"Nickname"', label
    _shot(home, "home", full_page=True)
    _shot(home, "home-top")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_consumer_header_fits_and_queue_message_agrees(pages, live, viewport):
    """Nobody Online: the card and the queue message both say so and that the chat will wait;
    the header stays whole while waiting and chatting, at phone width too."""
    customer = pages.open("/consumer", viewport)
    human = customer.locator(f'[data-engagement="{HUMAN_ENGAGEMENT_ID}"]')
    expect(human).to_contain_text("Nobody online: your chat will wait")
    _header_whole(customer)
    _shot(customer, "consumer-engagements")
    start_chat(customer, HUMAN_ENGAGEMENT_ID)
    expect(customer.locator("#state-pill")).to_have_text("Waiting in queue")
    status = customer.locator("#status-bar")
    expect(status).to_have_text("Nobody is online for support-human right now: your chat will wait "
                                "in the queue until an agent comes online.")
    expect(status).not_to_contain_text("shortly")  # what the card does not promise
    expect(customer.locator("#chat-title")).to_have_text("Chat with a human")
    _header_whole(customer)
    _shot(customer, "consumer-waiting-nobody-online")

    # Someone comes on duty: the message follows (the live availability), then the chat starts.
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    expect(status).not_to_contain_text("Nobody is online")
    chat_url = accept(session_url, bearer)
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    say(chat_url, bearer_headers(bearer), "Hi, Alex here.", textType="plain")
    expect(customer.locator("#transcript")).to_contain_text("Alex here")
    expect(customer.locator("#chat-title")).to_have_text(AGENT_NAME)
    expect(customer.locator("#chat-subtitle")).to_have_text("Customer support")
    _header_whole(customer)
    _shot(customer, "consumer-chatting")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_exit_survey_after_the_agent_ends_is_not_preanswered(pages, live, viewport):
    """The customer typed (keyboard), the agent ends the chat: the survey opens with the focus
    on its heading, no choice focused, checked or ringed; Tab then reaches the choices."""
    bearer, session_url = agent(live.url, ACCOUNT, *DEMO_AGENT)
    customer = pages.open("/consumer", viewport)
    expect(customer.locator(f'[data-engagement="{HUMAN_ENGAGEMENT_ID}"]')).to_contain_text("Agent available now")
    start_chat(customer, HUMAN_ENGAGEMENT_ID)
    chat_url = accept(session_url, bearer)
    expect(customer.locator("#state-pill")).to_have_text("Chatting")
    message = customer.get_by_label("Message")
    expect(message).to_be_focused()
    customer.keyboard.type("Thanks, that is all")
    customer.keyboard.press("Enter")
    expect(customer.locator("#transcript .msg.mine")).to_contain_text("that is all")
    end(chat_url, bearer_headers(bearer))

    expect(customer.locator("#state-pill")).to_have_text("Chat ended")
    radios = customer.get_by_role("radio")
    expect(radios).to_have_count(7)  # CSAT 1-5, then "Was your issue resolved?" Yes / No
    heading = customer.get_by_role("heading", name="How did we do?")
    expect(heading).to_be_focused()
    assert customer.evaluate("document.activeElement.id") == "survey-title"
    for n in range(7):
        expect(radios.nth(n)).not_to_be_checked()
    rings = customer.locator(".csat-option span").evaluate_all(
        "(spans) => spans.map((span) => getComputedStyle(span).boxShadow)")
    assert rings == ["none"] * 5, rings  # no choice looks picked or focused
    heading_ring = heading.evaluate("(node) => getComputedStyle(node).boxShadow + '|' + getComputedStyle(node).outlineStyle")
    assert heading_ring == "none|none", heading_ring
    assert no_horizontal_scroll(customer)
    _shot(customer, "consumer-survey-after-agent-ended")

    # The keyboard reaches the choices from there: Tab, then arrows pick one.
    customer.keyboard.press("Tab")
    first = customer.get_by_role("radio", name="1 - Very dissatisfied")
    expect(first).to_be_focused()
    expect(first).not_to_be_checked()  # focus is not an answer
    ring = customer.locator(".csat-option span").first.evaluate("(span) => getComputedStyle(span).boxShadow")
    assert ring != "none"  # the keyboard's focus is shown
    customer.keyboard.press("ArrowRight")
    expect(customer.get_by_role("radio", name="2", exact=True)).to_be_checked()
    _shot(customer, "consumer-survey-keyboard")


def test_every_page_links_an_icon_that_is_served(pages, live):
    """Each page's icon link points at a served SVG; the sandbox's pages share favicon.svg, and
    /favicon.ico (which browsers ask for anyway) is that same icon."""
    for path in ("/", "/consumer", "/docs", "/workspace"):
        page = pages.open(path)
        icon = page.locator('link[rel~="icon"]')
        expect(icon).to_have_count(1)
        href = icon.get_attribute("href")
        if path != "/workspace":  # the workspace's own icon is the workspace's business
            assert href == ICON_HREF, (path, href)
        served = page.evaluate("""async (href) => {
            const r = await fetch(href);
            return [r.status, r.headers.get('content-type')];
        }""", href)
        assert served[0] == 200 and served[1].startswith("image/svg+xml"), (path, served)
    ico = page.evaluate("""async () => {
        const r = await fetch('/favicon.ico');
        return [r.status, r.headers.get('content-type'), await r.text()];
    }""")
    assert ico[0] == 200 and ico[1].startswith("image/svg+xml")
    assert ico[2] == requests.get(live.url + ICON_HREF, timeout=10).text
    # what it looks like, large and at tab size
    context = pages.browser.new_context(viewport={"width": 240, "height": 120})
    pages.contexts.append(context)  # closed with the others
    view = context.new_page()  # about:blank: no page of ours around it
    view.set_content(f'<body style="margin:16px;background:#fff"><img src="{live.url}{ICON_HREF}" width="64">'
                     f' <img src="{live.url}/favicon.ico" width="32"> <img src="{live.url}{ICON_HREF}" width="16">'
                     f'<p style="font:12px sans-serif">favicon.svg at 64, 32, 16 px</p></body>')
    expect(view.locator("img").first).to_have_js_property("complete", True)
    assert view.locator("img").evaluate_all("(imgs) => imgs.every((img) => img.naturalWidth > 0)")
    view.screenshot(path=str(SHOTS / "small-fixes-favicon.png"))
