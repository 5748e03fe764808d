"""Response surfaces: the mean of an outcome over two swept parameters, the others averaged or
held at a slice; binned for sampled (LHS, Sobol) designs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


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
