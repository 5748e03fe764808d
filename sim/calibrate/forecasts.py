"""Forecasts read from any results folder: ``sim run`` (one), ``sim compare`` (one per scenario),
``sim sweep`` (one per design point), as probabilities that each outcome happened by a date.

The probability of outcome o by date D is the share of runs whose first step of o (the per-run
``<outcome>_step`` column, NaN when never) is at most ``(D - start_date) / step_days``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.score import Forecast, probability_by
from sim.core import columns as col
from sim.core.errors import Problem, SimUserError
from sim.engine.results import RunResults
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.sweep.store import SweepStore


def horizon_date(sc: Scenario) -> dt.date:
    """The date of the last simulated step."""
    s = sc.scenario
    return s.start_date + dt.timedelta(days=s.horizon * s.step_days)


def max_step(sc: Scenario, by: dt.date, where: str) -> int:
    """The last step on or before ``by``; SimUserError when ``by`` is outside the runs."""
    s = sc.scenario
    end = horizon_date(sc)
    if not s.start_date <= by <= end:
        raise SimUserError(
            [
                Problem(
                    where,
                    None,
                    "--by",
                    f"{by} is outside the simulated days {s.start_date}..{end}; give a date in between",
                )
            ]
        )
    return int((by - s.start_date).days // s.step_days)


def forecast_of(label: str, sc: Scenario, runs: pd.DataFrame, by: dt.date | None, where: str) -> Forecast:
    """Probabilities of every outcome of ``sc`` by ``by`` (default: the last simulated day)."""
    when = by or horizon_date(sc)
    last = max_step(sc, when, where)
    p = {
        o.id: probability_by(runs[col.first_step(o.id)].to_numpy(), last)
        for o in sc.outcomes
        if col.first_step(o.id) in runs.columns
    }
    return Forecast(label=label, by=when, runs=len(runs), p=p)


def forecast_of_results(label: str, r: RunResults, by: dt.date | None, where: str) -> Forecast:
    """:func:`forecast_of` for a run's results, exact over all its runs (from the streamed tallies,
    not the rows kept in memory)."""
    sc = r.scenario
    when = by or horizon_date(sc)
    last = max_step(sc, when, where)
    tally = r.tally
    p = {
        o.id: float(tally.share_by(col.first_step(o.id), np.array([last]))[0]) if tally.n else float("nan")
        for o in sc.outcomes
        if col.first_step(o.id) in tally.steps
    }
    return Forecast(label=label, by=when, runs=tally.n, p=p)


def load_forecasts(folder: str | Path, by: dt.date | None = None) -> list[Forecast]:
    """Forecasts of a run, compare or sweep results folder (SimUserError if it is none)."""
    root = Path(folder)
    where = str(root)
    if (root / "sweep.json").is_file():
        return _sweep_forecasts(root, by)
    if (root / "comparison.json").is_file():
        subdirs = (
            sorted(d for d in (root / "runs").iterdir() if d.is_dir()) if (root / "runs").is_dir() else []
        )
        out = []
        for d in subdirs:
            r = _load_run(d)
            out.append(forecast_of_results(d.name, r, by, where))
        return out
    if (root / "runs.parquet").is_file():
        r = _load_run(root)
        return [forecast_of_results(r.scenario.scenario.id, r, by, where)]
    raise SimUserError(
        [Problem(where, None, "", "not a results folder of `sim run`, `sim compare` or `sim sweep`")]
    )


def _load_run(d: Path) -> RunResults:
    try:
        return RunResults.load(d)
    except FileNotFoundError as err:
        raise SimUserError([Problem(str(d), None, "", str(err))]) from None


def _sweep_forecasts(root: Path, by: dt.date | None) -> list[Forecast]:
    store = SweepStore(root)
    meta = store.verify()
    path = Path(meta["scenario_path"])
    if not path.is_file():
        raise SimUserError(
            [
                Problem(
                    str(root / "sweep.json"),
                    None,
                    "scenario_path",
                    f"the sweep's scenario {path} is not found; run `sim score` where the sweep ran",
                )
            ]
        )
    sc = load_scenario(path)
    runs = store.read_runs()
    return [forecast_of(f"point {k}", sc, g, by, str(root)) for k, g in runs.groupby(col.POINT, sort=True)]
