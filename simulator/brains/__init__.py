"""Brains decide what the bot says: `Brain.reply(context, visitor_text) -> Reply | None`."""
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Reply:
    """What to do after a visitor line: say `text` (html or plain) and/or end the chat."""

    text: str | None = None
    html: bool = True  # html lines are wrapped like LivePerson's sample app wraps them
    end_chat: bool = False


@dataclass
class ChatContext:
    """What a brain may know about one chat; `memory` is the brain's own per-chat state."""

    chat_id: str
    agent: str
    visitor_lines: list[str] = field(default_factory=list)
    memory: dict = field(default_factory=dict)


class Brain:
    """Base of every brain. One brain serves all chats of a bot, so keep state in the context."""

    name = "brain"

    def start(self, context: ChatContext) -> Reply | None:
        """Called once when a chat is accepted; may greet. Default: say nothing."""
        return None

    def reply(self, context: ChatContext, visitor_text: str) -> Reply | None:
        """Answer one visitor line (None: say nothing)."""
        raise NotImplementedError


def make_brain(name: str, **options) -> Brain:
    """Build a brain by name with its options (e.g. transcript=PATH)."""
    factories = _registry()
    if name not in factories:
        raise ValueError(f"unknown brain {name!r}; known: {', '.join(sorted(factories))}")
    return factories[name](**options)


def brain_names() -> list[str]:
    """The names `make_brain` accepts."""
    return sorted(_registry())


def _registry() -> dict[str, Callable[..., Brain]]:
    # Imported here: brain modules import this package for Brain and Reply.
    from .transcript import TranscriptBrain
    return {TranscriptBrain.name: TranscriptBrain.from_options}
