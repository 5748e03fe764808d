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
    deal_utility: np.ndarray, reservation_utility: np.ndarray, deal_weight: np.ndarray, going_on: np.ndarray
) -> np.ndarray:
    """M = w_deal (U(x) - U(r)) + g, utility points (N,); ``going_on`` g is the net cost of going
    on without a deal (pain of pressure and the risk of war, minus duress and the value of
    waiting), so a side that suffers more from delay accepts worse terms."""
    return deal_weight * (deal_utility - reservation_utility) + going_on


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


class BargainTable:
    """The offers on the table, the deal in force and what is recorded per run, for one batch."""

    def __init__(self, spec: BargainSpec, model: EscalationModel) -> None:
        self.spec = spec
        m = model
        n, n_a, n_i = m.n_runs, m.cs.n_actors, spec.n_issues
        assert m.bargain_stream is not None
        self.rng: np.random.Generator = m.bargain_stream
        by_site = m.draws.by_site
        arrays = {f: np.full((n_a, n_i, n), 0.5 if f != "salience" else 0.0) for f in POSITION_FIELDS}
        for a_i, actor in enumerate(m.cs.scenario.actors):
            for issue, _ in actor.positions.items():
                k = spec.issue_ids.index(issue)
                for f in POSITION_FIELDS:
                    arrays[f][a_i, k] = by_site["positions", actor.id, f"{issue}.{f}"]
        self.pos = Positions(**arrays)
        self.constants = {name: v for (group, _, name), v in by_site.items() if group == "bargaining"}
        n_o = len(spec.offers)
        self.active = np.zeros((n_o, n), dtype=bool)
        self.since = np.zeros((n_o, n), dtype=np.int64)
        self.proposer = np.zeros((n_o, n), dtype=np.int64)
        self.terms = np.zeros((n_o, n_i, n))
        self.arrived = np.zeros((n_a, n), dtype=bool)
        self.refused = np.zeros((n_a, n), dtype=bool)
        self.deal_on = np.zeros(n, dtype=bool)
        self.deal_since = np.zeros(n, dtype=np.int64)
        self.deal_terms = np.full((n_i, n), np.nan)
        self.parties = np.zeros((2, n), dtype=np.int64)
        self.first_offer = np.full(n, NEVER, dtype=np.int64)
        self.deal_step = np.full(n, NEVER, dtype=np.int64)
        self.first_terms = np.full((n_i, n), np.nan)
        self.breakdown_step = np.full(n, NEVER, dtype=np.int64)
        self.vetoed = np.zeros(n, dtype=np.int64)
        # Each party's private type: the unobserved part of how it values a deal, drawn once per
        # run (Fearon 1995's private information), so an offer refused stays refused until the
        # margin moves; answering anew every step would let any offer through in time.
        self.accept_type = self.rng.random((n_a, n))
        self.veto_type = self.rng.random((n_a, n))

    # ---- per-actor values -----------------------------------------------------------------------

    def going_on(self, m: EscalationModel, i: int) -> np.ndarray:
        """g_i: the net cost to actor i of going on without a deal, utility points (N,)."""
        w, e = m.weights, m.effective
        pressure = m.pressure[i]
        before_wait = 1.0 if m.steps < m.cs.wait_step[i] else 0.0
        return (
            w.pain * e["cost_sensitivity"][i] * pressure
            - w.duress * e["pressure_aversion"][i] * pressure
            - w.wait_out * e["wait_out"][i] * before_wait
            + w.war_cost
            * e["cost_sensitivity"][i]
            * (1.0 - e["risk_tolerance"][i])
            * m.escalation
            / m.cs.e_max
        )

    def margin(self, m: EscalationModel, i: int, x: np.ndarray) -> np.ndarray:
        """M_i(x): how much better the deal x is for actor i than going on (N,)."""
        p = self.pos
        return acceptance_margin(
            terms_utility(x, p.ideal[i], p.salience[i]),
            terms_utility(p.reservation[i], p.ideal[i], p.salience[i]),
            self.constants["deal_weight"],
            self.going_on(m, i),
        )

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
            if offer.private or not self.active[o].any():
                continue
            likely = logistic(lam * self.margin(m, offer.to, self.terms[o]))
            added += self.active[o] * likely
        if added.any():
            m.prospect = np.clip(m.prospect + self.constants["offer_prospect"] * added, 0.0, 1.0)

    def _expire(self, t: int) -> None:
        for o, offer in enumerate(self.spec.offers):
            if offer.expires_after:
                self.active[o] &= t - self.since[o] < offer.expires_after

    def _answer(self, m: EscalationModel, t: int) -> None:
        """Addressees who reconsider answer the offers that were on the table before this step."""
        lam = m.dynamics["logit_precision"]
        for o, offer in enumerate(self.spec.offers):
            j = offer.to
            due = self.active[o] & (self.since[o] < t) & ~self.deal_on & m.present[j] & m.reconsiders[j]
            if not due.any():
                continue
            x = self.terms[o]
            ok = due.copy()
            if offer.preconditions is not None:
                ok &= m.holds(offer.preconditions, t)
            margin = self.margin(m, j, x) - self.constants["audience_cost"] * self.refused[j]
            accept = ok & (self.accept_type[j] < logistic(lam * margin))
            for holder, subject, rid, stakes in self.spec.deal_vetoes:
                # the holder judges every deal its subject is party to, as addressee or proposer
                party = accept & ((subject == j) | (self.proposer[o] == subject))
                if not party.any():
                    continue
                kappa = logistic(lam * stakes * self.margin(m, holder, x))
                p_block = m.draws.relations[rid] * (1.0 - kappa) * m.present[holder]
                blocked = party & (self.veto_type[holder] < p_block)
                self.vetoed += blocked
                accept &= ~blocked
            refuse = due & ~accept
            if not offer.private:
                self.refused[j] |= refuse
            self.active[o] &= ~due  # answered either way
            self._strike_deal(m, accept, o, j, x, t)

    def _strike_deal(
        self, m: EscalationModel, accept: np.ndarray, o: int, j: int, x: np.ndarray, t: int
    ) -> None:
        if not accept.any():
            return
        self.deal_on |= accept
        self.deal_since = np.where(accept, t, self.deal_since)
        self.deal_terms = np.where(accept, x, self.deal_terms)
        self.parties[0] = np.where(accept, self.proposer[o], self.parties[0])
        self.parties[1] = np.where(accept, j, self.parties[1])
        first = accept & (self.deal_step == NEVER)
        self.deal_step = np.where(first, t, self.deal_step)
        self.first_terms = np.where(first, x, self.first_terms)
        self.active[:, accept] = False  # a deal takes every other offer off the table
        self._switch_in_force(m, accept, x, on=True)

    def _switch_in_force(self, m: EscalationModel, where: np.ndarray, x: np.ndarray, on: bool) -> None:
        for k, state, at_least in self.spec.in_force:
            happens = where & (x[k] >= at_least) if on else where
            if happens.any():
                m.switch_state(state, on, happens)

    def _table(self, m: EscalationModel, choices: np.ndarray, t: int) -> None:
        """Offers made this step go on the table (replacing the proposer's earlier offer to the
        same addressee and answering the addressee's offer to the proposer: a counter-offer)."""
        lam = m.dynamics["logit_precision"]
        self.arrived[:] = False
        for o, offer in enumerate(self.spec.offers):
            made_by = choices == offer.action  # (A, N)
            if not made_by.any():
                continue
            made = made_by.any(axis=0) & ~self.deal_on
            proposer = np.argmax(made_by, axis=0)
            j = offer.to
            for o2, other in enumerate(self.spec.offers):
                same_pair = (other.to == j) & (self.proposer[o2] == proposer)
                counter = (other.to == proposer) & (j == self.proposer[o2])
                self.active[o2] &= ~(made & (same_pair | counter))
            x = np.where(np.isnan(offer.terms)[:, None], self._ideal_of(proposer), offer.terms[:, None])
            if offer.best:
                x = self._best_terms(m, proposer, j, lam)
            self.terms[o] = np.where(made, x, self.terms[o])
            self.proposer[o] = np.where(made, proposer, self.proposer[o])
            self.active[o] |= made
            self.since[o] = np.where(made, t, self.since[o])
            self.arrived[j] |= made
            self.first_offer = np.where(made & (self.first_offer == NEVER), t, self.first_offer)

    def _ideal_of(self, proposer: np.ndarray) -> np.ndarray:
        cols = np.arange(proposer.size)
        return self.pos.ideal[proposer, :, cols].T  # (I, N)

    def _best_terms(self, m: EscalationModel, proposer: np.ndarray, j: int, lam: np.ndarray) -> np.ndarray:
        cols = np.arange(proposer.size)
        p = self.pos
        mine = (
            p.ideal[proposer, :, cols].T,
            p.salience[proposer, :, cols].T,
            p.reservation[proposer, :, cols].T,
        )
        res_u = terms_utility(p.reservation[j], p.ideal[j], p.salience[j])
        w = np.maximum(self.constants["deal_weight"], 1e-12)
        slack = self.going_on(m, j) - self.constants["audience_cost"] * self.refused[j] - aim_margin(lam)
        need = res_u - slack / w
        return best_acceptable(mine, (p.ideal[j], p.salience[j]), need)

    def _defect(self, m: EscalationModel, t: int) -> None:
        """Each party of a deal in force defects with its chance; a defection breaks the deal."""
        if not self.deal_on.any():
            return
        lam = m.dynamics["logit_precision"]
        broken = np.zeros(m.n_runs, dtype=bool)
        for side in range(2):
            for i in range(m.cs.n_actors):
                # a deal struck this step holds at least until the next
                party = self.deal_on & (self.parties[side] == i) & (self.deal_since < t)
                if not party.any():
                    continue
                p = defection_chance(
                    m.distrust[i], self.margin(m, i, self.deal_terms), self.constants["defection_rate"], lam
                )
                broken |= party & (self.rng.random(m.n_runs) < p)
        if broken.any():
            self.deal_on &= ~broken
            self.breakdown_step = np.where(broken & (self.breakdown_step == NEVER), t, self.breakdown_step)
            self._switch_in_force(m, broken, self.deal_terms, on=False)

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
