"""The "How to read this" block that opens every report (run, compare, sweep).

Three points, in plain words: the numbers are consequences of the scenario's assumptions, not
forecasts (unless parameters were fitted to data, ``calibrated:`` provenance, which it then
says and names); the intervals are the Monte Carlo error of the estimates, not the uncertainty
of the world; and what drives what in this kind of report. A report may add its own points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sim.report.page import Markup, join, tag
from sim.scenario.schema import Scenario
from sim.scenario.sites import calibrated_sites

ReportKind = Literal["run", "compare", "sweep"]

DRIVES: dict[str, str] = {
    "run": (
        "What drives what: each run draws every uncertain parameter (actors' traits, event "
        "chances, ...) from its range; at each step every actor weighs its acts by its traits "
        "and the situation and picks one; the acts move the escalation level and the outcomes "
        "are read from the path. The section \u201cWhy\u201d shows which uncertain parameters "
        "make each outcome likelier or less likely across the runs."
    ),
    "compare": (
        "What drives what: the variants differ from the base only in the changes listed at the "
        "end of the page, and every scenario uses the same random draws run by run, so a "
        "difference is caused by those changes (up to the Monte Carlo error shown)."
    ),
    "sweep": (
        "What drives what: each point of the sweep sets the swept parameters to the values "
        "shown and draws everything else as the scenario does; differences between points are "
        "caused by the swept parameters, within the ranges swept (not beyond them)."
    ),
}

INTERVALS = (
    "Intervals (95%) show the Monte Carlo error of each estimate: how much it would move with "
    "another set of simulated runs. They are not the uncertainty of the world and say nothing "
    "about whether the assumptions are right; more runs make them narrower."
)


def calibrated_labels(scenario: Scenario) -> list[str]:
    """Labels of the parameters whose provenance is ``calibrated:`` (fitted to data)."""
    return [s.label for s in calibrated_sites(scenario)]


def status_text(calibrated: Sequence[str]) -> str:
    """Forecast or consequence: the first point of the block."""
    if not calibrated:
        return (
            "These results are consequences of the scenario's assumptions (its actors, traits, "
            "rules and scheduled events, each with its source or stated assumption), worked "
            "out over many simulated runs. They are not forecasts."
        )
    shown = ", ".join(calibrated[:6]) + (f" and {len(calibrated) - 6} more" if len(calibrated) > 6 else "")
    return (
        f"This scenario is calibrated: {len(calibrated)} parameter(s) were fitted to observed "
        f"data ({shown}). The results are estimates conditional on the model and on its other "
        "assumptions, which the data did not test."
    )


def how_to_read(kind: ReportKind, calibrated: Sequence[str] = (), extra: Sequence[str] = ()) -> Markup:
    """The block, as a ``<section id="how-to-read">``: status, intervals, drivers, ``extra``."""
    points = [status_text(calibrated), INTERVALS, DRIVES[kind], *extra]
    items = join(tag("li", p) for p in points)
    return Markup(
        f'<section id="how-to-read" class="how-to-read"><h2>How to read this</h2><ul>{items}</ul></section>'
    )
