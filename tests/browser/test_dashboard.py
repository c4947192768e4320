"""The Step 5 dashboard (/dashboard) in headless Chromium: the numbers it shows are the
scorecard API's, it follows new chats live (no reload), switches between bots and skills and
between windows, runs the A/B panel (start, "Not enough data", a verdict, stop), and its exports
download what the routes give. Screenshots at 1280x800 and 390x844 go to
test-artifacts/screenshots/dashboard-*.png. No sleeps: Playwright's expectations wait."""
import csv
import io
import json

import requests

from tests.support import step5
from tests.support.browser import DESKTOP, PHONE, expect, no_horizontal_scroll
from tests.support.constants import ACCOUNT, BOT_B_ID, BOT_B_SKILL_ID, BOT_ID, BOT_SKILL_ID
from tests.support.paths import SHOTS

CSP_WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""
KPIS = {"kpi-chats": "chats", "kpi-mcs": "mcs", "kpi-csat": "csat_mean", "kpi-resolution": "resolution_rate",
        "kpi-transfer": "transfer_rate", "kpi-first-response": "first_response_mean",
        "kpi-duration": "duration_mean"}
COLUMNS = {"chats": "chats", "mcs": "mcs", "csat": "csat_mean", "resolution": "resolution_rate",
           "transfer": "transfer_rate", "first-response": "first_response_mean", "duration": "duration_mean"}


def api(live, path: str, **params):
    r = requests.get(f"{live.url}/_sandbox/{path}", params=params, timeout=30)
    r.raise_for_status()
    return r


def shown(value) -> str:
    """A number as the page keeps it in data-value (JavaScript's String(n); null as "")."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def traffic(live) -> step5.Team:
    """Six chats of demo-bot (three handed to a human) and three of demo-bot-b (one handed over)."""
    sb = live.sb
    crew = step5.team(sb)
    plan = [("Customer asked for a human", 5), (None, 4), (None, 5), ("Billing question", 2), (None, None),
            ("Customer asked for a human", 3)]
    for transfer, csat in plan:
        step5.bot_chat(sb, crew, transfer=transfer, csat=csat)
        step5.advance(sb, 20, crew)
    for transfer in (None, "Refund request", None):
        step5.bot_chat(sb, crew, skill="support-bot-b", transfer=transfer, csat=4,
                       line="This is slow and annoying")
        step5.advance(sb, 20, crew)
    return crew


def open_dashboard(pages, path: str = "/dashboard", viewport=DESKTOP):
    page = pages.open(path, viewport=viewport, init_script=CSP_WATCH)
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    expect(page.locator("#live-pill")).to_have_text("Live")
    return page


def assert_numbers(page, report) -> None:
    """The headline cards and every table row carry the API's numbers."""
    for card, field in KPIS.items():
        expect(page.locator(f"#{card} .kpi-value")).to_have_attribute("data-value", shown(report["total"][field]))
    rows = page.locator("#scores-body tr")
    expect(rows).to_have_count(len(report["scorecards"]))
    for card in report["scorecards"]:
        row = page.locator(f'#scores-body tr[data-key="{card["key"]}"]')
        expect(row.locator('[data-col="name"]')).to_contain_text(card["label"])
        for col, field in COLUMNS.items():
            expect(row.locator(f'[data-col="{col}"] .value')).to_have_attribute("data-value", shown(card[field]))


def shot(page, name: str, full_page: bool = False) -> None:
    """test-artifacts/screenshots/dashboard-<name>.png: the viewport, the whole page, or (a
    locator) one part of it."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"dashboard-{name}.png")
    if hasattr(page, "goto"):
        page.screenshot(path=path, full_page=full_page)
    else:
        page.screenshot(path=path)


def test_the_numbers_are_the_scorecards_and_follow_new_chats_live(pages, live):
    crew = traffic(live)
    page = open_dashboard(pages)
    report = api(live, "analytics/scorecards", by="bot").json()
    assert report["total"]["chats"] == 9 and {c["key"] for c in report["scorecards"]} == {BOT_ID, BOT_B_ID}
    assert_numbers(page, report)
    # readable forms: a rate as %, CSAT out of 5 with % satisfied, MCS signed on its named scale
    total = report["total"]
    expect(page.locator("#kpi-transfer .kpi-value")).to_have_text(f"{round(100 * total['transfer_rate'])}\u00a0%")
    expect(page.locator("#kpi-csat .kpi-value")).to_have_text(f"{total['csat_mean']:.1f} / 5")
    expect(page.locator("#kpi-csat .kpi-note")).to_contain_text(f"{round(total['csat'])}\u00a0% satisfied")
    expect(page.locator("#kpi-mcs h2")).to_contain_text("−100 to 100")
    expect(page.locator("#kpi-first-response .kpi-value")).to_have_text("2.0\u00a0s")
    # transfer reasons, most given first
    reasons = page.locator("#reasons li")
    expect(reasons).to_have_count(len(total["reasons"]))
    expect(reasons.first).to_contain_text("Customer asked for a human")
    expect(reasons.first).to_contain_text("2 · 50\u00a0%")
    assert page.locator("#chart-chats").bounding_box()["height"] > 150  # Chart.js drew into its box
    shot(page, "desktop-top")
    shot(page, "desktop-full", full_page=True)

    # A new chat shows without a reload: the notice, then the page fetches again.
    page.evaluate("window.__marker = 'same page'")
    step5.bot_chat(live.sb, crew, transfer="Billing question", csat=1)
    expect(page.locator("#kpi-chats .kpi-value")).to_have_attribute("data-value", "10")
    expect(page.locator("#updated")).to_contain_text("live update")
    assert page.evaluate("window.__marker") == "same page"
    assert_numbers(page, api(live, "analytics/scorecards", by="bot").json())

    # Per skill: the entry skills, the same totals.
    page.get_by_role("radio", name="Skill").click()
    expect(page.locator("#table-title")).to_have_text("Per skill")
    by_skill = api(live, "analytics/scorecards", by="skill").json()
    assert {c["key"] for c in by_skill["scorecards"]} == {BOT_SKILL_ID, BOT_B_SKILL_ID}
    assert_numbers(page, by_skill)
    assert "by=skill" in page.url
    assert page.evaluate("window.__csp") == []


def test_windows_and_a_custom_window(pages, live):
    crew = traffic(live)
    step5.advance(live.sb, 20 * 60, crew)  # 20 minutes later, one more chat
    step5.bot_chat(live.sb, crew)
    page = open_dashboard(pages)
    expect(page.locator("#kpi-chats .kpi-value")).to_have_attribute("data-value", "10")
    page.get_by_role("radio", name="15 min").click()
    expect(page.locator("#kpi-chats .kpi-value")).to_have_attribute("data-value", "1")
    expect(page.locator("#window-caption")).to_contain_text("sandbox clock")
    # Custom: the first chats only (the page's inputs are local time, to the second)
    first = live.sb.analytics.of_account(ACCOUNT)[0].requested
    page.get_by_role("radio", name="Custom").click()
    page.evaluate("""([from, to]) => {
        const local = (ms) => { const d = new Date(ms), p = (n) => String(n).padStart(2, '0');
          return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`; };
        document.getElementById('custom-from').value = local(from);
        document.getElementById('custom-to').value = local(to); }""", [int(first * 1000), int((first + 45) * 1000)])
    page.get_by_role("button", name="Apply").click()
    window = {"from": int(first * 1000), "to": int((first + 45) * 1000)}
    report = api(live, "analytics/scorecards", by="bot", **window).json()
    assert report["total"]["chats"] == 3  # requested at +0, +22 and +44 s
    assert_numbers(page, report)


def test_exports_download_what_the_routes_give(pages, live):
    traffic(live)
    page = open_dashboard(pages)
    report = api(live, "analytics/scorecards", by="bot").json()
    window = {"from": report["from"], "to": report["to"]}
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert [r["key"] for r in rows] == [*(c["key"] for c in report["scorecards"]), "all"]
    assert rows[0]["transfer_rate"] == str(report["scorecards"][0]["transfer_rate"])
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON", exact=True).click()
    saved = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert saved["scorecards"] == report["scorecards"] and saved["total"] == report["total"]
    with page.expect_download() as download:
        page.get_by_role("link", name="History JSON").click()
    history = json.loads(open(download.value.path(), encoding="utf-8").read())
    expected = api(live, "analytics/records", **window).json()
    assert history == expected and history["_metadata"]["count"] == 9 + 4  # a leg each, 4 handed over


def test_the_ab_panel_starts_the_test_and_gives_its_verdict(pages, live):
    page = open_dashboard(pages)
    panel = page.locator("#ab")
    expect(panel.locator("#ab-state")).to_have_text("Off")
    expect(panel.locator("#ab-verdict")).to_contain_text("Not enough data")
    expect(panel.locator("#ab-verdict")).to_contain_text("at least 30 ended chats")
    panel.get_by_role("button", name="Start test").click()
    expect(panel.locator("#ab-state")).to_have_text("Running")
    assert live.sb.ab_tests[ACCOUNT]["demo-bots"].enabled
    expect(panel.locator("#ab-describe")).to_contain_text("A → support-bot (50\u00a0%), B → support-bot-b (50\u00a0%)")

    crew = step5.team(live.sb)
    step5.bot_chat(live.sb, crew, skill=None)  # the split decides the bot
    expect(panel.locator("#ab-verdict")).to_contain_text("Not enough data")
    expect(panel.locator("#ab-verdict")).to_contain_text("has 0")  # one variant has no chat yet
    results = api(live, "abtests/demo-bots").json()
    for key, metric in results["metrics"].items():
        expect(panel.locator(f'#ab-metrics li[data-metric="{key}"]')).to_contain_text(metric["verdict"])

    # Enough chats, and variant B hands every one to a human: a significant difference.
    for i in range(75):
        step5.bot_chat(live.sb, crew, skill=None, csat=lambda c: 5 if c.variant[1] == "A" else 2,
                       transfer=lambda c: "Customer asked for a human" if c.variant[1] == "B" else None)
    expect(panel.locator("#ab-verdict")).to_contain_text("A significant difference")
    results = api(live, "abtests/demo-bots").json()
    assert results["enoughData"] and results["metrics"]["transfer"]["significant"]
    for key, metric in results["metrics"].items():
        expect(panel.locator(f'#ab-metrics li[data-metric="{key}"]')).to_contain_text(metric["verdict"])
    for variant in results["variants"]:
        row = panel.locator(f'#ab-body tr[data-variant="{variant["name"]}"]')
        expect(row.locator('[data-col="ended"] .value')).to_have_attribute("data-value", str(variant["ended"]))
        low, high = variant["transfer"]["ci"]
        expect(row.locator('[data-col="transfer"] .ci')).to_contain_text(f"{round(100 * low)}–{round(100 * high)}\u00a0%")
    shot(panel, "desktop-ab")
    panel.get_by_role("button", name="Stop test").click()
    expect(panel.locator("#ab-state")).to_have_text("Off")
    assert not live.sb.ab_tests[ACCOUNT]["demo-bots"].enabled


def test_an_empty_sandbox_says_what_to_do(pages, live):
    page = open_dashboard(pages)
    empty = page.locator("#empty")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("No chats yet")
    expect(empty).to_contain_text(f"python -m simulator load --url {live.url} --chats 200")
    for hidden in ("#kpis", "#table-card", "#charts"):
        expect(page.locator(hidden)).to_be_hidden()
    shot(page, "desktop-empty")
    phone = open_dashboard(pages, viewport=PHONE)
    expect(phone.locator("#empty")).to_be_visible()
    assert no_horizontal_scroll(phone)
    shot(phone, "phone-empty")
    # the first chat replaces the empty state on both pages, live
    step5.bot_chat(live.sb, step5.team(live.sb))
    for shown_page in (page, phone):
        expect(shown_page.locator("#empty")).to_be_hidden()
        expect(shown_page.locator("#kpi-chats .kpi-value")).to_have_attribute("data-value", "1")


def test_on_a_phone(pages, live):
    traffic(live)
    page = open_dashboard(pages, viewport=PHONE)
    assert_numbers(page, api(live, "analytics/scorecards", by="bot").json())
    assert no_horizontal_scroll(page)
    shot(page, "phone-top")
    page.locator("#scores").scroll_into_view_if_needed()
    shot(page, "phone-table")
    shot(page.locator("#ab"), "phone-ab")
    shot(page, "phone-full", full_page=True)
    assert page.evaluate("window.__csp") == []
