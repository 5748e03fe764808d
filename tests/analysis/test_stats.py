"""Interval maths (property tests) and the run statistics against brute-force recomputation."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from sim.analysis import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from fake_results import make_results

INTERVALS = [stats.wilson_interval, stats.exact_interval]
kn = st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))
confs = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99])


def coverage(f, n: int, p: float, conf: float = 0.95) -> float:
    """Exact coverage probability of interval method ``f`` at true probability ``p``."""
    k = np.arange(n + 1)
    lo, hi = f(k, np.full(n + 1, n), conf)
    pmf = sps.binom.pmf(k, n, p)
    return float(pmf[(lo <= p) & (p <= hi)].sum())


@pytest.mark.parametrize("f", INTERVALS)
@given(kn=kn, conf=confs)
def test_interval_contains_estimate_and_stays_in_unit(f, kn, conf) -> None:
    k, n = kn
    lo, hi = f(k, n, conf)
    assert 0.0 <= lo <= k / n <= hi <= 1.0
    assert hi - lo > 0


@pytest.mark.parametrize("f", INTERVALS)
@given(kn=kn, conf=confs)
def test_interval_symmetric(f, kn, conf) -> None:
    k, n = kn
    lo, hi = f(k, n, conf)
    lo2, hi2 = f(n - k, n, conf)
    assert lo == pytest.approx(1 - hi2, abs=1e-9)
    assert hi == pytest.approx(1 - lo2, abs=1e-9)


@pytest.mark.parametrize("f", INTERVALS)
@given(n=st.integers(1, 500), conf=confs)
def test_interval_monotone_in_k(f, n, conf) -> None:
    lo, hi = f(np.arange(n + 1), np.full(n + 1, n), conf)
    assert np.all(np.diff(lo) > 0) and np.all(np.diff(hi) > 0)
    assert lo[0] == 0.0 and hi[-1] == 1.0


@pytest.mark.parametrize("f", INTERVALS)
@given(kn=kn)
def test_interval_wider_with_confidence(f, kn) -> None:
    k, n = kn
    lo90, hi90 = f(k, n, 0.9)
    lo99, hi99 = f(k, n, 0.99)
    assert lo99 <= lo90 + 1e-12 and hi99 >= hi90 - 1e-12


@given(n=st.integers(1, 400), p=st.floats(0.0005, 0.9995), conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
@settings(max_examples=150)
def test_exact_interval_coverage_never_below_conf(n: int, p: float, conf: float) -> None:
    assert coverage(stats.exact_interval, n, p, conf) >= conf - 1e-9


@given(n=st.integers(5, 400), p=st.floats(0.001, 0.999))
@settings(max_examples=150)
def test_wilson_coverage_bounds(n: int, p: float) -> None:
    """Wilson's 95% coverage oscillates around 95%: never below 0.83 (Brown, Cai, DasGupta 2001),
    and above 0.88 away from the edges."""
    c = coverage(stats.wilson_interval, n, p)
    assert c >= 0.83
    if 0.1 <= p <= 0.9:
        assert c >= 0.88


@pytest.mark.parametrize("n", [20, 100, 1000])
def test_wilson_average_coverage_near_nominal(n: int) -> None:
    ps = np.linspace(0.01, 0.99, 197)
    mean_cov = np.mean([coverage(stats.wilson_interval, n, p) for p in ps])
    assert 0.94 <= mean_cov <= 0.965


def test_wilson_matches_textbook_and_vectorises() -> None:
    # Wilson (1927) closed form, computed independently
    k, n, z = 7, 30, sps.norm.ppf(0.975)
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert stats.wilson_interval(k, n) == pytest.approx((c - h, c + h))
    lo, hi = np.asarray(stats.wilson_interval(np.array([[0, 7], [30, 15]]), 30))
    assert lo.shape == (2, 2) and lo[0, 1] == pytest.approx(c - h) and hi[1, 0] == 1.0
    assert stats.wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 3)


def test_simulated_coverage_of_wilson() -> None:
    rng = np.random.default_rng(3)
    p, n = 0.3, 200
    k = rng.binomial(n, p, 20_000)
    lo, hi = stats.wilson_interval(k, np.full(k.size, n))
    assert 0.935 <= np.mean((lo <= p) & (p <= hi)) <= 0.965


# ---- run statistics ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def res():
    return make_results(n=700, seed=5)


def test_outcome_table(res) -> None:
    t = stats.outcome_table(res).set_index("id")
    assert list(t.index) == res.outcome_ids
    for oid in res.outcome_ids:
        happened = res.runs[oid].to_numpy()
        assert t.loc[oid, "count"] == happened.sum()
        assert t.loc[oid, "probability"] == pytest.approx(happened.mean())
        lo, hi = stats.wilson_interval(happened.sum(), happened.size)
        assert (t.loc[oid, "ci_low"], t.loc[oid, "ci_high"]) == (lo, hi)
        med = np.median(res.runs.loc[happened, f"{oid}_step"])
        assert t.loc[oid, "median_step"] == med
        assert t.loc[oid, "median_date"] == res.scenario.scenario.date_of(round(med))
    assert (t["runs"] == 700).all()


def test_time_to_event_brute_force(res) -> None:
    for oid in res.outcome_ids:
        steps, cum = stats.time_to_event(res, oid)
        first = res.runs[f"{oid}_step"].to_numpy()
        expected = [np.mean(first <= s) for s in steps]  # NaN compares False
        assert steps[0] == 0 and steps[-1] == res.horizon
        np.testing.assert_allclose(cum, expected)
        assert np.all(np.diff(cum) >= 0)
        assert cum[-1] == pytest.approx(res.runs[oid].mean())
    with pytest.raises(KeyError, match="unknown outcome"):
        stats.time_to_event(res, "nope")


def test_peak_level_distribution_brute_force(res) -> None:
    d = stats.peak_level_distribution(res)
    levels = res.scenario.ladder.levels
    peak = res.runs["peak_escalation"].to_numpy()
    for i, lv in enumerate(levels):
        upper = levels[i + 1].at if i + 1 < len(levels) else math.inf
        assert d.loc[i, "share"] == pytest.approx(np.mean((peak >= lv.at) & (peak < upper)))
        assert d.loc[i, "share_at_least"] == pytest.approx(np.mean(peak >= lv.at))
        assert d.loc[i, "name"] == lv.name
    assert d["share"].sum() == pytest.approx(1.0)


def test_summary_dict_is_json(res) -> None:
    s = json.loads(json.dumps(stats.summary_dict(res), allow_nan=False))
    assert s["runs"] == 700 and s["seed"] == 5 and s["batch_size"] == 256
    war = s["outcomes"]["war"]
    assert war["probability"] == pytest.approx(res.runs["war"].mean())
    assert war["exact_low"] <= war["probability"] <= war["exact_high"]
    assert war["ci_low"] <= war["probability"] <= war["ci_high"]
    assert [p["name"] for p in s["peak_levels"]] == [lv.name for lv in res.scenario.ladder.levels]
    assert s["escalation"]["mean_peak"] == pytest.approx(res.runs["peak_escalation"].mean())


def test_outcome_that_never_happens(res) -> None:
    r = make_results(n=50, seed=2)
    r.runs["war"] = False
    r.runs["war_step"] = np.nan
    t = stats.outcome_table(r).set_index("id")
    assert t.loc["war", "probability"] == 0 and t.loc["war", "ci_low"] == 0
    assert math.isnan(float(t["median_step"].to_dict()["war"])) and t.loc["war", "median_date"] is None
    s = json.loads(json.dumps(stats.summary_dict(r), allow_nan=False))
    assert s["outcomes"]["war"]["median_date"] is None
