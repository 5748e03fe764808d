"""ABC-SMC core: known answers (a normal mean with a conjugate normal prior), weights, ESS."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from sim.calibrate import abc

N_OBS, SIGMA, PRIOR_SD, XBAR = 20, 1.0, 2.0, 1.0


def simulate_mean(u: np.ndarray, key: int) -> np.ndarray:
    """Sample mean of N_OBS draws N(theta, SIGMA^2), theta = PRIOR_SD * Phi^-1(u)."""
    theta = PRIOR_SD * stats.norm.ppf(u[:, 0])
    rng = np.random.default_rng(key)
    return (theta + rng.normal(0.0, SIGMA / np.sqrt(N_OBS), len(theta)))[:, None]


def test_ess_of_equal_weights_is_n() -> None:
    assert abc.ess(np.full(100, 0.01)) == pytest.approx(100)
    assert abc.ess(np.array([1.0, 0.0, 0.0])) == pytest.approx(1)


def test_normal_mean_posterior_matches_the_analytic_one() -> None:
    s = abc.Settings(particles=2000, generations=9, seed=3)
    gens, _ = abc.run(simulate_mean, np.array([XBAR]), 1, s)
    last = gens[-1]
    theta = PRIOR_SD * stats.norm.ppf(last.u[:, 0])
    mean = float(last.w @ theta)
    sd = float(np.sqrt(last.w @ (theta - mean) ** 2))
    post_prec = 1 / PRIOR_SD**2 + N_OBS / SIGMA**2
    assert mean == pytest.approx(XBAR * N_OBS / SIGMA**2 / post_prec, abs=0.03)
    assert sd == pytest.approx(post_prec**-0.5, rel=0.1)
    eps = [g.eps for g in gens]
    assert all(b <= a for a, b in itertools.pairwise(eps))  # epsilon never grows
    assert 0 < last.acceptance <= 1 and 0.2 * s.particles < last.ess <= s.particles


def test_kernel_weights_undo_the_proposal() -> None:
    """Proposals from a population skewed toward 0 (Beta(2, 5)), all accepted: the weights make
    the weighted particles uniform again (the prior) although the proposals are not."""
    rng = np.random.default_rng(0)
    u0 = rng.beta(2, 5, (400, 1))
    prev = abc.Generation(0, u0, np.full(400, 1 / 400), np.zeros(400), np.zeros((400, 1)), 1.0, 400, 1.0)
    s = abc.Settings(particles=4000, quantile=1.0, seed=1)
    g = abc.next_generation(prev, lambda u, k: np.zeros((len(u), 1)), np.zeros(1), np.ones(1), s)
    assert float(g.u[:, 0].mean()) < 0.4  # the proposals lean toward 0
    assert float(g.w @ g.u[:, 0]) == pytest.approx(0.5, abs=0.04)  # the prior's mean
    assert float(g.w @ (g.u[:, 0] > 0.5)) == pytest.approx(0.5, abs=0.05)


def test_weighted_quantile() -> None:
    x = np.arange(1.0, 6.0)
    assert abc.weighted_quantile(x, np.full(5, 0.2), 0.5) == pytest.approx(3.0)
