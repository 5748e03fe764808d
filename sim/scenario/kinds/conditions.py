"""Condition kinds: each YAML key of a ``when:`` block is one class here.

A condition is evaluated per run and per step and gives (N,) bool. A kind holds its schema
(``annotation`` + ``constraints``), its cross-checks (:meth:`ConditionKind.check`), its
compilation (:meth:`~ConditionKind.compile` to a :class:`Cond`), the model state it needs
(:meth:`~ConditionKind.init_state`, :meth:`~ConditionKind.record`), its evaluation and its
description. :data:`Condition`, the pydantic model of a ``when:`` block, is built from
:data:`CONDITIONS`: adding a kind is adding a class here (and its test and doc line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
from pydantic import Field, create_model, model_validator

from sim.scenario.base import ActorScope, Frozen, Identifier
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks, Registry

# ---- compiled form and the state a condition reads ----------------------------------------------


@dataclass(frozen=True)
class Cond:
    """A compiled condition node: its kind, a threshold, a state slot, an owner, sub-nodes."""

    kind: ConditionKind
    value: float = 0.0
    slot: int = -1
    owner: int = -1
    children: tuple[Cond, ...] = ()


@dataclass(frozen=True)
class CounterSpec:
    """Uses of ``actions`` (K,) bool by ``actors`` (A,) bool, counted in each run."""

    actors: np.ndarray
    actions: np.ndarray


@dataclass(frozen=True)
class JointSpec:
    """Each party's last step of using one of its actions; all within ``within`` steps."""

    parties: tuple[CounterSpec, ...]
    within: int


class ConditionState(Protocol):
    """What a condition reads: the model's state arrays over the N runs of a batch."""

    escalation: np.ndarray  # (N,) ladder points
    pressure: np.ndarray  # (A, N) in [0, 1]
    hit: np.ndarray  # (A, N) in [0, 1]
    outcome_step: np.ndarray  # (O, N) first step, -1 if never
    condition_state: dict[str, Any]  # per kind key: what init_state made


Holds = Callable[[Cond], np.ndarray]
Describe = Callable[[Any], str]
NEVER = -1


class ConditionKind:
    """Base of the condition kinds: override what the kind needs."""

    key: ClassVar[str]
    annotation: ClassVar[Any]
    constraints: ClassVar[dict[str, Any]] = {}
    owner_only: ClassVar[bool] = False  # reads the owning actor's state: red lines only

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        """Cross-check the raw YAML value at ``loc`` (ids exist, ranges fit the scenario)."""
        if self.owner_only and not owner:
            ck.add(
                loc,
                f"`{self.key}` reads an actor's own state: it may only be used in an actor's red "
                "lines (outcomes can use escalation_at_least, action, joint_action or outcome)",
            )

    def outcome_refs(self, value: Any, sub: Callable[[Any], set[str]]) -> set[str]:
        """Outcome ids the value refers to (raw mapping or validated)."""
        return set()

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        raise NotImplementedError

    def init_state(self, specs: list[Any], n: int) -> Any:
        """Model state for this kind's slots over ``n`` runs (None if it needs none)."""
        return None

    def record(self, state: Any, specs: list[Any], choices: np.ndarray, t: int) -> None:
        """Update this kind's state after step ``t``'s choices (A, N)."""

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        raise NotImplementedError

    def describe(self, value: Any, sub: Describe) -> str:
        raise NotImplementedError


CONDITIONS: Registry[ConditionKind] = Registry("condition")


def condition_kind(cls: type[ConditionKind]) -> type[ConditionKind]:
    """Class decorator: register a condition kind under its ``key``."""
    CONDITIONS.add(cls.key, cls())
    return cls


# ---- the kinds ----------------------------------------------------------------------------------


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


class ActionCondition(ActorScope):
    """True once the scoped actors have taken any of ``actions`` at least ``count`` times."""

    actions: list[Identifier] = Field(min_length=1)
    count: int = Field(1, ge=1, le=100_000)


@condition_kind
class ActionTaken(ConditionKind):
    """Sticky: the scoped actors have used any of the actions ``count`` times (cumulative)."""

    key = "action"
    annotation = ActionCondition

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        if isinstance(raw, Mapping):
            ck.scope(loc, raw)

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        spec = CounterSpec(cc.actor_mask(value), cc.action_mask(value.actions))
        return Cond(self, value=value.count, slot=cc.add_slot(self.key, spec))

    def init_state(self, specs: list[Any], n: int) -> Any:
        return np.zeros((len(specs), n), dtype=np.int64)

    def record(self, state: Any, specs: list[Any], choices: np.ndarray, t: int) -> None:
        for slot, spec in enumerate(specs):
            state[slot] += (spec.actions[choices] & spec.actors[:, None]).sum(axis=0)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return st.condition_state[self.key][c.slot] >= c.value

    def describe(self, value: Any, sub: Describe) -> str:
        who = ", ".join([*value.actors, *(f"side {s}" for s in value.sides)]) or "anyone"
        return f"{who} took {'|'.join(value.actions)} x{value.count}"


class JointParty(Frozen):
    side: Identifier
    actions: list[Identifier] = Field(min_length=1)


class JointAction(Frozen):
    """True when every party has taken one of its actions within the last ``within`` steps."""

    parties: list[JointParty] = Field(min_length=2)
    within: int = Field(1, ge=1, le=10_000)


@condition_kind
class JointActionTaken(ConditionKind):
    """Every party (a side) used one of its actions within the last ``within`` steps."""

    key = "joint_action"
    annotation = JointAction

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        parties = raw.get("parties") if isinstance(raw, Mapping) else None
        for j, party in enumerate(parties if isinstance(parties, list) else []):
            if isinstance(party, Mapping):
                ploc = (*loc, "parties", j)
                ck.ref((*ploc, "side"), party.get("side"), ck.sides, "side")
                ck.refs((*ploc, "actions"), party.get("actions"), ck.action_ids, "action")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        parties = tuple(CounterSpec(cc.side_mask(p.side), cc.action_mask(p.actions)) for p in value.parties)
        return Cond(self, value=value.within, slot=cc.add_slot(self.key, JointSpec(parties, value.within)))

    def init_state(self, specs: list[Any], n: int) -> Any:
        return [np.full((len(j.parties), n), -(10**9), dtype=np.int64) for j in specs]

    def record(self, state: Any, specs: list[Any], choices: np.ndarray, t: int) -> None:
        for j, joint in enumerate(specs):
            for p, party in enumerate(joint.parties):
                took = (party.actions[choices] & party.actors[:, None]).any(axis=0)
                state[j][p] = np.where(took, t, state[j][p])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        last = st.condition_state[self.key][c.slot]
        return np.asarray((last > t - c.value).all(axis=0))

    def describe(self, value: Any, sub: Describe) -> str:
        parts = " & ".join(f"{p.side}:{'|'.join(p.actions)}" for p in value.parties)
        return f"jointly {parts} within {value.within} steps"


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

    annotation = list["Condition"]
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


# ---- the ``when:`` model ------------------------------------------------------------------------


class ConditionBase(Frozen):
    """Exactly one key, a condition kind of :data:`CONDITIONS`; evaluated per run and per step.

    ``escalation_at_least`` compares the escalation index; ``pressure_at_least`` and
    ``hit_at_least`` read the owning actor's state (red lines only); ``action`` and ``outcome``
    are sticky once true; ``joint_action`` needs every party within a window; ``all_of`` and
    ``any_of`` combine.
    """

    @model_validator(mode="after")
    def _exactly_one(self) -> ConditionBase:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            opts = ", ".join(type(self).model_fields)
            raise ValueError(f"a condition has exactly one key (one of {opts}); got {keys or 'none'}")
        return self

    @property
    def key(self) -> str:
        """The YAML key given (the kind's name)."""
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @property
    def kind(self) -> ConditionKind:
        return CONDITIONS[self.key]

    @property
    def value(self) -> Any:
        return getattr(self, self.key)


if TYPE_CHECKING:

    class Condition(ConditionBase):
        def __getattr__(self, name: str) -> Any: ...

else:
    Condition = create_model(
        "Condition",
        __base__=ConditionBase,
        __module__=__name__,
        __doc__=ConditionBase.__doc__,
        **{
            key: (kind.annotation | None, Field(None, **kind.constraints)) for key, kind in CONDITIONS.items()
        },
    )
    Condition.model_rebuild()


def describe_condition(c: Condition) -> str:
    """A condition on one line, e.g. ``(escalation >= 60 or outcome clash)``."""
    return c.kind.describe(c.value, describe_condition)


def outcome_refs(raw: Any) -> set[str]:
    """Outcome ids a condition refers to, recursively (raw mapping or validated Condition)."""
    items: Iterable[tuple[str, Any]]
    if isinstance(raw, ConditionBase):
        items = [(raw.key, raw.value)]
    elif isinstance(raw, Mapping):
        items = [(k, v) for k, v in raw.items() if k in CONDITIONS]
    else:
        return set()
    out: set[str] = set()
    for key, value in items:
        out |= CONDITIONS[key].outcome_refs(value, outcome_refs)
    return out


def check_condition(ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
    """Cross-check every key of a raw condition mapping that names a known kind."""
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if key in CONDITIONS:
                CONDITIONS[key].check(ck, (*loc, key), value, owner)
