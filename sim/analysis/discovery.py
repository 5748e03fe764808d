"""Scenario discovery with PRIM (Friedman & Fisher 1999), as used by the EMA Workbench.

Given the swept parameters ``X`` of every design point and a boolean case of interest ``y``
(e.g. ``P(war) > 0.2``), PRIM looks for a box — an interval per parameter — inside which the
case is much more frequent than overall:

* **peeling**: from the box spanning all data, repeatedly try cutting a share ``peel_alpha`` of
  the points in the box off the low or the high end of each parameter; keep the cut that gives
  the highest density (share of cases of interest in the box); stop when the next cut would
  leave less than ``min_support`` of all points, when no cut raises the density or when the
  density reaches 1. Each step is recorded in the *peeling trajectory*.
* **choosing**: the step with the highest density among those covering at least
  ``min_coverage`` of the cases of interest (ties: highest coverage).
* **pasting**: widen the chosen box back along a restricted edge by about ``paste_alpha`` of
  its points while this does not lower the density (it undoes over-eager peels).

Measures (all in ``[0, 1]``): *coverage* = cases in the box / all cases; *density* = cases in
the box / points in the box; *support* = points in the box / all points. *Density gain* =
density / overall share of cases (1 = no better than chance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

TRAJECTORY_COLUMNS = ["step", "phase", "coverage", "density", "support", "restricted"]
BOX_COLUMNS = ["parameter", "low", "high", "restricted", "qp_value", "cut", "matters"]

MIN_CUT = 0.15
"""A restriction matters when the box leaves out at least this share of the parameter's range
(low and high ends together). A box of 0.31-0.94 on a range of 0.3-1.0 cuts 10%: a trim of the
edges by the peeling that says nothing about where the cases are, and is not reported."""


@dataclass
class PrimResult:
    """A PRIM run: trajectory, chosen box and its measures.

    ``trajectory``: one row per box (:data:`TRAJECTORY_COLUMNS`; ``phase`` = ``start``,
    ``peel`` or ``paste``; ``restricted`` = number of restricted parameters); ``limits``:
    ``(d, 2)`` array of ``[low, high]`` per step, same order as ``trajectory``; ``chosen``: row
    of the reported box; ``box``: per parameter ``parameter, low, high, restricted, qp_value``
    (``qp_value``: one-sided binomial quasi-p-value of the restriction, NaN if unrestricted),
    ``cut`` (share of the parameter's range left out, 0..1) and ``matters`` (``cut`` at least
    ``min_cut``: see :meth:`restrictions`).
    """

    label: str
    parameters: list[str]
    trajectory: pd.DataFrame
    limits: list[np.ndarray]
    chosen: int
    box: pd.DataFrame
    base_density: float
    n_points: int
    n_cases: int
    data_bounds: np.ndarray = field(repr=False, default_factory=lambda: np.empty((0, 2)))

    @property
    def coverage(self) -> float:
        return float(self.trajectory["coverage"].iloc[self.chosen])

    @property
    def density(self) -> float:
        return float(self.trajectory["density"].iloc[self.chosen])

    @property
    def support(self) -> float:
        return float(self.trajectory["support"].iloc[self.chosen])

    @property
    def density_gain(self) -> float:
        """Density of the chosen box over the overall share of cases (1 = chance)."""
        return self.density / self.base_density if self.base_density > 0 else float("nan")

    def restricted(self) -> pd.DataFrame:
        """Rows of :attr:`box` for the restricted parameters only (however slightly)."""
        return self.box[self.box["restricted"]].reset_index(drop=True)

    def restrictions(self) -> pd.DataFrame:
        """Rows of :attr:`box` whose restriction matters (cuts at least :data:`MIN_CUT` of the
        range), largest cut first."""
        rows = self.box[self.box["matters"]].sort_values("cut", ascending=False, kind="stable")
        return rows.reset_index(drop=True)

    def trimmed(self) -> pd.DataFrame:
        """Rows of :attr:`box` restricted by less than :data:`MIN_CUT` of their range."""
        return self.box[self.box["restricted"] & ~self.box["matters"]].reset_index(drop=True)


def prim(
    x: pd.DataFrame,
    y: np.ndarray | pd.Series,
    *,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    min_support: float = 0.05,
    min_coverage: float = 0.5,
    min_cut: float = MIN_CUT,
    label: str = "",
) -> PrimResult:
    """Run PRIM on points ``x`` (one numeric column per parameter) and boolean cases ``y``.

    ``peel_alpha``, ``paste_alpha``: share of the box's points cut or added per step (0..0.5);
    ``min_support``: smallest share of all points a box may keep (0..1); ``min_coverage``:
    smallest coverage the chosen box must have (0..1, falls back to the best box if none);
    ``min_cut``: share of a parameter's range (0..1) a restriction must leave out to matter.
    """
    xs = x.to_numpy(dtype=float)
    ys = np.asarray(y, dtype=bool)
    if xs.ndim != 2 or len(xs) != len(ys) or len(ys) == 0:
        raise ValueError("x must be a non-empty (n, d) table and y a boolean vector of length n")
    if not 0 < peel_alpha < 0.5 or not 0 < paste_alpha < 0.5:
        raise ValueError("peel_alpha and paste_alpha must be in (0, 0.5)")
    data_bounds = np.column_stack([xs.min(axis=0), xs.max(axis=0)])
    steps = _peel(xs, ys, data_bounds, peel_alpha, min_support)
    chosen = _choose(xs, ys, steps, data_bounds, min_coverage)
    steps = steps[: chosen + 1] + _paste(xs, ys, steps[chosen], data_bounds, paste_alpha)[1:]
    traj = pd.DataFrame([_measures(xs, ys, lim, data_bounds) for lim in steps])
    traj.insert(0, "step", range(len(steps)))
    traj.insert(1, "phase", ["start"] + ["peel"] * chosen + ["paste"] * (len(steps) - 1 - chosen))
    final = len(steps) - 1
    box = _box_table(list(x.columns), xs, ys, steps[final], data_bounds, min_cut)
    return PrimResult(
        label=label,
        parameters=[str(c) for c in x.columns],
        trajectory=traj[TRAJECTORY_COLUMNS],
        limits=steps,
        chosen=final,
        box=box,
        base_density=float(ys.mean()),
        n_points=len(ys),
        n_cases=int(ys.sum()),
        data_bounds=data_bounds,
    )


def _inside(xs: np.ndarray, lim: np.ndarray, skip: int | None = None) -> np.ndarray:
    ok = (xs >= lim[:, 0]) & (xs <= lim[:, 1])
    if skip is not None:
        ok[:, skip] = True
    return np.asarray(ok.all(axis=1))


def _measures(xs: np.ndarray, ys: np.ndarray, lim: np.ndarray, data_bounds: np.ndarray) -> dict[str, float]:
    m = _inside(xs, lim)
    n_in, cases = int(m.sum()), int(ys[m].sum())
    restricted = int(((lim[:, 0] > data_bounds[:, 0]) | (lim[:, 1] < data_bounds[:, 1])).sum())
    return {
        "coverage": cases / max(int(ys.sum()), 1),
        "density": cases / n_in if n_in else 0.0,
        "support": n_in / len(ys),
        "restricted": restricted,
    }


def _peel(
    xs: np.ndarray, ys: np.ndarray, data_bounds: np.ndarray, alpha: float, min_support: float
) -> list[np.ndarray]:
    """Peeling trajectory: list of box limits, starting with the whole data box."""
    lim = data_bounds.copy()
    steps = [lim.copy()]
    inside = _inside(xs, lim)
    n = len(ys)
    while ys[inside].mean() < 1.0:
        best: tuple[float, int, np.ndarray, np.ndarray] | None = None
        for u in range(xs.shape[1]):
            for side in (0, 1):
                cand = _peel_one(xs, inside, lim, u, side, alpha)
                if cand is None:
                    continue
                new_lim, new_in = cand
                size = int(new_in.sum())
                if size < min_support * n:
                    continue
                key = (float(ys[new_in].mean()), size)
                if best is None or key > best[:2]:
                    best = (key[0], key[1], new_lim, new_in)
        if best is None or best[0] < ys[inside].mean():
            break
        lim, inside = best[2], best[3]
        steps.append(lim.copy())
    return steps


def _peel_one(
    xs: np.ndarray, inside: np.ndarray, lim: np.ndarray, u: int, side: int, alpha: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Cut about ``alpha`` of the box's points off the low (side 0) or high (1) end of ``u``."""
    vals = np.unique(xs[inside, u])
    if len(vals) < 2:
        return None
    col = xs[inside, u]
    if side == 0:
        q = float(np.quantile(col, alpha))
        keep_from = vals[np.searchsorted(vals, q, side="left")]
        if keep_from == vals[0]:
            keep_from = vals[1]
        cut = vals[np.searchsorted(vals, keep_from) - 1]
        new_bound = 0.5 * (cut + keep_from)
    else:
        q = float(np.quantile(col, 1.0 - alpha))
        keep_to = vals[np.searchsorted(vals, q, side="right") - 1]
        if keep_to == vals[-1]:
            keep_to = vals[-2]
        cut = vals[np.searchsorted(vals, keep_to) + 1]
        new_bound = 0.5 * (cut + keep_to)
    new_lim = lim.copy()
    new_lim[u, side] = new_bound
    new_in = inside & (xs[:, u] >= new_bound if side == 0 else xs[:, u] <= new_bound)
    return new_lim, new_in


def _choose(
    xs: np.ndarray, ys: np.ndarray, steps: list[np.ndarray], data_bounds: np.ndarray, min_coverage: float
) -> int:
    """Index of the densest peeling step with coverage >= ``min_coverage`` (ties: more coverage)."""
    meas = [_measures(xs, ys, lim, data_bounds) for lim in steps]
    ok = [i for i, m in enumerate(meas) if m["coverage"] >= min_coverage] or list(range(len(steps)))
    return max(ok, key=lambda i: (meas[i]["density"], meas[i]["coverage"]))


def _paste(
    xs: np.ndarray, ys: np.ndarray, start: np.ndarray, data_bounds: np.ndarray, alpha: float
) -> list[np.ndarray]:
    """Pasting trajectory from ``start``: widen restricted edges while density does not drop."""
    lim = start.copy()
    steps = [lim.copy()]
    while True:
        inside = _inside(xs, lim)
        dens = float(ys[inside].mean()) if inside.any() else 0.0
        k = max(1, math.ceil(alpha * int(inside.sum())))
        best: tuple[float, np.ndarray] | None = None
        for u in range(xs.shape[1]):
            for side in (0, 1):
                new_lim = _paste_one(xs, lim, u, side, k, data_bounds)
                if new_lim is None:
                    continue
                m = _inside(xs, new_lim)
                d = float(ys[m].mean())
                if best is None or d > best[0]:
                    best = (d, new_lim)
        if best is None or best[0] < dens:
            return steps
        lim = best[1]
        steps.append(lim.copy())


def _paste_one(
    xs: np.ndarray, lim: np.ndarray, u: int, side: int, k: int, data_bounds: np.ndarray
) -> np.ndarray | None:
    """Move edge ``side`` of ``u`` outwards to take in about ``k`` more points."""
    if lim[u, side] == data_bounds[u, side]:
        return None
    others = _inside(xs, lim, skip=u)
    col = xs[others, u]
    outside = np.unique(col[col < lim[u, 0]] if side == 0 else col[col > lim[u, 1]])
    if len(outside) == 0:
        return None
    new_lim = lim.copy()
    if side == 0:
        ordered = outside[::-1]
        take = ordered[min(k, len(ordered)) - 1]
        below = outside[outside < take]
        new_lim[u, 0] = 0.5 * (below[-1] + take) if len(below) else data_bounds[u, 0]
    else:
        take = outside[min(k, len(outside)) - 1]
        above = outside[outside > take]
        new_lim[u, 1] = 0.5 * (above[0] + take) if len(above) else data_bounds[u, 1]
    return new_lim


def cut_share(low: float, high: float, lo: float, hi: float) -> float:
    """Share of the range ``lo..hi`` that the interval ``low..high`` leaves out (0..1; 0 when
    the range is a single value)."""
    width = hi - lo
    if width <= 0:
        return 0.0
    kept = min(high, hi) - max(low, lo)
    return float(np.clip(1.0 - kept / width, 0.0, 1.0))


def _box_table(
    names: list[str],
    xs: np.ndarray,
    ys: np.ndarray,
    lim: np.ndarray,
    data_bounds: np.ndarray,
    min_cut: float = MIN_CUT,
) -> pd.DataFrame:
    inside = _inside(xs, lim)
    rows = []
    for u, name in enumerate(names):
        lo_r, hi_r = bool(lim[u, 0] > data_bounds[u, 0]), bool(lim[u, 1] < data_bounds[u, 1])
        qp = float("nan")
        if lo_r or hi_r:
            wider = _inside(xs, lim, skip=u)
            p0 = float(ys[wider].mean())
            qp = (
                float(
                    stats.binomtest(
                        int(ys[inside].sum()), int(inside.sum()), p0, alternative="greater"
                    ).pvalue
                )
                if 0 < p0 < 1
                else float("nan")
            )
        cut = cut_share(float(lim[u, 0]), float(lim[u, 1]), *map(float, data_bounds[u]))
        rows.append(
            {
                "parameter": str(name),
                "low": float(lim[u, 0]),
                "high": float(lim[u, 1]),
                "restricted": lo_r or hi_r,
                "qp_value": qp,
                "cut": cut,
                "matters": (lo_r or hi_r) and cut >= min_cut,
            }
        )
    return pd.DataFrame(rows, columns=BOX_COLUMNS)
