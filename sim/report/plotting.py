"""Plotly building blocks shared by the run and comparison reports: colours, layout, dates on
the x axis, the escalation ladder as the y axis, scheduled events, escalation fans.

All scenario text drawn here goes through :func:`sim.report.page.ptext`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from sim.engine.results import RunResults
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


def mark_events(fig: go.Figure, results: RunResults) -> None:
    """Vertical dotted lines (one-day events) and shaded windows, labelled at the top.

    Also fixes the x range to the simulated period (labels would otherwise widen it).
    """
    meta = results.scenario.scenario
    first, last = meta.start_date.isoformat(), meta.date_of(meta.horizon).isoformat()
    late = meta.date_of(int(meta.horizon * 0.75)).isoformat()
    for i, (name, start, end, prob) in enumerate(_event_spans(results)):
        label = ptext(name) + (f" (p={prob:.2f})" if prob is not None and prob < 1 else "")
        x0, x1 = max(start, first), min(end or start, last)
        if end and end != start:
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
        fig.add_annotation(
            x=x0,
            y=1.0 - 0.055 * (i % 5),
            xref="x",
            yref="y domain",
            text=label,
            showarrow=False,
            xanchor="right" if x0 > late else "left",
            font={"size": 10, "color": "#555"},
            bgcolor="rgba(255,255,255,0.7)",
        )
    fig.update_xaxes(range=[first, last])


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
