"""The workbench state: scenarios of the folder, one background run at a time, cached baselines.

A run computes the baseline (cached per scenario file, runs, seed and batch size) and the variant
with the same seed and batch size, so run ``i`` of both draws the same random numbers (common
random numbers, docs/architecture.md "Randomness"); the difference is then paired run by run.
"""

from __future__ import annotations

import dataclasses
import math
import tempfile
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.app import files
from sim.app.controls import WhatIf, apply_what_if, controls
from sim.app.summary import summary
from sim.app.variant import variant_id, variant_yaml
from sim.core.errors import SimUserError
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.base import Param
from sim.scenario.loader import load_scenario
from sim.scenario.paths import revalidate
from sim.scenario.schema import Scenario
from sim.scenario.sites import param_sites

RUN_CHOICES = (1000, 2000, 4000, 10000)
IN_PROCESS_RUNS = 1000
"""Up to this many runs the app runs in its own process: starting worker processes costs more
(~1.5 s on two cores) than it saves (the Iran scenario: 1,000 runs in 2.0 s in one process,
3.4 s with two workers; 4,000 runs 3.8 s vs 2.2 s). The numbers are the same either way."""
MAX_RUNS = 20_000
BASELINES_KEPT = 4


class Busy(RuntimeError):
    """A run is already in progress (the machine's cores are in use)."""


@dataclass
class Job:
    """One baseline + variant run, polled by the page for progress."""

    id: str
    name: str
    total: int
    done: int = 0
    state: str = "running"
    error: str | None = None
    result: dict[str, Any] | None = None
    started: float = field(default_factory=time.perf_counter)
    elapsed_s: float = 0.0
    variant: RunResults | None = None
    base: Scenario | None = None

    def status(self) -> dict[str, Any]:
        """The JSON the page polls."""
        return {
            "id": self.id,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "elapsed_s": round(
                time.perf_counter() - self.started if self.state == "running" else self.elapsed_s, 2
            ),
            "error": self.error,
            "result": self.result,
        }


def batch_size_for(runs: int, scenario_batch: int) -> int:
    """Batches of about a quarter of the runs (multiples of 250, at least 500), for progress and
    two cores. Each batch steps the model once per day for all its runs at once, so a batch costs
    about 1.7 ms per step whatever its size, plus a little per run: 1,000 runs of the Iran
    scenario took 3-5 s in batches of 250 and 1.9 s in batches of 500 (one process)."""
    return min(scenario_batch, max(500, math.ceil(runs / 4 / 250) * 250))


def workers_for(runs: int, chosen: int | None) -> int | None:
    """``--workers`` if given, else one process for small runs, else all cores (None)."""
    if chosen is not None:
        return chosen
    return 1 if runs <= IN_PROCESS_RUNS else None


def describe_changes(scenario: Scenario, what_if: WhatIf, new: dict[str, Param]) -> list[str]:
    """Readable lines, one per flipped lever or moved parameter."""
    names = {lv.id: lv.name for lv in scenario.levers}
    labels = {s.path: (s.label, s.param) for s in param_sites(scenario)}
    lines = [f"{names[k]}: {'on' if v else 'off'}" for k, v in what_if.levers.items()]
    lines += [f"{labels[p][0]}: {labels[p][1].formatted()} → {new[p].formatted()}" for p in new]
    return lines


class Workbench:
    """What ``sim app`` serves: the folder, its scenarios, the current job."""

    def __init__(self, root: Path, workers: int | None = None) -> None:
        self.root = root.resolve()
        self.workers = workers
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._baselines: dict[tuple[Any, ...], RunResults] = {}

    def scenarios(self) -> list[str]:
        """Scenario names of the folder."""
        return files.list_scenarios(self.root)

    def load(self, name: object) -> tuple[str, Scenario]:
        """(name, scenario) for a listed name; bases of variants must be inside the folder too."""
        path = files.resolve(self.root, name)
        return str(name), load_scenario(path, root=self.root)

    def controls(self, name: object) -> dict[str, Any]:
        """Scenario metadata plus its levers and parameter sliders."""
        key, sc = self.load(name)
        meta = sc.scenario
        return {
            "name": key,
            "id": meta.id,
            "title": meta.title,
            "description": meta.description,
            "runs": min(meta.monte_carlo.runs, 4000),
            "run_choices": list(RUN_CHOICES),
            "seed": meta.monte_carlo.seed,
            **controls(sc),
        }

    def variant_file(self, name: object, what_if: WhatIf) -> tuple[str, str]:
        """(file name, YAML text) of the what-if as a variant of ``name``."""
        key, sc = self.load(name)
        changes = what_if.changes(sc)
        _, new = apply_what_if(sc, changes)
        base_file = Path(key).name
        stem = base_file.rsplit(".", 1)[0]
        return f"{stem}_what_if.yaml", variant_yaml(sc, base_file, changes.levers, new)

    def start(self, name: object, runs: object, what_if: WhatIf) -> Job:
        """Validate the request, then run baseline and variant in a background thread."""
        key, sc = self.load(name)
        if not isinstance(runs, int) or isinstance(runs, bool) or not 1 <= runs <= MAX_RUNS:
            raise SimUserError(f"runs must be a whole number in 1..{MAX_RUNS}")
        changes = what_if.changes(sc)
        variant, new = apply_what_if(sc, changes)
        with self._lock:
            if any(j.state == "running" for j in self._jobs.values()):
                raise Busy("a run is in progress; wait for it to finish")
            cached = self._baselines.get(self._base_key(key, sc, runs))
            job = Job(id=uuid.uuid4().hex, name=key, total=runs * (1 if cached else 2), base=sc)
            self._jobs = {job.id: job, **{k: j for k, j in list(self._jobs.items())[:3]}}
        lines = describe_changes(sc, changes, new)
        threading.Thread(target=self._run, args=(job, sc, variant, runs, lines), daemon=True).start()
        return job

    def _base_key(self, name: str, sc: Scenario, runs: int) -> tuple[Any, ...]:
        mtime = files.resolve(self.root, name).stat().st_mtime_ns
        return (name, mtime, sc.model_dump_json(), runs)

    def _run(self, job: Job, sc: Scenario, variant: Scenario, runs: int, lines: list[str]) -> None:
        """The thread: baseline (unless cached), variant, summary; errors end up in the job."""
        mc = sc.scenario.monte_carlo
        batch = batch_size_for(runs, mc.batch_size)
        workers = workers_for(runs, self.workers)

        def tick(n: int) -> None:
            job.done += n

        try:
            key = self._base_key(job.name, sc, runs)
            base = self._baselines.get(key)
            if base is None:
                base = run_scenario(
                    sc, runs=runs, seed=mc.seed, batch_size=batch, workers=workers, progress=tick
                )
                self._baselines = {key: base, **dict(list(self._baselines.items())[: BASELINES_KEPT - 1])}
            var = run_scenario(
                variant, runs=runs, seed=mc.seed, batch_size=batch, workers=workers, progress=tick
            )
            job.variant = var
            job.result = summary(base, var, lines)
            job.state = "done"
        except SimUserError as err:
            job.error, job.state = "; ".join(str(p) for p in err.problems), "error"
        except Exception as err:  # reported to the page; the server keeps serving
            traceback.print_exc()
            job.error, job.state = f"{type(err).__name__}: {err}", "error"
        finally:
            job.elapsed_s = time.perf_counter() - job.started

    def job(self, job_id: object) -> Job:
        """A job by id (KeyError if unknown)."""
        return self._jobs[str(job_id)]

    def report(self, job_id: object) -> str:
        """The full HTML report of a finished job's variant (the run report, base marked)."""
        from sim.report.run_report import write_run_report

        job = self.job(job_id)
        if job.variant is None:
            raise KeyError(job_id)
        data = job.variant.scenario.model_dump(mode="python", exclude_none=True)
        meta = data["scenario"]
        meta["id"], meta["title"] = variant_id(meta["id"]), f"{meta['title']}: what-if"
        results = dataclasses.replace(job.variant, scenario=revalidate(data))
        with tempfile.TemporaryDirectory(prefix="sim-app-") as tmp:
            path = write_run_report(results, Path(tmp) / "report.html", base=job.base)
            return path.read_text(encoding="utf-8")
