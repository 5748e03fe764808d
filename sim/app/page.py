"""The app's one HTML page: self-contained (plotly.js, script and style inline), no network.

The page is static: everything scenario-specific arrives as JSON from the server and is put in
the DOM with ``textContent`` (never ``innerHTML``), so scenario text cannot become markup.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from sim.report.page import csp_for, esc, plotly_js


def app_csp(fragments: list[str]) -> str:
    """The reports' strict policy (each inline script allowed by its SHA-256 hash, no
    'unsafe-inline', no eval), except that the page may call its own server (``'self'``)."""
    return csp_for(fragments).replace("connect-src 'none'", "connect-src 'self'")


FRAME_ANCESTORS = "; frame-ancestors 'none'"
"""What the HTTP header adds to a ``<meta>`` policy (which cannot say it): no framing by other sites."""


def header_csp(document: str, own_server: bool) -> str:
    """The HTTP header's policy for a whole ``document`` (the app page, or a report when
    ``own_server`` is false: no connections at all), plus no framing."""
    policy = app_csp([document]) if own_server else csp_for([document])
    return policy + FRAME_ANCESTORS


def _static(name: str) -> str:
    return resources.files("sim.app").joinpath("static", name).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def app_page(folder_label: str) -> str:
    """The whole page; ``folder_label`` (the scenario folder's name) is escaped."""
    script = _static("app.js").replace("</script", "<\\/script")
    scripts = [f"<script>{plotly_js()}</script>", f"<script>{script}</script>"]
    return "\n".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{app_csp(scripts)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>sim app — {esc(folder_label)}</title>",
            f"<style>{_static('app.css')}</style>",
            f"{scripts[0]}</head>",
            _static("body.html").replace("{{folder}}", esc(folder_label)),
            scripts[1],
            "</body></html>\n",
        ]
    )
