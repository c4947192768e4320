"""Integers from clients, read strictly: ASCII digits only, a sane size, never NaN or infinity."""
import math
import re

from .errors import BadRequest

# 18 digits fit in a signed 64-bit long, as LivePerson's Java services read ids and counts.
INT_TEXT = re.compile(r"-?[0-9]{1,18}")


def is_int_text(value) -> bool:
    """True for a string of ASCII digits (with an optional minus) of at most 18 digits.

    str.isdigit() and int() accept '²' and '٣'; a client's id or count never holds them."""
    return isinstance(value, str) and INT_TEXT.fullmatch(value) is not None


def as_int(value, name: str, code: int = 1) -> int:
    """An integer given as a JSON number or a string of digits; BadRequest otherwise."""
    if isinstance(value, bool):
        raise BadRequest(f"'{name}' must be an integer", code)
    if isinstance(value, int) and abs(value) < 10**18:
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 10**18:
        return int(value)
    if is_int_text(value):
        return int(value)
    raise BadRequest(f"'{name}' must be an integer", code)
