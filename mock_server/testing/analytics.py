"""Step 5 as the fixture shows it: thin clients of /_sandbox/abtests and /_sandbox/analytics.

Times given here (`since`, `until`) are epoch seconds, as `cc_sandbox.now` is (or datetimes);
the routes take epoch ms. Without them the routes' defaults hold: the last 24 hours of the
sandbox clock for the analytics, all of a test's chats for its results."""
from datetime import datetime

from .control import ControlClient


def _ms(value) -> int | None:
    if value is None:
        return None
    seconds = value.timestamp() if isinstance(value, datetime) else float(value)
    return int(round(seconds * 1000))


def _window(since, until, account) -> dict:
    return {"from": _ms(since), "to": _ms(until), "account": account}


class ABTestsClient:
    """A/B tests across bots: an engagement's new chats split by weight across bot skills."""

    def __init__(self, control: ControlClient):
        self._control = control

    def put(self, test_id: str, test: dict | None = None, *, account: str | None = None,
            **fields) -> dict:
        """Create or replace a test (`put("t", engagement="5001001", variants=[{"name": "A",
        "skill": "support-bot", "weight": 50}, ...], enabled=True)`, or the body as a dict);
        the test as saved."""
        body = {**(test or {}), **{k: v for k, v in fields.items() if v is not None}}
        params = {"account": account} if account else None
        return self._control.call("PUT", f"/abtests/{test_id}", body, params=params).json()

    def get(self, test_id: str, account: str | None = None) -> dict:
        """One test's config (id, name, engagement, enabled, variants, started)."""
        return self.results(test_id, account=account)["test"]

    def enable(self, test_id: str, account: str | None = None) -> dict:
        """Switch a test on (new chats of its engagement are split from now on)."""
        return self._switch(test_id, True, account)

    def disable(self, test_id: str, account: str | None = None) -> dict:
        """Switch a test off (its chats so far stay in its results)."""
        return self._switch(test_id, False, account)

    def _switch(self, test_id: str, enabled: bool, account: str | None) -> dict:
        test = self.get(test_id, account)
        body = {k: test[k] for k in ("name", "engagement", "variants")}
        return self.put(test_id, {**body, "enabled": enabled}, account=account)

    def results(self, test_id: str, since=None, until=None, account: str | None = None) -> dict:
        """The variants compared: per variant rates and means with 95 % intervals, each metric's
        p-value and verdict, and `verdict` in words ("not enough data" below the minimum)."""
        return self._control.get(f"/abtests/{test_id}", **_window(since, until, account))

    def delete(self, test_id: str, account: str | None = None) -> None:
        """Remove a test."""
        params = {"account": account} if account else None
        self._control.call("DELETE", f"/abtests/{test_id}", params=params)

    # Last in the class: `list` would shadow the builtin in annotations below it.
    def list(self, account: str | None = None):
        """Every test of the account, with its config."""
        return self._control.get("/abtests", account=account)["tests"]


class AnalyticsClient:
    """Step 5's numbers: MCS, CSAT, resolution, transfers to humans and their reasons."""

    def __init__(self, control: ControlClient):
        self._control = control

    def report(self, by: str = "bot", since=None, until=None, account: str | None = None) -> dict:
        """The whole answer: the window, `total` (all chats) and `scorecards` (one per group)."""
        return self._control.get("/analytics/scorecards", by=by, **_window(since, until, account))

    def scorecards(self, by: str = "bot", since=None, until=None,
                   account: str | None = None) -> list[dict]:
        """One row per bot (first agent), skill or A/B variant, most chats first."""
        return self.report(by, since, until, account)["scorecards"]

    def scorecard(self, name: str, by: str = "bot", since=None, until=None,
                  account: str | None = None) -> dict:
        """The row whose key (user id, skill id, variant) or label (nickname, skill name) is `name`;
        KeyError when there is none (no chat of it in the window)."""
        rows = self.scorecards(by, since, until, account)
        found = next((r for r in rows if name in (r["key"], r["label"])), None)
        if found is None:
            raise KeyError(f"no scorecard {name!r} by {by}: {[r['label'] for r in rows]}")
        return found

    def total(self, since=None, until=None, account: str | None = None) -> dict:
        """The numbers of all the account's chats in the window."""
        return self.report("bot", since, until, account)["total"]

    def csv(self, by: str = "bot", since=None, until=None, account: str | None = None) -> str:
        """The scorecards as CSV text (a header row, one row per group, the total last)."""
        params = {k: v for k, v in {"by": by, **_window(since, until, account)}.items()
                  if v is not None}
        return self._control.call("GET", "/analytics/scorecards.csv", params=params).text

    def timeseries(self, by: str = "bot", since=None, until=None, bucket: int | None = None,
                   account: str | None = None) -> dict:
        """Per-bucket counts and scores (`starts`, `total`, `series`) for charts."""
        return self._control.get("/analytics/timeseries", by=by, bucket=bucket,
                                 **_window(since, until, account))

    def records(self, since=None, until=None, account: str | None = None) -> list[dict]:
        """Engagement History records (one per leg) of the window's chats."""
        return self._control.get("/analytics/records", **_window(since, until, account))[
            "interactionHistoryRecords"]
