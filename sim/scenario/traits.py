"""The table of actor traits and capabilities: one row each, with its default, label and meaning.

Adding a trait is one row here (plus the term that uses it in ``sim.model.rules`` and its line in
docs/model.md): the ``traits:`` block of the format, the parameter paths
``actors.<id>.traits.<name>``, the per-run draws, ``sim show`` and the reports all read this table.

A trait with a ``default`` may be left out of an actor's ``traits:`` block; the default is a
fixed value whose provenance is the documented assumption below. A trait without a default must
be written for every actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model, field_validator

from sim.scenario.base import Frozen, Param, unit


@dataclass(frozen=True)
class TraitSpec:
    """One actor trait: a number in [0, 1] per actor and run.

    ``default`` (None = required) is used when an actor does not give the trait; ``label`` is the
    reader-facing words for reports; ``meaning`` says what the trait drives (docs/model.md).
    """

    name: str
    label: str
    meaning: str
    default: float | None = None

    def default_param(self) -> Param | None:
        """The default as a fixed Param with its documented assumption (None if required)."""
        if self.default is None:
            return None
        return Param(
            value=self.default,
            assumption=f"default for {self.name} (docs/model.md, trait defaults): {self.meaning}",
        )


TRAITS: tuple[TraitSpec, ...] = (
    TraitSpec("hawkishness", "hawkishness", "preference for hostile over cooperative acts"),
    TraitSpec("resolve", "resolve", "reluctance to back down once committed"),
    TraitSpec("cost_sensitivity", "sensitivity to costs", "weight of pain and war cost"),
    TraitSpec(
        "pressure_aversion",
        "refusal to talk under pressure",
        "talks are costlier under pressure; 0 = no such aversion",
        default=0.0,
    ),
    TraitSpec("distrust", "distrust", "initial distrust of adversaries, then learnt"),
    TraitSpec("reciprocity", "reciprocity", "answering hostility with hostility"),
    TraitSpec("risk_tolerance", "risk tolerance", "willingness to risk war"),
    TraitSpec(
        "spoiler_motive",
        "spoiler motive",
        "striking when talks come into prospect; 0 = not a spoiler",
        default=0.0,
    ),
    TraitSpec(
        "wait_out",
        "waiting out a date",
        "holding back before an awaited event; 0 = does not wait",
        default=0.0,
    ),
    TraitSpec(
        "inconsistency",
        "inconsistent signalling",
        "share of steps with a random signal instead of a decision; 0 = consistent",
        default=0.0,
    ),
)
"""Every actor trait, in the order of draws and tables."""

TRAIT_NAMES: tuple[str, ...] = tuple(t.name for t in TRAITS)
"""The actor traits the model uses, each a number in [0, 1] (see docs/model.md)."""

TRAIT_BY_NAME: dict[str, TraitSpec] = {t.name: t for t in TRAITS}

if TYPE_CHECKING:
    TraitName = str
else:
    TraitName = Literal[TRAIT_NAMES]
"""Name of an actor trait (validated against :data:`TRAIT_NAMES`)."""

CAPABILITY_NAMES: tuple[str, ...] = ("military", "economic")
"""Relative capabilities in [0, 1]: scale the effects of military and economic actions."""


def _trait_field(spec: TraitSpec) -> Any:
    default = spec.default_param()
    if default is None:
        return (Param, Field(description=spec.meaning))
    return (Param, Field(default, description=f"{spec.meaning} (default {spec.default:g})"))


class _TraitsBase(Frozen):
    """Behavioural traits, each in [0, 1]. See docs/model.md for the term each one drives."""

    @field_validator("*")
    @classmethod
    def _in_unit(cls, v: Param) -> Param:
        return unit(v, "traits are probabilities or weights")


if TYPE_CHECKING:

    class Traits(_TraitsBase):
        """The ``traits:`` block (typed loosely for mypy; built from :data:`TRAITS` at runtime)."""

        def __getattr__(self, name: str) -> Param: ...

else:
    Traits = create_model(
        "Traits",
        __base__=_TraitsBase,
        __module__=__name__,
        __doc__=_TraitsBase.__doc__,
        **{t.name: _trait_field(t) for t in TRAITS},
    )
"""The ``traits:`` block of an actor: one Param per row of :data:`TRAITS`."""


class Capabilities(Frozen):
    """Relative capabilities in [0, 1]: scale the effects of military and economic actions."""

    military: Param
    economic: Param

    @field_validator(*CAPABILITY_NAMES)
    @classmethod
    def _in_unit(cls, v: Param) -> Param:
        return unit(v, "capabilities are relative")
