"""Global sensitivity of outcome probabilities to swept parameters.

Three tools, one per kind of sweep design:

* **Sobol designs** (Saltelli sampling through SALib, ``calc_second_order=False``): first-order
  ``S1`` and total-order ``ST`` indices with bootstrap confidence intervals
  (:func:`sobol_indices`). ``S1`` is the share of the output variance explained by a parameter
  alone, ``ST`` by the parameter and all its interactions; both are in ``[0, 1]`` up to
  estimation error (estimates may fall slightly outside).
* **Latin hypercube designs**: Spearman rank correlation and partial rank correlation (PRCC,
  Marino et al. 2008) with two-sided p-values (:func:`rank_correlations`); both in ``[-1, 1]``.
* **Grids**: response surfaces, the mean outcome over two parameters with the others averaged
  or held at a slice (:func:`response_surface`).

:func:`analyse_sweep` reads a sweep store and computes whatever applies to its design; the
sweep report (``sim.report.sweep_report``) draws the result. The Sobol estimator is
:mod:`sim.analysis.sobol`, the surfaces :mod:`sim.analysis.surfaces`, the design as read from the
store :mod:`sim.analysis.sweep_design`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.discovery import PrimResult, prim
from sim.analysis.prcc import prcc, spearman
from sim.analysis.sobol import SOBOL_COLUMNS, ishigami, ishigami_indices, sobol_indices
from sim.analysis.surfaces import Surface, response_surface
from sim.analysis.sweep_design import DesignInfo, ReportWords, design_from_meta, read_store, read_words
from sim.core import columns

DesignKind = Literal["grid", "lhs", "sobol", "random", "list"]

RANK_COLUMNS = ["output", "parameter", "spearman", "spearman_p", "prcc", "prcc_p"]


def rank_correlations(
    points: pd.DataFrame, parameters: Sequence[str], outputs: Sequence[str]
) -> pd.DataFrame:
    """Spearman and partial rank correlation (PRCC, :func:`sim.analysis.prcc.prcc`) of each
    output with each parameter.

    Returns columns ``output, parameter, spearman, spearman_p, prcc, prcc_p``; NaN where the
    output or parameter does not vary or there are too few points (need ``n > k + 1`` for ``k``
    parameters).
    """
    params = list(parameters)
    x = points[params].to_numpy(dtype=float)
    ranks = np.column_stack([stats.rankdata(x[:, j]) for j in range(len(params))])
    rows: list[dict[str, Any]] = []
    for out in outputs:
        y = points[out].to_numpy(dtype=float)
        ry = stats.rankdata(y)
        coef, pval = prcc(x, y)
        for j, p in enumerate(params):
            rho, rho_p = spearman(ranks[:, j], ry)
            rows.append(
                {
                    "output": out,
                    "parameter": p,
                    "spearman": rho,
                    "spearman_p": rho_p,
                    "prcc": float(coef[j]),
                    "prcc_p": float(pval[j]),
                }
            )
    return pd.DataFrame(rows, columns=RANK_COLUMNS)


@dataclass
class SweepAnalysis:
    """Everything computed on a sweep, ready for ``sim.report.sweep_report.write_sweep_report``.

    ``outcomes``: outcome probability columns of ``points`` (probabilities, 0..1);
    ``sobol``: :data:`SOBOL_COLUMNS` frame (Sobol designs only); ``ranks``:
    :data:`RANK_COLUMNS` frame (LHS and other sampled designs with enough points);
    ``surfaces``: 2-D slices for every parameter pair and outcome; ``prim``: one scenario
    discovery result per outcome that varies; ``notes``: what was skipped and why.
    """

    store_dir: Path | None
    design: DesignInfo
    points: pd.DataFrame
    outcomes: list[str]
    sobol: pd.DataFrame | None = None
    ranks: pd.DataFrame | None = None
    surfaces: list[Surface] = field(default_factory=list)
    prim: list[PrimResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    title: str = "Parameter sweep"
    words: ReportWords = field(default_factory=lambda: ReportWords({}, {}, []))
    """Readable labels of parameters and outcomes, calibrated parameters (from ``sweep.json``)."""


def analyse_points(
    points: pd.DataFrame,
    design: DesignInfo,
    outcomes: Sequence[str],
    *,
    thresholds: Mapping[str, float] | None = None,
    seed: int = 0,
    store_dir: Path | None = None,
    title: str = "Parameter sweep",
) -> SweepAnalysis:
    """Compute what applies to ``design`` on an in-memory ``points`` table.

    ``thresholds``: outcome column (``p.war``) or id (``war``) -> probability (0..1) defining
    the PRIM case of interest ``P(outcome) > threshold``; outcomes without one use the upper
    quartile of their values over the points.
    """
    result = SweepAnalysis(
        store_dir=store_dir, design=design, points=points, outcomes=list(outcomes), title=title
    )
    if design.kind == "sobol":
        boot_seed = (design.seed if design.seed is not None else seed) % 2**32
        try:
            result.sobol = sobol_indices(points, design, outcomes, seed=boot_seed)
        except ValueError as err:
            result.notes.append(f"Sobol indices skipped: {err}")
        else:
            flat = sorted(set(result.sobol.loc[result.sobol["S1"].isna(), "output"]))
            if flat:
                result.notes.append(
                    "No Sobol indices for " + ", ".join(flat) + ": the outcome does not vary "
                    "over the design or some points have no result"
                )
    elif len(points) > len(design.parameters) + 2 and design.kind != "grid":
        result.ranks = rank_correlations(points, design.parameters, outcomes)
    result.surfaces = _surfaces(points, design, outcomes)
    result.prim = _discover(points, design, outcomes, thresholds or {}, result.notes)
    return result


def _surfaces(points: pd.DataFrame, design: DesignInfo, outcomes: Sequence[str]) -> list[Surface]:
    params = design.parameters
    bounds = dict(zip(params, design.bounds, strict=True))
    bins = None if design.kind == "grid" else int(np.clip(math.sqrt(len(points) / 4), 3, 12))
    out = []
    for o in outcomes:
        for i in range(len(params)):
            for j in range(i + 1, len(params)):
                out.append(response_surface(points, params[i], params[j], o, bins=bins, bounds=bounds))
    return out


def _discover(
    points: pd.DataFrame,
    design: DesignInfo,
    outcomes: Sequence[str],
    thresholds: Mapping[str, float],
    notes: list[str],
) -> list[PrimResult]:
    found = []
    x = points[design.parameters]
    for o in outcomes:
        p = points[o].to_numpy(dtype=float)
        name = columns.outcome_of(o)
        given = thresholds.get(o, thresholds.get(name))
        thr = float(given) if given is not None else float(np.round(np.nanquantile(p, 0.75), 3))
        y = p > thr
        if len(points) < 20 or y.all() or not y.any():
            notes.append(
                f"PRIM skipped for P({name}): {int(y.sum())} of {len(points)} points have "
                f"P > {thr:g} (need some but not all, and at least 20 points)"
            )
            continue
        found.append(prim(x, y, label=f"P({name}) > {thr:g}"))
    return found


def analyse_sweep(
    store_dir: str | Path, *, thresholds: Mapping[str, float] | None = None, seed: int = 0
) -> SweepAnalysis:
    """Read a sweep store (``points.parquet`` + design manifest) and analyse it.

    ``thresholds``: outcome -> probability for scenario discovery (see :func:`analyse_points`).
    Raises :class:`SimUserError` naming the file when the store is missing or unreadable.
    """
    store = Path(store_dir)
    points, design, outcomes, title = read_store(store)
    result = analyse_points(
        points, design, outcomes, thresholds=thresholds, seed=seed, store_dir=store, title=title
    )
    result.words = read_words(store)
    return result


__all__ = [
    "RANK_COLUMNS",
    "SOBOL_COLUMNS",
    "DesignInfo",
    "Surface",
    "SweepAnalysis",
    "analyse_points",
    "analyse_sweep",
    "design_from_meta",
    "ishigami",
    "ishigami_indices",
    "rank_correlations",
    "read_store",
    "response_surface",
    "sobol_indices",
]
