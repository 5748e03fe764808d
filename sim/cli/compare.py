"""``sim compare BASE.yaml VARIANT.yaml [...]``: counterfactuals on common random numbers.

Every scenario is run with the same seed, number of runs and batch size, so run ``n`` of each
draws from the same random streams; differences are computed run by run (variant − base).
Writes ``comparison.json``, ``comparison.md``, ``report.html`` and one results folder per scenario
(``runs/<scenario id>/``, as ``sim run`` writes them) into ``reports/compare_<base id>/``; the
work is :mod:`sim.workflow.compare`, shared with ``sim.api.compare``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim.analysis.compare import VariantComparison
from sim.cli.options import set_option, with_sets
from sim.core import resultdir
from sim.engine.results import RunResults
from sim.workflow.compare import (
    check_replaces_same,
    compare_on_crn,
    default_out_dir,
    load_all,
    save_comparison,
)
from sim.workflow.run import check_writable


@click.command("compare")
@click.argument("base_file", metavar="BASE.yaml", type=click.Path(dir_okay=False))
@click.argument(
    "variant_files", metavar="VARIANT.yaml...", nargs=-1, required=True, type=click.Path(dir_okay=False)
)
@click.option("--runs", type=click.IntRange(1, 100_000_000), help="Replications per scenario [base's].")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Root seed shared by all [base's].")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Folder [reports/compare_<id>/].")
@click.option("--workers", type=click.IntRange(1, 1024), help="Local processes [all cores].")
@click.option("--no-report", is_flag=True, help="Skip the HTML report.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.option("--force", is_flag=True, help="Replace a comparison of other scenarios in the folder.")
@set_option
def command(
    base_file: str,
    variant_files: tuple[str, ...],
    runs: int | None,
    seed: int | None,
    out_dir: str | None,
    workers: int | None,
    no_report: bool,
    quiet: bool,
    force: bool,
    sets: tuple[str, ...],
) -> None:
    """Compare BASE.yaml with each VARIANT.yaml on common random numbers (--set applies to all)."""
    base_sc, variant_scs = load_all(base_file, variant_files)
    base_sc, variant_scs = with_sets(base_sc, sets), [with_sets(v, sets) for v in variant_scs]
    out = Path(out_dir) if out_dir else default_out_dir(base_sc.scenario.id)
    check_writable(out)
    check_replaces_same(out, [s.scenario.id for s in [base_sc, *variant_scs]], force)
    total = base_sc.scenario.monte_carlo.runs if runs is None else runs
    with resultdir.writing(out, "compare"):  # the lock is held for the whole computation and write
        with _progress(quiet) as bar:
            ticks = [_ticker(bar, s.scenario.id, total) for s in [base_sc, *variant_scs]]
            comparison = compare_on_crn(
                base_sc, variant_scs, runs=runs, seed=seed, workers=workers, progress=ticks, rows_dir=out
            )
        report = save_comparison(out, comparison, report=not no_report)
    print_comparison(comparison.base, comparison.comparisons, Console())
    if report is not None:
        click.echo(f"report: {report}")
    click.echo(f"results: {out}")


def _progress(quiet: bool) -> Progress:
    """One bar per scenario on stderr (none when ``quiet``), cleared when done."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=True,
    )


def _ticker(bar: Progress, name: str, total: int) -> Callable[[int], None]:
    """A bar for one scenario and the callback that advances it by ``k`` runs."""
    task: TaskID = bar.add_task(name, total=total)
    return lambda k: bar.advance(task, k)


def print_comparison(base: RunResults, comparisons: list[VariantComparison], console: Console) -> None:
    """Each outcome's probability under each scenario and the paired difference with its interval."""
    meta = base.scenario.scenario
    # user text (titles, names) is printed as Text: never read as Rich markup
    table = Table(title=Text(f"{meta.title} vs variants — {base.runs_count:,} runs each, seed {base.seed}"))
    table.add_column("outcome")
    table.add_column("scenario", no_wrap=True)
    for col in ("P", "variant − base", "paired 95% CI", "McNemar p"):
        table.add_column(col, justify="right")
    table.add_column("≠ 0", justify="center")
    for o in base.scenario.outcomes:
        p_base = base.tally.share(o.id)
        table.add_row(Text(o.name), Text(meta.id), f"{p_base:.1%}", "base", "", "", "")
        for i, c in enumerate(comparisons):
            last = i == len(comparisons) - 1
            d = next((x for x in c.outcomes if x.outcome == o.id), None)
            if d is None:
                table.add_row("", c.variant_id, "—", "not declared", "", "", "", end_section=last)
                continue
            table.add_row(
                "",
                c.variant_id,
                f"{d.p_variant:.1%}",
                f"{100 * d.diff:+.1f} pp",
                f"{100 * d.paired[0]:+.1f} … {100 * d.paired[1]:+.1f}",
                "<0.0001" if d.p_value < 1e-4 else f"{d.p_value:.4f}",
                "[bold green]yes[/]" if d.distinguishable else "no",
                end_section=last,
            )
    console.print(table)
    for sid, title in [(meta.id, meta.title), *((c.variant_id, c.variant_title) for c in comparisons)]:
        console.print(Text.assemble("  ", (sid, "bold"), f": {title}"))
    means = Table(title="Mean peak/final escalation, variant − base (ladder points, paired 95% CI)")
    means.add_column("variant", no_wrap=True)
    for col in ("metric", "base", "variant mean", "difference", "≠ 0"):
        means.add_column(col)
    for c in comparisons:
        for m in c.escalation:
            means.add_row(
                c.variant_id,
                m.metric.removesuffix("_escalation"),
                f"{m.mean_base:.2f}",
                f"{m.mean_variant:.2f}",
                f"{m.diff:+.2f} ({m.paired[0]:+.2f} … {m.paired[1]:+.2f})",
                "[bold green]yes[/]" if m.distinguishable else "no",
            )
    console.print(means)
    for c in comparisons:
        for note in c.notes:
            console.print(Text.assemble(("warning", "yellow"), f": {c.variant_id}: {note}"))
