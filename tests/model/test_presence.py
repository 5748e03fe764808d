"""Actors that enter or leave the crisis at a date or an event."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.core.errors import SimUserError
from sim.engine.runner import run_scenario
from sim.model.updates import presence
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def _with_presence(tmp_path: Path, actor: str, spec: str) -> Scenario:
    text = MINI.read_text()
    anchor = f"  - id: {actor}\n"
    assert anchor in text
    text = text.replace(anchor, anchor + f"    presence: {spec}\n", 1)
    path = tmp_path / "presence.yaml"
    path.write_text(text)
    return load_scenario(path)


def test_an_actor_that_enters_on_day_30_never_acts_before(tmp_path: Path) -> None:
    sc = _with_presence(tmp_path, "guards", "{enters: 2020-01-31}")
    res = run_scenario(sc, runs=1000, seed=2, workers=1, samples=0)
    guards, strike = sc.actor_ids.index("guards"), sc.action_ids.index("strike")
    per_step = res.action_counts[:, guards, strike]  # step t+1 at row t
    assert per_step[:29].sum() == 0  # steps 1..29
    assert per_step[29:].sum() > 0  # from step 30 on it strikes


def test_an_actor_leaves_when_an_event_fires(tmp_path: Path) -> None:
    sc = _with_presence(tmp_path, "south_gov", "{leaves_with: change}")
    res = run_scenario(sc, runs=200, seed=2, workers=1, samples=60)
    south, hold = sc.actor_ids.index("south_gov"), sc.action_ids.index("hold")
    first = max(sc.scenario.step_of(next(e for e in sc.events if e.id == "change").start), 1)
    fired = res.runs.set_index("run")["event.change"]
    left = [s for s in res.samples if fired[s.run]]
    stayed = [s for s in res.samples if not fired[s.run]]
    assert left and stayed
    for s in left:  # actions[t - 1] is the act of step t
        assert (s.actions[first - 1 :, south] == hold).all()
    assert any((s.actions[first - 1 :, south] != hold).any() for s in stayed)


def test_presence_known_values() -> None:
    happens = np.array([[True, False, True]])
    out = presence(
        5,
        enter_step=np.array([0, 6, 0, 0]),
        leave_step=np.array([99, 99, 5, 99]),
        enter_event=np.array([-1, -1, -1, 0]),
        leave_event=np.array([-1, -1, -1, -1]),
        event_first=np.array([4]),
        happens=happens,
    )
    np.testing.assert_array_equal(out, [[1, 1, 1], [0, 0, 0], [0, 0, 0], [1, 0, 1]])


def test_presence_is_cross_checked(tmp_path: Path) -> None:
    with pytest.raises(SimUserError) as info:
        _with_presence(tmp_path, "guards", "{enters_with: chnage, leaves: 2031-01-01}")
    messages = sorted(p.message for p in info.value.problems)
    assert "2031-01-01 is outside the simulated period" in messages[0]
    assert messages[1] == "unknown event `chnage`; did you mean `change`?"
