"""Steps of any length: hours to weeks (scenario.step_days may be a fraction of a day)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Meta

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"


def _meta(step_days: float) -> Meta:
    return Meta.model_validate(
        {
            "id": "m",
            "title": "t",
            "sources": [{"id": "s", "author": "a", "title": "t", "outlet": "o", "date": "2020-01-01"}],
            "start_date": "2020-01-01",
            "step_days": step_days,
            "horizon": 10,
        }
    )


def test_steps_and_dates_for_hours_days_and_weeks() -> None:
    day5 = dt.date(2020, 1, 6)
    assert _meta(1 / 24).step_of(day5) == 120  # hourly steps
    assert _meta(0.25).step_of(day5) == 20
    assert _meta(1).step_of(day5) == 5
    assert _meta(7).step_of(dt.date(2020, 1, 15)) == 2  # the week a date falls in
    assert _meta(0.25).date_of(21) == day5  # steps within a day share its date
    assert _meta(7).step_days == 7 and isinstance(_meta(7).step_days, int)


def test_a_six_hour_scenario_runs_and_fires_events_on_their_step(tmp_path: Path) -> None:
    text = (
        MINI.read_text()
        .replace("step_days: 1\n", "step_days: 0.25\n")
        .replace("horizon: 60\n", "horizon: 240\n")
    )
    text = text.replace(
        "outcomes:\n", "outcomes:\n  - {id: changed, name: Changed, when: {event_fired: change}}\n", 1
    )
    (tmp_path / "six_hours.yaml").write_text(text)
    sc = load_scenario(tmp_path / "six_hours.yaml")
    change = next(e for e in sc.events if e.id == "change")
    step = sc.scenario.step_of(change.start)
    assert step == 4 * (change.start - sc.scenario.start_date).days
    runs = run_scenario(sc, runs=200, seed=1, workers=1, samples=0).runs
    assert set(runs.loc[runs["changed"], "changed_step"]) == {float(step)}
