"""When two scenarios can be compared run by run (common random numbers), and when not.

Pairing run ``n`` of a base with run ``n`` of a variant is meaningful only if both describe the
same crisis on the same clock: the same start date, step length and horizon, and actors in
common (a variant may add or remove actors; their other actors keep their random streams).
Scenarios that fail this are unrelated: ``sim compare`` refuses them rather than report a paired
difference that means nothing.
"""

from __future__ import annotations

from sim.core.errors import Problem, SimUserError
from sim.scenario.schema import Scenario


def pairing_problems(base: Scenario, variant: Scenario) -> list[str]:
    """Why ``variant`` cannot be paired with ``base`` (empty if it can)."""
    b, v = base.scenario, variant.scenario
    why = []
    if b.step_days != v.step_days:
        why.append(f"steps of {b.step_days} vs {v.step_days} days")
    if b.start_date != v.start_date:
        why.append(f"start {b.start_date} vs {v.start_date}")
    if b.horizon != v.horizon:
        why.append(f"horizon {b.horizon} vs {v.horizon} steps")
    if not set(base.actor_ids) & set(variant.actor_ids):
        why.append("no actor in common")
    return why


def check_pairable(base: Scenario, variants: list[Scenario], names: list[str] | None = None) -> None:
    """Raise SimUserError naming every variant that is unrelated to ``base``."""
    problems = []
    for i, v in enumerate(variants):
        why = pairing_problems(base, v)
        if why:
            problems.append(
                Problem(
                    names[i] if names else v.scenario.id,
                    None,
                    "",
                    f"not a variant of {base.scenario.id} ({'; '.join(why)}): a run-by-run paired "
                    "comparison would be meaningless. Compare variants of one scenario, or run each "
                    "with `sim run` and compare their outcome tables",
                )
            )
    if problems:
        raise SimUserError(problems)
