"""Paired comparison statistics: published values, synthetic paired data, and (when the engine is
there) real scenarios run with common random numbers."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.analysis.compare import (
    PairedCounts,
    align_runs,
    compare_binary,
    compare_means,
    compare_results,
    mcnemar_exact_p,
    newcombe_paired_interval,
    newcombe_unpaired_interval,
    paired_normal_interval,
)
from sim.core.errors import SimUserError
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

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


# ---- the real engine: CRN across variants ------------------------------------------------------

DATA = Path(__file__).parent / "data"
RUNS, SEED = 3000, 3


@pytest.fixture(scope="module")
def runs() -> dict[str, RunResults]:
    """Base and variants of tests/analysis/data run with the same seed (and one with another)."""
    out = {
        name: run_scenario(load_scenario(DATA / f"{name}.yaml"), runs=RUNS, seed=SEED, workers=1)
        for name in ("base", "guards_calmer", "relief_on", "actor_added", "actor_removed")
    }
    out["guards_calmer_other_seed"] = run_scenario(
        load_scenario(DATA / "guards_calmer.yaml"), runs=RUNS, seed=SEED + 1, workers=1
    )
    return out


def test_engine_crn_narrows_interval_of_small_effect(runs: dict[str, RunResults]) -> None:
    base, var = runs["base"], runs["guards_calmer"]
    assert base.seed == var.seed == SEED and base.batch_size == var.batch_size
    c = compare_results(base, var)
    assert c.crn and not c.notes
    clash = c.outcome("clash")
    # A small effect (autonomy 0.3..0.7 -> 0.25..0.65): a couple of points.
    assert -0.06 < clash.diff < 0
    assert clash.paired_width < 0.8 * clash.unpaired_width
    assert clash.distinguishable and clash.unpaired[0] < 0 < clash.unpaired[1]
    peak = next(m for m in c.escalation if m.metric == "peak_escalation")
    assert peak.paired[1] - peak.paired[0] < 0.8 * (peak.unpaired[1] - peak.unpaired[0])


def test_engine_without_crn_gets_no_reduction(runs: dict[str, RunResults]) -> None:
    c = compare_results(runs["base"], runs["guards_calmer_other_seed"])
    assert not c.crn and any("seed" in n for n in c.notes)
    for d in c.outcomes:
        if 0.05 < d.p_base < 0.95:
            assert not d.paired_width < 0.8 * d.unpaired_width, d.outcome
    # The variant's own draws differ from the base's when the seeds differ.
    assert "param.actors.leader.traits.hawkishness" in c.params_differing


def _shared_trait_columns(a: RunResults, b: RunResults, actor: str) -> list[str]:
    prefix = f"param.actors.{actor}.traits."
    return [c for c in a.runs.columns if c.startswith(prefix) and c in b.runs.columns]


@pytest.mark.parametrize(
    ("variant", "new", "gone"),
    [
        ("actor_added", ["param.actors.proxy.traits.hawkishness"], []),
        (
            "actor_removed",
            [],
            ["param.actors.guards.traits.spoiler_motive", "param.relations.guards_command.autonomy"],
        ),
        ("relief_on", [], []),
    ],
)
def test_structural_variants_align(
    runs: dict[str, RunResults], variant: str, new: list[str], gone: list[str]
) -> None:
    base, var = runs["base"], runs[variant]
    joined = align_runs(base, var)
    assert joined["run"].tolist() == list(range(RUNS))
    for actor in ("leader", "south_gov"):
        cols = _shared_trait_columns(base, var, actor)
        assert cols, actor
        for col in cols:
            assert np.array_equal(joined[f"{col}_b"], joined[f"{col}_v"]), col
    c = compare_results(base, var)
    assert c.crn and c.params_new == new and c.params_gone == gone
    assert not c.params_differing
    assert [d.outcome for d in c.outcomes] == base.outcome_ids
    assert all(d.n == RUNS for d in c.outcomes)


def test_structural_effects_have_the_expected_sign(runs: dict[str, RunResults]) -> None:
    base = runs["base"]
    assert compare_results(base, runs["relief_on"]).outcome("deal").diff > 0.1
    assert compare_results(base, runs["actor_added"]).outcome("clash").diff > 0.1
    assert compare_results(base, runs["actor_removed"]).outcome("clash").diff < -0.1


def test_pairing_uses_run_index_not_row_order(runs: dict[str, RunResults]) -> None:
    base, var = runs["base"], runs["guards_calmer"]
    shuffled = replace(var, runs=var.runs.sample(frac=1.0, random_state=0).reset_index(drop=True))
    a, b = compare_results(base, var), compare_results(base, shuffled)
    assert a.outcome("clash") == b.outcome("clash")
    assert a.escalation[0].paired == pytest.approx(b.escalation[0].paired)


def test_mismatched_runs_are_a_user_error(runs: dict[str, RunResults]) -> None:
    base, var = runs["base"], runs["guards_calmer"]
    fewer = replace(var, runs=var.runs.iloc[:100])
    with pytest.raises(SimUserError, match="same --runs"):
        compare_results(base, fewer)


def test_comparison_dict_is_json_ready(runs: dict[str, RunResults]) -> None:
    d = compare_results(runs["base"], runs["relief_on"]).to_dict()
    text = json.dumps(d, allow_nan=False)
    back = json.loads(text)
    assert back["variant_id"] == "cmp_relief_on" and len(back["outcomes"]) == 4
    assert back["outcomes"][0]["paired"][0] <= back["outcomes"][0]["diff"] <= back["outcomes"][0]["paired"][1]
