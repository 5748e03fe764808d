"""Tests of RunResults: on-disk round trip, histogram quantiles, missing files (sim/engine/results.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.core.columns import HIST_BINS
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.schema import Scenario

FILES = ("scenario.json", "runs.parquet", "aggregates.npz", "samples.json")


@pytest.fixture(scope="module")
def results(mini_scenario: Scenario) -> RunResults:
    return run_scenario(mini_scenario, runs=300, seed=2, batch_size=150, workers=1, samples=5)


def test_save_load_round_trip(results: RunResults, tmp_path: Path) -> None:
    out = results.save(tmp_path / "res")
    own = {".sim-lock", ".sim-result.json"}  # lock and marker of sim.core.resultdir
    assert sorted(p.name for p in out.iterdir() if p.name not in own) == sorted(FILES)  # no temporaries
    back = RunResults.load(out)
    assert back.scenario == results.scenario
    assert (back.seed, back.runs_count, back.batch_size) == (2, 300, 150)
    pd.testing.assert_frame_equal(back.runs, results.runs)
    np.testing.assert_array_equal(back.escalation_hist, results.escalation_hist)
    np.testing.assert_array_equal(back.action_counts, results.action_counts)
    assert back.extra == results.extra
    assert back.elapsed_s == pytest.approx(results.elapsed_s)
    assert [s.run for s in back.samples] == [s.run for s in results.samples] == [0, 1, 2, 3, 4]
    for a, b in zip(back.samples, results.samples, strict=True):
        np.testing.assert_allclose(a.escalation, b.escalation, atol=5e-4)  # stored to 3 decimals
        np.testing.assert_array_equal(a.actions, b.actions)


def test_save_overwrites_previous_results(results: RunResults, tmp_path: Path) -> None:
    results.save(tmp_path)
    smaller = RunResults(
        scenario=results.scenario,
        seed=9,
        runs_count=10,
        batch_size=10,
        runs=results.runs.head(10),
        escalation_hist=results.escalation_hist,
        action_counts=results.action_counts,
    )
    smaller.save(tmp_path)
    back = RunResults.load(tmp_path)
    assert back.seed == 9 and len(back.runs) == 10 and back.samples == []


@pytest.mark.parametrize("missing", FILES)
def test_load_names_the_missing_file(results: RunResults, tmp_path: Path, missing: str) -> None:
    results.save(tmp_path)
    (tmp_path / missing).unlink()
    with pytest.raises(FileNotFoundError, match=missing.replace(".", r"\.")):
        RunResults.load(tmp_path)


def test_escalation_quantiles_of_the_run(results: RunResults) -> None:
    qs = [0.05, 0.25, 0.5, 0.75, 0.95]
    q = results.escalation_quantiles(qs)
    assert q.shape == (61, 5)
    assert np.all(np.diff(q, axis=1) >= 0)
    assert np.all((q >= 0) & (q <= 100))
    # step 0: initial escalation is uniform(15, 25), so the quantiles lie near 15 + 10 q (bin 0.99)
    np.testing.assert_allclose(q[0], 15 + 10 * np.asarray(qs), atol=2.0)


def _results_with_hist(mini_scenario: Scenario, hist: np.ndarray) -> RunResults:
    return RunResults(
        scenario=mini_scenario,
        seed=0,
        runs_count=int(hist[0].sum()),
        batch_size=1,
        runs=pd.DataFrame(),
        escalation_hist=hist,
        action_counts=np.zeros((hist.shape[0] - 1, 4, 5), dtype=np.int64),
    )


def test_escalation_quantiles_of_a_point_mass(mini_scenario: Scenario) -> None:
    hist = np.zeros((2, HIST_BINS), dtype=np.int64)
    hist[:, 50] = 10  # all runs in bin 50: [49.50, 50.50) points
    q = _results_with_hist(mini_scenario, hist).escalation_quantiles([0.0, 0.5, 1.0])
    width = 100 / HIST_BINS
    np.testing.assert_allclose(q[0], [50 * width, 50.5 * width, 51 * width])


@given(
    hist=hnp.arrays(np.int64, (3, HIST_BINS), elements=st.integers(0, 5)),
    qs=st.lists(st.floats(0, 1), min_size=2, max_size=8),
)
def test_escalation_quantiles_monotone_in_q(
    mini_scenario: Scenario, hist: np.ndarray, qs: list[float]
) -> None:
    hist[:, 0] += 1  # every step has at least one run
    qs_sorted = np.sort(np.asarray(qs))
    q = _results_with_hist(mini_scenario, hist).escalation_quantiles(qs_sorted)
    assert np.all(np.diff(q, axis=1) >= 0)
    assert np.all((q >= 0) & (q <= 100))


def test_escalation_quantiles_skip_empty_bins(mini_scenario: Scenario) -> None:
    """Half the runs in bin 10, half in bin 90: the median is the top of bin 10 (smallest x with
    F(x) >= 0.5), q = 1 is the top of bin 90 (not the ladder max)."""
    hist = np.zeros((2, HIST_BINS), dtype=np.int64)
    hist[:, 10] = 5
    hist[:, 90] = 5
    width = 100 / HIST_BINS
    q = _results_with_hist(mini_scenario, hist).escalation_quantiles([0.0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(q[1], [10 * width, 10.5 * width, 11 * width, 90.5 * width, 91 * width])


def test_runs_parquet_is_written_one_batch_per_row_group(results: RunResults, tmp_path: Path) -> None:
    """runs.parquet is written slice by slice (no second copy of all rows in the driver)."""
    import pyarrow.parquet as pq

    out = results.save(tmp_path / "res")
    meta = pq.ParquetFile(out / "runs.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [150, 150]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), results.runs)
