"""PRCC (the one implementation used by drivers and sensitivity): checked against its definition."""

from __future__ import annotations

import numpy as np
from scipy import stats as sps

from sim.analysis.prcc import prcc


def prcc_by_residuals(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """PRCC by its definition: correlate the residuals of rank regressions on the other inputs."""
    rx = np.column_stack([sps.rankdata(c) for c in x.T])
    ry = sps.rankdata(y)
    out = []
    for j in range(x.shape[1]):
        design = np.column_stack([np.ones(len(y)), np.delete(rx, j, axis=1)])
        ex = rx[:, j] - design @ np.linalg.lstsq(design, rx[:, j], rcond=None)[0]
        ey = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
        out.append(np.corrcoef(ex, ey)[0, 1])
    return np.array(out)


def test_prcc_matches_residual_definition() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 4))
    x[:, 1] += 0.5 * x[:, 0]  # correlated inputs: partial differs from plain correlation
    y = np.exp(x[:, 0]) - 2 * x[:, 2] ** 3 + rng.normal(size=400)
    coef, pval = prcc(x, y)
    np.testing.assert_allclose(coef, prcc_by_residuals(x, y), atol=1e-10)
    assert coef[0] > 0.5 and coef[2] < -0.5
    assert pval[0] < 1e-10 and pval[2] < 1e-10
    assert pval[3] > 1e-3


def test_prcc_edge_cases() -> None:
    rng = np.random.default_rng(1)
    x = rng.random((50, 3))
    coef, pval = prcc(x, np.ones(50))
    assert np.isnan(coef).all() and np.isnan(pval).all()
    x[:, 1] = 0.3
    coef, _ = prcc(x, x[:, 0] + rng.random(50) * 0.1)
    assert np.isnan(coef[1]) and coef[0] > 0.9
    coef, _ = prcc(rng.random((3, 3)), rng.random(3))  # too few runs
    assert np.isnan(coef).all()
