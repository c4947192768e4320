"""A/B tests across bots: an engagement's new chats split by weight across skills, and the
comparison of the variants with confidence intervals and significance tests (scipy).

Rates (resolution, transfer to a human) are compared with Fisher's exact test (two variants)
or a chi-square test of independence (more), each with a Wilson 95 % interval; scores (CSAT,
MCS) with Welch's t-test (two variants) or a Kruskal-Wallis test (more), each with a t interval
of the mean. Below MIN_CHATS ended chats (or MIN_ANSWERS answers) in any variant the verdict
is "not enough data": with fewer, a 95 % interval of a rate is wider than ±18 points."""
import math
import random
import warnings
from dataclasses import dataclass, field

from ..errors import BadRequest
from .records import ChatRecord

MIN_CHATS = 30  # ended chats per variant before a rate is compared
MIN_ANSWERS = 30  # CSAT answers (or scored chats) per variant before a score is compared
ALPHA = 0.05
RATES = {"resolution": ("resolved", "resolves"), "transfer": ("transferred to a human", "transfers")}
SCORES = {"csat": "CSAT", "mcs": "MCS"}


@dataclass
class Variant:
    """One arm of a test: the skill its chats go to, and its share of them."""

    name: str
    skill_id: str
    weight: float


@dataclass
class ABTest:
    """A split of one engagement's new chats across bot skills, by weight."""

    id: str
    name: str
    engagement_id: str
    variants: list[Variant]
    enabled: bool = True
    started: float | None = None
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def choose(self) -> Variant:
        """The variant of the next chat, drawn by weight (seeded under --seed)."""
        total = sum(v.weight for v in self.variants)
        point = self.rng.random() * total
        for variant in self.variants:
            point -= variant.weight
            if point < 0:
                return variant
        return self.variants[-1]

    def as_dict(self) -> dict:
        """The test as the config file and the sandbox route spell it."""
        return {"id": self.id, "name": self.name, "engagement": self.engagement_id,
                "enabled": self.enabled,
                "variants": [{"name": v.name, "skill": v.skill_id, "weight": v.weight}
                             for v in self.variants]}


def parse_test(raw, account, seed: int | None, now: float) -> ABTest:
    """An A/B test from its config (file or route), checked against the account; BadRequest
    naming the first thing wrong."""
    if not isinstance(raw, dict):
        raise BadRequest("An A/B test must be an object", 1)
    test_id = str(raw.get("id") or "").strip()
    if not test_id or len(test_id) > 64:
        raise BadRequest("An A/B test needs an 'id' of 1 to 64 characters", 1)
    engagement_id = str(raw.get("engagement") or raw.get("engagementId") or "").strip()
    if engagement_id not in account.engagements or account.engagements[engagement_id].deleted:
        raise BadRequest(f"A/B test '{test_id}': engagement '{engagement_id}' does not exist", 1)
    variants_raw = raw.get("variants")
    if not isinstance(variants_raw, list) or not 2 <= len(variants_raw) <= 10:
        raise BadRequest(f"A/B test '{test_id}' needs 2 to 10 'variants'", 1)
    variants, names = [], set()
    for i, item in enumerate(variants_raw):
        if not isinstance(item, dict):
            raise BadRequest(f"A/B test '{test_id}': variant {i} must be an object", 1)
        skill = account.skill(item.get("skill", "")) if isinstance(item.get("skill"), (str, int)) else None
        if skill is None:
            raise BadRequest(f"A/B test '{test_id}': variant {i} names no existing 'skill'", 1)
        name = str(item.get("name") or chr(ord("A") + i)).strip()[:32]
        if name in names:
            raise BadRequest(f"A/B test '{test_id}': two variants are named '{name}'", 1)
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or \
                not math.isfinite(weight) or weight <= 0 or weight > 1e6:
            raise BadRequest(f"A/B test '{test_id}': variant '{name}' needs a positive 'weight'", 1)
        names.add(name)
        variants.append(Variant(name=name, skill_id=skill.id, weight=float(weight)))
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise BadRequest(f"A/B test '{test_id}': 'enabled' must be true or false", 1)
    name = raw.get("name", test_id)
    if not isinstance(name, str) or len(name) > 200:
        raise BadRequest(f"A/B test '{test_id}': 'name' must be text of at most 200 characters", 1)
    # One generator per test, seeded from the sandbox's seed and the test's id: the split is the
    # same in every run with the same --seed, and drawing it never shifts the sandbox's ids.
    rng = random.Random(f"{seed}:{account.id}:{test_id}") if seed is not None else random.Random()
    return ABTest(id=test_id, name=name, engagement_id=engagement_id, variants=variants,
                  enabled=enabled, started=now if enabled else None, rng=rng)


# --- the comparison ---------------------------------------------------------------------------

def compare(test: ABTest, records: list[ChatRecord], skill_names: dict[str, str]) -> dict:
    """Per-variant aggregates with 95 % intervals, the tests' p-values and a verdict in words."""
    by_variant = {v.name: [] for v in test.variants}
    for record in records:
        if record.variant and record.variant[0] == test.id and record.variant[1] in by_variant:
            if record.is_ended:
                by_variant[record.variant[1]].append(record)
    variants = [_variant_summary(v, by_variant[v.name], skill_names) for v in test.variants]
    metrics = {}
    for metric, (done, _) in RATES.items():
        metrics[metric] = _compare_rates(metric, done, variants)
    for metric, label in SCORES.items():
        metrics[metric] = _compare_scores(metric, label, variants, by_variant)
    verdicts = [m["verdict"] for m in metrics.values()]
    enough = any(m["status"] != "not enough data" for m in metrics.values())
    return {"test": test.as_dict(), "variants": variants, "metrics": metrics,
            "minimum": {"chats": MIN_CHATS, "answers": MIN_ANSWERS}, "alpha": ALPHA,
            "enoughData": enough, "verdict": " ".join(verdicts)}


def _variant_summary(variant: Variant, records: list[ChatRecord], skill_names) -> dict:
    ended = len(records)
    resolved = sum(1 for r in records if r.resolved)
    transfers = sum(1 for r in records if r.transferred_to_human)
    csat = [r.csat for r in records if r.csat is not None]
    scores = [r.chat_mcs for r in records if r.chat_mcs is not None]
    return {"name": variant.name, "skillId": variant.skill_id,
            "skillName": skill_names.get(variant.skill_id, variant.skill_id),
            "weight": variant.weight, "ended": ended,
            "resolution": _rate_summary(resolved, ended), "transfer": _rate_summary(transfers, ended),
            "csat": _score_summary(csat), "mcs": _score_summary(scores)}


def _rate_summary(k: int, n: int) -> dict:
    if not n:
        return {"count": k, "n": n, "rate": None, "ci": None}
    from scipy.stats import binomtest  # scipy loads in about a second: only when compared
    ci = binomtest(k, n).proportion_ci(confidence_level=1 - ALPHA, method="wilson")
    return {"count": k, "n": n, "rate": round(k / n, 4), "ci": [round(ci.low, 4), round(ci.high, 4)]}


def _score_summary(values: list) -> dict:
    n = len(values)
    if not n:
        return {"n": 0, "mean": None, "ci": None}
    mean = sum(values) / n
    if n < 2:
        return {"n": n, "mean": round(mean, 2), "ci": None}
    from scipy.stats import t
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = t.ppf(1 - ALPHA / 2, n - 1) * sd / math.sqrt(n)
    return {"n": n, "mean": round(mean, 2), "ci": [round(mean - half, 2), round(mean + half, 2)]}


def _compare_rates(metric: str, done: str, variants: list[dict]) -> dict:
    counts = [(v[metric]["count"], v[metric]["n"]) for v in variants]
    small = [v["name"] for v in variants if v[metric]["n"] < MIN_CHATS]
    if small:
        return _not_enough(metric, f"{', '.join(small)} {'has' if len(small) == 1 else 'have'} fewer "
                                   f"than {MIN_CHATS} ended chats")
    table = [[k, n - k] for k, n in counts]
    if all(row[0] == 0 for row in table) or all(row[1] == 0 for row in table):
        p = 1.0  # every variant at 0 % (or 100 %): nothing to tell apart
    elif len(table) == 2:
        from scipy.stats import fisher_exact
        p = float(fisher_exact(table).pvalue)
    else:
        from scipy.stats import chi2_contingency
        p = float(chi2_contingency(table).pvalue)
    rates = {v["name"]: v[metric]["rate"] for v in variants}
    return _verdict(metric, p, rates, lambda r: f"{100 * r:.0f} %", f"{done}")


def _compare_scores(metric: str, label: str, variants: list[dict], by_variant: dict) -> dict:
    if metric == "csat":
        samples = {name: [r.csat for r in rs if r.csat is not None] for name, rs in by_variant.items()}
    else:
        samples = {name: [r.chat_mcs for r in rs if r.chat_mcs is not None]
                   for name, rs in by_variant.items()}
    small = [name for name, values in samples.items() if len(values) < MIN_ANSWERS]
    if small:
        what = "CSAT answers" if metric == "csat" else "chats with an MCS"
        return _not_enough(metric, f"{', '.join(small)} {'has' if len(small) == 1 else 'have'} fewer "
                                   f"than {MIN_ANSWERS} {what}")
    groups = list(samples.values())
    if all(len(set(g)) <= 1 for g in groups) and len({g[0] for g in groups}) == 1:
        p = 1.0  # every value the same in every variant
    else:
        from scipy.stats import kruskal, ttest_ind
        # Nearly constant samples (every CSAT a 5 but one) make scipy warn of precision loss;
        # the p-value is still right for the verdict, and a warning would only reach the log.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if len(groups) == 2:
                p = float(ttest_ind(groups[0], groups[1], equal_var=False).pvalue)
            else:
                p = float(kruskal(*groups).pvalue)
    if math.isnan(p):
        p = 1.0
    means = {name: round(sum(g) / len(g), 2) for name, g in samples.items()}
    return _verdict(metric, p, means, lambda m: f"{m:.2f}", f"scores higher on {label}")


def _not_enough(metric: str, why: str) -> dict:
    return {"metric": metric, "status": "not enough data", "p": None, "significant": False,
            "highest": None, "verdict": f"{_name(metric)}: not enough data ({why})."}


def _name(metric: str) -> str:
    """The metric as every verdict writes it: Resolution, Transfer, CSAT, MCS."""
    return metric.capitalize() if metric in RATES else metric.upper()


def _verdict(metric: str, p: float, values: dict, fmt, done: str) -> dict:
    """Words for one comparison: which variant leads, by how much, and whether it is real."""
    ordered = sorted(values.items(), key=lambda item: item[1], reverse=True)
    (top, top_value), (low, low_value) = ordered[0], ordered[-1]
    significant = p < ALPHA
    shown = ", ".join(f"{name} {fmt(value)}" for name, value in values.items())
    p_text = "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
    if significant:
        verdict = (f"{metric.capitalize()}: {top} {done} more than {low} ({shown}; {p_text}): "
                   f"the difference is significant."
                   if metric in RATES else
                   f"{metric.upper()}: {top} {done} than {low} ({shown}; {p_text}): "
                   f"the difference is significant.")
    else:
        verdict = (f"{metric.capitalize() if metric in RATES else metric.upper()}: no significant "
                   f"difference ({shown}; {p_text}).")
    return {"metric": metric, "status": "significant" if significant else "not significant",
            "p": round(p, 6), "significant": significant, "highest": top if significant else None,
            "verdict": verdict}
