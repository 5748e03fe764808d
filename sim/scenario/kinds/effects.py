"""Effect kinds: each YAML key of an event's or lever's ``effects:`` item is one class here.

Three timings:

- one-shot (``ONE_SHOT``): fire once, on an event's first step, in the runs where it happens;
- continuous (``CONTINUOUS``): hold every step an event window or a lever is active;
- static (``STATIC``): change the scenario before the run (levers that are on).

A kind holds its schema, its cross-checks, how the effects of one source (an event or a lever)
add up at compile time (:meth:`EffectKind.accumulate`), how the sum is applied on the batch
(:meth:`~EffectKind.fire` or :meth:`~EffectKind.apply`) and its description. :data:`Effect`, the
pydantic model of one effect, is built from :data:`EFFECTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
from pydantic import Field, create_model, model_validator

from sim.scenario.base import ActorScope, Frozen, Identifier, Param
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks, Registry
from sim.scenario.traits import TraitName


class Timing(Enum):
    ONE_SHOT = "one-shot"
    CONTINUOUS = "continuous"
    STATIC = "static"


class World(Protocol):
    """The model state a one-shot effect changes (arrays over the N runs of a batch)."""

    escalation: np.ndarray  # (N,) ladder points in [0, e_max]
    hit: np.ndarray  # (A, N) in [0, 1]
    pressure: np.ndarray  # (A, N) in [0, 1]
    lever_on: np.ndarray  # (L, N) bool

    @property
    def e_max(self) -> float: ...

    def set_trait(self, actor: int, trait: str, value: float, happens: np.ndarray) -> None:
        """Set ``trait`` of ``actor`` to ``value`` in the runs where ``happens``."""


@dataclass
class StepEffects:
    """This step's continuous effects, accumulated over active sources.

    ``bonus``/``forbid``: per actor, (K_i, 1|N) over the actions it scores (``scored[i]``);
    ``floor``: (A, 1|N) pressure floors; ``prospect``: (N,) or scalar added talks prospect.
    """

    scored: tuple[np.ndarray, ...]
    bonus: list[np.ndarray]
    forbid: list[np.ndarray]
    floor: np.ndarray
    prospect: np.ndarray | float = 0.0

    @classmethod
    def empty(cls, scored: tuple[np.ndarray, ...], n_actors: int) -> StepEffects:
        return cls(
            scored=scored,
            bonus=[np.zeros((s.size, 1)) for s in scored],
            forbid=[np.zeros((s.size, 1), dtype=bool) for s in scored],
            floor=np.zeros((n_actors, 1)),
        )


class EffectKind:
    """Base of the effect kinds: override what the kind needs."""

    key: ClassVar[str]
    timing: ClassVar[Timing]
    annotation: ClassVar[Any]
    constraints: ClassVar[dict[str, Any]] = {}

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        """Cross-check the raw YAML value at ``loc``; ``where`` is ``event`` or ``lever``."""

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        """Add one effect's ``value`` to the compiled ``total`` of its source (None at first)."""
        raise NotImplementedError

    def is_empty(self, total: Any) -> bool:
        """True when a compiled total changes nothing."""
        return False

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        """One-shot: apply ``total`` in the runs where ``happens`` (N,) bool."""

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        """Continuous: add ``total`` to this step's effects; ``weight`` 1.0 or (N,) 0/1 floats,
        ``mask`` True or (N,) bool: the runs where the source is active."""

    def describe(self, value: Any) -> str:
        return self.key


EFFECTS: Registry[EffectKind] = Registry("effect")


def effect_kind(cls: type[EffectKind]) -> type[EffectKind]:
    """Class decorator: register an effect kind under its ``key``."""
    EFFECTS.add(cls.key, cls())
    return cls


def _check_side(ck: RefChecks, loc: Loc, raw: Any) -> None:
    if isinstance(raw, Mapping):
        ck.ref((*loc, "side"), raw.get("side"), ck.sides, "side")


# ---- one-shot -----------------------------------------------------------------------------------


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
        _check_side(ck, loc, raw)

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
        _check_side(ck, loc, raw)

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


class LeverSwitch(Frozen):
    id: Identifier
    on: bool


@effect_kind
class LeverEffect(EffectKind):
    """Switches a lever on or off from then on."""

    key = "lever"
    timing = Timing.ONE_SHOT
    annotation = LeverSwitch

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if isinstance(raw, Mapping):
            ck.ref((*loc, "id"), raw.get("id"), ck.lever_ids, "lever")

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return [*(total or []), (cc.lever_index[value.id], value.on)]

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        for lever, on in total:
            world.lever_on[lever] = np.where(happens, on, world.lever_on[lever])

    def describe(self, value: Any) -> str:
        return f"lever {value.id} {'on' if value.on else 'off'}"


# ---- continuous ---------------------------------------------------------------------------------


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
            step.bonus[i] = step.bonus[i] + total[i, step.scored[i]][:, None] * weight

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
        _check_side(ck, loc, raw)

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        total = np.zeros(cc.n_actors) if total is None else total
        return np.maximum(total, cc.side_mask(value.side) * value.value)

    def is_empty(self, total: Any) -> bool:
        return not total.any()

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        step.floor = np.maximum(step.floor, total[:, None] * weight)

    def describe(self, value: Any) -> str:
        return f"pressure floor {value.side} {value.value:g}"


# ---- static -------------------------------------------------------------------------------------


class SetPath(Frozen):
    """Static override: replace the Param at ``path`` (e.g. ``relations.irgc_command.autonomy``)."""

    path: str = Field(min_length=1, max_length=300)
    value: Param


@effect_kind
class SetParam(EffectKind):
    """Levers only: replace a parameter of the scenario before the run while the lever is on."""

    key = "set"
    timing = Timing.STATIC
    annotation = SetPath

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if where == "lever" and isinstance(raw, Mapping) and isinstance(raw.get("path"), str):
            ck.parameter_path((*loc, "path"), raw["path"])

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return None  # applied to the scenario before compilation (sim.scenario.paths)

    def describe(self, value: Any) -> str:
        return f"set {value.path} = {value.value.formatted()}"


ONE_SHOT: tuple[str, ...] = tuple(k for k, e in EFFECTS.items() if e.timing is Timing.ONE_SHOT)
CONTINUOUS: tuple[str, ...] = tuple(k for k, e in EFFECTS.items() if e.timing is Timing.CONTINUOUS)


# ---- the effect model and compiled sources ------------------------------------------------------


class EffectBase(Frozen):
    """Exactly one key, an effect kind of :data:`EFFECTS`.

    One-shot (fire on an event's first step): escalation, hit, pressure, set_trait, lever.
    Continuous (each step an event window or a lever is active): utility, forbid, prospect,
    pressure_floor. Static (levers only, before the run): set.
    """

    @model_validator(mode="after")
    def _exactly_one(self) -> EffectBase:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            raise ValueError(
                f"an effect has exactly one key (one of {', '.join(type(self).model_fields)}); "
                f"got {keys or 'none'}"
            )
        return self

    @property
    def key(self) -> str:
        """The YAML key given (the kind's name)."""
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @property
    def kind(self) -> EffectKind:
        return EFFECTS[self.key]

    @property
    def value(self) -> Any:
        return getattr(self, self.key)

    def describe(self) -> str:
        return self.kind.describe(self.value)


if TYPE_CHECKING:

    class Effect(EffectBase):
        def __getattr__(self, name: str) -> Any: ...

else:
    Effect = create_model(
        "Effect",
        __base__=EffectBase,
        __module__=__name__,
        __doc__=EffectBase.__doc__,
        **{key: (kind.annotation | None, Field(None, **kind.constraints)) for key, kind in EFFECTS.items()},
    )


@dataclass(frozen=True)
class CompiledEffects:
    """The effects of one source, summed per kind at compile time (kinds in registry order)."""

    totals: tuple[tuple[EffectKind, Any], ...] = field(default_factory=tuple)

    def is_empty(self) -> bool:
        return all(kind.is_empty(total) for kind, total in self.totals)

    def total(self, key: str) -> Any:
        """The compiled total of effect kind ``key`` (None if the source has none)."""
        return next((total for kind, total in self.totals if kind is EFFECTS[key]), None)

    def fire(self, world: World, happens: np.ndarray) -> None:
        for kind, total in self.totals:
            if not kind.is_empty(total):
                kind.fire(world, total, happens)

    def apply(self, step: StepEffects, active: np.ndarray) -> None:
        """Add this source's effects where ``active`` (N,) bool (all-true: without a run axis)."""
        everywhere = bool(active.all())
        weight: np.ndarray | float = 1.0 if everywhere else active.astype(float)
        mask: Any = True if everywhere else active
        for kind, total in self.totals:
            kind.apply(step, total, weight, mask)


def compile_effects(effects: list[Effect], cc: Compiler, timing: Timing) -> CompiledEffects:
    """Sum the effects of one source that have ``timing``, kind by kind."""
    totals: dict[str, Any] = {}
    for e in effects:
        if e.kind.timing is timing:
            totals[e.key] = e.kind.accumulate(totals.get(e.key), e.value, cc)
    return CompiledEffects(tuple((EFFECTS[k], totals[k]) for k in EFFECTS if k in totals))


def check_effects(ck: RefChecks, loc: Loc, raw_effects: Any, where: str) -> None:
    """Cross-check every effect of an event or lever (``where``) in raw data."""
    for j, raw in enumerate(raw_effects if isinstance(raw_effects, list) else []):
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                if key in EFFECTS:
                    EFFECTS[key].check(ck, (*loc, j, key), value, where)
