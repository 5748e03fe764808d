"""The report of ``sim calibrate``: a self-contained offline HTML page.

Sections: prior vs posterior marginal of every constant, posterior pairs, posterior predictive
checks of every statistic against the record, and the run of the sampler per generation
(epsilon, acceptance rate, effective sample size).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.calibrate.result import CalibrationOutcome
from sim.report.page import Markup, Section, html_table, tag, write_report

PAIRS_SHOWN = 5
COLS = 3


def fig_marginals(out: CalibrationOutcome) -> go.Figure:
    """Prior (grey) and posterior (blue) density of every constant."""
    k = len(out.priors)
    rows = math.ceil(k / COLS)
    fig = make_subplots(
        rows=rows, cols=COLS, subplot_titles=[p.path.removeprefix("dynamics.") for p in out.priors]
    )
    last = out.generations[-1]
    grid = (np.arange(2000) + 0.5) / 2000
    for i, p in enumerate(out.priors):
        r, c = i // COLS + 1, i % COLS + 1
        prior = p.ppf(grid)
        post = p.ppf(last.u[:, i])
        bins = {
            "start": float(prior.min()),
            "end": float(prior.max()),
            "size": float(prior.max() - prior.min()) / 30 or 1.0,
        }
        fig.add_trace(
            go.Histogram(
                x=prior,
                xbins=bins,
                histnorm="probability density",
                name="prior",
                marker_color="#bbbbbb",
                opacity=0.6,
                showlegend=i == 0,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Histogram(
                x=post,
                y=last.w * len(post),
                histfunc="sum",
                xbins=bins,
                histnorm="probability density",
                name="posterior",
                marker_color="#1f77b4",
                opacity=0.7,
                showlegend=i == 0,
            ),
            row=r,
            col=c,
        )
    fig.update_layout(barmode="overlay", height=260 * rows, margin={"t": 40})
    return fig


def fig_pairs(out: CalibrationOutcome) -> go.Figure:
    """Posterior particles of the constants the data moved most (smallest sd ratio), pairwise
    (lower triangle; SVG scatter, no WebGL, so it draws in any browser)."""
    order = [int(i) for i in np.argsort([m.shrinkage for m in out.marginals])[:PAIRS_SHOWN]]
    last = out.generations[-1]
    vals = {i: out.priors[i].ppf(last.u[:, i]) for i in order}
    names = [out.priors[i].path.split(".")[-1] for i in order]
    n = max(len(order) - 1, 1)
    fig = make_subplots(rows=n, cols=n, horizontal_spacing=0.03, vertical_spacing=0.03)
    size = 3 + 9 * last.w / last.w.max()
    for r in range(1, len(order)):
        for c in range(r):
            fig.add_trace(
                go.Scatter(
                    x=vals[order[c]],
                    y=vals[order[r]],
                    mode="markers",
                    marker={"size": size, "color": "#1f77b4", "opacity": 0.4},
                    showlegend=False,
                    hoverinfo="skip",
                ),
                row=r,
                col=c + 1,
            )
            if r == len(order) - 1:
                fig.update_xaxes(title_text=names[c], row=r, col=c + 1)
            if c == 0:
                fig.update_yaxes(title_text=names[r], row=r, col=1)
    fig.update_layout(height=220 * n + 60, margin={"t": 20})
    return fig


def fig_ppc(out: CalibrationOutcome) -> go.Figure:
    """Every statistic simulated at posterior draws (box), in units of its scale, vs the record (0)."""
    fig = go.Figure()
    for j, name in enumerate(out.names):
        z = (out.ppc[:, j] - out.observed[j]) / out.scale[j]
        fig.add_trace(
            go.Box(x=z, name=name, orientation="h", boxpoints=False, marker_color="#1f77b4", showlegend=False)
        )
    fig.add_vline(x=0, line_color="#d62728", annotation_text="record")
    fig.update_layout(
        height=40 * len(out.names) + 120,
        xaxis_title="(simulated - observed) / scale (MAD under the prior)",
        margin={"l": 220},
    )
    return fig


def fig_generations(out: CalibrationOutcome) -> go.Figure:
    gens = out.generations
    t = [g.t for g in gens]
    fig = make_subplots(rows=1, cols=3, subplot_titles=["epsilon", "acceptance rate", "ESS"])
    fig.add_trace(
        go.Scatter(x=t, y=[g.eps for g in gens], mode="lines+markers", showlegend=False), row=1, col=1
    )
    fig.add_trace(
        go.Scatter(x=t, y=[g.acceptance for g in gens], mode="lines+markers", showlegend=False), row=1, col=2
    )
    fig.add_trace(
        go.Scatter(x=t, y=[g.ess for g in gens], mode="lines+markers", showlegend=False), row=1, col=3
    )
    fig.update_xaxes(title_text="generation")
    fig.update_layout(height=320)
    return fig


def _posterior_table(out: CalibrationOutcome) -> Markup:
    rows = [
        [
            p.path,
            p.describe(),
            f"{m.mean:.4g}",
            f"{m.sd:.3g}",
            f"{m.q05:.4g} .. {m.q95:.4g}",
            f"{m.shrinkage:.2f}",
            "yes" if m.shrinkage < 0.8 else "no (posterior ~ prior)",
        ]
        for p, m in zip(out.priors, out.marginals, strict=True)
    ]
    return html_table(
        ["constant", "prior", "posterior mean", "sd", "90% interval", "sd ratio", "informed by the data"],
        rows,
        numeric=[False, False, True, True, False, True, False],
    )


def _ppc_table(out: CalibrationOutcome) -> Markup:
    q = np.quantile(out.ppc, [0.05, 0.5, 0.95], axis=0)
    rows = []
    for j, n in enumerate(out.names):
        tail = min(np.mean(out.ppc[:, j] <= out.observed[j]), np.mean(out.ppc[:, j] >= out.observed[j]))
        rows.append(
            [n, f"{out.observed[j]:.3g}", f"{q[1, j]:.3g}", f"{q[0, j]:.3g} .. {q[2, j]:.3g}", f"{tail:.3f}"]
        )
    return html_table(
        ["statistic", "record", "posterior predictive median", "90% interval", "tail probability"],
        rows,
        numeric=[False, True, True, False, True],
    )


def _gen_table(out: CalibrationOutcome) -> Markup:
    rows = [
        [g.t, f"{g.eps:.3g}", f"{g.sims:,}", f"{g.acceptance:.3f}", f"{g.ess:.0f}"] for g in out.generations
    ]
    return html_table(["generation", "epsilon", "simulations", "acceptance", "ESS"], rows, numeric=[True] * 5)


def write_calibration_report(out: CalibrationOutcome, path: str | Path) -> Path:
    """Write the report page; returns its path."""
    s = out.settings
    header = [
        tag(
            "p",
            f"Fitted to {out.data_file}: {len(out.priors)} constants, {len(out.names)} statistics, "
            f"{s.particles} particles, {len(out.generations)} generations, "
            f"{out.simulations:,} simulations in "
            f"{out.elapsed_s:.1f} s (this session). Calibrated variant: {out.variant}.",
        ),
        _posterior_table(out),
    ]
    if out.forecasts:
        ids = list(next(iter(out.forecasts.values())))
        header.append(tag("h2", "Forecasts from the strikes on: article-only vs calibrated"))
        header.append(
            html_table(
                ["outcome", *out.forecasts],
                [[o, *(f"{100 * f[o]:.1f}%" for f in out.forecasts.values())] for o in ids],
            )
        )
    sections = [
        Section(
            "Prior and posterior of every constant",
            fig_marginals(out),
            "Grey: the prior; blue: the weighted posterior particles of the last generation.",
        ),
        Section(
            "Posterior pairs",
            fig_pairs(out),
            "The constants the data moved most; marker size is the particle weight.",
        ),
        Section(
            "Posterior predictive checks",
            fig_ppc(out),
            "Each statistic simulated at posterior draws, minus the record's value, over its scale. "
            "A box far from 0 is a statistic the model cannot reproduce.",
            before=_ppc_table(out),
        ),
        Section(
            "Sampler",
            fig_generations(out),
            "Epsilon, acceptance rate and effective sample size per generation.",
            before=_gen_table(out),
        ),
    ]
    return write_report(path, f"Calibration of {out.variant.stem}", header, sections)
