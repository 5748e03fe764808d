"""Tests of the shared page builder: offline, escaped, atomic."""

from __future__ import annotations

import os
import re
from pathlib import Path

import plotly.graph_objects as go
import pytest

from sim.core import fileio
from sim.report import page as pg

EVIL = "<script>alert(1)</script>"


def _fig(name: str = "trace") -> go.Figure:
    return go.Figure(go.Scatter(x=[1, 2, 3], y=[3, 1, 2], name=pg.ptext(name)))


def _doc(evil: str = EVIL) -> str:
    header = [
        pg.tag("p", f"actor {evil}"),
        pg.html_table(["name", "value"], [[evil, 1.5]], numeric=[False, True]),
    ]
    sections = [
        pg.Section(f"first {evil}", _fig(evil), caption=f"caption {evil}"),
        pg.Section("second", _fig()),
    ]
    return pg.build_page(f"title {evil}", header, sections)


def test_page_is_self_contained_and_offline() -> None:
    doc = _doc()
    assert doc.startswith("<!DOCTYPE html>")
    assert 'data-figures="2"' in doc
    # no external script, stylesheet, image or MathJax
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*[\"']?(https?:)?//", doc, re.I)
    assert "mathjax" not in doc.lower().split("</head>")[1]
    assert "Content-Security-Policy" in doc
    assert len(doc) > 1_000_000  # plotly.js really is inline


def test_scenario_text_is_escaped_everywhere() -> None:
    doc = _doc()
    # the literal tag never appears outside the plotly bundle
    body = doc.split("</head>", 1)[1]
    assert EVIL not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    # inside figure JSON: escaped for Plotly and JSON-encoded so no </script> can close the tag
    assert "</script>alert" not in body
    assert pg.ptext(EVIL) == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_markup_is_not_double_escaped() -> None:
    m = pg.tag("b", "x & y")
    assert m == "<b>x &amp; y</b>"
    assert pg.esc(m) == m
    assert pg.join([m, "<i>"]) == "<b>x &amp; y</b>&lt;i&gt;"


def test_atomic_write_keeps_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    pg.write_page(out, "<p>good</p>")
    assert out.read_text() == "<p>good</p>"

    def boom(fd: int) -> None:
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(fileio.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        pg.write_page(out, "<p>new but broken</p>" * 100_000)
    monkeypatch.undo()
    assert out.read_text() == "<p>good</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_atomic_write_interrupted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.html"
    pg.write_page(out, "old")
    real_replace = os.replace

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pg.write_page(out, "new")
    monkeypatch.setattr(fileio.os, "replace", real_replace)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]
    assert pg.write_page(out, "new") == out and out.read_text() == "new"


@pytest.mark.browser
def test_page_renders_offline_in_browser(tmp_path: Path, open_report) -> None:
    out = pg.write_page(tmp_path / "page.html", _doc())
    visit = open_report(out)
    visit.assert_clean()
    assert visit.plot_count() == 2
    assert all(visit.plots_with_data())
    text = visit.page.inner_text("body")
    assert f"actor {EVIL}" in text  # shown as text
    assert visit.page.evaluate("() => document.querySelectorAll('body script:not([src])').length") >= 2
    # the legend/trace name shows the literal text, not markup
    names = visit.page.evaluate("() => document.getElementById('fig-0').data.map(t => t.name)")
    assert names == [pg.ptext(EVIL)]
    legend = visit.page.inner_text("#fig-0 .legend") if visit.page.locator("#fig-0 .legend").count() else ""
    assert legend == "" or "alert(1)" in legend
    visit.screenshot("page-basic")


@pytest.mark.browser
def test_browser_fixture_catches_network_errors_and_dialogs(tmp_path: Path, open_report) -> None:
    """The guard itself must be able to fail: a page without our CSP that misbehaves."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<html><body><img src="http://192.0.2.1/x.png"><script>alert(1);'
        "console.error('boom'); null.x;</script></body></html>"
    )
    visit = open_report(bad)
    assert any(u.startswith("http://192.0.2.1") for u in visit.blocked)
    assert visit.dialogs == ["alert: 1"]
    assert any("boom" in m for m in visit.console_errors)
    assert visit.page_errors
    with pytest.raises(AssertionError):
        visit.assert_clean()
