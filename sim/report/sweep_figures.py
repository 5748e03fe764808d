"""The figures of the sweep report (``sim sweep``), one function per figure; the page is
assembled by :mod:`sim.report.sweep_report`.

Every label passed in is reader-facing text (parameter labels from the site table, outcome
names); each function escapes it with :func:`sim.report.page.ptext`. Probabilities are drawn
on axes and colour scales fitted to the data (:func:`sim.report.axes.percent_ticks`), so that
rare outcomes still show their variation.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis.sensitivity import Surface
from sim.analysis.stats import wilson_interval
from sim.core import columns
from sim.report.axes import percent_ticks
from sim.report.page import ptext
from sim.report.parallel import Dim, parallel_lines
from sim.report.plotting import color

MAX_PARCOORDS_POINTS = 5000
"""Parallel coordinates draw at most this many points (evenly thinned beyond)."""

PROB_SCALE = "Viridis"
MIN_COLOUR_SPAN = 0.002
"""A heat map's colour range spans at least this much probability (a flat surface is one colour)."""

Label = Callable[[str], str]
"""Reader-facing words of a parameter path or an outcome column."""


def colour_range(values: np.ndarray) -> tuple[float, float]:
    """``(zmin, zmax)`` of a heat map: the finite data's range, widened to at least
    :data:`MIN_COLOUR_SPAN` and kept within 0..1 (probabilities)."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < MIN_COLOUR_SPAN:
        mid = 0.5 * (lo + hi)
        lo, hi = mid - MIN_COLOUR_SPAN / 2, mid + MIN_COLOUR_SPAN / 2
        if lo < 0:
            lo, hi = 0.0, MIN_COLOUR_SPAN
        if hi > 1:
            lo, hi = 1.0 - MIN_COLOUR_SPAN, 1.0
    return lo, hi


def surface_figure(s: Surface, param: Label, outcome: Label) -> go.Figure:
    """Heat map of one response surface; colour = probability over the data's own range."""
    grid = s.values.to_numpy(dtype=float)
    zmin, zmax = colour_range(grid)
    z = [[None if not np.isfinite(c) else float(c) for c in row] for row in grid]
    xl, yl, ol = ptext(param(s.x)), ptext(param(s.y)), ptext(outcome(s.outcome))
    fig = go.Figure(
        go.Heatmap(
            x=[float(c) for c in s.values.columns],
            y=[float(i) for i in s.values.index],
            z=z,
            zmin=zmin,
            zmax=zmax,
            colorscale=PROB_SCALE,
            colorbar={"title": {"text": ol}, **percent_ticks(zmin, zmax)},
            hovertemplate=f"{xl}=%{{x:.4g}}<br>{yl}=%{{y:.4g}}<br>{ol}=%{{z:.2%}}<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title=xl, yaxis_title=yl, height=460, margin={"l": 70, "r": 20, "t": 30, "b": 60})
    return fig


LINE_COLUMNS = 2
"""Panels per row of the one-parameter chart."""


def line_figure(
    points: pd.DataFrame, parameter: str, outcomes: Sequence[str], param: Label, outcome: Label
) -> go.Figure:
    """One-parameter sweep: each outcome's probability against the parameter, one panel per
    outcome with its own axis (rare outcomes show their variation), and the 95% Wilson interval
    of each point's runs as a band (when the ``runs`` column is there)."""
    pts = points.sort_values(parameter, kind="stable")
    x = pts[parameter].to_numpy(dtype=float)
    runs = pts[columns.RUNS].to_numpy(dtype=float) if columns.RUNS in pts else None
    cols = min(LINE_COLUMNS, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.3 / rows,
        horizontal_spacing=0.1,
        subplot_titles=[ptext(outcome(o)) for o in outcomes],
    )
    xl = ptext(param(parameter))
    for i, o in enumerate(outcomes):
        row, col = i // cols + 1, i % cols + 1
        p = pts[o].to_numpy(dtype=float)
        name, tint = ptext(outcome(o)), color(i)
        lo, hi = p, p
        if runs is not None:
            lo, hi = (np.asarray(v, dtype=float) for v in wilson_interval(np.round(p * runs), runs))
            band = {"x": x, "mode": "lines", "line": {"width": 0}, "showlegend": False, "hoverinfo": "skip"}
            fig.add_scatter(y=lo, row=row, col=col, **band)
            fig.add_scatter(y=hi, fill="tonexty", fillcolor=_rgba(tint, 0.2), row=row, col=col, **band)
        fig.add_scatter(
            x=x,
            y=p,
            mode="lines+markers",
            name=name,
            showlegend=False,
            line={"color": tint, "width": 2},
            customdata=np.column_stack([lo, hi]),
            hovertemplate=f"{xl}=%{{x:.4g}}<br>{name} %{{y:.2%}} "
            "(95% interval %{customdata[0]:.2%} to %{customdata[1]:.2%})<extra></extra>",
            row=row,
            col=col,
        )
        top = max(float(np.nanmax(hi, initial=0.0)), 0.01) * 1.05
        fig.update_yaxes(range=[0, top], **percent_ticks(0.0, top), row=row, col=col)
    for col in range(1, cols + 1):
        fig.update_xaxes(title_text=xl, row=rows, col=col)
    fig.update_layout(
        height=260 * rows + 80, margin={"l": 70, "r": 20, "t": 40, "b": 60}, template="plotly_white"
    )
    return fig


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def sobol_figure(g: pd.DataFrame, param: Label) -> go.Figure:
    """Grouped bars of S1 and ST with confidence error bars, one group per parameter."""
    names = [ptext(param(p)) for p in g["parameter"]]
    fig = go.Figure()
    for col, label in (("S1", "first order S1"), ("ST", "total order ST")):
        conf = g[f"{col}_conf"].to_numpy(dtype=float)
        fig.add_bar(
            x=names,
            y=g[col].to_numpy(dtype=float),
            name=label,
            error_y={"type": "data", "array": conf, "visible": True},
            hovertemplate="%{x}<br>" + label + " %{y:.2f} \u00b1 %{error_y.array:.2f}<extra></extra>",
        )
    fig.update_layout(
        barmode="group", yaxis_title="Sobol index", height=400, margin={"l": 60, "r": 20, "t": 30, "b": 60}
    )
    fig.update_xaxes(automargin=True)
    return fig


def rank_figure(g: pd.DataFrame, param: Label) -> go.Figure:
    """Grouped bars of Spearman and PRCC per parameter (range -1..1), p-values on hover."""
    names = [ptext(param(p)) for p in g["parameter"]]
    fig = go.Figure()
    for col, label in (("spearman", "Spearman"), ("prcc", "PRCC")):
        fig.add_bar(
            x=names,
            y=g[col].to_numpy(dtype=float),
            name=label,
            customdata=g[f"{col}_p"].to_numpy(dtype=float),
            hovertemplate=f"%{{x}}<br>{label}=%{{y:.3f}}<br>p=%{{customdata:.2g}}<extra></extra>",
        )
    fig.update_layout(
        barmode="group",
        yaxis={"title": "rank correlation", "range": [-1, 1]},
        height=400,
        margin={"l": 60, "r": 20, "t": 30, "b": 60},
    )
    fig.update_xaxes(automargin=True)
    return fig


def parcoords_figure(
    points: pd.DataFrame,
    parameters: Sequence[str],
    outcomes: Sequence[str],
    colour: str,
    param: Label,
    outcome: Label,
) -> go.Figure:
    """Parallel coordinates of ``points`` (SVG lines, no WebGL): one axis per parameter and
    outcome, each outcome axis over its own range; line colour = ``colour``'s probability,
    rescaled to its range so rare outcomes still separate the lines."""
    step = max(1, math.ceil(len(points) / MAX_PARCOORDS_POINTS))
    pts = points.iloc[::step]
    dims: list[Dim] = [(_axis_title(param(p)), pts[p].to_numpy(dtype=float), None) for p in parameters]
    dims += [(ptext(outcome(o)), pts[o].to_numpy(dtype=float), None) for o in outcomes]
    labels = [f"point {int(p)}" for p in pts[columns.POINT]] if columns.POINT in pts else None
    c = pts[colour].to_numpy(dtype=float)
    lo, hi = colour_range(c)
    fig = parallel_lines(
        dims, c, ptext(outcome(colour)), PROB_SCALE, labels, crange=(lo, hi), colorbar=percent_ticks(lo, hi)
    )
    fig.update_layout(height=480, margin={"l": 80, "r": 80, "t": 60, "b": 30})
    return fig


def _axis_title(label: str) -> str:
    """A label for a narrow axis: "owner: words" on two lines, each cut to fit (escaped)."""
    return "<br>".join(ptext(_short(part)) for part in label.split(": ", 1))


def _short(label: str, keep: int = 28) -> str:
    """A label cut to ``keep`` characters for narrow axis titles."""
    return label if len(label) <= keep else label[: keep - 1] + "\u2026"
