"""The comparison report: real engine runs of tests/analysis/data, escaped text, browser render."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sim.analysis.compare import VariantComparison, compare_all
from sim.engine.results import RunResults
from sim.engine.runner import run_scenario
from sim.report.compare_report import write_compare_report
from sim.report.compare_tables import comparison_markdown
from sim.scenario.loader import load_scenario

DATA = Path(__file__).parents[1] / "analysis" / "data"
VARIANTS = ("relief_on", "actor_added", "actor_removed")
Compared = tuple[RunResults, list[RunResults], list[VariantComparison]]


@pytest.fixture(scope="module")
def compared() -> Compared:
    runs = {
        name: run_scenario(load_scenario(DATA / f"{name}.yaml"), runs=400, seed=2, workers=1)
        for name in ("base", *VARIANTS)
    }
    variants = [runs[v] for v in VARIANTS]
    return runs["base"], variants, compare_all(runs["base"], variants)


@pytest.fixture(scope="module")
def report(compared: Compared, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base, variants, comparisons = compared
    return write_compare_report(base, variants, comparisons, tmp_path_factory.mktemp("cmp") / "report.html")


def test_report_escapes_scenario_text(report: Path) -> None:
    html = report.read_text()
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert re.search(r'data-figures="4"', html)


def test_report_lists_each_variant_and_its_changes(report: Path) -> None:
    html = report.read_text()
    for title in ("Relief offered", "A proxy militia joins", "Without the guards"):
        assert html.count(title) >= 3, title
    assert "actors.proxy" in html and "added" in html
    assert "actors.guards" in html and "removed" in html
    assert "levers.relief_offered.on" in html


def test_markdown_tables(compared: Compared) -> None:
    base, _, comparisons = compared
    md = comparison_markdown(base, comparisons)
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    # header + 4 outcomes, header + 2 escalation metrics
    assert len(rows) == 8
    assert all(line.count("|") == 2 + len(VARIANTS) + 1 for line in rows)
    relief = comparisons[0].outcome("deal")
    assert f"{100 * relief.p_variant:.1f}%, **{100 * relief.diff:+.1f} [" in md


@pytest.mark.browser
def test_compare_report_renders_in_browser(report: Path, open_report: Callable[..., Any]) -> None:
    visit = open_report(report)
    visit.assert_clean()
    assert visit.plot_count() == 4
    assert all(visit.plots_with_data())
    # The title is shown as typed (escaped), not run as a script.
    assert '<script>alert("x")</script> & co' in visit.page.locator("h1").inner_text()
    # Side-by-side fans: one panel title per scenario.
    fans = visit.page.locator("#fig-2 .gtitle, #fig-2 .annotation-text")
    titles = [fans.nth(i).text_content() or "" for i in range(fans.count())]
    assert any("alert" in t for t in titles) and "Relief offered" in titles
    shot = visit.screenshot("compare-report")
    assert shot.stat().st_size > 10_000


@pytest.mark.browser
def test_compare_report_shows_how_relief_shifts_the_terms(
    tmp_path: Path, open_report: Callable[..., Any]
) -> None:
    scenarios = Path(__file__).resolve().parents[2] / "scenarios"
    base = run_scenario(load_scenario(scenarios / "iran_us_2019.yaml"), runs=400, seed=5, workers=1)
    relief = run_scenario(
        load_scenario(scenarios / "iran_us_2019_sanctions_relief.yaml"), runs=400, seed=5, workers=1
    )
    out = write_compare_report(base, [relief], compare_all(base, [relief]), tmp_path / "report.html")
    visit = open_report(out)
    visit.assert_clean()
    assert all(visit.plots_with_data())
    text = visit.page.inner_text("body")
    assert "Bargaining: how the terms shift" in text and "Sanctions relief: median" in text
    boxes = visit.page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
               .filter(p => p.data.length && p.data.every(t => t.type === 'box'))
               .map(p => p.data.map(t => t.y.length))"""
    )
    assert boxes and len(boxes[0]) == 2 and min(boxes[0]) > 0  # terms under both scenarios


def test_no_bargaining_no_terms_section(report: Path) -> None:
    assert "Bargaining: how the terms shift" not in report.read_text()
