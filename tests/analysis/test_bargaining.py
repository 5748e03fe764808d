"""Bargaining summaries (sim/analysis/bargaining.py) and their lines in `sim run`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.bargaining import deal_summary
from sim.core import columns as col
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
IRAN = ROOT / "scenarios" / "iran_us_2019.yaml"


@pytest.fixture(scope="module")
def iran() -> RunResults:
    return run_scenario(load_scenario(IRAN), runs=300, seed=11, workers=1, samples=0)


def test_summary_counts_the_runs_with_a_deal_and_the_terms_quantiles(iran: RunResults) -> None:
    summary = deal_summary(iran)
    assert summary is not None
    runs = iran.runs
    dealt = runs[col.DEAL_STEP].notna()
    assert summary.deal == pytest.approx(dealt.mean())
    assert summary.deal_ci[0] <= summary.deal <= summary.deal_ci[1]
    assert list(summary.terms["issue"]) == [
        "sanctions_relief",
        "nuclear_limits",
        "missiles",
        "regional_conduct",
    ]
    for row in summary.terms.itertuples():
        values = runs[col.deal_term(str(row.issue))].dropna()
        assert row.deals == dealt.sum() == len(values)
        assert row.median == pytest.approx(float(np.median(values)))
        assert 0.0 <= row.q25 <= row.median <= row.q75 <= 1.0


def test_no_summary_for_a_scenario_that_does_not_bargain() -> None:
    mini = run_scenario(load_scenario(ROOT / "tests/data/mini.yaml"), runs=20, seed=1, workers=1, samples=0)
    assert deal_summary(mini) is None


def test_sim_run_prints_the_bargaining_table(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(IRAN), "--runs", "200", "--out", str(tmp_path / "r"),
         "--quiet", "--no-report"],
        capture_output=True, text=True, timeout=600, check=False, cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Bargaining (share of runs)" in proc.stdout and "Terms of the first deal" in proc.stdout
    assert "Sanctions relief" in proc.stdout
