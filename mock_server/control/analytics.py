"""Step 5 on the control plane: A/B tests across bots (/_sandbox/abtests) and the numbers of an
account over a window (/_sandbox/analytics: scorecards, time series, CSV, Engagement History).

`account` defaults to the config's first account; an unknown one is 404, as /_sandbox/state
answers. Windows are `from`/`to` in epoch ms (or ISO-8601), by the sandbox clock, on the time a
chat was requested; the analytics default to the last 24 hours, an A/B test to all its chats."""
import csv
import io
import math
from datetime import datetime, timezone

from flask import Response, request

from ..api.common import json_body, locked, respond, sandbox
from ..model.analytics.scorecard import BY_BOT, BY_SKILL, BY_VARIANT
from ..model.analytics.timeseries import MAX_BUCKETS, default_bucket
from ..model.errors import BadRequest, NotFound
from ..wire.formats import epoch_ms
from . import bp
from .routes import LATEST_TIME

DAY = 86_400
GROUPINGS = (BY_BOT, BY_SKILL, BY_VARIANT)
TEST_FIELDS = {"id", "name", "engagement", "engagementId", "enabled", "variants"}
VARIANT_FIELDS = {"name", "skill", "weight"}
CSV_COLUMNS = ("key", "label", "kind", "chats", "ended", "interactive", "mcs", "mcs_mean", "csat",
               "csat_mean", "csat_answers", "resolved", "resolution_rate", "transfers",
               "transfer_rate", "reasons", "first_response_mean", "duration_mean")
CSV_TEXT = ("key", "label", "kind", "reasons")  # free text: guarded against spreadsheet formulas


# --- query parameters ---------------------------------------------------------------------------

def _account(sb):
    """`?account=` (default: the config's first account); NotFound for an unknown one."""
    raw = request.args.get("account", "")
    if raw:
        return sb.account(raw)
    first = next(iter(sb.accounts.values()), None)
    if first is None:  # a shard that owns no account (mock_server/shards.py)
        raise NotFound("This sandbox serves no account; ask another shard", 5)
    return first


def _time(name: str) -> float | None:
    """`?name=` as epoch seconds: epoch ms or ISO-8601 (naive: UTC), year 1970 to 3000."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        ms = int(raw) if len(raw) <= 20 else math.inf  # int() of 5,000 digits is a ValueError
    else:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
            ms = int(moment.timestamp() * 1000)
        except (ValueError, OverflowError):  # not a time, or one no clock can hold (year 1 - 14 h)
            raise BadRequest(f"Query parameter '{name}' must be epoch ms or an ISO-8601 time", 1) from None
    if not 0 <= ms <= LATEST_TIME * 1000:
        raise BadRequest(f"Query parameter '{name}' must be between 1970 and the year 3000", 1)
    return ms / 1000


def _window(sb, span: float | None = DAY) -> tuple[float | None, float]:
    """(since, until): `to` defaults to now, `from` to `span` before `to` (None: no start)."""
    since, until = _time("from"), _time("to")
    if until is None:
        until = max(sb.clock.now(), since or 0)
    if since is None and span is not None:
        since = max(until - span, 0)
    if since is not None and since > until:
        raise BadRequest("Query parameter 'from' must not be after 'to'", 1)
    return since, until


def _by() -> str:
    by = request.args.get("by", "") or BY_BOT
    if by not in GROUPINGS:
        raise BadRequest(f"Query parameter 'by' must be one of {', '.join(GROUPINGS)}", 1)
    return by


def _bucket(since: float, until: float) -> int:
    raw = request.args.get("bucket", "").strip()
    if not raw:
        return default_bucket(since, until)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12 or int(raw) < 1:
        raise BadRequest("Query parameter 'bucket' must be a whole number of seconds, at least 1", 1)
    bucket = int(raw)
    if (until - since) / bucket >= MAX_BUCKETS:
        raise BadRequest(f"Query parameter 'bucket' is too small: the window would have more than "
                         f"{MAX_BUCKETS} buckets", 1)
    return bucket


def _ms(seconds: float | None) -> int | None:
    return None if seconds is None else epoch_ms(seconds)


# --- A/B tests ----------------------------------------------------------------------------------

def _test_json(test) -> dict:
    return {**test.as_dict(), "started": _ms(test.started)}


def _test_body(test_id: str) -> dict:
    """The PUT body with the path's id; unknown fields are refused (a typo would be ignored)."""
    body = json_body()
    unknown = sorted(set(body) - TEST_FIELDS)
    if unknown:
        raise BadRequest(f"Unknown field(s) of an A/B test: {', '.join(unknown)}", 1)
    if "id" in body and str(body["id"]) != test_id:
        raise BadRequest("The body's 'id' is not the path's test id", 1)
    variants = body.get("variants")
    for i, variant in enumerate(variants if isinstance(variants, list) else []):
        extra = sorted(set(variant) - VARIANT_FIELDS) if isinstance(variant, dict) else []
        if extra:
            raise BadRequest(f"Unknown field(s) of variant {i}: {', '.join(extra)}", 1)
    return {**body, "id": test_id}


@bp.get("/abtests")
@locked
def ab_tests():
    """The account's A/B tests with their config."""
    sb = sandbox()
    account = _account(sb)
    return respond({"account": account.id,
                    "tests": [_test_json(t) for t in sb.ab_tests[account.id].values()]})


@bp.put("/abtests/<test_id>")
@locked
def put_ab_test(test_id):
    """Create (201) or replace (200) an A/B test; a refused one changes nothing."""
    sb = sandbox()
    account = _account(sb)
    existed = test_id in sb.ab_tests[account.id]
    test = sb.save_ab_test(account, _test_body(test_id))
    return respond(_test_json(test), 200 if existed else 201)


@bp.get("/abtests/<test_id>")
@locked
def ab_test(test_id):
    """One A/B test and its variants compared over the window (default: all its chats)."""
    sb = sandbox()
    account = _account(sb)
    test = sb.ab_test(account, test_id)
    since, until = _window(sb, span=None)
    results = sb.ab_results(account, test_id, since, until)
    return respond({**results, "test": _test_json(test), "from": _ms(since), "to": _ms(until)})


@bp.delete("/abtests/<test_id>")
@locked
def delete_ab_test(test_id):
    """Remove an A/B test."""
    sb = sandbox()
    sb.delete_ab_test(_account(sb), test_id)
    return respond({"removed": 1})


# --- the numbers --------------------------------------------------------------------------------

def _scorecards():
    sb = sandbox()
    account, by = _account(sb), _by()
    since, until = _window(sb)
    cards = sb.scorecards(account, by, since, until)
    return account, by, since, until, cards, sb.analytics_total(account, since, until)


@bp.get("/analytics/scorecards")
@locked
def scorecards():
    """The Step 5 numbers per bot, skill or A/B variant, and of all chats, over the window."""
    account, by, since, until, cards, total = _scorecards()
    return respond({"account": account.id, "by": by, "from": _ms(since), "to": _ms(until),
                    "now": _ms(sandbox().clock.now()), "total": total.as_dict(),
                    "scorecards": [c.as_dict() for c in cards]})


@bp.get("/analytics/scorecards.csv")
@locked
def scorecards_csv():
    """The same rows as CSV (an attachment), the all-chats row last."""
    account, by, since, until, cards, total = _scorecards()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for card in (*cards, total):
        writer.writerow(_csv_row(card.as_dict()))
    name = f"scorecards-{account.id}-by-{by}-{_ms(since)}-{_ms(until)}.csv"
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _csv_row(row: dict) -> list:
    values = []
    for column in CSV_COLUMNS:
        value = row[column]
        if column == "reasons":
            value = "; ".join(f"{r['reason']} ({r['count']})" for r in value)
        value = "" if value is None else value
        if column in CSV_TEXT and str(value)[:1] in ("=", "+", "-", "@", "\t", "\r"):
            value = "'" + str(value)  # a spreadsheet would run it as a formula (OWASP's advice)
        values.append(value)
    return values


@bp.get("/analytics/timeseries")
@locked
def timeseries():
    """Per-bucket chats, ended, transfers, resolved, CSAT mean and MCS of each group and of all."""
    sb = sandbox()
    account, by = _account(sb), _by()
    since, until = _window(sb)
    bucket = _bucket(since, until)
    data = sb.analytics_timeseries(account, by, since, until, bucket)
    return respond({"account": account.id, "by": by, "from": _ms(since), "to": _ms(until),
                    "bucket": data["bucket"], "starts": [_ms(s) for s in data["starts"]],
                    "total": data["total"], "series": data["series"]})


@bp.get("/analytics/records")
@locked
def records():
    """Engagement History records (one per leg, LivePerson's shape) of the window's chats."""
    from ..wire.history import engagement_records  # the Engagement History API's renderer
    sb = sandbox()
    account = _account(sb)
    since, until = _window(sb)
    items = [item for record in sb.chat_records(account, since, until)
             for item in engagement_records(sb, account, record)]
    return respond({"_metadata": {"count": len(items), "account": account.id,
                                  "from": _ms(since), "to": _ms(until)},
                    "interactionHistoryRecords": items})
