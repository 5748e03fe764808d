"""#15.6: what a report embeds is bounded whatever the horizon; per-batch memory is bounded by
the horizon at validation."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from reliability_helpers import MINI

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from fake_results import make_results, make_scenario

from sim.analysis.stats import time_to_event
from sim.core.errors import SimUserError
from sim.report.limits import MAX_REPORT_STEPS, report_view, stride
from sim.report.run_report import write_run_report
from sim.scenario.loader import load_scenario


def test_stride() -> None:
    assert stride(60) == 1 and stride(MAX_REPORT_STEPS) == 1
    assert stride(MAX_REPORT_STEPS + 1) == 2 and stride(100_000) == 50


def test_long_horizon_view_keeps_the_picture() -> None:
    r = make_results(n=40, scenario=make_scenario(horizon=9_000), samples=2)
    v = report_view(r)
    k = v.extra["report_stride"]
    assert k == 5 and v.horizon == 1_800 and v.escalation_hist.shape == (1_801, r.escalation_hist.shape[1])
    np.testing.assert_array_equal(v.escalation_hist[-1], r.escalation_hist[9_000])
    assert v.action_counts.shape[0] == 1_800
    assert v.samples[0].escalation.size == 1_801 and v.samples[0].actions.shape[0] == 1_800
    # the same end date and the same final incidence of every outcome
    assert v.scenario.scenario.date_of(v.horizon) == r.scenario.scenario.date_of(r.horizon)
    for oid in r.outcome_ids:
        assert time_to_event(v, oid)[1][-1] == pytest.approx(time_to_event(r, oid)[1][-1])
    assert report_view(make_results(n=20)) is not None


def test_report_size_is_bounded_by_the_limit_not_the_horizon(tmp_path: Path) -> None:
    sizes = {}
    for horizon in (MAX_REPORT_STEPS, 20_000):
        r = make_results(n=30, scenario=make_scenario(horizon=horizon), samples=2)
        out = write_run_report(r, tmp_path / f"r{horizon}.html")
        sizes[horizon] = out.stat().st_size
        doc = out.read_text()
        longest = max(len(m) for m in re.findall(r'"x":\[[^\]]*\]', doc))
        assert longest < 40 * (MAX_REPORT_STEPS + 2)  # no series longer than the limit
    # ten times the horizon, about the same page (on main: ~10x larger)
    assert sizes[20_000] < 1.3 * sizes[MAX_REPORT_STEPS]


def test_per_batch_memory_is_checked_at_validation(tmp_path: Path) -> None:
    text = MINI.read_text().replace("horizon: 60", "horizon: 100000")
    text = text.replace("samples: 4}", "samples: 1000}")
    path = tmp_path / "big.yaml"
    path.write_text(text)
    with pytest.raises(SimUserError) as err:
        load_scenario(path)
    p = err.value.problems[0]
    assert p.field == "scenario.horizon" and "MiB" in p.message and p.line == 9
