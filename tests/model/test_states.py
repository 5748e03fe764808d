"""Persistent states: started and ended by acts or events, effects while on, costs of ending."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.core.errors import SimUserError
from sim.engine.runner import prepare
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.scenario.kinds.states import StateSpec, advance_states
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"

BLOCKADE = """states:
  - id: blockade
    name: South's blockade of the north
    owner: south_gov
    starts_with: [sanction]
    ends_with: [relief]
    keep_cost: {keep}
    reverse_cost: {reverse}
    effects: [{{pressure_floor: {{side: north, value: 0.6}}}}]
    assumption: test
"""


def _scenario(tmp_path: Path, keep: float = 0.0, reverse: float = 0.0, extra: str = "") -> Scenario:
    text = MINI.read_text().replace(
        "outcomes:\n", BLOCKADE.format(keep=keep, reverse=reverse) + "outcomes:\n"
    )
    text = text.replace(
        "outcomes:\n",
        "outcomes:\n  - {id: blockaded, name: Blockade on, when: {state_active: blockade}}\n" + extra,
        1,
    )
    path = tmp_path / f"mini_states_{keep}_{reverse}.yaml"
    path.write_text(text)
    return load_scenario(path)


def _spec(initially: bool = False, expires: int = 0) -> StateSpec:
    starts = np.array([False, True, False])
    ends = np.array([False, False, True])
    from sim.scenario.kinds.effects import CompiledEffects

    return StateSpec("s", 0, starts, ends, initially, expires, CompiledEffects())


def test_advance_states_known_answers() -> None:
    on = np.array([[False, False, True, True]])
    since = np.zeros((1, 4), dtype=np.int64)
    choices = np.array([[1, 0, 2, 1]])  # start, nothing, end, start-while-on
    advance_states(on, since, (_spec(),), choices, t=5)
    np.testing.assert_array_equal(on[0], [True, False, False, True])
    np.testing.assert_array_equal(since[0], [5, 0, 0, 0])
    on2, since2 = np.array([[True, True]]), np.array([[0, 3]])
    advance_states(on2, since2, (_spec(initially=True, expires=4),), np.array([[0, 0]]), t=4)
    np.testing.assert_array_equal(on2[0], [False, True])  # on since 0 lapses at 4; since 3 holds


def test_a_standing_blockade_keeps_pressure_on(tmp_path: Path) -> None:
    cs = prepare(_scenario(tmp_path))
    model = EscalationModel(cs, 400, stream_factory(2, 0))
    north = np.array([a.side == "north" for a in cs.scenario.actors])
    seen_on = 0
    for _ in range(cs.horizon):
        was_on = model.state_on[0].copy()
        model.step()
        still_on = was_on & model.state_on[0]
        seen_on += int(still_on.sum())
        assert (model.pressure[north][:, still_on] >= 0.6 - 1e-12).all()
    assert seen_on > 1000  # the blockade did stand in many run-steps


def _share_on_at_end(sc: Scenario) -> float:
    model = EscalationModel(prepare(sc), 2000, stream_factory(4, 0))
    model.run()
    return float(model.state_on[0].mean())


def test_audience_costs_keep_a_commitment_in_place(tmp_path: Path) -> None:
    cheap = _share_on_at_end(_scenario(tmp_path, keep=2.0, reverse=0.0))
    costly = _share_on_at_end(_scenario(tmp_path, keep=2.0, reverse=4.0))
    assert costly > cheap + 0.1


def test_an_event_ends_a_state(tmp_path: Path) -> None:
    standing = """states:
  - {id: alert, name: Forces on alert, owner: leader, initially: true, assumption: test}
"""
    text = MINI.read_text().replace("outcomes:\n", standing + "outcomes:\n")
    text = text.replace(
        "effects: [{set_trait:",
        "effects: [{state: {id: alert, on: false}}, {set_trait:",
    )
    (tmp_path / "ended.yaml").write_text(text)
    sc = load_scenario(tmp_path / "ended.yaml")
    change = next(e for e in sc.events if e.id == "change")
    model = EscalationModel(prepare(sc), 300, stream_factory(3, 0))
    while model.steps < sc.scenario.step_of(change.start) - 1:
        model.step()
        assert model.state_on[0].all()  # nothing ends it before the event
    model.step()
    happened = model.draws.events[sc.events.index(change)]  # the event has probability 0.5
    assert 0 < happened.sum() < happened.size
    np.testing.assert_array_equal(model.state_on[0], ~happened)


def test_states_are_cross_checked(tmp_path: Path) -> None:
    text = MINI.read_text().replace(
        "outcomes:\n",
        BLOCKADE.format(keep=0, reverse=0)
        .replace("owner: south_gov", "owner: south_gvo")
        .replace("pressure_floor: {side: north, value: 0.6}", "hit: {side: north, amount: 0.5}")
        + "outcomes:\n  - {id: x, name: X, when: {state_active: blokade}}\n",
    )
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(tmp_path / "bad.yaml")
    messages = " | ".join(p.message for p in info.value.problems)
    assert "unknown actor `south_gvo`; did you mean `south_gov`?" in messages
    assert "`hit:` is not continuous" in messages
    assert "unknown state `blokade`; did you mean `blockade`?" in messages
