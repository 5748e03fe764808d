"""Escalation thresholds: a rung that requires an act cannot be reached by accumulating lesser acts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine.runner import run_scenario
from sim.model.updates import threshold_cap
from sim.scenario.loader import load_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
WAR_RUNG = "{name: War, at: 80}"


def _run(tmp_path: Path, rung: str, runs: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    text = MINI.read_text().replace(WAR_RUNG, rung)
    nuke = "  - {id: nuke, name: Nuclear use, goldstein: -10, tags: [military], assumption: nobody has it}\n"
    text = text.replace("actions:\n  - {id: hold", "actions:\n" + nuke + "  - {id: hold", 1)
    text = text.replace(
        "outcomes:\n",
        "outcomes:\n  - {id: struck, name: Somebody struck, when: {action: {actions: [strike]}}}\n",
    )
    path = tmp_path / "mini_rung.yaml"
    path.write_text(text)
    res = run_scenario(load_scenario(path), runs=runs, seed=5, workers=1, samples=0)
    return res.runs["peak_escalation"].to_numpy(), res.runs["struck"].to_numpy()


def test_a_rung_requiring_an_act_is_never_reached_without_it(tmp_path: Path) -> None:
    free_peak, _ = _run(tmp_path, WAR_RUNG)
    locked_peak, locked_struck = _run(tmp_path, "{name: War, at: 80, requires: [strike]}")
    assert (free_peak >= 80).mean() > 0.05  # the rung is reached in the untouched scenario
    assert not ((locked_peak >= 80) & ~locked_struck).any()  # never without a strike
    assert (locked_peak >= 80).any()  # but a strike does open it


def test_a_rung_nobody_can_unlock_caps_escalation_below_it(tmp_path: Path) -> None:
    peak, _ = _run(tmp_path, "{name: War, at: 80, requires: [nuke]}", runs=600)
    assert peak.max() < 80
    assert peak.max() > 70  # accumulation still pushes right up to the rung


def test_threshold_cap_known_values() -> None:
    e = np.array([10.0, 55.0, 90.0, 90.0])
    at = np.array([50.0, 80.0])
    unlocked = np.array([[False, False, True, True], [False, False, False, True]])
    out = threshold_cap(e, at, unlocked)
    assert out[0] == 10.0 and out[3] == 90.0
    assert out[1] == np.nextafter(np.float32(50.0), np.float32(0)) < 50.0
    assert out[2] == np.nextafter(np.float32(80.0), np.float32(0)) < 80.0
    assert np.float32(out[2]) < 80.0  # still below the rung when stored as float32


@given(
    arrays(float, 6, elements=st.floats(0, 100)),
    arrays(float, 3, elements=st.floats(1, 100), unique=True),
    arrays(bool, (3, 6)),
)
def test_threshold_cap_never_exceeds_a_locked_rung(
    e: np.ndarray, at: np.ndarray, unlocked: np.ndarray
) -> None:
    out = threshold_cap(e, at, unlocked)
    assert (out <= e).all()
    for r in range(at.size):
        assert (out[~unlocked[r]] < at[r]).all()
    everything_open = threshold_cap(e, at, np.ones_like(unlocked))
    np.testing.assert_array_equal(everything_open, e)
