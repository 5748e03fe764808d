"""The Python API for notebooks: load a scenario, run it, get DataFrames.

    >>> import sim.api as sim
    >>> results = sim.run("scenarios/iran_us_2019.yaml", runs=5000)
    >>> sim.outcomes(results)          # probability, 95% interval, median first step per outcome
    >>> results.runs                   # one row per run (the first 100,000), with every drawn parameter
    >>> sim.compare("scenarios/iran_us_2019.yaml", "scenarios/iran_us_2019_sanctions_relief.yaml")

Everything here is a thin layer over :mod:`sim.workflow`, which the CLI uses too; errors in a scenario raise
:class:`sim.core.errors.SimUserError` listing every problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.analysis.stats import outcome_table, peak_level_distribution
from sim.core.errors import Problem, SimUserError
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Param, Scenario
from sim.workflow.compare import compare_files, comparison_frame
from sim.workflow.run import ScenarioLike, scenario_of

__all__ = ["ScenarioLike", "compare", "escalation", "load", "outcomes", "peaks", "run"]


def load(path: str | os.PathLike[str]) -> Scenario:
    """Load and validate a scenario file (variants merged into their base)."""
    return load_scenario(path)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    """``runs``/``seed``/``workers`` must be whole numbers in range: not bools, not floats."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise SimUserError(
            [Problem("", None, name, f"must be a whole number in {low}..{high:,}, got {value!r}")]
        )


def _check_args(runs: object, seed: object, workers: object) -> None:
    _check_int("runs", runs, 1, 100_000_000)
    _check_int("seed", seed, 0, 2**63 - 1)
    _check_int("workers", workers, 1, 1024)


def run(
    scenario: ScenarioLike,
    *,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    overrides: Mapping[str, float | Param] | None = None,
) -> RunResults:
    """Run the Monte Carlo. ``overrides`` fixes parameters by path, e.g.
    ``{"actors.khamenei.traits.pressure_aversion": 0.5}``."""
    _check_args(runs, seed, workers)
    return run_scenario(scenario_of(scenario, overrides), runs=runs, seed=seed, workers=workers)


def escalation(results: RunResults, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Escalation quantiles per step as a labelled DataFrame: one row per step (index ``step``),
    a ``date`` column, and one column per quantile (``q0.05``, ``q0.5``, ...), in ladder points."""
    values = results.escalation_quantiles(list(quantiles))
    meta = results.scenario.scenario
    frame = pd.DataFrame(values, columns=[f"q{q:g}" for q in quantiles])
    frame.index.name = "step"
    frame.insert(0, "date", [meta.date_of(t) for t in range(len(frame))])
    return frame


def outcomes(results: RunResults) -> pd.DataFrame:
    """One row per outcome: probability, Wilson 95% interval, median first step and date."""
    return outcome_table(results)


def peaks(results: RunResults) -> pd.DataFrame:
    """Share of runs whose peak escalation reached each ladder level."""
    return peak_level_distribution(results)


def compare(
    base: ScenarioLike,
    *variants: ScenarioLike,
    runs: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
) -> pd.DataFrame:
    """Paired comparison with common random numbers (:mod:`sim.workflow.compare`): one row per
    (variant, outcome) with both probabilities, the paired difference and its 95% interval."""
    _check_args(runs, seed, workers)
    comparison = compare_files(base, *variants, runs=runs, seed=seed, workers=workers)
    return comparison_frame(comparison.comparisons)
