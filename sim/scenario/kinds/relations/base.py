"""The base of relation types: the compiled spec, the hooks a type may take part in, the registry.

Relation types live in ``gates.py`` (veto, command) and ``ties.py`` (alliance, influence,
leverage) beside this file; the package builds the :data:`Relation` union from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import numpy as np

from sim.scenario.base import Frozen, Param
from sim.scenario.kinds.effects import StepEffects
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks, Registry


class GateContext(Protocol):
    """What gating needs from the model for one step."""

    status_quo: int

    def consent(self, actor: int, action: np.ndarray, stakes: float = 1.0) -> np.ndarray:
        """(N,) consent in [0, 1] of ``actor`` to ``action`` (N,) taken by someone it gates;
        ``stakes`` multiplies the holder's logit precision."""

    def block(
        self, subject: int, action: np.ndarray, eligible: np.ndarray, p_block: np.ndarray
    ) -> np.ndarray:
        """``action`` with the status quo where eligible and the subject's gate draw < p_block."""

    def present_mask(self, actor: int) -> np.ndarray:
        """(N,) bool: ``actor`` is in the crisis this step (an absent actor gates nobody)."""


@dataclass(frozen=True)
class RelationSpec:
    """A compiled relation: its kind, id, actor indices, listed actions and its Param."""

    kind: RelationKind
    id: str
    actors: tuple[int, ...]
    param: Param
    actions: np.ndarray | None = None  # (K,) bool: the acts it gates (None: every act)
    trait: str = ""  # the trait it pulls (influence)
    obligation: Any = None  # what it obliges (alliance), compiled by its kind
    stakes: float = 1.0  # the holder's stakes (veto)


class RelationKind:
    """Base of the relation types: override the hooks the type takes part in."""

    key: ClassVar[str]  # the ``type:`` value
    model: ClassVar[type[Frozen]]
    param: ClassVar[str]
    pair: ClassVar[tuple[str, str] | None] = None  # the two actor fields, if it links two actors
    gate_phase: ClassVar[int | None] = None
    source_is_actor: ClassVar[bool] = False  # its ``source:`` names an actor, not a provenance

    def check(self, ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
        if self.pair is not None:
            a, b = self.pair
            ck.ref((*loc, a), raw.get(a), ck.actor_ids, "actor")
            ck.ref((*loc, b), raw.get(b), ck.actor_ids, "actor")
            if isinstance(raw.get(a), str) and raw.get(a) == raw.get(b):
                ck.add((*loc, b), f"`{a}` and `{b}` are the same actor; a relation links two actors")

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        assert self.pair is not None
        actors = tuple(cc.actor_index[getattr(rel, f)] for f in self.pair)
        return RelationSpec(self, rel.id, actors, getattr(rel, self.param))

    def gatekeeper(self, spec: RelationSpec) -> tuple[int, int] | None:
        """(gatekeeper, subject): the gatekeeper scores the subject's actions."""
        return None

    def gate(self, spec: RelationSpec, ctx: GateContext, choices: np.ndarray, value: np.ndarray) -> None:
        """Gate ``choices`` (A, N) in place; ``value`` (N,) is the drawn parameter."""

    def trait_pull(self, spec: RelationSpec) -> tuple[str, int, int] | None:
        """(trait, target, source): the target's trait is pulled toward the source's."""
        return None

    def pressure_link(self, spec: RelationSpec) -> tuple[int, int] | None:
        """(receiver, giver): the receiver feels the economic pressure the giver's acts put out."""
        return None

    def step_effects(self, spec: RelationSpec, hit: np.ndarray, value: np.ndarray, step: StepEffects) -> None:
        """Add this relation's utility bonuses for the step (``hit`` (A, N) as of last step)."""

    def hit_shares(self, spec: RelationSpec) -> list[tuple[int, int]]:
        """(i, j) pairs: i feels the hits j takes, times the drawn weight."""
        return []

    def describe(self, rel: Any) -> str:
        raise NotImplementedError


RELATIONS: Registry[RelationKind] = Registry("relation")


def relation_kind(cls: type[RelationKind]) -> type[RelationKind]:
    """Class decorator: register a relation type under its ``key`` (the ``type:`` value)."""
    RELATIONS.add(cls.key, cls())
    return cls
