"""Sweep and analyse (``sim sweep``): declare a sweep, run it on Dask into its store, then
compute the sensitivity analysis and write the sweep report.

A sweep is declared by a sweep file (``sweep:`` YAML, :func:`sim.sweep.spec.load_sweep`) or by a
scenario file with ``--vary PATH=LO:HI`` options (:func:`sim.sweep.spec.spec_from_cli`);
command-line settings override the file's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.sensitivity import SweepAnalysis, analyse_sweep
from sim.core.errors import Problem, SimUserError
from sim.sweep.execute import SweepOutcome, run_sweep
from sim.sweep.resolve import resolve
from sim.sweep.spec import ID_RE, ResolvedSweep, is_sweep_file, load_sweep, spec_from_cli, with_overrides

DEFAULT_RUNS_PER_POINT = 1000
"""Runs per point of a sweep declared with ``--vary`` when none is given."""


def declare_sweep(
    target: str | Path,
    vary: Sequence[str] = (),
    *,
    design: str | None = None,
    points: int | None = None,
    runs_per_point: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    sweep_id: str | None = None,
) -> ResolvedSweep:
    """The sweep of ``target`` (a sweep file, or a scenario file with ``vary``), checked against
    its scenario. Settings given here override a sweep file's; SimUserError lists problems."""
    if sweep_id is not None and not ID_RE.match(sweep_id):
        raise SimUserError(
            [
                Problem(
                    "--id",
                    None,
                    "",
                    f"`{sweep_id}`: letters, digits, '_', '-', '.' (max 80), starting with a letter or "
                    "digit, e.g. khamenei_pressure (use --out to choose the folder)",
                )
            ]
        )
    path = Path(target)
    if is_sweep_file(path):
        if vary:
            raise SimUserError(
                [
                    Problem(
                        str(target), None, "--vary", "declare parameters in the sweep file, not with --vary"
                    )
                ]
            )
        spec = with_overrides(
            load_sweep(path),
            design=design,
            points=points,
            runs_per_point=runs_per_point,
            batch_size=batch_size,
            seed=seed,
            id=sweep_id,
        )
    else:
        spec = spec_from_cli(
            path,
            list(vary),
            design=design or "grid",
            points=points,
            runs_per_point=runs_per_point or DEFAULT_RUNS_PER_POINT,
            batch_size=batch_size,
            seed=seed,
            sweep_id=sweep_id,
        )
    return resolve(spec)


def sweep(resolved: ResolvedSweep, out_dir: str | Path | None = None, **options: Any) -> SweepOutcome:
    """Run (or resume) the sweep into its store; ``options`` as :func:`sim.sweep.execute.run_sweep`
    (cluster, cluster_config, workers, fresh, discard, progress, ...)."""
    return run_sweep(resolved, out_dir, **options)


def analyse(
    outcome: SweepOutcome, thresholds: Mapping[str, float] | None = None
) -> tuple[SweepAnalysis, Path]:
    """Analyse a finished sweep's store and write its report; returns (analysis, report path).

    ``thresholds``: outcome id -> probability (0..1) for scenario discovery (PRIM).
    """
    from sim.report.sweep_report import write_sweep_report

    analysis = analyse_sweep(outcome.root, thresholds=thresholds or None)
    return analysis, write_sweep_report(analysis)
