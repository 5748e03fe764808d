"""Per-run rows streamed to Parquet (sim/engine/rowstore.py) and a run past the kept rows
(run_scenario ``keep_runs``): the same numbers as a run that keeps every row, a results folder
that holds every row, temporary files that never outlive their results."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.analysis import stats
from sim.analysis.bargaining import deal_table
from sim.analysis.compare import compare_results
from sim.core import resultdir
from sim.engine import rowstore
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
IRAN = ROOT / "scenarios" / "iran_us_2019.yaml"
RUNS, BATCH, KEEP = 1_200, 200, 500


@pytest.fixture(scope="module")
def iran() -> Scenario:
    return load_scenario(IRAN)


@pytest.fixture(scope="module")
def whole(iran: Scenario) -> RunResults:
    return run_scenario(iran, runs=RUNS, seed=5, batch_size=BATCH, workers=1, samples=2)


@pytest.fixture(scope="module")
def streamed(iran: Scenario, tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    """Rows of the first KEEP runs kept, the rest streamed; on a real process pool."""
    rows_dir = tmp_path_factory.mktemp("rows")
    return run_scenario(
        iran, runs=RUNS, seed=5, batch_size=BATCH, workers=2, samples=2, keep_runs=KEEP, rows_dir=rows_dir
    )


def test_the_streamed_run_keeps_the_first_runs_and_the_same_aggregates(
    whole: RunResults, streamed: RunResults
) -> None:
    assert whole.complete and not streamed.complete
    assert len(streamed.runs) == KEEP and streamed.runs_count == RUNS
    pd.testing.assert_frame_equal(streamed.runs, whole.runs.iloc[:KEEP])
    np.testing.assert_array_equal(streamed.escalation_hist, whole.escalation_hist)
    np.testing.assert_array_equal(streamed.action_counts, whole.action_counts)
    for name in whole.runs.columns:  # every run's row is on disk, in run order
        np.testing.assert_array_equal(streamed.column(name), whole.runs[name].to_numpy())


def test_tables_and_summary_are_exact_over_all_runs(whole: RunResults, streamed: RunResults) -> None:
    pd.testing.assert_frame_equal(stats.outcome_table(streamed), stats.outcome_table(whole))
    pd.testing.assert_frame_equal(
        stats.peak_level_distribution(streamed), stats.peak_level_distribution(whole)
    )
    pd.testing.assert_frame_equal(deal_table(streamed), deal_table(whole))
    for o in whole.outcome_ids:
        for a, b in zip(stats.time_to_event(streamed, o), stats.time_to_event(whole, o), strict=True):
            np.testing.assert_array_equal(a, b)
    s, w = stats.summary_dict(streamed), stats.summary_dict(whole)
    for d in (s, w):
        d.pop("elapsed_s")
    assert s["escalation"] == pytest.approx(w["escalation"], rel=1e-6)  # float64 vs float32 sums
    s.pop("escalation"), w.pop("escalation")
    assert s == w and s["runs"] == RUNS


def test_a_paired_comparison_pairs_every_run(iran: Scenario, whole: RunResults, streamed: RunResults) -> None:
    relief = load_scenario(ROOT / "scenarios" / "iran_us_2019_sanctions_relief.yaml")
    var_whole = run_scenario(relief, runs=RUNS, seed=5, batch_size=BATCH, workers=1, samples=0)
    var_streamed = run_scenario(
        relief, runs=RUNS, seed=5, batch_size=BATCH, workers=1, samples=0, keep_runs=KEEP
    )
    a, b = compare_results(streamed, var_streamed), compare_results(whole, var_whole)
    assert a.runs == RUNS and a == b


def test_save_places_every_row_and_load_keeps_the_sample(streamed: RunResults, tmp_path: Path) -> None:
    tmp_file = streamed.rows_file.path if streamed.rows_file else None
    assert tmp_file is not None and tmp_file.name.startswith(".runs.parquet.")
    out = streamed.save(tmp_path / "res")
    assert not tmp_file.exists()  # renamed into the folder, not copied
    left = [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert not left
    f = pq.ParquetFile(str(out / "runs.parquet"))
    assert f.metadata.num_rows == RUNS and f.num_row_groups == RUNS // BATCH  # one row group per batch
    resultdir.verify(out, "run", ("runs.parquet",))
    back = RunResults.load(out, keep_runs=KEEP)
    assert not back.complete and len(back.runs) == KEEP
    pd.testing.assert_frame_equal(back.runs, streamed.runs)
    pd.testing.assert_frame_equal(stats.outcome_table(back), stats.outcome_table(streamed))
    assert back.tally.sums == streamed.tally.sums
    again = back.save(tmp_path / "copy")  # a placed file is copied, the first folder stays whole
    resultdir.verify(out, "run", ("runs.parquet",))
    assert rowstore.read_column(again / "runs.parquet", "run").tolist() == list(range(RUNS))
    whole_back = RunResults.load(out)  # under the default bound: every row, as before
    assert whole_back.complete and len(whole_back.runs) == RUNS


def test_an_unsaved_result_takes_its_temporary_file_with_it(iran: Scenario, tmp_path: Path) -> None:
    r = run_scenario(iran, runs=300, seed=1, batch_size=100, workers=1, keep_runs=100, rows_dir=tmp_path)
    path = r.rows_file.path if r.rows_file else None
    assert path is not None and path.exists() and resultdir.TEMP_RE.match(path.name)
    copy = RunResults(**{k: getattr(r, k) for k in r.__dataclass_fields__})  # shares the file
    del r
    gc.collect()
    assert path.exists()
    del copy
    gc.collect()
    assert not path.exists()


def test_read_head_stops_at_the_rows_asked(tmp_path: Path) -> None:
    w = rowstore.RowWriter(tmp_path)
    for b in range(4):
        w.append(pd.DataFrame({"run": np.arange(b * 10, b * 10 + 10, dtype=np.int64)}))
    rows = w.close()
    assert rowstore.read_head(rows.path, 25)["run"].tolist() == list(range(25))
    assert [len(g) for g in rowstore.iter_groups(rows.path)] == [10, 10, 10, 10]
    rowstore.place(rows, tmp_path / "runs.parquet")
    assert rows.path == tmp_path / "runs.parquet" and not rows.temporary
    assert rowstore.read_column(rows.path, "run").tolist() == list(range(40))


def test_the_report_of_a_streamed_run_says_what_comes_from_the_kept_rows(
    streamed: RunResults, tmp_path: Path
) -> None:
    from sim.report.run_report import write_run_report

    html = write_run_report(streamed, tmp_path / "report.html").read_text()
    assert f"{RUNS:,} simulated runs" in html
    assert f"among the first {KEEP:,} runs" in html
