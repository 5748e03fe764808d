"""`sim app` in a real headless chromium: load, move a slider, flip a lever, run, see the numbers
change against the unchanged baseline, download the variant YAML and validate it, open the report.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests_app_helpers import ARTIFACTS, DATA

from sim.cli import main
from sim.scenario.loader import load_scenario
from sim.scenario.paths import get_param

pytestmark = pytest.mark.browser

WAR_COST = "dynamics.weights.war_cost"


@pytest.fixture
def page(browser: Any, clean_server: str) -> Iterator[Any]:
    """A page on the app; records console errors and any request that is not to the app."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    page.errors, page.blocked = [], []

    def route(r: Any) -> None:
        if r.request.url.startswith(clean_server):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(clean_server, wait_until="load")
    page.wait_for_selector("body[data-state=ready]", timeout=30_000)
    try:
        yield page
    finally:
        ctx.close()


def cards(page: Any) -> dict[str, tuple[float, float]]:
    """Outcome id -> (baseline, what-if) probability shown on the cards."""
    out = page.eval_on_selector_all(
        ".card", "els => els.map(e => [e.dataset.outcome, +e.dataset.pBase, +e.dataset.pVariant])"
    )
    return {o: (b, v) for o, b, v in out}


def run(page: Any) -> dict[str, tuple[float, float]]:
    page.click("#run")
    page.wait_for_selector("body[data-state=done]", timeout=60_000)
    return cards(page)


WATCH_PROGRESS = """() => {
  window.seenProgress = [];
  new MutationObserver(() => window.seenProgress.push(
    [document.getElementById("status").textContent, !document.getElementById("progress").hidden]
  )).observe(document.getElementById("status"), {childList: true, characterData: true, subtree: true});
}"""
"""Records every status line the page shows and whether the progress bar is visible then."""


def test_what_if_loop_in_the_browser(page: Any, tmp_path: Path) -> None:
    assert page.locator("#scenario option").all_inner_texts() == ["mini.yaml", "mini_forbid_strike.yaml"]
    assert page.inner_text("#title") == "Two-sided test crisis"
    assert page.locator(".param").count() > 20 and page.locator("[data-lever]").count() == 3
    page.select_option("#runs", "1000")

    same = run(page)  # nothing changed: what-if = baseline
    assert same and all(b == v for b, v in same.values())
    assert page.locator("#fan .js-plotly-plot, #fan.js-plotly-plot").count() == 1

    page.fill("#filter", "war_cost")
    assert page.locator(".param:visible").count() == 1
    box = page.locator(f'.param[data-path="{WAR_COST}"]')
    assert box.locator(".prov").inner_text() == "assumption: test"  # provenance as in mini.yaml
    slider = page.locator(f'input[data-path="{WAR_COST}"][data-key="centre"]')
    slider.focus()
    slider.press("End")  # as a user would: the highest value on the slider
    assert page.locator(f'.param[data-path="{WAR_COST}"]').get_attribute("class") == "param changed"
    page.check('[data-lever="relief_offered"]')

    page.evaluate(WATCH_PROGRESS)
    moved = run(page)
    seen = page.evaluate("window.seenProgress")
    assert any(re.fullmatch(r"running: [\d,]+ of 1,000 runs \([\d.]+ s\)", t) for t, _ in seen), seen
    assert all(visible for t, visible in seen if t.startswith("running"))  # the bar shows meanwhile
    assert page.locator("#progress").is_hidden() and page.inner_text("#status").startswith("done in ")
    assert {o: b for o, (b, _) in moved.items()} == {o: b for o, (b, _) in same.items()}, "baseline moved"
    assert any(abs(v - b) > 0.02 for b, v in moved.values()), moved
    changes = page.inner_text("#changes")  # parameters by their readable label (sim.scenario.sites)
    assert "weight of the cost of war" in changes and "Relief offered: on" in changes
    assert page.locator(".card").first.inner_text().count("%") >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "app-whatif.png"), full_page=True)

    check_download(page, tmp_path, float(slider.input_value()))
    check_report(page)
    assert not page.errors, page.errors
    assert not page.blocked, page.blocked


def check_download(page: Any, tmp_path: Path, war_cost: float) -> None:
    """The downloaded variant, saved beside its base, validates and holds what was run."""
    with page.expect_download() as info:
        page.click("#download")
    download = info.value
    assert download.suggested_filename == "mini_what_if.yaml"
    shutil.copy(DATA / "mini.yaml", tmp_path / "mini.yaml")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    assert path.read_text().splitlines()[2] == "extends: mini.yaml"
    assert main(["validate", str(path)]) == 0
    variant = load_scenario(path)
    assert get_param(variant, WAR_COST).value == war_cost
    assert {lv.id: lv.on for lv in variant.levers}["relief_offered"] is True


def check_report(page: Any) -> None:
    """ "Open full report" opens the run report of the what-if in a new tab."""
    with page.context.expect_page() as info:
        page.click("#report")
    report = info.value
    report.wait_for_load_state("load")
    report.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 3", timeout=60_000)
    assert "Two-sided test crisis: what-if" in report.title()
    assert "war_cost" in report.inner_text("body")  # the differences from the base are listed
