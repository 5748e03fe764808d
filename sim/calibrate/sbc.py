"""Simulation-based calibration (Talts et al. 2018) of the ABC-SMC fit.

Each replication r: draw a truth u~ uniformly on the cube (the prior), simulate one record of
statistics at u~ (its own batch key, never used by the fit), run the whole ABC-SMC on that
record, resample ``draws`` L posterior draws by weight and take, per parameter, the rank
#{draws < u~} in 0..L. If the fit is calibrated the ranks are uniform on 0..L and a central q
posterior interval covers the truth in a share q of the replications (within binomial error).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from sim.calibrate import abc

KEYS_PER_REPLICATION = 10_000_000
"""Replication r uses simulator keys (r + 1) * KEYS_PER_REPLICATION + key: its own streams."""


@dataclass(frozen=True)
class SBCResult:
    """ranks (R, k) in 0..L; covered50, covered90 (R, k) bool; ``draws`` L."""

    ranks: np.ndarray
    covered50: np.ndarray
    covered90: np.ndarray
    draws: int

    def coverage(self, level: int) -> np.ndarray:
        """Share of replications whose central ``level``% interval holds the truth, per parameter."""
        return np.asarray((self.covered50 if level == 50 else self.covered90).mean(axis=0))

    def coverage_band(self, level: int, z: float = 2.576) -> tuple[float, float]:
        """The 99% binomial band (normal approximation) around the nominal coverage."""
        p, r = level / 100, self.ranks.shape[0]
        half = z * math.sqrt(p * (1 - p) / r)
        return (p - half, p + half)

    def uniformity_p(self, bins: int = 10) -> np.ndarray:
        """Chi-squared p-value per parameter that the ranks, in ``bins`` equal bins, are uniform."""
        edges = np.linspace(0, self.draws + 1, bins + 1)
        out = []
        for d in range(self.ranks.shape[1]):
            counts, _ = np.histogram(self.ranks[:, d], bins=edges)
            out.append(stats.chisquare(counts).pvalue)
        return np.asarray(out)


def posterior_draws(gen: abc.Generation, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws (n, k) from the weighted population."""
    return np.asarray(gen.u[rng.choice(len(gen.w), size=n, p=gen.w)])


def run_sbc(
    simulate: abc.Simulator, k: int, settings: abc.Settings, replications: int, draws: int = 99, seed: int = 0
) -> SBCResult:
    """SBC over ``replications`` (see the module docstring); ``simulate`` as for :func:`abc.run`."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))
    ranks, c50, c90 = [], [], []
    for r in range(replications):
        truth = rng.random((1, k))
        offset = (r + 1) * KEYS_PER_REPLICATION

        def own(u: np.ndarray, key: int, offset: int = offset) -> np.ndarray:
            return simulate(u, offset + key)

        observed = np.asarray(own(truth, KEYS_PER_REPLICATION - 1), dtype=float)[0]
        s = abc.Settings(**{**settings.__dict__, "seed": settings.seed * 100_003 + r})
        gens, _ = abc.run(own, observed, k, s)
        post = posterior_draws(gens[-1], draws, rng)
        ranks.append((post < truth).sum(axis=0))
        lo50, hi50 = np.quantile(post, [0.25, 0.75], axis=0)
        lo90, hi90 = np.quantile(post, [0.05, 0.95], axis=0)
        c50.append((lo50 <= truth[0]) & (truth[0] <= hi50))
        c90.append((lo90 <= truth[0]) & (truth[0] <= hi90))
    return SBCResult(np.asarray(ranks), np.asarray(c50), np.asarray(c90), draws)
