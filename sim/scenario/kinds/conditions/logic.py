"""Condition kinds that combine: another outcome reached, all_of, any_of, not, in_order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, ForwardRef

import numpy as np

from sim.scenario.base import Identifier
from sim.scenario.kinds.conditions.base import (
    NEVER,
    Cond,
    ConditionKind,
    ConditionState,
    Describe,
    Holds,
    condition_kind,
)
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


@condition_kind
class OutcomeReached(ConditionKind):
    """Sticky: another outcome has happened (outcomes are evaluated in dependency order)."""

    key = "outcome"
    annotation = Identifier

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        ck.ref(loc, raw, ck.outcome_ids, "outcome")

    def outcome_refs(self, value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
        return {value} if isinstance(value, str) else set()

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, slot=cc.outcome_index[value])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.outcome_step[c.slot] != NEVER)

    def describe(self, value: Any, sub: Describe) -> str:
        return f"outcome {value}"


class _Combine(ConditionKind):
    """Combines sub-conditions with ``ufunc`` (and / or)."""

    annotation: ClassVar[Any] = list[ForwardRef("Condition")]  # type: ignore[misc]  # resolved where the model is built
    constraints: ClassVar[dict[str, Any]] = {"min_length": 1}
    ufunc: ClassVar[np.ufunc]
    joiner: ClassVar[str]

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        for j, c in enumerate(raw if isinstance(raw, list) else []):
            ck.condition((*loc, j), c, owner)

    def outcome_refs(self, value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
        out: set[str] = set()
        for c in value if isinstance(value, list) else []:
            out |= sub(c)
        return out

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, children=tuple(sub(k) for k in value))

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(self.ufunc.reduce([holds(k) for k in c.children]))

    def describe(self, value: Any, sub: Describe) -> str:
        return "(" + self.joiner.join(sub(s) for s in value) + ")"


@condition_kind
class AllOf(_Combine):
    key = "all_of"
    ufunc = np.logical_and
    joiner = " and "


@condition_kind
class AnyOf(_Combine):
    key = "any_of"
    ufunc = np.logical_or
    joiner = " or "


@condition_kind
class Not(ConditionKind):
    """True where the sub-condition is false (``not: {outcome: deal}``)."""

    key = "not"
    annotation: ClassVar[Any] = ForwardRef("Condition")  # resolved where the model is built

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        ck.condition(loc, raw, owner)

    def outcome_refs(self, value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
        return sub(value)

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, children=(sub(value),))

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return ~holds(c.children[0])

    def describe(self, value: Any, sub: Describe) -> str:
        return f"not {sub(value)}"


@dataclass(frozen=True)
class SequenceSpec:
    """Sub-conditions that must hold one after the other, each at a later step than the last."""

    steps: tuple[Cond, ...]


@condition_kind
class InOrder(ConditionKind):
    """Sticky: the first sub-condition held at some step, then the second at a later step, ...

    Progress is recorded after each step's world update (with the action counters); a
    sub-condition naming an outcome sees it as of the previous step.
    """

    key = "in_order"
    annotation: ClassVar[Any] = list[ForwardRef("Condition")]  # type: ignore[misc]
    constraints: ClassVar[dict[str, Any]] = {"min_length": 2}

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        for j, c in enumerate(raw if isinstance(raw, list) else []):
            ck.condition((*loc, j), c, owner)

    def outcome_refs(self, value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
        return _union(value, sub)

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        steps = tuple(sub(k) for k in value)
        return Cond(self, value=len(steps), slot=cc.add_slot(self.key, SequenceSpec(steps)))

    def init_state(self, specs: list[Any], n: int) -> Any:
        """Per slot: (2, N) int64 rows: sub-conditions passed so far, step of the last one."""
        return [np.zeros((2, n), dtype=np.int64) for _ in specs]

    def record(
        self, state: Any, specs: list[Any], choices: np.ndarray, t: int, st: ConditionState, holds: Holds
    ) -> None:
        for slot, spec in enumerate(specs):
            passed, last = state[slot]
            for k, step in enumerate(spec.steps):
                ready = (passed == k) & ((last < t) | (k == 0))
                if ready.any():
                    now = ready & holds(step)
                    passed[now] = k + 1
                    last[now] = t

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.condition_state[self.key][c.slot][0] >= c.value)

    def describe(self, value: Any, sub: Describe) -> str:
        return "(" + " then ".join(sub(s) for s in value) + ")"


def _union(value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
    out: set[str] = set()
    for c in value if isinstance(value, list) else []:
        out |= sub(c)
    return out
