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
"""... early (the constants decide it) when its median first step falls in this first share of
the horizon; later, the horizon decides it as much as the crisis does."""
NEVER_MIN_RUNS = 1_000
"""An outcome in none of at least this many runs is flagged as out of reach."""


def saturated_outcomes(results: RunResults) -> list[str]:
    """Outcomes in > 99% of runs (early: the constants decide; late: the horizon does too)
    and outcomes in no run at all, when there are enough runs to tell (>= 1,000)."""
    horizon = results.horizon
    out = []
    for row in outcome_table(results).itertuples():
        share, step = float(row.probability), float(row.median_step)  # type: ignore[arg-type]
        if share > SATURATED_SHARE and not math.isnan(step):
            out.append(_saturated_message(str(row.id), str(row.name), share, step, horizon))
        elif share == 0.0 and results.runs_count >= NEVER_MIN_RUNS:
            out.append(
                f"`{row.id}` ({row.name}) happens in none of {results.runs_count:,} runs: "
                "its condition is out of reach under these constants (check its threshold, "
                "the acts and events it needs, and the horizon)"
            )
    return out


def _saturated_message(oid: str, name: str, share: float, step: float, horizon: int) -> str:
    head = f"`{oid}` ({name}) happens in {share:.1%} of runs, typically by step {step:.0f} of {horizon}: "
    if step <= EARLY_SHARE * horizon:
        return head + (
            "the result is saturated and says more about the scenario's constants (base "
            "utilities, per-step costs, logit precision, reconsider rate) than about the crisis; "
            "see docs/model.md"
        )
    return head + (
        "it is near-certain within the horizon, so its probability says little (the horizon "
        "decides it as much as the crisis does); compare its timing (the time-to-event curve) "
        "across variants, or shorten the horizon to the question asked"
    )


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
