"""The interactive report of one run (``sim run`` / ``sim report``): a self-contained HTML page.

Sections: "How to read this" (:mod:`sim.report.reading`), headline (outcome probabilities with
95% Wilson intervals), escalation over time (fan chart on the ladder with the scheduled events),
time to event, peak level reached, who does what (the acts other than the status quo, per
actor), why (PRCC of drawn parameters with each outcome, readable labels), sample trajectories
with the actions that moved them, and the scenario itself (actors, traits, provenance;
differences from the base scenario for a variant).

The figures are :mod:`sim.report.run_figures`, the scenario section
:mod:`sim.report.scenario_section`; this module assembles the page. Sections are built by the
functions listed in :data:`RUN_SECTIONS` (one per topic): adding a section is adding one there.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from sim.analysis import drivers as drv
from sim.analysis import stats
from sim.engine.results import RunResults
from sim.report.bargain_figures import bargaining_sections
from sim.report.limits import report_view
from sim.report.page import Markup, Section, esc, html_table, join, tag, write_report
from sim.report.reading import calibrated_labels, how_to_read
from sim.report.run_figures import (
    JUMP_SHARE,
    SAMPLES_SHOWN,
    TOP_DRIVERS,
    driver_outcomes,
    fig_actions,
    fig_drivers,
    fig_fan,
    fig_outcomes,
    fig_peak_levels,
    fig_samples,
    fig_time_to_event,
)
from sim.report.scenario_section import scenario_html
from sim.scenario.schema import Scenario


def _pct(x: float) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def headline_html(results: RunResults) -> Markup:
    """Cards per outcome (probability and 95% Wilson interval) and the run's metadata."""
    t = stats.outcome_table(results)
    meta = results.scenario.scenario
    cards = [
        Markup(
            f'<div class="card"><div>{esc(r["name"])}</div>'
            f'<div class="big">{esc(_pct(r["probability"]))}</div>'
            f'<div class="muted">95% CI {esc(_pct(r["ci_low"]))} to {esc(_pct(r["ci_high"]))}</div></div>'
        )
        for r in t.to_dict("records")
    ]
    info = (
        f"{results.runs_count:,} runs \u00b7 random seed {results.seed} \u00b7 "
        f"batch size {results.batch_size} \u00b7 "
        f"{meta.start_date.isoformat()} to {meta.date_of(meta.horizon).isoformat()} "
        f"({meta.horizon} steps of {meta.step_days} day(s)) \u00b7 {results.elapsed_s:.1f} s"
    )
    rows = [
        [
            r["name"],
            _pct(r["probability"]),
            f"{_pct(r['ci_low'])} to {_pct(r['ci_high'])}",
            r["count"],
            "never" if r["median_date"] is None else r["median_date"].isoformat(),
        ]
        for r in t.to_dict("records")
    ]
    table = html_table(
        [
            "outcome",
            "probability",
            "95% Wilson CI",
            "runs where it happened",
            "median date of first occurrence",
        ],
        rows,
        numeric=[False, True, True, True, False],
    )
    desc = tag("p", meta.description) if meta.description else Markup("")
    variant = (
        tag("p", f"Variant of {results.scenario.variant_of}", "muted")
        if results.scenario.variant_of
        else Markup("")
    )
    return join(
        [
            desc,
            variant,
            tag("p", info, "muted"),
            Markup(f'<div class="headline">{"".join(cards)}</div>'),
            table,
        ]
    )


def _outcomes(results: RunResults) -> list[Section]:
    horizon_end = results.scenario.scenario.date_of(results.horizon)
    return [
        Section(
            "Outcomes",
            fig_outcomes(results),
            "Share of runs in which each outcome happened by "
            f"{horizon_end.isoformat()}; bars are 95% Wilson score intervals (Monte Carlo error).",
        )
    ]


def _escalation(results: RunResults) -> list[Section]:
    return [
        Section(
            "Escalation over time",
            fig_fan(results),
            f"Escalation on the scale {results.scenario.ladder.scale!r}: median with the bands holding "
            "50% and 90% of runs (from the per-step "
            "histogram, exact to one bin); dashed lines mark the ladder's levels, dotted lines and "
            "shaded windows the scheduled events (hover a label for its full name and dates).",
        ),
        Section(
            "Time to event",
            fig_time_to_event(results),
            "Cumulative share of runs in which each outcome had happened by each date.",
        ),
        Section(
            "How high it went",
            fig_peak_levels(results),
            "Share of runs whose peak escalation reached each ladder level or higher (95% Wilson).",
        ),
        *[
            Section(
                f"How high it went: {track.name}",
                fig_peak_levels(results, track.id),
                f"Share of runs whose peak on the separate escalation track “{track.name}” reached each "
                "of its levels or higher (95% Wilson); a track never adds to the main ladder.",
            )
            for track in results.scenario.ladder.tracks
        ],
    ]


def _actions(results: RunResults) -> list[Section]:
    sq = results.scenario.action(results.scenario.status_quo_action).name
    return [
        Section(
            "Who does what",
            fig_actions(results),
            "How often each actor takes each act, as a share of all its decisions over all runs, "
            f"week by week; “{sq}” (the status quo) is left out so that the rare acts that matter "
            "show; each panel's title says how often the actor held to it. Axes are scaled per actor.",
        )
    ]


def _drivers(results: RunResults) -> list[Section]:
    table = drv.drivers_table(results)
    usable = driver_outcomes(results, table) if len(table) else []
    if not usable:
        return []
    skipped = [o.name for o in results.scenario.outcomes if o.id not in {u[0] for u in usable}]
    note = f" Not shown (happened in all runs or in none): {', '.join(skipped)}." if skipped else ""
    if not results.complete:
        note += f" Estimated on the first {len(results.runs):,} of {results.runs_count:,} runs."
    return [
        Section(
            "Why: what drives each outcome",
            fig_drivers(results, table),
            "Partial rank correlation (PRCC) of each uncertain parameter with each outcome, controlling "
            "for the others; red: significantly raises the chance, blue: significantly lowers it, grey: "
            f"not significant (Bonferroni-adjusted p < 0.05); top {TOP_DRIVERS} per outcome.{note}",
        )
    ]


def _samples(results: RunResults) -> list[Section]:
    if not results.samples:
        return []
    return [
        Section(
            "Sample trajectories",
            fig_samples(results),
            f"Whole runs (the first {SAMPLES_SHOWN} shown; click the legend for more). Hover for each "
            "actor's action at that step; triangles mark jumps of "
            f"more than {JUMP_SHARE:.0%} of the ladder.",
        )
    ]


SectionBuilder = Callable[[RunResults], list[Section]]

RUN_SECTIONS: list[SectionBuilder] = [
    _outcomes,
    _escalation,
    bargaining_sections,
    _actions,
    _drivers,
    _samples,
]
"""The run report's sections in page order: each builder returns zero or more sections. A new
section (e.g. bargaining) is one function added here."""


def run_sections(results: RunResults, builders: Sequence[SectionBuilder] | None = None) -> list[Section]:
    """Every figure of the run report, in page order (``builders`` default :data:`RUN_SECTIONS`)."""
    return [sec for build in (RUN_SECTIONS if builders is None else builders) for sec in build(results)]


def how_to_read_run(results: RunResults) -> Markup:
    """The report's opening "How to read this" block (:mod:`sim.report.reading`)."""
    n = results.runs_count
    extra = [
        f"Each probability is the share of {n:,} simulated runs; outcomes that never happen in "
        "them may still be possible under other assumptions."
    ]
    return how_to_read("run", calibrated_labels(results.scenario), extra)


def write_run_report(results: RunResults, out_path: str | Path, base: Scenario | None = None) -> Path:
    """Write the run report to ``out_path`` (atomically) and return the path.

    ``base``: the base scenario when ``results.scenario`` is a variant; its differing values
    are highlighted in the scenario section.
    """
    meta = results.scenario.scenario
    title = f"{meta.title}: {results.runs_count:,} simulated runs"
    generated = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    footer = [scenario_html(results.scenario, base), tag("p", f"Generated {generated} by sim.", "muted")]
    view = report_view(results)  # long horizons drawn on a coarser clock (sim.report.limits)
    header = [how_to_read_run(results), headline_html(results)]
    return write_report(out_path, title, header, run_sections(view), footer)
