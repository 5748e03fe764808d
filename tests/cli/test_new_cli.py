"""`sim new NAME` writes a commented template that validates and runs sensibly as written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cli_helpers
from cli_helpers import ROOT

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario


def sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return cli_helpers.sim(*args, cwd=cwd, timeout=300)  # runs take longer than validate/show


def test_new_writes_a_template_that_runs_sensibly(tmp_path: Path) -> None:
    proc = sim("new", "my_crisis", "--title", "My: crisis", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    path = tmp_path / "my_crisis.yaml"
    text = path.read_text()
    assert text.startswith("# A new scenario written by `sim new`") and "assumption:" in text
    scenario = load_scenario(path)
    assert scenario.scenario.id == "my_crisis" and scenario.scenario.title == "My: crisis"
    runs = run_scenario(scenario, runs=2000, seed=1, workers=1, samples=0).runs
    for outcome in ("talks", "war"):
        assert 0.05 < runs[outcome].mean() < 0.9  # neither never nor always: a crisis, not an explosion
    run = sim("run", "my_crisis.yaml", "--runs", "1000", "--quiet", "--no-report", cwd=tmp_path)
    assert run.returncode == 0 and "warning" not in run.stderr, run.stderr


def test_new_refuses_bad_names_and_existing_files(tmp_path: Path) -> None:
    assert sim("new", "Bad Name", cwd=tmp_path).returncode == 2
    assert sim("new", "ok_name", cwd=tmp_path).returncode == 0
    again = sim("new", "ok_name", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr and "Traceback" not in again.stderr
