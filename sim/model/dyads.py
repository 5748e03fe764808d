"""Per-dyad state for scenarios whose acts name targets (docs/model.md, "Dyads").

Kept on the P adversary pairs (i, j) (j is on a side i counts as adversary), each (P, N):

    x_ij = [j's act reaches i] · host_{a_j}                   hostility j showed i this step
    h_ij = [j's act reaches i] · mil · host⁺_{a_j} · m_j       what j's strike did to i (then
           h_ij <- max(h_ij, w h_kj) for each ally k of i: allies are drawn in per dyad)
    D_ij = distrust_update(D_ij, x_ij, x_ij,t-1)               i's distrust of j, D_ij,0 = D_i,0

The pooled x_i, h_i, D_i stay as they are (untargeted acts and conditions read them). An act of
i aimed at some of i's adversaries (not all) reads the dyads it names in its reciprocity,
resolve and distrust terms (:func:`sim.model.rules.aimed_correction`). A scenario without
targets builds no :class:`DyadState` and pays nothing per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import rules
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


def actor_aim(cs: CompiledScenario, i: int) -> Aim | None:
    """The aimed acts among actor ``i``'s scored actions; None if none narrows its adversaries
    (an act reaching every adversary of i reads the pooled values, so naming every side is
    the same as naming nobody)."""
    assert cs.targets is not None
    adversaries = np.flatnonzero(cs.adversary[i])
    scored = cs.scored[i]
    named = cs.targets[scored][:, adversaries]  # (K_i, P_i)
    rows = np.flatnonzero(~named.all(axis=1))
    if not rows.size or not adversaries.size:
        return None
    named = named[rows]
    count = named.sum(axis=1, keepdims=True)
    share = np.where(named, 1.0 / np.maximum(count, 1), 0.0)
    return Aim(rows=rows, acts=cs.acts.take(scored[rows]), share=share, named=named)


class DyadState:
    """Distrust, hostility seen and hits per adversary pair, over the runs of a batch."""

    def __init__(
        self,
        cs: CompiledScenario,
        initial_distrust: np.ndarray,
        alliance_pairs: list[tuple[int, int, np.ndarray]],
    ) -> None:
        """``initial_distrust`` (A, N): each actor's distrust trait (D_ij,0 = D_i,0 for every j);
        ``alliance_pairs``: (i, k, w) with i drawn into k's hits at weight w (N,)."""
        self.pair_i, self.pair_j = np.nonzero(cs.adversary)  # sorted by i: each actor's pairs are a slice
        n_a = cs.n_actors
        self.index = np.full((n_a, n_a), -1, dtype=np.int64)
        self.index[self.pair_i, self.pair_j] = np.arange(self.pair_i.size)
        bounds = np.searchsorted(self.pair_i, np.arange(n_a + 1))
        self.slices = [slice(int(bounds[i]), int(bounds[i + 1])) for i in range(n_a)]
        n = initial_distrust.shape[1]
        self.distrust = initial_distrust[self.pair_i].copy()
        self.seen = np.zeros((self.pair_i.size, n))
        self.hit = np.zeros((self.pair_i.size, n))
        self.links: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        for i, k, w in alliance_pairs:  # j an adversary of both i and its ally k
            common = np.flatnonzero((self.index[i] >= 0) & (self.index[k] >= 0))
            if common.size:
                self.links.append((self.index[i, common], self.index[k, common], w))
        self.aims = [actor_aim(cs, i) for i in range(n_a)]

    def update(
        self, reach: np.ndarray, host: np.ndarray, strike: np.ndarray, learning: np.ndarray, mixed: np.ndarray
    ) -> None:
        """After this step's choices: ``reach`` (A, A, N) from :func:`rules.targeted`, ``host`` and
        ``strike`` (A, N) per acting actor, ``learning`` eta and ``mixed`` mu (N,)."""
        r = reach[self.pair_i, self.pair_j]  # (P, N)
        seen = np.where(r, host[self.pair_j], 0.0)
        hit = np.where(r, strike[self.pair_j], 0.0)
        self.hit = rules.spread_dyad_hits(hit, self.links) if self.links else hit
        self.distrust = rules.distrust_update(self.distrust, seen, self.seen, learning, mixed)
        self.seen = seen

    def view(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Actor i's dyads (x_ij, h_ij, D_ij), each (P_i, N) over its adversaries."""
        s = self.slices[i]
        return self.seen[s], self.hit[s], self.distrust[s]

    def distrust_of(self, i: int, other: np.ndarray, cols: np.ndarray, pooled: np.ndarray) -> np.ndarray:
        """D_ij of actor i for the ``other`` party (len(cols),) in runs ``cols``; i's pooled
        distrust ``pooled`` where the other party is not an adversary of i."""
        pair = self.index[i, other]
        if not self.pair_i.size:
            return pooled
        return np.where(pair >= 0, self.distrust[np.maximum(pair, 0), cols], pooled)
