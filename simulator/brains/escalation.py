"""Escalation to a human, for every brain: keywords, NLP intents, the handoff line and reason."""
import re
from dataclasses import dataclass, fields, replace

from . import Brain, ChatContext, Handoff, Reply
from .nlp import Classifier

DEFAULT_SKILL = "support-human"


@dataclass(frozen=True)
class EscalationPolicy:
    """When to hand a chat to people, where, and what to say.

    `keywords` are whole words (any case) that always escalate; `intents` are names the NLP
    hook may return that escalate. Texts may use the chat's slots ({name}, {agent}, ...) and
    `reason` also {text}, the visitor's line.
    """

    keywords: tuple[str, ...] = ("agent",)
    intents: tuple[str, ...] = ("escalate",)
    skill: str = DEFAULT_SKILL
    handoff: str = "Let me get you one of our people, {first_name}. One moment please."
    unavailable: str = ("I'm sorry, nobody from our team is available right now. "
                        "I'm still here and happy to help in the meantime.")
    reason: str = "The customer asked for a person: \"{text}\""

    @classmethod
    def from_settings(cls, settings: dict | None, **overrides) -> "EscalationPolicy":
        """Build from a brain's `escalation:` settings, then `overrides` (None means: keep)."""
        known = {f.name for f in fields(cls)}
        policy = cls()
        for source in (settings or {}, overrides):
            unknown = set(source) - known
            if unknown:
                raise ValueError(f"unknown escalation setting(s): {', '.join(sorted(unknown))}")
            values = {k: (tuple(v) if k in ("keywords", "intents") else str(v))
                      for k, v in source.items() if v is not None}
            policy = replace(policy, **values)
        return policy

    def keyword_in(self, text: str) -> str | None:
        """The first keyword `text` contains as a whole word, if any."""
        for keyword in self.keywords:
            if keyword and re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text, re.IGNORECASE):
                return keyword
        return None

    def reply(self, context: ChatContext, visitor_text: str, text: str | None = None,
              skill: str | None = None, reason: str | None = None) -> Reply:
        """Say the handoff line and transfer to `skill` (the policy's unless given)."""
        line = context.fill(text if text is not None else self.handoff)
        return Reply(text=line or None, handoff=Handoff(
            skill=skill or self.skill,
            reason=context.fill(reason if reason is not None else self.reason, text=visitor_text),
            unavailable_text=context.fill(self.unavailable)))


class EscalatingBrain(Brain):
    """Wraps any brain: keywords and escalating NLP intents hand off before the brain answers.

    With an NLP hook, its intent for each line is put in `context.intent` for the inner brain
    (the rules brain answers by it).
    """

    def __init__(self, inner: Brain, policy: EscalationPolicy, classifier: Classifier | None = None):
        self.inner = inner
        self.policy = policy
        self.classifier = classifier
        self.name = getattr(inner, "name", "brain")

    def start(self, context: ChatContext) -> Reply | None:
        """The inner brain's greeting."""
        context.escalation = self.policy
        start = getattr(self.inner, "start", None)
        return start(context) if start else None

    def transfer_reasons(self) -> set[str]:
        """Every reason this bot's handoffs may give: the policy's and the inner brain's own."""
        inner = getattr(self.inner, "transfer_reasons", lambda: set())()
        return {self.policy.reason} | {r if r is not None else self.policy.reason for r in inner}

    def reply(self, context: ChatContext, visitor_text: str) -> Reply | None:
        """Escalate on a keyword or an escalating intent; else let the inner brain answer."""
        context.escalation = self.policy
        context.intent = None
        keyword = self.policy.keyword_in(visitor_text)
        if keyword:
            context.memory["escalated_by"] = f"keyword:{keyword}"
            return self.policy.reply(context, visitor_text)
        if self.classifier is not None:
            context.intent = self.classifier(visitor_text, context)
            if context.intent in self.policy.intents:
                context.memory["escalated_by"] = f"intent:{context.intent}"
                return self.policy.reply(context, visitor_text)
        return self.inner.reply(context, visitor_text)


def escalating(inner: Brain, classifier: Classifier | None = None, **overrides) -> EscalatingBrain:
    """`inner` with escalation: its own file's settings, then `overrides` (None keeps a value)."""
    settings = getattr(inner, "escalation_settings", None) or {}
    return EscalatingBrain(inner, EscalationPolicy.from_settings(settings, **overrides), classifier)
