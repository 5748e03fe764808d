"""The scenario format: typed, frozen pydantic models.

A scenario describes any crisis. Nothing in the engine knows an actor's name: actors, actions,
relations, events, levers and outcomes all come from the YAML file and are checked here.

Every number that drives the model is a :class:`Param`: a fixed value or a distribution, with
provenance (a quote from a named source, or an ``assumption:`` with a reason).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", max_length=64)]
"""Lower-case identifier: a letter, then letters, digits or underscores (max 64)."""

ShortText = Annotated[str, Field(min_length=1, max_length=2000)]

TraitName = Literal[
    "hawkishness",
    "resolve",
    "cost_sensitivity",
    "pressure_aversion",
    "distrust",
    "reciprocity",
    "risk_tolerance",
    "spoiler_motive",
    "wait_out",
    "inconsistency",
]
"""Name of an actor trait the model uses (see docs/model.md)."""

TRAIT_NAMES: tuple[str, ...] = get_args(TraitName)
"""The actor traits the model uses, each a number in [0, 1] (see docs/model.md)."""

CAPABILITY_NAMES: tuple[str, ...] = ("military", "economic")

ACTION_TAGS = Literal["negotiation", "concession", "military", "signal"]

DIST_KINDS = Literal["fixed", "uniform", "normal", "truncnorm", "beta", "triangular"]

_DIST_PARAMS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "truncnorm": ("mean", "sd", "low", "high"),
    "beta": ("a", "b"),
    "triangular": ("low", "mode", "high"),
}


class Frozen(BaseModel):
    """Base: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Provenance(Frozen):
    """Where a number comes from: a quote from a named source, or an assumption with a reason."""

    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _one_provenance(self) -> Provenance:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError(
                "give exactly one of `quote:` (a short quote from a source) or "
                "`assumption:` (why this value was chosen)"
            )
        if self.source is not None and self.quote is None:
            raise ValueError("`source:` goes with `quote:`; an assumption has no source")
        return self


class Param(Provenance):
    """A model number: fixed, or drawn per run from a distribution (scipy.stats).

    ``dist`` defaults to ``fixed`` when only ``value`` is given. Parameters by kind:
    fixed: value; uniform: low, high; normal: mean, sd; truncnorm: mean, sd, low, high;
    beta: a, b (support [0, 1]); triangular: low, mode, high.
    """

    dist: DIST_KINDS = "fixed"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    a: float | None = None
    b: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _check_params(self) -> Param:
        needed = _DIST_PARAMS[self.dist]
        present = {
            k
            for k in ("value", "low", "high", "mean", "sd", "a", "b", "mode")
            if getattr(self, k) is not None
        }
        missing = [k for k in needed if k not in present]
        extra = sorted(present - set(needed))
        if missing:
            raise ValueError(f"dist {self.dist} needs {', '.join(needed)}; missing {', '.join(missing)}")
        if extra:
            raise ValueError(f"dist {self.dist} takes {', '.join(needed)}; remove {', '.join(extra)}")
        for k in present:
            v = getattr(self, k)
            if not math.isfinite(v):
                raise ValueError(f"{k} must be a finite number, got {v}")
        if self.dist in ("normal", "truncnorm") and self.sd is not None and self.sd <= 0:
            raise ValueError(f"sd must be > 0, got {self.sd}")
        if self.dist == "beta" and ((self.a or 0) <= 0 or (self.b or 0) <= 0):
            raise ValueError("beta needs a > 0 and b > 0")
        if self.dist in ("uniform", "truncnorm") and not (
            self.low is not None and self.high is not None and self.low < self.high
        ):
            raise ValueError(f"low must be below high (got low={self.low}, high={self.high})")
        if self.dist == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            if not (self.low <= self.mode <= self.high and self.low < self.high):
                raise ValueError("triangular needs low <= mode <= high and low < high")
        return self

    def support(self) -> tuple[float, float]:
        """The interval the draws fall in (infinite for ``normal``)."""
        if self.dist == "fixed":
            assert self.value is not None
            return (self.value, self.value)
        if self.dist == "beta":
            return (0.0, 1.0)
        if self.dist == "normal":
            return (-math.inf, math.inf)
        assert self.low is not None and self.high is not None
        return (self.low, self.high)

    def central(self) -> float:
        """A representative value (the mean of the distribution), for tables and defaults."""
        if self.dist == "fixed":
            assert self.value is not None
            return self.value
        if self.dist in ("normal",):
            assert self.mean is not None
            return self.mean
        if self.dist == "uniform":
            assert self.low is not None and self.high is not None
            return (self.low + self.high) / 2
        if self.dist == "beta":
            assert self.a is not None and self.b is not None
            return self.a / (self.a + self.b)
        if self.dist == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            return (self.low + self.mode + self.high) / 3
        from scipy import stats

        assert (
            self.mean is not None and self.sd is not None and self.low is not None and self.high is not None
        )
        lo, hi = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return float(stats.truncnorm.mean(lo, hi, loc=self.mean, scale=self.sd))

    def is_random(self) -> bool:
        return self.dist != "fixed"


def check_range(p: Param, lo: float, hi: float, what: str) -> Param:
    """Raise if the draws of ``p`` can leave [lo, hi]; ``what`` explains the range."""
    s_lo, s_hi = p.support()
    if s_lo < lo or s_hi > hi:
        if p.dist == "fixed":
            side = "above" if s_hi > hi else "below"
            bound = hi if s_hi > hi else lo
            raise ValueError(f"{p.value:g} is {side} {bound:g} ({what}: {lo:g}..{hi:g})")
        hint = " (a normal is unbounded: use truncnorm with low/high)" if p.dist == "normal" else ""
        raise ValueError(f"draws of {p.dist} can fall outside {lo:g}..{hi:g} ({what}){hint}")
    return p


def _unit(p: Param, what: str) -> Param:
    return check_range(p, 0.0, 1.0, what)


Probability = Annotated[Param, AfterValidator(lambda v: _unit(v, "a probability"))]
"""A Param whose draws must lie in [0, 1] because it is a probability."""

Share = Annotated[Param, AfterValidator(lambda v: _unit(v, "a share 0..1"))]
"""A Param whose draws must lie in [0, 1] because it is a weight or share."""


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
    step_days: int = Field(1, ge=1, le=366, description="Length of one step, in days.")
    horizon: int = Field(ge=1, le=100_000, description="Number of steps simulated.")
    monte_carlo: MonteCarlo = MonteCarlo()

    def date_of(self, step: int) -> dt.date:
        return self.start_date + dt.timedelta(days=step * self.step_days)

    def step_of(self, date: dt.date) -> int:
        return (date - self.start_date).days // self.step_days


class Traits(Frozen):
    """Behavioural traits, each in [0, 1]. See docs/model.md for the term each one drives."""

    hawkishness: Param
    resolve: Param
    cost_sensitivity: Param
    pressure_aversion: Param
    distrust: Param
    reciprocity: Param
    risk_tolerance: Param
    spoiler_motive: Param
    wait_out: Param
    inconsistency: Param

    @field_validator(*TRAIT_NAMES)
    @classmethod
    def _in_unit(cls, v: Param) -> Param:
        return _unit(v, "traits are probabilities or weights")


class Capabilities(Frozen):
    """Relative capabilities in [0, 1]: scale the effects of military and economic actions."""

    military: Param
    economic: Param

    @field_validator(*CAPABILITY_NAMES)
    @classmethod
    def _in_unit(cls, v: Param) -> Param:
        return _unit(v, "capabilities are relative")


class ActorScope(Frozen):
    """Whom an effect or condition concerns: listed actors and/or every actor of listed sides.

    Both empty means everyone.
    """

    actors: list[Identifier] = []
    sides: list[Identifier] = []


class ActionCondition(ActorScope):
    """True once the scoped actors have taken any of ``actions`` at least ``count`` times."""

    actions: list[Identifier] = Field(min_length=1)
    count: int = Field(1, ge=1, le=100_000)


class JointParty(Frozen):
    side: Identifier
    actions: list[Identifier] = Field(min_length=1)


class JointAction(Frozen):
    """True when every party has taken one of its actions within the last ``within`` steps."""

    parties: list[JointParty] = Field(min_length=2)
    within: int = Field(1, ge=1, le=10_000)


class Condition(Frozen):
    """Exactly one key: a condition evaluated per run and per step.

    ``escalation_at_least`` compares the escalation index; ``pressure_at_least`` and
    ``hit_at_least`` read the owning actor's state (red lines only); ``action`` and ``outcome``
    are sticky once true; ``all_of``/``any_of`` combine.
    """

    escalation_at_least: float | None = None
    pressure_at_least: float | None = Field(None, ge=0, le=1)
    hit_at_least: float | None = Field(None, ge=0, le=1)
    action: ActionCondition | None = None
    joint_action: JointAction | None = None
    outcome: Identifier | None = None
    all_of: list[Condition] | None = Field(None, min_length=1)
    any_of: list[Condition] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Condition:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            opts = ", ".join(type(self).model_fields)
            raise ValueError(f"a condition has exactly one key (one of {opts}); got {keys or 'none'}")
        return self


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


class ActionEffects(Frozen):
    """Direct effects of one use of an action, applied after all actors have chosen.

    ``escalation`` (ladder points) defaults to ``-goldstein * ladder.points_per_goldstein``;
    ``pressure_on_adversaries`` moves economic pressure on the adversaries (x economic capability);
    ``prospect`` raises the perceived chance of talks (0..1 scale).
    """

    escalation: float | None = Field(None, ge=-100, le=100)
    pressure_on_adversaries: float = Field(0.0, ge=-1, le=1)
    prospect: float = Field(0.0, ge=-1, le=1)


class Action(Frozen):
    id: Identifier
    name: ShortText
    goldstein: float = Field(ge=-10, le=10, description="CAMEO Goldstein score, -10..+10.")
    cameo: str | None = Field(None, pattern=r"^[0-9]{2,4}$")
    tags: list[ACTION_TAGS] = []
    base_utility: float = Field(0.0, ge=-20, le=20)
    effects: ActionEffects = ActionEffects()
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _prov(self) -> Action:
        if (self.quote is None) == (self.assumption is None):
            raise ValueError("give exactly one of `quote:` or `assumption:` for the action's scoring")
        return self


class LadderLevel(Frozen):
    name: ShortText
    at: float = Field(ge=0, description="Escalation index at which this rung starts.")


class Ladder(Frozen):
    scale: ShortText
    max: float = Field(100.0, gt=0, le=10_000)
    points_per_goldstein: float = Field(1.0, gt=0, le=100)
    levels: list[LadderLevel] = Field(min_length=2)
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


class VetoRelation(Frozen):
    """``holder`` may block ``subject`` taking any of ``actions`` (replaced by the fallback)."""

    type: Literal["veto"]
    id: Identifier
    holder: Identifier
    subject: Identifier
    actions: list[Identifier] = Field(min_length=1)
    strength: Probability


class CommandRelation(Frozen):
    """``commander`` restrains ``subordinate``, who acts on its own with probability ``autonomy``."""

    type: Literal["command"]
    id: Identifier
    commander: Identifier
    subordinate: Identifier
    autonomy: Probability


class AllianceRelation(Frozen):
    """Members feel ``weight`` of the hits their allies take (allies are drawn in)."""

    type: Literal["alliance"]
    id: Identifier
    members: list[Identifier] = Field(min_length=2)
    weight: Share


class InfluenceRelation(Frozen):
    """``target``'s hawkishness is pulled toward ``source``'s by ``weight``."""

    type: Literal["influence"]
    id: Identifier
    source: Identifier
    target: Identifier
    weight: Share


Relation = Annotated[
    VetoRelation | CommandRelation | AllianceRelation | InfluenceRelation, Field(discriminator="type")
]


class HitEffect(Frozen):
    side: Identifier
    amount: float = Field(ge=0, le=1)


class PressureEffect(Frozen):
    side: Identifier
    delta: float = Field(ge=-1, le=1)


class PressureFloor(Frozen):
    side: Identifier
    value: float = Field(ge=0, le=1)


class UtilityEffect(ActorScope):
    actions: list[Identifier] = Field(min_length=1)
    delta: float = Field(ge=-100, le=100)


class ForbidEffect(ActorScope):
    actions: list[Identifier] = Field(min_length=1)


class SetTrait(Frozen):
    actor: Identifier
    trait: TraitName
    value: float = Field(ge=0, le=1)


class LeverSwitch(Frozen):
    id: Identifier
    on: bool


class SetPath(Frozen):
    """Static override: replace the Param at ``path`` (e.g. ``relations.irgc_command.autonomy``)."""

    path: str = Field(min_length=1, max_length=300)
    value: Param


ONE_SHOT = ("escalation", "hit", "pressure", "set_trait", "lever")
CONTINUOUS = ("utility", "forbid", "prospect", "pressure_floor")


class Effect(Frozen):
    """Exactly one key.

    One-shot (fire on an event's first step): escalation, hit, pressure, set_trait, lever.
    Continuous (each step an event window or a lever is active): utility, forbid, prospect,
    pressure_floor. Static (levers only, before the run): set.
    """

    escalation: float | None = Field(None, ge=-100, le=100)
    hit: HitEffect | None = None
    pressure: PressureEffect | None = None
    set_trait: SetTrait | None = None
    lever: LeverSwitch | None = None
    utility: UtilityEffect | None = None
    forbid: ForbidEffect | None = None
    prospect: float | None = Field(None, ge=0, le=1)
    pressure_floor: PressureFloor | None = None
    set: SetPath | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Effect:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            raise ValueError(
                f"an effect has exactly one key (one of {', '.join(type(self).model_fields)}); "
                f"got {keys or 'none'}"
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)


class Event(Frozen):
    """A scheduled event (``start`` only) or window (``start``..``end`` inclusive)."""

    id: Identifier
    name: ShortText
    start: dt.date
    end: dt.date | None = None
    probability: Param | None = None
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
            _unit(self.probability, "probability")
        for e in self.effects:
            if e.set is not None:
                raise ValueError("`set:` is a static override: only levers may use it")
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
            if e.kind in ONE_SHOT:
                raise ValueError(
                    f"`{e.kind}:` fires once, at an event: levers take {', '.join(CONTINUOUS)} or set"
                )
        return self


class Outcome(Frozen):
    id: Identifier
    name: ShortText
    description: ShortText | None = None
    when: Condition


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
        return _unit(v, "pressure is a share")


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
