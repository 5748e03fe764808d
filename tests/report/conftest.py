"""Browser fixtures for report tests: real Debian chromium driven by Playwright, network blocked.

Use in a test marked ``@pytest.mark.browser``::

    def test_x(open_report, tmp_path):
        visit = open_report(path_to_html)          # loads via file://, waits for Plotly
        visit.assert_clean()                       # no console errors, no network, no dialogs
        assert visit.plot_count() == expected
        visit.screenshot("my-report")              # -> test-artifacts/my-report.png

If /usr/bin/chromium is missing the test FAILS with an install hint, unless SIM_SKIP_BROWSER=1.
CI needs: ``apt-get install -y chromium`` (Debian package) and the pip package ``playwright``
(no ``playwright install``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class Visit:
    """One page opened in the browser, with everything it tried to do."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def plot_count(self) -> int:
        """Number of rendered Plotly plots (``.js-plotly-plot`` elements)."""
        return int(self.page.locator(".js-plotly-plot").count())

    def plots_with_data(self) -> list[bool]:
        """For each plot: does it have at least one trace (``el.data.length > 0``)?"""
        res: list[bool] = self.page.evaluate(
            "() => Array.from(document.querySelectorAll('.js-plotly-plot'))"
            ".map(el => !!(el.data && el.data.length > 0 && el._fullLayout))"
        )
        return res

    def assert_clean(self) -> None:
        """No console errors, no uncaught exceptions, no network attempt, no JS dialog."""
        assert not self.blocked, f"page tried to reach the network: {self.blocked}"
        assert not self.dialogs, f"page opened a dialog (script ran?): {self.dialogs}"
        assert not self.page_errors, f"uncaught page errors: {self.page_errors}"
        assert not self.console_errors, f"console errors: {self.console_errors}"

    def screenshot(self, name: str) -> Path:
        """Full-page PNG into test-artifacts/<name>.png (repo-relative, gitignored)."""
        ARTIFACTS.mkdir(exist_ok=True)
        out = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.png"
        self.page.screenshot(path=str(out), full_page=True)
        return out


@pytest.fixture
def open_report(browser: Any) -> Iterator[Callable[..., Visit]]:
    """Open an HTML file via file:// with every non-file request aborted and recorded.

    ``open_report(path, timeout_ms=60000)`` waits until every ``.js-plotly-plot`` has rendered
    (``_fullLayout`` set) and returns a :class:`Visit`.
    """
    contexts: list[Any] = []

    def _open(path: str | Path, timeout_ms: int = 60_000, init_script: str | None = None) -> Visit:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        contexts.append(ctx)
        if init_script:  # runs before the page's scripts (e.g. to record CSP violations)
            ctx.add_init_script(init_script)
        page = ctx.new_page()
        visit = Visit(page=page)

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith("file://"):
                r.continue_()
            else:
                visit.blocked.append(url)
                r.abort()

        ctx.route("**/*", route)
        page.on("console", lambda m: visit.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))

        def on_dialog(d: Any) -> None:
            visit.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", on_dialog)
        page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        page.wait_for_function(
            "() => { const els = document.querySelectorAll('.plotly-graph-div');"
            " return Array.from(els).every(el => el._fullLayout); }",
            timeout=timeout_ms,
        )
        page.wait_for_timeout(300)
        return visit

    yield _open
    for ctx in contexts:
        ctx.close()
