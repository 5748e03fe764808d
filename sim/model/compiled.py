"""A scenario turned into arrays: the static tables the model steps with, and per-run draws.

``compile_scenario`` is deterministic (no randomness). ``draw_parameters`` draws every uncertain
number of a batch by inverse transform of a uniform taken from a stream keyed by the number's
path, so adding or removing an actor, a relation or an event leaves every other draw unchanged
(common random numbers across variants).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sim.core import columns as col
from sim.model.rules import ActionAttrs, WeightArrays
from sim.scenario.schema import (
    CAPABILITY_NAMES,
    TRAIT_NAMES,
    ActorScope,
    AllianceRelation,
    CommandRelation,
    Condition,
    Effect,
    InfluenceRelation,
    Param,
    Scenario,
    VetoRelation,
)

StreamFactory = Callable[[str], np.random.Generator]
"""Returns the random stream for a key (e.g. ``param:actors.irgc.traits.resolve``, ``actor:irgc``)."""

DYNAMICS_NAMES = (
    "logit_precision",
    "relaxation",
    "accident_base",
    "accident_growth",
    "accident_severity",
    "pressure_decay",
    "distrust_learning",
    "mixed_signal_sensitivity",
    "prospect_decay",
)
WEIGHT_NAMES = tuple(WeightArrays.__dataclass_fields__)


# ---- conditions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cond:
    """A compiled condition node. ``kind`` is one of: esc, pressure, hit, count, joint, outcome,
    all, any. Counters (``slot``) live in the model's state."""

    kind: str
    value: float = 0.0
    slot: int = -1
    owner: int = -1
    children: tuple[Cond, ...] = ()


@dataclass(frozen=True)
class CounterSpec:
    """A cumulative action counter: uses of ``actions`` by ``actors`` (masks)."""

    actors: np.ndarray  # (A,) bool
    actions: np.ndarray  # (K,) bool


@dataclass(frozen=True)
class JointSpec:
    """Each party's last step of using one of its actions; all within ``within`` steps."""

    parties: tuple[CounterSpec, ...]
    within: int


# ---- effects ------------------------------------------------------------------------------------


@dataclass
class Continuous:
    """Continuous effects of one source (event window or lever), summed over its effects."""

    utility: np.ndarray  # (A, K)
    forbid: np.ndarray  # (A, K) bool
    prospect: float
    floor: np.ndarray  # (A,) pressure floor, 0 = none

    def is_empty(self) -> bool:
        return not (self.utility.any() or self.forbid.any() or self.prospect or self.floor.any())


@dataclass
class OneShot:
    """One-shot effects of an event, applied on its first step in the runs where it happens."""

    escalation: float = 0.0
    hits: np.ndarray | None = None  # (A,)
    pressure: np.ndarray | None = None  # (A,)
    set_traits: list[tuple[int, str, float]] = field(default_factory=list)
    levers: list[tuple[int, bool]] = field(default_factory=list)


@dataclass(frozen=True)
class EventSpec:
    id: str
    start: int
    end: int
    probability: Param | None
    one_shot: OneShot
    continuous: Continuous


@dataclass(frozen=True)
class LeverSpec:
    id: str
    on: bool
    continuous: Continuous


@dataclass(frozen=True)
class RedLineSpec:
    owner: int
    when: Cond
    forbid: np.ndarray  # (K,) bool
    utility: np.ndarray  # (K,)


@dataclass(frozen=True)
class VetoSpec:
    id: str
    holder: int
    subject: int
    actions: np.ndarray  # (K,) bool
    strength: Param


@dataclass(frozen=True)
class CommandSpec:
    id: str
    commander: int
    subordinate: int
    autonomy: Param


@dataclass(frozen=True)
class AllianceSpec:
    id: str
    members: tuple[int, ...]
    weight: Param


@dataclass(frozen=True)
class InfluenceSpec:
    id: str
    source: int
    target: int
    weight: Param


@dataclass(frozen=True)
class CompiledScenario:
    """Static arrays of a scenario. A: actors, K: actions, T: horizon in steps."""

    scenario: Scenario
    actor_ids: tuple[str, ...]
    action_ids: tuple[str, ...]
    acts: ActionAttrs
    catalogue: np.ndarray  # (A, K) bool
    scored: tuple[np.ndarray, ...]  # per actor: global indices of the actions it scores
    status_quo: int
    adversary: np.ndarray  # (A, A) bool: j is on a side i counts as adversary
    adversary_share: np.ndarray  # (A, A) rows sum to 1 (or 0)
    side_of: np.ndarray  # (A,) index into sides
    adversary_sides: np.ndarray  # (A, S) bool: side s is an adversary of actor i
    wait_step: np.ndarray  # (A,) step of the awaited event (T + 1 if none)
    vetoes: tuple[VetoSpec, ...]
    commands: tuple[CommandSpec, ...]
    alliances: tuple[AllianceSpec, ...]
    influences: tuple[InfluenceSpec, ...]
    events: tuple[EventSpec, ...]
    levers: tuple[LeverSpec, ...]
    red_lines: tuple[RedLineSpec, ...]
    outcome_ids: tuple[str, ...]
    outcomes: tuple[Cond, ...]  # in dependency order of outcome_order
    outcome_order: tuple[int, ...]
    counters: tuple[CounterSpec, ...]
    joints: tuple[JointSpec, ...]

    @property
    def n_actors(self) -> int:
        return len(self.actor_ids)

    @property
    def n_actions(self) -> int:
        return len(self.action_ids)

    @property
    def horizon(self) -> int:
        return self.scenario.scenario.horizon

    @property
    def e_max(self) -> float:
        return self.scenario.ladder.max


class _Builder:
    """Collects counters and joint specs while compiling conditions."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.actor_index = {a.id: i for i, a in enumerate(sc.actors)}
        self.action_index = {a.id: k for k, a in enumerate(sc.actions)}
        self.outcome_index = {o.id: n for n, o in enumerate(sc.outcomes)}
        self.counters: list[CounterSpec] = []
        self.joints: list[JointSpec] = []

    def actor_mask(self, scope: ActorScope) -> np.ndarray:
        sides = set(scope.sides)
        ids = set(scope.actors)
        everyone = not sides and not ids
        return np.array([everyone or a.id in ids or a.side in sides for a in self.sc.actors])

    def side_mask(self, side: str) -> np.ndarray:
        return np.array([a.side == side for a in self.sc.actors])

    def action_mask(self, action_ids: list[str]) -> np.ndarray:
        mask = np.zeros(len(self.sc.actions), dtype=bool)
        for a in action_ids:
            mask[self.action_index[a]] = True
        return mask

    def condition(self, c: Condition, owner: int = -1) -> Cond:
        if c.escalation_at_least is not None:
            return Cond("esc", value=c.escalation_at_least)
        if c.pressure_at_least is not None:
            return Cond("pressure", value=c.pressure_at_least, owner=self._owner(owner, "pressure_at_least"))
        if c.hit_at_least is not None:
            return Cond("hit", value=c.hit_at_least, owner=self._owner(owner, "hit_at_least"))
        if c.action is not None:
            self.counters.append(CounterSpec(self.actor_mask(c.action), self.action_mask(c.action.actions)))
            return Cond("count", value=c.action.count, slot=len(self.counters) - 1)
        if c.joint_action is not None:
            parties = tuple(
                CounterSpec(self.side_mask(p.side), self.action_mask(p.actions))
                for p in c.joint_action.parties
            )
            self.joints.append(JointSpec(parties, c.joint_action.within))
            return Cond("joint", slot=len(self.joints) - 1)
        if c.outcome is not None:
            return Cond("outcome", slot=self.outcome_index[c.outcome])
        kids = c.all_of if c.all_of is not None else c.any_of
        assert kids is not None
        return Cond(
            "all" if c.all_of is not None else "any", children=tuple(self.condition(k, owner) for k in kids)
        )

    @staticmethod
    def _owner(owner: int, key: str) -> int:
        if owner < 0:
            raise ValueError(f"`{key}` reads an actor's own state: it may only be used in red lines")
        return owner

    def continuous(self, effects: list[Effect]) -> Continuous:
        n_a, n_k = len(self.sc.actors), len(self.sc.actions)
        out = Continuous(np.zeros((n_a, n_k)), np.zeros((n_a, n_k), dtype=bool), 0.0, np.zeros(n_a))
        for e in effects:
            if e.utility is not None:
                out.utility += np.outer(self.actor_mask(e.utility), self.action_mask(e.utility.actions)) * (
                    e.utility.delta
                )
            elif e.forbid is not None:
                out.forbid |= np.outer(self.actor_mask(e.forbid), self.action_mask(e.forbid.actions))
            elif e.prospect is not None:
                out.prospect += e.prospect
            elif e.pressure_floor is not None:
                out.floor = np.maximum(
                    out.floor, self.side_mask(e.pressure_floor.side) * e.pressure_floor.value
                )
        return out

    def one_shot(self, effects: list[Effect], lever_index: dict[str, int]) -> OneShot:
        n_a = len(self.sc.actors)
        out = OneShot()
        for e in effects:
            if e.escalation is not None:
                out.escalation += e.escalation
            elif e.hit is not None:
                hits = out.hits if out.hits is not None else np.zeros(n_a)
                out.hits = np.maximum(hits, self.side_mask(e.hit.side) * e.hit.amount)
            elif e.pressure is not None:
                press = out.pressure if out.pressure is not None else np.zeros(n_a)
                out.pressure = press + self.side_mask(e.pressure.side) * e.pressure.delta
            elif e.set_trait is not None:
                out.set_traits.append(
                    (self.actor_index[e.set_trait.actor], e.set_trait.trait, e.set_trait.value)
                )
            elif e.lever is not None:
                out.levers.append((lever_index[e.lever.id], e.lever.on))
        return out


def _action_attrs(sc: Scenario) -> ActionAttrs:
    g = np.array([a.goldstein for a in sc.actions], dtype=float)
    host = -g / 10.0
    ppg = sc.ladder.points_per_goldstein
    delta = np.array(
        [a.effects.escalation if a.effects.escalation is not None else -a.goldstein * ppg for a in sc.actions]
    )
    return ActionAttrs(
        host=host,
        hostp=np.maximum(host, 0.0),
        coop=np.maximum(g, 0.0) / 10.0,
        neg=np.array([float("negotiation" in a.tags) for a in sc.actions]),
        mil=np.array([float("military" in a.tags) for a in sc.actions]),
        base=np.array([a.base_utility for a in sc.actions]),
        delta=delta,
        pressure=np.array([a.effects.pressure_on_adversaries for a in sc.actions]),
        prospect=np.array([a.effects.prospect for a in sc.actions]),
    )


def _outcome_order(sc: Scenario) -> tuple[int, ...]:
    """Outcomes sorted so that every outcome comes after those its condition names."""
    index = {o.id: n for n, o in enumerate(sc.outcomes)}

    def refs(c: Condition) -> Iterator[str]:
        if c.outcome is not None:
            yield c.outcome
        for k in (c.all_of or []) + (c.any_of or []):
            yield from refs(k)

    order: list[int] = []
    seen: set[int] = set()

    def visit(n: int, stack: tuple[int, ...]) -> None:
        if n in seen:
            return
        if n in stack:
            raise ValueError(f"outcome {sc.outcomes[n].id} depends on itself")
        for r in refs(sc.outcomes[n].when):
            visit(index[r], (*stack, n))
        seen.add(n)
        order.append(n)

    for n in range(len(sc.outcomes)):
        visit(n, ())
    return tuple(order)


def compile_scenario(sc: Scenario) -> CompiledScenario:
    """Turn a validated scenario into the model's static arrays."""
    b = _Builder(sc)
    n_a = len(sc.actors)
    catalogue = np.array([[act.id in a.actions for act in sc.actions] for a in sc.actors])
    adversary = np.array(
        [[other.side in a.adversaries and other.id != a.id for other in sc.actors] for a in sc.actors]
    )
    sides = sc.sides
    side_of = np.array([sides.index(a.side) for a in sc.actors])
    adversary_sides = np.array([[s in a.adversaries for s in sides] for a in sc.actors]).reshape(
        n_a, len(sides)
    )
    counts = adversary.sum(axis=1, keepdims=True)
    share = np.where(counts > 0, adversary / np.maximum(counts, 1), 0.0)
    event_step = {e.id: sc.scenario.step_of(e.start) for e in sc.events}
    wait_step = np.array(
        [event_step[a.waits_for] if a.waits_for else sc.scenario.horizon + 1 for a in sc.actors]
    )
    lever_index = {lv.id: n for n, lv in enumerate(sc.levers)}
    vetoes, commands, alliances, influences = [], [], [], []
    for r in sc.relations:
        if isinstance(r, VetoRelation):
            vetoes.append(
                VetoSpec(
                    r.id,
                    b.actor_index[r.holder],
                    b.actor_index[r.subject],
                    b.action_mask(r.actions),
                    r.strength,
                )
            )
        elif isinstance(r, CommandRelation):
            commands.append(
                CommandSpec(r.id, b.actor_index[r.commander], b.actor_index[r.subordinate], r.autonomy)
            )
        elif isinstance(r, AllianceRelation):
            alliances.append(AllianceSpec(r.id, tuple(b.actor_index[m] for m in r.members), r.weight))
        elif isinstance(r, InfluenceRelation):
            influences.append(InfluenceSpec(r.id, b.actor_index[r.source], b.actor_index[r.target], r.weight))
    events = tuple(
        EventSpec(
            id=e.id,
            start=event_step[e.id],
            end=sc.scenario.step_of(e.end) if e.end is not None else event_step[e.id],
            probability=e.probability,
            one_shot=b.one_shot(e.effects, lever_index),
            continuous=b.continuous(e.effects),
        )
        for e in sc.events
    )
    levers = tuple(LeverSpec(lv.id, lv.on, b.continuous(lv.effects)) for lv in sc.levers)
    red_lines = tuple(
        RedLineSpec(
            owner=i,
            when=b.condition(rl.when, owner=i),
            forbid=b.action_mask(rl.forbid),
            utility=np.array([rl.utility.get(act.id, 0.0) for act in sc.actions]),
        )
        for i, a in enumerate(sc.actors)
        for rl in a.red_lines
    )
    outcomes = tuple(b.condition(o.when) for o in sc.outcomes)
    # An actor scores its own catalogue, the status quo, and what it may veto or restrain.
    scored_mask = catalogue.copy()
    scored_mask[:, b.action_index[sc.status_quo_action]] = True
    for v in vetoes:
        scored_mask[v.holder] |= catalogue[v.subject]
    for c in commands:
        scored_mask[c.commander] |= catalogue[c.subordinate]
    scored = tuple(np.flatnonzero(row) for row in scored_mask)
    return CompiledScenario(
        scenario=sc,
        actor_ids=tuple(sc.actor_ids),
        action_ids=tuple(sc.action_ids),
        acts=_action_attrs(sc),
        catalogue=catalogue,
        scored=scored,
        status_quo=b.action_index[sc.status_quo_action],
        adversary=adversary,
        adversary_share=share,
        side_of=side_of,
        adversary_sides=adversary_sides,
        wait_step=wait_step,
        vetoes=tuple(vetoes),
        commands=tuple(commands),
        alliances=tuple(alliances),
        influences=tuple(influences),
        events=events,
        levers=levers,
        red_lines=red_lines,
        outcome_ids=tuple(o.id for o in sc.outcomes),
        outcomes=outcomes,
        outcome_order=_outcome_order(sc),
        counters=tuple(b.counters),
        joints=tuple(b.joints),
    )


# ---- per-run draws ------------------------------------------------------------------------------


def param_ppf(p: Param, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``p`` at uniforms ``u`` (N,): one value per run, within ``p.support()``.

    Clipped to the support: scipy's truncnorm/triang (and ``low + u (high - low)``) can land an
    ulp outside the bounds after rescaling, e.g. a trait drawn at -6e-15 instead of 0.
    """
    lo, hi = p.support()
    return np.clip(_ppf_unclipped(p, u), lo, hi)


def _ppf_unclipped(p: Param, u: np.ndarray) -> np.ndarray:
    if p.dist == "fixed":
        assert p.value is not None
        return np.full(u.shape, p.value)
    if p.dist == "uniform":
        assert p.low is not None and p.high is not None
        return p.low + u * (p.high - p.low)
    if p.dist == "normal":
        return np.asarray(stats.norm.ppf(u, loc=p.mean, scale=p.sd))
    if p.dist == "truncnorm":
        assert p.mean is not None and p.sd is not None and p.low is not None and p.high is not None
        lo, hi = (p.low - p.mean) / p.sd, (p.high - p.mean) / p.sd
        return np.asarray(stats.truncnorm.ppf(u, lo, hi, loc=p.mean, scale=p.sd))
    if p.dist == "beta":
        return np.asarray(stats.beta.ppf(u, p.a, p.b))
    assert p.low is not None and p.high is not None and p.mode is not None
    c = (p.mode - p.low) / (p.high - p.low)
    return np.asarray(stats.triang.ppf(u, c, loc=p.low, scale=p.high - p.low))


@dataclass
class Draws:
    """Every uncertain number of a batch, one value per run.

    traits/capabilities: name -> (A, N); dynamics: name -> (N,); weights: WeightArrays of (N,);
    relations: relation id -> (N,) (strength, autonomy or weight); events: (E, N) bool (happens);
    initial_escalation (N,); initial_pressure (A, N); columns: ``param.<path>`` for random params
    and ``event.<id>`` for probabilistic events, to store with the runs.
    """

    traits: dict[str, np.ndarray]
    capabilities: dict[str, np.ndarray]
    dynamics: dict[str, np.ndarray]
    weights: WeightArrays
    relations: dict[str, np.ndarray]
    events: np.ndarray
    initial_escalation: np.ndarray
    initial_pressure: np.ndarray
    columns: dict[str, np.ndarray]


def draw_parameters(cs: CompiledScenario, stream: StreamFactory, n: int) -> Draws:
    """Draw every Param of the scenario for ``n`` runs from path-keyed streams."""
    sc = cs.scenario
    columns: dict[str, np.ndarray] = {}

    def draw(path: str, p: Param) -> np.ndarray:
        if not p.is_random():
            return param_ppf(p, np.zeros(n))
        values = param_ppf(p, stream(f"param:{path}").random(n))
        columns[col.param(path)] = values.astype(np.float32)
        return values

    traits = {
        t: np.stack([draw(f"actors.{a.id}.traits.{t}", getattr(a.traits, t)) for a in sc.actors])
        for t in TRAIT_NAMES
    }
    caps = {
        c: np.stack([draw(f"actors.{a.id}.capabilities.{c}", getattr(a.capabilities, c)) for a in sc.actors])
        for c in CAPABILITY_NAMES
    }
    dyn = {d: draw(f"dynamics.{d}", getattr(sc.dynamics, d)) for d in DYNAMICS_NAMES}
    weights = WeightArrays(
        **{w: draw(f"dynamics.weights.{w}", getattr(sc.dynamics.weights, w)) for w in WEIGHT_NAMES}
    )
    rel: dict[str, np.ndarray] = {}
    for v in cs.vetoes:
        rel[v.id] = draw(f"relations.{v.id}.strength", v.strength)
    for c in cs.commands:
        rel[c.id] = draw(f"relations.{c.id}.autonomy", c.autonomy)
    for al in cs.alliances:
        rel[al.id] = draw(f"relations.{al.id}.weight", al.weight)
    for inf in cs.influences:
        rel[inf.id] = draw(f"relations.{inf.id}.weight", inf.weight)
    happens = np.ones((len(cs.events), n), dtype=bool)
    for e_i, ev in enumerate(cs.events):
        if ev.probability is not None:
            p = draw(f"events.{ev.id}.probability", ev.probability)
            happens[e_i] = stream(f"event:{ev.id}").random(n) < p
            columns[col.event(ev.id)] = happens[e_i]
    init_e = draw("initial.escalation", sc.initial.escalation)
    init_p = np.zeros((len(sc.actors), n))
    for sp in sc.initial.pressure:
        value = draw(f"initial.pressure.{sp.side}", sp.value)
        for i, a in enumerate(sc.actors):
            if a.side == sp.side:
                init_p[i] = value
    return Draws(traits, caps, dyn, weights, rel, happens, init_e, init_p, columns)
