"""Designs: the table of points a sweep evaluates.

A design is a pandas DataFrame with an ``point`` column (int64, 0..n-1, the row order) and one
float64 column per swept parameter, named by its path. It is saved as ``design.parquet``.

- ``grid``: full factorial. A value list is used as given; a range gets ``levels`` (or the
  sweep's ``points``, default 5) equally spaced values from low to high inclusive.
- ``lhs``: Latin hypercube (scipy.stats.qmc.LatinHypercube), ``points`` rows (default 64);
  each axis is cut into ``points`` equal strata with exactly one point in each.
- ``sobol``: Saltelli/Sobol sample of SALib (``SALib.sample.sobol.sample``,
  ``calc_second_order=False``): ``points`` = N base samples (power of two, default 64) gives
  N*(D+2) rows in SALib's order, ready for ``SALib.analyze.sobol.analyze(problem, Y,
  calc_second_order=False)`` with Y in ``point`` order.

All designs are deterministic functions of (parameters, points, seed).
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from sim.core.errors import Problem, SimUserError
from sim.sweep.spec import MAX_POINTS, ParamSpec

DEFAULT_GRID_LEVELS = 5
DEFAULT_SAMPLES = 64


def salib_problem(params: list[ParamSpec] | tuple[ParamSpec, ...]) -> dict[str, Any]:
    """The SALib ``problem`` dict of the swept ranges (names are the parameter paths)."""
    return {
        "num_vars": len(params),
        "names": [p.path for p in params],
        "bounds": [list(p.bounds) for p in params],
    }


def grid_axis(p: ParamSpec, points: int | None) -> np.ndarray:
    """The values of one grid axis."""
    if p.values is not None:
        return np.asarray(p.values, dtype=float)
    lo, hi = p.bounds
    return np.linspace(lo, hi, p.levels or points or DEFAULT_GRID_LEVELS)


def grid(params: tuple[ParamSpec, ...], points: int | None) -> np.ndarray:
    """Full factorial grid, last parameter varying fastest: (prod(levels), D)."""
    axes = [grid_axis(p, points) for p in params]
    total = int(np.prod([len(a) for a in axes], dtype=float))
    if total > MAX_POINTS:
        raise SimUserError(
            [
                Problem(
                    "",
                    None,
                    "points",
                    f"the grid has {total} points (max {MAX_POINTS}); use fewer levels or lhs",
                )
            ]
        )
    return np.array(list(itertools.product(*axes)), dtype=float).reshape(total, len(params))


def lhs(params: tuple[ParamSpec, ...], points: int | None, seed: int) -> np.ndarray:
    """Latin hypercube scaled to the ranges: (points, D)."""
    from scipy.stats import qmc

    n = points or DEFAULT_SAMPLES
    unit = qmc.LatinHypercube(d=len(params), rng=np.random.default_rng(seed)).random(n)
    lo = np.array([p.bounds[0] for p in params])
    hi = np.array([p.bounds[1] for p in params])
    return np.asarray(qmc.scale(unit, lo, hi), dtype=float)


def sobol(params: tuple[ParamSpec, ...], points: int | None, seed: int) -> np.ndarray:
    """SALib Saltelli/Sobol sample without second-order terms: (N*(D+2), D)."""
    from SALib.sample import sobol as salib_sobol

    n = points or DEFAULT_SAMPLES
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = salib_sobol.sample(salib_problem(params), n, calc_second_order=False, seed=seed % 2**32)
    return np.asarray(x, dtype=float)


def make_design(design: str, params: tuple[ParamSpec, ...], points: int | None, seed: int) -> pd.DataFrame:
    """The design table: ``point`` then one column per parameter path."""
    if design == "grid":
        x = grid(params, points)
    elif design == "lhs":
        x = lhs(params, points, seed)
    elif design == "sobol":
        x = sobol(params, points, seed)
    else:
        raise SimUserError(
            [Problem("", None, "design", f"unknown design {design!r}; use grid, lhs or sobol")]
        )
    df = pd.DataFrame(x, columns=[p.path for p in params])
    df.insert(0, "point", np.arange(len(df), dtype=np.int64))
    return df
