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
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field

# isort: off
# The types register in this order (veto, command, alliance, influence, leverage).
import sim.scenario.kinds.relations.gates
import sim.scenario.kinds.relations.ties  # noqa: F401

# isort: on
from sim.scenario.kinds.registry import Loc, RefChecks
from sim.scenario.kinds.relations.base import (
    RELATIONS,
    GateContext,
    RelationKind,
    RelationSpec,
    relation_kind,
)

__all__ = [
    "RELATIONS",
    "RELATION_PARAM",
    "GateContext",
    "Relation",
    "RelationKind",
    "RelationSpec",
    "check_relation",
    "describe_relation",
    "relation_kind",
]

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
