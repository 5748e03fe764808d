"""The bargaining section of the run report (docs/model.md, "Bargaining"): the agreed terms per
issue over the runs with a deal, and the share of runs with an offer, a deal and a breakdown by
each date."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis.bargaining import DealSummary, deal_summary
from sim.core import columns as col
from sim.engine.results import RunResults
from sim.report.page import Section, ptext
from sim.report.plotting import LAYOUT, color, dates

TIMELINE = (
    (col.FIRST_OFFER, "first offer made"),
    (col.DEAL_STEP, "deal struck"),
    (col.BREAKDOWN_STEP, "deal broke down"),
)


def fig_bargaining(results: RunResults) -> go.Figure:
    """Left: box of the first deal's term per issue (0..1); right: cumulative share of runs with a
    first offer, a deal and a breakdown by each date."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.45, 0.55],
        subplot_titles=("Agreed terms (runs with a deal)", "Offers, deals, breakdowns over time"),
    )
    section = results.scenario.bargaining
    for i, issue in enumerate(section.issues if section is not None else []):
        values = results.runs[col.deal_term(issue.id)].dropna().to_numpy(dtype=float)
        label = ptext(f"{issue.name} (0: {issue.low}; 1: {issue.high})")
        fig.add_trace(
            go.Box(
                y=values,
                name=ptext(issue.name),
                marker_color=color(i),
                boxpoints=False,
                hovertext=label,
                showlegend=False,
            ),
            row=1,
            col=1,
        )
    steps = np.arange(results.horizon + 1)
    n = max(len(results.runs), 1)
    for j, (column, name) in enumerate(TIMELINE):
        first = results.runs[column].dropna().to_numpy(dtype=float)
        cum = np.searchsorted(np.sort(first), steps, side="right") / n
        fig.add_trace(
            go.Scatter(
                x=dates(results, steps),
                y=cum,
                mode="lines",
                name=name,
                line={"color": color(j + 3), "shape": "hv", "width": 2},
                hovertemplate="%{x}: %{y:.1%}<extra>" + name + "</extra>",
            ),
            row=1,
            col=2,
        )
    fig.update_layout(**LAYOUT, height=420, legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(range=[0, 1], title_text="term on the issue's 0..1 scale", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero", title_text="share of runs", row=1, col=2)
    return fig


def caption(summary: DealSummary) -> str:
    """Plain-text caption: deal probability with its interval, breakdowns, vetoes, median terms."""
    lo, hi = summary.deal_ci
    terms = "; ".join(
        f"{r.name} {r.median:.2f} (IQR {r.q25:.2f}-{r.q75:.2f})"
        for r in summary.terms.itertuples()
        if r.deals
    )
    broken = (
        ""
        if np.isnan(summary.broken_given_deal)
        else f"; {summary.broken_given_deal:.0%} of deals broke down"
    )
    return (
        f"An offer was made in {summary.offer:.0%} of runs; a deal was struck in {summary.deal:.1%} "
        f"(95% Wilson {lo:.1%}-{hi:.1%}){broken}; "
        f"a veto blocked an acceptance in {summary.vetoed:.0%} of runs. "
        f"Median first-deal terms: {terms or 'no deal in any run'}. Boxes: quartiles and whiskers of the "
        "first deal's term per issue over the runs with a deal."
    )


def bargaining_section(results: RunResults) -> Section | None:
    """The section, or None for a scenario that does not bargain."""
    summary = deal_summary(results)
    if summary is None:
        return None
    return Section("Bargaining", fig_bargaining(results), caption(summary))


def fig_compare_terms(scenarios: list[RunResults]) -> go.Figure:
    """Agreed terms per issue (x), one box per scenario: how a lever shifts the terms."""
    fig = go.Figure()
    section = scenarios[0].scenario.bargaining
    issues = section.issues if section is not None else []
    for s, res in enumerate(scenarios):
        xs: list[str] = []
        ys: list[float] = []
        for issue in issues:
            values = res.runs[col.deal_term(issue.id)].dropna().to_numpy(dtype=float)
            xs += [ptext(issue.name)] * len(values)
            ys += values.tolist()
        fig.add_trace(
            go.Box(x=xs, y=ys, name=ptext(res.scenario.scenario.id), marker_color=color(s), boxpoints=False)
        )
    fig.update_layout(**LAYOUT, height=420, boxmode="group", legend={"orientation": "h", "y": -0.15})
    fig.update_yaxes(range=[0, 1], title_text="first deal's term on the issue's 0..1 scale")
    return fig


def compare_bargaining_section(scenarios: list[RunResults]) -> Section | None:
    """Agreed terms of the base and its variants side by side (None if the base does not bargain)."""
    summaries = [deal_summary(r) for r in scenarios]
    if not summaries or summaries[0] is None:
        return None
    parts = []
    for res, summary in zip(scenarios, summaries, strict=True):
        if summary is None:
            continue
        medians = ", ".join(f"{r.name} {r.median:.2f}" for r in summary.terms.itertuples() if r.deals)
        parts.append(f"{res.scenario.scenario.id}: deal {summary.deal:.1%}, median terms {medians or '—'}")
    return Section(
        "Agreed terms under each scenario",
        fig_compare_terms(scenarios),
        "Boxes: quartiles of the first deal's term per issue over the runs with a deal, per scenario. "
        + "; ".join(parts)
        + ".",
    )
