"""Directional checks a modeller would insist on, on the real baseline scenario.

Each is a one-sided two-proportion z test at a fixed seed with enough runs that a real effect
passes with a wide margin, while a reversed or absent effect fails (p < 0.001 required).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
RUNS = 8192
SEED = 11


def rate(sc: Scenario, outcome: str) -> tuple[int, int]:
    res = run_scenario(sc, runs=RUNS, seed=SEED, workers=1, samples=0)
    return int(res.runs[outcome].sum()), len(res.runs)


def p_lower(first: tuple[int, int], second: tuple[int, int]) -> float:
    """One-sided p-value that the first proportion is lower than the second."""
    (k1, n1), (k2, n2) = first, second
    p1, p2 = k1 / n1, k2 / n2
    pooled = (k1 + k2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    return float(stats.norm.cdf((p1 - p2) / se))


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(SCENARIOS / "iran_us_2019.yaml")


@pytest.fixture(scope="module")
def baseline_rates(baseline: Scenario) -> dict[str, tuple[int, int]]:
    res = run_scenario(baseline, runs=RUNS, seed=SEED, workers=1, samples=0)
    return {o: (int(res.runs[o].sum()), len(res.runs)) for o in ("talks", "agreement", "clash", "war")}


def test_more_aversion_to_talks_under_pressure_means_fewer_talks(baseline: Scenario) -> None:
    iranians = [a.id for a in baseline.actors if a.side == "iran"]

    def with_aversion(value: float) -> Scenario:
        return apply_overrides(baseline, {f"actors.{a}.traits.pressure_aversion": value for a in iranians})

    averse, relaxed = rate(with_aversion(0.95), "talks"), rate(with_aversion(0.2), "talks")
    assert p_lower(averse, relaxed) < 1e-3, (averse, relaxed)


def test_sanctions_relief_means_more_talks_and_less_war(baseline_rates: dict[str, tuple[int, int]]) -> None:
    relief = load_scenario(SCENARIOS / "iran_us_2019_sanctions_relief.yaml")
    res = run_scenario(relief, runs=RUNS, seed=SEED, workers=1, samples=0)
    talks = (int(res.runs["talks"].sum()), RUNS)
    assert p_lower(baseline_rates["talks"], talks) < 1e-3
    for outcome in ("war", "clash"):
        fewer = (int(res.runs[outcome].sum()), RUNS)
        assert p_lower(fewer, baseline_rates[outcome]) < 1e-3, (outcome, fewer, baseline_rates[outcome])


def test_restrained_irgc_means_fewer_clashes(baseline_rates: dict[str, tuple[int, int]]) -> None:
    restrained = load_scenario(SCENARIOS / "iran_us_2019_irgc_restrained.yaml")
    clashes = rate(restrained, "clash")
    assert p_lower(clashes, baseline_rates["clash"]) < 1e-3, (clashes, baseline_rates["clash"])


def test_baseline_stays_on_ladder_and_catalogues(baseline: Scenario) -> None:
    res = run_scenario(baseline, runs=2048, seed=SEED, workers=1, samples=4)
    catalogue = np.array([[act.id in a.actions for act in baseline.actions] for a in baseline.actors])
    assert res.action_counts[:, ~catalogue].sum() == 0
    assert (res.escalation_hist.sum(axis=1) == 2048).all()
    assert res.runs["peak_escalation"].between(0, baseline.ladder.max).all()
    for s in res.samples:
        assert (s.escalation >= 0).all() and (s.escalation <= baseline.ladder.max).all()
