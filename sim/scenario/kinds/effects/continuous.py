"""Continuous effect kinds: hold every step an event window or a lever is active."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.scenario.base import ActorScope, Frozen, Identifier
from sim.scenario.kinds.effects.base import EffectKind, StepEffects, Timing, check_side, effect_kind
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


class UtilityEffect(ActorScope):
    actions: list[Identifier] = Field(min_length=1)
    delta: float = Field(ge=-100, le=100)


@effect_kind
class Utility(EffectKind):
    """Adds ``delta`` to the scoped actors' utility of the listed actions."""

    key = "utility"
    timing = Timing.CONTINUOUS
    annotation = UtilityEffect

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if isinstance(raw, Mapping):
            ck.scope(loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        total = np.zeros((cc.n_actors, cc.n_actions)) if total is None else total
        return total + np.outer(cc.actor_mask(value), cc.action_mask(value.actions)) * value.delta

    def is_empty(self, total: Any) -> bool:
        return not total.any()

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        for i in np.flatnonzero(total.any(axis=1)):
            added = total[i, step.scored[i]][:, None] * weight
            if step.bonus[i].shape == added.shape:  # this step's own array: add in place
                step.bonus[i] += added
            else:
                step.bonus[i] = step.bonus[i] + added

    def describe(self, value: Any) -> str:
        return f"utility {'|'.join(value.actions)} {value.delta:+g}"


class ForbidEffect(ActorScope):
    actions: list[Identifier] = Field(min_length=1)


@effect_kind
class Forbid(EffectKind):
    """The scoped actors may not take the listed actions."""

    key = "forbid"
    timing = Timing.CONTINUOUS
    annotation = ForbidEffect

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if isinstance(raw, Mapping):
            ck.scope(loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        total = np.zeros((cc.n_actors, cc.n_actions), dtype=bool) if total is None else total
        return total | np.outer(cc.actor_mask(value), cc.action_mask(value.actions))

    def is_empty(self, total: Any) -> bool:
        return not total.any()

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        for i in np.flatnonzero(total.any(axis=1)):
            step.forbid[i] = step.forbid[i] | (total[i, step.scored[i]][:, None] & mask)

    def describe(self, value: Any) -> str:
        return f"forbid {'|'.join(value.actions)}"


@effect_kind
class Prospect(EffectKind):
    """Adds to the perceived prospect of talks each step (0..1 scale)."""

    key = "prospect"
    timing = Timing.CONTINUOUS
    annotation = float
    constraints: ClassVar[dict[str, Any]] = {"ge": 0, "le": 1}

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return (0.0 if total is None else total) + value

    def is_empty(self, total: Any) -> bool:
        return not total

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        step.prospect = step.prospect + total * weight

    def describe(self, value: Any) -> str:
        return f"prospect {value:+g}"


class PressureFloor(Frozen):
    side: Identifier
    value: float = Field(ge=0, le=1)


@effect_kind
class PressureFloorEffect(EffectKind):
    """Economic pressure on ``side`` cannot decay below ``value`` (e.g. sanctions in force)."""

    key = "pressure_floor"
    timing = Timing.CONTINUOUS
    annotation = PressureFloor

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        check_side(ck, loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        total = np.zeros(cc.n_actors) if total is None else total
        return np.maximum(total, cc.side_mask(value.side) * value.value)

    def is_empty(self, total: Any) -> bool:
        return not total.any()

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        step.floor = np.maximum(step.floor, total[:, None] * weight)

    def describe(self, value: Any) -> str:
        return f"pressure floor {value.side} {value.value:g}"
