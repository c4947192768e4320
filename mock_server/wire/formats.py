"""LivePerson's JSON conventions: @-keys, one item as an object, times, links."""
from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..model.numbers import is_int_text


@lru_cache(maxsize=64)
def zone(name: str):
    """The tzinfo of an account's time zone (UTC if the name is unknown)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def iso_time(ts: float, tz_name: str = "UTC") -> str:
    """`2018-01-29T08:19:43.963-05:00`: ISO-8601 with milliseconds and the account's offset."""
    return datetime.fromtimestamp(ts, zone(tz_name)).isoformat(timespec="milliseconds")


def error_time(ts: float, tz_name: str = "UTC") -> str:
    """`Sep 22, 2016 4:10:15 PM`: the time format of LivePerson's error envelope."""
    dt = datetime.fromtimestamp(ts, zone(tz_name))
    hour = dt.hour % 12 or 12
    return f"{dt:%b} {dt.day}, {dt.year} {hour}:{dt:%M:%S} {dt:%p}"


def epoch_ms(ts: float) -> int:
    """Epoch milliseconds, as LivePerson writes serverCurrentTime and startTime."""
    return int(round(ts * 1000))


def one_or_many(items: list):
    """LivePerson's mapping: no item -> None, one item -> the item itself, more -> a list."""
    if not items:
        return None
    return items[0] if len(items) == 1 else list(items)


def link(href: str, rel: str) -> dict:
    """A link element: `{"@href": ..., "@rel": ...}`."""
    return {"@href": href, "@rel": rel}


def location(wrapper: str, href: str) -> dict:
    """`{"<wrapper>": {"link": {"@href": href, "@rel": "location"}}}` for created resources."""
    return {wrapper: {"link": link(href, "location")}}


def number_if_digits(value):
    """An id the docs show as a number: an int when it is ASCII digits, else the value as it is."""
    text = str(value)
    return int(text) if is_int_text(text) and not text.startswith("-") else value
