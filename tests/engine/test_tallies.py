"""RunTallies (sim/engine/tallies.py): exact aggregates over all runs, equal to the numbers the
per-run rows give, also on a report's coarser clock."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import columns as col
from sim.engine.tallies import RunTallies
from sim.scenario.schema import Scenario

HORIZON = 40


def _rows(steps: list[float | None], peaks: list[float], oid: str) -> pd.DataFrame:
    s = np.array([math.nan if v is None else v for v in steps], dtype=np.float32)
    return pd.DataFrame(
        {
            col.happened(oid): np.isfinite(s),
            col.first_step(oid): s,
            col.PEAK: np.array(peaks, dtype=np.float32),
            col.FINAL: np.array(peaks, dtype=np.float32) / 2,
            "event.coup": np.isfinite(s) & (np.nan_to_num(s) > 10),
        }
    )


steps_st = st.lists(st.one_of(st.none(), st.integers(0, HORIZON).map(float)), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(steps=steps_st, split=st.integers(0, 60), stride=st.integers(1, 7))
def test_tallies_match_the_rows_in_any_split_and_on_any_clock(
    mini_scenario: Scenario, steps: list[float | None], split: int, stride: int
) -> None:
    sc = mini_scenario.model_copy(
        update={"scenario": mini_scenario.scenario.model_copy(update={"horizon": HORIZON})}
    )
    oid = sc.outcomes[0].id
    peaks = [float(i % 7) * 10 for i in range(len(steps))]
    rows = _rows(steps, peaks, oid)
    t = RunTallies.empty(sc)
    t.add(rows.iloc[:split])  # two batches, as the driver adds them
    t.add(rows.iloc[split:])
    values = rows[col.first_step(oid)].to_numpy(dtype=float)
    done = values[np.isfinite(values)]
    assert t.n == len(rows) and t.count(col.happened(oid)) == done.size == t.count(col.first_step(oid))
    assert t.count("event.coup") == int(rows["event.coup"].sum())
    assert t.mean(col.PEAK) == np.float64(rows[col.PEAK].to_numpy(dtype=np.float64).sum()) / len(rows)
    # a report's clock: step s read as min(s / k, cap), as sim.report.limits coarsens the rows
    cap = HORIZON // stride
    seen = np.minimum(done / stride, cap) if stride > 1 else done
    view = t.coarsened(stride, cap) if stride > 1 else t
    med = view.median_step(col.first_step(oid))
    assert (math.isnan(med) and seen.size == 0) or med == float(np.median(seen))
    grid = np.arange(cap + 1)
    share = view.share_by(col.first_step(oid), grid)
    np.testing.assert_array_equal(share, [(seen <= g).sum() / len(rows) for g in grid])
    idx = np.clip(np.ceil(seen).astype(np.int64), 0, cap)
    np.testing.assert_array_equal(
        view.incidence(col.first_step(oid), cap), np.bincount(idx, minlength=cap + 1)
    )


def test_levels_count_each_runs_highest_ladder_level(mini_scenario: Scenario) -> None:
    ats = np.array([lv.at for lv in mini_scenario.ladder.levels], dtype=float)
    oid = mini_scenario.outcomes[0].id
    peaks = [float(a) for a in ats] + [float(ats[-1]) + 1.0, float(ats[1]) - 0.5]
    t = RunTallies.empty(mini_scenario)
    t.add(_rows([None] * len(peaks), peaks, oid))
    expected = np.bincount(
        np.clip(np.searchsorted(ats, peaks, side="right") - 1, 0, ats.size - 1), minlength=ats.size
    )
    np.testing.assert_array_equal(t.levels, expected)
    assert t.levels.sum() == len(peaks) and t.levels[-1] == 2


def test_no_runs_give_nan_not_an_error(mini_scenario: Scenario) -> None:
    t = RunTallies.empty(mini_scenario)
    oid = mini_scenario.outcomes[0].id
    assert math.isnan(t.share(col.happened(oid))) and math.isnan(t.median_step(col.first_step(oid)))
    assert math.isnan(t.mean(col.PEAK)) and t.levels.sum() == 0
