"""Results of a Monte Carlo run: per-run table, streamed aggregates, sample trajectories.

On disk (one directory per run of ``sim run``)::

    runs.parquet      one row per replication (outcomes, times, peak/final escalation, drawn params)
    aggregates.npz    escalation histogram per step, action counts per step
    samples.json      a few whole trajectories
    scenario.json     the resolved scenario (variants merged)
    base_scenario.json  for a variant: its resolved base (optional)
    summary.json      headline numbers (sim.analysis.stats.summary_dict, written by sim.workflow.run)
    .sim-result.json  marker: run id, complete flag, sha256 of every file (sim.core.resultdir)
    .sim-lock         locked (flock) by the writer for the whole write

Columns of ``runs`` and the aggregate shapes: :mod:`sim.core.columns` (the output contract).

In memory, ``runs`` holds the rows of the first :data:`MAX_KEPT_RUNS` runs only (all of them
below that); ``tallies`` holds exact counts, step histograms and means over all runs, and
``rows_file`` the Parquet file of every run's row when ``runs`` does not hold them all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core import columns as col
from sim.core import resultdir
from sim.core.columns import HIST_BINS
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_path, atomic_write_bytes
from sim.engine import rowstore
from sim.engine.tallies import RunTallies
from sim.scenario.schema import Scenario

MAX_KEPT_RUNS = 100_000
"""Rows of at most this many runs (the first ones, in run order) are held in memory: the sample
behind drivers (PRCC), the terms of deals and anything else read from ``RunResults.runs``. Runs
are independent and identically distributed, so the first K are a fair sample, the same for a
seed whatever the number of workers. Counts, shares, median steps and means come from
``RunResults.tallies``, exact over all runs."""

RESULT_FILES = ("scenario.json", "runs.parquet", "aggregates.npz", "samples.json")
"""The files every result of ``sim run`` holds (see the module docstring)."""


@dataclass(frozen=True)
class Trajectory:
    """One whole replication, kept for plotting.

    ``escalation``: (T+1,) ladder points at steps 0..T; ``actions``: (T, A) global action index
    chosen by each actor at steps 1..T (after vetoes/restraint); ``run``: global run index.
    """

    run: int
    escalation: np.ndarray
    actions: np.ndarray


@dataclass
class RunResults:
    """Everything a run produced. Built by the engine, read by analysis and reports.

    ``runs``: rows of the first ``min(runs_count, MAX_KEPT_RUNS)`` runs (see
    :data:`MAX_KEPT_RUNS`); ``tallies``: exact aggregates over all runs, needed when ``runs`` is
    a sample (when None, :attr:`tally` counts them from ``runs`` at each call, so edits of
    ``runs`` show); ``rows_file``: every run's rows on disk when ``runs`` is a sample (None
    otherwise). :meth:`column` reads one column over all runs.
    """

    scenario: Scenario
    seed: int
    runs_count: int
    batch_size: int
    runs: pd.DataFrame
    escalation_hist: np.ndarray  # (T+1, HIST_BINS) int64 counts of runs per bin per step
    action_counts: np.ndarray  # (T, A, K) int64: times actor a took action k at step t+1
    samples: list[Trajectory] = field(default_factory=list)
    elapsed_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    base_scenario: Scenario | None = None  # the base of a variant, for reports that compare
    tallies: RunTallies | None = None
    rows_file: rowstore.RowsFile | None = None

    def __post_init__(self) -> None:
        if self.tallies is None and self.rows_file is not None:
            raise ValueError("tallies are needed when `runs` holds a sample of the runs")

    @property
    def tally(self) -> RunTallies:
        """The exact aggregates over all runs (:mod:`sim.engine.tallies`)."""
        if self.tallies is not None:
            return self.tallies
        counted = RunTallies.empty(self.scenario)
        counted.add(self.runs)
        return counted

    @property
    def complete(self) -> bool:
        """True when ``runs`` holds every run's row (not a sample)."""
        return self.rows_file is None

    def column(self, name: str) -> np.ndarray:
        """Every run's value of ``name``, in run order (read from ``rows_file`` when ``runs`` is a
        sample: one column, about 1-8 bytes per run)."""
        if self.rows_file is None:
            return self.runs[name].to_numpy()
        return rowstore.read_column(self.rows_file.path, name)

    @property
    def outcome_ids(self) -> list[str]:
        return [o.id for o in self.scenario.outcomes]

    @property
    def horizon(self) -> int:
        return self.scenario.scenario.horizon

    def bin_edges(self) -> np.ndarray:
        return np.linspace(0.0, self.scenario.ladder.max, HIST_BINS + 1)

    def escalation_quantiles(self, qs: list[float] | np.ndarray) -> np.ndarray:
        """Quantiles of escalation per step from the streamed histogram: (T+1, len(qs)).

        Linear interpolation inside a bin; exact to within one bin width (ladder max / HIST_BINS points).
        The quantile is the smallest escalation with F >= q (empty bins are skipped, so q = 1
        is the top of the highest occupied bin, not the ladder max); NaN at a step with no runs.
        """
        qs = np.asarray(qs, dtype=float)
        edges = self.bin_edges()
        cdf = np.cumsum(self.escalation_hist, axis=1).astype(float)
        total = cdf[:, -1:]
        cdf /= np.where(total > 0, total, 1.0)
        out = np.full((cdf.shape[0], qs.size), np.nan)
        for t in range(cdf.shape[0]):
            c = np.concatenate([[0.0], cdf[t]])  # c[j]: share of runs below edges[j]
            occupied = np.flatnonzero(c > 0)
            if occupied.size == 0:
                continue
            # first edge j where the cdf reaches q: bin j-1 holds mass and c[j-1] < q <= c[j]
            j = np.clip(np.searchsorted(c, qs, side="left"), occupied[0], c.size - 1)
            frac = np.clip((qs - c[j - 1]) / (c[j] - c[j - 1]), 0.0, 1.0)
            out[t] = edges[j - 1] + frac * (edges[j] - edges[j - 1])
        return out

    def mean_escalation(self) -> np.ndarray:
        centers = (self.bin_edges()[:-1] + self.bin_edges()[1:]) / 2
        h = self.escalation_hist.astype(float)
        return (h @ centers) / np.maximum(h.sum(axis=1), 1)

    # ---- persistence -------------------------------------------------------------------------

    def save(self, out_dir: str | Path) -> Path:
        """Write the results into ``out_dir`` atomically file by file (sim.core.fileio)."""
        out = Path(out_dir)
        with resultdir.writing(out, "run") as writer:
            stale = resultdir.listed(out) & {"base_scenario.json", "report.html", "summary.json"}
            writer.begin()
            for name in stale:  # files of the previous result in this folder, rewritten or not at all
                (out / name).unlink(missing_ok=True)
            self._save_files(out)
            writer.record(*RESULT_FILES)
            if self.base_scenario is not None:
                writer.record("base_scenario.json")
        return out

    def _save_files(self, out: Path) -> None:
        atomic_write_bytes(out / "scenario.json", self.scenario.model_dump_json(indent=1).encode())
        if self.base_scenario is not None:
            atomic_write_bytes(
                out / "base_scenario.json", self.base_scenario.model_dump_json(indent=1).encode()
            )
        if self.rows_file is not None:  # every row is on disk already: move or copy it here
            rowstore.place(self.rows_file, out / "runs.parquet")
        else:
            with atomic_path(out / "runs.parquet") as tmp:
                write_parquet_by_slices(self.runs, tmp, self.batch_size)
        with atomic_path(out / "aggregates.npz") as tmp, open(tmp, "wb") as f:
            np.savez_compressed(f, escalation_hist=self.escalation_hist, action_counts=self.action_counts)
        samples = [
            {"run": s.run, "escalation": s.escalation.round(3).tolist(), "actions": s.actions.tolist()}
            for s in self.samples
        ]
        meta = {
            "seed": self.seed,
            "runs": self.runs_count,
            "batch_size": self.batch_size,
            "elapsed_s": self.elapsed_s,
            "extra": self.extra,
            "samples": samples,
        }
        atomic_write_bytes(out / "samples.json", json.dumps(meta).encode())

    @classmethod
    def load(cls, out_dir: str | Path, keep_runs: int = MAX_KEPT_RUNS) -> RunResults:
        """Read results written by :meth:`save`: the rows of the first ``keep_runs`` runs, tallies
        over all. Raises FileNotFoundError naming the missing file."""
        d = Path(out_dir)
        for name in RESULT_FILES:
            if not (d / name).is_file():
                raise FileNotFoundError(f"{d / name}: missing (is {d} a results directory of `sim run`?)")
        scenario = Scenario.model_validate_json((d / "scenario.json").read_text())
        runs, tallies, rows_file = _read_rows(scenario, d / "runs.parquet", keep_runs)
        with np.load(d / "aggregates.npz") as z:
            hist, counts = z["escalation_hist"], z["action_counts"]
        meta = json.loads((d / "samples.json").read_text())
        base_file = d / "base_scenario.json"
        own = resultdir.listed(d)
        base = Scenario.model_validate_json(base_file.read_text()) if "base_scenario.json" in own else None
        try:
            samples = _samples_of(meta)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise SimUserError(
                [Problem(str(d / "samples.json"), None, "", f"unreadable ({type(err).__name__}: {err})")]
            ) from None
        resultdir.verify(d, "run", RESULT_FILES, rerun=f"run `sim run SCENARIO --out {d}` again")
        return cls(
            scenario=scenario,
            seed=meta["seed"],
            runs_count=meta["runs"],
            batch_size=meta["batch_size"],
            runs=runs,
            escalation_hist=hist,
            action_counts=counts,
            samples=samples,
            elapsed_s=meta.get("elapsed_s", 0.0),
            extra=meta.get("extra", {}),
            base_scenario=base,
            tallies=tallies,
            rows_file=rows_file,
        )


def _read_rows(
    scenario: Scenario, path: Path, keep: int
) -> tuple[pd.DataFrame, RunTallies | None, rowstore.RowsFile | None]:
    """The kept rows, the tallies and the rows file of ``runs.parquet``: the whole table when it
    holds at most ``keep`` rows (tallies from it), else its first rows and tallies counted
    row group by row group (the columns they need only)."""
    total = pq.ParquetFile(str(path)).metadata.num_rows
    if total <= keep:
        return pd.read_parquet(path), None, None
    names = pq.ParquetFile(str(path)).schema_arrow.names
    wanted = [c for c in names if not c.startswith((col.PARAM_PREFIX, col.DEAL_TERMS_PREFIX))]
    tallies = RunTallies.empty(scenario)
    for rows in rowstore.iter_groups(path, wanted):
        tallies.add(rows)
    return rowstore.read_head(path, keep), tallies, rowstore.RowsFile(path)


def _samples_of(meta: Any) -> list[Trajectory]:
    """The trajectories of samples.json; KeyError/TypeError/ValueError if it was edited badly."""
    for key in ("seed", "runs", "batch_size"):
        if isinstance(meta[key], bool) or not isinstance(meta[key], int):
            raise TypeError(f"`{key}` must be an integer")
    return [
        Trajectory(
            run=int(s["run"]),
            escalation=np.asarray(s["escalation"], dtype=float),
            actions=np.asarray(s["actions"], dtype=np.int64),
        )
        for s in meta["samples"]
    ]


def write_parquet_by_slices(table: pd.DataFrame, path: str | Path, rows_per_group: int) -> None:
    """Write ``table`` to Parquet one row group of ``rows_per_group`` rows (>= 1) at a time.

    Why: ``DataFrame.to_parquet`` converts the whole frame to Arrow first, a second copy of every
    row in the driver; slice by slice only one row group is converted at a time. The file reads
    back (``pd.read_parquet``) to the same frame as ``to_parquet(index=False)`` wrote.
    """
    step = max(1, int(rows_per_group))
    writer: pq.ParquetWriter | None = None
    try:
        for start in range(0, max(len(table), 1), step):
            chunk = pa.Table.from_pandas(table.iloc[start : start + step], preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(str(path), chunk.schema)
            writer.write_table(chunk)
    finally:
        if writer is not None:
            writer.close()
