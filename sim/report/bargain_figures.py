"""Figures of the bargaining (docs/model.md, "Bargaining"): when offers, deals and breakdowns
happen, and the distribution of the agreed terms; used by the run and compare reports."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.analysis.bargaining import deal_table, terms_table
from sim.core import columns as col
from sim.engine.results import RunResults
from sim.report.axes import percent_ticks
from sim.report.compare_figures import title_of
from sim.report.page import Markup, Section, html_table, ptext
from sim.report.plotting import LAYOUT, color, dates

TERM_BINS = 20
"""Histogram bins of agreed terms over each issue's 0..1 scale."""


def fig_bargaining_timeline(results: RunResults) -> go.Figure:
    """Share of runs in which a first offer, a first deal and a breakdown happened by each step."""
    steps = np.arange(results.horizon + 1)
    x = dates(results, steps)
    fig = go.Figure()
    shares = []
    for i, (column, name) in enumerate(
        (
            (col.FIRST_OFFER, "an offer tabled"),
            (col.DEAL_STEP, "a deal struck"),
            (col.BREAKDOWN_STEP, "a deal broken"),
        )
    ):
        share = results.tally.share_by(column, steps)
        shares.append(share)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=share,
                name=ptext(name),
                mode="lines",
                line={"color": color(i)},
                hovertemplate="%{x}: %{y:.1%} of runs<extra>" + ptext(name) + "</extra>",
            )
        )
    top = float(max((s.max() for s in shares), default=0.0)) or 1.0
    fig.update_layout(**LAYOUT, height=320, yaxis={"range": [0, top * 1.05], **percent_ticks(0.0, top)})
    fig.update_yaxes(title_text="share of runs, by date")
    return fig


def fig_terms(results: RunResults) -> go.Figure:
    """Per issue, a histogram of the first deal's terms over the runs that struck one."""
    table = terms_table(results)
    n = max(len(table), 1)
    fig = make_subplots(rows=1, cols=n, subplot_titles=[ptext(r) for r in table["name"]] or [""])
    for i, row in enumerate(table.itertuples()):
        values = results.runs[col.deal_term(str(row.issue))].dropna().to_numpy(dtype=float)
        counts, edges = np.histogram(values, bins=TERM_BINS, range=(0.0, 1.0))
        share = counts / max(len(values), 1)
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=share,
                width=1.0 / TERM_BINS,
                marker_color=color(i),
                name=ptext(row.name),
                showlegend=False,
                hovertemplate="terms %{x:.2f}: %{y:.1%} of deals<extra></extra>",
            ),
            row=1,
            col=i + 1,
        )
        fig.update_xaxes(
            range=[0, 1],
            title_text=ptext(f"0: {row.low} · 1: {row.high}"),
            title_font_size=10,
            row=1,
            col=i + 1,
        )
        top = float(share.max()) if share.size and share.max() > 0 else 1.0
        fig.update_yaxes(range=[0, top * 1.1], **percent_ticks(0.0, top), row=1, col=i + 1)
    fig.update_layout(**LAYOUT, height=340)
    return fig


def bargaining_sections(results: RunResults) -> list[Section]:
    """The run report's bargaining sections (none when the scenario does not bargain)."""
    if col.DEAL_STEP not in results.runs.columns or results.scenario.bargaining is None:
        return []
    events = deal_table(results)
    table = html_table(
        ["event", "share of runs", "95% Wilson CI", "median step"],
        [
            [
                r.event,
                f"{r.probability:.1%}",
                f"{r.ci_low:.1%} to {r.ci_high:.1%}",
                "—" if math.isnan(step) else f"{step:.0f}",
            ]
            for r in events.itertuples()
            for step in [float(r.median_step)]  # type: ignore[arg-type]
        ],
        numeric=[False, True, True, True],
    )
    terms = terms_table(results)
    deals = int(terms["deals"].max()) if len(terms) else 0
    return [
        Section(
            "Bargaining: offers, deals, breakdowns",
            fig_bargaining_timeline(results),
            "Share of runs in which the first offer was tabled, the first deal struck and the first "
            "deal broken, by date. A deal is an accepted offer that no veto holder blocked.",
            before=Markup(str(table)),
        ),
        Section(
            "Bargaining: the terms agreed",
            fig_terms(results),
            f"Terms of the first deal on each issue, over the {deals:,} runs that struck one"
            + ("" if results.complete else f" among the first {len(results.runs):,} runs")
            + " (0 and 1 are the issue's two ends, named under each panel).",
        ),
    ]


def fig_terms_compared(scenarios: list[RunResults]) -> go.Figure:
    """Per issue, the first deal's terms under each scenario (box plots side by side)."""
    base = scenarios[0].scenario.bargaining
    issues = [] if base is None else base.issues
    fig = go.Figure()
    for s_i, res in enumerate(scenarios):
        xs: list[str] = []
        ys: list[float] = []
        for issue in issues:
            column = col.deal_term(issue.id)
            if column not in res.runs.columns:
                continue
            values = res.runs[column].dropna().to_numpy(dtype=float)
            xs += [ptext(issue.name)] * len(values)
            ys += values.tolist()
        fig.add_trace(go.Box(x=xs, y=ys, name=ptext(title_of(res)), marker_color=color(s_i), boxpoints=False))
    fig.update_layout(**LAYOUT, height=380, boxmode="group")
    fig.update_yaxes(range=[0, 1], title_text="agreed term (0..1 on each issue's scale)")
    return fig


def compare_bargaining_sections(scenarios: list[RunResults]) -> list[Section]:
    """The compare report's bargaining section: deal shares and the terms under each scenario."""
    if (
        not all(col.DEAL_STEP in r.runs.columns for r in scenarios)
        or scenarios[0].scenario.bargaining is None
    ):
        return []
    rows = []
    for res in scenarios:
        deals = deal_table(res).iloc[1]
        terms = terms_table(res)
        cells = [
            "—" if row.deals == 0 else f"{row.median:.2f} ({row.q25:.2f} – {row.q75:.2f})"
            for row in terms.itertuples()
        ]
        rows.append([title_of(res), f"{deals.probability:.1%}", *cells])
    names = [str(n) for n in terms_table(scenarios[0])["name"]]
    table = html_table(
        ["scenario", "a deal is struck", *[f"{n}: median (middle half)" for n in names]],
        rows,
        numeric=[False, True, *[True] * len(names)],
    )
    return [
        Section(
            "Bargaining: how the terms shift",
            fig_terms_compared(scenarios),
            "Terms of the first deal on each issue under each scenario, over the runs that struck "
            "one (box: middle half; line: median; whiskers: 1.5 IQR). Deals happen in different "
            "runs in each scenario, so these are not paired differences; the outcome table above "
            "pairs the odds.",
            before=Markup(str(table)),
        )
    ]
