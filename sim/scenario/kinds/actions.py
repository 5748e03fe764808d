"""Actions and their properties: each per-action number the model uses is one class here.

The model reads an action through the arrays of ``sim.model.rules.ActionAttrs`` (one value per
action). Each array is an :class:`ActionProperty` of :data:`ACTION_PROPERTIES`: its name, what it
means, and how it is computed from the action's YAML (Goldstein score, tags, base utility,
effects) and the ladder. Adding a property is a class here plus the term that uses it.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Identifier, ShortText
from sim.scenario.kinds.bargaining import Offer
from sim.scenario.kinds.registry import Registry

ACTION_TAGS = Literal["negotiation", "concession", "military", "signal"]


class ActionEffects(Frozen):
    """Direct effects of one use of an action, applied after all actors have chosen.

    ``escalation`` (ladder points) defaults to ``-goldstein * ladder.points_per_goldstein``;
    ``pressure_on_adversaries`` moves economic pressure on the adversaries (x economic capability);
    ``prospect`` raises the perceived chance of talks (0..1 scale); ``tracks`` moves each named
    escalation track (track id -> its points per use; the main index is not moved by it).
    """

    escalation: float | None = Field(None, ge=-100, le=100)
    pressure_on_adversaries: float = Field(0.0, ge=-1, le=1)
    prospect: float = Field(0.0, ge=-1, le=1)
    tracks: dict[Identifier, float] = Field(
        {}, description="Points per use on each escalation track (ladder.tracks), -100..100."
    )

    @model_validator(mode="after")
    def _track_range(self) -> ActionEffects:
        for k, v in self.tracks.items():
            if not -100 <= v <= 100:
                raise ValueError(f"tracks.{k} = {v:g} is outside -100..100 points per use")
        return self


class Action(Frozen):
    id: Identifier
    name: ShortText
    goldstein: float = Field(ge=-10, le=10, description="CAMEO Goldstein score, -10..+10.")
    cameo: str | None = Field(None, pattern=r"^[0-9]{2,4}$")
    tags: list[ACTION_TAGS] = []
    base_utility: float = Field(0.0, ge=-20, le=20)
    effects: ActionEffects = ActionEffects()
    targets: list[Identifier] = Field(
        [],
        description="Actors or sides its hostility, hits and pressure reach (among the user's "
        "adversaries); empty: every adversary.",
    )
    offer: Offer | None = Field(None, description="Terms this act puts on the table (bargaining).")
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _prov(self) -> Action:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:` for the action's scoring")
        return self


class ActionProperty:
    """One per-action number: ``value(action, points_per_goldstein)``."""

    name: ClassVar[str]
    meaning: ClassVar[str]

    def value(self, action: Action, points_per_goldstein: float) -> float:
        raise NotImplementedError


ACTION_PROPERTIES: Registry[ActionProperty] = Registry("action property")


def action_property(cls: type[ActionProperty]) -> type[ActionProperty]:
    """Class decorator: register an action property under its ``name``."""
    ACTION_PROPERTIES.add(cls.name, cls())
    return cls


def _hostility(action: Action) -> float:
    return -action.goldstein / 10.0


@action_property
class Hostility(ActionProperty):
    name = "host"
    meaning = "hostility -goldstein/10, in [-1, 1]"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return _hostility(action)


@action_property
class HostilityPositive(ActionProperty):
    name = "hostp"
    meaning = "max(hostility, 0): the hostile part only"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return float(np.maximum(_hostility(action), 0.0))


@action_property
class Cooperation(ActionProperty):
    name = "coop"
    meaning = "max(goldstein, 0)/10: cooperation, in [0, 1]"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return float(np.maximum(action.goldstein, 0.0)) / 10.0


class _Tag(ActionProperty):
    tag: ClassVar[str]

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return float(self.tag in action.tags)


@action_property
class Negotiation(_Tag):
    name = "neg"
    tag = "negotiation"
    meaning = "1 for an act of negotiation (tag), else 0"


@action_property
class Military(_Tag):
    name = "mil"
    tag = "military"
    meaning = "1 for a military act (tag), else 0"


@action_property
class BaseUtility(ActionProperty):
    name = "base"
    meaning = "base utility of the act (utility points)"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return action.base_utility


@action_property
class EscalationPush(ActionProperty):
    name = "delta"
    meaning = "escalation points per use: effects.escalation, else -goldstein x points_per_goldstein"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        given = action.effects.escalation
        return given if given is not None else -action.goldstein * points_per_goldstein


@action_property
class PressureOnAdversaries(ActionProperty):
    name = "pressure"
    meaning = "economic pressure put on adversaries per use (-1..1, x economic capability)"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return action.effects.pressure_on_adversaries


@action_property
class ProspectOfTalks(ActionProperty):
    name = "prospect"
    meaning = "talks prospect added per use (-1..1)"

    def value(self, action: Action, points_per_goldstein: float) -> float:
        return action.effects.prospect


def action_arrays(actions: list[Action], points_per_goldstein: float) -> dict[str, np.ndarray]:
    """Every action property as a (K,) float array, by property name."""
    return {
        name: np.array([prop.value(a, points_per_goldstein) for a in actions], dtype=float)
        for name, prop in ACTION_PROPERTIES.items()
    }
