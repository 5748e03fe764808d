"""Condition kinds on what actors did: an action taken n times, a joint action within a window."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from pydantic import Field

from sim.scenario.base import ActorScope, Frozen, Identifier
from sim.scenario.kinds.conditions.base import (
    Cond,
    ConditionKind,
    ConditionState,
    CounterSpec,
    Describe,
    Holds,
    JointSpec,
    condition_kind,
)
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


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

    def record(
        self, state: Any, specs: list[Any], choices: np.ndarray, t: int, st: ConditionState, holds: Holds
    ) -> None:
        for slot, spec in enumerate(specs):
            state[slot] += spec.uses(choices)

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

    def record(
        self, state: Any, specs: list[Any], choices: np.ndarray, t: int, st: ConditionState, holds: Holds
    ) -> None:
        for j, joint in enumerate(specs):
            for p, party in enumerate(joint.parties):
                np.copyto(state[j][p], t, where=party.uses(choices) > 0)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        last = st.condition_state[self.key][c.slot]
        return np.asarray((last > t - c.value).all(axis=0))

    def describe(self, value: Any, sub: Describe) -> str:
        parts = " & ".join(f"{p.side}:{'|'.join(p.actions)}" for p in value.parties)
        return f"jointly {parts} within {value.within} steps"
