"""The figures of the run report (``sim run`` / ``sim report``), one function per figure.

Each takes a :class:`~sim.engine.results.RunResults` (and, for the drivers, the table of
:func:`sim.analysis.drivers.drivers_table`) and returns a Plotly figure; the page is assembled by
:mod:`sim.report.run_report`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis import stats
from sim.engine.results import RunResults
from sim.report.axes import percent_ticks
from sim.report.page import ptext
from sim.report.plotting import LAYOUT, color, dates, fan_traces, ladder_axis, mark_events
from sim.scenario.schema import Scenario

JUMP_SHARE = 0.1
"""A sample trajectory 'jumps' when escalation rises by more than this share of the ladder max."""
TOP_DRIVERS = 12
SAMPLES_SHOWN = 4
"""Sample trajectories drawn at first; the others are one legend click away."""


def fig_outcomes(results: RunResults) -> go.Figure:
    """Outcome probabilities with 95% Wilson intervals (horizontal bars)."""
    t = stats.outcome_table(results)
    fig = go.Figure(
        go.Bar(
            y=[ptext(n) for n in t["name"]],
            x=t["probability"],
            orientation="h",
            marker_color=[color(i) for i in range(len(t))],
            error_x={
                "type": "data",
                "symmetric": False,
                "array": t["ci_high"] - t["probability"],
                "arrayminus": t["probability"] - t["ci_low"],
            },
            customdata=np.column_stack([t["ci_low"], t["ci_high"], t["count"]]),
            hovertemplate="%{y}: %{x:.1%} (95% CI %{customdata[0]:.1%} to %{customdata[1]:.1%};"
            " %{customdata[2]} runs)<extra></extra>",
            name="probability",
        )
    )
    fig.update_layout(
        **LAYOUT,
        height=max(220, 70 * len(t) + 80),
        xaxis={"range": [0, 1], **percent_ticks(0.0, 1.0)},
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )
    fig.update_xaxes(title_text="probability over the horizon")
    return fig


def fig_fan(results: RunResults) -> go.Figure:
    """Escalation fan chart: median, 50% and 90% bands, mean; ladder levels and events."""
    x = dates(results, range(results.horizon + 1))
    fig = go.Figure()
    for trace in fan_traces(results, "#1f77b4", "median"):
        fig.add_trace(trace)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=results.mean_escalation(),
            mode="lines",
            name="mean",
            line={"color": "#444", "dash": "dash", "width": 1.5},
            hovertemplate="%{x}: mean %{y:.1f}<extra></extra>",
        )
    )
    fig.update_layout(**LAYOUT, height=480, hovermode="x unified", legend={"orientation": "h", "y": -0.15})
    ladder_axis(fig, results)
    mark_events(fig, results)
    return fig


def fig_time_to_event(results: RunResults) -> go.Figure:
    """Cumulative probability of each outcome's first occurrence over the horizon."""
    fig = go.Figure()
    top = 0.0
    for i, o in enumerate(results.scenario.outcomes):
        steps, cum = stats.time_to_event(results, o.id)
        top = max(top, float(np.max(cum, initial=0.0)))
        fig.add_trace(
            go.Scatter(
                x=dates(results, steps),
                y=cum,
                mode="lines",
                name=ptext(o.name),
                line={"color": color(i), "shape": "hv", "width": 2},
                hovertemplate="%{x}: %{y:.1%}<extra>" + ptext(o.name) + "</extra>",
            )
        )
    fig.update_layout(
        **LAYOUT,
        height=400,
        yaxis={"rangemode": "tozero", **percent_ticks(0.0, max(top, 0.01))},
        legend={"orientation": "h", "y": -0.15},
    )
    fig.update_yaxes(title_text="share of runs where it has happened")
    mark_events(fig, results)
    return fig


def fig_peak_levels(results: RunResults, track: str | None = None) -> go.Figure:
    """Share of runs whose peak escalation reached each ladder level (or higher), with CIs; on
    escalation track ``track`` if given, else on the main ladder."""
    d = (
        stats.peak_level_distribution(results)
        if track is None
        else stats.track_level_distribution(results, track)
    )
    fig = go.Figure(
        go.Bar(
            x=[ptext(n) for n in d["name"]],
            y=d["share_at_least"],
            marker_color="#d62728",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": d["ci_high"] - d["share_at_least"],
                "arrayminus": d["share_at_least"] - d["ci_low"],
            },
            customdata=d["share"],
            name="reached",
            hovertemplate="%{x}: reached by %{y:.1%} of runs; "
            "highest level for %{customdata:.1%}<extra></extra>",
        )
    )
    fig.update_layout(
        **LAYOUT, height=340, yaxis={"range": [0, 1.05], **percent_ticks(0.0, 1.0)}, showlegend=False
    )
    fig.update_yaxes(title_text="runs reaching the level")
    return fig


ACTION_WINDOW_DAYS = 7
"""The action chart counts acts per window of about this many days (a week): daily shares of
rare acts are too noisy to read."""
MAX_ACTION_POINTS = 150
"""At most this many windows per line (longer horizons get longer windows)."""
TITLE_CHARS = 60


def action_window(step_days: float, steps: int) -> int:
    """Steps per window of the action chart: about a week, and at most
    :data:`MAX_ACTION_POINTS` windows over ``steps`` steps."""
    week = max(1, round(ACTION_WINDOW_DAYS / step_days)) if step_days > 0 else 1
    return max(week, math.ceil(steps / MAX_ACTION_POINTS))


def action_shares(results: RunResults, window: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(share, overall)``: ``share[w, i, k]`` = share of actor ``i``'s decisions in window ``w``
    (``window`` steps, the last one possibly shorter; over all runs) that were action ``k``;
    ``overall[i, k]`` the same over the whole horizon."""
    counts = results.action_counts.astype(float)
    starts = np.arange(0, counts.shape[0], max(window, 1))
    binned = np.add.reduceat(counts, starts, axis=0) if counts.shape[0] else counts
    per = binned.sum(axis=2, keepdims=True)
    share = binned / np.where(per > 0, per, 1.0)
    total = counts.sum(axis=0)
    norm = total.sum(axis=1, keepdims=True)
    return share, total / np.where(norm > 0, norm, 1.0)


def _cut(text: str, n: int = TITLE_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "\u2026"


def fig_actions(results: RunResults) -> go.Figure:
    """Each actor's acts other than the status quo, as shares of its decisions per week (lines),
    one subplot per actor with its own percent axis; the status quo's overall share is in the
    subplot title (it would otherwise fill the chart and hide the rare acts that matter)."""
    sc = results.scenario
    window = action_window(sc.scenario.step_days, results.action_counts.shape[0])
    share, overall = action_shares(results, window)
    sq = sc.action_ids.index(sc.status_quo_action)
    x = dates(results, range(1, results.action_counts.shape[0] + 1, window))
    titles = [
        f"{ptext(_cut(a.name))}: {ptext(sc.action(sc.status_quo_action).name)} "
        f"{100 * overall[i, sq]:.1f}% of steps (not drawn)"
        for i, a in enumerate(sc.actors)
    ]
    fig = make_subplots(
        rows=len(sc.actors),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.3 / len(sc.actors),
        subplot_titles=titles,
    )
    shown: set[str] = set()
    for i, actor in enumerate(sc.actors, start=1):
        top = 0.0
        for aid in actor.actions:
            k = sc.action_ids.index(aid)
            if k == sq:
                continue
            name = ptext(sc.action(aid).name)
            y = share[:, i - 1, k]
            top = max(top, float(y.max(initial=0.0)))
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    mode="lines",
                    name=name,
                    legendgroup=aid,
                    showlegend=aid not in shown,
                    line={"width": 1.5, "color": color(k), "shape": "hv"},
                    hovertemplate="%{x}: " + name + " %{y:.2%}<extra>" + ptext(actor.name) + "</extra>",
                ),
                row=i,
                col=1,
            )
            shown.add(aid)
        top = (top if top > 0 else 0.01) * 1.08
        fig.update_yaxes(range=[0, top], **percent_ticks(0.0, top), row=i, col=1)
    fig.update_layout(
        **LAYOUT,
        height=200 * len(sc.actors) + 60 + 22 * math.ceil(len(shown) / 3),
        hovermode="x unified",
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
    )
    return fig


def driver_outcomes(results: RunResults, table: Any) -> list[tuple[str, str]]:
    """(id, name) of the outcomes with at least one PRCC (the others never or always happened)."""
    ok = set(table.loc[table["prcc"].notna(), "outcome"])
    return [(o.id, o.name) for o in results.scenario.outcomes if o.id in ok]


def fig_drivers(results: RunResults, table: Any) -> go.Figure:
    """PRCC of the top drawn parameters with each outcome (one panel per outcome, stacked)."""
    outcomes = driver_outcomes(results, table)
    fig = make_subplots(
        rows=len(outcomes),
        cols=1,
        subplot_titles=[ptext(name) for _, name in outcomes],
        vertical_spacing=0.25 / max(len(outcomes), 1),
    )
    bars = 1
    for i, (oid, name) in enumerate(outcomes, start=1):
        sub = table[(table["outcome"] == oid) & table["prcc"].notna()].head(TOP_DRIVERS)[::-1]
        bars = max(bars, len(sub))
        colors = [
            "#d62728" if (s and c > 0) else "#1f77b4" if s else "#bbbbbb"
            for s, c in zip(sub["significant"], sub["prcc"], strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=sub["prcc"],
                y=[ptext(lbl) for lbl in sub["label"]],
                orientation="h",
                marker_color=colors,
                customdata=np.column_stack(
                    [sub["p_adjusted"], [ptext(p) for p in sub["param"]], sub["logit_coef"]]
                ),
                hovertemplate="%{customdata[1]}<br>PRCC %{x:.3f}, adjusted p %{customdata[0]:.2g}"
                "<br>logistic fit: %{customdata[2]:+.2f} log-odds per sd<extra></extra>",
                showlegend=False,
                name=ptext(name),
            ),
            row=i,
            col=1,
        )
        fig.update_xaxes(range=[-1, 1], row=i, col=1)
        fig.update_yaxes(automargin=True, row=i, col=1)
    fig.update_xaxes(title_text="PRCC (partial rank correlation)", row=len(outcomes), col=1)
    fig.update_layout(**LAYOUT, height=len(outcomes) * (22 * bars + 70) + 80)
    return fig


def fig_samples(results: RunResults) -> go.Figure:
    """A few whole trajectories; hover lists each actor's action; markers where escalation jumped."""
    sc = results.scenario
    fig = go.Figure()
    jump = JUMP_SHARE * sc.ladder.max
    for i, s in enumerate(results.samples):
        esc_path = np.asarray(s.escalation, dtype=float)
        acts = np.asarray(s.actions, dtype=int).reshape(-1, len(sc.actors)) if np.size(s.actions) else None
        hover = ["start"]
        for t in range(1, esc_path.size):
            if acts is None or t - 1 >= acts.shape[0]:
                hover.append("")
                continue
            hover.append(
                "<br>".join(
                    f"{ptext(a.name)}: {ptext(_action_name(sc, acts[t - 1, j]))}"
                    for j, a in enumerate(sc.actors)
                )
            )
        x = dates(results, range(esc_path.size))
        tint = color(i)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=esc_path,
                mode="lines",
                name=f"run {s.run}",
                legendgroup=str(i),
                visible=True if i < SAMPLES_SHOWN else "legendonly",
                line={"color": tint, "width": 1.5},
                text=hover,
                hovertemplate="%{x}: %{y:.1f}<br>%{text}<extra>run " + str(s.run) + "</extra>",
            )
        )
        rises = np.flatnonzero(np.diff(esc_path) > jump) + 1
        if rises.size:
            fig.add_trace(
                go.Scatter(
                    x=[x[t] for t in rises],
                    y=esc_path[rises],
                    mode="markers",
                    marker={"color": tint, "size": 8, "symbol": "triangle-up"},
                    text=[hover[t] for t in rises],
                    legendgroup=str(i),
                    visible=True if i < SAMPLES_SHOWN else "legendonly",
                    showlegend=False,
                    name=f"run {s.run} jumps",
                    hovertemplate="jump to %{y:.1f}<br>%{text}<extra>run " + str(s.run) + "</extra>",
                )
            )
    fig.update_layout(**LAYOUT, height=460, legend={"orientation": "h", "y": -0.15})
    ladder_axis(fig, results)
    mark_events(fig, results)
    return fig


def _action_name(sc: Scenario, k: int) -> str:
    return sc.actions[k].name if 0 <= k < len(sc.actions) else f"action {k}"
