"""``sim sweep``: run a parameter sweep on Dask into a resumable Parquet store.

    sim sweep SWEEP.yaml [--out DIR] [--cluster ...]
    sim sweep SCENARIO.yaml --vary PATH=LO:HI [--vary PATH=v1,v2,v3] --design grid|lhs|sobol
              --points N --runs-per-point R [--seed S]

Rerunning the same command resumes an interrupted sweep; a changed scenario or design is refused
unless ``--fresh`` (old results moved aside to ``DIR.old-<time>``, or deleted with
``--discard-old``). See docs/sweeps.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.analysis.sensitivity import SweepAnalysis
from sim.analysis.sobol import sobol_width_warning
from sim.core import resultdir
from sim.core.errors import Problem, SimUserError
from sim.sweep.execute import SweepOutcome, default_out_dir
from sim.sweep.spec import DESIGNS
from sim.workflow.sweep import analyse, declare_sweep, sweep


@click.command(name="sweep")
@click.argument("target", type=click.Path(dir_okay=False))
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="PATH=LO:HI|PATH=v1,v2",
    help="A parameter to sweep (with a scenario file), e.g. actors.x.traits.resolve=0.2:0.8.",
)
@click.option("--design", type=click.Choice(DESIGNS), default=None, help="grid (default), lhs or sobol.")
@click.option(
    "--points",
    type=click.IntRange(1, 1_000_000),
    default=None,
    help="grid: levels per range; lhs: points; sobol: N base samples (N*(D+2) points).",
)
@click.option(
    "--runs-per-point", type=click.IntRange(1, 100_000_000), default=None, help="Runs at each point."
)
@click.option("--batch-size", type=click.IntRange(1, 1_000_000), default=None, help="Runs per task.")
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Sweep seed (same for every point)."
)
@click.option("--id", "sweep_id", default=None, help="Sweep id (default: file name); output reports/<id>/.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None, help="Output directory.")
@click.option(
    "--cluster",
    default=None,
    metavar="local|tcp://H:P|FILE.json|slurm|pbs",
    help="Where to run: embedded LocalCluster (default), a scheduler, or an HPC queue.",
)
@click.option(
    "--cluster-config",
    type=click.Path(dir_okay=False),
    default=None,
    help="YAML for --cluster slurm|pbs: cores, memory, walltime, queue, account, jobs.",
)
@click.option(
    "--workers", type=click.IntRange(1, 1024), default=None, help="Local worker processes (default: cores)."
)
@click.option("--fresh", is_flag=True, help="Start over: move results of a different sweep aside.")
@click.option(
    "--discard-old", is_flag=True, help="With --fresh: delete the old results instead of moving them."
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal)."
)
@click.option(
    "--threshold",
    "thresholds",
    multiple=True,
    metavar="OUTCOME=P",
    help="Scenario discovery: find where P(OUTCOME) > P, e.g. war=0.2 (repeatable).",
)
@click.option("--no-report", is_flag=True, help="Skip the sensitivity analysis and HTML report.")
def command(
    target: str,
    vary: tuple[str, ...],
    design: str | None,
    points: int | None,
    runs_per_point: int | None,
    batch_size: int | None,
    seed: int | None,
    sweep_id: str | None,
    out_dir: str | None,
    cluster: str | None,
    cluster_config: str | None,
    workers: int | None,
    fresh: bool,
    discard_old: bool,
    progress: bool | None,
    thresholds: tuple[str, ...],
    no_report: bool,
) -> None:
    """Run the sweep TARGET (a sweep file, or a scenario file with --vary)."""
    wanted = _parse_thresholds(thresholds)
    if discard_old and not fresh:
        raise SimUserError([Problem("--discard-old", None, "", "goes with --fresh")])
    resolved = declare_sweep(
        target,
        vary,
        design=design,
        points=points,
        runs_per_point=runs_per_point,
        batch_size=batch_size,
        seed=seed,
        sweep_id=sweep_id,
    )
    spec = resolved.spec
    _check_thresholds(wanted, [o.id for o in resolved.scenario.outcomes])
    n_points_hint = f"{len(resolved.paths)} parameter(s), design {spec.design}"
    click.echo(
        f"sweep {spec.id}: {n_points_hint}, {spec.runs_per_point} runs per point, "
        f"batches of {resolved.batch_size}, seed {resolved.seed}"
    )
    show = sys.stderr.isatty() if progress is None else progress
    root = Path(out_dir) if out_dir is not None else default_out_dir(spec.id)
    with resultdir.writing(root, "sweep"):  # the lock is held from the first task to the report
        out = sweep(
            resolved,
            root,
            cluster=cluster,
            cluster_config=cluster_config,
            workers=workers,
            fresh=fresh,
            discard=discard_old,
            progress=show,
        )
        _report(out, wanted, discard_old, no_report)


def _report(out: SweepOutcome, wanted: dict[str, float], discard_old: bool, no_report: bool) -> None:
    """Say what ran, then analyse the sweep and write its report (unless ``no_report``)."""
    if out.state == "resume":
        click.echo(f"resumed: {out.tasks_skipped} of {out.tasks_total} tasks were already done")
    elif out.state == "fresh":
        click.echo("started fresh (old results " + ("deleted)" if discard_old else "moved aside)"))
    rate = f", {out.runs_run / out.wall_s:,.0f} runs/s" if out.wall_s > 0 and out.tasks_run else ""
    click.echo(f"{out.points} points, {out.runs_total} runs, {out.tasks_run} task(s) run{rate}")
    click.echo(f"results: {out.root}/ (points.parquet, tasks/*.parquet, design.parquet)")
    if no_report:
        return
    analysis, report = analyse(out, wanted)
    _print_analysis(analysis)
    click.echo(f"report: {report}")


def _check_thresholds(wanted: dict[str, float], known: list[str]) -> None:
    """Every ``--threshold`` names an outcome of the scenario."""
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise SimUserError(
            [
                Problem(
                    "--threshold",
                    None,
                    "",
                    f"`{name}` is not an outcome of the scenario; use one of {', '.join(known)}",
                )
                for name in unknown
            ]
        )


def _parse_thresholds(items: tuple[str, ...]) -> dict[str, float]:
    """``("war=0.2",)`` -> ``{"war": 0.2}``; bad items are a user error naming the fix."""
    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            p = float(value)
        except ValueError:
            p = -1.0
        if not sep or not name or not 0.0 <= p <= 1.0:
            raise SimUserError(
                [Problem("--threshold", None, "", f"`{item}`: write OUTCOME=P with P in 0..1, e.g. war=0.2")]
            )
        out[name.strip()] = p
    return out


def _print_analysis(analysis: SweepAnalysis) -> None:
    """The most influential parameters per outcome (Sobol total order, else |PRCC|)."""
    console = Console()
    if analysis.sobol is not None and len(analysis.sobol):
        table = Table(title="Sobol indices (first order S1, total ST, 95% conf.)")
        for col in ("outcome", "parameter", "S1", "ST"):
            table.add_column(col)
        for row in analysis.sobol.sort_values(["output", "ST"], ascending=[True, False]).itertuples():
            table.add_row(
                Text(str(row.output)),
                Text(str(row.parameter)),
                f"{row.S1:.2f} ± {row.S1_conf:.2f}",
                f"{row.ST:.2f} ± {row.ST_conf:.2f}",
            )
        console.print(table)
        for out, g in analysis.sobol.groupby("output", sort=False):
            warning = sobol_width_warning(g, analysis.design.n, len(analysis.design.parameters))
            if warning:
                console.print(Text(f"warning ({out}): {warning}"))
    for prim in analysis.prim:
        box = ", ".join(
            f"{r.parameter} in [{r.low:.3g}, {r.high:.3g}]" for r in prim.restrictions().itertuples()
        )
        console.print(
            Text(
                f"scenario discovery, {prim.label}: {box or 'no restriction found'} "
                f"(coverage {prim.coverage:.0%}, density {prim.density:.0%}, {prim.density_gain:.1f}x chance)"
            )
        )
    for note in analysis.notes:
        console.print(Text(f"note: {note}"))
