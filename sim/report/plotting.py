"""Plotly building blocks shared by the run and comparison reports: colours, layout, dates on
the x axis, the escalation ladder as the y axis, scheduled events, escalation fans.

All scenario text drawn here goes through :func:`sim.report.page.ptext`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from sim.engine.results import RunResults
from sim.report.axes import label_rows
from sim.report.page import ptext

PALETTE = qualitative.Plotly + qualitative.D3
LAYOUT: dict[str, Any] = {"template": "plotly_white", "margin": {"l": 60, "r": 30, "t": 40, "b": 50}}


def dates(results: RunResults, steps: Sequence[int] | np.ndarray) -> list[str]:
    """ISO dates of ``steps`` of the run's scenario (x axis values)."""
    meta = results.scenario.scenario
    return [meta.date_of(int(s)).isoformat() for s in steps]


def color(i: int) -> str:
    """Colour ``i`` of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


def rgba(hex_color: str, alpha: float) -> str:
    """``#rrggbb`` with opacity ``alpha`` (0..1) as a CSS ``rgba(...)`` colour."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _event_spans(results: RunResults) -> list[tuple[str, str, str | None, float | None]]:
    """(name, start ISO, end ISO or None, probability or None) for each scheduled event."""
    meta = results.scenario.scenario
    last = meta.date_of(meta.horizon)
    out = []
    for ev in results.scenario.events:
        if ev.start > last or (ev.end or ev.start) < meta.start_date:
            continue
        prob = ev.probability.central() if ev.probability is not None else None
        out.append((ev.name, ev.start.isoformat(), ev.end.isoformat() if ev.end else None, prob))
    return out


EVENT_LABEL_CHARS = 38
"""Event labels longer than this are cut (with "…"); the whole name is in the label's hover."""
EVENT_ROW_HEIGHT = 0.06
"""Vertical distance of two rows of event labels, as a share of the plot's height."""
PLOT_WIDTH_PX = 900
"""Assumed plot width for laying out labels (narrower than the page's: labels err on the wide side)."""
CHAR_PX = 6.2
"""Width of one character of the 10 px label font, in pixels (generous)."""


def _short_label(text: str) -> str:
    return text if len(text) <= EVENT_LABEL_CHARS else text[: EVENT_LABEL_CHARS - 1] + "\u2026"


def mark_events(fig: go.Figure, results: RunResults) -> None:
    """Vertical dotted lines (one-day events) and shaded windows, labelled at the top.

    Labels are stacked in rows (:func:`sim.report.axes.label_rows`) so none overlaps another;
    long names are shortened, the whole name and date show on hover. Also fixes the x range to
    the simulated period (labels would otherwise widen it).
    """
    meta = results.scenario.scenario
    first, last = meta.start_date.isoformat(), meta.date_of(meta.horizon).isoformat()
    days = max((meta.date_of(meta.horizon) - meta.start_date).days, 1)
    late = meta.date_of(int(meta.horizon * 0.75)).isoformat()
    spans = _event_spans(results)
    labels, starts, widths, right = [], [], [], []
    for name, start, _end, prob in spans:
        full = name + (f" (p={prob:.2f})" if prob is not None and prob < 1 else "")
        labels.append(full)
        x0 = max(start, first)
        starts.append(float((dt.date.fromisoformat(x0) - meta.start_date).days))
        widths.append((len(_short_label(full)) * CHAR_PX + 8) * days / PLOT_WIDTH_PX)
        right.append(x0 > late)
    rows = label_rows(starts, widths, right, gap=2 * days / PLOT_WIDTH_PX)
    for (_, start, end, _), full, row, anchor_right in zip(spans, labels, rows, right, strict=True):
        x0, x1 = max(start, first), min(end or start, last)
        _event_shape(fig, x0, x1, bool(end and end != start))
        fig.add_annotation(
            x=x0,
            y=1.0 - EVENT_ROW_HEIGHT * row,
            xref="x",
            yref="y domain",
            yanchor="top",
            text=ptext(_short_label(full)),
            hovertext=ptext(f"{full}: {start}" + (f" to {end}" if end else "")),
            showarrow=False,
            xanchor="right" if anchor_right else "left",
            font={"size": 10, "color": "#555"},
            bgcolor="rgba(255,255,255,0.8)",
        )
    fig.update_xaxes(range=[first, last])


def _event_shape(fig: go.Figure, x0: str, x1: str, window: bool) -> None:
    """A shaded window (``window``) or a dotted vertical line at ``x0``."""
    if window:
        fig.add_shape(
            type="rect",
            xref="x",
            yref="y domain",
            x0=x0,
            x1=x1,
            y0=0,
            y1=1,
            fillcolor="rgba(120,120,120,0.12)",
            line={"width": 0},
            layer="below",
        )
    else:
        fig.add_shape(
            type="line",
            xref="x",
            yref="y domain",
            x0=x0,
            x1=x0,
            y0=0,
            y1=1,
            line={"color": "#777", "dash": "dot", "width": 1},
        )


def ladder_axis(fig: go.Figure, results: RunResults) -> None:
    """Named ladder levels as y ticks and faint horizontal lines."""
    ladder = results.scenario.ladder
    fig.update_yaxes(
        range=[0, ladder.max],
        tickvals=[lv.at for lv in ladder.levels],
        ticktext=[f"{ptext(lv.name)} ({lv.at:g})" for lv in ladder.levels],
        title_text="escalation (ladder points)",
    )
    for lv in ladder.levels[1:]:
        fig.add_hline(y=lv.at, line={"color": "#bbb", "width": 1, "dash": "dash"})


def fan_traces(results: RunResults, color: str, median_name: str, legend: bool = True) -> list[go.Scatter]:
    """Traces of an escalation fan: 90% and 50% bands (5-95 and 25-75 percentiles) and the
    median line, over the run's dates. ``legend``: name the bands in the legend."""
    q = results.escalation_quantiles([0.05, 0.25, 0.5, 0.75, 0.95])
    x = dates(results, range(q.shape[0]))
    traces: list[go.Scatter] = []
    for lo, hi, alpha, name in ((0, 4, 0.15, "90% of runs"), (1, 3, 0.3, "50% of runs")):
        edge = {"x": x, "mode": "lines", "line": {"width": 0}, "legendgroup": name}
        traces.append(go.Scatter(y=q[:, lo], showlegend=False, hoverinfo="skip", **edge))
        traces.append(
            go.Scatter(
                y=q[:, hi],
                fill="tonexty",
                fillcolor=rgba(color, alpha),
                name=name,
                showlegend=legend,
                hovertemplate="%{x}: " + name + " below %{y:.1f}<extra></extra>",
                **edge,
            )
        )
    traces.append(
        go.Scatter(
            x=x,
            y=q[:, 2],
            mode="lines",
            line={"color": color, "width": 2.5},
            name=median_name,
            hovertemplate="%{x}: median %{y:.1f}<extra></extra>",
        )
    )
    return traces
