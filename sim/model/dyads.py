"""Per-dyad state for scenarios whose acts name targets (docs/model.md, "Dyads").

Kept on the P adversary pairs (i, j) (j is on a side i counts as adversary), each (P, N):

    x_ij = [j's act reaches i] · host_{a_j}                   hostility j showed i this step
    h_ij = [j's act reaches i] · mil · host⁺_{a_j} · m_j       what j's strike did to i (then
           h_ij <- max(h_ij, w h_kj) for each ally k of i: allies are drawn in per dyad)
    D_ij = distrust_update(D_ij, x_ij, x_ij,t-1)               i's distrust of j, D_ij,0 = D_i,0

The pooled x_i, h_i, D_i stay as they are (untargeted acts and conditions read them). An act of
i aimed at some of i's adversaries (not all) reads the dyads it names in its reciprocity,
resolve and distrust terms (:func:`sim.model.rules.aimed_correction`); a party to a deal reads
its distrust of the other party. Only the pairs some rule reads are kept (:func:`dyad_pairs`),
so the cost per step grows with those pairs, not with actors squared. A scenario without
targets builds no :class:`DyadState` and pays nothing per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import kernels, rules, updates
from sim.model.compiled import CompiledScenario


@dataclass(frozen=True)
class Aim:
    """The acts of one actor aimed at a strict subset of its adversaries (R of them).

    rows: (R,) rows among the actor's scored actions; acts: their attributes; share, named:
    (R, P_i) over the actor's adversaries (see :func:`sim.model.rules.aimed_state`).
    """

    rows: np.ndarray
    acts: rules.ActionAttrs
    share: np.ndarray
    named: np.ndarray


def dyad_pairs(cs: CompiledScenario) -> np.ndarray:
    """(A, A) bool: the adversary pairs (i, j) whose dyad some rule reads: j is named by an act
    aimed at some of i's adversaries (an act i takes or scores), or i and j may be the two
    parties of a deal (the proposer of an offer and its addressee)."""
    assert cs.targets is not None
    need = np.zeros(cs.adversary.shape, dtype=bool)
    for i in range(cs.n_actors):
        adversaries = np.flatnonzero(cs.adversary[i])
        named = cs.targets[cs.scored[i]][:, adversaries]
        need[i, adversaries] = named[~named.all(axis=1)].any(axis=0)
    if cs.bargain is not None:
        for o, offer in enumerate(cs.bargain.offers):
            for p in np.flatnonzero(cs.catalogue[:, cs.bargain.offer_slot == o].any(axis=1)):
                need[p, offer.to] = need[offer.to, p] = True
    return need & cs.adversary


def actor_aim(cs: CompiledScenario, i: int, partners: np.ndarray) -> Aim | None:
    """The aimed acts among actor ``i``'s scored actions, over its dyad ``partners`` (the j of
    its kept pairs, ascending); None if no act narrows its adversaries (an act reaching every
    adversary of i reads the pooled values, so naming every side is the same as naming nobody)."""
    assert cs.targets is not None
    adversaries = np.flatnonzero(cs.adversary[i])
    scored = cs.scored[i]
    rows = np.flatnonzero(~cs.targets[scored][:, adversaries].all(axis=1))
    if not rows.size or not adversaries.size:
        return None
    named = cs.targets[scored[rows]][:, partners]  # every adversary an aimed act names is a partner
    count = named.sum(axis=1, keepdims=True)
    share = np.where(named, 1.0 / np.maximum(count, 1), 0.0)
    return Aim(rows=rows, acts=cs.acts.take(scored[rows]), share=share, named=named)


class DyadState:
    """Distrust, hostility seen and hits per kept adversary pair, over the runs of a batch."""

    def __init__(
        self,
        cs: CompiledScenario,
        initial_distrust: np.ndarray,
        alliance_pairs: list[tuple[int, int, np.ndarray]],
    ) -> None:
        """``initial_distrust`` (A, N): each actor's distrust trait (D_ij,0 = D_i,0 for every j);
        ``alliance_pairs``: (i, k, w) with i drawn into k's hits at weight w (N,)."""
        self.pair_i, self.pair_j = np.nonzero(dyad_pairs(cs))  # sorted by i: each actor's a slice
        n_a = cs.n_actors
        self.index = np.full((n_a, n_a), -1, dtype=np.int64)
        self.index[self.pair_i, self.pair_j] = np.arange(self.pair_i.size)
        bounds = np.searchsorted(self.pair_i, np.arange(n_a + 1))
        self.slices = [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(n_a)]
        n = initial_distrust.shape[1]
        self.distrust = initial_distrust[self.pair_i].copy()
        self.seen = np.zeros((self.pair_i.size, n))
        self.hit = np.zeros((self.pair_i.size, n))
        # Allies drawn in: h_ij <- max(h_ij, w h_kj) for the kept pairs (i, j) with j an adversary
        # of i's ally k (h_kj computed from the strike itself: (k, j) need not be kept).
        self.links: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        for i, k, w in alliance_pairs:
            s = self.slices[i]
            js = self.pair_j[s]
            common = cs.adversary[k, js]
            if common.any():
                self.links.append((np.arange(s.start, s.stop)[common], k, js[common], w))
        self.aims = [actor_aim(cs, i, self.pair_j[self.slices[i]]) for i in range(n_a)]

    def update(
        self, reach: np.ndarray, host: np.ndarray, strike: np.ndarray, learning: np.ndarray, mixed: np.ndarray
    ) -> None:
        """After this step's choices: ``reach`` (A, A, N) from :func:`updates.targeted`, ``host`` and
        ``strike`` (A, N) per acting actor, ``learning`` eta and ``mixed`` mu (N,)."""
        seen, hit = kernels.pair_signals(reach, host, strike, self.pair_i, self.pair_j)  # (P, N) each
        if self.links:
            links = [(dest, np.where(reach[k, js], strike[js], 0.0), w) for dest, k, js, w in self.links]
            hit = updates.spread_dyad_hits(hit, links)
        self.hit = hit
        self.distrust = updates.distrust_update(self.distrust, seen, self.seen, learning, mixed)
        self.seen = seen

    def view(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Actor i's dyads (x_ij, h_ij, D_ij), each (P_i, N) over its kept partners."""
        s = self.slices[i]
        return self.seen[s], self.hit[s], self.distrust[s]

    def distrust_of(self, i: int, other: np.ndarray, cols: np.ndarray, pooled: np.ndarray) -> np.ndarray:
        """D_ij of actor i for the ``other`` party (len(cols),) in runs ``cols``; i's pooled
        distrust ``pooled`` where the other party is not an adversary of i."""
        pair = self.index[i, other]
        if not self.pair_i.size:
            return pooled
        return np.where(pair >= 0, self.distrust[np.maximum(pair, 0), cols], pooled)
