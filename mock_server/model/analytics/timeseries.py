"""The Step 5 numbers per time bucket, for the dashboard's charts: each group's chats split by
the bucket of their request time, each cell scored as a scorecard row is (scorecard.score)."""
import math

from .records import ChatRecord
from .scorecard import group, score

MAX_BUCKETS = 1000  # more points than any chart can show
# Bucket sizes a default is chosen from (seconds): the smallest that gives at most TARGET points.
NICE_BUCKETS = (10, 30, 60, 300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 7 * 86400)
TARGET_POINTS = 60
FIELDS = ("chats", "ended", "transfers", "resolved", "csat_mean", "mcs")


def default_bucket(since: float, until: float) -> int:
    """The bucket size (seconds) that draws the window in at most TARGET_POINTS points."""
    span = max(until - since, 1)
    return next((b for b in NICE_BUCKETS if span / b <= TARGET_POINTS), NICE_BUCKETS[-1])


def bucket_starts(since: float, until: float, bucket: int) -> list[float]:
    """The buckets' start times: aligned on multiples of `bucket` (a chart keeps its points
    from one refresh to the next), from the one holding `since` to the one holding `until`."""
    first = math.floor(since / bucket) * bucket
    count = max(1, math.floor((until - first) / bucket) + 1)
    return [first + i * bucket for i in range(count)]


def series(records: list[ChatRecord], by: str, starts: list[float], bucket: int) -> dict:
    """key -> {field: [value per bucket]} for each group, and "" -> the same for all chats."""
    out = {"": _columns(records, starts, bucket)}
    for key, members in group(records, by).items():
        out[key] = _columns(members, starts, bucket)
    return out


def _columns(records: list[ChatRecord], starts: list[float], bucket: int) -> dict:
    cells: list[list[ChatRecord]] = [[] for _ in starts]
    first = starts[0]
    for record in records:
        index = int((record.requested - first) // bucket)
        if 0 <= index < len(cells):
            cells[index].append(record)
    cards = [score("", "", "", cell) if cell else None for cell in cells]
    return {name: [_value(card, name) for card in cards] for name in FIELDS}


def _value(card, name: str):
    if card is None:
        return 0 if name in ("chats", "ended", "transfers", "resolved") else None
    return getattr(card, name)
