"""``sim compare BASE.yaml VARIANT.yaml [...]``: counterfactuals on common random numbers.

Every scenario is run with the same seed, number of runs and batch size, so run ``n`` of each
draws from the same random streams; differences are computed run by run (variant − base).
Writes ``comparison.json``, ``comparison.md``, ``report.html`` and one results folder per scenario
(``runs/<scenario id>/``, as ``sim run`` writes them) into ``reports/compare_<base id>/``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
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

from sim import resultdir
from sim.analysis.compare import VariantComparison, compare_all
from sim.analysis.pairing import check_pairable
from sim.analysis.stats import summary_dict
from sim.cli.run import _check_writable
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.fileio import atomic_write_bytes
from sim.report.compare_report import comparison_markdown, write_compare_report
from sim.scenario.errors import Problem, SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario


def default_out_dir(base_id: str) -> Path:
    """Where a comparison goes by default: ``reports/compare_<base id>/``."""
    return Path("reports") / f"compare_{base_id}"


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
def command(
    base_file: str,
    variant_files: tuple[str, ...],
    runs: int | None,
    seed: int | None,
    out_dir: str | None,
    workers: int | None,
    no_report: bool,
    quiet: bool,
) -> None:
    """Compare BASE.yaml with each VARIANT.yaml on common random numbers."""
    base_sc, variant_scs = load_all(base_file, variant_files)
    mc = base_sc.scenario.monte_carlo
    runs = mc.runs if runs is None else runs
    seed = mc.seed if seed is None else seed
    out = Path(out_dir) if out_dir else default_out_dir(base_sc.scenario.id)
    _check_writable(out)
    with resultdir.writing(out, "compare") as writer:  # lock held for the whole computation and write
        results = run_all([base_sc, *variant_scs], runs, seed, mc.batch_size, workers, quiet)
        base, variants = results[0], results[1:]
        comparisons = compare_all(base, variants)
        save_all(out, results, comparisons)
        writer.record("comparison.json", "comparison.md")
        console = Console()
        print_comparison(base, comparisons, console)
        if not no_report:
            path = write_compare_report(base, variants, comparisons, out / "report.html")
            writer.record("report.html")
            click.echo(f"report: {path}")
    click.echo(f"results: {out}")


def load_all(base_file: str, variant_files: tuple[str, ...]) -> tuple[Scenario, list[Scenario]]:
    """Load the base and the variants; a variant file that is the base file is skipped (so a
    shell glob may include it). Raises SimUserError if two scenarios share an id."""
    base_path = Path(base_file).resolve()
    files = [f for f in dict.fromkeys(variant_files) if Path(f).resolve() != base_path]
    if not files:
        raise SimUserError(
            [Problem(base_file, None, "VARIANT.yaml", "give at least one variant other than the base")]
        )
    base = load_scenario(base_file)
    variants = [load_scenario(f) for f in files]
    seen = {base.scenario.id: base_file}
    for f, v in zip(files, variants, strict=True):
        vid = v.scenario.id
        if vid in seen:
            raise SimUserError(
                [
                    Problem(
                        f,
                        None,
                        "scenario.id",
                        f"`{vid}` is also the id of {seen[vid]}: give each "
                        "variant its own `scenario: {id: ...}`",
                    )
                ]
            )
        seen[vid] = f
    check_pairable(base, variants, files)
    return base, variants


def run_all(
    scenarios: list[Scenario], runs: int, seed: int, batch_size: int, workers: int | None, quiet: bool
) -> list[RunResults]:
    """Run every scenario with the same runs, seed and batch size (common random numbers)."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=quiet,
        transient=True,
    ) as bar:
        tasks = [bar.add_task(s.scenario.id, total=runs) for s in scenarios]
        out = []
        for s, task in zip(scenarios, tasks, strict=True):

            def advance(k: int, t: TaskID = task) -> None:
                bar.advance(t, k)

            res = run_scenario(
                s, runs=runs, seed=seed, workers=workers, batch_size=batch_size, progress=advance
            )
            out.append(res)
    return out


def save_all(out: Path, results: list[RunResults], comparisons: list[VariantComparison]) -> Path:
    """Write ``runs/<id>/`` per scenario (RunResults.save + summary.json), comparison.json and
    comparison.md (the headline tables in Markdown)."""
    dirs = {}
    for r in results:
        with resultdir.writing(out / "runs" / r.scenario.scenario.id, "run") as run_writer:
            d = r.save(run_writer.root)
            atomic_write_bytes(
                d / "summary.json", json.dumps(_clean(summary_dict(r)), indent=1, default=str).encode()
            )
            run_writer.record("summary.json")
        dirs[r.scenario.scenario.id] = str(d.relative_to(out))
    base = results[0]
    doc = {
        "base": base.scenario.scenario.id,
        "runs": base.runs_count,
        "seed": base.seed,
        "batch_size": base.batch_size,
        "method": {
            "pairing": "run by run on the `run` index (common random numbers)",
            "paired_interval": "Newcombe (1998) method 10 hybrid score for paired proportions",
            "p_value": "exact McNemar (binomial test of discordant pairs)",
            "unpaired_interval": "Newcombe (1998) hybrid score for independent proportions",
            "escalation": "paired t interval (Welch for contrast)",
            "distinguishable": "paired interval excludes 0",
        },
        "scenarios": dirs,
        "comparisons": [c.to_dict() for c in comparisons],
    }
    path = out / "comparison.json"
    atomic_write_bytes(path, json.dumps(_clean(doc), indent=1).encode())
    atomic_write_bytes(out / "comparison.md", comparison_markdown(base, comparisons).encode())
    return path


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN and infinities become null."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def print_comparison(base: RunResults, comparisons: list[VariantComparison], console: Console) -> None:
    """Each outcome's probability under each scenario and the paired difference with its interval."""
    meta = base.scenario.scenario
    table = Table(title=f"{escape(meta.title)} vs variants — {base.runs_count:,} runs each, seed {base.seed}")
    table.add_column("outcome")
    table.add_column("scenario", no_wrap=True)
    for col in ("P", "variant − base", "paired 95% CI", "McNemar p"):
        table.add_column(col, justify="right")
    table.add_column("≠ 0", justify="center")
    for o in base.scenario.outcomes:
        p_base = float(base.runs[o.id].mean())
        table.add_row(escape(o.name), meta.id, f"{p_base:.1%}", "base", "", "", "")
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
            console.print(f"[yellow]warning[/]: {c.variant_id}: {escape(note)}")
