"""#14.3-5: reports a reader can read, checked in a real chromium (strict CSP, zero violations).

Every report opens with "How to read this"; the run report's event labels never overlap and
"who does what" leaves out the status quo; the sweep report of a 1-D and a 2-D sweep draws every
chart without WebGL, scales heat maps to the data (a rare outcome is not one flat colour) and
names parameters in words; percent ticks never repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fake_results import make_results, scenario_dict

from sim.analysis.compare import compare_all
from sim.analysis.sensitivity import DesignInfo, SweepAnalysis, analyse_points
from sim.analysis.sweep_design import ReportWords
from sim.engine.runner import run_scenario
from sim.report.compare_report import write_compare_report
from sim.report.reading import status_text
from sim.report.run_report import write_run_report
from sim.report.scenario_section import scenario_html
from sim.report.sweep_report import write_sweep_report
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

DATA = Path(__file__).resolve().parents[1] / "data"
LISTEN = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)
WAR, DEAL = "p.war", "p.deal"
PARAMS = ["actors.alpha.traits.pressure_aversion", "dynamics.relaxation"]
WORDS = ReportWords(
    labels={
        PARAMS[0]: "Alpha state: refusal to talk under pressure",
        PARAMS[1]: "calming of escalation per step",
    },
    outcome_names={"war": "All-out war", "deal": "A deal"},
    calibrated=[],
)

# ---- pages -----------------------------------------------------------------------------------


def _crowded_scenario() -> Scenario:
    """The toy scenario with events a day or two apart, early and late (labels would collide)."""
    d = scenario_dict()
    a = {"assumption": "synthetic test value"}
    d["events"] += [
        {"id": f"e{i}", "name": f"A long scheduled event name number {i}", "start": day, **a}
        for i, day in enumerate(
            [
                "2019-05-22",
                "2019-05-23",
                "2019-05-24",
                "2019-05-25",
                "2019-05-27",
                "2019-05-28",
                "2019-08-24",
                "2019-08-26",
            ]
        )
    ]
    return Scenario.model_validate(d)


def _sweep(n_params: int) -> SweepAnalysis:
    """A grid over 1 or 2 parameters; war is rare (0.1% to 2%) and rises with both."""
    axis = np.linspace(0.0, 1.0, 9 if n_params == 1 else 5)
    grid = np.array(np.meshgrid(*[axis] * n_params, indexing="ij")).reshape(n_params, -1).T
    params = PARAMS[:n_params]
    pts = pd.DataFrame(grid, columns=params)
    pts.insert(0, "point", np.arange(len(pts)))
    pts["runs"] = 4000
    pts[WAR] = 0.001 + 0.019 * grid.mean(axis=1)
    pts[DEAL] = 0.6 - 0.3 * grid[:, 0]
    design = DesignInfo("grid", params, [(0.0, 1.0)] * n_params)
    a = analyse_points(pts, design, [WAR, DEAL], title=f"{n_params}-D test sweep")
    a.words = WORDS
    return a


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("readable")
    base_sc, var_sc = load_scenario(DATA / "mini.yaml"), load_scenario(DATA / "mini_no_change.yaml")
    base = run_scenario(base_sc, runs=200, seed=1, batch_size=100, workers=1)
    var = run_scenario(var_sc, runs=200, seed=1, batch_size=100, workers=1)
    return {
        "run": write_run_report(make_results(n=300, scenario=_crowded_scenario()), out / "run.html"),
        "compare": write_compare_report(base, [var], compare_all(base, [var]), out / "compare.html"),
        "sweep1": write_sweep_report(_sweep(1), out / "sweep1.html"),
        "sweep2": write_sweep_report(_sweep(2), out / "sweep2.html"),
    }


# ---- browser helpers ---------------------------------------------------------------------------

TICKS_JS = """() => {
  const out = [];
  for (const g of document.querySelectorAll('.xaxislayer-above, .yaxislayer-above, g.colorbar')) {
    const texts = Array.from(g.querySelectorAll('text')).map(t => t.textContent)
      .filter(t => /%$/.test(t));
    if (texts.length) out.push(texts);
  }
  return out;
}"""

FIGURE_JS = """(title) => {
  const sec = Array.from(document.querySelectorAll('section.figure'))
    .find(s => s.querySelector('h2') && s.querySelector('h2').textContent === title);
  return sec ? sec.querySelector('.js-plotly-plot') : null;
}"""


def _open(open_report: Callable[..., Any], path: Path) -> Any:
    visit = open_report(path, init_script=LISTEN)
    visit.assert_clean()
    assert visit.page.evaluate("() => window.__csp") == [], f"{path.name}: CSP violations"
    n = visit.plot_count()
    assert n == int(visit.page.get_attribute("body", "data-figures"))
    assert n > 0 and visit.plots_with_data() == [True] * n
    return visit


def _how_to_read_first(visit: Any) -> str:
    """The how-to-read block's text; it comes before every figure."""
    block = visit.page.locator("#how-to-read")
    assert block.count() == 1
    before = visit.page.evaluate(
        "() => { const h = document.getElementById('how-to-read');"
        " return Array.from(document.querySelectorAll('section.figure'))"
        ".every(s => h.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING); }"
    )
    assert before
    text: str = block.inner_text()
    assert "How to read this" in text and "not forecasts" in text and "Monte Carlo error" in text
    assert "What drives what" in text
    return text


def _ticks_distinct(visit: Any) -> int:
    groups = visit.page.evaluate(TICKS_JS)
    for texts in groups:
        assert len(texts) == len(set(texts)), f"repeated percent ticks: {texts}"
    return len(groups)


# ---- tests -------------------------------------------------------------------------------------


@pytest.mark.browser
def test_run_report_reads_well(pages: dict[str, Path], open_report: Callable[..., Any]) -> None:
    visit = _open(open_report, pages["run"])
    _how_to_read_first(visit)
    body = visit.page.inner_text("body")
    assert "seed text" not in body
    assert _ticks_distinct(visit) >= 3
    # event labels of the fan chart: 10 labels, no two boxes overlap
    boxes = visit.page.evaluate(
        "(plot) => Array.from(plot.querySelectorAll('g.annotation'))"
        ".map(a => { const r = a.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom, a.textContent]; })",
        visit.page.evaluate_handle(FIGURE_JS, "Escalation over time"),
    )
    assert len(boxes) == 10
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] + 0.5 or b[2] <= a[0] + 0.5 or a[3] <= b[1] + 0.5 or b[3] <= a[1] + 0.5
            assert apart, f"labels overlap: {a[4]!r} and {b[4]!r}"
    # who does what: the acts, not the status quo ("Wait")
    names = visit.page.evaluate(
        "(plot) => plot.data.map(t => t.name)", visit.page.evaluate_handle(FIGURE_JS, "Who does what")
    )
    assert "Wait" not in names and {"Talk", "Strike", "Sanction"} <= set(names)
    assert "Wait" in visit.page.locator("section.figure", has_text="Who does what").inner_text()
    # drivers are labelled in words: actor name + trait
    assert "Alpha state: hawkishness" in visit.page.evaluate(
        "(plot) => plot.data.flatMap(t => t.y || [])",
        visit.page.evaluate_handle(FIGURE_JS, "Why: what drives each outcome"),
    )


@pytest.mark.browser
def test_compare_report_reads_well(pages: dict[str, Path], open_report: Callable[..., Any]) -> None:
    visit = _open(open_report, pages["compare"])
    assert "caused by those changes" in _how_to_read_first(visit)
    assert _ticks_distinct(visit) >= 2


@pytest.mark.browser
@pytest.mark.parametrize("n_params", [1, 2])
def test_sweep_report_draws_every_chart(
    pages: dict[str, Path], open_report: Callable[..., Any], n_params: int
) -> None:
    visit = _open(open_report, pages[f"sweep{n_params}"])
    _how_to_read_first(visit)
    body = visit.page.inner_text("body")
    assert "WebGL" not in body and visit.page.locator("canvas").count() == 0
    assert "Alpha state: refusal to talk under pressure" in body and "P(All-out war)" in body
    assert "actors.alpha" not in visit.page.evaluate(
        "() => Array.from(document.querySelectorAll('svg text')).map(t => t.textContent).join(' ')"
    )
    assert _ticks_distinct(visit) >= 2
    if n_params == 1:  # a line chart with interval bands, one panel per outcome
        plot = visit.page.evaluate_handle(
            FIGURE_JS, "Outcome probabilities over Alpha state: refusal to talk under pressure"
        )
        fills = visit.page.evaluate("(p) => p.data.filter(t => t.fill === 'tonexty').length", plot)
        assert fills == 2
        lines = visit.page.evaluate("(p) => p.querySelectorAll('g.scatterlayer path.js-line').length", plot)
        assert lines >= 2
        # the rare outcome's own axis: top tick a few percent, not 100%
        war_ticks = visit.page.evaluate(
            "(p) => Array.from(p.querySelectorAll('.yaxislayer-above')[0].querySelectorAll('text'))"
            ".map(t => t.textContent)",
            plot,
        )
        assert war_ticks[-1] in {"2.0%", "2.5%", "2%"}, war_ticks
    else:  # heat maps coloured over the data's range; parallel coordinates drawn as SVG
        ranges = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(p => p.data[0].type === 'heatmap')"
            ".map(p => { const z = p.data[0].z.flat().filter(v => v !== null);"
            " return [p.data[0].zmin, p.data[0].zmax, Math.min(...z), Math.max(...z)]; })"
        )
        assert len(ranges) == 2
        for zmin, zmax, lo, hi in ranges:
            assert zmin == pytest.approx(lo) and zmax == pytest.approx(hi)
        assert ranges[0][1] < 0.05  # P(war) at most ~2%: its scale is not 0..1
        drawn = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".filter(el => el.data.some(t => t.meta === 'parcoords'))"
            ".map(el => el.querySelectorAll('g.scatterlayer path.js-line').length)"
        )
        assert drawn and drawn[0] > 0


def test_how_to_read_says_when_the_scenario_is_calibrated() -> None:
    assert "not forecasts" in status_text([])
    text = status_text(["Alpha state: resolve", "calming of escalation per step"])
    assert "calibrated" in text and "2 parameter(s)" in text and "Alpha state: resolve" in text
    assert "not forecasts" not in text


INTERNAL_WORDS = ("seed text", "shared/seed", "seed/article")
SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_bundled_scenarios_show_no_internal_wording(path: Path) -> None:
    """What the reports print of a scenario (description, sources, notes, provenance) has no
    words from the project's own workings."""
    sc = load_scenario(path)
    shown = " ".join(
        [sc.scenario.description or "", sc.notes or "", str(scenario_html(sc))]
        + [f"{s.title} {s.outlet}" for s in sc.scenario.sources]
    ).lower()
    for words in INTERNAL_WORDS:
        assert words not in shown, f"{path.name}: {words!r} in reader-facing text"


def test_a_calibrated_scenario_says_so(tmp_path: Path) -> None:
    d = scenario_dict()
    d["actors"][0]["traits"]["resolve"] = {"value": 0.6, "calibrated": "events.csv, ABC-SMC"}
    sc = Scenario.model_validate(d)
    doc = write_run_report(make_results(n=100, scenario=sc), tmp_path / "r.html").read_text(encoding="utf-8")
    block = doc.split('id="how-to-read"', 1)[1].split("</section>", 1)[0]
    assert "This scenario is calibrated: 1 parameter(s)" in block and "Alpha state: resolve" in block
    assert "not forecasts" not in block
    plain = write_run_report(make_results(n=100), tmp_path / "p.html").read_text(encoding="utf-8")
    assert "not forecasts" in plain.split('id="how-to-read"', 1)[1].split("</section>", 1)[0]
