"""Step 5 on the control plane: /_sandbox/abtests (A/B tests across bots) and /_sandbox/analytics
(scorecards, time series, the CSV and Engagement History exports), the fixture's methods for
them, and the dashboard's throttled `analytics_changed` notices over Socket.IO."""
import csv
import io
import threading
import time

import pytest
import requests
import socketio

from mock_server.live.analytics import INTERVAL
from mock_server.model.analytics.abtest import MIN_CHATS
from mock_server.testing.sandbox import CCSandbox
from tests.support import step5
from tests.support.constants import (ACCOUNT, BOT_B_ID, BOT_B_SKILL_ID, BOT_ENGAGEMENT_ID, BOT_ID,
                                     BOT_SKILL_ID, OTHER_ACCOUNT, UNKNOWN_ACCOUNT)
from tests.support.server import START
from tests.support.waiting import wait_until
from tests.support.wire import assert_envelope

DAY_MS = 86_400_000
NOW_MS = int(START * 1000)
DEMO_TEST = {"id": "demo-bots", "name": "Demo bot A vs B", "engagement": BOT_ENGAGEMENT_ID,
             "enabled": False, "variants": [{"name": "A", "skill": BOT_SKILL_ID, "weight": 50.0},
                                            {"name": "B", "skill": BOT_B_SKILL_ID, "weight": 50.0}],
             "started": None}
SCORECARD_KEYS = {"key", "label", "kind", "chats", "ended", "interactive", "mcs", "mcs_mean", "csat",
                  "csat_mean", "csat_answers", "resolved", "resolution_rate", "transfers",
                  "transfer_rate", "reasons", "first_response_mean", "duration_mean"}


def get(live, path: str, **params) -> requests.Response:
    return requests.get(f"{live.url}/_sandbox/{path}", params=params, timeout=30)


def put_test(live, test_id: str, body, **params) -> requests.Response:
    return requests.put(f"{live.url}/_sandbox/abtests/{test_id}", json=body, params=params, timeout=30)


def some_chats(live) -> step5.Team:
    """Five chats of demo-bot (two handed to a human, one with CSAT 2) and two of demo-bot-b."""
    sb = live.sb
    crew = step5.team(sb)
    for transfer, csat in (("Customer asked for a human", 5), (None, 4), (None, 5),
                           ("Customer asked for a human", 2), (None, None)):
        step5.bot_chat(sb, crew, transfer=transfer, csat=csat)
        step5.advance(sb, 10, crew)
    for transfer in ("=HYPERLINK(\"http://evil\")", None):
        step5.bot_chat(sb, crew, skill="support-bot-b", transfer=transfer, csat=3)
        step5.advance(sb, 10, crew)
    return crew


# --- scorecards -----------------------------------------------------------------------------------

def test_scorecards_per_bot_and_per_skill_over_the_last_24_hours(live):
    some_chats(live)
    report = get(live, "analytics/scorecards").json()
    now = report["now"]
    assert (report["account"], report["by"], report["to"], report["from"]) == (ACCOUNT, "bot", now, now - DAY_MS)
    cards = {c["key"]: c for c in report["scorecards"]}
    assert set(cards) == {BOT_ID, BOT_B_ID} and all(set(c) == SCORECARD_KEYS for c in cards.values())
    bot = cards[BOT_ID]
    assert (bot["label"], bot["kind"], bot["chats"], bot["ended"], bot["transfers"]) == ("Demo Bot", "bot", 5, 5, 2)
    assert (bot["transfer_rate"], bot["resolved"], bot["resolution_rate"]) == (0.4, 3, 0.6)
    assert (bot["csat_answers"], bot["csat_mean"], bot["csat"]) == (4, 4.0, 75.0)  # 3 of 4 said 4 or 5
    assert bot["reasons"] == [{"reason": "Customer asked for a human", "count": 2}]
    assert bot["first_response_mean"] == 2.0  # the bot answers 2 s after the request
    total = report["total"]
    assert (total["key"], total["kind"], total["chats"], total["transfers"]) == ("all", "total", 7, 3)
    skills = {c["key"]: c for c in get(live, "analytics/scorecards", by="skill").json()["scorecards"]}
    assert set(skills) == {BOT_SKILL_ID, BOT_B_SKILL_ID}  # the entry skill, not the human's
    assert skills[BOT_SKILL_ID]["label"] == "support-bot" and skills[BOT_SKILL_ID]["chats"] == 5


def test_windows_take_epoch_ms_or_iso_and_leave_out_older_chats(live):
    crew = some_chats(live)
    step5.advance(live.sb, 25 * 3600)  # a day and more: the crew's logins are long gone
    crew = step5.team(live.sb)
    step5.bot_chat(live.sb, crew)
    assert get(live, "analytics/scorecards").json()["total"]["chats"] == 1
    everything = get(live, "analytics/scorecards", **{"from": 0}).json()
    assert everything["total"]["chats"] == 8 and everything["from"] == 0
    early = get(live, "analytics/scorecards", **{"from": NOW_MS, "to": NOW_MS + 35_000}).json()
    assert early["total"]["chats"] == 3  # requested at +0, +12 and +24 s (the next at +36 s)
    iso = get(live, "analytics/scorecards", **{"from": "2026-09-21T14:13:20Z", "to": "2026-09-21T14:13:55Z"})
    assert iso.json()["total"] == early["total"]
    assert get(live, "analytics/scorecards", account=OTHER_ACCOUNT).json()["total"]["chats"] == 0


@pytest.mark.parametrize("params, status", [
    ({"from": "yesterday"}, 400), ({"to": "-5"}, 400), ({"from": str(NOW_MS), "to": str(NOW_MS - 1)}, 400),
    ({"to": str(40_000_000_000_000)}, 400), ({"by": "agent"}, 400), ({"account": UNKNOWN_ACCOUNT}, 404),
    ({"bucket": "0"}, 400), ({"bucket": "1.5"}, 400), ({"bucket": "60"}, 400),  # 24 h / 60 s > 1,000
])
def test_bad_queries_are_refused_in_the_envelope(live, params, status):
    for path in ("analytics/scorecards", "analytics/scorecards.csv", "analytics/timeseries",
                 "analytics/records", "abtests/demo-bots"):
        if "bucket" in params and path != "analytics/timeseries":
            continue
        if "by" in params and path in ("analytics/records", "abtests/demo-bots"):
            continue
        assert_envelope(get(live, path, **params), status)


def test_csv_parses_and_matches_the_json(live):
    some_chats(live)
    r = get(live, "analytics/scorecards.csv", by="bot")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"].startswith('attachment; filename="scorecards-12345678-by-bot-')
    rows = list(csv.DictReader(io.StringIO(r.text)))
    report = get(live, "analytics/scorecards", by="bot").json()
    cards = [*report["scorecards"], report["total"]]
    assert [row["key"] for row in rows] == [c["key"] for c in cards]
    for row, card in zip(rows, cards):
        for column, value in card.items():
            if column == "reasons":
                text = "; ".join(f"{x['reason']} ({x['count']})" for x in value)
                expected = "'" + text if text[:1] == "=" else text  # no formula for a spreadsheet
            else:
                expected = "" if value is None else str(value)
            assert row[column] == expected, column
    bot_b = next(row for row in rows if row["key"] == BOT_B_ID)
    assert bot_b["reasons"].startswith("'=HYPERLINK")


def test_timeseries_buckets_add_up_to_the_scorecards(live):
    some_chats(live)
    window = {"from": NOW_MS - 600_000, "to": NOW_MS + 600_000}
    series = get(live, "analytics/timeseries", bucket=60, **window).json()
    assert series["bucket"] == 60 and len(series["starts"]) == 21
    assert series["starts"][0] % 60_000 == 0 and series["starts"][0] <= window["from"]
    cards = {c["key"]: c for c in get(live, "analytics/scorecards", **window).json()["scorecards"]}
    assert [s["key"] for s in series["series"]] == list(cards)
    for group in series["series"]:
        card = cards[group["key"]]
        assert (sum(group["chats"]), sum(group["transfers"]), sum(group["resolved"])) == (
            card["chats"], card["transfers"], card["resolved"])
        assert all(len(group[name]) == 21 for name in ("chats", "ended", "csat_mean", "mcs"))
    assert sum(series["total"]["chats"]) == 7
    default = get(live, "analytics/timeseries").json()
    assert default["to"] - default["from"] == DAY_MS and len(default["starts"]) <= 61


def test_records_export_is_engagement_history_of_the_window(live):
    some_chats(live)
    body = get(live, "analytics/records").json()
    records = body["interactionHistoryRecords"]
    assert body["_metadata"]["count"] == len(records) == 7 + 3  # one per leg: 3 chats had 2 legs
    assert {r["info"]["agentId"] for r in records} >= {BOT_ID, BOT_B_ID}
    assert get(live, "analytics/records", **{"from": 0, "to": NOW_MS - 1}).json()["_metadata"]["count"] == 0


# --- A/B tests --------------------------------------------------------------------------------------

def test_the_demo_test_is_listed_off_and_a_test_is_created_replaced_and_deleted(live):
    assert get(live, "abtests").json() == {"account": ACCOUNT, "tests": [DEMO_TEST]}
    body = {"name": "Bots", "engagement": BOT_ENGAGEMENT_ID, "variants": [
        {"name": "A", "skill": "support-bot"}, {"name": "B", "skill": "support-bot-b", "weight": 3}]}
    r = put_test(live, "bots", body)
    assert r.status_code == 201 and r.json()["enabled"] is True and r.json()["started"] == NOW_MS
    assert r.json()["variants"][1] == {"name": "B", "skill": BOT_B_SKILL_ID, "weight": 3.0}
    # switching one on switches the other tests of its engagement off (it was off already)
    r = put_test(live, "bots", {**body, "name": "Bots again", "enabled": False})
    assert r.status_code == 200 and r.json()["name"] == "Bots again" and r.json()["started"] is None
    assert [t["id"] for t in get(live, "abtests").json()["tests"]] == ["demo-bots", "bots"]
    results = get(live, "abtests/bots").json()
    assert results["test"]["id"] == "bots" and results["from"] is None and results["to"] == NOW_MS
    assert not results["enoughData"] and results["minimum"] == {"chats": MIN_CHATS, "answers": MIN_CHATS}
    assert [v["name"] for v in results["variants"]] == ["A", "B"]
    assert "not enough data" in results["verdict"]
    assert requests.delete(f"{live.url}/_sandbox/abtests/bots", timeout=30).json() == {"removed": 1}
    assert_envelope(requests.delete(f"{live.url}/_sandbox/abtests/bots", timeout=30), 404)
    assert_envelope(get(live, "abtests/bots"), 404)
    assert get(live, "abtests", account=OTHER_ACCOUNT).json()["tests"] == []


@pytest.mark.parametrize("body, message", [
    ({"engagement": "999", "variants": []}, "engagement '999' does not exist"),
    ({"engagement": BOT_ENGAGEMENT_ID, "variants": [{"skill": "support-bot"}]}, "needs 2 to 10 'variants'"),
    ({"engagement": BOT_ENGAGEMENT_ID, "variants": [{"skill": "support-bot"}, {"skill": "nope"}]},
     "variant 1 names no existing 'skill'"),
    ({"engagement": BOT_ENGAGEMENT_ID, "variants": [{"skill": "support-bot", "weight": -1},
                                                    {"skill": "support-bot-b"}]}, "positive 'weight'"),
    ({"engagement": BOT_ENGAGEMENT_ID, "enabled": "yes", "variants": [{"skill": "support-bot"},
                                                                      {"skill": "support-bot-b"}]},
     "'enabled' must be true or false"),
    ({"engagement": BOT_ENGAGEMENT_ID, "variant": []}, "Unknown field(s) of an A/B test: variant"),
    ({"engagement": BOT_ENGAGEMENT_ID, "variants": [{"skill": "support-bot", "wieght": 2},
                                                    {"skill": "support-bot-b"}]}, "variant 0: wieght"),
    ({"id": "other", "engagement": BOT_ENGAGEMENT_ID}, "not the path's test id"),
    ([1, 2], "must be a JSON object"),
])
def test_a_refused_test_changes_nothing(live, body, message):
    before = get(live, "abtests").json()
    for test_id in ("demo-bots", "new-one"):
        error = assert_envelope(put_test(live, test_id, body), 400, 1)
        assert message in error["message"]
    assert get(live, "abtests").json() == before
    assert_envelope(put_test(live, "x" * 65, {"engagement": BOT_ENGAGEMENT_ID, "variants": [
        {"skill": "support-bot"}, {"skill": "support-bot-b"}]}), 400, 1)
    assert_envelope(put_test(live, "demo-bots", DEMO_TEST, account=UNKNOWN_ACCOUNT), 404)
    assert get(live, "abtests").json() == before


def test_a_switched_on_test_splits_the_engagement_and_gives_a_verdict(live):
    sb = live.sb
    config = {k: DEMO_TEST[k] for k in ("name", "engagement", "variants")}
    assert put_test(live, "demo-bots", {**config, "enabled": True}).status_code == 200
    crew = step5.team(sb)
    for i in range(2 * MIN_CHATS + 20):  # variant B hands every chat over, A none
        step5.bot_chat(sb, crew, skill=None, transfer=lambda c: "needs a human" if c.variant[1] == "B" else None)
    results = get(live, "abtests/demo-bots").json()
    a, b = results["variants"]
    assert a["ended"] + b["ended"] == 2 * MIN_CHATS + 20 and min(a["ended"], b["ended"]) >= MIN_CHATS
    assert (a["transfer"]["rate"], b["transfer"]["rate"]) == (0.0, 1.0)
    assert a["transfer"]["ci"][1] < b["transfer"]["ci"][0]
    transfer = results["metrics"]["transfer"]
    assert transfer["significant"] and transfer["highest"] == "B"
    assert "B transferred to a human more than A" in transfer["verdict"] and results["enoughData"]
    variants = {c["key"]: c for c in get(live, "analytics/scorecards", by="variant").json()["scorecards"]}
    assert variants["B"]["transfer_rate"] == 1.0 and variants["A"]["transfers"] == 0
    assert get(live, "abtests/demo-bots", **{"to": NOW_MS - 1, "from": 0}).json()["variants"][0]["ended"] == 0


# --- the fixture --------------------------------------------------------------------------------------

def test_the_fixture_has_a_method_for_every_route():
    with CCSandbox() as cc:
        assert [t["id"] for t in cc.ab_tests.list()] == ["demo-bots"]
        assert cc.ab_tests.enable("demo-bots")["enabled"] is True
        assert cc.ab_tests.get("demo-bots")["started"] == int(cc.now * 1000)
        assert cc.ab_tests.disable("demo-bots")["enabled"] is False
        made = cc.ab_tests.put("mine", engagement=BOT_ENGAGEMENT_ID, enabled=False, variants=[
            {"name": "A", "skill": "support-bot"}, {"name": "B", "skill": "support-bot-b"}])
        assert made["id"] == "mine"
        assert "not enough data" in cc.ab_tests.results("mine", since=0, until=cc.now)["verdict"]
        cc.ab_tests.delete("mine")
        assert [t["id"] for t in cc.ab_tests.list()] == ["demo-bots"]
        crew = step5.team(cc.sandbox)
        step5.bot_chat(cc.sandbox, crew, transfer="Billing question", csat=5)
        assert cc.analytics.scorecard("Demo Bot")["transfer_rate"] == 1.0
        assert cc.analytics.scorecard("support-bot", by="skill")["chats"] == 1
        with pytest.raises(KeyError):
            cc.analytics.scorecard("Demo Bot B")
        assert cc.analytics.total()["csat_mean"] == 5.0
        assert cc.analytics.report(since=cc.now - 60)["from"] == int((cc.now - 60) * 1000)
        assert cc.analytics.csv().splitlines()[0].startswith("key,label,kind,chats")
        assert sum(cc.analytics.timeseries(bucket=3600)["total"]["chats"]) == 1
        assert len(cc.analytics.records()) == 2  # the bot's leg and the human's


# --- live notices -------------------------------------------------------------------------------------

class Notices:
    """A Socket.IO client of the dashboard's notices: when each `analytics_changed` came."""

    def __init__(self, url: str):
        self.client = socketio.Client(reconnection=False)
        self.seen: list[tuple[float, dict]] = []
        self.lock = threading.Lock()
        self.client.on("analytics_changed", self._on)
        self.client.connect(url, transports=["polling"], wait_timeout=10)

    def _on(self, message):
        with self.lock:
            self.seen.append((time.monotonic(), message))

    def count(self) -> int:
        with self.lock:
            return len(self.seen)


def test_changes_are_notified_throttled_to_watchers_of_the_account(live):
    notices = Notices(live.url)
    try:
        assert notices.client.call("watch_analytics", {"accountId": "nope"}, timeout=10) == {
            "ok": False, "error": "unknown account nope"}
        assert notices.client.call("watch_analytics", [1], timeout=10)["ok"] is False
        assert notices.client.call("watch_analytics", {"accountId": ACCOUNT}, timeout=10) == {
            "ok": True, "accountId": ACCOUNT, "interval": INTERVAL}
        started = time.monotonic()
        crew = step5.team(live.sb)
        for _ in range(40):  # a few hundred bus events as fast as the model makes them
            step5.bot_chat(live.sb, crew, transfer="Billing question", csat=4)
        burst_over = time.monotonic()
        assert wait_until(lambda: any(at > burst_over for at, _ in list(notices.seen)), timeout=10)
        times = [at for at, _ in notices.seen]
        # hundreds of events, at most one notice per INTERVAL (a poll may bring two at once,
        # so the bound is on how many, not on the gaps the client sees)
        assert 1 <= len(times) <= (times[-1] - started) / INTERVAL + 2, times
        seqs = [m["seq"] for _, m in notices.seen]
        assert seqs == sorted(seqs)
        # another account's chats say nothing to this watcher; a reset does (everything changed)
        before = notices.count()
        with live.sb.lock:
            live.sb.request_chat(live.sb.account(OTHER_ACCOUNT), {"skill": "sales-bot"})
        requests.post(f"{live.url}/_sandbox/reset", timeout=30).raise_for_status()
        assert wait_until(lambda: notices.count() > before, timeout=10)
        assert {m["accountId"] for _, m in notices.seen} == {ACCOUNT}
        assert notices.client.call("unwatch_analytics", {"accountId": ACCOUNT}, timeout=10) == {"ok": True}
    finally:
        notices.client.disconnect()
