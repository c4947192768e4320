"""What a chat line may be, on either side."""
from ..errors import BadRequest

MAX_LINE_CHARS = 100_000
TEXT_TYPES = ("plain", "html", "rich-content")
TYPING = ("typing", "not-typing", "unknown")


def checked_text(text) -> str:
    """A line's text: a non-empty string of at most MAX_LINE_CHARS characters."""
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("A line needs a non-empty 'text'", 36)
    if len(text) > MAX_LINE_CHARS:
        raise BadRequest(f"A line may have at most {MAX_LINE_CHARS} characters", 37)
    return text
