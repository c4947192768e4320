"""Playwright on Debian's Chromium (headless; Playwright's own browser download is not used):
launching it, pages with their errors and screenshots, and the page steps many tests share.

Importing this module skips the importing test module when Playwright is not installed.
No sleeps: Playwright's expectations wait (up to EXPECT_MS) for what they check.
"""
import contextlib
import os
import shutil
from pathlib import Path

import pytest

from .constants import DEMO_AGENT
from .paths import SHOTS

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
EXPECT_MS = 15_000

expect.set_options(timeout=EXPECT_MS)


@contextlib.contextmanager
def launch():
    """Debian's Chromium, headless; skips (fails on CI) when it is not installed."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: ./dev test installs it (apt-get install chromium)")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (./dev test installs it)")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Pages:
    """Browser contexts of one test, their page errors, and the screenshots they take."""

    def __init__(self, browser, live, prefix: str):
        self.browser, self.live, self.prefix = browser, live, prefix
        self.contexts, self.errors = [], []
        SHOTS.mkdir(parents=True, exist_ok=True)

    def open(self, path: str, viewport=DESKTOP, init_script: str | None = None,
             console_errors: str | None = None):
        """A new context at `viewport` on `path`. Page errors and dialogs count as errors;
        `init_script` runs before the page's first script; console messages that contain
        `console_errors` count as errors too."""
        context = self.browser.new_context(viewport=viewport, base_url=self.live.url)
        self.contexts.append(context)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        page.on("dialog", lambda dialog: (self.errors.append(f"{path}: dialog {dialog.message}"),
                                          dialog.dismiss()))
        if console_errors:
            page.on("console", lambda msg: console_errors in msg.text
                    and self.errors.append(f"{path}: console {msg.text}"))
        page.goto(path)
        return page

    def shot(self, page, name: str) -> Path:
        path = SHOTS / f"{self.prefix}-{name}.png"
        page.screenshot(path=str(path))
        return path

    def close(self):
        for context in self.contexts:
            context.close()


def no_horizontal_scroll(page) -> bool:
    """Nothing is wider than the screen: the page does not scroll sideways and no element of it
    sticks out past the right edge (even where a box would clip it)."""
    return page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth + 1 &&
        [...document.querySelectorAll('body *')].every((node) => {
          const box = node.getBoundingClientRect();
          return (box.width === 0 && box.height === 0) || (box.left >= -1 && box.right <= window.innerWidth + 1);
        })""")


def login_workspace(page, username: str = DEMO_AGENT.login, password: str = DEMO_AGENT.password):
    """Log in on the agent workspace (its form comes prefilled with demo-agent) and wait for
    the live view."""
    expect(page.get_by_label("Username")).to_have_value(DEMO_AGENT.login)  # prefilled
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator("#live-pill")).to_have_text("Live")


def start_chat(customer, engagement_id: str) -> None:
    """On the consumer page: choose the engagement, go on past the persona, start the chat
    (the pre-chat survey as it comes)."""
    customer.locator(f'[data-engagement="{engagement_id}"]').click()
    customer.get_by_role("button", name="Continue").click()
    customer.get_by_role("button", name="Start chat").click()


def only_chat(live):
    """The sandbox's one chat (there must be exactly one)."""
    chats = list(live.sb.chats.values())
    assert len(chats) == 1, chats
    return chats[0]
