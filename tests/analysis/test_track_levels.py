"""Peak levels reached on an escalation track (sim.analysis.stats.track_level_distribution)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.analysis import stats
from sim.core import columns as col
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

TRACKS = Path(__file__).resolve().parents[1] / "data" / "mini_tracks.yaml"


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(TRACKS)


def test_known_peaks_land_on_their_levels(scenario: Scenario) -> None:
    res = run_scenario(scenario, runs=6, seed=1, workers=1, samples=0)
    # levels of the economic track: Trade 0, Sanctions 20, Embargo 60
    res.runs[col.track_peak("economic")] = np.array([0.0, 19.9, 20.0, 59.99, 60.0, 75.0], dtype=np.float32)
    table = stats.track_level_distribution(res, "economic")
    assert table["name"].tolist() == ["Trade", "Sanctions", "Embargo"]
    assert table["count"].tolist() == [2, 2, 2]
    assert np.allclose(table["share_at_least"], [1.0, 4 / 6, 2 / 6])
    assert np.isclose(table["share"].sum(), 1.0)


def test_top_level_share_equals_the_outcome_reading_the_track(scenario: Scenario) -> None:
    res = run_scenario(scenario, runs=400, seed=3, workers=1, samples=0)
    table = stats.track_level_distribution(res, "economic")
    economic_war = res.runs["economic_war"].mean()  # track_at_least: {track: economic, level: 60}
    assert table["share_at_least"].iloc[-1] == pytest.approx(economic_war)
    summary = stats.summary_dict(res)
    assert [lv["name"] for lv in summary["tracks"]["economic"]] == ["Trade", "Sanctions", "Embargo"]


def test_summary_of_a_scenario_without_tracks_has_no_tracks_key() -> None:
    res = run_scenario(load_scenario(TRACKS.parent / "mini.yaml"), runs=50, seed=1, workers=1, samples=0)
    assert "tracks" not in stats.summary_dict(res)
