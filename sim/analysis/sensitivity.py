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
sweep report (``sim.report.sweep_report``) draws the result.
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
from sim.core import columns
from sim.core.errors import Problem, SimUserError
from sim.sweep.store import SweepStore

DesignKind = Literal["grid", "lhs", "sobol", "random", "list"]

SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
RANK_COLUMNS = ["output", "parameter", "spearman", "spearman_p", "prcc", "prcc_p"]


@dataclass(frozen=True)
class DesignInfo:
    """What the analysis needs to know about a sweep design.

    ``kind``: ``grid``, ``lhs`` or ``sobol`` (anything else gets only surfaces and PRIM);
    ``parameters``: swept parameter paths, in design column order; ``bounds``: ``(low, high)``
    per parameter, same units as the parameter; ``n``: the base sample size ``N`` given to the
    sampler (Sobol: the design has ``N * (D + 2)`` points); ``calc_second_order``: as given to
    SALib; ``seed``: the design seed, reused for the bootstrap of the confidence intervals.
    """

    kind: str
    parameters: list[str]
    bounds: list[tuple[float, float]]
    n: int | None = None
    calc_second_order: bool = False
    seed: int | None = None

    def problem(self) -> dict[str, Any]:
        """The SALib ``problem`` dict of this design."""
        return {
            "num_vars": len(self.parameters),
            "names": list(self.parameters),
            "bounds": [[float(lo), float(hi)] for lo, hi in self.bounds],
        }


# --------------------------------------------------------------------------------------------
# Sobol indices


def sobol_indices(
    points: pd.DataFrame,
    design: DesignInfo,
    outputs: Sequence[str],
    *,
    conf_level: float = 0.95,
    seed: int | None = 0,
    num_resamples: int = 200,
) -> pd.DataFrame:
    """Sobol first- and total-order indices per output, from a Saltelli design.

    ``points`` must hold the design points in the sampler's row order (``N * (D + 2)`` rows
    when ``calc_second_order`` is false). Returns a tidy frame with columns
    ``output, parameter, S1, S1_conf, ST, ST_conf`` (``*_conf`` = half-width of the
    ``conf_level`` bootstrap interval). An output that does not vary gets NaN indices.
    """
    from SALib.analyze import sobol as sobol_analyze

    d = len(design.parameters)
    expected = (2 * d + 2) if design.calc_second_order else (d + 2)
    if len(points) == 0 or len(points) % expected:
        raise ValueError(
            f"a Sobol design over {d} parameters has a multiple of {expected} points; got {len(points)}"
        )
    rows: list[dict[str, Any]] = []
    for out in outputs:
        y = points[out].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0.0:
            rows += [_nan_sobol_row(out, p) for p in design.parameters]
            continue
        res = sobol_analyze.analyze(
            design.problem(),
            y,
            calc_second_order=design.calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
        for i, p in enumerate(design.parameters):
            rows.append(
                {
                    "output": out,
                    "parameter": p,
                    "S1": float(res["S1"][i]),
                    "S1_conf": float(res["S1_conf"][i]),
                    "ST": float(res["ST"][i]),
                    "ST_conf": float(res["ST_conf"][i]),
                }
            )
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)


def _nan_sobol_row(out: str, param: str) -> dict[str, Any]:
    nan = float("nan")
    return {"output": out, "parameter": param, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """Ishigami test function on ``x`` of shape ``(n, 3)`` with inputs in ``[-pi, pi]``.

    ``f = sin x1 + a sin^2 x2 + b x3^4 sin x1``; used as the known-answer test of the Sobol
    estimator (analytic indices in :func:`ishigami_indices`).
    """
    x = np.asarray(x, dtype=float)
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """Analytic first- and total-order Sobol indices ``(S1, ST)`` of :func:`ishigami`."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    s1 = np.array([v1, v2, 0.0]) / var
    st = np.array([v1 + v13, v2, v13]) / var
    return s1, st


# --------------------------------------------------------------------------------------------
# Rank correlations


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


# --------------------------------------------------------------------------------------------
# Response surfaces


@dataclass(frozen=True)
class Surface:
    """Mean of ``outcome`` over a 2-D slice: ``values`` has index = ``y`` values (bin centres
    for binned designs), columns = ``x`` values; NaN where no point fell. ``how`` says how the
    other parameters were treated (``averaged`` or ``slice a=..., b=...``)."""

    x: str
    y: str
    outcome: str
    values: pd.DataFrame
    how: str


def response_surface(
    points: pd.DataFrame,
    x: str,
    y: str,
    outcome: str,
    *,
    at: Mapping[str, float] | None = None,
    bins: int | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
) -> Surface:
    """Pivot ``outcome`` over parameters ``x`` (columns) and ``y`` (rows).

    Other parameters are averaged over, or with ``at`` held at a slice (each given parameter at
    the design value nearest to the requested one). With ``bins``, ``x`` and ``y`` are cut
    into that many equal-width bins over ``bounds`` (default: the data range) and each cell is
    the mean of the points inside it, labelled by its centre: use this for LHS/Sobol designs.
    """
    df = points
    how = "others averaged"
    if at:
        df, how = _slice(points, at)
    keys: dict[str, pd.Series] = {}
    for name in (x, y):
        col = df[name].astype(float)
        if bins:
            lo, hi = (bounds or {}).get(name, (float(points[name].min()), float(points[name].max())))
            keys[name] = _bin_centres(col, lo, hi, bins)
        else:
            keys[name] = col
    grouped = df.assign(_x=keys[x], _y=keys[y]).groupby(["_y", "_x"])[outcome].mean()
    table = grouped.unstack("_x").sort_index().sort_index(axis=1)
    table.index.name, table.columns.name = y, x
    return Surface(x=x, y=y, outcome=outcome, values=table, how=how)


def _slice(points: pd.DataFrame, at: Mapping[str, float]) -> tuple[pd.DataFrame, str]:
    mask = np.ones(len(points), dtype=bool)
    parts = []
    for name, want in at.items():
        vals = np.unique(points[name].to_numpy(dtype=float))
        nearest = float(vals[np.argmin(np.abs(vals - want))])
        mask &= np.isclose(points[name].to_numpy(dtype=float), nearest)
        parts.append(f"{name}={nearest:g}")
    return points[mask], "slice " + ", ".join(parts)


def _bin_centres(col: pd.Series, lo: float, hi: float, bins: int) -> pd.Series:
    width = (hi - lo) / bins if hi > lo else 1.0
    idx = np.clip(np.floor((col.to_numpy() - lo) / width), 0, bins - 1)
    return pd.Series(lo + (idx + 0.5) * width, index=col.index)


# --------------------------------------------------------------------------------------------
# Whole-sweep analysis


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
                f"PRIM skipped for {o}: {int(y.sum())} of {len(points)} points have "
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
    return analyse_points(
        points, design, outcomes, thresholds=thresholds, seed=seed, store_dir=store, title=title
    )


def read_store(store: Path) -> tuple[pd.DataFrame, DesignInfo, list[str], str]:
    """``(points, design, outcome columns, title)`` of the sweep store at ``store``.

    The store (:class:`sim.sweep.store.SweepStore`) reads ``sweep.json`` (declaration and
    resolved settings: design kind, parameters with low/high or values, seed) and
    ``points.parquet`` (``point``, one column per parameter path, ``runs``, ``p.<outcome>``
    probabilities 0..1); SimUserError naming the file when either is missing or unreadable.
    """
    sweep = SweepStore(store)
    meta, points = sweep.read_finished()
    design = design_from_meta(meta, sweep.sweep_json, points)
    ids = meta.get("outcomes")
    listed = [columns.probability(o) for o in ids] if isinstance(ids, list) else []
    outcomes = [c for c in listed if c in points.columns] or [
        c for c in points.columns if columns.is_probability(c)
    ]
    title = str(_lookup(meta, "title") or _lookup(meta, "id") or "Parameter sweep")
    return points, design, outcomes, title


def _lookup(meta: Mapping[str, Any], key: str) -> Any:
    """``meta[key]``, else the same key in the nested ``settings`` or ``spec`` mapping (non-null)."""
    if meta.get(key) is not None:
        return meta[key]
    for sub in ("settings", "spec"):
        inner = meta.get(sub)
        if isinstance(inner, Mapping) and inner.get(key) is not None:
            return inner[key]
    return None


def design_from_meta(meta: Mapping[str, Any], where: Path, points: pd.DataFrame) -> DesignInfo:
    """Build :class:`DesignInfo` from ``sweep.json`` (``spec.design``, ``spec.parameters`` with
    low/high or values, ``settings.seed``, ``sobol_base_samples``, ``calc_second_order``)."""
    kind = _lookup(meta, "design")
    if isinstance(kind, Mapping):
        kind = kind.get("kind")
    params = _lookup(meta, "parameters")
    if not isinstance(params, list) or not params:
        raise SimUserError([Problem(str(where), None, "parameters", "sweep.json lists no swept parameters")])
    names = [str(p["path"]) if isinstance(p, Mapping) else str(p) for p in params]
    missing = [n for n in names if n not in points.columns]
    if missing:
        raise SimUserError(
            [
                Problem(
                    str(where), None, "parameters", f"points.parquet has no column for {', '.join(missing)}"
                )
            ]
        )
    bounds = [_bounds(p, points[n]) for p, n in zip(params, names, strict=True)]
    n = meta.get("sobol_base_samples")
    seed = _lookup(meta, "seed")
    return DesignInfo(
        kind=str(kind or "grid"),
        parameters=names,
        bounds=bounds,
        n=int(n) if isinstance(n, int) else None,
        calc_second_order=bool(_lookup(meta, "calc_second_order") or False),
        seed=int(seed) if isinstance(seed, int) else None,
    )


def _bounds(p: Any, column: pd.Series) -> tuple[float, float]:
    if isinstance(p, Mapping):
        if p.get("low") is not None and p.get("high") is not None:
            return float(p["low"]), float(p["high"])
        if p.get("values"):
            return float(min(p["values"])), float(max(p["values"]))
    return float(column.min()), float(column.max())
