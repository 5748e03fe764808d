"""Run a scenario with its base and save the results folder (``sim run``, ``sim.api.run``).

The results folder (``reports/<scenario id>/`` by default) holds what
:meth:`sim.engine.results.RunResults.save` writes plus ``summary.json`` (headline numbers,
:func:`sim.analysis.stats.summary_dict`) and, unless skipped, ``report.html``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from sim.analysis.stats import summary_dict
from sim.core import resultdir
from sim.core.fileio import atomic_write_bytes
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Param, Scenario
from sim.workflow.base import base_of

ScenarioLike = Scenario | str | os.PathLike[str]
"""A loaded scenario or the path of its file."""


def default_out_dir(scenario_id: str) -> Path:
    """Where results go by default: ``reports/<scenario id>/``."""
    return Path("reports") / scenario_id


def scenario_of(s: ScenarioLike, overrides: Mapping[str, float | Param] | None = None) -> Scenario:
    """``s`` loaded (if a path) with ``overrides`` applied (parameter path -> value or Param)."""
    scenario = s if isinstance(s, Scenario) else load_scenario(s)
    return apply_overrides(scenario, overrides) if overrides else scenario


def check_writable(out: Path) -> None:
    """Refuse a results folder that is a file, cannot be created or is not writable, before
    running anything (:func:`sim.core.resultdir.check_writable`)."""
    resultdir.check_writable(out)


def run_with_base(
    scenario_file: str | os.PathLike[str],
    scenario: Scenario | None = None,
    *,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    rows_dir: Path | None = None,
) -> RunResults:
    """Run the scenario of ``scenario_file`` (``scenario``: already loaded from it); the results
    carry the variant's base (:func:`sim.workflow.base.base_of`) for reports that compare.
    ``rows_dir``: the results folder about to be written (its lock held), where the per-run rows
    of a run too large to keep in memory are streamed (sim.engine.runner.run_scenario)."""
    scenario = scenario if scenario is not None else load_scenario(scenario_file)
    results = run_scenario(
        scenario, runs=runs, seed=seed, workers=workers, progress=progress, rows_dir=rows_dir
    )
    results.base_scenario = base_of(scenario, scenario_file)
    return results


def save_run(results: RunResults, out: Path, *, report: bool = True) -> Path | None:
    """Write the results folder ``out`` (results, ``summary.json``, ``report.html`` unless
    ``report`` is false); returns the report's path, or None."""
    with resultdir.writing(out, "run") as writer:  # joins the writer of a caller holding the lock
        results.save(out)
        atomic_write_bytes(
            out / "summary.json", json.dumps(summary_dict(results), indent=1, default=str).encode()
        )
        writer.record("summary.json")
        if not report:
            return None
        from sim.report.run_report import write_run_report

        path = write_run_report(results, out / "report.html", base=results.base_scenario)
        writer.record("report.html")
        return path
