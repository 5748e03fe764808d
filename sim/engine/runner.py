"""Monte Carlo replications: batches of runs stepped together, spread over local processes.

Results depend only on (scenario, seed, runs, batch_size): batch ``b`` always holds runs
``b*batch_size .. (b+1)*batch_size - 1`` and draws from its own SeedSequence child, whichever
worker computes it. Batches are combined in batch order as they finish: aggregates (escalation
histograms, action counts, exact tallies of the per-run rows) are summed, the rows of the first
``MAX_KEPT_RUNS`` runs are kept and, with more runs, every row is streamed to Parquet, so the
driver's memory does not grow with the number of runs past that bound.
"""

from __future__ import annotations

import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from sim.core import columns as col
from sim.engine.allocator import restore_heap_allocation
from sim.engine.results import MAX_KEPT_RUNS, RunResults, Trajectory
from sim.engine.rowstore import RowWriter
from sim.engine.seeds import chunk_stream_factory
from sim.engine.tallies import RunTallies
from sim.model.compiled import CompiledScenario, compile_scenario
from sim.model.model import NEVER, BatchOutput, EscalationModel
from sim.scenario.paths import resolve_static_levers
from sim.scenario.schema import Scenario

ProgressCallback = Callable[[int], None]
"""Called with the number of runs just finished."""


@dataclass(frozen=True)
class BatchResult:
    """One batch: per-run rows (see RunResults for the columns) and its aggregates."""

    batch_index: int
    runs: pd.DataFrame
    escalation_hist: np.ndarray
    action_counts: np.ndarray
    samples: list[Trajectory]
    compute_s: float


def prepare(scenario: Scenario) -> CompiledScenario:
    """Apply the static ``set`` effects of levers that are on, then compile."""
    return compile_scenario(resolve_static_levers(scenario))


def run_batch(
    scenario: Scenario | CompiledScenario,
    *,
    seed: int,
    batch_index: int,
    size: int,
    batch_size: int | None = None,
    keep_samples: int = 0,
) -> BatchResult:
    """Run batch ``batch_index`` (``size`` runs) of ``scenario`` with the given root ``seed``.

    ``batch_size`` (default ``size``) fixes the global run numbers: run = b * batch_size + i.
    A batch smaller than ``batch_size`` (the last one) gives the same draws for its runs as
    a full batch would not: keep ``batch_size`` fixed to compare runs across run counts.
    """
    return run_chunk(
        scenario,
        seed=seed,
        first_batch=batch_index,
        sizes=(size,),
        batch_size=batch_size,
        keep_samples=keep_samples,
    )


def run_chunk(
    scenario: Scenario | CompiledScenario,
    *,
    seed: int,
    first_batch: int,
    sizes: tuple[int, ...],
    batch_size: int | None = None,
    keep_samples: int = 0,
) -> BatchResult:
    """Run the consecutive batches ``first_batch, first_batch + 1, ...`` of ``sizes`` runs as one
    model: each batch draws from its own streams (sim.engine.seeds.chunk_stream_factory), so the
    rows, aggregates and samples equal those of the batches run one by one, while the per-step
    Python overhead is paid once for all of them. All batches but the last must be full."""
    started = time.perf_counter()
    # Fixed glibc malloc thresholds keep the per-step temporaries on the heap (sim.engine.allocator).
    restore_heap_allocation()
    cs = scenario if isinstance(scenario, CompiledScenario) else prepare(scenario)
    n = sum(sizes)
    # The model's matrix products are tiny: BLAS threads only add contention between workers.
    with threadpool_limits(limits=1):
        streams = chunk_stream_factory(seed, first_batch, sizes)
        model = EscalationModel(cs, n, streams, keep_samples=keep_samples)
        out = model.run()
    first = first_batch * (batch_size or sizes[0])
    batches = np.repeat(np.arange(first_batch, first_batch + len(sizes), dtype=np.int32), sizes)
    table = batch_table(cs, out, first, batches)
    samples = [
        Trajectory(
            run=first + s,
            escalation=out.sample_escalation[:, s].copy(),
            actions=out.sample_actions[:, :, s].copy(),
        )
        for s in range(out.sample_escalation.shape[1])
    ]
    release_model(model)
    return BatchResult(
        batch_index=first_batch,
        runs=table,
        escalation_hist=out.escalation_hist,
        action_counts=out.action_counts,
        samples=samples,
        compute_s=time.perf_counter() - started,
    )


def release_model(model: EscalationModel) -> None:
    """Drop Mesa's class-level agent registry entry for this model (it is never cleared in
    Mesa 3.3 and would keep every batch's arrays alive)."""
    import mesa

    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
    model.remove_all_agents()


def batch_table(cs: CompiledScenario, out: BatchOutput, first_run: int, batches: np.ndarray) -> pd.DataFrame:
    """Per-run rows of one chunk (columns documented in sim.engine.results); ``batches``: the
    batch of each run (N,) int32."""
    n = out.peak.shape[0]
    cols: dict[str, np.ndarray] = {
        col.RUN: np.arange(first_run, first_run + n, dtype=np.int64),
        col.BATCH: batches,
    }
    for o, oid in enumerate(cs.outcome_ids):
        step = out.outcome_step[o]
        cols[col.happened(oid)] = step != NEVER
        cols[col.first_step(oid)] = np.where(step != NEVER, step, np.nan).astype(np.float32)
    cols[col.PEAK] = out.peak.astype(np.float32)
    cols[col.FINAL] = out.final.astype(np.float32)
    cols.update(out.columns)
    return pd.DataFrame(cols)


def batch_plan(runs: int, batch_size: int) -> list[tuple[int, int]]:
    """(batch_index, size) of every batch covering ``runs`` runs."""
    n_batches = math.ceil(runs / batch_size)
    return [(b, min(batch_size, runs - b * batch_size)) for b in range(n_batches)]


CHUNK_RUNS = 16_384
"""Most runs stepped as one model: the engine's per-step Python overhead is paid once per chunk
(a 4,096-run batch alone: ~1,500 runs/s on the baseline; four as one chunk: ~2,000)."""

CHUNK_BLOCKS = 8
"""Most batches in one chunk: every random draw is made once per batch (its own stream)."""

CHUNKS_PER_WORKER = 4
"""Batches are grouped only while every worker still gets this many chunks (load balance)."""


Chunk = tuple[int, tuple[int, ...]]
"""(first batch index, runs of each of its consecutive batches)."""


def chunk_plan(plan: list[tuple[int, int]], batch_size: int, workers: int) -> list[Chunk]:
    """Consecutive batches of ``plan`` grouped into chunks stepped as one model. A speed setting
    only: a chunk's results equal its batches' (see :func:`run_chunk`)."""
    per_chunk = min(
        max(1, CHUNK_RUNS // max(batch_size, 1)),
        CHUNK_BLOCKS,
        max(1, len(plan) // (CHUNKS_PER_WORKER * workers)),
    )
    return [
        (plan[k][0], tuple(size for _, size in plan[k : k + per_chunk]))
        for k in range(0, len(plan), per_chunk)
    ]


def _iter_batches(
    cs: CompiledScenario, seed: int, plan: list[tuple[int, int]], batch_size: int, samples: int, workers: int
) -> Iterator[BatchResult]:
    """Yield the results of chunks of consecutive batches in batch order (each result's rows
    start at its first batch), in-process or on a process pool.

    At most ``2 * workers`` chunks are in flight or finished and waiting for an earlier one, so
    the driver holds a bounded number of chunks whatever the number of runs.
    """

    def keep(chunk: Chunk) -> int:
        return max(0, min(samples - chunk[0] * batch_size, sum(chunk[1])))

    chunks = chunk_plan(plan, batch_size, workers)
    if workers <= 1 or len(chunks) == 1:
        for c in chunks:
            yield run_chunk(
                cs, seed=seed, first_batch=c[0], sizes=c[1], batch_size=batch_size, keep_samples=keep(c)
            )
        return
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        pending: set[Future[BatchResult]] = set()
        waiting: dict[int, BatchResult] = {}
        queue = list(chunks)
        order = [first for first, _ in chunks]
        while order:
            while queue and len(pending) + len(waiting) < 2 * workers:
                c = queue.pop(0)
                pending.add(
                    pool.submit(
                        run_chunk,
                        cs,
                        seed=seed,
                        first_batch=c[0],
                        sizes=c[1],
                        batch_size=batch_size,
                        keep_samples=keep(c),
                    )
                )
            if order[0] in waiting:
                yield waiting.pop(order.pop(0))
                continue
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                res = fut.result()
                waiting[res.batch_index] = res


def _pool_context() -> BaseContext:
    """Worker processes forked from a clean server that has the engine imported already.

    Not "fork" (unsafe with threads) and not "spawn" (re-runs the caller's __main__, which
    breaks in notebooks and piped scripts, and pays the imports again in every worker).
    """
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["sim.engine.runner"])
    return ctx


def main_allows_workers() -> bool:
    """Whether worker processes may start: each one re-imports the caller's ``__main__`` file, so
    a plain script must guard its code with ``if __name__ == "__main__":``. True for a REPL or
    notebook (no file), ``python -m ...``, and any file that has the guard; False for code piped
    on stdin (``python - < script.py``)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if path is None or getattr(main, "__spec__", None) is not None:
        return True
    if str(path).startswith("<"):  # code piped on stdin: a worker cannot re-import it
        return False
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return True
    return "__main__" in source


class _PerRunTable:
    """Per-run rows of the first ``keep`` runs, filled batch by batch into one preallocated array
    per column (the bounded sample of rows the driver keeps: :data:`MAX_KEPT_RUNS`).

    Why preallocated: concatenating batch tables held every row twice. Rows sit in run order
    (batch b at ``b * batch_size``); the columns (names, dtypes, order) are whatever the batches
    carry (sim.core.columns), with no special cases.
    """

    def __init__(self, keep: int, batch_size: int) -> None:
        self.keep = keep
        self.batch_size = batch_size
        self.columns: dict[str, np.ndarray] = {}

    def put(self, batch_index: int, rows: pd.DataFrame) -> None:
        """Copy the rows of one batch that fall in the kept runs (raises ValueError if its
        columns differ from the first batch's)."""
        if not self.columns:
            self.columns = {str(c): np.empty(self.keep, dtype=rows[c].to_numpy().dtype) for c in rows.columns}
        if list(self.columns) != [str(c) for c in rows.columns]:
            raise ValueError(f"batch {batch_index} has other columns than the first batch")
        start = batch_index * self.batch_size
        n = max(0, min(len(rows), self.keep - start))
        for name, arr in self.columns.items():
            arr[start : start + n] = rows[name].to_numpy()[:n]

    def frame(self) -> pd.DataFrame:
        """The table (the column arrays are handed over to pandas without another copy)."""
        frame = pd.DataFrame(self.columns, copy=False)
        self.columns = {}
        return frame


def run_scenario(
    scenario: Scenario,
    *,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    batch_size: int | None = None,
    samples: int | None = None,
    progress: ProgressCallback | None = None,
    rows_dir: str | os.PathLike[str] | None = None,
    keep_runs: int = MAX_KEPT_RUNS,
) -> RunResults:
    """Run ``runs`` replications (default: the scenario's ``monte_carlo`` settings).

    ``workers`` defaults to the machine's cores; the results are the same for any value.
    The driver keeps exact tallies over all runs and the rows of the first ``keep_runs``
    (:data:`MAX_KEPT_RUNS`) runs; with more runs, every run's row is streamed batch by batch to a
    temporary Parquet file in ``rows_dir`` (default: the system's temporary folder; give the
    results folder so that saving is a rename) that ``RunResults.save`` puts in place.
    """
    mc = scenario.scenario.monte_carlo
    runs = mc.runs if runs is None else int(runs)
    seed = mc.seed if seed is None else int(seed)
    batch_size = mc.batch_size if batch_size is None else int(batch_size)
    samples = mc.samples if samples is None else int(samples)
    workers = (os.cpu_count() or 1) if workers is None else max(1, int(workers))
    if runs < 1:
        raise ValueError("runs must be at least 1")
    if workers > 1 and not main_allows_workers():
        warnings.warn(
            'sim runs in one process: this script has no `if __name__ == "__main__":` guard, and '
            "worker processes re-run the script's code; put the calls under the guard to use every core",
            RuntimeWarning,
            stacklevel=2,
        )
        workers = 1
    cs = prepare(scenario)
    plan = batch_plan(runs, batch_size)
    started = time.perf_counter()
    table = _PerRunTable(min(runs, keep_runs), batch_size)
    tallies = RunTallies.empty(scenario)
    stream = RowWriter(rows_dir) if runs > keep_runs else None
    hist = np.zeros((cs.horizon + 1, col.HIST_BINS), dtype=np.int64)
    counts = np.zeros((cs.horizon, cs.n_actors, cs.n_actions), dtype=np.int64)
    kept: list[Trajectory] = []
    compute = 0.0
    for res in _iter_batches(cs, seed, plan, batch_size, samples, workers):
        table.put(res.batch_index, res.runs)
        if stream is not None:
            tallies.add(res.runs)
            stream.append(res.runs)
        hist += res.escalation_hist
        counts += res.action_counts
        kept.extend(res.samples)
        compute += res.compute_s
        if progress is not None:
            progress(len(res.runs))
    results = RunResults(
        scenario=scenario,
        seed=seed,
        runs_count=runs,
        batch_size=batch_size,
        runs=table.frame(),
        escalation_hist=hist,
        action_counts=counts,
        samples=sorted(kept, key=lambda s: s.run),
        elapsed_s=time.perf_counter() - started,
        extra={"workers": workers, "compute_s": compute},
        tallies=None if stream is None else tallies,  # all rows kept: counted from them
        rows_file=None if stream is None else stream.close(),
    )
    return results
