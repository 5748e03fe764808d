"""Relation types that tie actors together: alliance, influence and economic leverage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field

from sim.scenario.base import Frozen, Identifier, Share
from sim.scenario.kinds.effects import StepEffects
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks
from sim.scenario.kinds.relations.base import RelationKind, RelationSpec, relation_kind
from sim.scenario.traits import TraitName


class Obligation(Frozen):
    """While a member is hit at least ``when_hit`` (0..1), every other member's utility of
    ``actions`` (e.g. mobilise, strike back) gains ``utility`` points."""

    actions: list[Identifier] = Field(min_length=1)
    when_hit: float = Field(gt=0, le=1)
    utility: float = Field(gt=0, le=100)


class AllianceRelation(Frozen):
    """Members feel ``weight`` of the hits their allies take (allies are drawn in); with
    ``obliges``, a member hit past a threshold calls the others to act."""

    type: Literal["alliance"]
    id: Identifier
    members: list[Identifier] = Field(min_length=2)
    weight: Share
    obliges: Obligation | None = None


@relation_kind
class Alliance(RelationKind):
    """Each member feels ``weight`` x the hits every other member takes; an obligation adds
    ``utility`` to the others' listed acts while a member is hit past ``when_hit``."""

    key = "alliance"
    model = AllianceRelation
    param = "weight"

    def check(self, ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
        ck.refs((*loc, "members"), raw.get("members"), ck.actor_ids, "actor")
        obliges = raw.get("obliges")
        if isinstance(obliges, Mapping):
            ck.refs((*loc, "obliges", "actions"), obliges.get("actions"), ck.action_ids, "action")

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        members = tuple(cc.actor_index[m] for m in rel.members)
        duty = None
        if rel.obliges is not None:
            ob = rel.obliges
            duty = (cc.action_mask(ob.actions) * ob.utility, ob.when_hit)
        return RelationSpec(self, rel.id, members, rel.weight, obligation=duty)

    def hit_shares(self, spec: RelationSpec) -> list[tuple[int, int]]:
        return [(i, j) for i in spec.actors for j in spec.actors if i != j]

    def step_effects(self, spec: RelationSpec, hit: np.ndarray, value: np.ndarray, step: StepEffects) -> None:
        if spec.obligation is None:
            return
        bonus, threshold = spec.obligation
        struck = hit[list(spec.actors)] >= threshold  # (M, N)
        if not struck.any():
            return
        for m, i in enumerate(spec.actors):
            called = np.delete(struck, m, axis=0).any(axis=0)  # another member is hit
            if called.any():
                step.bonus[i] = step.bonus[i] + bonus[step.scored[i]][:, None] * called

    def describe(self, rel: Any) -> str:
        duty = f" (obliged: {'|'.join(rel.obliges.actions)})" if rel.obliges else ""
        return " + ".join(rel.members) + duty


class InfluenceRelation(Frozen):
    """``target``'s ``trait`` (default hawkishness) is pulled toward ``source``'s by ``weight``."""

    type: Literal["influence"]
    id: Identifier
    source: Identifier
    target: Identifier
    weight: Share
    trait: TraitName = "hawkishness"


@relation_kind
class Influence(RelationKind):
    """X~_target = (1 - w) X_target + w X_source for its trait X (weights into one target's trait
    capped at 1)."""

    key = "influence"
    model = InfluenceRelation
    param = "weight"
    pair = ("source", "target")
    source_is_actor = True

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        spec = super().compile(rel, cc)
        return RelationSpec(self, spec.id, spec.actors, spec.param, trait=rel.trait)

    def trait_pull(self, spec: RelationSpec) -> tuple[str, int, int] | None:
        source, target = spec.actors
        return spec.trait, target, source

    def describe(self, rel: Any) -> str:
        what = "" if rel.trait == "hawkishness" else f" ({rel.trait})"
        return f"{rel.source} -> {rel.target}{what}"


class LeverageRelation(Frozen):
    """``client`` feels ``weight`` of the economic pressure its ``patron``'s acts put out, though
    they are not adversaries: a patron can squeeze its client."""

    type: Literal["leverage"]
    id: Identifier
    patron: Identifier
    client: Identifier
    weight: Share


@relation_kind
class Leverage(RelationKind):
    """inflow_client += weight x u_patron x c_patron (the patron's pressure act, scaled by its
    economic capability), on top of what adversaries send."""

    key = "leverage"
    model = LeverageRelation
    param = "weight"
    pair = ("patron", "client")

    def pressure_link(self, spec: RelationSpec) -> tuple[int, int] | None:
        patron, client = spec.actors
        return client, patron

    def describe(self, rel: Any) -> str:
        return f"{rel.patron} has leverage over {rel.client}"
