"""Escalation tracks (docs/model.md, tracks): known answers, thresholds, identity, direction."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import columns as col
from sim.core.errors import SimUserError
from sim.engine.runner import run_scenario
from sim.model.compiled import compile_scenario
from sim.model.lint import scenario_warnings
from sim.model.tracks import TrackSpec, TrackState
from sim.scenario.loader import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
TRACKS = DATA / "mini_tracks.yaml"
PEAK = col.track_peak("economic")


def _spec(
    delta: list[float], at: list[float] | None = None, top: float = 100.0, start: float = 0.0
) -> TrackSpec:
    """One track over K = len(delta) acts; rungs at ``at`` unlocked by the last act."""
    at_arr = np.array(at or [], dtype=float)
    acts = np.zeros((at_arr.size, len(delta)), dtype=bool)
    acts[:, -1] = True
    return TrackSpec(
        ("economic",), np.array([[top]]), np.array([start]), np.array([delta]), (at_arr,), (acts,)
    )


def _run(tmp_path: Path, name: str, text: str, runs: int = 400, workers: int = 1) -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text)
    return run_scenario(load_scenario(path), runs=runs, seed=11, workers=workers, samples=0).runs


def test_track_update_known_values() -> None:
    """Pushes add up, then the track relaxes geometrically: T_t = T_1 (1 - rho)^(t-1)."""
    state = TrackState(_spec([0.0, 10.0]), 2)
    rho = np.array([0.1, 0.5])
    state.update(np.array([[1, 0], [1, 0]]), rho)  # two uses in run 0, none in run 1
    assert np.allclose(state.index[0], [20.0, 0.0])
    for t in range(1, 6):
        state.update(np.zeros((2, 2), dtype=int), rho)
        assert np.allclose(state.index[0], [20.0 * 0.9**t, 0.0])
    assert np.allclose(state.peak[0], [20.0, 0.0])


def test_track_clipped_to_its_max_and_zero() -> None:
    state = TrackState(_spec([-30.0, 40.0], top=50.0), 1)
    state.update(np.array([[1], [1], [1]]), np.array([0.0]))
    assert state.index[0, 0] == 50.0
    state.update(np.array([[0], [0], [0]]), np.array([0.0]))
    assert state.index[0, 0] == 0.0


def test_locked_rung_of_a_track_is_not_crossed_without_its_act() -> None:
    state = TrackState(_spec([0.0, 25.0, 1.0], at=[60.0]), 1)
    for _ in range(5):  # five uses of act 1: 125 points, but the rung at 60 is locked
        state.update(np.array([[1]]), np.array([0.0]))
    assert 59.9 < state.index[0, 0] < 60.0 and np.float32(state.peak[0, 0]) < 60.0
    state.update(np.array([[2]]), np.array([0.0]))  # act 2 unlocks it
    state.update(np.array([[1]]), np.array([0.0]))
    assert state.index[0, 0] > 60.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-50, 50), min_size=3, max_size=3),
    st.lists(st.integers(0, 1), min_size=1, max_size=30),
    st.floats(0, 1),
)
def test_track_stays_in_range_and_below_a_rung_nobody_unlocks(
    delta: list[float], acts: list[int], rho: float
) -> None:
    """Acts 0 and 1 only (act 2 unlocks the rung at 40): the track stays in [0, 40)."""
    state = TrackState(_spec(delta, at=[40.0]), 1)
    for a in acts:
        state.update(np.array([[a]]), np.array([rho]))
        assert 0.0 <= state.index[0, 0] < 40.0
    assert state.peak[0, 0] >= state.index[0, 0]


def test_a_track_never_moves_the_main_index(tmp_path: Path) -> None:
    """Same seed, track pushes on or zeroed: identical main escalation, different track."""
    text = TRACKS.read_text()
    moved = _run(tmp_path, "moved.yaml", text)
    still = _run(
        tmp_path,
        "still.yaml",
        text.replace("tracks: {economic: 8}", "tracks: {economic: 0}").replace(
            "tracks: {economic: 15}", "tracks: {economic: 0}"
        ),
    )
    for c in (col.PEAK, col.FINAL, "war", "clash"):
        assert moved[c].equals(still[c])
    assert (still[PEAK] == 0).all() and (moved[PEAK] > 0).all()


def test_a_track_rung_needs_its_act_in_the_engine(tmp_path: Path) -> None:
    text = TRACKS.read_text()
    free = _run(tmp_path, "free.yaml", text)
    assert (free[PEAK] >= 60).mean() > 0.5 and free["economic_war"].mean() > 0.5
    no_embargo = text.replace("relief, embargo, strike]", "relief, strike]")
    locked = _run(tmp_path, "locked.yaml", no_embargo)
    assert locked[PEAK].max() < 60 and not locked["economic_war"].any()
    assert locked[PEAK].max() > 50  # sanctions still push it right up to the rung


def test_harsher_sanctions_raise_the_economic_track(tmp_path: Path) -> None:
    """Directional, fixed seed: a sanction that moves the track more gives a higher mean peak."""
    base = TRACKS.read_text().replace("tracks: {economic: 15}", "tracks: {economic: 0}")
    mild = _run(tmp_path, "mild.yaml", base.replace("tracks: {economic: 8}", "tracks: {economic: 0.5}"))
    harsh = _run(tmp_path, "harsh.yaml", base.replace("tracks: {economic: 8}", "tracks: {economic: 2}"))
    assert harsh[PEAK].mean() > mild[PEAK].mean() + 5


def test_tracks_same_numbers_with_one_or_two_workers(tmp_path: Path) -> None:
    text = TRACKS.read_text().replace("batch_size: 500", "batch_size: 100")
    one = _run(tmp_path, "w.yaml", text, runs=400, workers=1)
    two = _run(tmp_path, "w.yaml", text, runs=400, workers=2)
    pd.testing.assert_frame_equal(one.reset_index(drop=True), two.reset_index(drop=True))
    assert PEAK in one.columns


def test_a_scenario_without_tracks_compiles_none() -> None:
    assert compile_scenario(load_scenario(DATA / "mini.yaml")).tracks is None
    assert compile_scenario(load_scenario(TRACKS)).tracks is not None


def test_a_track_nothing_pushes_is_warned_about(tmp_path: Path) -> None:
    assert not scenario_warnings(load_scenario(TRACKS))
    path = tmp_path / "idle.yaml"
    path.write_text(
        TRACKS.read_text()
        .replace("relief, embargo, strike]", "relief, strike]")
        .replace("tracks: {economic: 8}", "tracks: {economic: 0}")
    )
    warnings = scenario_warnings(load_scenario(path))
    assert any(w.startswith("ladder.tracks.economic:") and "stays at 0" in w for w in warnings), warnings


def test_a_track_relaxes_from_its_initial_value() -> None:
    """No pushes: T_t = initial (1 - rho)^t, the relaxation path."""
    state = TrackState(_spec([0.0], start=40.0), 3)
    rho = np.array([0.0, 0.05, 0.2])
    for t in range(1, 8):
        state.update(np.zeros((1, 3), dtype=int), rho)
        assert np.allclose(state.index[0], 40.0 * (1 - rho) ** t)
    assert np.allclose(state.peak[0], 40.0)


def test_initial_track_values_are_checked(tmp_path: Path) -> None:
    for start, text in (("150", "above the track max"), ("60", "at or above a locked rung")):
        path = tmp_path / "init.yaml"
        path.write_text(
            TRACKS.read_text().replace("      max: 100\n", f"      max: 100\n      initial: {start}\n")
        )
        with pytest.raises(SimUserError) as info:
            load_scenario(path)
        assert any(text in p.message for p in info.value.problems), info.value.problems
    path.write_text(TRACKS.read_text().replace("      max: 100\n", "      max: 100\n      initial: 30\n"))
    res = run_scenario(load_scenario(path), runs=50, seed=1, workers=1, samples=0).runs
    assert (res[PEAK] >= 30).all()
