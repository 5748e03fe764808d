"""Bargaining summaries (sim/analysis/bargaining.py) and their lines in `sim run`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.analysis.bargaining import bargains, deal_table, terms_table
from sim.core import columns as col
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
IRAN = ROOT / "scenarios" / "iran_us_2019.yaml"


@pytest.fixture(scope="module")
def iran() -> RunResults:
    return run_scenario(load_scenario(IRAN), runs=300, seed=11, workers=1, samples=0)


def test_tables_count_the_runs_with_a_deal_and_the_terms_quantiles(iran: RunResults) -> None:
    runs = iran.runs
    dealt = runs[col.DEAL_STEP].notna()
    deals = deal_table(iran).set_index("event")
    assert deals.loc["a deal is struck", "probability"] == pytest.approx(dealt.mean())
    row = deals.loc["a deal is struck"]
    assert row["ci_low"] <= row["probability"] <= row["ci_high"]
    terms = terms_table(iran)
    assert list(terms["issue"]) == ["sanctions_relief", "nuclear_limits", "missiles", "regional_conduct"]
    for r in terms.itertuples():
        values = runs[col.deal_term(str(r.issue))].dropna()
        assert r.deals == dealt.sum() == len(values)
        assert r.median == pytest.approx(float(np.median(values)))
        assert 0.0 <= r.q25 <= r.median <= r.q75 <= 1.0


def test_a_scenario_that_does_not_bargain_has_no_tables() -> None:
    mini = run_scenario(load_scenario(ROOT / "tests/data/mini.yaml"), runs=20, seed=1, workers=1, samples=0)
    assert not bargains(mini)


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
