"""The scenario-discovery (PRIM) part of the sweep report: the box as a table of the
restrictions that matter (those that leave out at least
:data:`sim.analysis.discovery.MIN_CUT` of a parameter's range), its coverage and density, and
the peeling trajectory.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import plotly.graph_objects as go

from sim.analysis.discovery import MIN_CUT, PrimResult
from sim.report.page import Markup, html_table, join, tag

Label = Callable[[str], str]


def _fmt(v: float) -> str:
    return "" if math.isnan(v) else f"{v:.3g}"


def prim_summary(r: PrimResult) -> str:
    """One sentence: cases, and the box's coverage, density, support and gain."""
    return (
        f"{r.n_cases} of {r.n_points} points are cases ({r.base_density:.1%}). The box below holds "
        f"{r.coverage:.0%} of the cases (coverage) and {r.density:.0%} of the points inside it are "
        f"cases (density; {r.density_gain:.1f}x the {r.base_density:.1%} overall), with "
        f"{r.support:.0%} of all points (support)."
    )


def prim_table(r: PrimResult, param: Label) -> Markup:
    """Summary, then only the restrictions that matter (with the range each keeps and cuts), then
    a note naming parameters trimmed at the edges only."""
    lows = dict(zip(r.parameters, r.data_bounds[:, 0], strict=False)) if r.data_bounds.size else {}
    highs = dict(zip(r.parameters, r.data_bounds[:, 1], strict=False)) if r.data_bounds.size else {}
    keep = r.restrictions()
    parts: list[object] = [tag("p", prim_summary(r))]
    if keep.empty:
        parts.append(
            tag(
                "p",
                f"No parameter is restricted by {MIN_CUT:.0%} of its range or more: the cases are "
                "spread over the whole swept space.",
            )
        )
    else:
        rows = [
            [
                param(str(p)),
                f"{_fmt(float(lo))} to {_fmt(float(hi))}",
                f"{_fmt(float(lows.get(p, math.nan)))} to {_fmt(float(highs.get(p, math.nan)))}",
                f"{float(cut):.0%}",
                "" if not np.isfinite(qp) else f"{qp:.2g}",
            ]
            for p, lo, hi, cut, qp in zip(
                keep["parameter"],
                keep["low"],
                keep["high"],
                keep["cut"],
                keep["qp_value"].to_numpy(dtype=float),
                strict=True,
            )
        ]
        parts.append(
            html_table(
                ["parameter", "box keeps", "swept range", "range cut off", "quasi p-value"],
                rows,
                numeric=[False, True, True, True, True],
            )
        )
    trimmed = r.trimmed()
    if len(trimmed):
        names = ", ".join(param(str(p)) for p in trimmed["parameter"])
        parts.append(
            tag(
                "p",
                f"Trimmed at the edges only (less than {MIN_CUT:.0%} of the range, not a "
                f"restriction): {names}.",
                "muted",
            )
        )
    return join(parts)


def prim_figure(r: PrimResult) -> go.Figure:
    """Peeling trajectory: coverage (x) vs density (y), colour = number of restricted parameters."""
    t = r.trajectory
    fig = go.Figure()
    for phase, symbol in (("start", "square"), ("peel", "circle"), ("paste", "diamond")):
        g = t[t["phase"] == phase]
        if g.empty:
            continue
        fig.add_scatter(
            x=g["coverage"],
            y=g["density"],
            mode="markers",
            name=phase,
            marker={
                "symbol": symbol,
                "size": 9,
                "color": g["restricted"],
                "colorscale": "Plasma",
                "cmin": 0,
                "cmax": max(1, len(r.parameters)),
                "showscale": phase == "peel",
                "colorbar": {"title": {"text": "restricted<br>parameters"}, "dtick": 1},
            },
            customdata=np.column_stack([g["step"], g["support"], g["restricted"]]),
            hovertemplate="step %{customdata[0]}<br>coverage %{x:.1%}<br>density %{y:.1%}"
            "<br>support %{customdata[1]:.1%}<br>restricted %{customdata[2]}<extra></extra>",
        )
    fig.add_scatter(
        x=[r.coverage],
        y=[r.density],
        mode="markers",
        name="reported box",
        marker={"size": 18, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "red"}},
    )
    fig.update_layout(
        xaxis={"title": "coverage", "range": [0, 1.02], "tickformat": ".0%", "dtick": 0.2},
        yaxis={"title": "density", "range": [0, 1.05], "tickformat": ".0%", "dtick": 0.2},
        height=440,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
    )
    return fig
