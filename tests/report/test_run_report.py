"""Run report: structure, escaping and rendering in real chromium (synthetic and real runs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_results import make_results, scenario_dict

from sim.engine.results import RunResults
from sim.report import run_figures
from sim.report import run_report as rr
from sim.scenario.schema import Scenario

EVIL = "<script>alert(1)</script>"
REPO = Path(__file__).resolve().parents[2]
REAL_SCENARIO = REPO / "scenarios" / "iran_us_2019.yaml"


def _check_rendered(visit, results: RunResults) -> None:
    visit.assert_clean()
    expected = len(rr.run_sections(results))
    assert int(visit.page.get_attribute("body", "data-figures")) == expected
    assert visit.plot_count() == expected
    assert all(visit.plots_with_data())


def test_sections_cover_the_brief() -> None:
    res = make_results(n=400)
    titles = [s.title for s in rr.run_sections(res)]
    assert titles[:5] == [
        "Outcomes",
        "Escalation over time",
        "Time to event",
        "How high it went",
        "Who does what",
    ]
    assert "Why: what drives each outcome" in titles
    assert "Sample trajectories" in titles
    fan = run_figures.fig_fan(res)
    # ladder levels on the y axis, events marked on the date axis
    assert list(fan.layout.yaxis.tickvals) == [lv.at for lv in res.scenario.ladder.levels]
    assert any("calm" in t for t in fan.layout.yaxis.ticktext)
    shapes = [s.type for s in fan.layout.shapes]
    assert "rect" in shapes  # the summit window
    assert any(s.type == "line" and s.x0 == "2019-05-21" for s in fan.layout.shapes)  # deadline
    assert fan.data[0].x[0] == "2019-05-01" and fan.data[0].x[1] == "2019-05-03"  # step_days = 2


def test_headline_numbers_match_data() -> None:
    res = make_results(n=300)
    html = rr.headline_html(res)
    war_share = res.runs["war"].mean()
    assert f"{100 * war_share:.1f}%" in html
    assert "seed 1" in html and "batch size 256" in html and "300 runs" in html


def test_drivers_panel_ranks_the_real_driver_first() -> None:
    res = make_results(n=1500)
    fig = next(s.figure for s in rr.run_sections(res) if s.title.startswith("Why"))
    war_bar = fig.data[1]  # outcomes: talks, war
    assert war_bar.y[-1] == "Alpha state: hawkishness"  # top bar is the last one (reversed order)
    assert war_bar.x[-1] > 0.3


def test_no_params_no_drivers_figure() -> None:
    res = make_results(n=200)
    res.runs = res.runs.drop(columns=[c for c in res.runs.columns if c.startswith("param.")])
    titles = [s.title for s in rr.run_sections(res)]
    assert not any(t.startswith("Why") for t in titles)


@pytest.mark.browser
def test_run_report_renders_in_browser(tmp_path: Path, open_report) -> None:
    res = make_results(n=500)
    out = rr.write_run_report(res, tmp_path / "report.html")
    assert out == tmp_path / "report.html"
    visit = open_report(out)
    _check_rendered(visit, res)
    visit.screenshot("run-report-synthetic")


@pytest.mark.browser
def test_hostile_names_show_as_text(tmp_path: Path, open_report) -> None:
    sc = Scenario.model_validate(scenario_dict(alpha_name=EVIL, beta_name='"><img src=x onerror=alert(2)>'))
    res = make_results(n=200, scenario=sc)
    out = rr.write_run_report(res, tmp_path / "evil.html")
    html = out.read_text()
    body = html.split("</head>", 1)[1]
    assert EVIL not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body
    visit = open_report(out)
    _check_rendered(visit, res)  # includes: no dialog opened, no request to "x"
    text = visit.page.inner_text("body")
    assert EVIL in text  # shown literally in the tables
    # and literally in the plots (subplot titles of the action mix are SVG text)
    svg_text = visit.page.evaluate(
        "() => Array.from(document.querySelectorAll('svg text')).map(t => t.textContent)"
    )
    assert any(EVIL in t for t in svg_text)
    assert visit.page.evaluate("() => document.querySelectorAll('img').length") == 0


def _real_results(runs: int) -> RunResults:
    if not REAL_SCENARIO.exists():
        pytest.fail(f"{REAL_SCENARIO} missing: the end-to-end report test needs the real scenario")
    from sim.engine.runner import run_scenario
    from sim.scenario.loader import load_scenario

    return run_scenario(load_scenario(REAL_SCENARIO), runs=runs, seed=7, workers=1)


@pytest.mark.browser
@pytest.mark.slow
def test_real_run_end_to_end(tmp_path: Path, open_report) -> None:
    res = _real_results(500)
    res.save(tmp_path / "res")
    loaded = RunResults.load(tmp_path / "res")
    out = rr.write_run_report(loaded, tmp_path / "res" / "report.html")
    visit = open_report(out)
    _check_rendered(visit, loaded)
    text = visit.page.inner_text("body")
    for o in loaded.scenario.outcomes:
        assert o.name in text
    for a in loaded.scenario.actors:
        assert a.name in text
    visit.screenshot("run-report-iran-us-2019")


@pytest.mark.browser
def test_bargaining_sections_render_with_the_agreed_terms(tmp_path: Path, open_report) -> None:
    res = _real_results(400)
    out = rr.write_run_report(res, tmp_path / "report.html")
    visit = open_report(out)
    _check_rendered(visit, res)
    text = visit.page.inner_text("body")
    assert "Bargaining: offers, deals, breakdowns" in text and "Bargaining: the terms agreed" in text
    assert "a deal is struck" in text and "Sanctions relief" in text
    assert res.scenario.bargaining is not None
    # one histogram panel per issue, with bars where deals were struck
    terms = visit.page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')]
               .filter(p => p.data.length && p.data.every(t => t.type === 'bar'))
               .map(p => p.data.length)"""
    )
    assert len(res.scenario.bargaining.issues) in terms


def test_no_bargaining_no_bargaining_section() -> None:
    res = make_results()
    assert not [s for s in rr.run_sections(res) if s.title.startswith("Bargaining")]


@pytest.mark.browser
def test_escalation_tracks_get_their_own_levels_figure(tmp_path: Path, open_report) -> None:
    from sim.engine.runner import run_scenario
    from sim.scenario.loader import load_scenario

    tracks = Path(__file__).resolve().parents[1] / "data" / "mini_tracks.yaml"
    res = run_scenario(load_scenario(tracks), runs=300, seed=2, workers=1, samples=2)
    titles = [s.title for s in rr.run_sections(res)]
    assert titles[titles.index("How high it went") + 1] == "How high it went: Economic war"
    fig = run_figures.fig_peak_levels(res, "economic")
    assert list(fig.data[0].x) == ["Trade", "Sanctions", "Embargo"]
    visit = open_report(rr.write_run_report(res, tmp_path / "tracks.html"))
    _check_rendered(visit, res)
