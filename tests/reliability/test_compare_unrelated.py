"""#15.8: unrelated scenarios (other actors, another clock) are refused by compare, not paired."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import DATA, MINI

import sim.api as api
from sim.cli import main
from sim.core.errors import SimUserError

TEXT = MINI.read_text()


def _other(tmp_path: Path, old: str, new: str, sid: str) -> Path:
    path = tmp_path / f"{sid}.yaml"
    path.write_text(TEXT.replace("id: mini\n", f"id: {sid}\n", 1).replace(old, new))
    return path


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("step_days: 1", "step_days: 7", "steps of 1 vs 7 days"),
        ("horizon: 60", "horizon: 50", "horizon 60 vs 50"),
        ("start_date: 2020-01-01", "start_date: 2019-12-30", "start 2020-01-01 vs 2019-12-30"),
    ],
)
def test_other_clock_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, why: str
) -> None:
    other = _other(tmp_path, old, new, "other")
    code = main(["compare", str(MINI), str(other), "--runs", "50", "--out", str(tmp_path / "c"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and why in err and "not a variant of mini" in err
    with pytest.raises(SimUserError, match="not a variant"):
        api.compare(MINI, other, runs=50)


def test_no_actor_in_common_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = TEXT.replace("id: mini\n", "id: renamed\n", 1)
    for old in ("leader", "diplomats", "guards", "south_gov"):
        text = text.replace(old, f"x_{old}")
    other = tmp_path / "renamed.yaml"
    other.write_text(text)
    code = main(["compare", str(MINI), str(other), "--runs", "50", "--out", str(tmp_path / "c"), "--quiet"])
    assert code == 2 and "no actor in common" in capsys.readouterr().err


def test_true_variants_still_compare(tmp_path: Path) -> None:
    out = tmp_path / "c"
    args = ["compare", str(MINI), str(DATA / "mini_no_change.yaml"), "--runs", "60", "--out", str(out)]
    assert main([*args, "--quiet", "--no-report"]) == 0
