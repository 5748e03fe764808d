"""#15.3 and #15.11: ``sim validate`` rejects everything ``sim run`` would, with file:line;
booleans are not numbers; small silent acceptances of the CLI and API are refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from reliability_helpers import DATA, MINI, sim

import sim.api as api
from sim.cli import main
from sim.core.errors import SimUserError
from sim.engine.results import RunResults
from sim.scenario.loader import load_scenario

TEXT = MINI.read_text()


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    assert old in TEXT, old
    path = tmp_path / "s.yaml"
    path.write_text(TEXT.replace(old, new, 1))
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if needle in t)


CASES_3 = [
    # outcome reading an actor's own state
    ("    when: {escalation_at_least: 50}", "    when: {pressure_at_least: 0.5}", "pressure_at_least"),
    ("    when: {escalation_at_least: 50}", "    when: {any_of: [{hit_at_least: 0.5}]}", "hit_at_least"),
    ("start_date: 2020-01-01", "start_date: 9999-12-31", "start_date"),
    ("value: {value: 0.05, assumption: test lever}", "value: {value: 2.0, assumption: test lever}", "set:"),
]


@pytest.mark.parametrize(("old", "new", "needle"), CASES_3)
def test_validate_rejects_what_the_run_would(tmp_path: Path, old: str, new: str, needle: str) -> None:
    path = _variant(tmp_path, old, new)
    done = sim("validate", str(path))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    line = (
        _line(path, new.strip()[:20])
        if needle != "set:"
        else _line(path, "value: {value: 2.0, assumption: test lever")
    )
    assert f"{path}:{line}: " in done.stderr, done.stderr


CASES_11 = [
    ("monte_carlo: {runs: 2000", "monte_carlo: {runs: true", "scenario.monte_carlo.runs"),
    ("  horizon: 60", "  horizon: true", "scenario.horizon"),
    ("    on: true\n", '    on: "yes"\n', "levers[0].on"),
    ("  relaxation: {value: 0.05", "  relaxation: {value: true", "dynamics.relaxation.value"),
    ("step_days: 1", "step_days: true", "scenario.step_days"),
]


@pytest.mark.parametrize(("old", "new", "field"), CASES_11)
def test_booleans_are_not_numbers(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = _variant(tmp_path, old, new)
    with pytest.raises(SimUserError) as err:
        load_scenario(path)
    p = err.value.problems[0]
    assert p.field == field and p.line == _line(path, new.strip().split(":")[0] + ":" + new.split(":")[1][:5])


@pytest.mark.parametrize(("kw", "value"), [("runs", 1.5), ("runs", True), ("seed", 2**64), ("seed", -1)])
def test_api_refuses_bad_numbers(kw: str, value: object, mini_scenario: object) -> None:
    with pytest.raises(SimUserError, match=kw):
        api.run(mini_scenario, **{kw: value})  # type: ignore[arg-type]


def test_variant_overrides_a_distribution_with_a_value(tmp_path: Path) -> None:
    (tmp_path / "mini.yaml").write_text(TEXT)
    v = tmp_path / "v.yaml"
    v.write_text(
        "extends: mini.yaml\nscenario: {id: v}\nactors:\n  - id: leader\n    traits:\n"
        "      hawkishness: {value: 0.3, assumption: fixed in this variant}\n"
    )
    got = load_scenario(v).actor("leader").traits.hawkishness
    assert got.dist == "fixed" and got.value == 0.3 and got.assumption == "fixed in this variant"


VARY = ["--vary", "actors.leader.traits.resolve=0.2:0.8", "--points", "2", "--runs-per-point", "50"]


def test_threshold_of_unknown_outcome(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["sweep", str(MINI), *VARY, "--out", str(tmp_path / "o"), "--threshold", "nosuch=0.2"])
    err = capsys.readouterr().err
    assert code == 2 and "nosuch" in err and "not an outcome" in err
    assert not (tmp_path / "o").exists()


def test_id_cannot_leave_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert main(["sweep", str(MINI), *VARY, "--id", "../../x", "--no-report"]) == 2
    assert not (tmp_path / "x").exists() and not (work / "reports").exists()


def test_report_on_a_sweep_folder_rebuilds_the_sweep_report(tmp_path: Path) -> None:
    out = tmp_path / "sw"
    assert main(["sweep", str(MINI), *VARY, "--out", str(out), "--workers", "1", "--no-report"]) == 0
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    assert "Sweep" in html or "sweep" in html


def test_hand_edited_samples_json_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    assert main(["run", str(MINI), "--runs", "60", "--out", str(out), "--quiet", "--no-report"]) == 0
    meta = json.loads((out / "samples.json").read_text())
    for edit in ({"samples": [{"run": "x"}]}, {"samples": 5}, {"seed": "s"}):
        (out / "samples.json").write_text(json.dumps({**meta, **edit}))
        with pytest.raises(SimUserError):
            RunResults.load(out)
        capsys.readouterr()
        assert main(["report", str(out)]) == 2
        err = capsys.readouterr().err
        assert "samples.json" in err and "Traceback" not in err
    assert re.search(r"error", err)


def test_every_scenario_that_validates_also_compiles() -> None:
    for path in [*DATA.glob("*.yaml"), *Path("scenarios").glob("*.yaml")]:
        assert main(["validate", str(path)]) == 0
