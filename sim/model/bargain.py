"""Bargaining in the model: offers on the table, acceptance, vetoes over deals, defection.

The rules are pure functions of arrays (docs/model.md, "Bargaining"); :class:`BargainTable`
holds the per-run state of one batch and applies them once per step, after the world update.
With ``n_runs=1`` it is the one-run Mesa path; the functions are the same.

Shapes: I issues, A actors, N runs. Terms ``x`` (I, N) on each issue's 0..1 scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.model import kernels
from sim.model.compiled import UniformStream
from sim.scenario.kinds.bargaining import ACCEPT_AIM, POSITION_FIELDS, BargainSpec

if TYPE_CHECKING:
    from sim.model.model import EscalationModel

NEVER = -1


@dataclass(frozen=True)
class Positions:
    """Per-run positions: ideal, salience, reservation, each (A, I, N) in [0, 1]."""

    ideal: np.ndarray
    salience: np.ndarray
    reservation: np.ndarray


def terms_utility(x: np.ndarray, ideal: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """U_i(x) = sum_k s_ik (1 - |x_k - ideal_ik|) / sum_k s_ik, in [0, 1]; (I, N) -> (N,).

    The salience-weighted spatial utility of Bueno de Mesquita's expected-utility model and
    KTAB's spatial model, linear in distance. An actor that cares about no issue gets 0.5.
    """
    total = salience.sum(axis=0)
    value = (salience * (1.0 - np.abs(x - ideal))).sum(axis=0)
    return np.where(total > 0, value / np.where(total > 0, total, 1.0), 0.5)


def acceptance_margin(
    deal_utility: np.ndarray,
    reservation_utility: np.ndarray,
    deal_weight: np.ndarray,
    going_on: np.ndarray,
    cols: np.ndarray,
) -> np.ndarray:
    """M = w_deal (U(x) - U(r)) + g, utility points, in the runs ``cols`` (C,): ``deal_utility``
    (C,), the others (N,); ``going_on`` g is the net cost of going on without a deal (pain of
    pressure and the risk of war, minus duress and the value of waiting), so a side that suffers
    more from delay accepts worse terms. One compiled pass (kernels.acceptance_margin)."""
    return kernels.acceptance_margin(deal_utility, reservation_utility, deal_weight, going_on, cols)


def logistic(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow."""
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)))


def best_acceptable(
    proposer: tuple[np.ndarray, np.ndarray, np.ndarray],
    addressee: tuple[np.ndarray, np.ndarray],
    need: np.ndarray,
) -> np.ndarray:
    """Terms (I, N) nearest the proposer's ideal that give the addressee utility ``need`` (N,).

    ``proposer`` = (ideal, salience, reservation) (I, N); ``addressee`` = (ideal, salience) (I, N).
    Starting from the proposer's ideal, concede issue by issue in decreasing order of the
    addressee's gain per unit of the proposer's loss (s_jk / s_ik): the solution of this linear
    programme (a fractional knapsack, the logroll of the spatial models). No term moves past the
    proposer's reservation point or the addressee's ideal; if even that is short, the offer stops
    there (the addressee will likely refuse).
    """
    ideal_i, sal_i, res_i = proposer
    ideal_j, sal_j = addressee
    x = ideal_i.copy()
    total_j = np.maximum(sal_j.sum(axis=0), 1e-12)
    short = need - terms_utility(x, ideal_j, sal_j)
    # Furthest each term may move toward the addressee: to its ideal, not past our reservation.
    toward = np.sign(ideal_j - ideal_i)
    room = np.minimum(np.abs(ideal_j - ideal_i), np.maximum(toward * (res_i - ideal_i), 0.0))
    ratio = sal_j / np.maximum(sal_i, 1e-12)
    order = np.argsort(-ratio, axis=0, kind="stable")
    for rank in range(x.shape[0]):
        k = order[rank]
        cols = np.arange(x.shape[1])
        gain_per_unit = sal_j[k, cols] / total_j
        possible = room[k, cols] * gain_per_unit
        take = np.clip(
            np.where(gain_per_unit > 0, short / np.maximum(gain_per_unit, 1e-12), 0.0), 0.0, room[k, cols]
        )
        take = np.where(short > 0, take, 0.0)
        x[k, cols] = x[k, cols] + toward[k, cols] * take
        short = short - np.minimum(possible, take * gain_per_unit)
    return np.clip(x, 0.0, 1.0)


def defection_chance(
    distrust: np.ndarray, margin: np.ndarray, rate: np.ndarray, precision: np.ndarray
) -> np.ndarray:
    """p = r_def * D * sigma(-lambda M): a party defects more the less it trusts the other and the
    more going on beats the deal for it (N,)."""
    return rate * distrust * logistic(-precision * margin)


def aim_margin(precision: np.ndarray) -> np.ndarray:
    """Margin a best_acceptable offer leaves the addressee: ln(p*/(1-p*))/lambda, p* = ACCEPT_AIM."""
    return math.log(ACCEPT_AIM / (1.0 - ACCEPT_AIM)) / precision


def going_on_cost(m: EscalationModel, i: int) -> np.ndarray:
    """g_i (N,) = w_pain C_i P_i - w_dur A_i P_i - w_wait W_i 1(t < t_wait,i)
    + w_war C_i (1 - T_i) E / E_max: what going on without a deal costs actor i (pain of pressure
    and the risk of war, minus duress and the value of waiting), utility points."""
    w, e, n = m.weights, m.effective, m.n_runs
    return kernels.going_on_cost(  # one pass, the products in the order written above
        kernels.per_run(w.pain, n),
        e["cost_sensitivity"][i],
        m.pressure[i],
        kernels.per_run(w.duress, n),
        e["pressure_aversion"][i],
        kernels.per_run(w.wait_out, n),
        e["wait_out"][i],
        float(m.steps < m.cs.wait_step[i]),
        kernels.per_run(w.war_cost, n),
        e["risk_tolerance"][i],
        m.escalation,
        float(m.cs.e_max),
    )


class BargainTable:
    """The offers on the table, the deal in force and what is recorded per run, for one batch."""

    def __init__(self, spec: BargainSpec, model: EscalationModel) -> None:
        self.spec = spec
        m = model
        n, n_a, n_i = m.n_runs, m.cs.n_actors, spec.n_issues
        assert m.bargain_stream is not None
        self.rng: UniformStream = m.bargain_stream
        by_site = m.draws.by_site
        arrays = {f: np.full((n_a, n_i, n), 0.5 if f != "salience" else 0.0) for f in POSITION_FIELDS}
        for a_i, actor in enumerate(m.cs.scenario.actors):
            for issue, _ in actor.positions.items():
                k = spec.issue_ids.index(issue)
                for f in POSITION_FIELDS:
                    arrays[f][a_i, k] = by_site["positions", actor.id, f"{issue}.{f}"]
        self.pos = Positions(**arrays)
        total = self.pos.salience.sum(axis=1)  # (A, N)
        cares = total > 0
        self.share = self.pos.salience / np.where(cares, total, 1.0)[:, None, :]  # s_ik / sum_k s_ik
        self.indifferent = np.where(cares, 0.0, 0.5)  # U = 0.5 for an actor that cares about nothing
        self.reservation_utility = np.stack(  # U_i(r_i), (A, N): positions do not move in a run
            [
                terms_utility(self.pos.reservation[i], self.pos.ideal[i], self.pos.salience[i])
                for i in range(n_a)
            ]
        )
        self.constants = {name: v for (group, _, name), v in by_site.items() if group == "bargaining"}
        n_o = len(spec.offers)
        self.active = np.zeros((n_o, n), dtype=bool)
        self.since = np.zeros((n_o, n), dtype=np.int64)
        self.proposer = np.zeros((n_o, n), dtype=np.int64)
        self.terms = np.zeros((n_o, n_i, n))
        self.arrived = np.zeros((n_a, n), dtype=bool)
        self.refused = np.zeros((n_a, n), dtype=bool)
        # U_j(x) of the terms on the table for their addressee and of the deal in force for its
        # two parties: terms and positions stay fixed while an offer stands or a deal holds, so
        # they are computed once, not every step.
        self.offer_utility = np.zeros((n_o, n))  # each offer has one addressee
        self.deal_utility = np.zeros((2, n))
        self.offer_to = np.array([o.to for o in spec.offers], dtype=np.int64)
        self.deal_on = np.zeros(n, dtype=bool)
        self.deal_since = np.zeros(n, dtype=np.int64)
        self.deal_terms = np.full((n_i, n), np.nan)
        self.parties = np.zeros((2, n), dtype=np.int64)
        self.first_offer = np.full(n, NEVER, dtype=np.int64)
        self.deal_step = np.full(n, NEVER, dtype=np.int64)
        self.first_terms = np.full((n_i, n), np.nan)
        self.breakdown_step = np.full(n, NEVER, dtype=np.int64)
        self.vetoed = np.zeros(n, dtype=np.int64)
        self._going_on: dict[int, np.ndarray] = {}
        self._going_on_step = -1
        # Each party's private type: the unobserved part of how it values a deal, drawn once per
        # run (Fearon 1995's private information), so an offer refused stays refused until the
        # margin moves; answering anew every step would let any offer through in time.
        self.accept_type = self.rng.random((n_a, n))
        self.veto_type = self.rng.random((n_a, n))

    # ---- per-actor values (on a subset ``cols`` of the runs: offers are rare) ---------------------

    def going_on(self, m: EscalationModel, i: int) -> np.ndarray:
        """g_i (N,): the net cost to actor i of going on without a deal, utility points, in every
        run (computed once per step for each actor that needs it, read many times)."""
        if self._going_on_step != m.steps:
            self._going_on.clear()
            self._going_on_step = m.steps
        if i not in self._going_on:
            self._going_on[i] = going_on_cost(m, i)
        return self._going_on[i]

    def utility(self, i: int, x: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """U_i(x) of terms ``x`` (I, len(cols)) in runs ``cols``, with the saliences normalised
        once per run: sum_k share_ik (1 - |x_k - ideal_ik|) + indifferent_i (terms_utility
        without its sums; kernels.terms_value)."""
        return kernels.terms_value(self.share[i], self.pos.ideal[i], x, cols, self.indifferent[i])

    def margin(self, m: EscalationModel, i: int, utility: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """M_i(x): how much better terms worth ``utility`` = U_i(x) (len(cols),) are for actor i
        than going on, in runs ``cols``."""
        weight = self.constants["deal_weight"]
        return acceptance_margin(utility, self.reservation_utility[i], weight, self.going_on(m, i), cols)

    # ---- the step -------------------------------------------------------------------------------

    def step(self, m: EscalationModel, choices: np.ndarray, t: int) -> None:
        """After step t's choices and world update: expire, answer, table new offers, defect."""
        self._expire(t)
        self._answer(m, t)
        self._table(m, choices, t)
        self._defect(m, t)
        self._raise_prospect(m)

    def _raise_prospect(self, m: EscalationModel) -> None:
        """pi += phi_offer * sigma(lambda M_j(x)) for each public offer on the table: spoilers see
        a deal coming as likely as its addressee would take it; a private offer adds nothing."""
        lam = m.dynamics["logit_precision"]
        added = np.zeros(m.n_runs)
        for o, offer in enumerate(self.spec.offers):
            if offer.private:
                continue
            cols = np.flatnonzero(self.active[o])
            if cols.size:
                utility = self.offer_utility[o, cols]
                added[cols] += logistic(lam[cols] * self.margin(m, offer.to, utility, cols))
        if added.any():
            m.prospect = np.clip(m.prospect + self.constants["offer_prospect"] * added, 0.0, 1.0)

    def _expire(self, t: int) -> None:
        for o, offer in enumerate(self.spec.offers):
            if offer.expires_after:
                self.active[o] &= t - self.since[o] < offer.expires_after

    def _answer(self, m: EscalationModel, t: int) -> None:
        """Addressees who reconsider answer the offers that were on the table before this step."""
        lam = m.dynamics["logit_precision"]
        listening = (m.present & m.reconsiders)[self.offer_to]  # (O, N): each addressee answers
        due_all = self.active & (self.since < t) & ~self.deal_on & listening
        for o in np.flatnonzero(due_all.any(axis=1)):
            offer = self.spec.offers[o]
            j = offer.to
            cols = np.flatnonzero(due_all[o] & self.active[o])  # a deal struck above clears it
            if not cols.size:
                continue
            x = self.terms[o][:, cols]
            ok = np.ones(cols.size, dtype=bool)
            if offer.preconditions is not None:
                ok = m.holds(offer.preconditions, t)[cols]
            margin = (
                self.margin(m, j, self.offer_utility[o, cols], cols)
                - self.constants["audience_cost"][cols] * self.refused[j, cols]
            )
            accept = ok & (self.accept_type[j, cols] < logistic(lam[cols] * margin))
            for holder, subject, rid, stakes in self.spec.deal_vetoes:
                # the holder judges every deal its subject is party to, as addressee or proposer
                party = accept & ((subject == j) | (self.proposer[o, cols] == subject))
                if not party.any():
                    continue
                kappa = logistic(
                    lam[cols] * stakes * self.margin(m, holder, self.utility(holder, x, cols), cols)
                )
                p_block = m.draws.relations[rid][cols] * (1.0 - kappa) * m.present[holder, cols]
                blocked = party & (self.veto_type[holder, cols] < p_block)
                self.vetoed[cols] += blocked
                accept &= ~blocked
            if not offer.private:
                self.refused[j, cols] |= ~accept
            self.active[o, cols] = False  # answered either way
            self._strike_deal(m, cols[accept], int(o), j, x[:, accept], t)

    def _strike_deal(
        self, m: EscalationModel, cols: np.ndarray, o: int, j: int, x: np.ndarray, t: int
    ) -> None:
        if not cols.size:
            return
        self.deal_on[cols] = True
        self.deal_since[cols] = t
        self.deal_terms[:, cols] = x
        self.parties[0, cols] = self.proposer[o, cols]
        self.parties[1, cols] = j
        self.deal_utility[1, cols] = self.offer_utility[o, cols]
        proposers = self.parties[0, cols]
        for i in np.flatnonzero(np.bincount(proposers, minlength=m.cs.n_actors)):
            mine = proposers == i
            self.deal_utility[0, cols[mine]] = self.utility(int(i), x[:, mine], cols[mine])
        first = self.deal_step[cols] == NEVER
        self.deal_step[cols[first]] = t
        self.first_terms[:, cols[first]] = x[:, first]
        self.active[:, cols] = False  # a deal takes every other offer off the table
        self._switch_in_force(m, cols, on=True)

    def _switch_in_force(self, m: EscalationModel, cols: np.ndarray, on: bool) -> None:
        """Deals struck (``on``) or broken in runs ``cols`` switch the states their terms put in
        force (an issue's state when its term is at least the issue's ``at_least``); a deal
        struck also switches off the states its terms lift (``lifts``), which a breakdown leaves
        off: their owner restarts them by its own acts."""
        for k, state, at_least in self.spec.in_force:
            runs = cols[self.deal_terms[k, cols] >= at_least] if on else cols
            if runs.size:
                m.switch_state(state, on, runs)
        for k, state, at_least in self.spec.lifted if on else ():
            runs = cols[self.deal_terms[k, cols] >= at_least]
            if runs.size:
                m.switch_state(state, False, runs)

    def _table(self, m: EscalationModel, choices: np.ndarray, t: int) -> None:
        """Offers made this step go on the table (replacing the proposer's earlier offer to the
        same addressee and answering the addressee's offer to the proposer: a counter-offer)."""
        self.arrived[:] = False
        slot = self.spec.offer_slot.take(choices)  # (A, N): the offer each actor makes, -1: none
        offering = np.flatnonzero((slot >= 0).any(axis=0) & ~self.deal_on)
        if not offering.size:
            return
        slot = slot[:, offering]  # offers are rare: work on the runs where one is made
        for o, offer in enumerate(self.spec.offers):
            made_by = slot == o  # (A, n)
            has = made_by.any(axis=0)
            if not has.any():
                continue
            cols = offering[has]
            proposer = np.argmax(made_by[:, has], axis=0)
            j = offer.to
            earlier = self.proposer[:, cols]  # (O, n)
            to = self.offer_to[:, None]
            replaced = ((to == j) & (earlier == proposer)) | ((to == proposer) & (earlier == j))
            self.active[:, cols] &= ~replaced
            if offer.best:
                x = self._best_terms(m, proposer, j, cols)
            else:
                ideal = self.pos.ideal[proposer, :, cols].T  # (I, n)
                x = np.where(np.isnan(offer.terms)[:, None], ideal, offer.terms[:, None])
            self.terms[o][:, cols] = x
            self.offer_utility[o, cols] = self.utility(j, x, cols)
            self.proposer[o, cols] = proposer
            self.active[o, cols] = True
            self.since[o, cols] = t
            self.arrived[j, cols] = True
            fresh = cols[self.first_offer[cols] == NEVER]
            self.first_offer[fresh] = t

    def _best_terms(self, m: EscalationModel, proposer: np.ndarray, j: int, cols: np.ndarray) -> np.ndarray:
        p = self.pos
        mine = (
            p.ideal[proposer, :, cols].T,
            p.salience[proposer, :, cols].T,
            p.reservation[proposer, :, cols].T,
        )
        lam = m.dynamics["logit_precision"][cols]
        w = np.maximum(self.constants["deal_weight"][cols], 1e-12)
        audience = self.constants["audience_cost"][cols] * self.refused[j, cols]
        slack = self.going_on(m, j)[cols] - audience - aim_margin(lam)
        need = self.reservation_utility[j, cols] - slack / w
        return best_acceptable(mine, (p.ideal[j][:, cols], p.salience[j][:, cols]), need)

    def _defect(self, m: EscalationModel, t: int) -> None:
        """Each party of a deal in force defects with its chance; a defection breaks the deal."""
        # Drawn every step, deal or not: a run's numbers must not depend on the other runs of
        # its batch (batches are stepped together in chunks; sim.engine.seeds).
        u = self.rng.random((2, m.n_runs))
        live = self.deal_on & (self.deal_since < t)  # a deal struck this step holds until the next
        if not live.any():
            return
        lam = m.dynamics["logit_precision"]
        broken = np.zeros(m.n_runs, dtype=bool)
        for side in range(2):
            for i in np.flatnonzero(np.bincount(self.parties[side, live], minlength=m.cs.n_actors)):
                cols = np.flatnonzero(live & (self.parties[side] == i))
                margin = self.margin(m, int(i), self.deal_utility[side, cols], cols)
                rate = self.constants["defection_rate"][cols]
                distrust = m.distrust[i, cols]
                if m.dyads is not None:  # its distrust of the other party of the deal
                    distrust = m.dyads.distrust_of(int(i), self.parties[1 - side, cols], cols, distrust)
                p = defection_chance(distrust, margin, rate, lam[cols])
                broken[cols] |= u[side, cols] < p
        if broken.any():
            self.deal_on &= ~broken
            self.breakdown_step = np.where(broken & (self.breakdown_step == NEVER), t, self.breakdown_step)
            self._switch_in_force(m, np.flatnonzero(broken), on=False)

    # ---- output ---------------------------------------------------------------------------------

    def columns(self) -> dict[str, np.ndarray]:
        """Per-run result columns (sim.core.columns: deal.*)."""
        from sim.core import columns as col

        def steps(a: np.ndarray) -> np.ndarray:
            return np.where(a == NEVER, np.nan, a).astype(np.float32)

        out = {
            col.FIRST_OFFER: steps(self.first_offer),
            col.DEAL_STEP: steps(self.deal_step),
            col.BREAKDOWN_STEP: steps(self.breakdown_step),
            col.DEAL_VETOED: self.vetoed.astype(np.int32),
        }
        for k, issue in enumerate(self.spec.issue_ids):
            out[col.deal_term(issue)] = self.first_terms[k].astype(np.float32)
        return out
