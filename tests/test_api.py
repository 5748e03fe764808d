"""The notebook API returns DataFrames from real runs."""

from __future__ import annotations

from pathlib import Path

import sim.api as api

DATA = Path(__file__).parent / "data"


def test_run_and_outcomes_give_dataframes() -> None:
    res = api.run(DATA / "mini.yaml", runs=600, seed=3, workers=1)
    table = api.outcomes(res)
    assert list(table["id"]) == ["talks", "deal", "clash", "war"]
    assert ((table["ci_low"] <= table["probability"]) & (table["probability"] <= table["ci_high"])).all()
    assert len(res.runs) == 600
    assert abs(api.peaks(res)["share"].sum() - 1.0) < 1e-12


def test_overrides_change_the_run() -> None:
    calm = api.run(
        DATA / "mini.yaml", runs=600, seed=3, workers=1, overrides={"dynamics.weights.war_cost": 20.0}
    )
    base = api.run(DATA / "mini.yaml", runs=600, seed=3, workers=1)
    assert calm.runs["peak_escalation"].mean() < base.runs["peak_escalation"].mean()


def test_compare_pairs_variants() -> None:
    table = api.compare(DATA / "mini.yaml", DATA / "mini_forbid_strike.yaml", runs=600, seed=3, workers=1)
    assert set(table["outcome"]) == {"talks", "deal", "clash", "war"}
    row = table[table["outcome"] == "war"].iloc[0]
    assert row["ci_low"] <= row["diff"] <= row["ci_high"]


def test_readme_api_example_runs_as_a_plain_script(tmp_path: Path) -> None:
    """The README's example, saved as a script without a __main__ guard, runs (in one process,
    with a warning that says how to use every core) instead of breaking the process pool."""
    import re
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    (code,) = re.findall(r"```python\n(.*?)```", (root / "README.md").read_text(), flags=re.S)
    code = code.replace("runs=20_000", "runs=1_500")
    code = code.replace(
        '"scenarios/iran_us_2019_sanctions_relief.yaml")',
        '"scenarios/iran_us_2019_sanctions_relief.yaml", runs=1_500)',
    )
    script = tmp_path / "example.py"
    script.write_text(code + "\nprint('done', len(results.runs))\n")
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "done 1500" in proc.stdout
    assert "BrokenProcessPool" not in proc.stderr and "bootstrapping" not in proc.stderr
    assert "sim runs in one process" in proc.stderr
    # the same code piped on stdin (python - < example.py), with more runs than one batch so that
    # worker processes would be needed
    piped_code = script.read_text().replace("runs=1_500", "runs=9_000", 1)
    piped = subprocess.run(
        [sys.executable, "-"],
        input=piped_code,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr[-2000:]
    assert "done 9000" in piped.stdout and "BrokenProcessPool" not in piped.stderr


def test_escalation_is_a_labelled_frame_with_dates() -> None:
    res = api.run(DATA / "mini.yaml", runs=300, seed=3, workers=1)
    frame = api.escalation(res, [0.1, 0.5, 0.9])
    assert list(frame.columns) == ["date", "q0.1", "q0.5", "q0.9"]
    assert frame.index.name == "step" and len(frame) == res.horizon + 1
    assert frame["date"].iloc[0] == res.scenario.scenario.start_date
    assert (frame["q0.1"] <= frame["q0.5"]).all() and (frame["q0.5"] <= frame["q0.9"]).all()
