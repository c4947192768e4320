"""MCS, LivePerson's Meaningful Connection Score: the sentiment of the consumer's lines.

Each consumer line is scored by VADER (vaderSentiment) and mapped to -100..100 (its `compound`
times 100); the conversation's score is a running one in which a newer line weighs more than an
older one and a line that pulls the score down weighs twice as much as one that lifts it (the
docs' 2/3 against 1/3), so some of a negative moment stays to the end. A neutral line (VADER's
own |compound| < 0.05) carries no sentiment and leaves the score where it is. The buckets and
the ±33 alert thresholds are the docs'. docs/fidelity.md ("Metrics") has the judgement calls.
"""
from functools import lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

NEUTRAL_BELOW = 5  # |raw| under this is neutral: VADER's own 0.05 threshold, times 100
POSITIVE_WEIGHT, NEGATIVE_WEIGHT = 1 / 3, 2 / 3  # the docs' weights of a lift and of a drop
ALERT_THRESHOLD = 33  # the UI frowns below -33 and smiles above 33


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # loads its lexicon once (about 20 ms)


def line_score(text: str) -> int:
    """One consumer line's raw score, -100 (most negative) to 100 (most positive)."""
    compound = _analyzer().polarity_scores(text or "")["compound"]
    return int(round(compound * 100))


def next_score(current: int | None, raw: int) -> int | None:
    """The conversation's score after one more line scored `raw` (None: no sentiment yet)."""
    if abs(raw) < NEUTRAL_BELOW:
        return current
    if current is None:
        return raw
    weight = NEGATIVE_WEIGHT if raw < current else POSITIVE_WEIGHT
    return int(round(current + weight * (raw - current)))


def bucket(score: int | None) -> int | None:
    """`alertedMCS` (and the deprecated `mcs`): -1 negative, 0 neutral, 1 positive."""
    if score is None:
        return None
    if score < -ALERT_THRESHOLD:
        return -1
    return 1 if score > ALERT_THRESHOLD else 0


def aggregate(scores) -> int | None:
    """The MCS of many conversations: % positive (> 0) minus % negative (< 0), as the docs
    compute it for an agent, a skill or a brand; None without any scored conversation."""
    scored = [s for s in scores if s is not None]
    if not scored:
        return None
    positive = sum(1 for s in scored if s > 0)
    negative = sum(1 for s in scored if s < 0)
    return int(round(100 * (positive - negative) / len(scored)))
