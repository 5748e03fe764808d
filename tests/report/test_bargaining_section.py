"""The run report's bargaining section (sim/report/bargaining_section.py)."""

from __future__ import annotations

from pathlib import Path

from sim.analysis.bargaining import deal_summary
from sim.core import columns as col
from sim.engine.runner import run_scenario
from sim.report.bargaining_section import bargaining_section, compare_bargaining_section
from sim.report.run_report import run_sections
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_section_shows_terms_per_issue_and_the_timeline() -> None:
    res = run_scenario(
        load_scenario(ROOT / "scenarios/iran_us_2019.yaml"), runs=200, seed=4, workers=1, samples=0
    )
    section = bargaining_section(res)
    assert section is not None and "Bargaining" in [s.title for s in run_sections(res)]
    boxes = [t for t in section.figure.data if t.type == "box"]
    assert [b.name for b in boxes] == [i.name for i in res.scenario.bargaining.issues]  # type: ignore[union-attr]
    assert len(boxes[0].y) == res.runs[col.DEAL_STEP].notna().sum()
    deals = next(t for t in section.figure.data if t.name == "deal struck")
    assert deals.y[-1] == deal_summary(res).deal  # type: ignore[union-attr]
    assert f"{deal_summary(res).deal:.1%}" in section.caption  # type: ignore[union-attr]


def test_no_section_without_bargaining() -> None:
    res = run_scenario(load_scenario(ROOT / "tests/data/mini.yaml"), runs=20, seed=1, workers=1, samples=0)
    assert bargaining_section(res) is None
    assert "Bargaining" not in [s.title for s in run_sections(res)]


def test_compare_section_puts_the_scenarios_terms_side_by_side() -> None:
    runs = [
        run_scenario(load_scenario(ROOT / f"scenarios/{name}.yaml"), runs=200, seed=4, workers=1, samples=0)
        for name in ("iran_us_2019", "iran_us_2019_sanctions_relief")
    ]
    section = compare_bargaining_section(runs)
    assert section is not None
    assert [t.name for t in section.figure.data] == ["iran_us_2019", "iran_us_2019_sanctions_relief"]
    for trace, res in zip(section.figure.data, runs, strict=True):
        assert len(trace.y) == 4 * res.runs[col.DEAL_STEP].notna().sum()  # four issues per deal
    assert "iran_us_2019_sanctions_relief: deal" in section.caption
