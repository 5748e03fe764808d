"""The per-point summary of a sweep (points.parquet): written by :class:`sim.sweep.store.SweepStore`
when the sweep finishes, read by the analysis."""

from __future__ import annotations

import pandas as pd

from sim.core import columns


def summarize_points(runs: pd.DataFrame, design: pd.DataFrame, outcomes: list[str]) -> pd.DataFrame:
    """One row per point: design values, ``runs``, ``p.<outcome>`` (share of runs, 0..1),
    ``mean_step.<outcome>`` (mean first step among runs where it happened, NaN if none),
    ``mean_peak_escalation`` and ``mean_final_escalation`` (ladder points); names from
    :mod:`sim.core.columns`."""
    g = runs.groupby(columns.POINT, sort=True)
    out = pd.DataFrame({columns.RUNS: g.size().astype("int64")})
    for o in outcomes:
        if columns.happened(o) in runs.columns:
            out[columns.probability(o)] = g[columns.happened(o)].mean().astype(float)
        if columns.first_step(o) in runs.columns:
            out[columns.mean_step(o)] = g[columns.first_step(o)].mean()
    for col in columns.ESCALATION_METRICS:
        if col in runs.columns:
            out[columns.mean_of(col)] = g[col].mean()
    out = out.reset_index()
    return design.merge(out, on=columns.POINT, how="left")
