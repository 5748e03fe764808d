"""Outcomes: what the analyst counts (talks, a deal, a clash, war), each a sticky condition.

An outcome happens in a run at the first step its ``when:`` condition holds and stays happened.
Outcomes may name other outcomes (``outcome: id``); they are evaluated in dependency order and a
cycle is an error. This module holds the outcome's schema, its cross-checks, its order, its
evaluation on a batch and its description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from sim.scenario.base import Frozen, Identifier, ShortText
from sim.scenario.kinds.conditions import NEVER, Cond, Condition, describe_condition, outcome_refs
from sim.scenario.kinds.registry import Loc, RefChecks


class Outcome(Frozen):
    id: Identifier
    name: ShortText
    description: ShortText | None = None
    when: Condition

    def describe(self) -> str:
        return describe_condition(self.when)


def check_outcomes(ck: RefChecks, raw_outcomes: list[tuple[int, Mapping[str, Any]]]) -> None:
    """Cross-check the raw outcomes: their conditions, and no cycle among them."""
    graph: dict[str, list[str]] = {}
    where: dict[str, Loc] = {}
    for i, outcome in raw_outcomes:
        ck.condition(("outcomes", i, "when"), outcome.get("when"), False)
        ident = outcome.get("id")
        if isinstance(ident, str) and ident not in graph:
            graph[ident] = sorted(outcome_refs(outcome.get("when")))
            where[ident] = ("outcomes", i, "when")
    reported: set[frozenset[str]] = set()
    for start in graph:
        cycle = find_cycle(start, graph)
        if cycle and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            ck.add(where[start], "outcome conditions refer to each other in a cycle: " + " -> ".join(cycle))


def find_cycle(start: str, graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle through ``start`` in ``graph`` as a list of nodes (first repeated last), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, trail = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == start:
                return [*trail, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None


def outcome_order(outcomes: list[Outcome]) -> tuple[int, ...]:
    """Outcome indices sorted so that every outcome comes after those its condition names."""
    index = {o.id: n for n, o in enumerate(outcomes)}
    order: list[int] = []
    seen: set[int] = set()

    def visit(n: int, stack: tuple[int, ...]) -> None:
        if n in seen:
            return
        if n in stack:
            raise ValueError(f"outcome {outcomes[n].id} depends on itself")
        for r in sorted(outcome_refs(outcomes[n].when)):
            visit(index[r], (*stack, n))
        seen.add(n)
        order.append(n)

    for n in range(len(outcomes)):
        visit(n, ())
    return tuple(order)


def update_outcomes(
    outcome_step: np.ndarray,
    conditions: tuple[Cond, ...],
    order: tuple[int, ...],
    holds: Callable[[Cond], np.ndarray],
    t: int,
) -> None:
    """Record step ``t`` in ``outcome_step`` (O, N) where an outcome first holds (sticky)."""
    for o in order:
        fresh = (outcome_step[o] == NEVER) & holds(conditions[o])
        outcome_step[o][fresh] = t
