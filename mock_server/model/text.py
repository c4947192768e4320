"""Client-given text and numbers: the checks a value passes before the model stores it."""
import re

from .errors import BadRequest
from .numbers import as_int

# C0 and C1 controls (NUL, CR, LF, TAB, ESC, ...), DEL, the Unicode line and paragraph
# separators and lone surrogates: none belongs in a name, and each can split a header or a log
# line, or break a renderer.
_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def text(value, name: str, max_chars: int, code: int = 80) -> str:
    """A string of at most `max_chars` characters without control characters, or BadRequest."""
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string", code)
    if len(value) > max_chars:
        raise BadRequest(f"'{name}' may have at most {max_chars} characters", code)
    if _FORBIDDEN.search(value):
        raise BadRequest(f"'{name}' must not contain control characters (CR, LF, NUL, ...)", code)
    return value


def integer(value, name: str, minimum: int, maximum: int, code: int = 80) -> int:
    """A whole number in [minimum, maximum]: a JSON number, or a string of ASCII digits
    (LivePerson sends numbers as strings); never a boolean, never NaN or infinity."""
    message = f"'{name}' must be a whole number from {minimum} to {maximum}"
    try:
        number = as_int(value.strip() if isinstance(value, str) else value, name, code)
    except BadRequest:
        raise BadRequest(message, code) from None
    if not minimum <= number <= maximum:
        raise BadRequest(message, code)
    return number


def identifier(value, name: str, code: int = 80) -> str:
    """An id given in a body: a whole number, or a short string (ids are looked up as strings)."""
    if isinstance(value, str):
        value = text(value, name, 64, code).strip()
        if value:
            return value
        raise BadRequest(f"'{name}' must be an id", code)
    return str(integer(value, name, 0, 10**18 - 1, code))
