"""Baseline and variant results as JSON for the page: outcome cards and two Plotly figures.

All scenario text that reaches a figure goes through :func:`sim.report.page.ptext`; the page
puts card text in the DOM with ``textContent`` only.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

from sim.analysis.compare import compare_results
from sim.analysis.stats import outcome_table, time_to_event
from sim.engine.results import RunResults
from sim.report.page import ptext

BASE_COLOR, VARIANT_COLOR = "#7f7f7f", "#d62728"
LAYOUT: dict[str, Any] = {
    "template": "plotly_white",
    "margin": {"l": 55, "r": 20, "t": 30, "b": 40},
    "height": 330,
    "legend": {"orientation": "h", "y": -0.18},
}


def cards(base: RunResults, variant: RunResults) -> list[dict[str, Any]]:
    """One card per outcome: both probabilities with intervals and the paired difference."""
    comp = compare_results(base, variant)
    ci_base, ci_var = _intervals(base), _intervals(variant)
    return [
        {
            "id": d.outcome,
            "name": d.name,
            "p_base": d.p_base,
            "p_variant": d.p_variant,
            "ci_base": ci_base[d.outcome],
            "ci_variant": ci_var[d.outcome],
            "diff": d.diff,
            "diff_ci": [float(d.paired[0]), float(d.paired[1])],
            "distinguishable": bool(d.distinguishable),
        }
        for d in comp.outcomes
    ]


def _intervals(results: RunResults) -> dict[str, list[float]]:
    """Wilson 95% interval of each outcome's probability."""
    table = outcome_table(results)
    return {
        str(oid): [float(lo), float(hi)]
        for oid, lo, hi in zip(table["id"], table["ci_low"], table["ci_high"], strict=True)
    }


def _dates(results: RunResults, n: int) -> list[str]:
    meta = results.scenario.scenario
    return [meta.date_of(t).isoformat() for t in range(n)]


def _fan(results: RunResults, name: str, color: str, dash: str) -> list[go.Scatter]:
    q = results.escalation_quantiles([0.05, 0.5, 0.95])
    x = _dates(results, q.shape[0])
    band = dict(line={"width": 0}, hoverinfo="skip", showlegend=False, legendgroup=name)
    return [
        go.Scatter(x=x, y=q[:, 2], mode="lines", **band),
        go.Scatter(x=x, y=q[:, 0], mode="lines", fill="tonexty", fillcolor=_alpha(color, 0.15), **band),
        go.Scatter(
            x=x, y=q[:, 1], mode="lines", name=f"{name}: median, 5–95%", legendgroup=name,
            line={"color": color, "dash": dash, "width": 2},
        ),
    ]  # fmt: skip


def _alpha(hex_color: str, a: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{a})"


def fan_figure(base: RunResults, variant: RunResults) -> go.Figure:
    """Escalation over time: median and 5–95% band of the baseline and the variant."""
    fig = go.Figure(
        [*_fan(base, "baseline", BASE_COLOR, "dot"), *_fan(variant, "what-if", VARIANT_COLOR, "solid")]
    )
    ladder = base.scenario.ladder
    title = ladder.scale if len(ladder.scale) <= 32 else "escalation"
    fig.update_layout(**LAYOUT, yaxis={"title": ptext(title), "range": [0, ladder.max]})
    for level in ladder.levels[1:]:
        fig.add_hline(y=level.at, line={"color": "#bbb", "width": 1, "dash": "dot"},
                      annotation_text=ptext(level.name), annotation_position="top left")  # fmt: skip
    return fig


def tte_figure(base: RunResults, variant: RunResults) -> go.Figure:
    """Time to event: share of runs in which each outcome has happened by each date."""
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    fig = go.Figure()
    for i, outcome in enumerate(base.scenario.outcomes):
        if outcome.id not in variant.outcome_ids:
            continue
        color = palette[i % len(palette)]
        for res, label, dash in ((base, "baseline", "dot"), (variant, "what-if", "solid")):
            steps, cum = time_to_event(res, outcome.id)
            fig.add_trace(
                go.Scatter(
                    x=_dates(res, len(steps)), y=cum, mode="lines", name=f"{ptext(outcome.name)} ({label})",
                    line={"color": color, "dash": dash}, legendgroup=outcome.id,
                )
            )  # fmt: skip
    fig.update_layout(**LAYOUT, yaxis={"title": "share of runs", "range": [0, 1], "tickformat": ".0%"})
    return fig


def summary(base: RunResults, variant: RunResults, changes: list[str]) -> dict[str, Any]:
    """Everything the page shows after a run (JSON-ready)."""
    return {
        "runs": variant.runs_count,
        "seed": variant.seed,
        "batch_size": variant.batch_size,
        "elapsed_s": round(variant.elapsed_s, 2),
        "changes": changes,
        "cards": cards(base, variant),
        "fan": json.loads(fan_figure(base, variant).to_json()),
        "tte": json.loads(tte_figure(base, variant).to_json()),
    }
