"""#15.5: a strict Content-Security-Policy that every chart works under.

``script-src`` holds only the SHA-256 hashes of the page's own inline scripts (no
'unsafe-inline', no 'unsafe-eval'), and chromium reports zero CSP violations on the run, sweep
and compare reports, including the sweep's parallel-coordinates chart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fake_results import make_results
from test_sweep_report import _analysis

from sim.analysis.compare import compare_all
from sim.engine.runner import run_scenario
from sim.report.compare_report import write_compare_report
from sim.report.run_report import write_run_report
from sim.report.sweep_report import write_sweep_report
from sim.scenario.loader import load_scenario

DATA = Path(__file__).resolve().parents[1] / "data"
LISTEN = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def _policy(doc: str) -> str:
    m = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', doc)
    assert m
    return m.group(1)


def _reports(tmp_path: Path) -> dict[str, Path]:
    sweep = write_sweep_report(_analysis("lhs"), tmp_path / "sweep.html")
    run = write_run_report(make_results(n=200), tmp_path / "run.html")
    base_sc, var_sc = load_scenario(DATA / "mini.yaml"), load_scenario(DATA / "mini_no_change.yaml")
    base = run_scenario(base_sc, runs=200, seed=1, batch_size=100, workers=1)
    var = run_scenario(var_sc, runs=200, seed=1, batch_size=100, workers=1)
    cmp = write_compare_report(base, [var], compare_all(base, [var]), tmp_path / "compare.html")
    return {"sweep": sweep, "run": run, "compare": cmp}


def test_policy_is_strict(tmp_path: Path) -> None:
    for path in _reports(tmp_path).values():
        doc = path.read_text()
        policy = _policy(doc)
        scripts = re.search(r"script-src ([^;]+);", policy)
        assert scripts and "unsafe" not in scripts.group(1)
        hashes = scripts.group(1).split()
        assert hashes and all(h.startswith("'sha256-") for h in hashes)
        assert len(hashes) >= 2  # the plotly.js bundle and at least one figure


@pytest.mark.browser
def test_zero_csp_violations_and_every_chart_renders(tmp_path: Path, open_report: Callable[..., Any]) -> None:
    for name, path in _reports(tmp_path).items():
        visit = open_report(path, init_script=LISTEN)
        visit.assert_clean()
        violations = visit.page.evaluate("() => window.__csp")
        assert violations == [], f"{name}: {violations}"
        n = visit.plot_count()
        assert n > 0 and visit.plots_with_data() == [True] * n
        if name == "sweep":  # the parallel coordinates draw their lines (SVG paths)
            drawn = visit.page.evaluate(
                "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
                ".filter(el => el.data.some(t => t.meta === 'parcoords'))"
                ".map(el => el.querySelectorAll('g.scatterlayer path.js-line').length)"
            )
            assert drawn and drawn[0] > 0
