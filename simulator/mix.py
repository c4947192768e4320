"""The load generator's customers: the mix file, and one generated customer's script per intent.

A mix (simulator/mixes/default.yaml is the default) weighs five intents, each a way a customer
behaves, and gives the lines they say (several phrasings a role, drawn at random)::

    intents:
      happy:        {weight: 40, csat: [4, 5], resolved: true, patience: 10, lines: {question: [...], thanks: [...], comment: [...]}}
      escalating:   {weight: 25, csat: [2, 4], resolved: false, patience: 20, lines: {problem: [...], ask_human: [...], comment: [...]}}
      angry:        {weight: 15, csat: [1, 2], resolved: false, patience: 20, lines: {rant: [...], ask_human: [...], comment: [...]}}
      silent:       {weight: 10, wait: 8}
      leaving:      {weight: 10, lines: {line: [...]}}

- happy: waits for the welcome, asks a question (an answer is due within the reply timeout),
  thanks the bot (waits up to `patience` for an answer), ends the chat, answers the exit survey.
- escalating: asks what the bot cannot do (an answer is due), half of them ask again in other
  words (waiting up to `patience` for an answer), asks for a person, waits up to `patience` for
  the bot's answer and as long again for a person's line (transferred or not), leaves, answers
  the survey.
- angry: the same with a rude `rant` first; both lines are negative.
- silent: asks for a chat, says nothing for `wait` seconds, closes it; no survey.
- leaving: says one line and leaves at once, before any answer; no survey.

`resolved` answers the exit survey's yes/no "was your issue resolved?" question, when the survey
has one. A mix file names the intents it draws (an intent it leaves out is not drawn); whatever
it does not give (weight, lines, csat, resolved, patience, wait) is the default mix's. Slots in lines: {order} (a random
order number), {first_name} (the persona's). The same seed gives the same customers: intents,
personas, lines and answers.
"""
import random
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .personas import make_persona
from .scripts import Check, Script, Step, SurveyAnswers

DEFAULT_MIX = Path(__file__).resolve().parent / "mixes" / "default.yaml"
# Each intent's roles of lines (what it needs to say), and the settings it reads.
ROLES = {"happy": ("question", "thanks", "comment"), "escalating": ("problem", "ask_human", "comment"),
         "angry": ("rant", "ask_human", "comment"), "silent": (), "leaving": ("line",)}
NEEDED = {"happy": ("question", "thanks"), "escalating": ("problem", "ask_human"),
          "angry": ("rant", "ask_human"), "silent": (), "leaving": ("line",)}  # comment is optional
SETTINGS = {"weight", "csat", "resolved", "patience", "wait", "lines"}
SURVEYED = ("happy", "escalating", "angry")  # who answers the exit survey
COMMENT_ODDS = 0.6  # how often a surveyed customer also leaves a comment
REPHRASE_ODDS = 0.5  # how often an escalating customer asks again in other words


class MixError(ValueError):
    """A mix file that does not follow the format."""


@dataclass(frozen=True)
class Intent:
    """One way a customer behaves, with its weight in the mix and its lines."""

    name: str
    weight: float = 0.0
    lines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    csat: tuple[int, int] | None = None  # the lowest and highest answer, when it answers
    resolved: bool | None = None  # the survey's "was your issue resolved?" answer, if it asks
    patience: float = 20.0  # seconds to wait for an answer that may not come
    wait: float = 8.0  # silent: seconds of silence


@dataclass(frozen=True)
class Mix:
    """The intents a load draws from, by weight."""

    intents: tuple[Intent, ...]

    def drawn(self) -> list[Intent]:
        """The intents with a weight, in the file's order."""
        return [i for i in self.intents if i.weight > 0]

    def draw(self, rng: random.Random) -> Intent:
        """One intent, by weight."""
        drawn = self.drawn()
        return rng.choices(drawn, weights=[i.weight for i in drawn])[0]


@dataclass(frozen=True)
class Timing:
    """How long a generated customer waits for what must come."""

    reply: float = 30.0  # for the bot to answer a line
    join: float = 60.0  # for an agent to take the chat
    greeting: float = 5.0  # for the welcome, before speaking (optional: a bot may not greet)


@dataclass(frozen=True)
class Customer:
    """One generated customer: who, which intent, what they say, the script they play."""

    index: int
    seed: int
    intent: str
    persona: dict
    lines: tuple[str, ...]
    csat: int | None
    script: Script


def load_mix(path: str | Path | None = None) -> Mix:
    """The default mix, or a file's over it; MixError says what is wrong and where."""
    base = _parse(_read(DEFAULT_MIX), str(DEFAULT_MIX), None)
    return base if path is None else _parse(_read(path), str(path), base)


def _read(path: str | Path):
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MixError(f"{path}: {exc}") from exc


def _parse(data, where: str, base: Mix | None) -> Mix:
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict) or not data["intents"]:
        raise MixError(f"{where}: a mix is a mapping with an 'intents' mapping "
                       f"({', '.join(ROLES)})")
    unknown = set(data["intents"]) - set(ROLES)
    if unknown:
        raise MixError(f"{where}: unknown intent(s) {', '.join(sorted(unknown))}; "
                       f"known: {', '.join(ROLES)}")
    defaults = {i.name: i for i in base.intents} if base else {}
    intents = tuple(_intent(name, data["intents"][name] or {}, defaults.get(name), f"{where}: {name}")
                    for name in ROLES if name in data["intents"])
    mix = Mix(intents)
    if not mix.drawn():
        raise MixError(f"{where}: no intent has a weight above 0")
    return mix


def _intent(name: str, raw, default: Intent | None, where: str) -> Intent:
    if not isinstance(raw, dict) or set(raw) - SETTINGS:
        raise MixError(f"{where}: a mapping of {', '.join(sorted(SETTINGS))}")
    weight = raw.get("weight", default.weight if default else 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise MixError(f"{where}: 'weight' is a number, 0 or more")
    lines = dict(default.lines) if default else {}
    given = raw.get("lines") or {}
    if not isinstance(given, dict) or set(given) - set(ROLES[name]):
        raise MixError(f"{where}: 'lines' is a mapping of {', '.join(ROLES[name]) or 'nothing'}")
    for role, phrasings in given.items():
        if not isinstance(phrasings, list) or not phrasings or not all(isinstance(p, str) and p.strip()
                                                                       for p in phrasings):
            raise MixError(f"{where}: lines.{role} is a non-empty list of lines")
        lines[role] = tuple(phrasings)
    missing = [role for role in NEEDED[name] if role not in lines]
    if missing:
        raise MixError(f"{where}: needs lines for {', '.join(missing)}")
    resolved = raw.get("resolved", default.resolved if default else None)
    if resolved is not None and not isinstance(resolved, bool):
        raise MixError(f"{where}: 'resolved' is true or false")
    return Intent(name=name, weight=float(weight), lines=lines, resolved=resolved,
                  csat=_csat(raw["csat"], where) if "csat" in raw else (default.csat if default else None),
                  patience=_seconds(raw, "patience", default, where),
                  wait=_seconds(raw, "wait", default, where))


def _csat(value, where: str) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5 for v in value)
            or value[0] > value[1]):
        raise MixError(f"{where}: 'csat' is [lowest, highest], each 1 to 5")
    return value[0], value[1]


def _seconds(raw: dict, key: str, default: Intent | None, where: str) -> float:
    if key not in raw:
        return getattr(default, key) if default else getattr(Intent, key)
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise MixError(f"{where}: '{key}' is a positive number of seconds")
    return float(value)


def plan(count: int, seed: int, mix: Mix, *, skill: str | None = None,
         engagement: str | None = None, timing: Timing = Timing()) -> list[Customer]:
    """`count` customers drawn from `seed`: the same seed, the same customers."""
    master = random.Random(seed)
    return [make_customer(n, master.getrandbits(32), mix, skill=skill, engagement=engagement,
                          timing=timing) for n in range(count)]


def make_customer(index: int, seed: int, mix: Mix, *, skill: str | None = None,
                  engagement: str | None = None, timing: Timing = Timing()) -> Customer:
    """One customer from its own seed: intent, persona, lines, survey answers, script."""
    rng = random.Random(seed)
    intent = mix.draw(rng)
    persona = make_persona(seed)
    slots = {"first_name": persona["name"].split()[0]}
    last: dict[str, str] = {}  # the phrasing said last, by role

    def line(role: str, again: bool = False) -> str:
        """A phrasing of `role` (with `again`: another than the one said last, if there is one)."""
        phrasings = intent.lines[role]
        others = [p for p in phrasings if p != last.get(role)] if again else []
        last[role] = rng.choice(others or phrasings)
        return _fill(last[role], rng, slots)

    steps = _STEPS[intent.name](intent, line, timing, rng)
    said = tuple(s.say for s in steps if s.say is not None)
    csat = survey = None
    if intent.name in SURVEYED and intent.csat is not None:
        csat = rng.randint(*intent.csat)
        comment = line("comment") if "comment" in intent.lines and rng.random() < COMMENT_ODDS else None
        survey = SurveyAnswers(csat=csat, comment=comment, resolved=intent.resolved)
        steps[-1] = Step(end=True, survey=survey)
    script = Script(name=f"{intent.name} #{index + 1}", steps=tuple(steps), skill=skill,
                    engagement=engagement, request={"persona": persona}, timeout=timing.reply,
                    join_timeout=timing.join)
    return Customer(index=index, seed=seed, intent=intent.name, persona=persona, lines=said,
                    csat=csat, script=script)


def _fill(text: str, rng: random.Random, slots: dict) -> str:
    """A line with {order} (a fresh order number) and {first_name} filled; other braces kept."""
    if "{order}" in text:
        text = text.replace("{order}", str(rng.randint(10000, 99999)))
    return text.replace("{first_name}", slots["first_name"])


def _greeted(timing: Timing) -> Step:
    """Wait a little for the welcome, so the first answer is not taken for it."""
    return Step(checks=(Check("reply", "", timing.greeting, optional=True),))


def _happy(intent: Intent, line, timing: Timing, rng: random.Random) -> list[Step]:
    return [_greeted(timing),
            Step(say=line("question"), checks=(Check("reply", "", timing.reply),)),
            # A bot that handed the question to a person may leave the thanks unanswered.
            Step(say=line("thanks"), checks=(Check("reply", "", intent.patience, optional=True),)),
            Step(end=True)]


def _asks_for_a_person(first: str, rephrase: bool):
    def steps(intent: Intent, line, timing: Timing, rng: random.Random) -> list[Step]:
        said = [_greeted(timing), Step(say=line(first), checks=(Check("reply", "", timing.reply),))]
        if rephrase and rng.random() < REPHRASE_ODDS:
            # A bot that already handed the chat over does not answer this one.
            said.append(Step(say=line(first, again=True),
                             checks=(Check("reply", "", intent.patience, optional=True),)))
        # The bot's answer to it (a handoff or "nobody is there"; none if it handed the chat
        # over already), then, transferred or not, a person may answer: `patience` for each.
        return said + [Step(say=line("ask_human"),
                            checks=(Check("reply", "", intent.patience, optional=True),
                                    Check("reply", "", intent.patience, human=True, optional=True))),
                       Step(end=True)]
    return steps


def _silent(intent: Intent, line, timing: Timing, rng: random.Random) -> list[Step]:
    return [Step(wait=intent.wait), Step(end=True)]


def _leaving(intent: Intent, line, timing: Timing, rng: random.Random) -> list[Step]:
    return [Step(say=line("line"), end=True)]


_STEPS = {"happy": _happy, "escalating": _asks_for_a_person("problem", rephrase=True),
          "angry": _asks_for_a_person("rant", rephrase=False), "silent": _silent, "leaving": _leaving}
