"""Headline statistics of a run: outcome probabilities with intervals, time to event, peak levels.

Everything here reads a :class:`~sim.engine.results.RunResults` (columns documented there) and
returns plain numbers, numpy arrays or pandas DataFrames; nothing is plotted.

Intervals are for a binomial proportion ``k / n`` (``k`` runs out of ``n`` where an outcome
happened): Wilson score (good coverage, never outside [0, 1]) and Clopper-Pearson "exact"
(coverage guaranteed >= ``conf`` for every true probability, conservative).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

from sim.core import columns
from sim.engine.results import RunResults

FloatOrArray = float | NDArray[np.float64]


def _z(conf: float) -> float:
    """Two-sided standard normal quantile for confidence ``conf`` in (0, 1)."""
    if not 0.0 < conf < 1.0:
        raise ValueError(f"conf must be in (0, 1), got {conf}")
    return float(sps.norm.ppf(0.5 + conf / 2.0))


def _check_kn(k: ArrayLike, n: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(k_arr < 0) or np.any(k_arr > n_arr) or np.any(n_arr < 0):
        raise ValueError("need 0 <= k <= n")
    return np.broadcast_arrays(k_arr, n_arr)  # type: ignore[return-value]


def _out(lo: NDArray[np.float64], hi: NDArray[np.float64]) -> tuple[FloatOrArray, FloatOrArray]:
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def wilson_interval(k: ArrayLike, n: ArrayLike, conf: float = 0.95) -> tuple[FloatOrArray, FloatOrArray]:
    """Wilson score interval for ``k`` successes in ``n`` trials (vectorised over arrays).

    Returns ``(lo, hi)`` with ``0 <= lo <= k/n <= hi <= 1``; floats for scalar input, arrays
    otherwise. ``n == 0`` gives the uninformative ``(0, 1)``.
    """
    k_arr, n_arr = _check_kn(k, n)
    z2 = _z(conf) ** 2
    safe_n = np.where(n_arr > 0, n_arr, 1.0)
    p = k_arr / safe_n
    denom = 1.0 + z2 / safe_n
    center = (p + z2 / (2.0 * safe_n)) / denom
    half = math.sqrt(z2) * np.sqrt(p * (1.0 - p) / safe_n + z2 / (4.0 * safe_n**2)) / denom
    lo = np.clip(center - half, 0.0, 1.0)
    hi = np.clip(center + half, 0.0, 1.0)
    # exact end points (avoid rounding just above 0 / below 1) and keep p inside
    lo = np.where(k_arr == 0, 0.0, np.minimum(lo, p))
    hi = np.where(k_arr == n_arr, 1.0, np.maximum(hi, p))
    lo = np.where(n_arr == 0, 0.0, lo)
    hi = np.where(n_arr == 0, 1.0, hi)
    return _out(lo, hi)


def exact_interval(k: ArrayLike, n: ArrayLike, conf: float = 0.95) -> tuple[FloatOrArray, FloatOrArray]:
    """Clopper-Pearson interval from beta quantiles (vectorised); ``n == 0`` gives ``(0, 1)``."""
    k_arr, n_arr = _check_kn(k, n)
    alpha = 1.0 - conf
    _z(conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = sps.beta.ppf(alpha / 2.0, k_arr, n_arr - k_arr + 1.0)
        hi = sps.beta.ppf(1.0 - alpha / 2.0, k_arr + 1.0, n_arr - k_arr)
    lo = np.where(k_arr == 0, 0.0, lo)
    hi = np.where(k_arr == n_arr, 1.0, hi)
    return _out(np.asarray(lo, dtype=float), np.asarray(hi, dtype=float))


def _step_date(results: RunResults, step: float) -> dt.date | None:
    if not math.isfinite(step):
        return None
    return results.scenario.scenario.date_of(round(step))


def outcome_table(results: RunResults, conf: float = 0.95) -> pd.DataFrame:
    """One row per declared outcome.

    Columns: ``id``, ``name``, ``count`` (runs where it happened), ``runs`` (all runs),
    ``probability`` (count/runs, 0..1), ``ci_low``, ``ci_high`` (Wilson, ``conf``),
    ``median_step`` (median first step among runs where it happened, NaN if never) and
    ``median_date`` (that step as a calendar date, None if never). Exact over all runs (from
    the streamed tallies, not the kept rows).
    """
    tally = results.tally
    n = tally.n
    rows: list[dict[str, Any]] = []
    for o in results.scenario.outcomes:
        k = tally.count(columns.happened(o.id))
        lo, hi = wilson_interval(k, n, conf)
        med = tally.median_step(columns.first_step(o.id))
        rows.append(
            {
                "id": o.id,
                "name": o.name,
                "count": k,
                "runs": n,
                "probability": k / n if n else math.nan,
                "ci_low": lo,
                "ci_high": hi,
                "median_step": med,
                "median_date": _step_date(results, med),
            }
        )
    return pd.DataFrame(rows)


def time_to_event(results: RunResults, outcome_id: str) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Empirical cumulative incidence of ``outcome_id``'s first occurrence.

    Returns ``(steps, cum)`` with ``steps = 0..horizon`` and ``cum[t]`` the share of all runs
    (0..1) in which the outcome had happened by step ``t``. Non-decreasing, ends at the
    outcome's probability.
    """
    if outcome_id not in results.outcome_ids:
        raise KeyError(f"unknown outcome {outcome_id!r}; outcomes: {', '.join(results.outcome_ids)}")
    horizon = results.horizon
    steps = np.arange(horizon + 1, dtype=np.int64)
    n = results.tally.n
    if n == 0:
        return steps, np.zeros(horizon + 1)
    counts = results.tally.incidence(columns.first_step(outcome_id), horizon)
    return steps, np.cumsum(counts) / n


def peak_level_distribution(results: RunResults, conf: float = 0.95) -> pd.DataFrame:
    """Share of runs whose peak escalation reached each ladder level.

    Columns: ``level`` (index), ``name``, ``at`` (ladder points), ``count`` and ``share`` (runs
    whose highest level reached is this one; shares sum to 1), ``share_at_least`` (runs that
    reached this level or higher), ``ci_low``/``ci_high`` (Wilson interval of
    ``share_at_least``).
    """
    levels = results.scenario.ladder.levels
    n = results.tally.n
    counts = results.tally.levels.copy() if n else np.zeros(len(levels), int)
    return _level_table([lv.name for lv in levels], [lv.at for lv in levels], counts, n, conf)


def _level_table(names: list[str], ats: list[float], counts: np.ndarray, n: int, conf: float) -> pd.DataFrame:
    """The columns of :func:`peak_level_distribution` from the runs whose highest level is each
    level (``counts``) out of ``n`` runs."""
    at_least = np.cumsum(counts[::-1])[::-1]
    lo, hi = wilson_interval(at_least, np.full(len(names), n), conf)
    return pd.DataFrame(
        {
            "level": np.arange(len(names)),
            "name": names,
            "at": ats,
            "count": counts.astype(np.int64),
            "share": counts / n if n else np.full(len(names), np.nan),
            "share_at_least": at_least / n if n else np.full(len(names), np.nan),
            "ci_low": lo,
            "ci_high": hi,
        }
    )


def track_level_distribution(results: RunResults, track_id: str, conf: float = 0.95) -> pd.DataFrame:
    """Share of runs whose peak on escalation track ``track_id`` reached each of its levels, over
    every run (the ``track.<id>.peak`` column); columns as :func:`peak_level_distribution`.

    A run's highest level is the last one whose ``at`` its peak reaches; a rung that requires an
    act is never shown reached without it (the engine keeps such a track just below, in float32).
    """
    track = next(t for t in results.scenario.ladder.tracks if t.id == track_id)
    ats = np.array([lv.at for lv in track.levels], dtype=float)
    peaks = results.column(columns.track_peak(track_id)).astype(float)
    highest = np.clip(np.searchsorted(ats, peaks, side="right") - 1, 0, len(ats) - 1)
    counts = np.bincount(highest, minlength=len(ats))
    return _level_table([lv.name for lv in track.levels], ats.tolist(), counts, peaks.size, conf)


def _num(x: Any) -> Any:
    """JSON-able number: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def summary_dict(results: RunResults, conf: float = 0.95) -> dict[str, Any]:
    """Headline numbers as a JSON-able dict (for ``summary.json`` and comparisons).

    Keys: scenario, title, runs, seed, batch_size, horizon, start_date, step_days, elapsed_s,
    conf, outcomes (id -> probability, ci_low, ci_high, exact_low, exact_high, count,
    median_step, median_date), peak_levels (list of level, name, at, share, share_at_least),
    escalation (mean of peak and final, ladder points); with escalation tracks, tracks (id ->
    the same list as peak_levels, for the track's levels).
    """
    table = outcome_table(results, conf)
    n = results.tally.n
    outcomes: dict[str, Any] = {}
    for rec in table.to_dict("records"):
        count = int(rec["count"])
        e_lo, e_hi = exact_interval(count, n, conf) if n else (0.0, 1.0)
        date = rec["median_date"]
        outcomes[str(rec["id"])] = {
            "name": rec["name"],
            "probability": _num(rec["probability"]),
            "ci_low": _num(rec["ci_low"]),
            "ci_high": _num(rec["ci_high"]),
            "exact_low": _num(e_lo),
            "exact_high": _num(e_hi),
            "count": count,
            "median_step": _num(rec["median_step"]),
            "median_date": date.isoformat() if isinstance(date, dt.date) else None,
        }
    peaks = peak_level_distribution(results, conf)
    meta = results.scenario.scenario
    level_keys = ("level", "name", "at", "share", "share_at_least")
    tracks = {
        t.id: [
            {k: _num(v) for k, v in rec.items() if k in level_keys}
            for rec in track_level_distribution(results, t.id, conf).to_dict("records")
        ]
        for t in results.scenario.ladder.tracks
    }
    summary = {
        "scenario": meta.id,
        "title": meta.title,
        "variant_of": results.scenario.variant_of,
        "runs": n,
        "seed": int(results.seed),
        "batch_size": int(results.batch_size),
        "horizon": meta.horizon,
        "start_date": meta.start_date.isoformat(),
        "step_days": meta.step_days,
        "elapsed_s": _num(float(results.elapsed_s)),
        "conf": conf,
        "outcomes": outcomes,
        "peak_levels": [
            {k: _num(v) for k, v in rec.items() if k in ("level", "name", "at", "share", "share_at_least")}
            for rec in peaks.to_dict("records")
        ],
        "escalation": {
            "mean_peak": _num(results.tally.mean(columns.PEAK)) if n else None,
            "mean_final": _num(results.tally.mean(columns.FINAL)) if n else None,
        },
    }
    if tracks:  # only scenarios that declare tracks (others keep their summary as it was)
        summary["tracks"] = tracks
    return summary
