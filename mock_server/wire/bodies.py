"""Request bodies read defensively: valid UTF-8 and Unicode, bounded depth, finite sane numbers."""
import json
import math
import re

MAX_DEPTH = 64  # nesting of objects and arrays; rich content needs about ten
MAX_INT_DIGITS = 18  # a signed 64-bit long, as LivePerson's services read numbers

# A \uD800-\uDFFF escape: JSON can carry a lone UTF-16 surrogate that no encoder can write back.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')


class BodyError(ValueError):
    """The body cannot be accepted; the message says why in words for the client."""


def parse_json(raw: bytes):
    """Parse a JSON body; BodyError for bad UTF-8, lone surrogates, NaN, 1e999, huge ints, depth."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyError("The request body is not valid UTF-8") from None
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
        _check_depth(raw)  # before parsing: the parser itself recurses
    try:
        body = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float,
                          parse_int=_bounded_int)
    except BodyError:
        raise
    except (ValueError, RecursionError):
        raise BodyError("The request body is not valid JSON") from None
    if _SURROGATE_ESCAPE.search(raw) and has_invalid_text(body):
        raise BodyError("The request body holds text that is not valid Unicode (a lone surrogate)")
    return body


def has_invalid_text(value) -> bool:
    """True when any string (or key) in a parsed body holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _check_depth(raw: bytes) -> None:
    """Walk brackets outside strings; BodyError past MAX_DEPTH."""
    depth, in_string, skip_to = 0, False, -1
    for match in _STRUCTURE.finditer(raw):
        start = match.start()
        if start < skip_to:
            continue
        char = raw[start:start + 1]
        if in_string:
            if char == b"\\":
                skip_to = start + 2  # the escaped character is not structure
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise BodyError(f"The request body is nested more than {MAX_DEPTH} levels deep")
        elif char in (b"]", b"}"):
            depth -= 1


def _no_constant(name: str):
    raise BodyError(f"The request body holds {name}, which is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(f"The number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise BodyError(f"The number {text[:40]}... has more than {MAX_INT_DIGITS} digits")
    return int(text)
