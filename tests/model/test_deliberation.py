"""Deliberate decisions: actors reconsider at a rate, and at once when hit or when an event fires."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.runner import prepare, run_scenario
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.model.updates import deliberates
from sim.scenario.loader import load_scenario
from sim.scenario.paths import apply_overrides
from sim.scenario.schema import Scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def _mini(rate: float) -> Scenario:
    return apply_overrides(load_scenario(MINI), {"dynamics.reconsider_rate": rate})


def test_deliberates_known_values() -> None:
    u = np.array([0.1, 0.5, 0.9, 0.9])
    out = deliberates(u, np.array(0.5), np.array([False, False, False, True]))
    np.testing.assert_array_equal(out, [True, False, False, True])


def test_the_default_is_the_daily_model() -> None:
    daily = load_scenario(MINI)
    assert daily.dynamics.reconsider_rate.value == 1.0
    same = run_scenario(_mini(1.0), runs=300, seed=4, workers=1, samples=0).runs
    base = run_scenario(daily, runs=300, seed=4, workers=1, samples=0).runs
    assert same.equals(base)


def test_slower_deliberation_means_fewer_acts() -> None:
    def acts(rate: float) -> float:
        res = run_scenario(_mini(rate), runs=1000, seed=4, workers=1, samples=0)
        hold = res.scenario.action_ids.index("hold")
        counts = res.action_counts.sum(axis=(0, 1))
        return float(1 - counts[hold] / counts.sum())

    daily, weekly = acts(1.0), acts(1 / 7)
    assert weekly < 0.6 * daily


def test_without_a_chance_to_reconsider_only_triggers_move_anyone() -> None:
    cs = prepare(_mini(0.0))
    model = EscalationModel(cs, 500, stream_factory(6, 0))
    hold = cs.status_quo
    moved_at_trigger = 0
    for _ in range(cs.horizon):
        hit_before = model.hit > 0
        changed_before = model.state_changed.copy()
        model.step()
        triggered = hit_before | model.fired_now | changed_before
        choices = np.stack([a.choice for a in model.actor_agents])
        acted = choices != hold
        assert not (acted & ~triggered).any()
        moved_at_trigger += int(acted.sum())
    assert moved_at_trigger > 0  # the opening event and the hits that follow do move actors
