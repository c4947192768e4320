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
      reason: Customer asked for a person         #   the note the next agent sees
    misunderstood:                                # optional: hand off after fallbacks in a row
      after: 2                                    #   the 2nd line in a row no intent matched
      replies: ["Let me find you a person."]      #   the handoff line (in turn)
      reason: Could not understand the customer twice  # the transfer's note
      skill: support-human                        #   optional, else the policy's skill
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
      - name: menu
        patterns: ['\\bmenu\\b']
        replies:                                  # a reply may be a mapping instead of a text:
          - text: "Here is what I can do."        #   the line's text (optional with `rich`)
            rich:                                 #   structured content, LivePerson's JSON:
              type: vertical                      #   sent as a textType rich-content line
              elements:
                - {type: text, text: "Hi {first_name}, pick one:"}
                - type: button
                  title: Returns
                  click: {actions: [{type: publishText, text: "How do returns work?"}]}
            quick_replies: [Opening hours, Bye]   #   chips under the line: texts (a chip says
                                                  #   its title) or LivePerson's quickReplies

Replies may use slots: {name}, {first_name}, {agent} (the bot's nickname), the persona's fields
when the platform sends them ({email}, {city}, {country}, ...), {text} (the visitor's line),
and the named groups of the pattern that matched; in a reply's `rich` and `quick_replies`
every string is filled the same way. `welcome` and `fallback` may be such mappings too. With
an NLP hook the hook's intent name is used first (an intent it names that the file lacks gets
the fallback); the patterns decide only when the hook has no answer.

Transfer reasons are what reports rank transfers by, so keep them a small, fixed set (no
{text} in them); `RulesBrain.transfer_reasons()` lists the file's own.
"""
import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import Brain, ChatContext, Reply

DEFAULT_INTENTS = Path(__file__).resolve().parent.parent / "intents" / "default.yaml"


SAY_KEYS = {"text", "rich", "quick_replies"}


@dataclass(frozen=True)
class Say:
    """One reply of the file: a text, structured content (`rich`), quick replies (any of them)."""

    text: str | None = None
    rich: dict | None = None
    quick_replies: dict | None = None

    def reply(self, context: ChatContext, end_chat: bool = False, **slots) -> Reply:
        """The Reply with every slot filled (in the card and the chips too)."""
        rich = _filled(context, self.rich, slots)
        text = context.fill(self.text, **slots) if self.text else None
        if rich is not None and not text:
            text = " ".join(_card_texts(rich)) or None  # what clients without cards show
        return Reply(text=text, rich=rich, quick_replies=_filled(context, self.quick_replies, slots),
                     end_chat=end_chat)


def _filled(context: ChatContext, value, slots: dict):
    """A copy of `value` with the slots filled in each of its strings."""
    if isinstance(value, str):
        return context.fill(value, **slots)
    if isinstance(value, dict):
        return {key: _filled(context, item, slots) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(context, item, slots) for item in value]
    return copy.deepcopy(value)


def _card_texts(node) -> list[str]:
    """The texts of a card, then its buttons' titles in brackets."""
    if not isinstance(node, dict):
        return []
    if node.get("type") == "button":
        return [f"[{node['title']}]"] if isinstance(node.get("title"), str) else []
    own = [node["text"]] if isinstance(node.get("text"), str) else []
    children = node.get("elements")
    return own + [t for child in (children if isinstance(children, list) else [])
                  for t in _card_texts(child)]


@dataclass(frozen=True)
class Intent:
    """One intent: how to recognise it and what to do."""

    name: str
    patterns: tuple[re.Pattern, ...] = ()
    replies: tuple[Say, ...] = ()
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
    fallback: tuple[Say, ...]
    welcome: Say | None = None
    escalation: dict = field(default_factory=dict)
    misunderstood: Intent | None = None  # the handoff after `misunderstood_after` fallbacks in a row
    misunderstood_after: int = 0  # 0: never


MISUNDERSTOOD_KEYS = {"after", "replies", "reason", "skill"}


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
        replies = _says(item.get("replies"), f"{path}: intent {item['name']}")
        if not replies and not item.get("escalate"):
            raise ValueError(f"{path}: intent {item['name']} needs replies (or escalate: true)")
        intents.append(Intent(name=str(item["name"]), patterns=patterns, replies=replies,
                              end=bool(item.get("end")), escalate=bool(item.get("escalate")),
                              skill=item.get("skill"), reason=item.get("reason")))
    fallback = _says(data.get("fallback"), f"{path}: fallback") or (
        Say("Sorry, I did not understand that."),)
    escalation = data.get("escalation") or {}
    if not isinstance(escalation, dict):
        raise ValueError(f"{path}: 'escalation' must be a mapping")
    welcome = _says(data.get("welcome"), f"{path}: welcome")
    if len(welcome) > 1:
        raise ValueError(f"{path}: 'welcome' is one reply, not a list")
    misunderstood, after = _misunderstood(data.get("misunderstood"), f"{path}: misunderstood")
    return Rules(intents=intents, fallback=fallback, welcome=welcome[0] if welcome else None,
                 escalation=escalation, misunderstood=misunderstood, misunderstood_after=after)


def _misunderstood(value, where: str) -> tuple[Intent | None, int]:
    """The `misunderstood:` section: an escalating intent and after how many fallbacks in a row."""
    if value is None:
        return None, 0
    if not isinstance(value, dict) or set(value) - MISUNDERSTOOD_KEYS:
        raise ValueError(f"{where}: a mapping of {', '.join(sorted(MISUNDERSTOOD_KEYS))}")
    after = value.get("after")
    if isinstance(after, bool) or not isinstance(after, int) or after < 1:
        raise ValueError(f"{where}: 'after' is how many fallbacks in a row hand off (1 or more)")
    return Intent(name="_misunderstood", replies=_says(value.get("replies"), where), escalate=True,
                  skill=value.get("skill"), reason=value.get("reason")), after


def _strings(value) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(str(v) for v in items)


def _says(value, where: str) -> tuple[Say, ...]:
    """Replies: texts, or mappings of `text`, `rich` (a card) and `quick_replies`."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(_say(item, where) for item in items)


def _say(item, where: str) -> Say:
    if not isinstance(item, dict):
        return Say(text=str(item))
    unknown = set(item) - SAY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown reply key(s) {', '.join(sorted(unknown))} "
                         f"(a reply has {', '.join(sorted(SAY_KEYS))})")
    rich = item.get("rich")
    if rich is not None and not (isinstance(rich, dict) and isinstance(rich.get("type"), str)):
        raise ValueError(f"{where}: 'rich' is structured content: a mapping with a 'type' "
                         "(vertical, horizontal, text, button, image, ...)")
    text = item.get("text")
    if text is None and rich is None:
        raise ValueError(f"{where}: a reply needs a 'text' or a 'rich' card")
    return Say(text=None if text is None else str(text), rich=rich,
               quick_replies=_quick_replies(item.get("quick_replies"), where))


def _quick_replies(value, where: str) -> dict | None:
    """LivePerson's quickReplies object; a list is its replies, and a text in it is a chip that
    says its own title."""
    if value is None:
        return None
    group = {"replies": value} if isinstance(value, list) else value
    replies = group.get("replies") if isinstance(group, dict) else None
    if not isinstance(replies, list) or not replies:
        raise ValueError(f"{where}: 'quick_replies' is a list of chips (texts or buttons) or "
                         "a mapping with a 'replies' list")
    chips = [chip if isinstance(chip, dict) else
             {"type": "button", "title": str(chip),
              "click": {"actions": [{"type": "publishText", "text": str(chip)}]}}
             for chip in replies]
    return {"type": "quickReplies", "itemsPerRow": min(len(chips), 8), **group, "replies": chips}


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
        return self.rules.welcome.reply(context) if self.rules.welcome else None

    def classify(self, context: ChatContext, text: str) -> tuple[Intent | None, dict]:
        """The intent of `text` and its slots: the hook's intent if it gave one, else patterns."""
        if context.intent:
            return self.by_name.get(context.intent), {}
        for intent in self.rules.intents:
            groups = intent.match(text)
            if groups is not None:
                return intent, groups
        return None, {}

    def transfer_reasons(self) -> set[str]:
        """The reasons this file's own handoffs give (None: an escalating intent without one
        gives the escalation policy's)."""
        handoffs = [i for i in self.rules.intents if i.escalate] + [self.rules.misunderstood]
        return {i.reason for i in handoffs if i is not None}

    def reply(self, context: ChatContext, visitor_text: str) -> Reply:
        """The intent's next reply (ending or escalating as it says), the fallback, or after
        too many fallbacks in a row the `misunderstood` handoff."""
        intent, groups = self.classify(context, visitor_text)
        context.memory["last_intent"] = intent.name if intent else None
        if intent is None:
            missed = context.memory["misunderstood"] = context.memory.get("misunderstood", 0) + 1
            if self.rules.misunderstood is None or missed < self.rules.misunderstood_after:
                return self._next(context, "_fallback", self.rules.fallback).reply(context, text=visitor_text)
            intent = self.rules.misunderstood
        context.memory["misunderstood"] = 0  # understood (or handed off): count afresh
        say = self._next(context, intent.name, intent.replies)
        if intent.escalate:
            return context.handoff(visitor_text, text=say.text if say else None, skill=intent.skill,
                                   reason=intent.reason)
        return say.reply(context, end_chat=intent.end, text=visitor_text, **groups)

    @staticmethod
    def _next(context: ChatContext, key: str, lines: tuple[Say, ...]) -> Say | None:
        """Lines of an intent are said in turn within a chat (deterministic, not random)."""
        if not lines:
            return None
        turns = context.memory.setdefault("turns", {})
        index = turns.get(key, 0)
        turns[key] = index + 1
        return lines[index % len(lines)]
