"""``sim run SCENARIO.yaml``: Monte Carlo replications, a table of outcome odds, a report."""

from __future__ import annotations

import math
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from sim.analysis.bargaining import bargains, deal_table, terms_table
from sim.analysis.stats import outcome_table, peak_level_distribution, track_level_distribution
from sim.analysis.warnings import run_warnings
from sim.cli.options import set_option, with_sets
from sim.core import resultdir
from sim.engine.results import RunResults
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.workflow.run import check_writable, default_out_dir, run_with_base, save_run


@click.command("run")
@click.argument("scenario_file", type=click.Path(dir_okay=False))
@click.option("--runs", type=click.IntRange(1, 100_000_000), help="Replications (default: the scenario's).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Root seed (default: the scenario's).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Results folder [reports/<id>/].")
@click.option("--workers", type=click.IntRange(1, 1024), help="Local processes [all cores].")
@click.option("--no-report", is_flag=True, help="Skip the HTML report.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@set_option
def command(
    scenario_file: str,
    runs: int | None,
    seed: int | None,
    out_dir: str | None,
    workers: int | None,
    no_report: bool,
    quiet: bool,
    sets: tuple[str, ...],
) -> None:
    """Run SCENARIO_FILE many times and print how likely each outcome is."""
    scenario = with_sets(load_scenario(scenario_file), sets)
    out = Path(out_dir) if out_dir else default_out_dir(scenario.scenario.id)
    check_writable(out)
    with resultdir.writing(out, "run"):  # the lock is held from before the computation to the end
        report, results = _run_and_save(scenario_file, scenario, runs, seed, workers, quiet, no_report, out)
    print_results(results, Console())
    for warning in run_warnings(results):
        click.echo(f"warning: {warning}", err=True)
    if report is not None:
        click.echo(f"report: {report}")
    click.echo(f"results: {out}")


def _run_and_save(
    scenario_file: str,
    scenario: Scenario,
    runs: int | None,
    seed: int | None,
    workers: int | None,
    quiet: bool,
    no_report: bool,
    out: Path,
) -> tuple[Path | None, RunResults]:
    """Run with a progress bar on stderr, then write the results folder."""
    total = runs or scenario.scenario.monte_carlo.runs
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task(scenario.scenario.id, total=total)
        results = run_with_base(
            scenario_file,
            scenario,
            runs=runs,
            seed=seed,
            workers=workers,
            progress=lambda k: bar.advance(task, k),
            rows_dir=out,
        )
    return save_run(results, out, report=not no_report), results


def print_results(results: RunResults, console: Console) -> None:
    """Outcome probabilities with 95% Wilson intervals, timing and peak escalation."""
    meta = results.scenario.scenario
    # user text (titles, names) is printed as Text: never read as Rich markup
    table = Table(title=Text(f"{meta.title} — {results.runs_count:,} runs, seed {results.seed}"))
    for col, justify in (("outcome", "left"), ("P", "right"), ("95% CI", "right"), ("median first", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in outcome_table(results).itertuples():
        step = float(row.median_step)  # type: ignore[arg-type]
        when = "—" if math.isnan(step) else f"step {step:.0f} ({row.median_date})"
        table.add_row(
            Text(str(row.name)), f"{row.probability:.1%}", f"{row.ci_low:.1%} – {row.ci_high:.1%}", when
        )
    console.print(table)
    peaks = Table(title="Peak escalation reached (share of runs)")
    peaks.add_column("ladder level")
    peaks.add_column("at", justify="right")
    peaks.add_column("highest", justify="right")
    peaks.add_column("at least", justify="right")
    for lv in peak_level_distribution(results).itertuples():
        peaks.add_row(Text(str(lv.name)), f"{lv.at:g}", f"{lv.share:.1%}", f"{lv.share_at_least:.1%}")
    console.print(peaks)
    for track in results.scenario.ladder.tracks:
        print_track(results, track.id, track.name, console)
    if bargains(results):
        print_bargaining(results, console)
    console.print(
        f"{results.runs_count:,} runs in {results.elapsed_s:.1f} s "
        f"({results.runs_count / max(results.elapsed_s, 1e-9):,.0f} runs/s, "
        f"{results.extra.get('workers', 1)} workers)"
    )


def print_track(results: RunResults, track_id: str, name: str, console: Console) -> None:
    """Peak reached on one escalation track (share of runs, every run)."""
    table = Table(title=Text(f"Escalation track: {name} — peak reached (share of runs)"))
    table.add_column("level")
    for col_name in ("at", "highest", "at least"):
        table.add_column(col_name, justify="right")
    for lv in track_level_distribution(results, track_id).itertuples():
        table.add_row(Text(str(lv.name)), f"{lv.at:g}", f"{lv.share:.1%}", f"{lv.share_at_least:.1%}")
    console.print(table)


def print_bargaining(results: RunResults, console: Console) -> None:
    """Offers, deals and breakdowns (share of runs, median step), then the agreed terms."""
    deals = Table(title="Bargaining (share of runs)")
    for name, justify in (("event", "left"), ("P", "right"), ("95% CI", "right"), ("median step", "right")):
        deals.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in deal_table(results).itertuples():
        step = float(row.median_step)  # type: ignore[arg-type]
        deals.add_row(
            str(row.event),
            f"{row.probability:.1%}",
            f"{row.ci_low:.1%} – {row.ci_high:.1%}",
            "—" if math.isnan(step) else f"{step:.0f}",
        )
    console.print(deals)
    terms = Table(title="Terms of the first deal (0 = low end, 1 = high end of each issue)")
    for name, justify in (
        ("issue", "left"),
        ("0 means", "left"),
        ("1 means", "left"),
        ("median", "right"),
        ("middle half", "right"),
        ("deals", "right"),
    ):
        terms.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in terms_table(results).itertuples():
        median = "—" if row.deals == 0 else f"{row.median:.2f}"
        middle = "—" if row.deals == 0 else f"{row.q25:.2f} – {row.q75:.2f}"
        terms.add_row(
            Text(str(row.name)), Text(str(row.low)), Text(str(row.high)), median, middle, f"{row.deals:,}"
        )
    console.print(terms)
    if not results.complete:
        console.print(f"terms: deals among the first {len(results.runs):,} runs (the rows kept in memory)")
