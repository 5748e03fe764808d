"""``sim report RESULTS_DIR [--out FILE]``: rebuild the HTML report from stored results."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

import click

from sim.core import columns, resultdir
from sim.core.errors import Problem, SimUserError
from sim.engine.results import RunResults
from sim.scenario.schema import Scenario
from sim.workflow.base import base_of_results

RESULT_FILES = ("scenario.json", "runs.parquet", "aggregates.npz", "samples.json")
FIX = "re-run `sim run SCENARIO --out {dir}` to regenerate it"


def _problem(path: Path, message: str) -> SimUserError:
    return SimUserError([Problem(file=str(path), line=None, field="", message=message)])


def _probe(d: Path, name: str) -> None:
    """Read one result file on its own; raise if it is unreadable."""
    path = d / name
    if name == "scenario.json":
        Scenario.model_validate_json(path.read_text())
    elif name == "runs.parquet":
        import pandas as pd

        pd.read_parquet(path)
    elif name == "aggregates.npz":
        import numpy as np

        with np.load(path) as z:
            z["escalation_hist"], z["action_counts"]
    else:
        meta = json.loads(path.read_text())
        for key in ("seed", "runs", "batch_size", "samples"):
            meta[key]


def load_results(results_dir: Path) -> RunResults:
    """Load stored results, turning any missing or garbled file into a SimUserError."""
    d = results_dir
    if not d.is_dir():
        raise _problem(d, "not a directory: give the results directory written by `sim run ... --out DIR`")
    for name in RESULT_FILES:
        if not (d / name).is_file():
            raise _problem(d / name, f"missing: is {d} a results directory of `sim run`? {FIX.format(dir=d)}")
    try:
        results = RunResults.load(d)
        _check_consistent(results)
        return results
    except SimUserError:
        raise
    except Exception as err:  # corrupt content of some file: find which one
        for name in RESULT_FILES:
            try:
                _probe(d, name)
            except Exception as inner:
                raise _problem(d / name, f"unreadable ({_reason(inner)}); {FIX.format(dir=d)}") from None
        raise _problem(d, f"results are inconsistent ({_reason(err)}); {FIX.format(dir=d)}") from None


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:200]


def _check_consistent(r: RunResults) -> None:
    """Columns and array shapes the report needs; ValueError/KeyError otherwise."""
    t = r.horizon
    need = [*columns.ESCALATION_METRICS, *columns.outcome_columns(r.outcome_ids)]
    missing = [c for c in need if c not in r.runs.columns]
    if missing:
        raise KeyError(f"runs.parquet lacks columns {', '.join(missing)}")
    if r.escalation_hist.ndim != 2 or r.escalation_hist.shape[0] != t + 1:
        raise ValueError(f"aggregates.npz: escalation_hist has shape {r.escalation_hist.shape}")
    expected = (t, len(r.scenario.actors), len(r.scenario.actions))
    if r.action_counts.shape != expected:
        raise ValueError(
            f"aggregates.npz: action_counts has shape {r.action_counts.shape}, expected {expected}"
        )


@click.command("report")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="HTML file to write (default: RESULTS_DIR/report.html).",
)
def command(results_dir: Path, out: Path | None) -> None:
    """Rebuild the interactive HTML report of a run from RESULTS_DIR (written by `sim run`)."""
    from sim.report.run_report import write_run_report

    if _is_sweep(results_dir):
        click.echo(str(_sweep_report(results_dir, out)))
        return
    results = load_results(results_dir)
    target = out if out is not None else results_dir / "report.html"
    if target.is_dir():
        raise _problem(target, "is a directory: give a file name such as report.html")
    inside = target.absolute().parent.resolve() == results_dir.absolute().resolve()
    try:
        with resultdir.writing(results_dir, "run", update=True) if inside else nullcontext() as writer:
            if writer is not None:
                results = load_results(results_dir)  # again, under the lock
                writer.record(target.name)
            path = write_run_report(results, target, base=base_of_results(results, results_dir))
    except OSError as err:
        raise _problem(
            target, f"cannot write the report ({err.strerror or err}); choose another --out"
        ) from None
    click.echo(str(path))


def _is_sweep(d: Path) -> bool:
    marker = resultdir.read_marker(d)
    return (marker is not None and marker.get("kind") == "sweep") or (d / "sweep.json").is_file()


def _sweep_report(d: Path, out: Path | None) -> Path:
    """``sim report SWEEP_DIR``: the sweep report rebuilt from the store (docs/sweeps.md)."""
    from sim.analysis.sensitivity import analyse_sweep
    from sim.report.sweep_report import write_sweep_report
    from sim.sweep.store import SweepStore

    SweepStore(d).verify()
    analysis = analyse_sweep(d)
    if out is None:
        with resultdir.writing(d, "sweep", update=True) as writer:
            writer.record("report.html")
            return write_sweep_report(analysis)
    if out.is_dir():
        raise _problem(out, "is a directory: give a file name such as report.html")
    return write_sweep_report(analysis, out)


__all__ = ["command", "load_results"]
