"""One-shot effect kinds: fire once, on an event's first step, in the runs where it happens."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.scenario.base import Frozen, Identifier
from sim.scenario.kinds.effects.base import EffectKind, Timing, World, check_side, effect_kind
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks
from sim.scenario.traits import TraitName


@effect_kind
class Escalation(EffectKind):
    """Adds ladder points to the escalation index (clipped to the ladder)."""

    key = "escalation"
    timing = Timing.ONE_SHOT
    annotation = float
    constraints: ClassVar[dict[str, Any]] = {"ge": -100, "le": 100}

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return (0.0 if total is None else total) + value

    def is_empty(self, total: Any) -> bool:
        return not total

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        world.escalation = np.clip(world.escalation + total * happens, 0.0, world.e_max)

    def describe(self, value: Any) -> str:
        return f"escalation {value:+g}"


class HitEffect(Frozen):
    side: Identifier
    amount: float = Field(ge=0, le=1)


@effect_kind
class Hit(EffectKind):
    """Every actor of ``side`` takes a hit of ``amount`` (max with what it already took)."""

    key = "hit"
    timing = Timing.ONE_SHOT
    annotation = HitEffect

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        check_side(ck, loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        hits = np.zeros(cc.n_actors) if total is None else total
        return np.maximum(hits, cc.side_mask(value.side) * value.amount)

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        world.hit = np.maximum(world.hit, total[:, None] * happens)

    def describe(self, value: Any) -> str:
        return f"hit {value.side} {value.amount:g}"


class PressureEffect(Frozen):
    side: Identifier
    delta: float = Field(ge=-1, le=1)


@effect_kind
class Pressure(EffectKind):
    """Moves the economic pressure on every actor of ``side`` by ``delta`` (clipped to 0..1)."""

    key = "pressure"
    timing = Timing.ONE_SHOT
    annotation = PressureEffect

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        check_side(ck, loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        press = np.zeros(cc.n_actors) if total is None else total
        return press + cc.side_mask(value.side) * value.delta

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        world.pressure = np.clip(world.pressure + total[:, None] * happens, 0.0, 1.0)

    def describe(self, value: Any) -> str:
        return f"pressure on {value.side} {value.delta:+g}"


class SetTrait(Frozen):
    actor: Identifier
    trait: TraitName
    value: float = Field(ge=0, le=1)


@effect_kind
class SetTraitEffect(EffectKind):
    """Sets one actor's trait to a value from then on (e.g. a new leader)."""

    key = "set_trait"
    timing = Timing.ONE_SHOT
    annotation = SetTrait

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if isinstance(raw, Mapping):
            ck.ref((*loc, "actor"), raw.get("actor"), ck.actor_ids, "actor")

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return [*(total or []), (cc.actor_index[value.actor], value.trait, value.value)]

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        for actor, trait, value in total:
            world.set_trait(actor, trait, value, happens)

    def describe(self, value: Any) -> str:
        return f"set {value.actor} {value.trait} = {value.value:g}"


class Switch(Frozen):
    """An id (a lever or a persistent state) to switch on or off."""

    id: Identifier
    on: bool


class _SwitchEffect(EffectKind):
    """Switches one of the scenario's ``thing``s (by id) on or off from then on."""

    timing = Timing.ONE_SHOT
    annotation = Switch
    thing: ClassVar[str]

    def known(self, ck: RefChecks) -> set[str]:
        raise NotImplementedError

    def index(self, cc: Compiler) -> dict[str, int]:
        raise NotImplementedError

    def switch(self, world: World, i: int, on: bool, happens: np.ndarray) -> None:
        raise NotImplementedError

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if isinstance(raw, Mapping):
            ck.ref((*loc, "id"), raw.get("id"), self.known(ck), self.thing)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return [*(total or []), (self.index(cc)[value.id], value.on)]

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        for i, on in total:
            self.switch(world, i, on, happens)

    def describe(self, value: Any) -> str:
        return f"{self.thing} {value.id} {'on' if value.on else 'off'}"


@effect_kind
class LeverEffect(_SwitchEffect):
    """Switches a lever on or off from then on."""

    key = "lever"
    thing = "lever"

    def known(self, ck: RefChecks) -> set[str]:
        return ck.lever_ids

    def index(self, cc: Compiler) -> dict[str, int]:
        return cc.lever_index

    def switch(self, world: World, i: int, on: bool, happens: np.ndarray) -> None:
        world.lever_on[i] = np.where(happens, on, world.lever_on[i])


@effect_kind
class StateEffect(_SwitchEffect):
    """Starts or ends a persistent state (e.g. an event lifts sanctions in force)."""

    key = "state"
    thing = "state"

    def known(self, ck: RefChecks) -> set[str]:
        return ck.state_ids

    def index(self, cc: Compiler) -> dict[str, int]:
        return cc.state_index

    def switch(self, world: World, i: int, on: bool, happens: np.ndarray) -> None:
        world.switch_state(i, on, happens)
