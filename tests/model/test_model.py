"""Tests of the Mesa model as a whole (sim/model/model.py, agents.py) on tests/data/mini.yaml."""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.core.columns import HIST_BINS
from sim.engine.results import RunResults
from sim.engine.runner import prepare, run_scenario
from sim.engine.seeds import stream_factory
from sim.model.agents import ActorAgent
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario

DATA = Path(__file__).parents[1] / "data"


def _run(sc: Scenario, runs: int = 1000, seed: int = 3) -> RunResults:
    return run_scenario(sc, runs=runs, seed=seed, batch_size=500, workers=1, samples=4)


@pytest.fixture(scope="module")
def mini_results(mini_scenario: Scenario) -> RunResults:
    """3000 runs of mini.yaml (in-process)."""
    return run_scenario(mini_scenario, runs=3000, seed=1, batch_size=1500, workers=1, samples=20)


def test_mesa_model_with_one_run(mini_scenario: Scenario) -> None:
    cs = prepare(mini_scenario)
    model = EscalationModel(cs, 1, stream_factory(0, 0), keep_samples=1)
    assert isinstance(model, mesa.Model)
    agents = list(model.agents)
    assert len(agents) == len(mini_scenario.actors)
    assert all(isinstance(a, mesa.Agent) and isinstance(a, ActorAgent) for a in agents)
    assert sorted(a.actor_id for a in agents) == sorted(mini_scenario.actor_ids)
    out = model.run()
    assert model.steps == cs.horizon == 60
    assert out.outcome_step.shape == (4, 1)
    assert out.escalation_hist.shape == (61, HIST_BINS)
    np.testing.assert_array_equal(out.escalation_hist.sum(axis=1), 1)
    assert out.action_counts.shape == (60, 4, 5)
    np.testing.assert_array_equal(out.action_counts.sum(axis=2), 1)  # one action per actor per step
    assert out.sample_escalation.shape == (61, 1)
    assert out.sample_escalation[-1, 0] == pytest.approx(out.final[0])
    assert out.peak[0] == pytest.approx(out.sample_escalation[:, 0].max())


def test_actions_stay_in_catalogue(mini_results: RunResults, mini_scenario: Scenario) -> None:
    counts = mini_results.action_counts.sum(axis=0)  # (A, K)
    ids = mini_scenario.action_ids
    for i, actor in enumerate(mini_scenario.actors):
        outside = [k for k, a in enumerate(ids) if a not in actor.actions]
        inside = [k for k, a in enumerate(ids) if a in actor.actions]
        assert counts[i, outside].sum() == 0, actor.id
        assert counts[i, inside].sum() == 3000 * 60
    # the test can fail: the south government uses all five of its actions
    assert np.all(counts[3] > 0)
    for s in mini_results.samples:
        for i, actor in enumerate(mini_scenario.actors):
            assert {ids[k] for k in s.actions[:, i]} <= set(actor.actions)


def test_escalation_stays_on_ladder(mini_results: RunResults) -> None:
    hist = mini_results.escalation_hist
    assert hist.shape == (61, HIST_BINS)
    np.testing.assert_array_equal(hist.sum(axis=1), 3000)
    runs = mini_results.runs
    for col in ("peak_escalation", "final_escalation"):
        assert runs[col].between(0, 100).all()
    assert (runs["peak_escalation"] >= runs["final_escalation"]).all()
    for s in mini_results.samples:
        assert np.all((s.escalation >= 0) & (s.escalation <= 100))


def test_escalation_saturates_at_the_top(mini_scenario: Scenario) -> None:
    """Accidents every step worth the whole ladder: escalation sits at max and never above."""
    hot = apply_overrides(
        mini_scenario,
        {"dynamics.accident_base": 1.0, "dynamics.accident_severity": 100.0, "dynamics.relaxation": 0.0},
    )
    res = _run(hot, runs=200)
    assert (res.runs["peak_escalation"] == 100).all()
    assert (res.runs["final_escalation"] <= 100).all()
    np.testing.assert_array_equal(res.escalation_hist[1:, -1], 200)  # the top bin holds max itself
    for s in res.samples:
        assert s.escalation.max() == 100.0


def test_outcome_first_steps_are_consistent(mini_results: RunResults) -> None:
    r = mini_results.runs
    assert r["deal"].sum() > 50 and r["talks"].sum() > 50  # both happen: the checks below bite
    assert not (r["deal"] & ~r["talks"]).any()
    deal = r[r["deal"]]
    assert (deal["deal_step"] >= deal["talks_step"]).all()
    assert not (r["war"] & ~r["clash"]).any()
    war = r[r["war"]]
    assert (war["war_step"] >= war["clash_step"]).all()
    for oid in ("talks", "deal", "clash", "war"):
        assert (r[f"{oid}_step"].notna() == r[oid]).all()
        assert r.loc[r[oid], f"{oid}_step"].between(1, 60).all()
    # a first step at or above the threshold: clash runs have peaks >= 50
    assert (r.loc[r["clash"], "peak_escalation"] >= 50).all()
    assert (r.loc[~r["clash"], "peak_escalation"] < 50).all()


def test_full_veto_by_a_holder_who_hates_the_action_blocks_it() -> None:
    veto = load_scenario(DATA / "mini_veto_hated.yaml")
    open_door = apply_overrides(veto, {"relations.leader_veto.strength": 0.0})
    diplomats, talk = veto.actor_ids.index("diplomats"), veto.action_ids.index("talk")
    attempts = _run(open_door).action_counts[:, diplomats, talk].sum()
    passed = _run(veto).action_counts[:, diplomats, talk].sum()
    assert attempts > 1000  # without the veto the diplomats talk often
    assert passed <= 0.001 * attempts


def test_lever_forbid_removes_the_action(mini_scenario: Scenario) -> None:
    forbid = load_scenario(DATA / "mini_forbid_strike.yaml")
    strike = forbid.action_ids.index("strike")
    assert _run(mini_scenario).action_counts[:, :, strike].sum() > 0
    assert _run(forbid).action_counts[:, :, strike].sum() == 0


def test_event_with_probability_zero_never_fires(mini_scenario: Scenario) -> None:
    never = apply_overrides(mini_scenario, {"events.change.probability": 0.0})
    without = load_scenario(DATA / "mini_no_change.yaml")
    a, b = _run(never), _run(without)
    assert not a.runs["event.change"].any()
    assert "event.change" not in b.runs
    pd.testing.assert_frame_equal(a.runs.drop(columns="event.change"), b.runs)
    np.testing.assert_array_equal(a.action_counts, b.action_counts)
    np.testing.assert_array_equal(a.escalation_hist, b.escalation_hist)
    always = _run(apply_overrides(mini_scenario, {"events.change.probability": 1.0}))
    assert always.runs["event.change"].all()
    # and the event matters: with it the runs differ
    assert not np.array_equal(always.action_counts, b.action_counts)


def test_event_column_matches_its_effects(mini_scenario: Scenario) -> None:
    cs = prepare(mini_scenario)
    model = EscalationModel(cs, 400, stream_factory(9, 0))
    drawn = model.draws.traits["hawkishness"][3].copy()
    model.run()
    fired = model.draws.columns["event.change"]
    assert 100 < fired.sum() < 300
    hawk = model.traits["hawkishness"][3]
    np.testing.assert_array_equal(hawk[fired], 0.2)  # set_trait south_gov.hawkishness = 0.2
    np.testing.assert_array_equal(hawk[~fired], drawn[~fired])
    max_pressure = [lv.id for lv in cs.levers].index("max_pressure")
    np.testing.assert_array_equal(model.lever_on[max_pressure], ~fired)  # lever switched off
