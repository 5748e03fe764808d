"""The comparison report of ``sim compare``: a base scenario and its variants, run on common
random numbers, in one self-contained HTML page.

Sections: a table of every outcome's probability under each scenario with the paired difference
(variant − base), its 95% interval and whether it is distinguishable from zero; difference bars
with paired intervals (and the wider unpaired ones for contrast); differences of mean peak and
final escalation; side-by-side escalation fans; time-to-event curves overlaid; what each variant
changes in the scenario. All scenario text is escaped (:func:`esc` for HTML, :func:`ptext` for
Plotly).

Figures: :mod:`sim.report.compare_figures`; tables and Markdown: :mod:`sim.report.compare_tables`;
this module assembles the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sim.analysis.compare import VariantComparison
from sim.engine.results import RunResults
from sim.report.bargain_figures import compare_bargaining_sections
from sim.report.compare_figures import (
    fig_differences,
    fig_escalation_differences,
    fig_fans,
    fig_time_to_event,
)
from sim.report.compare_tables import changes_html, comparison_table, crn_html, escalation_table
from sim.report.limits import report_view
from sim.report.page import Markup, Section, tag, write_report
from sim.report.reading import calibrated_labels, how_to_read


def compare_sections(
    base: RunResults, variants: Sequence[RunResults], comparisons: Sequence[VariantComparison]
) -> list[Section]:
    """The figures of the comparison page, in order."""
    compared = [{d.outcome for d in c.outcomes} for c in comparisons]
    shared = [o for o in base.outcome_ids if all(o in ids for ids in compared)]
    level = comparisons[0].level if comparisons else 0.95
    return [
        Section(
            "Difference in outcome probabilities (variant − base)",
            fig_differences(comparisons),
            f"Bars: paired difference run by run on common random numbers; whiskers: its "
            f"{level:.0%} Newcombe interval for paired proportions. A black outline marks a "
            "difference distinguishable from zero (interval excludes 0). Hover for the unpaired "
            "interval the same runs would give without pairing.",
        ),
        Section(
            "Difference in mean escalation",
            fig_escalation_differences(comparisons),
            f"Mean peak and final escalation, variant − base, with paired t {level:.0%} intervals.",
            before=escalation_table(comparisons),
        ),
        Section(
            "Escalation over time, side by side",
            fig_fans([base, *variants]),
            "Median (line), 50% and 90% of runs (bands) at each date, per scenario; same ladder axis.",
        ),
        Section(
            "Time to event",
            fig_time_to_event([base, *variants], shared),
            "Share of runs in which each outcome has happened by each date, scenarios overlaid.",
        ),
        *compare_bargaining_sections([base, *variants]),
    ]


def write_compare_report(
    base: RunResults,
    variants: Sequence[RunResults],
    comparisons: Sequence[VariantComparison],
    out_path: str | Path,
) -> Path:
    """Write the comparison page to ``out_path`` (atomically); returns the path."""
    base, variants = report_view(base), [report_view(v) for v in variants]  # sim.report.limits
    meta = base.scenario.scenario
    calibrated = calibrated_labels(base.scenario)
    header = [
        how_to_read("compare", calibrated),
        tag(
            "p",
            f"Base: {meta.title} ({meta.id}). {base.runs_count:,} runs per scenario, seed {base.seed}: "
            "run n of every scenario draws from the same random streams (common random numbers), "
            "so differences are computed run by run.",
        ),
        crn_html(comparisons),
        Markup("<h2>Outcome probabilities and differences</h2>"),
        comparison_table(base, comparisons),
        tag("p", "Common random numbers make the differences precise, not true.", cls="muted"),
    ]
    return write_report(
        out_path,
        f"Comparison: {meta.title}",
        header=header,
        sections=compare_sections(base, variants, comparisons),
        footer=[changes_html(base, variants)],
    )
