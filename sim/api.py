"""The Python API for notebooks: load a scenario, run it, get DataFrames.

    >>> import sim.api as sim
    >>> results = sim.run("scenarios/iran_us_2019.yaml", runs=5000)
    >>> sim.outcomes(results)          # probability, 95% interval, median first step per outcome
    >>> results.runs                   # one row per run, with every drawn parameter
    >>> sim.compare("scenarios/iran_us_2019.yaml", "scenarios/iran_us_2019_sanctions_relief.yaml")

Everything here is a thin layer over the modules the CLI uses; errors in a scenario raise
:class:`sim.scenario.errors.SimUserError` listing every problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from sim.analysis.compare import compare_all
from sim.analysis.pairing import check_pairable
from sim.analysis.stats import outcome_table, peak_level_distribution
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.errors import Problem, SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Param, Scenario

ScenarioLike = Scenario | str | os.PathLike[str]


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


def _scenario(s: ScenarioLike, overrides: Mapping[str, float | Param] | None) -> Scenario:
    scenario = s if isinstance(s, Scenario) else load_scenario(s)
    return apply_overrides(scenario, overrides) if overrides else scenario


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
    return run_scenario(_scenario(scenario, overrides), runs=runs, seed=seed, workers=workers)


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
    """Paired comparison with common random numbers: one row per (variant, outcome) with both
    probabilities, the paired difference and its 95% interval."""
    _check_args(runs, seed, workers)
    base_sc = _scenario(base, None)
    mc = base_sc.scenario.monte_carlo
    runs = runs or mc.runs
    seed = mc.seed if seed is None else seed
    var_scs = [_scenario(v, None) for v in variants]
    check_pairable(base_sc, var_scs)
    base_res = run_scenario(base_sc, runs=runs, seed=seed, workers=workers)
    var_res = [
        run_scenario(v, runs=runs, seed=seed, workers=workers, batch_size=mc.batch_size) for v in var_scs
    ]
    rows = [
        {
            "variant": comp.variant_id,
            "outcome": d.outcome,
            "p_base": d.p_base,
            "p_variant": d.p_variant,
            "diff": d.diff,
            "ci_low": d.paired[0],
            "ci_high": d.paired[1],
            "p_value": d.p_value,
            "distinguishable": d.distinguishable,
        }
        for comp in compare_all(base_res, var_res)
        for d in comp.outcomes
    ]
    return pd.DataFrame(rows)
