"""Parallel coordinates drawn with SVG lines (``go.Scatter``), not plotly's WebGL ``parcoords``.

plotly's ``parcoords`` compiles its shaders with ``eval``/``new Function`` (regl), which the
reports' Content-Security-Policy forbids (no 'unsafe-eval'), so its lines never showed. This
figure draws the same picture with ordinary scatter lines: one vertical axis per dimension, each
scaled to its own range (labels at both ends), one polyline per point, coloured by a value in
its range in ``COLOUR_BANDS`` bands of a colour scale (one trace per band, with a shared colour bar).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

COLOUR_BANDS = 10

Dim = tuple[str, np.ndarray, tuple[float, float] | None]
"""One axis: label (escaped for Plotly), values, fixed (low, high) or None for the data's range."""


def parallel_lines(
    dims: Sequence[Dim],
    colour: np.ndarray,
    colour_title: str,
    scale: str = "Viridis",
    labels: Sequence[str] | None = None,
    crange: tuple[float, float] = (0.0, 1.0),
    colorbar: dict[str, Any] | None = None,
) -> go.Figure:
    """``dims``: (axis label, values, fixed range or None) per axis; ``colour``: one value per
    line, coloured over ``crange`` (values outside take the end colours); ``labels``: hover label
    per line (e.g. the point number); ``colorbar``: extra colour-bar settings (tick format).
    Labels must already be escaped for Plotly (:func:`sim.report.page.ptext`)."""
    n_axes = len(dims)
    n = len(colour)
    scaled = np.zeros((n, n_axes))
    annotations = []
    for j, (_label, values, fixed) in enumerate(dims):
        v = np.asarray(values, dtype=float)
        finite = v[np.isfinite(v)]
        lo, hi = (
            fixed
            if fixed is not None
            else ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
        )
        span = hi - lo
        scaled[:, j] = (v - lo) / span if span > 0 else 0.5
        annotations += [
            {"x": j, "y": 1.0, "yshift": 12, "text": f"{hi:.3g}", "showarrow": False, "font": {"size": 10}},
            {"x": j, "y": 0.0, "yshift": -12, "text": f"{lo:.3g}", "showarrow": False, "font": {"size": 10}},
        ]
    c0, c1 = crange
    raw = np.nan_to_num(np.asarray(colour, dtype=float), nan=c0)
    c = np.clip((raw - c0) / (c1 - c0), 0.0, 1.0) if c1 > c0 else np.zeros(len(raw))
    band = np.minimum((c * COLOUR_BANDS).astype(int), COLOUR_BANDS - 1)
    names = [str(i) for i in range(n)] if labels is None else list(labels)
    xs = list(range(n_axes))
    fig = go.Figure()
    for b in range(COLOUR_BANDS):
        rows = np.flatnonzero(band == b)
        if rows.size == 0:
            continue
        x: list[float | None] = []
        y: list[float | None] = []
        text: list[str | None] = []
        for r in rows:
            x += [*xs, None]
            y += [*(float(v) if np.isfinite(v) else None for v in scaled[r]), None]
            text += [*([names[r]] * n_axes), None]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                text=text,
                mode="lines",
                line={"width": 1, "color": sample_colorscale(scale, (b + 0.5) / COLOUR_BANDS)[0]},
                opacity=0.6,
                showlegend=False,
                hovertemplate="%{text}<extra></extra>",
                meta="parcoords",
            )
        )
    fig.add_trace(  # the colour bar
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
            marker={
                "color": [0.0],
                "colorscale": scale,
                "cmin": c0,
                "cmax": c1,
                "showscale": True,
                "colorbar": {"title": {"text": colour_title}, **(colorbar or {})},
            },
        )
    )
    for j in xs:
        fig.add_shape(type="line", x0=j, x1=j, y0=0, y1=1, line={"color": "#444", "width": 1})
    fig.update_layout(
        annotations=annotations,
        xaxis={
            "tickvals": xs,
            "ticktext": [d[0] for d in dims],
            "range": [-0.3, n_axes - 0.7],
            "side": "top",
        },
        yaxis={"visible": False, "range": [-0.08, 1.08]},
        plot_bgcolor="white",
        hovermode="closest",
    )
    return fig
