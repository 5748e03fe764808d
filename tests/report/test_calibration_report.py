"""The calibration report renders offline in a real browser: every figure has data, no errors."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from sim.calibrate.abc import Settings
from sim.workflow.calibrate import calibrate

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.browser
def test_calibration_report_renders_in_browser(tmp_path: Path, open_report) -> None:
    shutil.copy(DATA / "mini.yaml", tmp_path / "mini.yaml")
    rows = "".join(
        f"  - {{date: {dt.date(2020, 1, d)}, actor: guards, action: strike, what: w, source: s, quote: q}}\n"
        for d in (3, 20)
    )
    (tmp_path / "rec.yaml").write_text(
        "observations: {scenario: mini, title: t, period: {start: 2020-01-01, end: 2020-02-29}}\nevents:\n"
        + rows,
        encoding="utf-8",
    )
    out = calibrate(
        tmp_path / "mini.yaml",
        tmp_path / "rec.yaml",
        params=["dynamics.logit_precision", "dynamics.weights.war_cost", "dynamics.relaxation"],
        out_dir=tmp_path / "cal",
        settings=Settings(particles=60, generations=2, seed=1),
    )
    assert out.report is not None
    visit = open_report(out.report)
    visit.assert_clean()
    assert visit.plot_count() == 4
    assert all(visit.plots_with_data())
    visit.screenshot("calibration-report")
