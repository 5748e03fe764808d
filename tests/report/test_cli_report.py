"""`sim report RESULTS_DIR [--out FILE]`: rebuilds the report; clear errors on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_results import make_results, scenario_dict

from sim.cli import main
from sim.engine.results import RunResults
from sim.scenario.schema import Scenario


@pytest.fixture
def results_dir(tmp_path: Path) -> Path:
    return make_results(n=150).save(tmp_path / "res")


def test_report_default_location(results_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(results_dir)]) == 0
    out = results_dir / "report.html"
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text()
    assert 'data-figures="7"' in html
    assert "Toy crisis &amp; &lt;test&gt;" in html
    assert not list(results_dir.glob(".*.tmp"))


def test_report_out_option(results_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "elsewhere" / "r.html"
    assert main(["report", str(results_dir), "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.stat().st_size > 1_000_000
    assert not (results_dir / "report.html").exists()


def test_variant_base_found_next_to_results(tmp_path: Path) -> None:
    base = make_results(n=80)
    d = scenario_dict()
    d["actors"][0]["traits"]["wait_out"] = {"value": 0.9, "assumption": "variant"}
    d["variant_of"] = "base.yaml"
    res = make_results(n=80, scenario=Scenario.model_validate(d))
    out_dir = res.save(tmp_path / "res")
    import yaml

    (out_dir / "base.yaml").write_text(
        yaml.safe_dump(base.scenario.model_dump(mode="json", exclude_none=True))
    )
    assert main(["report", str(out_dir)]) == 0
    html = (out_dir / "report.html").read_text()
    assert '<td class="changed">0.9</td>' in html


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("samples.json", b'{"seed": ', "samples.json: unreadable"),
        ("scenario.json", b'{"scenario": 1}', "scenario.json: unreadable"),
        ("runs.parquet", b"PAR1 not really", "runs.parquet: unreadable"),
        ("aggregates.npz", b"garbage", "aggregates.npz: unreadable"),
        ("aggregates.npz", None, "aggregates.npz: missing"),
    ],
)
def test_broken_results_are_user_errors(
    results_dir: Path, name: str, content: bytes | None, expect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if content is None:
        (results_dir / name).unlink()
    else:
        (results_dir / name).write_bytes(content)
    assert main(["report", str(results_dir)]) == 2
    err = capsys.readouterr().err
    assert expect in err and str(results_dir) in err
    assert "sim run" in err  # the fix
    assert "Traceback" not in err
    assert not (results_dir / "report.html").exists()


def test_inconsistent_arrays(results_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    r = RunResults.load(results_dir)
    r.action_counts = r.action_counts[:, :1, :]
    r.save(results_dir)
    assert main(["report", str(results_dir)]) == 2
    assert "action_counts" in capsys.readouterr().err


def test_missing_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "nope")]) == 2
    assert "nope: not a directory" in capsys.readouterr().err


def test_unwritable_out_is_user_error(results_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = results_dir / "runs.parquet"  # a file where a folder would be needed
    assert main(["report", str(results_dir), "--out", str(blocker / "r.html")]) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert main(["report", str(results_dir), "--out", str(results_dir)]) == 2
    assert "is a directory" in capsys.readouterr().err
