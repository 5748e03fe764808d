"""The on-disk result store of a sweep: a directory of Parquet files and a manifest.

Layout (``reports/<sweep-id>/`` by default; see docs/sweeps.md)::

    sweep.json       the declaration, resolved settings, and the hashes that identify the sweep
    design.parquet   the design: ``point`` (int64) + one float64 column per parameter path
    tasks/p000012-b00003.parquet
                     the per-run rows of one finished task (point 12, batch 3): the engine's
                     columns (run, batch, <outcome>, <outcome>_step, peak_escalation, ...) plus
                     ``point`` (int64) and the point's parameter values (one column per path)
    manifest.json    progress: tasks done/total, points done, per-task compute time (advisory)
    points.parquet   written at the end: one row per point, outcome probabilities

A task file is written to a temporary name, fsync'ed and renamed (``os.replace``), so a file with
the final name is always complete: after a crash, the set of task files *is* the set of finished
tasks. ``tasks/`` is a flat directory of Parquet files readable as one dataset by pandas,
pyarrow, polars (``tasks/*.parquet``) and DuckDB (``read_parquet('tasks/*.parquet')``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core import columns, resultdir
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_path, atomic_write_bytes
from sim.scenario.sites import calibrated_sites, label_for, param_labels
from sim.sweep.designs import salib_problem
from sim.sweep.spec import ResolvedSweep
from sim.sweep.summary import summarize_points

STORE_VERSION = 1
RUN_ID_KEY = b"sim.run_id"
"""Parquet metadata key of every file of a store: the sweep hash (task, design, points files)."""
OWN_FILES = frozenset(
    {"sweep.json", "design.parquet", "manifest.json", "points.parquet", "report.html"}
    | {resultdir.LOCK_NAME, resultdir.MARKER_NAME}
)
"""Top-level files ``sim sweep`` writes into its folder (besides ``tasks/``)."""
TASK_RE = re.compile(r"^p(\d{6,})-b(\d{5,})\.parquet$")


def task_name(point: int, batch: int) -> str:
    """File name of task (point, batch), e.g. ``p000012-b00003.parquet``."""
    return f"p{point:06d}-b{batch:05d}.parquet"


def sweep_hash(scenario_json: str, design: pd.DataFrame, settings: dict[str, Any]) -> str:
    """SHA-256 of everything the results depend on: resolved scenario, design, runs, seed, batch."""
    h = hashlib.sha256()
    h.update(b"scenario\0" + scenario_json.encode())
    h.update(b"\0design\0" + json.dumps(list(design.columns)).encode())
    h.update(np.ascontiguousarray(design.to_numpy(dtype=float)).tobytes())
    h.update(b"\0settings\0" + json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()


def atomic_write_parquet(path: Path, df: pd.DataFrame, run_id: str | None = None) -> None:
    """Write a DataFrame as Parquet atomically (:func:`sim.core.fileio.atomic_path`); ``run_id`` goes
    into the file's key-value metadata (``sim.run_id``)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    if run_id is not None:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), RUN_ID_KEY: run_id.encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def parquet_run_id(path: Path) -> str | None:
    """The ``sim.run_id`` stored in a Parquet file's metadata (None if absent)."""
    raw = (pq.read_metadata(path).metadata or {}).get(RUN_ID_KEY)
    return raw.decode() if raw is not None else None


class SweepStore:
    """A sweep's result directory. Create with the directory; call :meth:`open` before writing."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.tasks_dir = self.root / "tasks"
        self.sweep_json = self.root / "sweep.json"
        self.design_path = self.root / "design.parquet"
        self.manifest_path = self.root / "manifest.json"
        self.points_path = self.root / "points.parquet"
        self.run_id: str | None = None

    # ---- opening -----------------------------------------------------------------------------

    def open(
        self, meta: dict[str, Any], design: pd.DataFrame, *, fresh: bool = False, discard: bool = False
    ) -> str:
        """Prepare the directory for the sweep described by ``meta`` (must hold ``hash``).

        Returns ``"new"``, ``"resume"`` or ``"fresh"``. An existing directory of another sweep
        (different hash) is refused with a SimUserError unless ``fresh``: then it is moved
        aside to ``<dir>.old-<UTC time>`` (or deleted if ``discard``).
        """
        state = "new"
        self.run_id = meta["hash"]
        if self.root.exists() and self._holds_results():
            old = self._old_hash()
            if old == meta["hash"] and not fresh:
                state = "resume"
            elif not fresh:
                raise SimUserError([self._mismatch(old, meta["hash"])])
            else:
                self._set_aside(discard)
                state = "fresh"
        self.tasks_dir.mkdir(parents=True, exist_ok=True)
        if state == "resume" and not self._design_matches():
            state = "resume-design"  # design of another sweep (a mixture): rewritten below
        if state != "resume":
            state = "resume" if state == "resume-design" else state
            atomic_write_parquet(self.design_path, design, run_id=self.run_id)
            meta = {
                **meta,
                "store_version": STORE_VERSION,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            atomic_write_bytes(self.sweep_json, json.dumps(meta, indent=1, sort_keys=True).encode())
        return state

    def foreign_entries(self) -> list[str]:
        """Entries of the folder that ``sim sweep`` did not write (sorted names)."""
        foreign = []
        for f in sorted(self.root.iterdir()):
            if f.name in OWN_FILES or resultdir.TEMP_RE.match(f.name) or resultdir.PROBE_RE.match(f.name):
                continue
            if f.name == "tasks" and f.is_dir():
                foreign += [
                    f"tasks/{t.name}"
                    for t in sorted(f.iterdir())
                    if not (TASK_RE.match(t.name) or resultdir.TEMP_RE.match(t.name)) or not t.is_file()
                ]
                continue
            foreign.append(f.name)
        return foreign

    def _holds_results(self) -> bool:
        """True if the folder holds anything but an empty skeleton this tool left (lock, marker,
        empty ``tasks/``, temporaries): a sweep killed right after creating its folder is new."""
        if self.foreign_entries() or self.sweep_json.exists() or self.design_path.exists():
            return True
        return self.tasks_dir.is_dir() and any(TASK_RE.match(t.name) for t in self.tasks_dir.iterdir())

    def _design_matches(self) -> bool:
        try:
            return parquet_run_id(self.design_path) == self.run_id
        except (OSError, pa.ArrowException):
            return False

    def _old_hash(self) -> str | None:
        try:
            return str(json.loads(self.sweep_json.read_text())["hash"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _mismatch(self, old: str | None, new: str) -> Problem:
        if old is None:
            why = "holds files but no readable sweep.json (not a sweep result directory)"
        else:
            why = (
                f"holds results of a different sweep (hash {old[:12]}, now {new[:12]}): the scenario, "
                "design, runs per point, batch size or seed changed"
            )
        return Problem(
            str(self.root),
            None,
            "",
            f"{why}. Rerun with --fresh to move the old results aside, "
            "or choose another directory with --out",
        )

    def _set_aside(self, discard: bool) -> None:
        """Move the old results to ``<dir>.old-<time>/`` or, with ``discard``, delete them: only
        in a folder holding nothing but files this tool writes, and only those files."""
        foreign = self.foreign_entries()
        marked = resultdir.read_marker(self.root) is not None or self._old_hash() is not None
        if discard and (foreign or not marked):
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            why = f"holds files sim sweep did not write ({shown})" if foreign else "is not a sweep store"
            raise SimUserError(
                [
                    Problem(
                        str(self.root),
                        None,
                        "--discard-old",
                        f"{why}: nothing was deleted. --discard-old only deletes a sweep store's own "
                        "files; drop it to move the folder's contents aside, or choose another --out",
                    )
                ]
            )
        if discard:
            for f in self.root.iterdir():
                if f.name == "tasks":
                    for t in f.iterdir():
                        t.unlink()
                    f.rmdir()
                elif f.name != resultdir.LOCK_NAME:
                    f.unlink()
            return
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        target = self.root.with_name(f"{self.root.name}.old-{stamp}")
        n = 1
        while target.exists():
            target = self.root.with_name(f"{self.root.name}.old-{stamp}-{n}")
            n += 1
        target.mkdir()
        for f in self.root.iterdir():  # everything but the lock this process holds
            if f.name != resultdir.LOCK_NAME:
                os.replace(f, target / f.name)

    # ---- tasks -------------------------------------------------------------------------------

    def task_path(self, point: int, batch: int) -> Path:
        return self.tasks_dir / task_name(point, batch)

    def done_tasks(self) -> set[tuple[int, int]]:
        """(point, batch) of every complete task file; removes temporaries and unreadable files."""
        done: set[tuple[int, int]] = set()
        if not self.tasks_dir.is_dir():
            return done
        for f in self.tasks_dir.iterdir():
            if f.name.startswith("."):
                f.unlink(missing_ok=True)  # a temporary left by a crash
                continue
            m = TASK_RE.match(f.name)
            if not m:
                continue
            try:
                run_id = parquet_run_id(f)
            except (OSError, pa.ArrowException):
                f.unlink(missing_ok=True)
                continue
            if self.run_id is not None and run_id != self.run_id:
                f.unlink(missing_ok=True)  # a task of another sweep written into this folder
                continue
            done.add((int(m.group(1)), int(m.group(2))))
        return done

    def write_task(self, point: int, batch: int, rows: pd.DataFrame) -> Path:
        """Store the rows of finished task (point, batch) atomically."""
        path = self.task_path(point, batch)
        atomic_write_parquet(path, rows, run_id=self.run_id)
        return path

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace manifest.json atomically."""
        data = {**manifest, "updated": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        atomic_write_bytes(self.manifest_path, json.dumps(data, indent=1, sort_keys=True).encode())

    # ---- reading -----------------------------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """Contents of sweep.json."""
        out: dict[str, Any] = json.loads(self.sweep_json.read_text())
        return out

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.design_path)

    def read_runs(self) -> pd.DataFrame:
        """All per-run rows of finished tasks, sorted by (point, run)."""
        files = sorted(f for f in self.tasks_dir.glob("p*-b*.parquet") if TASK_RE.match(f.name))
        if not files:
            return pd.DataFrame()
        df = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        return df.sort_values([columns.POINT, columns.RUN], kind="stable").reset_index(drop=True)

    def write_points(self, points: pd.DataFrame) -> None:
        """Replace points.parquet atomically (one row per design point)."""
        atomic_write_parquet(self.points_path, points, run_id=self.run_id)

    def verify(self) -> dict[str, Any]:
        """Check the store is one complete sweep (sim.core.resultdir marker, hashes, run ids);
        returns sweep.json. Raises SimUserError otherwise."""
        rerun = "rerun the `sim sweep` command to complete it"
        marker = resultdir.verify(
            self.root, "sweep", ("sweep.json", "design.parquet", "points.parquet"), rerun
        )
        for path in (self.design_path, self.points_path):
            if parquet_run_id(path) != marker.get("run_id"):
                raise SimUserError(
                    [Problem(str(path), None, "", f"belongs to another sweep than this folder's; {rerun}")]
                )
        return self.meta()

    def finish(self, design: pd.DataFrame, meta: dict[str, Any], tasks_total: int) -> int:
        """Check every task is stored, write points.parquet and the final manifest; return the
        number of runs. RuntimeError if tasks or rows are missing (rerun to complete)."""
        done = self.done_tasks()
        if len(done) != tasks_total:
            raise RuntimeError(
                f"{tasks_total - len(done)} task(s) missing in {self.tasks_dir}; rerun to complete"
            )
        outcomes = meta["outcomes"]
        keep = [
            columns.POINT,
            columns.RUN,
            *map(columns.happened, outcomes),
            *map(columns.first_step, outcomes),
            *columns.ESCALATION_METRICS,
        ]
        runs = self.read_runs()
        runs = runs[[c for c in keep if c in runs.columns]]
        expected = len(design) * meta["settings"]["runs_per_point"]
        if len(runs) != expected or runs.duplicated([columns.POINT, columns.RUN]).any():
            raise RuntimeError(
                f"{self.tasks_dir} holds {len(runs)} rows, expected {expected} distinct (point, run)"
            )
        self.write_points(summarize_points(runs, design, outcomes))
        self.write_manifest(
            {
                "hash": meta["hash"],
                "complete": True,
                "tasks_total": tasks_total,
                "tasks_done": len(done),
                "points_total": len(design),
                "points_done": len(design),
                "runs": len(runs),
            }
        )
        return len(runs)

    def read_finished(self) -> tuple[dict[str, Any], pd.DataFrame]:
        """``(sweep.json contents, points.parquet)`` of a finished sweep, points sorted by point.

        Raises :class:`SimUserError` naming the file when either is missing or unreadable.
        """
        for f in (self.sweep_json, self.points_path):
            if not f.is_file():
                raise SimUserError(
                    [
                        Problem(
                            str(f),
                            None,
                            "",
                            "not found: is this the output directory of "
                            "`sim sweep`, and did the sweep finish? Run or resume it first",
                        )
                    ]
                )
        try:
            meta = json.loads(self.sweep_json.read_text(encoding="utf-8"))
            points = pd.read_parquet(self.points_path)
        except (OSError, ValueError) as err:
            raise SimUserError(
                [Problem(str(self.root), None, "", f"cannot read the sweep store: {err}")]
            ) from err
        if not isinstance(meta, dict):
            raise SimUserError(
                [Problem(str(self.sweep_json), None, "", "not a sweep.json written by `sim sweep`")]
            )
        if columns.POINT in points.columns:
            points = points.sort_values(columns.POINT, kind="stable").reset_index(drop=True)
        return meta, points


def report_labels(resolved: ResolvedSweep) -> dict[str, Any]:
    """Reader-facing words for the report: ``labels`` (path -> label of each swept parameter),
    ``outcome_names`` (id -> name), ``calibrated`` (labels of parameters fitted to data)."""
    sc = resolved.scenario
    names = param_labels(sc)
    return {
        "labels": {p.path: label_for(p.path, names) for p in resolved.spec.params},
        "outcome_names": {o.id: o.name for o in sc.outcomes},
        "calibrated": [s.label for s in calibrated_sites(sc)],
    }


def sweep_meta(resolved: ResolvedSweep, design: pd.DataFrame) -> dict[str, Any]:
    """sweep.json contents: declaration, resolved settings and hashes."""
    spec = resolved.spec
    settings = {
        "design": spec.design,
        "points": len(design),
        "runs_per_point": spec.runs_per_point,
        "batch_size": resolved.batch_size,
        "seed": resolved.seed,
        "paths": resolved.paths,
    }
    scenario_json = resolved.scenario.model_dump_json()
    return {
        "id": spec.id,
        "spec": spec.to_json(),
        "settings": settings,
        "scenario_id": resolved.scenario.scenario.id,
        "scenario_path": str(spec.scenario_path),
        "outcomes": [o.id for o in resolved.scenario.outcomes],
        **report_labels(resolved),
        "salib_problem": salib_problem(spec.params),
        "calc_second_order": False if spec.design == "sobol" else None,
        "sobol_base_samples": (len(design) // (len(spec.params) + 2)) if spec.design == "sobol" else None,
        "batches_per_point": resolved.batches_per_point,
        "hash": sweep_hash(scenario_json, design, settings),
        "scenario_hash": sweep_hash(scenario_json, design.iloc[:0], {}),
    }
