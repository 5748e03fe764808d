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


def test_an_event_with_a_drawn_duration_holds_for_its_drawn_steps(tmp_path: Path) -> None:
    """Uncertain duration: run by run the window lasts max(ceil(duration / step_days), 1) steps
    from its (possibly delayed) start, and its continuous effects hold exactly then."""
    from sim.engine.runner import prepare
    from sim.engine.seeds import stream_factory
    from sim.model.model import EscalationModel

    text = MINI.read_text()
    start = "    start: 2020-02-10\n"
    text = text.replace(
        start,
        start
        + "    delay: {dist: uniform, low: 0, high: 5, assumption: test}\n"
        + "    duration: {dist: uniform, low: 0, high: 12, assumption: test}\n",
        1,
    )
    (tmp_path / "duration.yaml").write_text(text)
    sc = load_scenario(tmp_path / "duration.yaml")
    assert "events.change.duration" in list_param_paths(sc)
    cs = prepare(sc)
    e_i = [e.id for e in sc.events].index("change")
    m = EscalationModel(cs, 400, stream_factory(3, 0))
    held = np.zeros(400, dtype=np.int64)
    first = np.full(400, -1)
    for t in range(1, cs.horizon + 1):
        window = m._window(e_i, t)
        first = np.where((first < 0) & window, t, first)
        held += window
    days = m.draws.by_site["events", "change", "duration"]
    delay = m.draws.by_site["events", "change", "delay"]
    happens = m.draws.events[e_i]
    want = np.maximum(np.ceil(days / sc.scenario.step_days - 1e-9), 1)
    np.testing.assert_array_equal(held[happens], want[happens])
    nominal = sc.scenario.step_of(sc.events[e_i].start)
    np.testing.assert_array_equal(first[happens], nominal + np.floor(delay[happens]))
    assert not held[~happens].any()
    assert len(np.unique(held[happens])) > 8  # the lengths really vary


def test_duration_and_end_together_are_refused(tmp_path: Path) -> None:
    import pytest

    from sim.core.errors import SimUserError

    text = MINI.read_text().replace(
        "    start: 2020-02-10\n",
        "    start: 2020-02-10\n    end: 2020-02-20\n    duration: {value: 3, assumption: test}\n",
        1,
    )
    (tmp_path / "both.yaml").write_text(text)
    with pytest.raises(SimUserError, match="not both"):
        load_scenario(tmp_path / "both.yaml")
