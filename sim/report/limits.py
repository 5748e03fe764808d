"""Size limits of the reports: what a report embeds is bounded whatever the horizon.

A report draws per-step series (escalation fan, action mix, time to event, sample paths). Above
``MAX_REPORT_STEPS`` steps they are drawn on a coarser clock: every ``k``-th step, ``k =
ceil(horizon / MAX_REPORT_STEPS)``; escalation quantiles and sample paths are the values at
those steps, action mixes are averaged over each window of ``k`` steps, and first-occurrence
steps are counted in the window they fall in (kept rows and tallies alike). The stored results
are never changed: only the view given to the report is (:func:`report_view`).
docs/architecture.md states the limits.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sim.core.columns import DEAL_STEP_COLUMNS
from sim.engine.results import RunResults, Trajectory

MAX_REPORT_STEPS = 2_000
"""Most points per time series in a report (a 100,000-step horizon is drawn every 50 steps)."""


def stride(horizon: int, limit: int = MAX_REPORT_STEPS) -> int:
    """Steps per plotted point: 1 up to ``limit`` steps, then ``ceil(horizon / limit)``."""
    return max(1, math.ceil(horizon / limit))


def report_view(results: RunResults, limit: int = MAX_REPORT_STEPS) -> RunResults:
    """``results`` itself if its horizon is within ``limit``, else a coarsened copy for plotting
    (steps of ``k x step_days`` days, ``horizon // k`` steps; ``extra["report_stride"] = k``)."""
    k = stride(results.horizon, limit)
    if k == 1:
        return results
    coarse = results.horizon // k
    meta = results.scenario.scenario
    scenario = results.scenario.model_copy(
        update={"scenario": meta.model_copy(update={"step_days": meta.step_days * k, "horizon": coarse})}
    )
    hist = results.escalation_hist[: coarse * k + 1 : k]
    counts = results.action_counts[: coarse * k].astype(float)
    counts = counts.reshape(coarse, k, *counts.shape[1:]).mean(axis=1)
    runs = results.runs.copy()
    step_columns = [f"{oid}_step" for oid in results.outcome_ids]
    step_columns += [c for c in DEAL_STEP_COLUMNS if c in runs.columns]
    for col in step_columns:
        if col in runs.columns:
            runs[col] = np.minimum(runs[col].to_numpy(dtype=float) / k, coarse)
    samples = [
        Trajectory(
            run=s.run,
            escalation=s.escalation[: coarse * k + 1 : k],
            actions=s.actions[k - 1 : coarse * k : k],
        )
        for s in results.samples
    ]
    return dataclasses.replace(
        results,
        scenario=scenario,
        runs=runs,
        tallies=results.tally.coarsened(k, coarse),
        escalation_hist=hist,
        action_counts=counts,
        samples=samples,
        extra={**results.extra, "report_stride": k},
    )
