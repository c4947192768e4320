"""The rules brain: intents from a YAML file, each a list of patterns and the replies they get.

File format (see simulator/intents/default.yaml, the default)::

    welcome: "Hi {first_name}! I'm {agent}."    # optional: said when a chat is accepted
    fallback:                                     # said when no intent matches (in turn)
      - "Sorry, I did not get that."
    escalation:                                   # optional: defaults of the escalation policy
      keywords: [agent]                           #   whole words that always hand off
      skill: support-human                        #   where handoffs go
      handoff: "Let me get you a person."         #   said before the transfer
      unavailable: "Nobody is available."         #   said when nobody is on duty there
      reason: 'Asked for a person: "{text}"'      #   the note the next agent sees
    intents:                                      # tried in order; the first match wins
      - name: order_status
        patterns: ['order\\s*#?\\s*(?P<order>\\d+)']   # regular expressions, any case
        replies: ["Order {order} is on its way."]       # said in turn, one per match
        end: false                                # true: end the chat after the reply
      - name: human
        patterns: ['\\bhuman\\b']
        escalate: true                            # hand off (replies: the handoff line)
        skill: support-human                      # optional, else the policy's skill
        reason: "Wants a human"                   # optional, else the policy's reason

Replies may use slots: {name}, {first_name}, {agent} (the bot's nickname), the persona's fields
when the platform sends them ({email}, {city}, {country}, ...), {text} (the visitor's line),
and the named groups of the pattern that matched. With an NLP hook the hook's intent name is
used first (an intent it names that the file lacks gets the fallback); the patterns decide only
when the hook has no answer.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import Brain, ChatContext, Reply

DEFAULT_INTENTS = Path(__file__).resolve().parent.parent / "intents" / "default.yaml"


@dataclass(frozen=True)
class Intent:
    """One intent: how to recognise it and what to do."""

    name: str
    patterns: tuple[re.Pattern, ...] = ()
    replies: tuple[str, ...] = ()
    end: bool = False
    escalate: bool = False
    skill: str | None = None
    reason: str | None = None

    def match(self, text: str) -> dict | None:
        """The named groups of the first pattern that matches `text` (None: no match)."""
        for pattern in self.patterns:
            found = pattern.search(text)
            if found:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None


@dataclass
class Rules:
    """A loaded intents file."""

    intents: list[Intent]
    fallback: tuple[str, ...]
    welcome: str | None = None
    escalation: dict = field(default_factory=dict)


def load_rules(path: str | Path = DEFAULT_INTENTS) -> Rules:
    """Read and check an intents file; ValueError names what is wrong."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list):
        raise ValueError(f"{path}: an intents file is a mapping with an 'intents' list")
    intents = []
    for number, item in enumerate(data["intents"], 1):
        if not isinstance(item, dict) or not item.get("name"):
            raise ValueError(f"{path}: intent #{number} needs a name")
        unknown = set(item) - {"name", "patterns", "replies", "end", "escalate", "skill", "reason"}
        if unknown:
            raise ValueError(f"{path}: intent {item['name']}: unknown key(s) {', '.join(sorted(unknown))}")
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in _strings(item.get("patterns")))
        except re.error as exc:
            raise ValueError(f"{path}: intent {item['name']}: bad pattern: {exc}") from exc
        replies = _strings(item.get("replies"))
        if not replies and not item.get("escalate"):
            raise ValueError(f"{path}: intent {item['name']} needs replies (or escalate: true)")
        intents.append(Intent(name=str(item["name"]), patterns=patterns, replies=replies,
                              end=bool(item.get("end")), escalate=bool(item.get("escalate")),
                              skill=item.get("skill"), reason=item.get("reason")))
    fallback = _strings(data.get("fallback")) or ("Sorry, I did not understand that.",)
    escalation = data.get("escalation") or {}
    if not isinstance(escalation, dict):
        raise ValueError(f"{path}: 'escalation' must be a mapping")
    return Rules(intents=intents, fallback=fallback, welcome=data.get("welcome"),
                 escalation=escalation)


def _strings(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in items)


class RulesBrain(Brain):
    """Answers by intent: the NLP hook's, else the first intent whose pattern matches."""

    name = "rules"

    def __init__(self, rules: Rules):
        self.rules = rules
        self.by_name = {intent.name: intent for intent in rules.intents}
        self.escalation_settings = dict(rules.escalation)

    @classmethod
    def from_options(cls, intents: str | Path | None = None, **_ignored) -> "RulesBrain":
        """Build from an intents file (the default file when none is given)."""
        return cls(load_rules(intents or DEFAULT_INTENTS))

    def start(self, context: ChatContext) -> Reply | None:
        """The welcome line, if the file has one."""
        return Reply(text=context.fill(self.rules.welcome)) if self.rules.welcome else None

    def classify(self, context: ChatContext, text: str) -> tuple[Intent | None, dict]:
        """The intent of `text` and its slots: the hook's intent if it gave one, else patterns."""
        if context.intent:
            return self.by_name.get(context.intent), {}
        for intent in self.rules.intents:
            groups = intent.match(text)
            if groups is not None:
                return intent, groups
        return None, {}

    def reply(self, context: ChatContext, visitor_text: str) -> Reply:
        """The intent's next reply (ending or escalating as it says), or the fallback."""
        intent, groups = self.classify(context, visitor_text)
        context.memory["last_intent"] = intent.name if intent else None
        if intent is None:
            return Reply(text=context.fill(self._next(context, "_fallback", self.rules.fallback),
                                           text=visitor_text))
        line = self._next(context, intent.name, intent.replies)
        if intent.escalate:
            return context.handoff(visitor_text, text=line, skill=intent.skill, reason=intent.reason)
        return Reply(text=context.fill(line, text=visitor_text, **groups), end_chat=intent.end)

    @staticmethod
    def _next(context: ChatContext, key: str, lines: tuple[str, ...]) -> str | None:
        """Lines of an intent are said in turn within a chat (deterministic, not random)."""
        if not lines:
            return None
        turns = context.memory.setdefault("turns", {})
        index = turns.get(key, 0)
        turns[key] = index + 1
        return lines[index % len(lines)]
