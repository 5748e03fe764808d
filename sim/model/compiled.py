"""A scenario turned into arrays: the static tables the model steps with.

``compile_scenario`` is deterministic (no randomness): each kind compiles itself (conditions,
effects, relations, action properties, states, outcomes: ``sim.scenario.kinds``) through the
:class:`Compiler` here. The per-run draws are in ``sim.model.draws``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from sim.model.rules import ActionAttrs
from sim.model.tracks import TrackSpec, compile_tracks
from sim.scenario.base import ActorScope, Param
from sim.scenario.kinds.actions import action_arrays
from sim.scenario.kinds.bargaining import BargainSpec, compile_bargaining
from sim.scenario.kinds.conditions import CONDITIONS, Cond, Condition
from sim.scenario.kinds.effects import CompiledEffects, Effect, Timing, compile_effects
from sim.scenario.kinds.outcomes import outcome_order
from sim.scenario.kinds.relations import RELATIONS, RelationSpec
from sim.scenario.kinds.states import StateSpec, compile_state
from sim.scenario.schema import Scenario


class UniformStream(Protocol):
    """What the model draws from: uniforms on [0, 1) of a shape whose last axis is the runs.
    A ``numpy.random.Generator`` (one batch) or a :class:`sim.engine.seeds.BlockedStream` (several
    batches stepped together, each drawing from its own generator)."""

    def random(self, size: int | tuple[int, ...]) -> np.ndarray: ...


StreamFactory = Callable[[str], UniformStream]
"""Returns the random stream for a key (e.g. ``param:actors.irgc.traits.resolve``, ``actor:irgc``)."""


@dataclass(frozen=True)
class EventSpec:
    """An event: steps ``start``..``end`` (inclusive), its Param of happening (None: always)."""

    id: str
    start: int
    end: int
    probability: Param | None
    one_shot: CompiledEffects
    continuous: CompiledEffects


@dataclass(frozen=True)
class LeverSpec:
    id: str
    on: bool
    continuous: CompiledEffects


@dataclass(frozen=True)
class RedLineSpec:
    owner: int
    when: Cond
    forbid: np.ndarray  # (K,) bool
    utility: np.ndarray  # (K,)


@dataclass(frozen=True)
class CompiledScenario:
    """Static arrays of a scenario. A: actors, K: actions, T: horizon in steps.

    ``relations`` in scenario order; ``gates`` the gating relations in the order they gate
    (by their kind's ``gate_phase``, then scenario order); ``condition_slots``: per condition
    kind key, the specs of the state it keeps (e.g. action counters).
    """

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
    presence: dict[str, np.ndarray]  # (A,) enter_step, leave_step, enter_event, leave_event
    relations: tuple[RelationSpec, ...]
    gates: tuple[RelationSpec, ...]
    events: tuple[EventSpec, ...]
    levers: tuple[LeverSpec, ...]
    red_lines: tuple[RedLineSpec, ...]
    outcome_ids: tuple[str, ...]
    outcomes: tuple[Cond, ...]  # in scenario order; evaluated in ``outcome_order``
    outcome_order: tuple[int, ...]
    condition_slots: dict[str, tuple[Any, ...]]
    threshold_at: np.ndarray  # (R,) ladder points of the rungs that require an act
    threshold_acts: np.ndarray  # (R, K) bool: the acts that unlock each
    states: tuple[StateSpec, ...]
    bargain: BargainSpec | None
    targets: np.ndarray | None  # (K, A) bool: whom each act reaches; None: every adversary
    tracks: TrackSpec | None = None  # escalation tracks beside the main index (None: none declared)

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


class Compiler:
    """Index maps, masks and state slots for the kinds compiling one scenario."""

    def __init__(self, sc: Scenario):
        self.sc = sc
        self.actor_index = {a.id: i for i, a in enumerate(sc.actors)}
        self.action_index = {a.id: k for k, a in enumerate(sc.actions)}
        self.outcome_index = {o.id: n for n, o in enumerate(sc.outcomes)}
        self.lever_index = {lv.id: n for n, lv in enumerate(sc.levers)}
        self.event_index = {e.id: n for n, e in enumerate(sc.events)}
        self.state_index = {s.id: n for n, s in enumerate(sc.states)}
        self.track_index = {t.id: n for n, t in enumerate(sc.ladder.tracks)}
        issues = [] if sc.bargaining is None else sc.bargaining.issue_ids
        self.issue_index = {k: n for n, k in enumerate(issues)}
        self.n_actors = len(sc.actors)
        self.n_actions = len(sc.actions)
        self.slots: dict[str, list[Any]] = {key: [] for key in CONDITIONS}

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

    def step_of(self, date: dt.date) -> int:
        return self.sc.scenario.step_of(date)

    def add_slot(self, family: str, spec: Any) -> int:
        self.slots[family].append(spec)
        return len(self.slots[family]) - 1

    def condition(self, c: Condition, owner: int = -1) -> Cond:
        """Compile a condition tree; ``owner`` is the actor of a red line (-1 elsewhere)."""
        return c.kind.compile(c.value, self, owner, lambda sub: self.condition(sub, owner))

    def effects(self, effects: list[Effect], timing: Timing) -> CompiledEffects:
        return compile_effects(effects, self, timing)


def _action_attrs(sc: Scenario) -> ActionAttrs:
    return ActionAttrs(**action_arrays(sc.actions, sc.ladder.points_per_goldstein))


def _sides(sc: Scenario) -> dict[str, np.ndarray]:
    """Who is whose adversary: by actor, by side, and each adversary's share of hostility."""
    n_a = len(sc.actors)
    adversary = np.array(
        [[other.side in a.adversaries and other.id != a.id for other in sc.actors] for a in sc.actors]
    )
    sides = sc.sides
    counts = adversary.sum(axis=1, keepdims=True)
    return {
        "adversary": adversary,
        "adversary_share": np.where(counts > 0, adversary / np.maximum(counts, 1), 0.0),
        "side_of": np.array([sides.index(a.side) for a in sc.actors]),
        "adversary_sides": np.array([[s in a.adversaries for s in sides] for a in sc.actors]).reshape(
            n_a, len(sides)
        ),
    }


def _events(sc: Scenario, cc: Compiler) -> tuple[EventSpec, ...]:
    meta = sc.scenario
    return tuple(
        EventSpec(
            id=e.id,
            start=meta.step_of(e.start),
            end=meta.step_of(e.end) if e.end is not None else meta.step_of(e.start),
            probability=e.probability,
            one_shot=cc.effects(e.effects, Timing.ONE_SHOT),
            continuous=cc.effects(e.effects, Timing.CONTINUOUS),
        )
        for e in sc.events
    )


def _red_lines(sc: Scenario, cc: Compiler) -> tuple[RedLineSpec, ...]:
    return tuple(
        RedLineSpec(
            owner=i,
            when=cc.condition(rl.when, owner=i),
            forbid=cc.action_mask(rl.forbid),
            utility=np.array([rl.utility.get(act.id, 0.0) for act in sc.actions]),
        )
        for i, a in enumerate(sc.actors)
        for rl in a.red_lines
    )


def _scored(
    sc: Scenario, cc: Compiler, catalogue: np.ndarray, relations: tuple[RelationSpec, ...]
) -> tuple[np.ndarray, ...]:
    """An actor scores its own catalogue, the status quo, and what it may veto or restrain."""
    scored_mask = catalogue.copy()
    scored_mask[:, cc.action_index[sc.status_quo_action]] = True
    for spec in relations:
        pair = spec.kind.gatekeeper(spec)
        if pair is not None:
            keeper, subject = pair
            scored_mask[keeper] |= catalogue[subject]
    return tuple(np.flatnonzero(row) for row in scored_mask)


def _presence(sc: Scenario, cc: Compiler) -> dict[str, np.ndarray]:
    """Steps and events between which each actor is in the crisis (docs/model.md, presence)."""
    meta, never = sc.scenario, sc.scenario.horizon + 1
    ps = [a.presence for a in sc.actors]
    return {
        "enter_step": np.array([meta.step_of(p.enters) if p.enters else 0 for p in ps], dtype=np.int64),
        "leave_step": np.array([meta.step_of(p.leaves) if p.leaves else never for p in ps], dtype=np.int64),
        "enter_event": np.array([cc.event_index.get(p.enters_with or "", -1) for p in ps], dtype=np.int64),
        "leave_event": np.array([cc.event_index.get(p.leaves_with or "", -1) for p in ps], dtype=np.int64),
    }


def _targets(sc: Scenario, cc: Compiler) -> np.ndarray | None:
    """(K, A) bool: the actors each act reaches (its listed actors and sides' members; all if it
    lists none), or None when no act lists targets."""
    if not any(a.targets for a in sc.actions):
        return None
    rows = []
    for act in sc.actions:
        named = set(act.targets)
        rows.append([not named or a.id in named or a.side in named for a in sc.actors])
    return np.array(rows, dtype=bool).reshape(len(sc.actions), cc.n_actors)


def _thresholds(sc: Scenario, cc: Compiler) -> dict[str, np.ndarray]:
    """The rungs that require an act: where they start and which acts unlock them."""
    locked = [lv for lv in sc.ladder.levels if lv.requires]
    return {
        "threshold_at": np.array([lv.at for lv in locked], dtype=float),
        "threshold_acts": np.array([cc.action_mask(lv.requires) for lv in locked], dtype=bool).reshape(
            len(locked), cc.n_actions
        ),
    }


def compile_scenario(sc: Scenario) -> CompiledScenario:
    """Turn a validated scenario into the model's static arrays."""
    cc = Compiler(sc)
    catalogue = np.array([[act.id in a.actions for act in sc.actions] for a in sc.actors])
    event_step = {e.id: sc.scenario.step_of(e.start) for e in sc.events}
    wait_step = np.array(
        [event_step[a.waits_for] if a.waits_for else sc.scenario.horizon + 1 for a in sc.actors]
    )
    relations = tuple(RELATIONS[r.type].compile(r, cc) for r in sc.relations)
    gating = [r for r in relations if r.kind.gate_phase is not None]
    gates = tuple(sorted(gating, key=lambda r: r.kind.gate_phase or 0))
    events = _events(sc, cc)
    levers = tuple(LeverSpec(lv.id, lv.on, cc.effects(lv.effects, Timing.CONTINUOUS)) for lv in sc.levers)
    red_lines = _red_lines(sc, cc)
    outcomes = tuple(cc.condition(o.when) for o in sc.outcomes)
    return CompiledScenario(
        scenario=sc,
        actor_ids=tuple(sc.actor_ids),
        action_ids=tuple(sc.action_ids),
        acts=_action_attrs(sc),
        catalogue=catalogue,
        scored=_scored(sc, cc, catalogue, relations),
        status_quo=cc.action_index[sc.status_quo_action],
        wait_step=wait_step,
        presence=_presence(sc, cc),
        relations=relations,
        gates=gates,
        events=events,
        levers=levers,
        red_lines=red_lines,
        outcome_ids=tuple(o.id for o in sc.outcomes),
        outcomes=outcomes,
        outcome_order=outcome_order(list(sc.outcomes)),
        condition_slots={k: tuple(v) for k, v in cc.slots.items()},
        states=tuple(compile_state(s, cc) for s in sc.states),
        bargain=compile_bargaining(sc, cc, cc.condition),
        targets=_targets(sc, cc),
        tracks=compile_tracks(sc, cc.action_index),
        **_thresholds(sc, cc),
        **_sides(sc),
    )
