"""Events with uncertain dates: a drawn delay moves the event, run by run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.paths import get_param, list_param_paths

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def test_a_delayed_event_fires_on_its_drawn_step(tmp_path: Path) -> None:
    text = MINI.read_text()
    start = "    start: 2020-02-10\n"  # `change`, probability 0.5
    assert start in text
    text = text.replace(start, start + "    delay: {dist: uniform, low: 0, high: 10, assumption: test}\n", 1)
    text = text.replace(
        "outcomes:\n", "outcomes:\n  - {id: changed, name: Changed, when: {event_fired: change}}\n", 1
    )
    (tmp_path / "delay.yaml").write_text(text)
    sc = load_scenario(tmp_path / "delay.yaml")
    assert "events.change.delay" in list_param_paths(sc)
    assert get_param(sc, "events.change.delay").dist == "uniform"
    runs = run_scenario(sc, runs=600, seed=3, workers=1, samples=0).runs
    nominal = sc.scenario.step_of(sc.events[2].start)
    delay = runs["param.events.change.delay"].to_numpy(dtype=float)
    fired = runs["event.change"].to_numpy()
    want = nominal + np.floor(delay / sc.scenario.step_days)
    np.testing.assert_array_equal(runs.loc[fired, "changed_step"].to_numpy(), want[fired].astype(np.float32))
    assert not runs.loc[~fired, "changed"].any()
    assert len(np.unique(want[fired])) > 5  # the dates really vary
