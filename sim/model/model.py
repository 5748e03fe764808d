"""The escalation model: a ``mesa.Model`` whose agents are the scenario's actors.

One model instance steps a batch of ``n_runs`` replications at once: every piece of state is an
array over the runs (last axis). With ``n_runs=1`` it is an ordinary one-replication Mesa model;
the rules are the same functions either way (docs/model.md).

Step t (synchronous: every actor reads the state left by step t-1):
1. events starting at t fire their one-shot effects; active windows, levers and red lines give
   this step's utility bonuses, forbidden actions, prospect and pressure floors;
2. every agent decides (``ActorAgent.decide``);
3. relations gate the choices (vetoes, then command restraint, in scenario order);
4. the world updates (escalation, accidents, pressure, hits, distrust, prospect; per dyad too
   when acts name targets: ``sim.model.dyads``);
5. outcomes are evaluated and the step is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import mesa
import numpy as np

from sim.core.columns import HIST_BINS
from sim.model import kernels, rules, updates
from sim.model.agents import ActorAgent
from sim.model.bargain import BargainTable
from sim.model.compiled import CompiledScenario, RedLineSpec, StreamFactory
from sim.model.draws import Draws, draw_parameters
from sim.model.dyads import DyadState
from sim.model.tracks import TrackState
from sim.scenario.kinds.conditions import CONDITIONS, NEVER, Cond
from sim.scenario.kinds.effects import CompiledEffects, StepEffects
from sim.scenario.kinds.outcomes import update_outcomes
from sim.scenario.kinds.states import advance_states

__all__ = ["NEVER", "BatchOutput", "EscalationModel"]


@dataclass
class BatchOutput:
    """What one batch produced (model layer; the engine turns it into tables).

    outcome_step: (O, N) first step of each outcome, -1 if never; peak, final: (N,) escalation;
    escalation_hist: (T+1, HIST_BINS) counts; action_counts: (T, A, K) counts;
    sample_escalation: (T+1, S); sample_actions: (T, A, S); columns: drawn parameters per run.
    """

    outcome_step: np.ndarray
    peak: np.ndarray
    final: np.ndarray
    escalation_hist: np.ndarray
    action_counts: np.ndarray
    sample_escalation: np.ndarray
    sample_actions: np.ndarray
    columns: dict[str, np.ndarray]


class EscalationModel(mesa.Model):
    """A batch of ``n_runs`` replications of one scenario, stepped together."""

    def __init__(
        self,
        cs: CompiledScenario,
        n_runs: int,
        stream: StreamFactory,
        keep_samples: int = 0,
        given: Mapping[str, np.ndarray] | None = None,
    ):
        """``given``: parameter path -> (n_runs,) values used instead of draws (see draw_parameters)."""
        world = stream("world")
        if isinstance(world, np.random.Generator):
            super().__init__(rng=world)
        else:  # several batches in one model: Mesa seeds itself from the first block's stream,
            blocks: tuple[np.random.Generator, ...] = world.generators  # type: ignore[attr-defined]
            super().__init__(rng=blocks[0])
            for g in blocks[1:]:  # and each other block's stream gives what Mesa took from it
                _mesa_seed_draw(g)
        self.world = world  # the world's draws (accidents)
        self.cs = cs
        self.n_runs = n = int(n_runs)
        self.keep = min(keep_samples, n)
        draws: Draws = draw_parameters(cs, stream, n, given)
        self.draws = draws
        self.traits = {k: v.copy() for k, v in draws.traits.items()}
        self.trait_epoch = 0
        self.dynamics = draws.dynamics
        self.weights = draws.weights
        self.capabilities = draws.capabilities
        self.lever_on = np.array([[lv.on] * n for lv in cs.levers], dtype=bool).reshape(len(cs.levers), n)
        self._red_line_rows = [_red_line_rows(rl, cs.scored[rl.owner]) for rl in cs.red_lines]
        self.pulled = {"hawkishness"} | {
            pull[0] for spec in cs.relations if (pull := spec.kind.trait_pull(spec)) is not None
        }
        self.effective = dict(self.traits)  # the traits actors act on, influence included
        for trait in self.pulled:
            self.effective[trait] = self._influenced(trait)
        self.pressure_links = [
            (*link, draws.relations[spec.id])
            for spec in cs.relations
            if (link := spec.kind.pressure_link(spec)) is not None
        ]
        self.alliance_pairs = [
            (i, j, draws.relations[spec.id]) for spec in cs.relations for i, j in spec.kind.hit_shares(spec)
        ]
        n_a, n_k, horizon = cs.n_actors, cs.n_actions, cs.horizon
        self.escalation = np.clip(draws.initial_escalation.copy(), 0.0, cs.e_max)
        self.pressure = draws.initial_pressure.copy()
        self.distrust = self.traits["distrust"].copy()
        self.seen = np.zeros((n_a, n))
        self.hit = np.zeros((n_a, n))
        self.prospect = np.zeros(n)
        self.condition_state = {
            key: CONDITIONS[key].init_state(list(specs), n)
            for key, specs in cs.condition_slots.items()
            if specs
        }
        self.outcome_step = np.full((len(cs.outcomes), n), NEVER, dtype=np.int32)
        self.present = np.ones((n_a, n), dtype=bool)
        starts = np.array([ev.start for ev in cs.events], dtype=np.int64).reshape(-1, 1)
        ends = np.array([ev.end for ev in cs.events], dtype=np.int64).reshape(-1, 1)
        # (E,): timing or length varies per run
        self.delayed: np.ndarray = np.asarray(draws.event_shift.any(axis=1) | draws.event_stretch.any(axis=1))
        self.event_start = starts + draws.event_shift  # (E, N) steps, per run
        self.event_end = ends + draws.event_shift + draws.event_stretch
        self.event_first = np.maximum(self.event_start, 1)  # events dated at step 0 fire at step 1
        rate = cs.scenario.dynamics.reconsider_rate
        # else: everyone, every step (given per-run rates may be below 1 although the Param is 1)
        self.deliberate = (
            rate.is_random() or rate.central() < 1.0 or "dynamics.reconsider_rate" in (given or {})
        )
        self.reconsider_stream = stream("reconsider") if self.deliberate else None
        self.reconsiders = np.ones((n_a, n), dtype=bool)
        self.fired_now = np.zeros(n, dtype=bool)
        self.state_changed = np.zeros(n, dtype=bool)
        self.unlocked = np.zeros((cs.threshold_at.size, n), dtype=bool)
        initially = np.array([s.initially for s in cs.states], dtype=bool)
        self.state_on = np.repeat(initially[:, None], n, axis=1)
        self.state_since = np.zeros((len(cs.states), n), dtype=np.int64)
        self.peak = self.escalation.copy()
        self.track_state = None if cs.tracks is None else TrackState(cs.tracks, n)
        self.dyads = None if cs.targets is None else DyadState(cs, self.distrust, self.alliance_pairs)
        self.tracks = np.zeros((0, n)) if self.track_state is None else self.track_state.index
        self.escalation_hist = np.zeros((horizon + 1, HIST_BINS), dtype=np.int64)
        self.action_counts = np.zeros((horizon, n_a, n_k), dtype=np.int64)
        self.sample_escalation = np.zeros((horizon + 1, self.keep))
        self.sample_actions = np.zeros((horizon, n_a, self.keep), dtype=np.int16)
        self.step_bonus: list[np.ndarray] = [np.zeros((s.size, 1)) for s in cs.scored]
        self.step_forbid: list[np.ndarray] = [np.zeros((s.size, 1), dtype=bool) for s in cs.scored]
        self.floor = np.zeros((n_a, 1))
        self.window_prospect: np.ndarray | float = 0.0
        self.actor_agents = [
            ActorAgent(self, i, aid, stream(f"actor:{aid}")) for i, aid in enumerate(cs.actor_ids)
        ]
        self.bargain_stream = stream("bargain") if cs.bargain is not None else None
        self.bargain = BargainTable(cs.bargain, self) if cs.bargain is not None else None
        self._record(0)

    # ---- setup helpers ------------------------------------------------------------------------

    def _influenced(self, trait: str) -> np.ndarray:
        """X~_i = (1 - sum_j w_ji) X_i + sum_j w_ji X_j over the influences on ``trait``, weights
        capped to sum at most 1 (docs/model.md: H~ for hawkishness)."""
        hawk = self.traits[trait]
        pulls = np.zeros_like(hawk)
        total = np.zeros_like(hawk)
        for spec in self.cs.relations:
            pull = spec.kind.trait_pull(spec)
            if pull is None or pull[0] != trait:
                continue
            _, target, source = pull
            w = self.draws.relations[spec.id]
            pulls[target] += w * hawk[source]
            total[target] += w
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-12), 1.0)
        return (1.0 - total * scale) * hawk + pulls * scale

    # ---- the step -----------------------------------------------------------------------------

    def step(self) -> None:
        t = self.steps
        self._fire_events(t)
        self._update_presence(t)
        self._update_deliberation()
        self._prepare_step(t)
        self.agents.do("decide")
        choices = np.stack([a.choice for a in self.actor_agents])
        choices = self._apply_relations(choices)
        for a, c in zip(self.actor_agents, choices, strict=True):
            a.choice = c
        self._update_world(choices)
        before = self.state_on.copy()
        advance_states(self.state_on, self.state_since, self.cs.states, choices, t)
        if self.bargain is not None:  # offers answered and tabled, deals struck or broken
            self.bargain.step(self, choices, t)
        self.state_changed = (before != self.state_on).any(axis=0)
        self._count_actions(choices, t)
        self._evaluate_outcomes(t)
        self._record(t, choices)

    def run(self) -> BatchOutput:
        """Step through the whole horizon and return the batch's output."""
        for _ in range(self.cs.horizon):
            self.step()
        return self.output()

    @property
    def e_max(self) -> float:
        """Top of the escalation ladder (ladder points)."""
        return self.cs.e_max

    def set_trait(self, actor: int, trait: str, value: float, happens: np.ndarray) -> None:
        """Set ``trait`` of ``actor`` to ``value`` in the runs where ``happens`` (N,) bool."""
        self.trait_epoch += 1  # agents recompute their cached sensitivities
        self.traits[trait][actor] = np.where(happens, value, self.traits[trait][actor])
        if trait in self.pulled:
            self.effective[trait] = self._influenced(trait)

    def switch_state(self, state: int, on: bool, happens: np.ndarray) -> None:
        """Start (``on``) or end persistent ``state`` in the runs where ``happens`` (N,) bool, or
        in the runs listed by ``happens`` (int indices: cheaper when they are few)."""
        if happens.dtype != bool:
            if on:
                self.state_since[state, happens[~self.state_on[state, happens]]] = self.steps
            self.state_on[state, happens] = on
            return
        started = happens & ~self.state_on[state] if on else np.zeros_like(happens)
        self.state_since[state] = np.where(started, self.steps, self.state_since[state])
        self.state_on[state] = np.where(happens, on, self.state_on[state])

    def _update_deliberation(self) -> None:
        """Who reconsiders its course this step ((A, N) bool): a chance per step, or at once when
        hit last step, when an event fired this step or a state changed last step."""
        if self.reconsider_stream is None:
            return
        u = self.reconsider_stream.random(self.reconsiders.shape)
        triggered = (self.hit > 0) | self.fired_now | self.state_changed
        if self.bargain is not None:  # an offer arrived: its addressee answers at once
            triggered = triggered | self.bargain.arrived
        self.reconsiders = updates.deliberates(u, self.dynamics["reconsider_rate"], triggered)

    def _fire_events(self, t: int) -> None:
        """One-shot effects of events starting at t (events dated at step 0 fire at step 1)."""
        self.fired_now = np.zeros(self.n_runs, dtype=bool)
        for e_i, ev in enumerate(self.cs.events):
            if self.delayed[e_i]:
                now = self.draws.events[e_i] & (self.event_first[e_i] == t)
                if not now.any():
                    continue
            elif max(ev.start, 1) == t:
                now = self.draws.events[e_i]
            else:
                continue
            ev.one_shot.fire(self, now)
            self.fired_now |= now
            self.escalation = updates.threshold_cap(self.escalation, self.cs.threshold_at, self.unlocked)

    def _window(self, e_i: int, t: int) -> np.ndarray:
        """(N,) bool: event ``e_i``'s window holds at step t in the runs where it happens."""
        happens: np.ndarray = self.draws.events[e_i]
        if not self.delayed[e_i]:
            return happens
        return happens & (self.event_start[e_i] <= t) & (t <= self.event_end[e_i])

    def _active_sources(self, t: int) -> list[tuple[CompiledEffects, np.ndarray]]:
        sources = [
            (ev.continuous, self._window(e_i, t))
            for e_i, ev in enumerate(self.cs.events)
            if (self.delayed[e_i] or ev.start <= t <= ev.end) and not ev.continuous.is_empty()
        ]
        sources += [(lv.continuous, self.lever_on[l_i]) for l_i, lv in enumerate(self.cs.levers)]
        sources += [
            (s.effects, self.state_on[s_i]) for s_i, s in enumerate(self.cs.states) if s.effects.totals
        ]
        return sources

    def _update_presence(self, t: int) -> None:
        """Who is in the crisis at step t ((A, N) bool; all present unless the scenario says)."""
        p = self.cs.presence
        limited = (
            (p["enter_step"] > 0) | (p["leave_step"] <= t) | (p["enter_event"] >= 0) | (p["leave_event"] >= 0)
        )
        if not limited.any():  # nothing has limited anyone yet (limits only grow): all present
            return
        self.present = updates.presence(
            t,
            p["enter_step"],
            p["leave_step"],
            p["enter_event"],
            p["leave_event"],
            self.event_first,
            self.draws.events,
        )

    def present_mask(self, actor: int) -> np.ndarray:
        """(N,) bool: ``actor`` is in the crisis this step."""
        return self.present[actor]

    def _prepare_step(self, t: int) -> None:
        """This step's utility bonus and forbidden actions per actor, over the actions it scores
        ((K_i, 1) when the same in every run, else (K_i, N)), the talks prospect added by
        windows, and pressure floors (A, N|1)."""
        cs = self.cs
        step = StepEffects.empty(cs.scored, cs.n_actors)
        for src, active in self._active_sources(t):
            if active.any():
                src.apply(step, active)
        for rl, (rows, utility, forbidden) in zip(cs.red_lines, self._red_line_rows, strict=True):
            hold = self._holds(rl.when, t)
            if hold.any():  # only the rows a red line touches change (usually one or two acts)
                if rows.size:
                    bonus = step.bonus[rl.owner] = _per_run(step.bonus[rl.owner], self.n_runs)
                    for row, u in zip(rows, utility, strict=True):  # in place: rows are few
                        bonus[row] += u * hold
                if forbidden.size:
                    forbid = step.forbid[rl.owner] = _per_run(step.forbid[rl.owner], self.n_runs)
                    forbid[forbidden] |= hold
        for spec in cs.relations:  # e.g. alliance obligations, called by a member's hit
            spec.kind.step_effects(spec, self.hit, self.draws.relations[spec.id], step)
        self.step_bonus, self.step_forbid = step.bonus, step.forbid
        self.floor, self.window_prospect = step.floor, step.prospect

    @property
    def status_quo(self) -> int:
        return self.cs.status_quo

    def consent(self, actor: int, action: np.ndarray, stakes: float = 1.0) -> np.ndarray:
        """(N,) consent of ``actor`` to ``action`` (N,) taken by an actor it gates."""
        return self.actor_agents[actor].consent(action, stakes)

    def block(
        self, subject: int, action: np.ndarray, eligible: np.ndarray, p_block: np.ndarray
    ) -> np.ndarray:
        """``action`` replaced by the status quo where eligible and the subject's draw < p_block."""
        gated, _ = rules.gate(
            action, eligible, p_block, self.actor_agents[subject].gate_draw, self.status_quo
        )
        return gated

    def _apply_relations(self, choices: np.ndarray) -> np.ndarray:
        """The gating relations in order (vetoes, then command restraint), each replacing blocked
        actions by the status quo."""
        for spec in self.cs.gates:
            spec.kind.gate(spec, self, choices, self.draws.relations[spec.id])
        return choices

    def _update_world(self, choices: np.ndarray) -> None:
        cs, acts, d = self.cs, self.cs.acts, self.dynamics
        did = updates.act_outputs(acts, choices, self.capabilities["military"], self.capabilities["economic"])
        p_acc = updates.accident_probability(
            self.escalation, d["accident_base"], d["accident_growth"], cs.e_max
        )
        accident = self.world.random(self.n_runs) < p_acc
        shock = accident * d["accident_severity"]
        self.unlocked |= cs.threshold_acts[:, choices].any(axis=1)
        self.escalation = updates.escalation_update(
            self.escalation, did.pushes, d["relaxation"], shock, cs.e_max
        )
        self.escalation = updates.threshold_cap(self.escalation, cs.threshold_at, self.unlocked)
        self.peak = np.maximum(self.peak, self.escalation)
        if self.track_state is not None:  # separate tracks: never added to the main index
            self.track_state.update(choices, d["relaxation"])
            self.tracks = self.track_state.index
        reach = None if cs.targets is None else updates.targeted(cs.adversary, cs.targets, choices)
        if reach is None:
            inflow = cs.adversary.astype(float) @ did.pressure
        else:
            inflow = updates.targeted_sum(np.ones(cs.adversary.shape), reach, did.pressure)
        for receiver, giver, weight in self.pressure_links:  # a patron squeezes its client
            inflow[receiver] += weight * did.pressure[giver]
        self.pressure = updates.pressure_update(self.pressure, inflow, self.floor, d["pressure_decay"])
        strike = did.strike
        if reach is None:
            hit = updates.hits_taken(cs.adversary_sides, cs.side_of, strike)
        else:
            hit = updates.targeted_hits(reach, strike)
        exposed, hs = np.asarray(cs.adversary.any(axis=1))[:, None], np.flatnonzero(accident)  # rare
        hit[:, hs] = np.where(exposed, np.maximum(hit[:, hs], 0.5), hit[:, hs])  # only their runs change
        self.hit = updates.spread_alliance_hits(hit, self.alliance_pairs)
        host = did.hostility  # (A, N) hostility of each actor's act, pooled and per dyad
        if reach is None:
            seen = updates.observed_hostility(cs.adversary_share, host)
        else:
            seen = updates.targeted_sum(cs.adversary_share, reach, host)
        self.distrust = updates.distrust_update(
            self.distrust, seen, self.seen, d["distrust_learning"], d["mixed_signal_sensitivity"]
        )
        self.seen = seen
        if self.dyads is not None and reach is not None:  # per-dyad distrust, hostility, hits
            self.dyads.update(reach, host, strike, d["distrust_learning"], d["mixed_signal_sensitivity"])
        added = did.prospect + self.window_prospect
        self.prospect = updates.prospect_update(self.prospect, added, d["prospect_decay"])

    # ---- outcomes and records -----------------------------------------------------------------

    @property
    def event_happens(self) -> np.ndarray:
        """(E, N) bool: whether each event happens in each run."""
        return self.draws.events

    def _count_actions(self, choices: np.ndarray, t: int) -> None:
        """Update the state the condition kinds keep (action counters, sequences), in kind order."""
        holds = lambda c: self._holds(c, t)  # noqa: E731
        for key, state in self.condition_state.items():
            CONDITIONS[key].record(state, list(self.cs.condition_slots[key]), choices, t, self, holds)

    def holds(self, c: Cond, t: int) -> np.ndarray:
        """(N,) bool: compiled condition ``c`` holds at step t in each run."""
        return self._holds(c, t)

    def _holds(self, c: Cond, t: int) -> np.ndarray:
        """Evaluate a compiled condition in every run: (N,) bool."""
        return np.asarray(c.kind.evaluate(c, self, t, lambda sub: self._holds(sub, t)), dtype=bool)

    def _evaluate_outcomes(self, t: int) -> None:
        update_outcomes(
            self.outcome_step, self.cs.outcomes, self.cs.outcome_order, lambda c: self._holds(c, t), t
        )

    def _record(self, t: int, choices: np.ndarray | None = None) -> None:
        # bin = min(floor(E HIST_BINS / E_max), HIST_BINS - 1)
        self.escalation_hist[t] = kernels.escalation_histogram(
            self.escalation, HIST_BINS / self.cs.e_max, HIST_BINS
        )
        if self.keep:
            self.sample_escalation[t] = self.escalation[: self.keep]
        if choices is None:
            return
        self.action_counts[t - 1] = kernels.action_counts(choices, self.cs.n_actions)
        if self.keep:
            self.sample_actions[t - 1] = choices[:, : self.keep]

    def output(self) -> BatchOutput:
        return BatchOutput(
            outcome_step=self.outcome_step,
            peak=self.peak,
            final=self.escalation,
            escalation_hist=self.escalation_hist,
            action_counts=self.action_counts,
            sample_escalation=self.sample_escalation,
            sample_actions=self.sample_actions,
            columns={
                **self.draws.columns,
                **({} if self.bargain is None else self.bargain.columns()),
                **({} if self.track_state is None else self.track_state.columns()),
            },
        )


def _red_line_rows(rl: RedLineSpec, scored: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where red line ``rl`` acts among its owner's scored actions: (rows with a utility, those
    utilities, rows it forbids)."""
    utility = rl.utility[scored]
    rows = np.flatnonzero(utility != 0.0)
    return rows, utility[rows], np.flatnonzero(rl.forbid[scored])


def _per_run(values: np.ndarray, n_runs: int) -> np.ndarray:
    """``values`` (K, 1|N) as a (K, N) array this step owns (step arrays are fresh each step, so
    a full-width one can be updated in place)."""
    return values if values.shape[1] == n_runs else np.repeat(values, n_runs, axis=1)


def _mesa_seed_draw(generator: np.random.Generator) -> None:
    """The draw ``mesa.Model.__init__`` makes from the Generator it is given (to seed its stdlib
    ``random``, which will not take a Generator as seed): repeated on every other block of a
    chunk so each block's world stream is where it would be in a model of that batch alone
    (tests/engine/test_runner.py checks chunked == one by one)."""
    generator.integers(np.iinfo(np.int32).max)
