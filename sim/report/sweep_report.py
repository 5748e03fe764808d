"""The sweep report: one self-contained offline HTML page drawn from a :class:`SweepAnalysis`.

Sections (each only when it applies):

* "How to read this" (:mod:`sim.report.reading`), the design (kind, parameters with readable
  labels and ranges, points) and notes on skipped analyses;
* one-parameter sweeps: each outcome's probability against the parameter with 95% intervals;
* heat maps of every outcome probability over every pair of swept parameters, coloured over
  the data's own range (grids: the design values with the other parameters averaged; sampled
  designs: equal-width bins);
* Sobol first- and total-order indices with confidence bars, and a warning with the base
  sample size to use when the intervals are too wide to rank the parameters (Sobol designs);
* Spearman and partial rank correlations (Latin hypercube designs);
* parallel coordinates of all points (SVG, no WebGL) coloured by an outcome probability;
* PRIM scenario discovery: the restrictions that matter with coverage and density, and the
  peeling trajectory.

Usage from ``sim sweep``::

    analysis = analyse_sweep(store_dir)            # sim.analysis.sensitivity
    write_sweep_report(analysis)                   # -> <store_dir>/report.html

Figures: :mod:`sim.report.sweep_figures`, PRIM: :mod:`sim.report.sweep_prim`. All scenario text
is escaped with ``sim.report.page.esc`` / ``ptext``.
"""

from __future__ import annotations

import math
from pathlib import Path

from sim.analysis.sensitivity import SweepAnalysis
from sim.analysis.sobol import sobol_width_warning
from sim.core import columns
from sim.report.page import Markup, Section, html_table, join, tag, write_report
from sim.report.reading import how_to_read
from sim.report.sweep_figures import (
    line_figure,
    parcoords_figure,
    rank_figure,
    sobol_figure,
    surface_figure,
)
from sim.report.sweep_prim import prim_figure, prim_table
from sim.scenario.sites import label_for

MAX_HEATMAPS = 12
"""At most this many 2-D slices are drawn (first outcome first); the rest are listed as skipped."""


class Words:
    """Reader-facing words of a sweep: parameter labels and outcome names (from ``sweep.json``;
    words made from the path or id when the store has none)."""

    def __init__(self, analysis: SweepAnalysis) -> None:
        self._labels = analysis.words.labels
        self._names = analysis.words.outcome_names

    def param(self, path: str) -> str:
        """``actors.khamenei.traits.resolve`` -> ``Ayatollah ...: resolve``."""
        return label_for(path, self._labels)

    def outcome(self, column: str) -> str:
        """``p.war`` -> ``P(War)`` (the outcome's name); other columns unchanged."""
        if not columns.is_probability(column):
            return column
        oid = columns.outcome_of(column)
        return f"P({self._names.get(oid, oid)})"


def write_sweep_report(
    analysis: SweepAnalysis, out: str | Path | None = None, *, max_heatmaps: int = MAX_HEATMAPS
) -> Path:
    """Write the sweep report; ``out`` defaults to ``<store_dir>/report.html``. Returns the path."""
    if out is None:
        if analysis.store_dir is None:
            raise ValueError("give `out` when the analysis has no store directory")
        out = Path(analysis.store_dir) / "report.html"
    w = Words(analysis)
    sections = [
        *_line_sections(analysis, w),
        *_heatmap_sections(analysis, max_heatmaps, w),
        *_sobol_sections(analysis, w),
        *_rank_sections(analysis, w),
        *_parcoords_sections(analysis, w),
        *_prim_sections(analysis, w),
    ]
    header = [_how_to_read(analysis), *_header(analysis, max_heatmaps, w)]
    return write_report(out, f"Sweep: {analysis.title}", header, sections)


# ---- header ----------------------------------------------------------------------------------


def _how_to_read(a: SweepAnalysis) -> Markup:
    extra = [
        "Heat maps and lines are coloured and scaled to the probabilities found in the sweep, "
        "not to 0-100%: read the colour bar and the axis before comparing two charts."
    ]
    if a.design.kind == "sobol":
        extra.append(
            "Sobol indices share out the variation of each probability among the swept "
            "parameters (alone: S1, with interactions: ST); they rank parameters only within "
            "the swept ranges."
        )
    return how_to_read("sweep", a.words.calibrated, extra)


def _header(a: SweepAnalysis, max_heatmaps: int, w: Words) -> list[Markup]:
    d = a.design
    kinds = {"grid": "full factorial grid", "lhs": "Latin hypercube", "sobol": "Sobol/Saltelli (SALib)"}
    summary = (
        f"Design: {kinds.get(d.kind, d.kind)}, {len(a.points)} points, {len(d.parameters)} swept parameter(s)"
    )
    if columns.RUNS in a.points.columns and len(a.points):
        summary += f", {int(a.points[columns.RUNS].min())} runs per point"
    rows = [
        [w.param(p), p, _fmt(lo), _fmt(hi), a.points[p].nunique()]
        for p, (lo, hi) in zip(d.parameters, d.bounds, strict=True)
    ]
    parts = [
        tag("p", summary + "."),
        html_table(
            ["parameter", "path", "low", "high", "distinct values"],
            rows,
            numeric=[False, False, True, True, True],
        ),
    ]
    if a.outcomes:
        listed = ", ".join(
            f"{w.outcome(o)} from {_pct(a.points[o].min())} to {_pct(a.points[o].max())}" for o in a.outcomes
        )
        parts.append(tag("p", f"Outcomes (probability over the runs of each point): {listed}."))
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


def _pct(v: float) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:.2%}" if v < 0.1 else f"{v:.1%}"


# ---- sections --------------------------------------------------------------------------------


def _line_sections(a: SweepAnalysis, w: Words) -> list[Section]:
    if len(a.design.parameters) != 1 or not a.outcomes or a.points.empty:
        return []
    p = a.design.parameters[0]
    return [
        Section(
            f"Outcome probabilities over {w.param(p)}",
            line_figure(a.points, p, a.outcomes, w.param, w.outcome),
            caption="One panel per outcome, each with its own axis scaled to the probabilities "
            "found; one point per value swept; bands: 95% Wilson intervals of each point's runs "
            "(Monte Carlo error).",
        )
    ]


def _heatmap_sections(a: SweepAnalysis, max_heatmaps: int, w: Words) -> list[Section]:
    binned = a.design.kind != "grid"
    return [
        Section(
            f"{w.outcome(s.outcome)} over {w.param(s.x)} and {w.param(s.y)}",
            surface_figure(s, w.param, w.outcome),
            caption=(
                f"Mean {w.outcome(s.outcome)} per cell ({s.how}"
                + ("; points binned into equal-width cells, blank = no point" if binned else "")
                + "). Colours run from the lowest to the highest value found, not from 0 to 100%."
            ),
        )
        for s in a.surfaces[:max_heatmaps]
    ]


def _sobol_sections(a: SweepAnalysis, w: Words) -> list[Section]:
    if a.sobol is None or a.sobol.empty:
        return []
    out = []
    for o, g in a.sobol.groupby("output", sort=False):
        if g[["S1", "ST"]].isna().all().all():
            continue
        warning = sobol_width_warning(g, a.design.n, len(a.design.parameters))
        out.append(
            Section(
                f"Sobol indices of {w.outcome(str(o))}",
                sobol_figure(g, w.param),
                caption="S1: share of the variance of the probability due to the parameter alone; "
                "ST: including its interactions. Bars: 95% bootstrap intervals (SALib). "
                "ST much larger than S1 means the parameter acts through interactions.",
                before=tag("p", f"Warning: {warning}", "warning") if warning else "",
            )
        )
    return out


def _rank_sections(a: SweepAnalysis, w: Words) -> list[Section]:
    if a.ranks is None or a.ranks.empty:
        return []
    return [
        Section(
            f"Rank correlations with {w.outcome(str(o))}",
            rank_figure(g, w.param),
            caption="Spearman: monotone association of the parameter with the probability; "
            "PRCC: the same with the other parameters' effects removed. Hover for p-values.",
        )
        for o, g in a.ranks.groupby("output", sort=False)
    ]


def _parcoords_sections(a: SweepAnalysis, w: Words) -> list[Section]:
    if not a.outcomes or len(a.points) < 2 or len(a.design.parameters) < 2:
        return []  # one parameter: the line chart shows the same, better
    colour = a.outcomes[0]
    return [
        Section(
            f"All points, coloured by {w.outcome(colour)}",
            parcoords_figure(a.points, a.design.parameters, a.outcomes, colour, w.param, w.outcome),
            caption="One line per design point across the swept parameters and outcome "
            "probabilities; each axis runs from its lowest (bottom) to its highest value (top), "
            "colours over the range found. Hover a line to see its point.",
        )
    ]


def _prim_sections(a: SweepAnalysis, w: Words) -> list[Section]:
    return [
        Section(
            f"Scenario discovery (PRIM): {_prim_title(r.label, a.outcomes, w)}",
            prim_figure(r),
            before=prim_table(r, w.param),
            caption="Each point is a box of the peeling (then pasting) trajectory: coverage = share "
            "of the cases of interest inside the box, density = share of the box's points "
            "that are cases. The ringed point is the reported box.",
        )
        for r in a.prim
    ]


def _prim_title(label: str, outcomes: list[str], w: Words) -> str:
    """``P(war) > 0.2`` with the outcome's name for its id."""
    for o in outcomes:
        short = f"P({columns.outcome_of(o)}) "
        if label.startswith(short):
            return w.outcome(o) + " " + label.removeprefix(short)
    return label
