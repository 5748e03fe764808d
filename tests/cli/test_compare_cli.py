"""``sim compare``: end to end on the small scenarios of tests/analysis/data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from sim.engine.results import RunResults

DATA = Path(__file__).parents[1] / "analysis" / "data"


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps table cells to the terminal width: make it wide enough to read the table."""
    monkeypatch.setenv("COLUMNS", "160")


def _args(*files: str, out: Path, runs: int = 300) -> list[str]:
    return [
        "compare",
        *(str(DATA / f) for f in files),
        "--runs",
        str(runs),
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
    ]


def test_compare_writes_json_runs_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cmp"
    code = main([*_args("base.yaml", "relief_on.yaml", "actor_removed.yaml", out=out), "--seed", "5"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"report: {out / 'report.html'}" in captured.out
    for text in ("Talks held", "cmp_relief_on", "cmp_actor_removed", "paired 95% CI", "pp"):
        assert text in captured.out
    doc = json.loads((out / "comparison.json").read_text())
    assert doc["seed"] == 5 and doc["runs"] == 300 and doc["base"] == "cmp_base"
    assert [c["variant_id"] for c in doc["comparisons"]] == ["cmp_relief_on", "cmp_actor_removed"]
    assert all(c["crn"] for c in doc["comparisons"])
    relief = doc["comparisons"][0]
    deal = next(o for o in relief["outcomes"] if o["outcome"] == "deal")
    assert deal["paired"][0] > 0 and deal["distinguishable"] is True
    for sid, rel in doc["scenarios"].items():
        r = RunResults.load(out / rel)
        assert r.seed == 5 and r.runs_count == 300 and r.scenario.scenario.id == sid
        assert (out / rel / "summary.json").is_file()
    # The JSON numbers are those of the saved runs.
    base = RunResults.load(out / doc["scenarios"]["cmp_base"])
    assert deal["p_base"] == pytest.approx(base.runs["deal"].mean())
    md = (out / "comparison.md").read_text()
    assert "| Deal | " in md and "cmp_relief_on" in md and "**+" in md
    html = (out / "report.html").read_text()
    assert "&lt;script&gt;" in html and '<script>alert("x")' not in html


def test_seed_defaults_to_the_base_and_base_in_glob_is_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    code = main([*_args("base.yaml", "base.yaml", "guards_calmer.yaml", out=out, runs=200), "--no-report"])
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "comparison.json").read_text())
    assert doc["seed"] == 7  # base.yaml's monte_carlo.seed
    assert [c["variant_id"] for c in doc["comparisons"]] == ["cmp_guards_calmer"]
    assert not (out / "report.html").exists()


def test_duplicate_scenario_ids_are_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("base.yaml", "relief_on.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    shutil.copy(DATA / "relief_on.yaml", tmp_path / "relief_copy.yaml")
    files = [str(tmp_path / f) for f in ("base.yaml", "relief_on.yaml", "relief_copy.yaml")]
    code = main(["compare", *files, "--runs", "50", "--quiet", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert "relief_copy.yaml" in err and "cmp_relief_on" in err and "scenario.id" in err
    assert "Traceback" not in err


def test_only_the_base_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_args("base.yaml", "base.yaml", out=tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 2 and "at least one variant" in err


def test_missing_variant_file_is_a_user_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(_args("base.yaml", "no_such_variant.yaml", out=tmp_path / "o"))
    err = capsys.readouterr().err
    assert code == 2 and "no_such_variant.yaml" in err and "Traceback" not in err


def test_a_second_comparison_does_not_silently_replace_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cmp"
    assert main([*_args("base.yaml", "relief_on.yaml", out=out, runs=100), "--no-report"]) == 0
    again = main([*_args("base.yaml", "relief_on.yaml", out=out, runs=100), "--no-report"])
    assert again == 0  # the same comparison may be rerun in place
    other = main([*_args("base.yaml", "guards_calmer.yaml", out=out, runs=100), "--no-report"])
    err = capsys.readouterr().err
    assert other == 2 and "holds a comparison of cmp_base, cmp_relief_on" in err and "--force" in err
    doc = json.loads((out / "comparison.json").read_text())
    assert [c["variant_id"] for c in doc["comparisons"]] == ["cmp_relief_on"]  # the first is intact
    forced = main([*_args("base.yaml", "guards_calmer.yaml", out=out, runs=100), "--no-report", "--force"])
    assert forced == 0
