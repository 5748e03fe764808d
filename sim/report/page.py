"""Building blocks shared by every report (run, sweep, compare): one self-contained HTML page.

A page is a title, header blocks (HTML fragments built with :func:`esc` / :func:`html_table`)
and a list of :class:`Section`s, each a Plotly figure with a caption. plotly.js is embedded
inline, MathJax is not loaded and nothing references the network: the file opens offline and a
Content-Security-Policy forbids any fetch. Write it with :func:`write_page` (atomic).

Escaping rules:
- text from a scenario that goes into HTML: :func:`esc` (``html.escape``), or :func:`html_table`
  which escapes every cell unless it is a :class:`Markup`;
- text from a scenario that goes into a Plotly figure (trace names, axis titles, tick labels,
  hover text, annotations): :func:`ptext`. Plotly draws those as pseudo-HTML and decodes
  ``&lt;`` ``&gt;`` ``&amp;``, so escaped text shows as typed and never becomes markup.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from sim.core.fileio import atomic_write_text

CSP = (
    "default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'"
)
"""No network at all; scripts only those inline in the page, each allowed by its SHA-256 hash
(no 'unsafe-inline', no 'unsafe-eval': every chart draws without eval); inline styles (Plotly
sets them); data:/blob: images (Plotly's PNG export). ``{scripts}``: see :func:`csp_for`."""

_SCRIPT_RE = re.compile(r"<script[^>]*>(.*?)</script>", re.S | re.I)


def csp_for(fragments: Iterable[str]) -> str:
    """The page's Content-Security-Policy: ``script-src`` lists the hash of every inline script
    found in ``fragments`` (the HTML of the page's head and body)."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode() + "'"
            for fragment in fragments
            for body in _SCRIPT_RE.findall(fragment)
        }
    )
    return CSP.format(scripts=" ".join(hashes) or "'none'")


PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "showSendToCloud": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
}

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;
padding:1rem 2rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.caption{color:#444;font-size:.92rem;margin:.2rem 0 1.2rem}
.figure{margin:1rem 0}.changed{background:#fff3b0;font-weight:600}
.muted{color:#666}.quote{font-style:italic;color:#444}
.headline{display:flex;flex-wrap:wrap;gap:.75rem;margin:.8rem 0}
.card{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;min-width:10rem}
.card .big{font-size:1.5rem;font-weight:600}
.how-to-read{background:#f4f7fb;border:1px solid #d6e0ee;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}
.how-to-read h2{margin-top:.6rem;border:0}
.warning{background:#fff3cd;border-left:4px solid #e0a800;padding:.4rem .6rem}
"""


class Markup(str):
    """A string that is already safe HTML (built by this module); :func:`esc` leaves it alone."""


def esc(value: object) -> Markup:
    """HTML-escape any value for text or attribute context (``<``, ``>``, ``&``, quotes)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def ptext(value: object) -> str:
    """Text for Plotly (trace names, ticks, hover, titles): ``<``, ``>``, ``&`` escaped.

    Plotly renders these strings as a small HTML subset and decodes entities, so the user sees
    the original text and no tag is ever interpreted.
    """
    return html.escape("" if value is None else str(value), quote=False)


def tag(name: str, body: object = "", cls: str | None = None) -> Markup:
    """``<name class=cls>body</name>`` with ``body`` escaped unless it is Markup."""
    attr = f' class="{esc(cls)}"' if cls else ""
    return Markup(f"<{name}{attr}>{esc(body)}</{name}>")


def join(parts: Iterable[object]) -> Markup:
    """Concatenate fragments, escaping those that are not Markup."""
    return Markup("".join(esc(p) for p in parts))


def html_table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    numeric: Sequence[bool] | None = None,
    row_classes: Sequence[str | None] | None = None,
    cell_classes: Sequence[Sequence[str | None]] | None = None,
) -> Markup:
    """An HTML table; every cell escaped unless it is :class:`Markup`.

    ``numeric[j]`` right-aligns column ``j``; ``row_classes[i]`` / ``cell_classes[i][j]`` add a
    CSS class (e.g. ``"changed"``) to a row or cell.
    """
    num = list(numeric) if numeric is not None else [False] * len(header)
    out = ["<table><thead><tr>", *(f"<th>{esc(h)}</th>" for h in header), "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        rc = row_classes[i] if row_classes is not None and i < len(row_classes) else None
        out.append(f'<tr class="{esc(rc)}">' if rc else "<tr>")
        for j, cell in enumerate(row):
            classes = []
            if j < len(num) and num[j]:
                classes.append("num")
            if cell_classes is not None and i < len(cell_classes) and j < len(cell_classes[i]):
                extra = cell_classes[i][j]
                if extra:
                    classes.append(extra)
            attr = f' class="{esc(" ".join(classes))}"' if classes else ""
            out.append(f"<td{attr}>{esc(cell)}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return Markup("".join(out))


@dataclass(frozen=True)
class Section:
    """One figure of a page: a heading (plain text), the figure, a caption (plain text)."""

    title: str
    figure: go.Figure
    caption: str = ""
    before: str = ""
    """Optional HTML shown between heading and figure (e.g. a table); pass Markup, else escaped."""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """The plotly.js bundle shipped with the plotly package (inlined; no CDN)."""
    from plotly.offline import get_plotlyjs

    js: str = get_plotlyjs()
    return js.replace("</script", "<\\/script")


def figure_div(fig: go.Figure, div_id: str) -> str:
    """The figure as a ``<div>`` + inline script (plotly.js must be on the page already)."""
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        include_mathjax=False,
        div_id=div_id,
        config=PLOTLY_CONFIG,
        validate=True,
    )


def build_page(
    title: str,
    header: Sequence[Markup | str] = (),
    sections: Sequence[Section] = (),
    footer: Sequence[Markup | str] = (),
) -> str:
    """Assemble a whole self-contained HTML document.

    ``title`` and section titles/captions are plain text (escaped); ``header``/``footer``
    entries are HTML fragments (pass :class:`Markup`; plain str is escaped). The body carries
    ``data-figures`` = number of figures, for tests.
    """
    bundle = f"<script>{plotly_js()}</script></head>"
    body = [
        f'<body data-figures="{len(sections)}">',
        f"<h1>{esc(title)}</h1>",
        *(esc(h) for h in header),
    ]
    parts = body
    for i, sec in enumerate(sections):
        parts.append(f'<section class="figure" id="section-{i}">')
        if sec.title:
            parts.append(f"<h2>{esc(sec.title)}</h2>")
        parts.append(esc(sec.before))
        parts.append(figure_div(sec.figure, f"fig-{i}"))
        if sec.caption:
            parts.append(f'<p class="caption">{esc(sec.caption)}</p>')
        parts.append("</section>")
    parts.extend(esc(f) for f in footer)
    parts.append("</body></html>\n")
    head = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp_for([bundle, *body])}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{STYLE}</style>",
        bundle,
    ]
    return "\n".join([*head, *body])


def write_page(path: str | Path, document: str) -> Path:
    """Write ``document`` to ``path`` atomically (:func:`sim.core.fileio.atomic_write_text`).

    If anything fails the previous file at ``path`` stays as it was and no temp file remains.
    Returns the path.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, document)


def write_report(
    path: str | Path,
    title: str,
    header: Sequence[Markup | str] = (),
    sections: Sequence[Section] = (),
    footer: Sequence[Markup | str] = (),
) -> Path:
    """:func:`build_page` then :func:`write_page`; returns the path written."""
    return write_page(path, build_page(title, header, sections, footer))
