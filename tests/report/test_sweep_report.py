"""The sweep report: every chart renders in real chromium, offline, with scenario text escaped."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from SALib.sample import sobol as sobol_sample

from sim.analysis.sensitivity import DesignInfo, SweepAnalysis, analyse_points
from sim.report.sweep_report import write_sweep_report

EVIL = "<img src=x onerror=alert(1)>"
PARAMS = ["actors.khamenei.traits.pressure_aversion", f"dynamics.{EVIL}", "dynamics.relaxation"]
BOUNDS = [(0.0, 1.0)] * 3


def _prob(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    war = 0.7 * (x[:, 0] > 0.6) * (1 - x[:, 1]) + 0.05 * x[:, 2]
    deal = np.clip(0.9 - war - 0.2 * x[:, 2], 0, 1)
    return war, deal


def _analysis(kind: str) -> SweepAnalysis:
    rng = np.random.default_rng(5)
    if kind == "sobol":
        design = DesignInfo("sobol", PARAMS, BOUNDS, n=64, seed=5)
        x = sobol_sample.sample(design.problem(), 64, calc_second_order=False, seed=5)
    elif kind == "lhs":
        design = DesignInfo("lhs", PARAMS, BOUNDS, n=150, seed=5)
        x = rng.uniform(size=(150, 3))
    else:
        design = DesignInfo("grid", PARAMS, BOUNDS)
        axis = np.linspace(0, 1, 5)
        x = np.array(np.meshgrid(axis, axis, axis, indexing="ij")).reshape(3, -1).T
    pts = pd.DataFrame(x, columns=PARAMS)
    pts.insert(0, "point", np.arange(len(pts)))
    war, deal = _prob(x)
    pts["runs"] = 500
    pts[f"p.war{EVIL}"], pts["p.deal"] = war, deal
    return analyse_points(
        pts, design, [f"p.war{EVIL}", "p.deal"], thresholds={f"p.war{EVIL}": 0.2}, title=f"sweep {EVIL}"
    )


def _expected_figures(a: SweepAnalysis) -> int:
    sobol = 0 if a.sobol is None else a.sobol["output"].nunique()
    ranks = 0 if a.ranks is None else a.ranks["output"].nunique()
    return min(len(a.surfaces), 12) + sobol + ranks + 1 + len(a.prim)


@pytest.mark.parametrize("kind", ["sobol", "lhs", "grid"])
def test_report_html_is_escaped_and_complete(tmp_path: Path, kind: str) -> None:
    a = _analysis(kind)
    out = write_sweep_report(a, tmp_path / "r.html")
    doc = out.read_text(encoding="utf-8")
    body = doc.split("</head>", 1)[1]
    assert EVIL not in body and "onerror=alert(1)>" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert f'data-figures="{_expected_figures(a)}"' in doc
    assert ("Sobol indices of" in body) == (kind == "sobol")
    assert ("Rank correlations with" in body) == (kind == "lhs")
    assert "Scenario discovery (PRIM)" in body and "quasi p-value" in body


def test_default_output_goes_to_the_store(tmp_path: Path) -> None:
    a = _analysis("grid")
    a.store_dir = tmp_path
    assert write_sweep_report(a) == tmp_path / "report.html"
    a.store_dir = None
    with pytest.raises(ValueError):
        write_sweep_report(a)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["sobol", "lhs", "grid"])
def test_every_chart_renders_in_chromium(tmp_path: Path, open_report: Callable[..., Any], kind: str) -> None:
    a = _analysis(kind)
    out = write_sweep_report(a, tmp_path / f"sweep-{kind}.html")
    visit = open_report(out)
    visit.assert_clean()
    expected = _expected_figures(a)
    assert visit.plot_count() == expected
    assert visit.plots_with_data() == [True] * expected
    # the escaped names are shown as text, never turned into elements
    assert visit.page.locator("img[src=x]").count() == 0
    assert EVIL in visit.page.inner_text("body")
    if kind == "sobol":
        bars = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(el => el.data[0].type === 'bar')"
            ".map(el => el.querySelectorAll('g.errorbar path.yerror').length)"
        )
        assert bars == [6, 6]  # S1 and ST error bars drawn for 3 parameters, 2 outcomes
    shot = visit.screenshot(f"sweep-report-{kind}")
    assert shot.stat().st_size > 10_000
    assert math.isfinite(a.prim[0].density_gain)


def test_sobol_warning_and_prim_restrictions_in_the_page(tmp_path: Path) -> None:
    a = _analysis("sobol")  # 64 base samples: intervals of about +/-0.3, too wide to rank
    body = write_sweep_report(a, tmp_path / "r.html").read_text(encoding="utf-8").split("</head>", 1)[1]
    assert body.count('class="warning">Warning: The intervals are too wide to rank') == 2
    assert "64 base samples" in body and "about 1024" in body
    war = next(r for r in a.prim if "war" in r.label)
    trimmed = war.trimmed()
    assert list(trimmed["parameter"]) == ["dynamics.relaxation"]  # cut ~5% of its range
    # the PRIM table lists only the restrictions that matter, with coverage and density
    section = body.split("Scenario discovery (PRIM): P(war", 1)[1].split("</section>", 1)[0]
    table = section.split("<table>", 1)[1].split("</table>", 1)[0]
    assert "relaxation" not in table and "calming" not in table
    assert "refusal to talk under pressure" in table  # label, not the path
    assert "range cut off" in table
    assert "Trimmed at the edges only" in section and "calming of escalation per step" in section
    assert "(coverage)" in section and "(density;" in section


def test_no_sobol_warning_when_intervals_are_narrow(tmp_path: Path) -> None:
    a = _analysis("sobol")
    assert a.sobol is not None
    a.sobol[["S1_conf", "ST_conf"]] = 0.05
    body = write_sweep_report(a, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "too wide to rank" not in body
