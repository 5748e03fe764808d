"""SBC of the ABC-SMC core on the normal-mean toy: ranks uniform, 50%/90% coverage nominal; a
deliberately over-confident posterior is caught."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import stats

from sim.calibrate import abc
from sim.calibrate.sbc import SBCResult, run_sbc

MINI = Path(__file__).resolve().parents[2] / "tests" / "data" / "mini.yaml"


def simulate_mean(u: np.ndarray, key: int) -> np.ndarray:
    theta = 2.0 * stats.norm.ppf(u[:, 0])
    return (theta + np.random.default_rng(key).normal(0.0, 0.3, len(theta)))[:, None]


def test_sbc_of_the_toy_is_calibrated() -> None:
    res = run_sbc(simulate_mean, 1, abc.Settings(particles=300, generations=5), replications=100, seed=1)
    assert res.uniformity_p()[0] > 0.001
    for level in (50, 90):
        lo, hi = res.coverage_band(level)
        assert lo <= res.coverage(level)[0] <= hi


def test_overconfident_posterior_fails_coverage() -> None:
    """Ranks of a posterior three times too narrow pile up at both ends (a U shape)."""
    rng = np.random.default_rng(0)
    truth = rng.normal(size=400)
    xbar = truth + rng.normal(size=400)  # posterior N(xbar/2, 1/2) for a N(0,1) prior
    post = xbar[:, None] / 2 + np.sqrt(0.5) / 3 * rng.normal(size=(400, 99))
    ranks = (post < truth[:, None]).sum(axis=1)[:, None]
    lo90, hi90 = np.quantile(post, [0.05, 0.95], axis=1)
    c90 = ((lo90 <= truth) & (truth <= hi90))[:, None]
    res = SBCResult(ranks, c90, c90, 99)
    assert res.uniformity_p()[0] < 1e-6
    assert res.coverage(90)[0] < res.coverage_band(90)[0]


def test_sbc_of_sim_calibrate_on_the_mini_scenario() -> None:
    """The fast version of the SBC run of docs/calibration.md: 40 records of the mini scenario
    from known constants; 90% posterior intervals cover the truth at their rate (99% band)."""
    from sim.calibrate.engine_sbc import engine_sbc

    params = ["dynamics.logit_precision", "dynamics.weights.war_cost"]
    res = engine_sbc(MINI, params, 59, abc.Settings(particles=150, generations=4, seed=2), 40, seed=2)
    lo, hi = res.coverage_band(90)
    assert ((lo <= res.coverage(90)) & (res.coverage(90) <= hi)).all()
    lo, hi = res.coverage_band(50)
    assert ((lo <= res.coverage(50)) & (res.coverage(50) <= hi)).all()
    assert (res.uniformity_p(bins=5) > 0.001).all()
