"""Brier and log scores: known answers, horizon dates, and `sim score` on run, compare and sweep
folders (real results of the mini scenario)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.calibrate.observations import ObservedOutcome, Rate
from sim.calibrate.score import (
    Forecast,
    brier,
    log_score,
    overall,
    probability_by,
    reliability,
    score_table,
    truth_at,
)
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "data" / "mini.yaml"


def _obs(outcome: str, happened: bool, by: str, base: float = 0.2) -> ObservedOutcome:
    return ObservedOutcome(
        outcome=outcome,
        happened=happened,
        by=dt.date.fromisoformat(by),
        evidence="e",
        source="s",
        base_rate=Rate(value=base, assumption="test"),
    )


def test_known_scores() -> None:
    assert brier(0.5, True) == 0.25 and brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.5, False) == pytest.approx(math.log(2))
    assert log_score(0.9, True) == pytest.approx(-math.log(0.9))
    assert log_score(0.0, True) == pytest.approx(-math.log(1e-3))  # clipped, not infinite


@given(st.floats(0, 1), st.booleans())
def test_perfect_forecast_beats_any(p: float, y: bool) -> None:
    assert brier(float(y), y) <= brier(p, y) and log_score(float(y), y) <= log_score(p, y)


def test_truth_at_horizon() -> None:
    o = _obs("clash", True, "2020-01-03")
    assert truth_at(o, dt.date(2020, 1, 3)) is True and truth_at(o, dt.date(2020, 1, 2)) is False
    n = _obs("war", False, "2020-11-07")
    assert truth_at(n, dt.date(2020, 6, 1)) is False and truth_at(n, dt.date(2021, 1, 1)) is None


def test_probability_by_counts_never_as_no() -> None:
    assert probability_by(np.array([1.0, 5.0, np.nan, 10.0]), 5) == 0.5


def test_table_overall_and_reliability() -> None:
    f = Forecast("a", dt.date(2020, 12, 1), 100, {"clash": 0.8, "war": 0.1})
    table = score_table(
        [f], [_obs("clash", True, "2020-01-03", 0.25), _obs("war", False, "2020-12-31", 0.05)]
    )
    ov = overall(table).iloc[0]
    assert ov["brier"] == pytest.approx((0.04 + 0.01) / 2)
    assert ov["brier_5050"] == 0.25
    assert ov["brier_base"] == pytest.approx((0.75**2 + 0.05**2) / 2)
    assert ov["skill_vs_5050"] == pytest.approx(1 - 0.025 / 0.25)
    rel = reliability(table)
    assert list(rel["count"]) == [1, 1] and list(rel["observed_frequency"]) == [0.0, 1.0]


def _outcomes(tmp_path: Path, by: str = "2020-02-20") -> Path:
    p = tmp_path / "after.yaml"
    p.write_text(
        "observations: {scenario: mini, title: t}\noutcomes:\n"
        f"  - {{outcome: clash, happened: true, by: {by}, evidence: e, source: s,\n"
        "     base_rate: {value: 0.3, assumption: a}}\n"
        "  - {outcome: war, happened: false, by: 2020-03-01, evidence: e, source: s,\n"
        "     base_rate: {value: 0.1, assumption: a}}\n",
        encoding="utf-8",
    )
    return p


def test_score_cli_on_run_compare_and_sweep(tmp_path: Path) -> None:
    obs = _outcomes(tmp_path)
    run = tmp_path / "run"
    assert (
        main(
            ["run", str(MINI), "--runs", "300", "--workers", "1", "--no-report", "--quiet", "--out", str(run)]
        )
        == 0
    )
    out = tmp_path / "s.json"
    assert main(["score", str(run), str(obs), "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert {r["outcome"] for r in doc["scores"]} == {"clash", "war"}
    # at day 10 the clash (first seen 2020-02-20) had not happened yet
    assert main(["score", str(run), str(obs), "--by", "2020-01-11", "--json", str(out)]) == 0
    early = {r["outcome"]: r for r in json.loads(out.read_text())["scores"]}
    assert early["clash"]["happened"] is False
    assert early["clash"]["p"] <= next(r["p"] for r in doc["scores"] if r["outcome"] == "clash")
    cmp_dir = tmp_path / "cmp"
    assert (
        main(
            [
                "compare",
                str(MINI),
                str(MINI.with_name("mini_forbid_strike.yaml")),
                "--runs",
                "200",
                "--workers",
                "1",
                "--no-report",
                "--quiet",
                "--out",
                str(cmp_dir),
            ]
        )
        == 0
    )
    assert main(["score", str(cmp_dir), str(obs), "--json", str(out)]) == 0
    assert len(json.loads(out.read_text())["overall"]) == 2
    sw = tmp_path / "sweep"
    assert (
        main(
            [
                "sweep",
                str(MINI),
                "--vary",
                "dynamics.weights.war_cost=1:5",
                "--points",
                "2",
                "--runs-per-point",
                "100",
                "--workers",
                "1",
                "--no-report",
                "--out",
                str(sw),
            ]
        )
        == 0
    )
    assert main(["score", str(sw), str(obs), "--json", str(out)]) == 0
    assert {r["forecast"] for r in json.loads(out.read_text())["overall"]} == {"point 0", "point 1"}


def test_score_errors_are_plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(tmp_path), str(_outcomes(tmp_path))]) == 2
    assert "not a results folder" in capsys.readouterr().err
