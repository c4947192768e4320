"""Brains decide what the bot says: `Brain.reply(context, visitor_text) -> Reply | None`.

A brain is any object with `reply(context, text)` (and optionally `start(context)`), or a plain
function `(context, text) -> str | Reply | None`. `make_brain` builds the built-in ones by name
(`transcript`, `rules`) or imports yours as `module:attribute`.
"""
import importlib
import string
from dataclasses import dataclass, field
from typing import Any, Callable

DEFAULT_VISITOR_NAMES = ("visitor", "You", "you", "")  # what the APIs say before a name is given


@dataclass(frozen=True)
class Handoff:
    """Transfer the chat to a skill (name or id), telling the next agent `reason`."""

    skill: str
    reason: str
    unavailable_text: str  # said instead when nobody is on duty there; the bot keeps the chat


@dataclass(frozen=True)
class Reply:
    """What to do after a visitor line: say `text`, then maybe end the chat or hand it off.

    `rich` makes the line structured content (textType rich-content, LivePerson's JSON: a card
    of vertical/horizontal layouts, texts, images, buttons); `text` then goes with it as the
    line's text, what a client that cannot draw cards shows. `quick_replies` (LivePerson's
    `{"type": "quickReplies", "itemsPerRow": N, "replies": [buttons]}`) may go with any line."""

    text: str | None = None
    html: bool = True  # html lines are wrapped like LivePerson's sample app wraps them
    end_chat: bool = False
    handoff: Handoff | None = None
    rich: dict | None = None
    quick_replies: dict | None = None

    @property
    def says_something(self) -> bool:
        return bool(self.text or self.rich)


@dataclass
class ChatContext:
    """What a brain may know about one chat; `memory` is the brain's own per-chat state."""

    chat_id: str
    agent: str  # the bot's login name
    agent_name: str = ""  # the nickname the visitor sees
    visitor_name: str | None = None  # as the visitor gave it (chat info visitorName)
    visitor_info: dict = field(default_factory=dict)  # the sandbox's persona, when served
    skill: str | None = None
    visitor_lines: list[str] = field(default_factory=list)
    memory: dict = field(default_factory=dict)
    intent: str | None = None  # what the NLP hook said about the current line, if one is set
    escalation: Any = None  # the bot's EscalationPolicy (see brains.escalation)

    @property
    def name(self) -> str | None:
        """The visitor's name: the one they gave, else the persona's, else None."""
        if self.visitor_name and self.visitor_name not in DEFAULT_VISITOR_NAMES:
            return self.visitor_name
        return self.visitor_info.get("name") or None

    def slots(self, **extra) -> dict[str, str]:
        """Values a reply template may use: {name}, {first_name}, {agent}, persona fields."""
        name = self.name or "there"
        values = {str(k): str(v) for k, v in self.visitor_info.items() if v is not None}
        values.update(name=name, first_name=name.split()[0] if self.name else name,
                      agent=self.agent_name or self.agent)
        values.update({k: str(v) for k, v in extra.items() if v is not None})
        return values

    def fill(self, template: str, **extra) -> str:
        """`template` with its {slots} filled; an unknown slot is left as written."""
        return string.Formatter().vformat(template, (), _Slots(self.slots(**extra)))

    def handoff(self, visitor_text: str, text: str | None = None, skill: str | None = None,
                reason: str | None = None) -> Reply:
        """The reply that escalates this chat under the bot's escalation policy."""
        from .escalation import EscalationPolicy
        policy = self.escalation if self.escalation is not None else EscalationPolicy()
        return policy.reply(self, visitor_text, text=text, skill=skill, reason=reason)


class _Slots(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class Brain:
    """Base of every brain. One brain serves all chats of a bot, so keep state in the context."""

    name = "brain"
    escalation_settings: dict = {}  # escalation settings from the brain's own configuration (read-only)

    def start(self, context: ChatContext) -> Reply | None:
        """Called once when a chat is accepted; may greet. Default: say nothing."""
        return None

    def reply(self, context: ChatContext, visitor_text: str) -> Reply | None:
        """Answer one visitor line (None: say nothing)."""
        raise NotImplementedError


class FunctionBrain(Brain):
    """A brain made of one function `(context, text) -> str | Reply | None`."""

    def __init__(self, function: Callable):
        self.function = function
        self.name = getattr(function, "__name__", "function")

    def reply(self, context: ChatContext, visitor_text: str) -> Reply | None:
        """Call the function; a string becomes a line."""
        answer = self.function(context, visitor_text)
        return Reply(text=answer) if isinstance(answer, str) else answer


def make_brain(name: str, **options) -> Brain:
    """Build a brain by name with its options (transcript=PATH, intents=PATH), or import
    `module:attribute` (a Brain subclass, a Brain instance, or a function)."""
    factories = _registry()
    if name in factories:
        return factories[name](**options)
    if ":" not in name:
        raise ValueError(f"unknown brain {name!r}; known: {', '.join(sorted(factories))}, "
                         "or module:attribute")
    found = load_attribute(name)
    if isinstance(found, type) and issubclass(found, Brain):
        return found()
    if isinstance(found, Brain) or hasattr(found, "reply"):
        return found
    if callable(found):
        return FunctionBrain(found)
    raise ValueError(f"{name} is not a Brain, a Brain class or a function")


def load_attribute(spec: str):
    """Import `package.module:attribute` (the attribute may be dotted)."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected module:attribute, got {spec!r}")
    try:
        found = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import {module_name}: {exc}") from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ValueError(f"{module_name} has no attribute {attribute}")
        found = getattr(found, part)
    return found


def brain_names() -> list[str]:
    """The names `make_brain` knows without an import."""
    return sorted(_registry())


def _registry() -> dict[str, Callable[..., Brain]]:
    # Imported here: brain modules import this package for Brain and Reply.
    from .rules import RulesBrain
    from .transcript import TranscriptBrain
    return {TranscriptBrain.name: TranscriptBrain.from_options,
            RulesBrain.name: RulesBrain.from_options}
