"""Effect kinds: each YAML key of an event's or lever's ``effects:`` item is one class, in
``one_shot.py``, ``continuous.py`` or ``static.py`` by its timing.

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
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import Field, create_model, model_validator

from sim.scenario.base import Frozen
from sim.scenario.kinds.effects import continuous, one_shot, static  # noqa: F401  (registers the kinds)
from sim.scenario.kinds.effects.base import EFFECTS, EffectKind, StepEffects, Timing, World
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks

__all__ = [
    "CONTINUOUS",
    "EFFECTS",
    "ONE_SHOT",
    "CompiledEffects",
    "Effect",
    "EffectKind",
    "StepEffects",
    "Timing",
    "World",
    "check_effects",
    "compile_effects",
]

ORDER: tuple[str, ...] = tuple(k for timing in Timing for k, e in EFFECTS.items() if e.timing is timing)
"""Effect keys by timing (one-shot, continuous, static), each in registration order."""
ONE_SHOT: tuple[str, ...] = tuple(k for k in ORDER if EFFECTS[k].timing is Timing.ONE_SHOT)
CONTINUOUS: tuple[str, ...] = tuple(k for k in ORDER if EFFECTS[k].timing is Timing.CONTINUOUS)


# ---- the effect model and compiled sources ------------------------------------------------------


class EffectBase(Frozen):
    """Exactly one key, an effect kind of :data:`EFFECTS`.

    One-shot (fire on an event's first step): escalation, hit, pressure, set_trait, lever.
    Continuous (each step an event window or a lever is active): utility, forbid, prospect,
    pressure_floor. Static (levers only, before the run): set.
    """

    kind_family: ClassVar[str] = "effect"

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
        **{key: (EFFECTS[key].annotation | None, Field(None, **EFFECTS[key].constraints)) for key in ORDER},
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
    return CompiledEffects(tuple((EFFECTS[k], totals[k]) for k in ORDER if k in totals))


def check_effects(ck: RefChecks, loc: Loc, raw_effects: Any, where: str) -> None:
    """Cross-check every effect of an event or lever (``where``) in raw data."""
    for j, raw in enumerate(raw_effects if isinstance(raw_effects, list) else []):
        if isinstance(raw, Mapping):
            for key, value in raw.items():
                if key in EFFECTS:
                    EFFECTS[key].check(ck, (*loc, j, key), value, where)
