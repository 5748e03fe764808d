"""The sweep report: one self-contained offline HTML page drawn from a :class:`SweepAnalysis`.

Sections (each only when it applies):

* the design (kind, parameters and ranges, points) and notes on skipped analyses;
* heat maps of every outcome probability over every pair of swept parameters (grids: the design
  values with the other parameters averaged; sampled designs: equal-width bins);
* Sobol first- and total-order indices with confidence bars (Sobol designs);
* Spearman and partial rank correlations (Latin hypercube designs);
* parallel coordinates of all points coloured by an outcome probability;
* PRIM scenario discovery: the box table and the peeling trajectory (coverage vs density).

Usage from ``sim sweep``::

    analysis = analyse_sweep(store_dir)            # sim.analysis.sensitivity
    write_sweep_report(analysis)                   # -> <store_dir>/report.html

All scenario text (parameter paths, outcome ids, sweep id) is escaped with
``sim.report.page.esc`` / ``ptext``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from sim.analysis.discovery import PrimResult
from sim.analysis.sensitivity import Surface, SweepAnalysis
from sim.core import columns
from sim.report.page import Markup, Section, html_table, join, ptext, tag, write_report
from sim.report.parallel import Dim, parallel_lines

MAX_HEATMAPS = 12
"""At most this many 2-D slices are drawn (first outcome first); the rest are listed as skipped."""

MAX_PARCOORDS_POINTS = 5000
"""Parallel coordinates draw at most this many points (evenly thinned beyond)."""

PROB_SCALE = "Viridis"


def outcome_label(column: str) -> str:
    """``p.war`` -> ``P(war)``; other columns unchanged."""
    return f"P({columns.outcome_of(column)})" if columns.is_probability(column) else column


def write_sweep_report(
    analysis: SweepAnalysis, out: str | Path | None = None, *, max_heatmaps: int = MAX_HEATMAPS
) -> Path:
    """Write the sweep report; ``out`` defaults to ``<store_dir>/report.html``. Returns the path."""
    if out is None:
        if analysis.store_dir is None:
            raise ValueError("give `out` when the analysis has no store directory")
        out = Path(analysis.store_dir) / "report.html"
    sections = [
        *_heatmap_sections(analysis, max_heatmaps),
        *_sobol_sections(analysis),
        *_rank_sections(analysis),
        *_parcoords_sections(analysis),
        *_prim_sections(analysis),
    ]
    return write_report(out, f"Sweep: {analysis.title}", _header(analysis, max_heatmaps), sections)


# ---- header ----------------------------------------------------------------------------------


def _header(a: SweepAnalysis, max_heatmaps: int) -> list[Markup]:
    d = a.design
    kinds = {"grid": "full factorial grid", "lhs": "Latin hypercube", "sobol": "Sobol/Saltelli (SALib)"}
    summary = (
        f"Design: {kinds.get(d.kind, d.kind)}, {len(a.points)} points, {len(d.parameters)} swept parameter(s)"
    )
    if columns.RUNS in a.points.columns and len(a.points):
        summary += f", {int(a.points[columns.RUNS].min())} runs per point"
    rows = [
        [p, _fmt(lo), _fmt(hi), a.points[p].nunique()]
        for p, (lo, hi) in zip(d.parameters, d.bounds, strict=True)
    ]
    parts = [
        tag("p", summary + "."),
        html_table(["parameter", "low", "high", "distinct values"], rows, numeric=[False, True, True, True]),
    ]
    if a.outcomes:
        parts.append(
            tag(
                "p",
                "Outcomes (probability over the runs of each point): "
                + ", ".join(outcome_label(o) for o in a.outcomes)
                + ".",
            )
        )
    notes = list(a.notes)
    if len(a.surfaces) > max_heatmaps:
        notes.append(
            f"{len(a.surfaces) - max_heatmaps} of {len(a.surfaces)} two-parameter slices not drawn "
            f"(at most {max_heatmaps})."
        )
    if notes:
        parts.append(Markup("<ul>" + join(tag("li", n) for n in notes) + "</ul>"))
    return parts


def _fmt(v: float) -> str:
    return "" if math.isnan(v) else f"{v:.4g}"


# ---- heat maps -------------------------------------------------------------------------------


def _heatmap_sections(a: SweepAnalysis, max_heatmaps: int) -> list[Section]:
    binned = a.design.kind != "grid"
    return [
        Section(
            f"{outcome_label(s.outcome)} over {s.x} and {s.y}",
            surface_figure(s),
            caption=(
                f"Mean {outcome_label(s.outcome)} per cell ({s.how}"
                + ("; points binned into equal-width cells, blank = no point" if binned else "")
                + ")."
            ),
        )
        for s in a.surfaces[:max_heatmaps]
    ]


def surface_figure(s: Surface) -> go.Figure:
    """Heat map of one response surface; colour = probability 0..1."""
    v = s.values
    z = [[None if not np.isfinite(c) else float(c) for c in row] for row in v.to_numpy(dtype=float)]
    fig = go.Figure(
        go.Heatmap(
            x=[float(c) for c in v.columns],
            y=[float(i) for i in v.index],
            z=z,
            zmin=0.0,
            zmax=1.0,
            colorscale=PROB_SCALE,
            colorbar={"title": {"text": ptext(outcome_label(s.outcome))}},
            hovertemplate=f"{ptext(s.x)}=%{{x:.4g}}<br>{ptext(s.y)}=%{{y:.4g}}<br>"
            f"{ptext(outcome_label(s.outcome))}=%{{z:.3f}}<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis_title=ptext(s.x),
        yaxis_title=ptext(s.y),
        height=460,
        margin={"l": 70, "r": 20, "t": 30, "b": 60},
    )
    return fig


# ---- Sobol and rank correlations -------------------------------------------------------------


def _sobol_sections(a: SweepAnalysis) -> list[Section]:
    if a.sobol is None or a.sobol.empty:
        return []
    out = []
    for o, g in a.sobol.groupby("output", sort=False):
        if g[["S1", "ST"]].isna().all().all():
            continue
        out.append(
            Section(
                f"Sobol indices of {outcome_label(str(o))}",
                sobol_figure(g),
                caption="S1: share of the variance of the probability due to the parameter alone; "
                "ST: including its interactions. Bars: 95% bootstrap intervals (SALib). "
                "ST much larger than S1 means the parameter acts through interactions.",
            )
        )
    return out


def sobol_figure(g: pd.DataFrame) -> go.Figure:
    """Grouped bars of S1 and ST with confidence error bars, one group per parameter."""
    names = [ptext(p) for p in g["parameter"]]
    fig = go.Figure()
    for col, label in (("S1", "first order S1"), ("ST", "total order ST")):
        conf = g[f"{col}_conf"].to_numpy(dtype=float)
        fig.add_bar(
            x=names,
            y=g[col].to_numpy(dtype=float),
            name=label,
            error_y={"type": "data", "array": conf, "visible": True},
        )
    fig.update_layout(
        barmode="group", yaxis_title="Sobol index", height=400, margin={"l": 60, "r": 20, "t": 30, "b": 60}
    )
    return fig


def _rank_sections(a: SweepAnalysis) -> list[Section]:
    if a.ranks is None or a.ranks.empty:
        return []
    return [
        Section(
            f"Rank correlations with {outcome_label(str(o))}",
            rank_figure(g),
            caption="Spearman: monotone association of the parameter with the probability; "
            "PRCC: the same with the other parameters' effects removed. Hover for p-values.",
        )
        for o, g in a.ranks.groupby("output", sort=False)
    ]


def rank_figure(g: pd.DataFrame) -> go.Figure:
    """Grouped bars of Spearman and PRCC per parameter (range -1..1), p-values on hover."""
    names = [ptext(p) for p in g["parameter"]]
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
    return fig


# ---- parallel coordinates --------------------------------------------------------------------


def _parcoords_sections(a: SweepAnalysis) -> list[Section]:
    if not a.outcomes or len(a.points) < 2:
        return []
    colour = a.outcomes[0]
    return [
        Section(
            f"All points, coloured by {outcome_label(colour)}",
            parcoords_figure(a.points, a.design.parameters, a.outcomes, colour),
            caption="One line per design point across the swept parameters and outcome "
            "probabilities; each axis runs from its lowest (bottom) to its highest value (top). "
            "Hover a line to see its point.",
        )
    ]


def parcoords_figure(
    points: pd.DataFrame, parameters: Sequence[str], outcomes: Sequence[str], colour: str
) -> go.Figure:
    """Parallel coordinates of ``points``: one axis per parameter and outcome, colour = ``colour``."""
    step = max(1, math.ceil(len(points) / MAX_PARCOORDS_POINTS))
    pts = points.iloc[::step]
    dims: list[Dim] = [(ptext(_short(p)), pts[p].to_numpy(dtype=float), None) for p in parameters]
    dims += [(ptext(outcome_label(o)), pts[o].to_numpy(dtype=float), (0.0, 1.0)) for o in outcomes]
    labels = [f"point {int(p)}" for p in pts["point"]] if "point" in pts else None
    # SVG lines, not go.Parcoords: its WebGL code needs eval, which the page's CSP forbids
    fig = parallel_lines(
        dims, pts[colour].to_numpy(dtype=float), ptext(outcome_label(colour)), PROB_SCALE, labels
    )
    fig.update_layout(height=480, margin={"l": 80, "r": 80, "t": 60, "b": 30})
    return fig


def _short(path: str, keep: int = 2) -> str:
    """Last ``keep`` parts of a parameter path, for narrow axis labels."""
    parts = path.split(".")
    return ".".join(parts[-keep:]) if len(parts) > keep else path


# ---- PRIM --------------------------------------------------------------------------------------


def _prim_sections(a: SweepAnalysis) -> list[Section]:
    return [
        Section(
            f"Scenario discovery (PRIM): {r.label}",
            prim_figure(r),
            before=prim_table(r),
            caption="Each point is a box of the peeling (then pasting) trajectory: coverage = share "
            "of the cases of interest inside the box, density = share of the box's points "
            "that are cases. The ringed point is the reported box.",
        )
        for r in a.prim
    ]


def prim_table(r: PrimResult) -> Markup:
    """Summary line and the box: restricted parameters first, with quasi-p-values."""
    summary = (
        f"{r.n_cases} of {r.n_points} points are cases ({r.base_density:.1%}). Box: coverage "
        f"{r.coverage:.1%}, density {r.density:.1%}, support {r.support:.1%}, density gain "
        f"{r.density_gain:.2f}x."
    )
    box = r.box.sort_values("restricted", ascending=False, kind="stable")
    rows = [
        [
            str(p),
            _fmt(float(lo)),
            _fmt(float(hi)),
            "yes" if rs else "no",
            "" if not np.isfinite(qp) else f"{qp:.2g}",
        ]
        for p, lo, hi, rs, qp in zip(
            box["parameter"],
            box["low"],
            box["high"],
            box["restricted"],
            box["qp_value"].to_numpy(dtype=float),
            strict=True,
        )
    ]
    table = html_table(
        ["parameter", "low", "high", "restricted", "quasi p-value"],
        rows,
        numeric=[False, True, True, False, True],
        row_classes=["changed" if r_ else None for r_ in box["restricted"]],
    )
    return join([tag("p", summary), table])


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
                "colorbar": {"title": {"text": "restricted<br>parameters"}},
            },
            customdata=np.column_stack([g["step"], g["support"], g["restricted"]]),
            hovertemplate="step %{customdata[0]}<br>coverage %{x:.3f}<br>density %{y:.3f}"
            "<br>support %{customdata[1]:.3f}<br>restricted %{customdata[2]}<extra></extra>",
        )
    fig.add_scatter(
        x=[r.coverage],
        y=[r.density],
        mode="markers",
        name="reported box",
        marker={"size": 18, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "red"}},
    )
    fig.update_layout(
        xaxis={"title": "coverage", "range": [0, 1.02]},
        yaxis={"title": "density", "range": [0, 1.05]},
        height=440,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
    )
    return fig
