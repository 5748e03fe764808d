"""Rank correlations: Spearman and the partial rank correlation coefficient (PRCC).

One implementation, used by the drivers of a run (:mod:`sim.analysis.drivers`: drawn parameters
against outcome indicators, one row per run) and by the sensitivity of a sweep
(:mod:`sim.analysis.sensitivity`: swept parameters against outcome probabilities, one row per
design point).

PRCC (Marino et al. 2008): rank-transform everything, remove the linear effect of the other
inputs' ranks from both the input's ranks and the output's ranks, correlate the residuals.
Range -1..1; positive = higher values go with higher outputs. Two-sided p-value from the t
statistic with ``n - 2 - (p - 1)`` degrees of freedom (``p`` inputs that vary).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

MAX_CONDITION = 1e10
"""Above this condition number of the rank correlation matrix (inputs or output collinear),
PRCC is computed from regression residuals instead of the matrix inverse."""


def prcc(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """PRCC of each column of ``x`` (n, p) with ``y`` (n,); returns ``(coef, p_value)``, each (p,).

    Computed from the inverse ``P`` of the rank correlation matrix of ``[x, y]`` (the partial
    correlation identity ``r_jy = -P_jy / sqrt(P_jj P_yy)``, equal to correlating the residuals of
    rank regressions on the other columns). Entries are NaN where ``y`` or a column of ``x`` is
    constant or there are too few rows (``n <= p + 1``), and where an input or the output is
    a linear function of the other inputs' ranks (its residual vanishes).
    """
    n, p = x.shape
    coef = np.full(p, np.nan)
    pval = np.full(p, np.nan)
    keep = np.flatnonzero(np.ptp(x, axis=0) > 0) if n else np.array([], dtype=int)
    q = keep.size
    dof = n - 2 - (q - 1)
    if q == 0 or dof < 1 or np.ptp(y) == 0:
        return coef, pval
    ranks = np.column_stack([sps.rankdata(x[:, j]) for j in keep] + [sps.rankdata(y)])
    corr = np.corrcoef(ranks, rowvar=False)
    if not np.linalg.cond(corr) < MAX_CONDITION:
        coef[keep], pval[keep] = _prcc_by_residuals(ranks, dof)
        return coef, pval
    prec = np.linalg.inv(corr)
    diag = np.diag(prec)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(-prec[:q, q] / np.sqrt(diag[:q] * diag[q]), -1.0, 1.0)
        t = r * np.sqrt(dof / np.maximum(1.0 - r * r, 1e-300))
    coef[keep] = r
    pval[keep] = 2.0 * sps.t.sf(np.abs(t), dof)
    return coef, pval


def _prcc_by_residuals(
    ranks: NDArray[np.float64], dof: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """PRCC by its definition, for (nearly) collinear ranks: the last column of ``ranks`` is the
    output's. NaN where a residual vanishes (the input or the output is explained by the others)."""
    n, q = ranks.shape[0], ranks.shape[1] - 1
    ry = ranks[:, q]
    out = np.full((2, q), np.nan)
    for j in range(q):
        design = np.column_stack([np.ones(n), np.delete(ranks[:, :q], j, axis=1)])
        res_x = ranks[:, j] - design @ np.linalg.lstsq(design, ranks[:, j], rcond=None)[0]
        res_y = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
        out[:, j] = corr_with_p(res_x, res_y, dof)
    return out[0], out[1]


def spearman(rx: NDArray[np.float64], ry: NDArray[np.float64]) -> tuple[float, float]:
    """Spearman correlation of two rank vectors (Pearson of the ranks) and its two-sided p-value
    (t test with ``n - 2`` degrees of freedom); NaN when either does not vary."""
    return corr_with_p(rx - rx.mean(), ry - ry.mean(), dof=len(rx) - 2)


def corr_with_p(u: NDArray[np.float64], v: NDArray[np.float64], dof: int) -> tuple[float, float]:
    """Correlation of two centred vectors and the two-sided p-value of ``t = r sqrt(dof/(1-r^2))``."""
    su, sv = float(np.sqrt(u @ u)), float(np.sqrt(v @ v))
    scale = max(float(np.abs(u).max(initial=0.0)), float(np.abs(v).max(initial=0.0)), 1.0)
    if dof < 1 or su <= 1e-9 * scale * math.sqrt(len(u)) or sv <= 1e-9 * scale * math.sqrt(len(v)):
        return float("nan"), float("nan")
    r = float(np.clip((u @ v) / (su * sv), -1.0, 1.0))
    if abs(r) >= 1.0:
        return r, 0.0
    t = r * math.sqrt(dof / (1.0 - r * r))
    return r, float(2.0 * sps.t.sf(abs(t), dof))
