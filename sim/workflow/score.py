"""Score a results folder against observed outcomes (``sim score``)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.calibrate.forecasts import load_forecasts
from sim.calibrate.observations import load_observations
from sim.calibrate.score import overall, reliability, score_table
from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_text


@dataclass(frozen=True)
class Scores:
    """Per (forecast, outcome) scores, their means per forecast, and the reliability table."""

    table: pd.DataFrame
    overall: pd.DataFrame
    reliability: pd.DataFrame

    def to_json(self) -> str:
        return json.dumps(
            {
                "scores": self.table.to_dict(orient="records"),
                "overall": self.overall.to_dict(orient="records"),
                "reliability": self.reliability.to_dict(orient="records"),
            },
            indent=1,
            default=str,
        )


def score_results(results: str | Path, outcomes_file: str | Path, by: dt.date | None = None) -> Scores:
    """Scores of every forecast in ``results`` (run, compare or sweep folder) at ``by`` (default:
    each scenario's last simulated day) against the ``outcomes:`` of ``outcomes_file``."""
    obs = load_observations(outcomes_file)
    if not obs.outcomes:
        raise SimUserError(
            [Problem(str(outcomes_file), None, "outcomes", "no `outcomes:` to score against; add some")]
        )
    forecasts = load_forecasts(results, by)
    table = score_table(forecasts, list(obs.outcomes))
    if table.empty:
        raise SimUserError(
            [
                Problem(
                    str(outcomes_file),
                    None,
                    "outcomes",
                    "no outcome of the file could be scored: none is an outcome of the results, or "
                    "none is known at the horizon (give `--by` on or before the `by:` dates)",
                )
            ]
        )
    return Scores(table=table, overall=overall(table), reliability=reliability(table))


def save_scores(scores: Scores, path: str | Path) -> Path:
    """Write the scores as JSON, atomically."""
    return atomic_write_text(path, scores.to_json())
