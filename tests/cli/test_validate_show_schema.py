"""`sim validate|show|schema` as a user runs them: real subprocesses, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import ROOT, sim

MINI = ROOT / "tests" / "scenario" / "data" / "mini.yaml"


def test_validate_good_file() -> None:
    proc = sim("validate", str(MINI))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(
        f"ok  {MINI}  (3 actors, 4 actions, 3 relations, 2 events, 2 levers, 3 outcomes)"
    )


def test_validate_warns_of_effects_that_can_never_apply(tmp_path: Path) -> None:
    text = MINI.read_text().replace("forbid: [talk]", "forbid: [sanction]", 1)
    path = tmp_path / "warn.yaml"
    path.write_text(text)
    proc = sim("validate", str(path))
    assert proc.returncode == 0, proc.stderr  # a warning, not an error: the scenario runs
    assert proc.stdout.startswith(f"ok  {path}")
    assert f"warning: {path}: actors.red_gov.red_lines.no_talks_under_fire: acts on `sanction`" in proc.stderr


def test_validate_reports_every_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINI.read_text()
        .replace("goldstein: -9", "goldstein: -19")
        .replace("waits_for: election", "waits_for: x")
    )
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\x00\xff\xfe binary")
    proc = sim("validate", str(MINI), str(bad), str(junk), str(tmp_path / "missing.yaml"))
    assert proc.returncode == 2
    assert f"ok  {MINI}" in proc.stdout and f"bad {bad}  (2 problems)" in proc.stdout
    assert "goldstein" in proc.stderr and "waits_for" in proc.stderr
    assert str(junk) in proc.stderr and "does not exist" in proc.stderr


def test_validate_needs_a_file() -> None:
    assert sim("validate").returncode == 2


def test_show_variant_lists_differences(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(MINI.read_text())
    v = tmp_path / "v.yaml"
    v.write_text(
        "extends: mini.yaml\nscenario: {id: mini_v, title: V}\nlevers:\n  - id: restraint\n    on: true\n"
    )
    proc = sim("show", str(v))
    assert proc.returncode == 0, proc.stderr
    for text in (
        "Actors",
        "Traits",
        "Actions",
        "Relations",
        "Events",
        "Levers",
        "Outcomes",
        "beta(a=2, b=2)",
    ):
        assert text in proc.stdout
    assert "Differences from base mini" in proc.stdout and "levers.restraint" in proc.stdout
    assert "[src_a]" in proc.stdout  # user text is not read as rich markup


def test_show_bad_file_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: &x 1\nb: *x\n")
    proc = sim("show", str(bad))
    assert proc.returncode == 2 and "anchors" in proc.stderr


def test_schema_stdout_and_out(tmp_path: Path) -> None:
    proc = sim("schema")
    assert proc.returncode == 0
    schema = json.loads(proc.stdout)
    assert schema["title"] == "sim scenario" and "Actor" in schema["$defs"]
    out = tmp_path / "schema.json"
    proc = sim("schema", "--out", str(out))
    assert proc.returncode == 0 and json.loads(out.read_text()) == schema
    proc = sim("schema", "--out", str(tmp_path / "no" / "such" / "dir" / "s.json"))
    assert proc.returncode == 2 and "cannot write" in proc.stderr


def test_console_script_exists() -> None:
    script = Path(sys.executable).parent / "sim"
    if not script.exists():
        pytest.skip("console script not installed")
    proc = subprocess.run(
        [str(script), "validate", str(MINI)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


def test_repository_scenarios_validate() -> None:
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    if not files:
        pytest.skip("no scenarios/*.yaml yet")
    proc = sim("validate", *[str(f.relative_to(ROOT)) for f in files])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_shell_completion_lists_commands() -> None:
    """README, 'Shell completion': the bash script is generated and commands complete."""
    import os

    env = {**os.environ, "_SIM_COMPLETE": "bash_source"}
    script = subprocess.run(
        [sys.executable, "-m", "sim"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "_sim_completion" in script.stdout
    env = {**os.environ, "_SIM_COMPLETE": "bash_complete", "COMP_WORDS": "sim r", "COMP_CWORD": "1"}
    words = subprocess.run([sys.executable, "-m", "sim"], env=env, capture_output=True, text=True, timeout=60)
    assert words.stdout.split() == ["plain,run", "plain,report"]


def test_show_lists_action_costs_and_effects() -> None:
    import os

    proc = subprocess.run(
        [sys.executable, "-m", "sim", "show", str(MINI)],
        env={**os.environ, "COLUMNS": "220"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "base utility +0; escalation +4; pressure +0.1" in proc.stdout  # sanction
    assert "base utility +0; escalation -4; prospect +0.2" in proc.stdout  # talk
