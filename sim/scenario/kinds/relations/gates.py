"""Relation types that gate another actor's acts: veto and command restraint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field

from sim.scenario.base import Frozen, Identifier, Probability
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks
from sim.scenario.kinds.relations.base import GateContext, RelationKind, RelationSpec, relation_kind


class VetoRelation(Frozen):
    """``holder`` may block ``subject`` taking any of ``actions`` (replaced by the fallback)."""

    type: Literal["veto"]
    id: Identifier
    holder: Identifier
    subject: Identifier
    actions: list[Identifier] = Field(min_length=1)
    strength: Probability
    stakes: float = Field(
        1.0,
        gt=0,
        le=20,
        description="How much the holder has at stake: multiplies its logit precision when it "
        "judges the act (1: as in its own choices; higher: consents or refuses more firmly).",
    )
    deals: bool = Field(
        False, description="The holder must also consent to deals the subject accepts (bargaining)."
    )


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
        mask = cc.action_mask(rel.actions)
        return RelationSpec(self, spec.id, spec.actors, spec.param, mask, stakes=rel.stakes)

    def gatekeeper(self, spec: RelationSpec) -> tuple[int, int] | None:
        return spec.actors[0], spec.actors[1]

    def gate(self, spec: RelationSpec, ctx: GateContext, choices: np.ndarray, value: np.ndarray) -> None:
        holder, subject = spec.actors
        assert spec.actions is not None
        action = choices[subject]
        listed = spec.actions[action]
        kappa = ctx.consent(holder, action, spec.stakes)
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
    actions: list[Identifier] = Field(
        [], description="The acts the commander restrains (empty: every act but the status quo)."
    )


@relation_kind
class Command(RelationKind):
    """P(block) = (1 - autonomy) x (1 - consent of the commander) for the acts it restrains
    (``actions``, or every act but the status quo): command control per class of act."""

    key = "command"
    model = CommandRelation
    param = "autonomy"
    pair = ("commander", "subordinate")
    gate_phase = 1

    def check(self, ck: RefChecks, loc: Loc, raw: Mapping[str, Any]) -> None:
        super().check(ck, loc, raw)
        ck.refs((*loc, "actions"), raw.get("actions"), ck.action_ids, "action")

    def compile(self, rel: Any, cc: Compiler) -> RelationSpec:
        spec = super().compile(rel, cc)
        listed = cc.action_mask(rel.actions) if rel.actions else None
        return RelationSpec(self, spec.id, spec.actors, spec.param, listed)

    def gatekeeper(self, spec: RelationSpec) -> tuple[int, int] | None:
        return spec.actors[0], spec.actors[1]

    def gate(self, spec: RelationSpec, ctx: GateContext, choices: np.ndarray, value: np.ndarray) -> None:
        commander, subordinate = spec.actors
        action = choices[subordinate]
        kappa = ctx.consent(commander, action)
        eligible = action != ctx.status_quo if spec.actions is None else spec.actions[action]
        p_block = (1.0 - value) * (1.0 - kappa) * ctx.present_mask(commander)
        choices[subordinate] = ctx.block(subordinate, action, eligible, p_block)

    def describe(self, rel: Any) -> str:
        acts = f": {', '.join(rel.actions)}" if rel.actions else ""
        return f"{rel.commander} commands {rel.subordinate}{acts}"
