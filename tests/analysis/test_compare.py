"""Paired comparison statistics: published values, synthetic paired data, and (when the engine is
there) real scenarios run with common random numbers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.compare import (
    PairedCounts,
    compare_binary,
    compare_means,
    mcnemar_exact_p,
    newcombe_paired_interval,
    newcombe_unpaired_interval,
    paired_normal_interval,
)

# ---- published values ---------------------------------------------------------------------------


def test_paired_interval_matches_published_example() -> None:
    # Cavo et al. (2012) in Fagerland, Lydersen & Laake (2017), ch. 8: table [[59, 6], [16, 80]],
    # Newcombe square-and-add: estimate -0.0621, 95% CI -0.1186 to -0.0046.
    c = PairedCounts(both=59, variant_only=6, base_only=16, neither=80)
    lo, hi = newcombe_paired_interval(c)
    assert (round(lo, 4), round(hi, 4)) == (-0.1186, -0.0046)
    d = compare_binary("x", "x", *_arrays_from(c))
    assert round(d.diff, 4) == -0.0621


def test_unpaired_interval_matches_newcombe_1998() -> None:
    # Newcombe (1998) Stat. Med. 17:873, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339.
    lo, hi = newcombe_unpaired_interval(48, 80, 56, 70)
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)


def test_mcnemar_exact_matches_binomial() -> None:
    c = PairedCounts(both=10, base_only=12, variant_only=3, neither=75)
    assert mcnemar_exact_p(c) == pytest.approx(stats.binomtest(3, 15, 0.5).pvalue)
    assert mcnemar_exact_p(PairedCounts(5, 0, 0, 5)) == 1.0


def _arrays_from(c: PairedCounts) -> tuple[np.ndarray, np.ndarray]:
    base = np.array([1] * c.both + [1] * c.base_only + [0] * c.variant_only + [0] * c.neither, bool)
    var = np.array([1] * c.both + [0] * c.base_only + [1] * c.variant_only + [0] * c.neither, bool)
    return base, var


# ---- properties -------------------------------------------------------------------------------


def test_counts_from_arrays() -> None:
    rng = np.random.default_rng(1)
    b, v = rng.random(500) < 0.4, rng.random(500) < 0.3
    c = PairedCounts.from_arrays(b, v)
    assert c.n == 500
    assert c.both + c.base_only == b.sum() and c.both + c.variant_only == v.sum()
    with pytest.raises(ValueError):
        PairedCounts.from_arrays(b, v[:10])


def test_independent_table_gives_unpaired_interval() -> None:
    # ad - bc = 0: no correlation, the paired interval is the unpaired one.
    c = PairedCounts(both=20, base_only=30, variant_only=20, neither=30)
    k_b, k_v = c.both + c.base_only, c.both + c.variant_only
    assert newcombe_paired_interval(c) == pytest.approx(newcombe_unpaired_interval(k_b, c.n, k_v, c.n))


def test_paired_interval_agrees_with_normal_on_differences_for_large_n() -> None:
    rng = np.random.default_rng(7)
    u = rng.random(20_000)
    base, var = u < 0.30, (u < 0.27) | (rng.random(u.size) < 0.01)
    newc = newcombe_paired_interval(PairedCounts.from_arrays(base, var))
    norm = paired_normal_interval(base, var)
    assert newc == pytest.approx(norm, abs=0.001)


def test_no_discordant_pairs_is_zero_difference_not_distinguishable() -> None:
    x = np.r_[np.ones(30, bool), np.zeros(70, bool)]
    d = compare_binary("o", "o", x, x.copy())
    assert d.diff == 0.0 and not d.distinguishable and d.p_value == 1.0
    assert d.paired[0] < 0.0 < d.paired[1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_paired_interval_covers_true_difference(seed: int) -> None:
    # Coverage of the 95% paired interval over 400 synthetic experiments of 300 pairs each.
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(400):
        u = rng.random(300)
        base, var = u < 0.40, u < 0.35
        lo, hi = compare_binary("o", "o", base, var).paired
        hits += lo <= -0.05 <= hi
    assert 0.92 <= hits / 400 <= 0.99


def test_real_difference_is_distinguishable_and_null_is_mostly_not() -> None:
    rng = np.random.default_rng(3)
    u = rng.random(5000)
    d = compare_binary("o", "o", u < 0.30, u < 0.28)
    assert d.distinguishable and d.paired[1] < 0 and d.p_value < 0.05
    false_alarms = 0
    for _ in range(200):
        u = rng.random(2000)
        # Same probability, noisy pairing: the null holds.
        base = u < 0.3
        var = np.where(rng.random(u.size) < 0.05, rng.random(u.size) < 0.3, base)
        false_alarms += compare_binary("o", "o", base, var).distinguishable
    assert false_alarms / 200 <= 0.10


# ---- variance reduction on synthetic paired data ----------------------------------------------


def _small_effect(rng: np.random.Generator, n: int, crn: bool) -> tuple[np.ndarray, np.ndarray]:
    """Base probability 0.30, variant 0.27; with CRN both threshold the same uniform per run."""
    u = rng.random(n)
    u_var = u if crn else rng.random(n)
    return u < 0.30, u_var < 0.27


def test_crn_narrows_paired_interval() -> None:
    rng = np.random.default_rng(11)
    d = compare_binary("o", "o", *_small_effect(rng, 4000, crn=True))
    assert d.paired_width < 0.8 * d.unpaired_width
    assert d.distinguishable


def test_without_crn_there_is_no_reduction() -> None:
    rng = np.random.default_rng(11)
    d = compare_binary("o", "o", *_small_effect(rng, 4000, crn=False))
    assert not d.paired_width < 0.8 * d.unpaired_width
    assert d.paired_width == pytest.approx(d.unpaired_width, rel=0.05)


def test_compare_means_paired_and_welch() -> None:
    rng = np.random.default_rng(5)
    common = rng.normal(50, 10, 3000)
    base, var = common, common - 1.0 + rng.normal(0, 1, 3000)
    m = compare_means("peak_escalation", base, var)
    assert m.paired[0] < -1.0 < m.paired[1] and m.distinguishable
    assert (m.paired[1] - m.paired[0]) < 0.2 * (m.unpaired[1] - m.unpaired[0])
    welch = stats.ttest_ind(var, base, equal_var=False).confidence_interval()
    assert m.unpaired == pytest.approx((welch.low, welch.high))
    paired = stats.ttest_rel(var, base).confidence_interval()
    assert m.paired == pytest.approx((paired.low, paired.high))
