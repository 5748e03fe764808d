"""Condition kinds that combine: another outcome reached, all_of, any_of."""

from __future__ import annotations

from collections.abc import Callable
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
