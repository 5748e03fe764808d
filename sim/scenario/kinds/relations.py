"""Relation types: each ``type:`` of the ``relations:`` list is one class here.

A relation type holds its schema (a pydantic model with ``type: Literal[...]``), the name of its
uncertain parameter (the path ``relations.<id>.<param>``), its cross-checks, its compilation to a
spec of actor indices, and its part in the step, through hooks the model calls:

- :meth:`RelationKind.gate`: replace a subject's chosen action by the status quo (vetoes, then
  command restraint: ``gate_phase`` orders them);
- :meth:`RelationKind.gatekeeper`: who must score whose actions to consent;
- :meth:`RelationKind.hawk_pull`: influence on hawkishness;
- :meth:`RelationKind.hit_shares`: who feels whose hits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Protocol, Union

import numpy as np
from pydantic import Field

from sim.scenario.base import Frozen, Identifier, Param, Probability, Share
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks, Registry


class GateContext(Protocol):
    """What gating needs from the model for one step."""

    status_quo: int

    def consent(self, actor: int, action: np.ndarray) -> np.ndarray:
        """(N,) consent in [0, 1] of ``actor`` to ``action`` (N,) taken by someone it gates."""

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
    actions: np.ndarray | None = None  # (K,) bool, vetoes only


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

    def hawk_pull(self, spec: RelationSpec) -> tuple[int, int] | None:
        """(target, source): target's hawkishness is pulled toward source's."""
        return None

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


class VetoRelation(Frozen):
    """``holder`` may block ``subject`` taking any of ``actions`` (replaced by the fallback)."""

    type: Literal["veto"]
    id: Identifier
    holder: Identifier
    subject: Identifier
    actions: list[Identifier] = Field(min_length=1)
    strength: Probability


@relation_kind
class Veto(RelationKind):
    """P(block) = strength x (1 - consent of the holder) for a listed action (docs/model.md)."""

    key = "veto"
    model = VetoRelation
    param = "strength"
    pair = ("holder", "subject")
    gate_phase = 0

    def check(self, ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
        super().check(ck, loc, raw)
        ck.refs((*loc, "actions"), raw.get("actions"), ck.action_ids, "action")

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        spec = super().compile(rel, cc)
        return RelationSpec(self, spec.id, spec.actors, spec.param, cc.action_mask(rel.actions))

    def gatekeeper(self, spec: RelationSpec) -> tuple[int, int] | None:
        return spec.actors[0], spec.actors[1]

    def gate(self, spec: RelationSpec, ctx: GateContext, choices: np.ndarray, value: np.ndarray) -> None:
        holder, subject = spec.actors
        assert spec.actions is not None
        action = choices[subject]
        listed = spec.actions[action]
        kappa = ctx.consent(holder, action)
        p_block = value * (1.0 - kappa) * ctx.present_mask(holder)
        choices[subject] = ctx.block(subject, action, listed, p_block)

    def describe(self, rel: Any) -> str:
        return f"{rel.holder} may veto {rel.subject}: {', '.join(rel.actions)}"


class CommandRelation(Frozen):
    """``commander`` restrains ``subordinate``, who acts on its own with probability ``autonomy``."""

    type: Literal["command"]
    id: Identifier
    commander: Identifier
    subordinate: Identifier
    autonomy: Probability


@relation_kind
class Command(RelationKind):
    """P(block) = (1 - autonomy) x (1 - consent of the commander) for any act but the status quo."""

    key = "command"
    model = CommandRelation
    param = "autonomy"
    pair = ("commander", "subordinate")
    gate_phase = 1

    def gatekeeper(self, spec: RelationSpec) -> tuple[int, int] | None:
        return spec.actors[0], spec.actors[1]

    def gate(self, spec: RelationSpec, ctx: GateContext, choices: np.ndarray, value: np.ndarray) -> None:
        commander, subordinate = spec.actors
        action = choices[subordinate]
        kappa = ctx.consent(commander, action)
        eligible = action != ctx.status_quo
        p_block = (1.0 - value) * (1.0 - kappa) * ctx.present_mask(commander)
        choices[subordinate] = ctx.block(subordinate, action, eligible, p_block)

    def describe(self, rel: Any) -> str:
        return f"{rel.commander} commands {rel.subordinate}"


class AllianceRelation(Frozen):
    """Members feel ``weight`` of the hits their allies take (allies are drawn in)."""

    type: Literal["alliance"]
    id: Identifier
    members: list[Identifier] = Field(min_length=2)
    weight: Share


@relation_kind
class Alliance(RelationKind):
    """Each member feels ``weight`` x the hits every other member takes."""

    key = "alliance"
    model = AllianceRelation
    param = "weight"

    def check(self, ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
        ck.refs((*loc, "members"), raw.get("members"), ck.actor_ids, "actor")

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        return RelationSpec(self, rel.id, tuple(cc.actor_index[m] for m in rel.members), rel.weight)

    def hit_shares(self, spec: RelationSpec) -> list[tuple[int, int]]:
        return [(i, j) for i in spec.actors for j in spec.actors if i != j]

    def describe(self, rel: Any) -> str:
        return " + ".join(rel.members)


class InfluenceRelation(Frozen):
    """``target``'s hawkishness is pulled toward ``source``'s by ``weight``."""

    type: Literal["influence"]
    id: Identifier
    source: Identifier
    target: Identifier
    weight: Share


@relation_kind
class Influence(RelationKind):
    """H~_target = (1 - w) H_target + w H_source (weights into one target capped at 1)."""

    key = "influence"
    model = InfluenceRelation
    param = "weight"
    pair = ("source", "target")
    source_is_actor = True

    def hawk_pull(self, spec: RelationSpec) -> tuple[int, int] | None:
        source, target = spec.actors
        return target, source

    def describe(self, rel: Any) -> str:
        return f"{rel.source} -> {rel.target}"


if TYPE_CHECKING:
    Relation = Any
else:
    Relation = Annotated[
        Union[tuple(kind.model for _, kind in RELATIONS.items())],  # noqa: UP007
        Field(discriminator="type"),
    ]
"""One item of ``relations:``: the model of its ``type``."""

RELATION_PARAM: dict[str, str] = {key: kind.param for key, kind in RELATIONS.items()}
"""The Param field of each relation type."""


def describe_relation(rel: Any) -> str:
    """Who the relation links, on one line."""
    return RELATIONS[rel.type].describe(rel)


def check_relation(ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
    """Cross-check one raw relation whose ``type`` is known (unknown types: pydantic reports)."""
    kind = raw.get("type")
    if isinstance(kind, str) and kind in RELATIONS:
        RELATIONS[kind].check(ck, loc, raw)
