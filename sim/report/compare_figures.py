"""The figures of the comparison report (``sim compare``) and the formatting they share with its
tables: a colour per scenario (0 = base), differences in percentage points, p-values.

All scenario text is escaped with :func:`sim.report.page.ptext`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis import stats
from sim.analysis.compare import OutcomeDiff, VariantComparison
from sim.engine.results import RunResults
from sim.report.axes import percent_ticks
from sim.report.page import ptext
from sim.report.plotting import LAYOUT, PALETTE, dates, fan_traces, ladder_axis

FAN_COLUMNS = 2
"""Escalation fans per row."""


def scenario_color(i: int) -> str:
    """Colour of scenario ``i`` (0 = base) in every figure."""
    return str(PALETTE[i % len(PALETTE)])


def pp(x: float) -> str:
    """A difference of probabilities as signed percentage points."""
    return "n/a" if not math.isfinite(x) else f"{100 * x:+.1f} pp"


def interval_pp(iv: tuple[float, float]) -> str:
    """An interval of probability differences in signed percentage points."""
    return f"{100 * iv[0]:+.1f} to {100 * iv[1]:+.1f} pp"


def p_value_text(p: float) -> str:
    """A p-value with four decimals, ``< 0.0001`` below that."""
    return "< 0.0001" if p < 1e-4 else f"{p:.4f}"


def title_of(r: RunResults) -> str:
    """The title of the scenario the results are of."""
    return r.scenario.scenario.title


def fig_differences(comparisons: Sequence[VariantComparison]) -> go.Figure:
    """Paired difference of each outcome's probability (bars) with its 95% interval; the unpaired
    interval of the same runs as a thin grey bar beside it."""
    fig = go.Figure()
    for i, c in enumerate(comparisons):
        names = [ptext(d.name) for d in c.outcomes]
        fig.add_trace(
            go.Bar(
                x=names,
                y=[d.diff for d in c.outcomes],
                name=ptext(c.variant_title),
                marker={
                    "color": scenario_color(i + 1),
                    "line": {"color": "#222", "width": [2 if d.distinguishable else 0 for d in c.outcomes]},
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [d.paired[1] - d.diff for d in c.outcomes],
                    "arrayminus": [d.diff - d.paired[0] for d in c.outcomes],
                },
                customdata=[_hover(d) for d in c.outcomes],
                hovertemplate="%{x}: %{customdata}<extra>" + ptext(c.variant_title) + "</extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#444", "width": 1})
    fig.update_layout(**LAYOUT, height=460, barmode="group", legend={"orientation": "h", "y": -0.2})
    ends = [0.0] + [v for c in comparisons for d in c.outcomes for v in d.paired if math.isfinite(v)]
    fig.update_yaxes(
        title_text="variant − base (probability)", **percent_ticks(min(ends), max(ends), signed=True)
    )
    return fig


def _hover(d: OutcomeDiff) -> str:
    mark = "distinguishable from 0" if d.distinguishable else "not distinguishable from 0"
    return (
        f"{pp(d.diff)}, paired 95% CI {interval_pp(d.paired)} ({mark}); unpaired "
        f"{interval_pp(d.unpaired)}; McNemar p {p_value_text(d.p_value)}"
    )


def fig_escalation_differences(comparisons: Sequence[VariantComparison]) -> go.Figure:
    """Difference of mean peak and final escalation (ladder points) with paired 95% intervals."""
    fig = go.Figure()
    for i, c in enumerate(comparisons):
        fig.add_trace(
            go.Bar(
                x=[m.metric.replace("_", " ") for m in c.escalation],
                y=[m.diff for m in c.escalation],
                name=ptext(c.variant_title),
                marker_color=scenario_color(i + 1),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [m.paired[1] - m.diff for m in c.escalation],
                    "arrayminus": [m.diff - m.paired[0] for m in c.escalation],
                },
                hovertemplate="%{x}: %{y:+.2f} points<extra>" + ptext(c.variant_title) + "</extra>",
            )
        )
    fig.add_hline(y=0, line={"color": "#444", "width": 1})
    fig.update_layout(**LAYOUT, height=380, barmode="group", legend={"orientation": "h", "y": -0.2})
    fig.update_yaxes(title_text="variant − base (ladder points)")
    return fig


def fig_fans(results: Sequence[RunResults]) -> go.Figure:
    """Side-by-side escalation fans (median, 50% and 90% bands), one panel per scenario."""
    cols = min(FAN_COLUMNS, len(results))
    rows = math.ceil(len(results) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        shared_xaxes=True,
        vertical_spacing=0.12,
        horizontal_spacing=0.04,
        subplot_titles=[ptext(title_of(r)) for r in results],
    )
    for i, r in enumerate(results):
        row, col = i // cols + 1, i % cols + 1
        for trace in fan_traces(r, scenario_color(i), ptext(title_of(r)), legend=False):
            fig.add_trace(trace, row=row, col=col)
    fig.update_layout(**LAYOUT, height=330 * rows + 60, showlegend=False)
    ladder_axis(fig, results[0])
    fig.update_yaxes(title_text="")
    return fig


def fig_time_to_event(results: Sequence[RunResults], outcome_ids: Sequence[str]) -> go.Figure:
    """Cumulative probability of each outcome's first occurrence, scenarios overlaid."""
    names = {o.id: o.name for o in results[0].scenario.outcomes}
    cols = min(2, len(outcome_ids))
    rows = math.ceil(len(outcome_ids) / cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.12,
        subplot_titles=[ptext(names[o]) for o in outcome_ids],
    )
    for j, oid in enumerate(outcome_ids):
        top = 0.0
        for i, r in enumerate(results):
            if oid not in r.outcome_ids:
                continue
            steps, cum = stats.time_to_event(r, oid)
            top = max(top, float(np.max(cum, initial=0.0)))
            fig.add_trace(
                go.Scatter(
                    x=dates(r, steps),
                    y=cum,
                    mode="lines",
                    name=ptext(title_of(r)),
                    legendgroup=str(i),
                    showlegend=j == 0,
                    line={"color": scenario_color(i), "shape": "hv", "width": 2},
                    hovertemplate="%{x}: %{y:.1%}<extra>" + ptext(title_of(r)) + "</extra>",
                ),
                row=j // cols + 1,
                col=j % cols + 1,
            )
        top = max(top, 0.01) * 1.05  # each panel on its own scale: rare outcomes still show
        fig.update_yaxes(range=[0, top], **percent_ticks(0.0, top), row=j // cols + 1, col=j % cols + 1)
    fig.update_layout(**LAYOUT, height=300 * rows + 80, legend={"orientation": "h", "y": -0.12})
    return fig
