"""Statistics of the record and of simulated runs: known answers, agreement with the engine's
own action counts, and per-run given parameter values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.calibrate.observations import Header, Observations, ObservedEvent, Period
from sim.calibrate.priors import select_priors, values_at
from sim.calibrate.summary import (
    RecordingModel,
    StatSpec,
    compile_period,
    episodes_of,
    observed_statistics,
    simulate_statistics,
)
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario

MINI = Path(__file__).resolve().parents[2] / "tests" / "data" / "mini.yaml"


def _ev(day: int, actor: str, action: str) -> ObservedEvent:
    date = dt.date(2020, 1, 1) + dt.timedelta(days=day - 1)
    return ObservedEvent(date=date, actor=actor, action=action, what="w", source="s", quote="q")


def record(events: list[ObservedEvent]) -> Observations:
    period = Period(start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 29))  # 60 days
    return Observations(observations=Header(scenario="mini", title="t", period=period), events=events)


def test_episodes() -> None:
    assert episodes_of(np.array([])) == 0
    assert episodes_of(np.array([3, 10, 24, 40, 40])) == 2  # gaps 7, 14, 16: a new episode after 16


def test_observed_statistics_known_answer() -> None:
    sc = load_scenario(MINI)
    obs = record(
        [
            _ev(2, "guards", "strike"),
            _ev(5, "south_gov", "sanction"),
            _ev(40, "guards", "strike"),
            _ev(41, "south_gov", "talk"),
        ]
    )
    spec = StatSpec.of(sc, 60)
    x = dict(zip(spec.names, observed_statistics(spec, sc, obs), strict=True))
    assert x["count.guards.military"] == 2 and x["count.south_gov.conflict"] == 1
    assert x["count.south_gov.cooperation"] == 1 and x["count.south_gov.military"] == 0
    assert x["late_share"] == pytest.approx(1 / 3)  # day 40 of 3 hostile acts is after day 30
    assert x["episodes"] == 2


def test_recorded_counts_match_the_engine_action_counts() -> None:
    sc = load_scenario(MINI)
    cs = compile_period(sc, record([]))
    spec = StatSpec.of(cs.scenario, cs.horizon)
    model = RecordingModel(cs, spec, 300, seed=5, key=0, given={})
    for _ in range(cs.horizon):
        model.step()
    per_act = model.action_counts.sum(axis=0)  # (A, K) over all runs and steps
    totals = model.statistics()[:, : spec.n_counts].sum(axis=0)
    expect = np.zeros(spec.n_counts)
    np.add.at(expect, spec.stat_of[spec.stat_of >= 0], per_act[spec.stat_of >= 0])
    np.testing.assert_array_equal(totals, expect)


def test_given_values_replace_draws_and_leave_the_rest() -> None:
    sc = load_scenario(MINI)
    cs = compile_period(sc, record([]))
    same = {"dynamics.weights.war_cost": np.full(200, 3.0)}  # the scenario's own fixed value
    a = EscalationModel(cs, 200, stream_factory(1, 0)).run()
    b = EscalationModel(cs, 200, stream_factory(1, 0), given=same).run()
    np.testing.assert_array_equal(a.outcome_step, b.outcome_step)
    np.testing.assert_array_equal(b.columns["param.dynamics.weights.war_cost"], np.float32(3.0))
    high = {"dynamics.weights.war_cost": np.full(200, 9.0)}
    c = EscalationModel(cs, 200, stream_factory(1, 0), given=high).run()
    assert c.peak.mean() < a.peak.mean()  # a dearer war: less escalation
    with pytest.raises(ValueError, match="no parameter site"):
        EscalationModel(cs, 10, stream_factory(1, 0), given={"dynamics.nothing": np.zeros(10)})


def test_simulated_statistics_move_with_a_given_constant() -> None:
    """The constant reaches the runs: the statistics differ between its prior's two ends."""
    sc = load_scenario(MINI)
    cs = compile_period(sc, record([]))
    spec = StatSpec.of(cs.scenario, cs.horizon)
    (prior,) = select_priors(sc, ["dynamics.logit_precision"])
    lo = simulate_statistics(cs, spec, values_at([prior], np.full((400, 1), 0.0)), 3, 1)
    hi = simulate_statistics(cs, spec, values_at([prior], np.full((400, 1), 1.0)), 3, 1)
    assert not np.allclose(lo.mean(axis=0), hi.mean(axis=0))
    assert ((lo[:, -2] >= 0) & (lo[:, -2] <= 1)).all()  # late_share is a share
