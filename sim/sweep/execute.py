"""Run a sweep on Dask (dask.distributed), streaming each finished task into the store.

Work is cut into (point, batch) tasks. Task (p, b) runs
``run_batch(apply_overrides(scenario, design[p]), seed=sweep_seed, batch_index=b, size=n_b)``:
its seed depends only on the sweep seed and the batch index (common random numbers across
points), never on which worker runs it or when. Tasks are pure; the driver writes their rows.

Where the tasks run (``cluster`` argument / ``--cluster``) is :mod:`sim.sweep.cluster`; what is
stored, and how, is :mod:`sim.sweep.store`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.core import columns
from sim.scenario.schema import Scenario
from sim.sweep.cluster import connect
from sim.sweep.designs import make_design
from sim.sweep.spec import ResolvedSweep
from sim.sweep.store import SweepStore, sweep_meta

TaskFn = Callable[[Scenario, dict[str, float], int, int, int, int], pd.DataFrame]
"""(scenario, point values {path: value}, seed, batch_index, size, batch_size) -> per-run rows."""

MAX_ATTEMPTS = 4
"""Times a task lost with its worker is resubmitted by the driver (on top of Dask's retries)."""

MANIFEST_EVERY_S = 1.0
"""Least time between two rewrites of manifest.json while tasks stream in (seconds)."""


def engine_task(
    scenario: Scenario, values: dict[str, float], seed: int, batch_index: int, size: int, batch_size: int
) -> pd.DataFrame:
    """The real task: batch ``batch_index`` (``size`` runs) of the engine at one design point."""
    from sim.engine.runner import run_batch
    from sim.scenario.paths import apply_overrides

    result = run_batch(
        apply_overrides(scenario, values),
        seed=seed,
        batch_index=batch_index,
        size=size,
        batch_size=batch_size,
    )
    runs: pd.DataFrame = result.runs
    return runs


def run_task(
    task_fn: TaskFn,
    scenario: Scenario,
    point: int,
    values: dict[str, float],
    seed: int,
    batch_index: int,
    size: int,
    batch_size: int,
) -> tuple[pd.DataFrame, float]:
    """Run one task and label its rows; returns (rows, compute seconds measured in the task).

    Rows get ``point``, ``batch`` = ``batch_index``, ``run`` = ``batch_index * batch_size + i``
    (the replication's index within the point) and one column per swept path with its value.
    """
    t0 = time.perf_counter()
    runs = task_fn(scenario, values, seed, batch_index, size, batch_size).copy()
    runs[columns.RUN] = np.arange(size, dtype=np.int64) + batch_index * batch_size
    runs[columns.BATCH] = np.int32(batch_index)
    runs.insert(0, columns.POINT, np.int64(point))
    for path, v in values.items():
        runs[path] = float(v)
    return runs, time.perf_counter() - t0


@dataclass
class SweepOutcome:
    """What a call of :func:`run_sweep` did. Times in seconds."""

    root: Path
    state: str
    points: int
    tasks_total: int
    tasks_skipped: int
    tasks_run: int = 0
    runs_run: int = 0
    runs_total: int = 0
    wall_s: float = 0.0
    compute_s: float = 0.0
    nthreads: int = 0
    resubmitted: int = 0
    hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overhead_share(self) -> float:
        """1 - compute / (wall * threads): the share of worker time not spent inside tasks."""
        cap = self.wall_s * max(self.nthreads, 1)
        return 1.0 - self.compute_s / cap if cap > 0 else 0.0


def default_out_dir(sweep_id: str) -> Path:
    """reports/<sweep-id>/ under the current directory."""
    return Path("reports") / sweep_id


def run_sweep(
    resolved: ResolvedSweep,
    out_dir: str | Path | None = None,
    **kwargs: Any,
) -> SweepOutcome:
    """Run (or resume) a sweep into ``out_dir`` holding the folder's lock (sim.core.resultdir) for the
    whole write: a second writer is refused, every file carries the sweep hash as its run id.
    Same arguments as :func:`_run_sweep`."""
    from sim.core import resultdir

    root = Path(out_dir) if out_dir is not None else default_out_dir(resolved.spec.id)
    with resultdir.writing(root, "sweep") as writer:
        outcome = _run_sweep(resolved, root, writer=writer, **kwargs)
        writer.run_id = outcome.hash
        writer.record("sweep.json", "design.parquet", "points.parquet")
        return outcome


def _run_sweep(
    resolved: ResolvedSweep,
    out_dir: str | Path | None = None,
    *,
    cluster: str | None = None,
    cluster_config: str | Path | None = None,
    workers: int | None = None,
    client: Any = None,
    fresh: bool = False,
    discard: bool = False,
    progress: bool = False,
    task_fn: TaskFn = engine_task,
    max_in_flight: int | None = None,
    writer: Any = None,
) -> SweepOutcome:
    """Run (or resume) a sweep into ``out_dir`` and write points.parquet at the end.

    ``client``: an existing dask Client (then ``cluster`` is ignored). Raises SimUserError if
    ``out_dir`` holds another sweep and ``fresh`` is false.
    """
    design = make_design(resolved.spec.design, resolved.spec.params, resolved.spec.points, resolved.seed)
    meta = sweep_meta(resolved, design)
    store = SweepStore(out_dir if out_dir is not None else default_out_dir(resolved.spec.id))
    state = store.open(meta, design, fresh=fresh, discard=discard)
    if writer is not None:  # after open: a refused run leaves the old sweep's marker as it was
        writer.run_id = meta["hash"]
        writer.begin()
    sizes = resolved.batch_sizes()
    all_tasks = [(p, b) for p in range(len(design)) for b in range(len(sizes))]
    done = store.done_tasks()
    todo = [t for t in all_tasks if t not in done]
    outcome = SweepOutcome(
        root=store.root,
        state=state,
        points=len(design),
        tasks_total=len(all_tasks),
        tasks_skipped=len(all_tasks) - len(todo),
        hash=meta["hash"],
    )
    if todo:
        ctx = nullcontext(client) if client is not None else connect(cluster, cluster_config, workers)
        with ctx as cl:
            runner = _Runner(cl, store, resolved, design, task_fn, meta["hash"], done, progress)
            runner.run(todo, max_in_flight)
            outcome.tasks_run, outcome.wall_s = runner.finished, runner.wall_s
            outcome.compute_s, outcome.nthreads = runner.compute_s, runner.nthreads
            outcome.resubmitted, outcome.runs_run = runner.resubmitted, runner.runs_run
    outcome.runs_total = store.finish(design, meta, len(all_tasks))
    return outcome


class _Runner:
    """Submits tasks with a bounded number in flight and stores results as they finish."""

    def __init__(
        self,
        client: Any,
        store: SweepStore,
        resolved: ResolvedSweep,
        design: pd.DataFrame,
        task_fn: TaskFn,
        hash_: str,
        done: set[tuple[int, int]],
        progress: bool,
    ):
        self.client, self.store, self.resolved, self.task_fn = client, store, resolved, task_fn
        self.paths = resolved.paths
        self.values = design[self.paths].to_numpy(dtype=float)
        self.sizes = resolved.batch_sizes()
        self.key_prefix = f"sim-sweep-{hash_[:12]}"
        self.done = set(done)
        self.per_point = np.zeros(len(design), dtype=np.int64)
        for p, _ in done:
            self.per_point[p] += 1
        self.task_compute: dict[str, float] = {}
        self.finished = self.resubmitted = self.runs_run = 0
        self.compute_s = self.wall_s = 0.0
        self.nthreads = 0
        self.progress = progress
        self._last_manifest = 0.0

    def submit(self, p: int, b: int, attempt: int) -> Any:
        values = {path: float(v) for path, v in zip(self.paths, self.values[p], strict=True)}
        return self.client.submit(
            run_task,
            self.task_fn,
            self.resolved.scenario,
            p,
            values,
            self.resolved.seed,
            b,
            self.sizes[b],
            self.resolved.batch_size,
            key=f"{self.key_prefix}-p{p}-b{b}-a{attempt}",
            pure=False,
            retries=2,
        )

    def run(self, todo: list[tuple[int, int]], max_in_flight: int | None) -> None:
        from distributed import as_completed

        self.nthreads = sum(self.client.nthreads().values())
        bound = max_in_flight or max(4, 2 * self.nthreads)
        queue: deque[tuple[int, int, int]] = deque((p, b, 0) for p, b in todo)
        pending: dict[Any, tuple[int, int, int]] = {}
        ac = as_completed()
        t0 = time.perf_counter()
        with self._bar(len(todo)) as bar:
            self._fill(queue, pending, ac, bound)
            for fut in ac:
                p, b, attempt = pending.pop(fut)
                self._collect(fut, p, b, attempt, queue)
                fut.release()
                self._fill(queue, pending, ac, bound)
                bar(self, time.perf_counter() - t0)
        self.wall_s = time.perf_counter() - t0
        self._manifest(force=True)

    def _fill(
        self,
        queue: deque[tuple[int, int, int]],
        pending: dict[Any, tuple[int, int, int]],
        ac: Any,
        bound: int,
    ) -> None:
        while queue and len(pending) < bound:
            p, b, attempt = queue.popleft()
            fut = self.submit(p, b, attempt)
            pending[fut] = (p, b, attempt)
            ac.add(fut)

    def _collect(self, fut: Any, p: int, b: int, attempt: int, queue: deque[tuple[int, int, int]]) -> None:
        if fut.status == "finished":
            rows, secs = fut.result()
            self.store.write_task(p, b, rows)
            self.done.add((p, b))
            self.per_point[p] += 1
            self.finished += 1
            self.runs_run += len(rows)
            self.compute_s += secs
            self.task_compute[f"p{p}-b{b}"] = round(secs, 4)
            self._manifest()
            return
        exc = fut.exception() if fut.status == "error" else None
        if _is_lost(fut.status, exc) and attempt + 1 < MAX_ATTEMPTS:
            self.resubmitted += 1
            queue.appendleft((p, b, attempt + 1))
            return
        if exc is not None:
            raise exc
        raise RuntimeError(f"task point {p} batch {b} ended as {fut.status}")

    def _manifest(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_manifest < MANIFEST_EVERY_S:
            return
        self._last_manifest = now
        n_b = len(self.sizes)
        self.store.write_manifest(
            {
                "hash": self.key_prefix.removeprefix("sim-sweep-"),
                "complete": False,
                "tasks_total": len(self.values) * n_b,
                "tasks_done": len(self.done),
                "points_total": len(self.values),
                "points_done": int((self.per_point == n_b).sum()),
                "task_compute_s": self.task_compute,
            }
        )

    @contextmanager
    def _bar(self, total: int) -> Iterator[Callable[[_Runner, float], None]]:
        if not self.progress:
            yield lambda runner, elapsed: None
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        n_b = len(self.sizes)
        runs_per_task = sum(self.sizes) / n_b
        cols = (
            TextColumn("points {task.fields[points]}"),
            BarColumn(),
            TextColumn("{task.fields[rate]} runs/s"),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
        )
        with Progress(*cols, transient=False) as prog:
            tid = prog.add_task("sweep", total=total, points=self._points_text(), rate="-")

            def update(runner: _Runner, elapsed: float) -> None:
                rate = runner.finished * runs_per_task / elapsed if elapsed > 0 else 0.0
                prog.update(tid, completed=runner.finished, points=runner._points_text(), rate=f"{rate:,.0f}")

            yield update

    def _points_text(self) -> str:
        return f"{int((self.per_point == len(self.sizes)).sum())}/{len(self.values)}"


def _is_lost(status: str, exc: BaseException | None) -> bool:
    """True if a task failed because its worker or connection was lost (worth resubmitting)."""
    if status in ("lost", "cancelled"):
        return True
    if exc is None:
        return False
    from distributed.comm.core import CommClosedError
    from distributed.scheduler import KilledWorker

    return isinstance(exc, KilledWorker | CommClosedError | ConnectionError | TimeoutError)
