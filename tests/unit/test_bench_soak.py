"""The soak benchmark's pure helpers (bench/soak.py): percentiles, the RSS slope, /proc reading.
Importing bench.soak does not monkey-patch (only running it as a script does)."""
import os
import random

import pytest

from bench.harness import percentile
from bench.soak import (SoakStats, default_warmup, kb_per_chat, latency_summary, parse_args,
                        proc_status, rss_slope)


def test_latency_summary_is_nearest_rank_like_the_other_benches():
    rng = random.Random(7)
    for n in (1, 2, 3, 10, 99, 100, 101, 1000, 4567):
        values = [rng.expovariate(200) for _ in range(n)]
        ordered = sorted(values)
        got = latency_summary(values)
        assert got["count"] == n
        for pct in (50, 95, 99):
            assert got[f"p{pct}_ms"] == round(percentile(ordered, pct) * 1000, 2)
        assert got["max_ms"] == round(ordered[-1] * 1000, 2)


def test_latency_summary_of_nothing():
    assert latency_summary([]) == {"count": 0, "p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0,
                                   "max_ms": 0.0}


def test_rss_slope_in_mb_per_10_minutes_after_the_warm_up():
    # 5 minutes of fast warm-up growth, then 0.5 MB (512 kB) per minute, sampled every 10 s
    samples = [(t, 100_000 + (4_000 * t / 60 if t < 300 else 20_000 + 512 * (t - 300) / 60))
               for t in range(0, 1201, 10)]
    slope = rss_slope(samples, warmup_s=300)
    assert slope["mb_per_10min"] == pytest.approx(5.0)
    assert slope["stderr_mb_per_10min"] == pytest.approx(0.0, abs=1e-6)
    assert slope["samples"] == 91 and slope["from_s"] == 300 and slope["to_s"] == 1200
    with_warmup_included = rss_slope(samples, warmup_s=0)
    assert with_warmup_included["mb_per_10min"] > 5.0


def test_rss_slope_flat_and_noisy():
    rng = random.Random(3)
    samples = [(t, 150_000 + rng.uniform(-300, 300)) for t in range(0, 3601, 10)]
    assert abs(rss_slope(samples, warmup_s=600)["mb_per_10min"]) < 0.1


def test_rss_slope_needs_three_samples_after_the_warm_up():
    assert rss_slope([(0, 1), (10, 2), (20, 3)], warmup_s=15) is None
    assert rss_slope([(0, 1), (10, 2), (20, 3)], warmup_s=0) is not None


def test_kb_per_ended_chat():
    samples = [(t, 90_000 + 6.5 * (17 * t), 17 * t) for t in range(0, 181, 10)]
    assert kb_per_chat(samples, warmup_s=60) == pytest.approx(6.5)
    assert kb_per_chat([(t, 1000, 0) for t in range(0, 100, 10)], warmup_s=0) is None


def test_default_warm_up_and_options():
    assert default_warmup(60) == 10
    assert parse_args([]).warmup == 10 and parse_args([]).chats == 200
    assert parse_args(["--minutes", "3"]).warmup == 0.5
    assert parse_args(["--minutes", "3", "--warmup", "1"]).warmup == 1
    with pytest.raises(SystemExit):
        parse_args(["--minutes", "3", "--warmup", "3"])
    with pytest.raises(SystemExit):
        parse_args(["--sample-every", "7"])


def test_proc_status_reads_this_process():
    status = proc_status(os.getpid())
    assert status["VmRSS"] > 0 and status["VmHWM"] >= status["VmRSS"]
    assert proc_status(2**22 + 12345) == {}


def test_soak_stats_windows():
    st = SoakStats()
    st.record("a", 0.001, None)
    st.record("b", 0.002, "HTTP 500")
    st.races["agent.accept"] += 1
    window, errors, races = st.take_window()
    assert list(window) == [0.001, 0.002] and errors == 1 and races == 1
    st.error("chat.stuck", "visitor 3")
    window, errors, races = st.take_window()
    assert list(window) == [] and errors == 1 and races == 0
    assert sum(st.errors.values()) == 2 and len(st.by_kind["a"]) == 1
    st.closed = True
    st.record("a", 0.5, "late")
    assert len(st.by_kind["a"]) == 1 and sum(st.errors.values()) == 2
