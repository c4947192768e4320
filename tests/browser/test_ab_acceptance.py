"""Step 5's acceptance: an A/B run of the two demo bots over 500 generated chats.

Bot A (demo-bot, the default intents) and bot B (demo-bot-b, the eager intents: it hands order
and billing questions, a first misunderstanding and any negative line to a person) share the
demo engagement through the config's `demo-bots` test, switched on. The load generator sends
its default mix of customers through the engagement. After 20 chats the A/B route and the
dashboard say "not enough data"; after 500, both show B transferring to a human more often and
call the difference significant. Screenshots: dashboard-acceptance-20.png and -500.png."""
import copy
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import requests
import yaml

from mock_server.model.seed import load_config
from simulator.brains import make_brain
from simulator.brains.escalation import escalating
from simulator.brains.rules import DEFAULT_INTENTS
from simulator.login import Credentials
from tests.support.browser import DESKTOP, expect
from tests.support.constants import ACCOUNT, DEMO_AGENT, DEMO_BOT_B
from tests.support.paths import ROOT, SHOTS
from tests.support.server import start
from tests.support.server import stop as stop_server
from tests.support.sim import fast_mix_file, run_bot, stop

SEED = 5
TEST = "demo-bots"
PATIENCE = 6.0
# Customers start RATE a second: far enough apart that they reach the engagement in the order
# they were drawn, so the seeded split gives each variant the same customers in every run
# (bunched starts reorder on a busy machine, and which customers a bot gets is then luck).
RATE = 20


def ab_config() -> dict:
    """The demo config with the demo A/B test switched on, and room for a brisk load: each bot
    and the human agent take more chats at once than the demo's 5 and 3."""
    config = copy.deepcopy(load_config())
    demo = next(a for a in config["accounts"] if str(a["id"]) == ACCOUNT)
    for user in demo["users"]:
        if user["loginName"] in ("demo-bot", "demo-bot-b", "demo-agent"):
            user["maxChats"] = 80
    (test,) = [t for t in demo["abTests"] if t["id"] == TEST]
    test["enabled"] = True
    return config


@pytest.fixture
def ab_live(tmp_path):
    """The CLI sandbox (gevent, its own process: the load, the bots and the browser share the
    test's) on that config, seeded."""
    config = tmp_path / "ab.yaml"
    config.write_text(yaml.safe_dump(ab_config()))
    proc, url, _ = start(["--config", str(config), "--seed", str(SEED)], tmp_path)
    yield SimpleNamespace(url=url)
    stop_server(proc)


@pytest.fixture
def both_bots(ab_live):
    running = [run_bot(ab_live, escalating(make_brain("rules"))),
               run_bot(ab_live, escalating(make_brain("rules", intents=str(DEFAULT_INTENTS.parent / "eager.yaml"))),
                       credentials=Credentials(DEMO_BOT_B.login, password=DEMO_BOT_B.password))]
    yield
    for bot in running:
        stop(*bot)


@pytest.fixture
def fast_mix(tmp_path):
    # Customers wait up to PATIENCE for an answer that may not come: long enough that a busy
    # machine's slower bot still answers (and hands over) before the customer gives up, so the
    # transfers counted are the bots' policies, not the machine's load.
    return fast_mix_file(tmp_path, patience=PATIENCE)


def load(live, mix, chats: int, seed: int) -> None:
    """`python -m simulator load` in a process of its own, as a team runs it."""
    run = subprocess.run([sys.executable, "-m", "simulator", "load", "--url", live.url, "--chats", str(chats),
                          "--rate", str(RATE), "--seed", str(seed), "--mix", str(mix), "--concurrency", "100",
                          "--poll", "0.2", "--no-progress", "--timeout", "240",
                          "--human-agent", f"{DEMO_AGENT.login}:{DEMO_AGENT.password}"],
                         capture_output=True, text=True, timeout=300, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"load: PASS ({chats}/{chats} chats ran to their end)" in run.stdout


def results(live) -> dict:
    r = requests.get(f"{live.url}/_sandbox/abtests/{TEST}", params={"account": ACCOUNT}, timeout=60)
    r.raise_for_status()
    return r.json()


def dashboard_verdict(browser, live, name: str):
    """Open /dashboard, wait for the A/B panel, screenshot it; returns (page, context)."""
    context = browser.new_context(viewport=DESKTOP, base_url=live.url)
    page = context.new_page()
    page.goto("/dashboard")
    expect(page.locator("body")).to_have_attribute("data-loaded", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return page, context


def test_ab_run_of_the_demo_bots_is_not_enough_data_at_20_and_significant_at_500(
        ab_live, both_bots, fast_mix, browser):
    load(ab_live, fast_mix, 20, SEED)
    early = results(ab_live)
    assert sum(v["ended"] for v in early["variants"]) == 20
    assert not early["enoughData"]
    assert all(m["status"] == "not enough data" for m in early["metrics"].values())
    page, context = dashboard_verdict(browser, ab_live, "20")
    panel = page.locator("#ab")
    expect(panel.locator("#ab-verdict")).to_contain_text("Not enough data")
    panel.screenshot(path=str(SHOTS / "dashboard-acceptance-20.png"))
    context.close()

    load(ab_live, fast_mix, 480, SEED + 1)  # other customers, the same mix: 500 in all
    late = results(ab_live)
    a, b = late["variants"]
    assert (a["name"], b["name"]) == ("A", "B") and a["ended"] + b["ended"] == 500
    assert min(a["ended"], b["ended"]) > 200  # a 50/50 split, seeded
    transfer = late["metrics"]["transfer"]
    assert transfer["significant"] and transfer["highest"] == "B", (a["transfer"], b["transfer"], transfer)
    assert b["transfer"]["rate"] > a["transfer"]["rate"] + 0.1  # clearly more often
    assert "B transferred to a human more than A" in transfer["verdict"]
    assert "the difference is significant" in transfer["verdict"]
    page, context = dashboard_verdict(browser, ab_live, "500")
    panel = page.locator("#ab")
    expect(panel.locator('#ab-metrics li[data-metric="transfer"]')).to_contain_text(transfer["verdict"])
    expect(panel.locator("#ab-verdict")).to_contain_text("significant")
    panel.screenshot(path=str(SHOTS / "dashboard-acceptance-500.png"))
    page.screenshot(path=str(SHOTS / "dashboard-acceptance-500-full.png"), full_page=True)
    context.close()
