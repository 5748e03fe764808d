"""``sim score RESULTS OUTCOMES.yaml [--by DATE]``: Brier and log scores of forecasts."""

from __future__ import annotations

import datetime as dt

import click
import pandas as pd
from rich.console import Console
from rich.table import Table

from sim.workflow.score import save_scores, score_results


@click.command("score")
@click.argument("results", type=click.Path(file_okay=False))
@click.argument("outcomes_file", type=click.Path(dir_okay=False))
@click.option(
    "--by", type=click.DateTime(formats=["%Y-%m-%d"]), help="Horizon date YYYY-MM-DD [last simulated day]."
)
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False), help="Also write the scores to this JSON file."
)
def command(results: str, outcomes_file: str, by: dt.datetime | None, json_out: str | None) -> None:
    """Score the forecasts in RESULTS (a run, compare or sweep folder) against OUTCOMES_FILE."""
    scores = score_results(results, outcomes_file, by.date() if by else None)
    console = Console()
    console.print(
        _table(
            "Scores per outcome (lower is better)",
            scores.table,
            [
                "forecast",
                "outcome",
                "by",
                "p",
                "happened",
                "brier",
                "log",
                "brier_5050",
                "brier_base",
                "base_rate",
            ],
        )
    )
    console.print(
        _table(
            "Overall (mean over outcomes); skill = 1 - Brier / reference Brier",
            scores.overall,
            [
                "forecast",
                "outcomes",
                "brier",
                "log",
                "brier_5050",
                "log_5050",
                "brier_base",
                "log_base",
                "skill_vs_5050",
                "skill_vs_base",
            ],
        )
    )
    console.print(
        _table("Reliability", scores.reliability, ["bin", "count", "mean_forecast", "observed_frequency"])
    )
    if json_out:
        click.echo(f"scores: {save_scores(scores, json_out)}")


def _table(title: str, df: pd.DataFrame, cols: list[str]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in cols:
        t.add_column(c)
    for row in df.itertuples(index=False):
        t.add_row(*(_fmt(getattr(row, c)) for c in cols))
    return t


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)
