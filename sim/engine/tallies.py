"""Exact aggregates of the per-run rows, streamed batch by batch (issue #15 point 6).

The driver does not hold every run's row: it keeps these tallies, exact over all runs, and a
bounded sample of rows (:data:`sim.engine.results.MAX_KEPT_RUNS`). Everything the CLI tables,
``summary.json`` and the reports state as "% of runs", "median step" or "mean" comes from here:

- ``counts[c]``: runs in which bool/int column ``c`` is true / above 0 (outcomes, events, vetoes);
- ``steps[c]``: for each first-step column (``<outcome>_step``, ``deal.*_step``), the number of
  runs whose value is step ``s``, ``s = 0..horizon`` (int64 array; runs with NaN are not counted);
- ``sums[c]``: float64 sum of ``peak_escalation`` and ``final_escalation``;
- ``levels``: runs whose peak escalation reached each ladder level as their highest.

Memory: ``8 x (horizon + 1)`` bytes per step column, whatever the number of runs. The same
function (:meth:`RunTallies.add`) tallies a batch in the driver and a row group when a results
folder is loaded, so both give the same numbers.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core import columns as col
from sim.scenario.schema import Scenario


def step_columns(scenario: Scenario) -> list[str]:
    """The first-step columns tallied as histograms: each outcome's, then the bargaining ones."""
    out = [col.first_step(o.id) for o in scenario.outcomes]
    if scenario.bargaining is not None:
        out += list(col.DEAL_STEP_COLUMNS)
    return out


@dataclass
class RunTallies:
    """Exact aggregates over all runs (see the module docstring). ``stride``/``cap``: a report
    view on a coarser clock reads step ``s`` as ``min(s / stride, cap)`` (sim.report.limits)."""

    horizon: int
    ladder_at: np.ndarray  # (L,) ladder level thresholds (ladder points)
    n: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    steps: dict[str, np.ndarray] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    stride: int = 1
    cap: float = math.inf

    @classmethod
    def empty(cls, scenario: Scenario) -> RunTallies:
        ats = np.array([lv.at for lv in scenario.ladder.levels], dtype=float)
        t = cls(horizon=scenario.scenario.horizon, ladder_at=ats)
        t.levels = np.zeros(ats.size, dtype=np.int64)
        t.steps = {c: np.zeros(t.horizon + 1, dtype=np.int64) for c in step_columns(scenario)}
        t.counts = {col.happened(o.id): 0 for o in scenario.outcomes}
        if scenario.bargaining is not None:
            t.counts[col.DEAL_VETOED] = 0
        return t

    def add(self, rows: pd.DataFrame) -> None:
        """Add one batch (or row group) of per-run rows."""
        for c in rows.columns:  # probabilistic events: whichever the rows carry
            if str(c).startswith(col.EVENT_PREFIX):
                self.counts.setdefault(str(c), 0)
        self.n += len(rows)
        # a column missing from the rows is left to the reader that needs it to report
        for c in [c for c in self.counts if c in rows.columns]:
            self.counts[c] += int((rows[c].to_numpy() > 0).sum())
        for c, hist in self.steps.items():
            if c in rows.columns:
                v = rows[c].to_numpy(dtype=float)
                v = v[np.isfinite(v)]
                at = np.clip(np.rint(v).astype(np.int64), 0, self.horizon)
                hist += np.bincount(at, minlength=hist.size)
        for c in [c for c in col.ESCALATION_METRICS if c in rows.columns]:
            self.sums[c] = self.sums.get(c, 0.0) + float(rows[c].to_numpy(dtype=np.float64).sum())
        if col.PEAK not in rows.columns:
            return
        peak = rows[col.PEAK].to_numpy(dtype=float)
        lv = np.clip(np.searchsorted(self.ladder_at, peak, side="right") - 1, 0, self.ladder_at.size - 1)
        self.levels += np.bincount(lv, minlength=self.ladder_at.size)

    # ---- reading ----------------------------------------------------------------------------

    def count(self, column: str) -> int:
        """Runs in which ``column`` is true (bool) or above 0 (int), or has a step (step column)."""
        if column in self.steps:
            return int(self.steps[column].sum())
        return self.counts[column]

    def share(self, column: str) -> float:
        """:meth:`count` over all runs (NaN with no runs)."""
        return self.count(column) / self.n if self.n else math.nan

    def mean(self, column: str) -> float:
        """Mean of ``peak_escalation`` or ``final_escalation`` over all runs (NaN with no runs)."""
        return self.sums[column] / self.n if self.n else math.nan

    def step_values(self) -> np.ndarray:
        """The value each step ``s = 0..horizon`` stands for: ``min(s / stride, cap)``."""
        s = np.arange(self.horizon + 1, dtype=float)
        return np.minimum(s / self.stride, self.cap) if self.stride != 1 else s

    def median_step(self, column: str) -> float:
        """Median first step among the runs that have one, as ``np.median`` of those values."""
        hist = self.steps[column]
        k = int(hist.sum())
        if k == 0:
            return math.nan
        cum = np.cumsum(hist)
        values = self.step_values()
        lo = values[np.searchsorted(cum, (k - 1) // 2, side="right")]
        hi = values[np.searchsorted(cum, k // 2, side="right")]
        return float(np.mean([lo, hi]))

    def share_by(self, column: str, steps: np.ndarray) -> np.ndarray:
        """Share of all runs whose first step is at most each of ``steps``."""
        cum = np.concatenate([[0], np.cumsum(self.steps[column])])
        idx = np.searchsorted(self.step_values(), np.asarray(steps, dtype=float), side="right")
        return cum[idx] / max(self.n, 1)

    def incidence(self, column: str, horizon: int) -> np.ndarray:
        """Runs whose first step, rounded up, is each of ``0..horizon`` (int64, horizon + 1)."""
        idx = np.clip(np.ceil(self.step_values()).astype(np.int64), 0, horizon)
        counts = np.bincount(idx, weights=self.steps[column], minlength=horizon + 1)
        return counts[: horizon + 1].astype(np.int64)

    def coarsened(self, stride: int, cap: float) -> RunTallies:
        """The same tallies read on a clock ``stride`` times coarser, steps capped at ``cap`` (the
        histograms keep their own resolution; only their reading changes)."""
        return dataclasses.replace(self, stride=self.stride * stride, cap=min(self.cap, cap))
