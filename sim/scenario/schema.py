"""The scenario format: typed, frozen pydantic models of a whole scenario.

A scenario describes any crisis. Nothing in the engine knows an actor's name: actors, actions,
relations, events, levers and outcomes all come from the YAML file and are checked here. The
building blocks live in ``sim.scenario.base`` (Param, provenance), the trait table in
``sim.scenario.traits``, and every kind of condition, effect, relation, action property and
outcome in ``sim.scenario.kinds``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Frozen, Identifier, Param, ShortText, check_range, unit
from sim.scenario.kinds.actions import Action
from sim.scenario.kinds.bargaining import Bargaining, Position
from sim.scenario.kinds.conditions import Condition
from sim.scenario.kinds.effects import CONTINUOUS, Effect, Timing
from sim.scenario.kinds.outcomes import Outcome
from sim.scenario.kinds.relations import Relation
from sim.scenario.kinds.states import State
from sim.scenario.kinds.tracks import Track
from sim.scenario.traits import CAPABILITY_NAMES, TRAIT_NAMES, Capabilities, Traits

__all__ = [
    "CAPABILITY_NAMES",
    "TRAIT_NAMES",
    "Action",
    "Actor",
    "Condition",
    "Dynamics",
    "Effect",
    "Event",
    "Lever",
    "Outcome",
    "Param",
    "Relation",
    "Scenario",
    "State",
    "Weights",
    "check_range",
    "json_schema",
]


class Source(Frozen):
    id: Identifier
    author: ShortText
    title: ShortText
    outlet: ShortText
    date: dt.date
    url: ShortText | None = None


class MonteCarlo(Frozen):
    runs: int = Field(10_000, ge=1, le=100_000_000, description="Number of replications.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Root of the scenario's SeedSequence.")
    batch_size: int = Field(
        4096, ge=1, le=1_000_000, description="Runs per batch; results depend on it, not on workers."
    )
    samples: int = Field(12, ge=0, le=1000, description="Whole trajectories kept for plotting.")


class Meta(Frozen):
    id: Identifier
    title: ShortText
    description: ShortText | None = None
    sources: list[Source] = Field(min_length=1)
    start_date: dt.date
    step_days: int | float = Field(
        1,
        ge=1 / 24,
        le=366,
        description="Length of one step in days, one hour (1/24) to a year: 0.25 = six hours, 7 = a week.",
    )
    horizon: int = Field(ge=1, le=100_000, description="Number of steps simulated.")
    monte_carlo: MonteCarlo = MonteCarlo()

    def date_of(self, step: int) -> dt.date:
        """The calendar date step ``step`` falls on (steps shorter than a day share a date)."""
        return self.start_date + dt.timedelta(days=step * self.step_days)

    def step_of(self, date: dt.date) -> int:
        """The step ``date`` falls in (0 = the start date); for steps shorter than a day, the first
        step of that date. The 1e-9 absorbs rounding of fractions like 1/24."""
        return math.floor((date - self.start_date).days / self.step_days + 1e-9)


class RedLine(Frozen):
    """When ``when`` holds for this actor: forbid actions and/or add utility to actions."""

    id: Identifier
    description: ShortText
    when: Condition
    forbid: list[Identifier] = []
    utility: dict[Identifier, float] = {}
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _has_effect(self) -> RedLine:
        if not self.forbid and not self.utility:
            raise ValueError("a red line needs `forbid:` and/or `utility:`")
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:`")
        for k, v in self.utility.items():
            if not math.isfinite(v) or abs(v) > 100:
                raise ValueError(f"utility[{k}] must be finite and within -100..100")
        return self


class Presence(Frozen):
    """When an actor is in the crisis: from ``enters`` (a date) or the firing of ``enters_with``
    (an event), until ``leaves`` or ``leaves_with``. Absent, it takes the status quo and gates
    nobody. Empty: present throughout."""

    enters: dt.date | None = None
    enters_with: Identifier | None = None
    leaves: dt.date | None = None
    leaves_with: Identifier | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Presence:
        if self.enters is not None and self.leaves is not None and self.leaves <= self.enters:
            raise ValueError(f"leaves {self.leaves} is not after enters {self.enters}")
        return self


class Actor(Frozen):
    id: Identifier
    name: ShortText
    side: Identifier
    role: ShortText
    description: ShortText | None = None
    traits: Traits
    capabilities: Capabilities
    actions: list[Identifier] = Field(min_length=1, description="The catalogue this actor may use.")
    adversaries: list[Identifier] = Field([], description="Sides this actor's hostile acts hit.")
    waits_for: Identifier | None = Field(None, description="Event whose date the actor waits out.")
    red_lines: list[RedLine] = []
    presence: Presence = Presence()
    positions: dict[Identifier, Position] = Field(
        {}, description="Position on each negotiable issue (bargaining): ideal, salience, reservation."
    )


class LadderLevel(Frozen):
    """A rung of the ladder. With ``requires``, the escalation index cannot reach ``at`` in a run
    until some actor has taken one of those actions (e.g. nuclear use): lesser acts accumulate up
    to just below it and no further (docs/model.md, thresholds)."""

    name: ShortText
    at: float = Field(ge=0, description="Escalation index at which this rung starts.")
    requires: list[Identifier] = Field(
        [], description="Actions of which one must have been taken before this rung can be reached."
    )


class Ladder(Frozen):
    scale: ShortText
    max: float = Field(100.0, gt=0, le=10_000)
    points_per_goldstein: float = Field(1.0, gt=0, le=100)
    levels: list[LadderLevel] = Field(min_length=2)
    tracks: list[Track] = Field(
        [], description="Separate escalation tracks (e.g. economic), each its own index (docs/model.md)."
    )
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _levels_sorted(self) -> Ladder:
        ats = [lv.at for lv in self.levels]
        if ats != sorted(ats) or len(set(ats)) != len(ats):
            raise ValueError("ladder levels must have strictly increasing `at`")
        if ats[-1] > self.max:
            raise ValueError(f"level at {ats[-1]} is above the ladder max {self.max}")
        if ats[0] != 0:
            raise ValueError("the first ladder level must start at 0")
        return self


class Event(Frozen):
    """A scheduled event (``start`` only) or window (``start``..``end`` inclusive)."""

    id: Identifier
    name: ShortText
    start: dt.date
    end: dt.date | None = None
    probability: Param | None = None
    delay: Param | None = Field(
        None, description="Days after `start` it happens, drawn per run (uncertain timing), 0..3650."
    )
    duration: Param | None = Field(
        None,
        description="Length of its window in days, drawn per run (uncertain duration), 0..3650; "
        "instead of `end`.",
    )
    effects: list[Effect] = []
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _check(self) -> Event:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:`")
        if self.probability is not None:
            unit(self.probability, "probability")
        if self.delay is not None:
            check_range(self.delay, 0.0, 3650.0, "a delay in days after `start`")
        if self.duration is not None:
            if self.end is not None:
                raise ValueError("give `end:` (a fixed window) or `duration:` (a drawn one), not both")
            check_range(self.duration, 0.0, 3650.0, "a duration in days")
        for e in self.effects:
            if e.kind.timing is Timing.STATIC:
                raise ValueError(f"`{e.key}:` is a static override: only levers may use it")
        return self


class Lever(Frozen):
    """A named policy switch. While on, its continuous effects apply; ``set`` applies statically."""

    id: Identifier
    name: ShortText
    description: ShortText | None = None
    on: bool = False
    effects: list[Effect] = Field(min_length=1)
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _check(self) -> Lever:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:`")
        for e in self.effects:
            if e.kind.timing is Timing.ONE_SHOT:
                raise ValueError(
                    f"`{e.key}:` fires once, at an event: levers take {', '.join(CONTINUOUS)} or set"
                )
        return self


class Weights(Frozen):
    """Weights of the utility terms (docs/model.md, equation U)."""

    disposition: Param
    reciprocity: Param
    resolve: Param
    pain: Param
    duress: Param
    distrust: Param
    wait_out: Param
    war_cost: Param
    spoiler: Param

    @model_validator(mode="after")
    def _ranges(self) -> Weights:
        for k in type(self).model_fields:
            check_range(getattr(self, k), 0.0, 50.0, f"weights.{k} is a utility weight")
        return self


class Dynamics(Frozen):
    """World dynamics (docs/model.md). Units: per step unless stated."""

    logit_precision: Param = Field(description="lambda of the logit choice, > 0")
    relaxation: Param = Field(description="share of escalation that decays each step, 0..1")
    accident_base: Param = Field(description="accident probability per step at escalation 0")
    accident_growth: Param = Field(description="exponent k: p = base * exp(k * E / max)")
    accident_severity: Param = Field(description="ladder points an accident adds")
    pressure_decay: Param = Field(description="share of pressure above its floor lost per step")
    distrust_learning: Param = Field(description="how fast distrust follows observed hostility, 0..1")
    mixed_signal_sensitivity: Param = Field(description="distrust added by a reversal of signals")
    prospect_decay: Param = Field(description="share of the talks prospect lost per step")
    reconsider_rate: Param = Field(
        Param(
            value=1.0,
            assumption="default: every actor reconsiders its course every step (the daily model)",
        ),
        description="chance per step that an actor reconsiders its course, 0..1 (a hit, an event "
        "or a state change makes it reconsider at once; otherwise it holds course)",
    )
    weights: Weights

    @model_validator(mode="after")
    def _ranges(self) -> Dynamics:
        check_range(self.logit_precision, 0.01, 100.0, "logit_precision")
        for k in (
            "relaxation",
            "accident_base",
            "pressure_decay",
            "distrust_learning",
            "mixed_signal_sensitivity",
            "prospect_decay",
            "reconsider_rate",
        ):
            check_range(getattr(self, k), 0.0, 1.0, f"{k} is a share per step")
        check_range(self.accident_growth, 0.0, 50.0, "accident_growth")
        check_range(self.accident_severity, 0.0, 100.0, "accident_severity, in ladder points")
        return self


class SidePressure(Frozen):
    side: Identifier
    value: Param

    @field_validator("value")
    @classmethod
    def _u(cls, v: Param) -> Param:
        return unit(v, "pressure is a share")


class Initial(Frozen):
    escalation: Param
    pressure: list[SidePressure] = []


class Scenario(Frozen):
    """A whole resolved scenario (variants already merged into their base)."""

    scenario: Meta
    ladder: Ladder
    dynamics: Dynamics
    initial: Initial
    actions: list[Action] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=2)
    relations: list[Relation] = []
    events: list[Event] = []
    levers: list[Lever] = []
    states: list[State] = []
    bargaining: Bargaining | None = None
    outcomes: list[Outcome] = Field(min_length=1)
    status_quo_action: Identifier = Field(description="What an actor does when blocked.")
    variant_of: str | None = Field(None, description="Set by the loader for variants.")
    notes: ShortText | None = None

    @property
    def actor_ids(self) -> list[str]:
        return [a.id for a in self.actors]

    @property
    def action_ids(self) -> list[str]:
        return [a.id for a in self.actions]

    @property
    def sides(self) -> list[str]:
        return sorted({a.side for a in self.actors})

    def actor(self, actor_id: str) -> Actor:
        return next(a for a in self.actors if a.id == actor_id)

    def action(self, action_id: str) -> Action:
        return next(a for a in self.actions if a.id == action_id)


def json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario format (for editors)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "sim scenario"
    return schema
