"""SBC of ``sim calibrate`` on a small scenario: truths drawn from the priors of chosen constants,
records simulated by the engine over a period, the whole ABC-SMC per record (sim.calibrate.sbc)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.calibrate import abc
from sim.calibrate.batch import EngineSimulator
from sim.calibrate.observations import Header, Observations, Period
from sim.calibrate.priors import select_priors
from sim.calibrate.sbc import SBCResult, run_sbc
from sim.calibrate.summary import StatSpec, compile_period
from sim.scenario.loader import load_scenario


def engine_sbc(
    scenario_file: str | Path,
    params: list[str],
    days: int,
    settings: abc.Settings,
    replications: int,
    draws: int = 99,
    seed: int = 0,
) -> SBCResult:
    """SBC over a period of ``days`` days from the scenario's start date."""
    sc = load_scenario(scenario_file)
    start = sc.scenario.start_date + dt.timedelta(days=1)
    period = Period(start=start, end=start + dt.timedelta(days=days - 1))
    obs = Observations(observations=Header(scenario=sc.scenario.id, title="SBC", period=period))
    cs = compile_period(sc, obs)
    spec = StatSpec.of(cs.scenario, cs.horizon)
    sim = EngineSimulator(cs, spec, select_priors(sc, params), seed)
    return run_sbc(sim, len(params), settings, replications, draws, seed)
