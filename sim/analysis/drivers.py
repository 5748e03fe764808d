"""Why: which uncertain parameters drive each outcome of a run.

For every drawn parameter (``param.*`` column of ``RunResults.runs``) and every outcome
indicator (``<outcome>`` bool column):

- PRCC, partial rank correlation coefficient (:func:`sim.analysis.prcc.prcc`); positive =
  higher values make the outcome more likely, with a Bonferroni-adjusted p-value over all tests.
- optionally, a standardized logistic regression (each parameter scaled to mean 0, sd 1):
  coefficient = change in log-odds of the outcome per standard deviation of the parameter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats as sps

from sim.analysis.prcc import prcc
from sim.core import columns
from sim.engine.results import RunResults
from sim.scenario.sites import label_for, param_labels


def param_columns(runs: pd.DataFrame, min_unique: int = 3) -> list[str]:
    """``param.*`` columns that vary across runs (at least ``min_unique`` distinct values)."""
    return [c for c in runs.columns if c.startswith(columns.PARAM_PREFIX) and runs[c].nunique() >= min_unique]


def standardized_logit(
    x: NDArray[np.float64], y: NDArray[np.bool_], ridge: float = 1e-3, iters: int = 50
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Logistic regression of ``y`` on standardized ``x`` by Newton-Raphson (tiny ridge penalty).

    Returns ``(coef, p_value)`` per column: change in log-odds per standard deviation, and the
    Wald test p-value. NaN when ``y`` is constant.
    """
    n, p = x.shape
    yf = y.astype(float)
    if p == 0 or yf.min() == yf.max():
        return np.full(p, np.nan), np.full(p, np.nan)
    sd = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    design = np.column_stack([np.ones(n), z])
    beta = np.zeros(p + 1)
    penalty = ridge * np.eye(p + 1)
    penalty[0, 0] = 0.0
    hess = penalty
    for _ in range(iters):
        mu = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -30, 30)))
        grad = design.T @ (yf - mu) - penalty @ beta
        hess = (design * (mu * (1 - mu))[:, None]).T @ design + penalty
        step = np.linalg.solve(hess, grad)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    se = np.sqrt(np.clip(np.diag(np.linalg.pinv(hess)), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        pval = 2.0 * sps.norm.sf(np.abs(beta / se))
    coef = np.where(sd > 0, beta[1:], np.nan)
    return coef, np.where(sd > 0, pval[1:], np.nan)


MAX_RUNS = 100_000
"""Above this many runs, drivers are estimated on a fixed random subsample (seed 0) of this size."""


def drivers_table(
    results: RunResults, alpha: float = 0.05, logit: bool = True, max_runs: int = MAX_RUNS
) -> pd.DataFrame:
    """One row per (outcome, parameter), sorted by outcome then |PRCC| descending.

    Computed on the kept rows (``results.runs``: the first ``MAX_KEPT_RUNS`` runs of a larger
    run, sim.engine.results); with more than ``max_runs`` of them, a reproducible random
    subsample of ``max_runs`` is used (PRCC and its p-values are then those of the subsample).

    Columns: ``outcome``, ``param`` (column name), ``label`` (reader-facing words from the
    parameter-site table: actor name and trait), ``prcc`` (-1..1), ``p_value``,
    ``p_adjusted`` (Bonferroni over all rows), ``significant`` (p_adjusted < alpha),
    and with ``logit``: ``logit_coef`` (log-odds per sd), ``logit_p``. Empty when no parameter
    varies.
    """
    runs = results.runs
    if len(runs) > max_runs:
        pick = np.sort(np.random.default_rng(0).choice(len(runs), size=max_runs, replace=False))
        runs = runs.iloc[pick]
    cols = param_columns(runs)
    out_columns = ["outcome", "param", "label", "prcc", "p_value", "p_adjusted", "significant"]
    if logit:
        out_columns += ["logit_coef", "logit_p"]
    if not cols or len(runs) == 0:
        return pd.DataFrame(columns=out_columns)
    x = runs[cols].to_numpy(dtype=float)
    names = param_labels(results.scenario)
    labels = [label_for(columns.path_of(c), names) for c in cols]
    frames = []
    for oid in results.outcome_ids:
        y = runs[columns.happened(oid)].to_numpy(dtype=bool)
        coef, pval = prcc(x, y.astype(float))
        frame = pd.DataFrame(
            {
                "outcome": oid,
                "param": cols,
                "label": labels,
                "prcc": coef,
                "p_value": pval,
            }
        )
        if logit:
            frame["logit_coef"], frame["logit_p"] = standardized_logit(x, y)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    tests = int(table["p_value"].notna().sum())
    table["p_adjusted"] = np.minimum(table["p_value"] * max(tests, 1), 1.0)
    table["significant"] = table["p_adjusted"] < alpha
    table["_abs"] = table["prcc"].abs()
    table = table.sort_values(["outcome", "_abs"], ascending=[True, False], na_position="last")
    order = {o: i for i, o in enumerate(results.outcome_ids)}
    table = table.sort_values("outcome", key=lambda s: s.map(order), kind="stable")
    return table.drop(columns="_abs").reset_index(drop=True)[out_columns]
