"""Plain-words warnings about a run's results: saturated outcomes and acts nobody ever chose.

A result at 100% by the first days, or an act in the catalogue that no run ever used, says more
about the scenario's constants than about the crisis. ``sim run`` prints these after its table.
"""

from __future__ import annotations

import math

import numpy as np

from sim.analysis.stats import outcome_table
from sim.engine.results import RunResults

SATURATED_SHARE = 0.99
"""An outcome in more than this share of runs is saturated ..."""
EARLY_SHARE = 0.10
"""... when its median first step falls in this first share of the horizon."""


def saturated_outcomes(results: RunResults) -> list[str]:
    """Outcomes that happen in > 99% of runs, typically within the first 10% of the horizon."""
    horizon = results.horizon
    out = []
    for row in outcome_table(results).itertuples():
        share, step = float(row.probability), float(row.median_step)  # type: ignore[arg-type]
        if share > SATURATED_SHARE and not math.isnan(step) and step <= EARLY_SHARE * horizon:
            out.append(
                f"`{row.id}` ({row.name}) happens in {share:.1%} of runs, typically by step "
                f"{step:.0f} of {horizon}: "
                "the result is saturated and says more about the scenario's constants (base "
                "utilities, per-step costs, logit precision, reconsider rate) than about the crisis; "
                "see docs/model.md"
            )
    return out


def unchosen_actions(results: RunResults) -> list[str]:
    """Acts in some actor's catalogue that no actor took in any run (the status quo aside)."""
    sc = results.scenario
    taken = results.action_counts.sum(axis=(0, 1)) > 0  # (K,)
    declared = np.zeros(len(sc.actions), dtype=bool)
    for actor in sc.actors:
        for action_id in actor.actions:
            declared[sc.action_ids.index(action_id)] = True
    out = []
    for k in np.flatnonzero(declared & ~taken):
        act = sc.actions[k]
        if act.id == sc.status_quo_action:
            continue
        who = ", ".join(a.id for a in sc.actors if act.id in a.actions)
        out.append(
            f"`{act.id}` ({act.name}) was never chosen in {results.runs_count:,} runs by "
            f"{who}: its utility never competes (check its base utility, costs and red lines)"
        )
    return out


def run_warnings(results: RunResults) -> list[str]:
    """Every warning about ``results``, worst first."""
    return saturated_outcomes(results) + unchosen_actions(results)
