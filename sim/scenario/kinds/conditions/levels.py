"""Condition kinds that read the state: escalation, an actor's pressure or hit, a persistent state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
from pydantic import Field

from sim.scenario.base import Frozen, Identifier
from sim.scenario.kinds.conditions.base import (
    Cond,
    ConditionKind,
    ConditionState,
    Describe,
    Holds,
    condition_kind,
)
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


@condition_kind
class EscalationAtLeast(ConditionKind):
    """True while the escalation index is at least the value (ladder points)."""

    key = "escalation_at_least"
    annotation = float

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        top = ck.ladder_max()
        number = isinstance(raw, int | float) and not isinstance(raw, bool)
        if number and top is not None and not 0 <= raw <= top:
            ck.add(loc, f"{raw:g} is outside the ladder 0..{top:g}")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, value=float(value))

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return st.escalation >= c.value

    def describe(self, value: Any, sub: Describe) -> str:
        return f"escalation >= {value:g}"


class TrackLevel(Frozen):
    """``track_at_least`` value: a track id and a level on it (the track's points)."""

    track: Identifier
    level: float = Field(ge=0, le=10_000)


@condition_kind
class TrackAtLeast(ConditionKind):
    """True while escalation track ``track`` (``ladder.tracks``) is at least ``level``."""

    key = "track_at_least"
    annotation = TrackLevel

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        if isinstance(raw, Mapping):
            ck.ref((*loc, "track"), raw.get("track"), ck.track_ids, "track")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, value=float(value.level), slot=cc.track_index[value.track])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.tracks[c.slot] >= c.value)

    def describe(self, value: Any, sub: Describe) -> str:
        return f"track {value.track} >= {value.level:g}"


class _OwnState(ConditionKind):
    """True while the owning actor's ``field`` (pressure or hit, 0..1) is at least the value."""

    field: ClassVar[str]
    annotation = float
    constraints: ClassVar[dict[str, Any]] = {"ge": 0, "le": 1}
    owner_only = True

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        if owner < 0:
            raise ValueError(f"`{self.key}` reads an actor's own state: it may only be used in red lines")
        return Cond(self, value=float(value), owner=owner)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        state: np.ndarray = getattr(st, self.field)
        return state[c.owner] >= c.value

    def describe(self, value: Any, sub: Describe) -> str:
        return f"{self.field} >= {value:g}"


@condition_kind
class PressureAtLeast(_OwnState):
    key = "pressure_at_least"
    field = "pressure"


@condition_kind
class HitAtLeast(_OwnState):
    key = "hit_at_least"
    field = "hit"


@condition_kind
class StateActive(ConditionKind):
    """True while a persistent state (``states:``) is on."""

    key = "state_active"
    annotation = Identifier

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        ck.ref(loc, raw, ck.state_ids, "state")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, slot=cc.state_index[value])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.state_on[c.slot])

    def describe(self, value: Any, sub: Describe) -> str:
        return f"state {value} on"
