"""`sim run` and `sim sweep` as a user runs them: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import cli_helpers
import pandas as pd
from cli_helpers import ROOT

MINI = ROOT / "tests" / "data" / "mini.yaml"


def sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return cli_helpers.sim(*args, cwd=cwd, timeout=600)  # runs take longer than validate/show


def test_run_prints_intervals_and_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "res"
    proc = sim("run", str(MINI), "--runs", "1500", "--seed", "5", "--out", str(out), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "95% CI" in proc.stdout and "Talks held" in proc.stdout
    assert "warning: `clash` (Clash) happens in 100.0% of runs" in proc.stderr  # saturated, said plainly
    assert f"report: {out / 'report.html'}" in proc.stdout
    for name in (
        "runs.parquet",
        "aggregates.npz",
        "samples.json",
        "scenario.json",
        "summary.json",
        "report.html",
    ):
        assert (out / name).is_file(), name
    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 1500 and runs["run"].tolist() == list(range(1500))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 1500 and summary["seed"] == 5
    war = summary["outcomes"]["war"]
    assert war["ci_low"] <= war["probability"] <= war["ci_high"]


def test_run_same_seed_same_table_any_workers(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out, workers in ((a, "1"), (b, "2")):
        proc = sim(
            "run",
            str(MINI),
            "--runs",
            "1200",
            "--seed",
            "9",
            "--workers",
            workers,
            "--out",
            str(out),
            "--quiet",
            "--no-report",
        )
        assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(a / "runs.parquet"), pd.read_parquet(b / "runs.parquet"))


def test_run_bad_inputs_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINI.read_text().replace("horizon: 60", "horizon: -3"))
    proc = sim("run", str(bad), "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{bad}:" in proc.stderr and "scenario.horizon" in proc.stderr
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    proc = sim("run", str(MINI), "--runs", "10", "--out", str(blocker), "--quiet")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert blocker.read_text() == "keep me"


def test_sweep_writes_analysis_and_report(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    proc = sim(
        "sweep",
        str(MINI),
        "--vary",
        "dynamics.weights.war_cost=0.5:8",
        "--vary",
        "actors.guards.traits.hawkishness=0.1:0.9",
        "--design",
        "lhs",
        "--points",
        "24",
        "--runs-per-point",
        "150",
        "--workers",
        "1",
        "--out",
        str(out),
        "--threshold",
        "war=0.5",
    )
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").is_file() and (out / "points.parquet").is_file()
    text = " ".join(proc.stdout.split())
    assert "scenario discovery" in text
    # The threshold given on the command line is the one the discovery used.
    assert "P(war) > 0.5" in text or "P(war): 24 of 24 points have P > 0.5" in text
    proc = sim("sweep", str(MINI), "--vary", "dynamics.weights.war_cost=0.5:8", "--threshold", "war=2")
    assert proc.returncode == 2 and "OUTCOME=P" in proc.stderr and "Traceback" not in proc.stderr


def test_run_set_overrides_and_records_them(tmp_path: Path) -> None:
    out = tmp_path / "set"
    proc = sim(
        "run", str(MINI), "--runs", "300", "--out", str(out), "--quiet", "--no-report",
        "--set", "dynamics.relaxation=0.2",
        "--set", "actors.leader.traits.resolve={dist: beta, a: 2, b: 5, assumption: a what-if}",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    saved = json.loads((out / "scenario.json").read_text())
    assert saved["dynamics"]["relaxation"]["value"] == 0.2
    assert saved["dynamics"]["relaxation"]["assumption"] == "override: dynamics.relaxation"
    leader = next(a for a in saved["actors"] if a["id"] == "leader")
    assert leader["traits"]["resolve"]["dist"] == "beta"
    assert "param.actors.leader.traits.resolve" in pd.read_parquet(out / "runs.parquet").columns


def test_run_set_refuses_bad_items_with_a_fix(tmp_path: Path) -> None:
    for item, message in (
        ("dynamics.relaxatoin=0.2", "did you mean `dynamics.relaxation`?"),
        ("dynamics.relaxation=true", "VALUE is a number or a Param mapping"),
        ("dynamics.relaxation", "write PATH=VALUE"),
        ("dynamics.relaxation=7", "relaxation"),
    ):
        proc = sim("run", str(MINI), "--runs", "10", "--out", str(tmp_path / "x"), "--quiet", "--set", item)
        assert proc.returncode == 2, item
        assert message in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
