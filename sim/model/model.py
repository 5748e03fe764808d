"""The escalation model: a ``mesa.Model`` whose agents are the scenario's actors.

One model instance steps a batch of ``n_runs`` replications at once: every piece of state is an
array over the runs (last axis). With ``n_runs=1`` it is an ordinary one-replication Mesa model;
the rules are the same functions either way (docs/model.md).

Step t (synchronous: every actor reads the state left by step t-1):
1. events starting at t fire their one-shot effects; active windows, levers and red lines give
   this step's utility bonuses, forbidden actions, prospect and pressure floors;
2. every agent decides (``ActorAgent.decide``);
3. relations gate the choices (vetoes, then command restraint, in scenario order);
4. the world updates (escalation, accidents, pressure, hits, distrust, prospect);
5. outcomes are evaluated and the step is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.core.columns import HIST_BINS
from sim.model import rules
from sim.model.agents import ActorAgent
from sim.model.compiled import (
    CompiledScenario,
    Cond,
    Continuous,
    Draws,
    StreamFactory,
    draw_parameters,
)

NEVER = -1


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

    def __init__(self, cs: CompiledScenario, n_runs: int, stream: StreamFactory, keep_samples: int = 0):
        super().__init__(rng=stream("world"))
        self.cs = cs
        self.n_runs = n = int(n_runs)
        self.keep = min(keep_samples, n)
        draws: Draws = draw_parameters(cs, stream, n)
        self.draws = draws
        self.traits = {k: v.copy() for k, v in draws.traits.items()}
        self.trait_epoch = 0
        self.dynamics = draws.dynamics
        self.weights = draws.weights
        self.capabilities = draws.capabilities
        self.lever_on = np.array([[lv.on] * n for lv in cs.levers], dtype=bool).reshape(len(cs.levers), n)
        self.hawk_effective = self._influenced_hawkishness()
        self.alliance_pairs = [
            (i, j, draws.relations[al.id])
            for al in cs.alliances
            for i in al.members
            for j in al.members
            if i != j
        ]
        n_a, n_k, horizon = cs.n_actors, cs.n_actions, cs.horizon
        self.escalation = np.clip(draws.initial_escalation.copy(), 0.0, cs.e_max)
        self.pressure = draws.initial_pressure.copy()
        self.distrust = self.traits["distrust"].copy()
        self.seen = np.zeros((n_a, n))
        self.hit = np.zeros((n_a, n))
        self.prospect = np.zeros(n)
        self.counters = np.zeros((len(cs.counters), n), dtype=np.int64)
        self.joint_last = [np.full((len(j.parties), n), -(10**9), dtype=np.int64) for j in cs.joints]
        self.outcome_step = np.full((len(cs.outcomes), n), NEVER, dtype=np.int32)
        self.peak = self.escalation.copy()
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
        self._record(0)

    # ---- setup helpers ------------------------------------------------------------------------

    def _influenced_hawkishness(self) -> np.ndarray:
        """H~_i = (1 - sum_j w_ji) H_i + sum_j w_ji H_j, weights capped to sum at most 1."""
        hawk = self.traits["hawkishness"]
        pulls = np.zeros_like(hawk)
        total = np.zeros_like(hawk)
        for inf in self.cs.influences:
            w = self.draws.relations[inf.id]
            pulls[inf.target] += w * hawk[inf.source]
            total[inf.target] += w
        scale = np.where(total > 1.0, 1.0 / np.maximum(total, 1e-12), 1.0)
        return (1.0 - total * scale) * hawk + pulls * scale

    # ---- the step -----------------------------------------------------------------------------

    def step(self) -> None:
        t = self.steps
        self._fire_events(t)
        self._prepare_step(t)
        self.agents.do("decide")
        choices = np.stack([a.choice for a in self.actor_agents])
        choices = self._apply_relations(choices)
        for a, c in zip(self.actor_agents, choices, strict=True):
            a.choice = c
        self._update_world(choices)
        self._count_actions(choices, t)
        self._evaluate_outcomes(t)
        self._record(t, choices)

    def run(self) -> BatchOutput:
        """Step through the whole horizon and return the batch's output."""
        for _ in range(self.cs.horizon):
            self.step()
        return self.output()

    def _fire_events(self, t: int) -> None:
        """One-shot effects of events starting at t (events dated at step 0 fire at step 1)."""
        for e_i, ev in enumerate(self.cs.events):
            if max(ev.start, 1) != t:
                continue
            happens = self.draws.events[e_i]
            shot = ev.one_shot
            if shot.escalation:
                self.escalation = np.clip(self.escalation + shot.escalation * happens, 0.0, self.cs.e_max)
            if shot.hits is not None:
                self.hit = np.maximum(self.hit, shot.hits[:, None] * happens)
            if shot.pressure is not None:
                self.pressure = np.clip(self.pressure + shot.pressure[:, None] * happens, 0.0, 1.0)
            if shot.set_traits:
                self.trait_epoch += 1  # agents recompute their cached sensitivities
            for actor, trait, value in shot.set_traits:
                self.traits[trait][actor] = np.where(happens, value, self.traits[trait][actor])
                if trait == "hawkishness":
                    self.hawk_effective = self._influenced_hawkishness()
            for lever, on in shot.levers:
                self.lever_on[lever] = np.where(happens, on, self.lever_on[lever])

    def _active_sources(self, t: int) -> list[tuple[Continuous, np.ndarray]]:
        sources = [
            (ev.continuous, self.draws.events[e_i])
            for e_i, ev in enumerate(self.cs.events)
            if ev.start <= t <= ev.end and not ev.continuous.is_empty()
        ]
        sources += [(lv.continuous, self.lever_on[l_i]) for l_i, lv in enumerate(self.cs.levers)]
        return sources

    def _prepare_step(self, t: int) -> None:
        """This step's utility bonus and forbidden actions per actor, over the actions it scores
        ((K_i, 1) when the same in every run, else (K_i, N)), the talks prospect added by
        windows, and pressure floors (A, N|1)."""
        cs = self.cs
        scored = cs.scored
        bonus = [np.zeros((s.size, 1)) for s in scored]
        forbid = [np.zeros((s.size, 1), dtype=bool) for s in scored]
        floor = np.zeros((cs.n_actors, 1))
        prospect: np.ndarray | float = 0.0
        for src, active in self._active_sources(t):
            if not active.any():
                continue
            everywhere = bool(active.all())
            weight = 1.0 if everywhere else active.astype(float)
            mask = True if everywhere else active
            for i in np.flatnonzero(src.utility.any(axis=1)):
                bonus[i] = bonus[i] + src.utility[i, scored[i]][:, None] * weight
            for i in np.flatnonzero(src.forbid.any(axis=1)):
                forbid[i] = forbid[i] | (src.forbid[i, scored[i]][:, None] & mask)
            prospect = prospect + src.prospect * weight
            floor = np.maximum(floor, src.floor[:, None] * weight)
        for rl in cs.red_lines:
            hold = self._holds(rl.when, t)
            if hold.any():
                rows = scored[rl.owner]
                bonus[rl.owner] = bonus[rl.owner] + rl.utility[rows][:, None] * hold
                forbid[rl.owner] = forbid[rl.owner] | (rl.forbid[rows][:, None] & hold)
        self.step_bonus, self.step_forbid, self.floor, self.window_prospect = bonus, forbid, floor, prospect

    def _apply_relations(self, choices: np.ndarray) -> np.ndarray:
        """Vetoes, then command restraint, each replacing blocked actions by the status quo."""
        q = self.cs.status_quo
        for v in self.cs.vetoes:
            listed = v.actions[choices[v.subject]]
            kappa = self.actor_agents[v.holder].consent(choices[v.subject])
            p_block = self.draws.relations[v.id] * (1.0 - kappa)
            choices[v.subject], _ = rules.gate(
                choices[v.subject], listed, p_block, self.actor_agents[v.subject].gate_draw, q
            )
        for c in self.cs.commands:
            sub = choices[c.subordinate]
            kappa = self.actor_agents[c.commander].consent(sub)
            p_block = (1.0 - self.draws.relations[c.id]) * (1.0 - kappa)
            choices[c.subordinate], _ = rules.gate(
                sub, sub != q, p_block, self.actor_agents[c.subordinate].gate_draw, q
            )
        return choices

    def _update_world(self, choices: np.ndarray) -> None:
        cs, acts, d = self.cs, self.cs.acts, self.dynamics
        military = acts.mil[choices]
        cap_mil = self.capabilities["military"]
        scale = np.where(military > 0, cap_mil, 1.0)
        pushes = acts.delta[choices] * scale
        p_acc = rules.accident_probability(
            self.escalation, d["accident_base"], d["accident_growth"], cs.e_max
        )
        accident = self.rng.random(self.n_runs) < p_acc
        shock = accident * d["accident_severity"]
        self.escalation = rules.escalation_update(self.escalation, pushes, d["relaxation"], shock, cs.e_max)
        self.peak = np.maximum(self.peak, self.escalation)
        inflow = cs.adversary.astype(float) @ (acts.pressure[choices] * self.capabilities["economic"])
        self.pressure = rules.pressure_update(self.pressure, inflow, self.floor, d["pressure_decay"])
        strike = acts.hostp[choices] * military * np.maximum(cap_mil, 0.0)
        hit = rules.hits_taken(cs.adversary_sides, cs.side_of, strike)
        exposed = np.asarray(cs.adversary.any(axis=1))[:, None]
        hit = np.where(accident & exposed, np.maximum(hit, 0.5), hit)
        self.hit = rules.spread_alliance_hits(hit, self.alliance_pairs)
        seen = rules.observed_hostility(cs.adversary_share, acts.host[choices])
        self.distrust = rules.distrust_update(
            self.distrust, seen, self.seen, d["distrust_learning"], d["mixed_signal_sensitivity"]
        )
        self.seen = seen
        added = acts.prospect[choices].sum(axis=0) + self.window_prospect
        self.prospect = rules.prospect_update(self.prospect, added, d["prospect_decay"])

    # ---- outcomes and records -----------------------------------------------------------------

    def _count_actions(self, choices: np.ndarray, t: int) -> None:
        for slot, spec in enumerate(self.cs.counters):
            self.counters[slot] += (spec.actions[choices] & spec.actors[:, None]).sum(axis=0)
        for j, joint in enumerate(self.cs.joints):
            for p, party in enumerate(joint.parties):
                took = (party.actions[choices] & party.actors[:, None]).any(axis=0)
                self.joint_last[j][p] = np.where(took, t, self.joint_last[j][p])

    def _holds(self, c: Cond, t: int) -> np.ndarray:
        """Evaluate a compiled condition in every run: (N,) bool."""
        return np.asarray(self._condition(c, t), dtype=bool)

    def _condition(self, c: Cond, t: int) -> object:
        if c.kind == "esc":
            return self.escalation >= c.value
        if c.kind == "pressure":
            return self.pressure[c.owner] >= c.value
        if c.kind == "hit":
            return self.hit[c.owner] >= c.value
        if c.kind == "count":
            return self.counters[c.slot] >= c.value
        if c.kind == "joint":
            within = self.cs.joints[c.slot].within
            return (self.joint_last[c.slot] > t - within).all(axis=0)
        if c.kind == "outcome":
            return self.outcome_step[c.slot] != NEVER
        parts = [self._holds(k, t) for k in c.children]
        combine = np.logical_and if c.kind == "all" else np.logical_or
        return combine.reduce(parts)

    def _evaluate_outcomes(self, t: int) -> None:
        for o in self.cs.outcome_order:
            fresh = (self.outcome_step[o] == NEVER) & self._holds(self.cs.outcomes[o], t)
            self.outcome_step[o][fresh] = t

    def _record(self, t: int, choices: np.ndarray | None = None) -> None:
        bins = np.minimum((self.escalation * (HIST_BINS / self.cs.e_max)).astype(np.int64), HIST_BINS - 1)
        self.escalation_hist[t] = np.bincount(bins, minlength=HIST_BINS)
        if self.keep:
            self.sample_escalation[t] = self.escalation[: self.keep]
        if choices is None:
            return
        n_a, n_k = self.cs.n_actors, self.cs.n_actions
        flat = (np.arange(n_a)[:, None] * n_k + choices).ravel()
        self.action_counts[t - 1] = np.bincount(flat, minlength=n_a * n_k).reshape(n_a, n_k)
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
            columns=self.draws.columns,
        )
