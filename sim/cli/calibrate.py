"""``sim calibrate SCENARIO OBSERVATIONS [--params PATH ...]``: ABC-SMC fit to a record."""

from __future__ import annotations

import click

from sim.calibrate.abc import Settings
from sim.workflow.calibrate import calibrate


@click.command("calibrate")
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.argument("observations_file", type=click.Path(dir_okay=False))
@click.option(
    "--params",
    "params",
    multiple=True,
    metavar="PATH",
    help="A constant to fit (repeat; default: the unsourced constants of dynamics and weights).",
)
@click.option("--particles", type=click.IntRange(20, 1_000_000), default=500, show_default=True)
@click.option("--generations", type=click.IntRange(1, 100), default=6, show_default=True)
@click.option(
    "--spread",
    type=click.FloatRange(1.01, 100),
    default=3.0,
    show_default=True,
    help="Prior of a fixed constant v: log-uniform on v/spread .. v*spread.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True)
@click.option(
    "--chunk",
    type=click.IntRange(1, 1_000_000),
    default=1000,
    show_default=True,
    help="Runs per engine batch (one Dask task); results depend on it, not on workers.",
)
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Folder [reports/<id>-calibration/]."
)
@click.option(
    "--variant",
    "variant_file",
    type=click.Path(dir_okay=False),
    help="Calibrated variant to write [<scenario dir>/<id>_calibrated.yaml].",
)
@click.option(
    "--cluster",
    default=None,
    metavar="local|tcp://H:P|FILE.json|slurm|pbs",
    help="Dask cluster, as for `sim sweep`.",
)
@click.option("--cluster-config", type=click.Path(dir_okay=False), default=None)
@click.option(
    "--workers",
    type=click.IntRange(1, 1024),
    default=1,
    show_default=True,
    help="Local Dask workers (1: in this process).",
)
@click.option("--fresh", is_flag=True, help="Discard the saved generations of a different calibration.")
@click.option(
    "--forecast-runs",
    type=click.IntRange(0, 10_000_000),
    default=0,
    help="Also run base and variant forward with this many runs and compare.",
)
@click.option("--no-report", is_flag=True)
def command(
    scenario_file: str,
    observations_file: str,
    params: tuple[str, ...],
    particles: int,
    generations: int,
    spread: float,
    seed: int,
    chunk: int,
    out_dir: str | None,
    variant_file: str | None,
    cluster: str | None,
    cluster_config: str | None,
    workers: int,
    fresh: bool,
    forecast_runs: int,
    no_report: bool,
) -> None:
    """Fit constants of SCENARIO_FILE to the record in OBSERVATIONS_FILE; write a calibrated variant."""

    def progress(g: object) -> None:
        click.echo(
            f"generation {g.t}: epsilon {g.eps:.3g}, {g.sims:,} simulations, "  # type: ignore[attr-defined]
            f"acceptance {g.acceptance:.3f}, ESS {g.ess:.0f}",  # type: ignore[attr-defined]
            err=True,
        )

    out = calibrate(
        scenario_file,
        observations_file,
        params=list(params) or None,
        out_dir=out_dir,
        variant_file=variant_file,
        settings=Settings(particles=particles, generations=generations, seed=seed),
        spread=spread,
        chunk=chunk,
        cluster=cluster,
        cluster_config=cluster_config,
        workers=workers,
        fresh=fresh,
        forecast_runs=forecast_runs,
        report=not no_report,
        on_generation=progress,
    )
    if out.resumed_from:
        click.echo(f"continued after {out.resumed_from} saved generation(s)")
    click.echo(f"{'constant':44s} {'posterior mean':>14s} {'90% interval':>22s} {'sd ratio':>8s}")
    for m in out.marginals:
        click.echo(f"{m.path:44s} {m.mean:14.4g} {f'{m.q05:.3g} .. {m.q95:.3g}':>22s} {m.shrinkage:8.2f}")
    for label, f in out.forecasts.items():
        click.echo(f"{label:>10s}: " + ", ".join(f"{k} {100 * v:.1f}%" for k, v in f.items()))
    click.echo(f"{out.simulations:,} simulations in {out.elapsed_s:.1f} s")
    click.echo(f"variant: {out.variant}")
    if out.report is not None:
        click.echo(f"report: {out.report}")
    click.echo(f"results: {out.root}")
