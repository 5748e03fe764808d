"""States that persist: commitments and postures (a blockade, sanctions in force, a moratorium,
forces on alert, a standing offer) that an actor starts with one act and that hold until it ends
them, another act or an event ends them, or they expire.

While a state is on, its continuous effects apply every step (as a lever's do), and its owner
weighs ending it: each act that ends it gets ``keep_cost - reverse_cost`` added to the owner's
utility (keeping costs every step; reversing a public commitment costs face, Fearon 1994). This
module holds the state's schema, its cross-checks, its compilation and its update rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Identifier, ShortText
from sim.scenario.kinds.effects import CONTINUOUS, CompiledEffects, Effect, Timing, compile_effects
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


class State(Frozen):
    """A commitment or posture that persists until ended (docs/model.md, states)."""

    id: Identifier
    name: ShortText
    owner: Identifier = Field(description="The actor whose acts start and end it.")
    starts_with: list[Identifier] = Field([], description="Owner's acts that start it (when off).")
    ends_with: list[Identifier] = Field([], description="Owner's acts that end it (when on).")
    initially: bool = Field(False, description="On at step 0.")
    expires_after: int | None = Field(None, ge=1, le=100_000, description="Steps until it lapses.")
    keep_cost: float = Field(0.0, ge=0, le=100, description="Utility the owner gains by ending it.")
    reverse_cost: float = Field(0.0, ge=0, le=100, description="Audience cost of ending it.")
    effects: list[Effect] = []
    description: ShortText | None = None
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _check(self) -> State:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:`")
        for e in self.effects:
            if e.kind.timing is not Timing.CONTINUOUS:
                raise ValueError(f"`{e.key}:` is not continuous: a state takes {', '.join(CONTINUOUS)}")
        return self


def check_state(ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
    """Owner exists; its start and end acts exist; effects' ids exist."""
    from sim.scenario.kinds.effects import check_effects

    ck.ref((*loc, "owner"), raw.get("owner"), ck.actor_ids, "actor")
    for key in ("starts_with", "ends_with"):
        ck.refs((*loc, key), raw.get(key), ck.action_ids, "action")
    check_effects(ck, (*loc, "effects"), raw.get("effects"), "state")


@dataclass(frozen=True)
class StateSpec:
    """A compiled state: owner index, (K,) start and end act masks, expiry (0 = never), and the
    continuous effects while on (its own, plus the owner's utility of ending it)."""

    id: str
    owner: int
    starts: np.ndarray
    ends: np.ndarray
    initially: bool
    expires_after: int
    effects: CompiledEffects


def compile_state(state: State, cc: Compiler) -> StateSpec:
    owner = cc.actor_index[state.owner]
    ends = cc.action_mask(state.ends_with)
    net = state.keep_cost - state.reverse_cost
    weigh_ending = [
        Effect.model_validate(
            {"utility": {"actors": [state.owner], "actions": state.ends_with, "delta": net}}
        )
        for _ in [0]
        if net and state.ends_with
    ]
    effects = compile_effects([*state.effects, *weigh_ending], cc, Timing.CONTINUOUS)
    return StateSpec(
        id=state.id,
        owner=owner,
        starts=cc.action_mask(state.starts_with),
        ends=ends,
        initially=state.initially,
        expires_after=state.expires_after or 0,
        effects=effects,
    )


def advance_states(
    on: np.ndarray, since: np.ndarray, specs: tuple[StateSpec, ...], choices: np.ndarray, t: int
) -> None:
    """Update ``on`` (S, N) bool and ``since`` (S, N) step in place after step ``t``'s choices.

    on_t = (on_{t-1} ∧ ¬end ∧ ¬expired) ∨ (¬on_{t-1} ∧ start), where start/end: the owner's
    chosen act is one of the state's start/end acts, expired: t − since ≥ expires_after.
    """
    for s, spec in enumerate(specs):
        act = choices[spec.owner]
        was = on[s]
        ended = was & spec.ends[act]
        if spec.expires_after:
            ended |= was & (t - since[s] >= spec.expires_after)
        started = ~was & spec.starts[act]
        on[s] = (was & ~ended) | started
        since[s] = np.where(started, t, since[s])
