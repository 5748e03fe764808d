"""World update rules: small pure functions of arrays and parameters (docs/model.md).

What the acts chosen in a step do to the shared state: escalation, pressure, hits, hostility seen,
distrust and the talks prospect, pooled and per dyad, and who is present or deliberates. Like
:mod:`sim.model.rules` (the decisions), every function works on arrays over the runs of a batch
(last axis ``N``) and the Mesa model calls these functions and nothing else, whether a batch holds
1 run or 100,000; the busiest have compiled bodies (:mod:`sim.model.kernels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model import kernels
from sim.model.rules import ActionAttrs, BoolArray, FloatArray, IntArray


def accident_probability(
    escalation: FloatArray, base: FloatArray, growth: FloatArray, e_max: float
) -> FloatArray:
    """p_acc = min(1, base * exp(growth * E / E_max)): the threat that leaves something to chance."""
    return np.minimum(1.0, base * np.exp(growth * escalation / e_max))


@dataclass(frozen=True)
class ActOutputs:
    """What each actor's act does this step, each (A, N): escalation push, pressure put out,
    strike and hostility; and the talks prospect the acts add, (N,)."""

    pushes: FloatArray
    pressure: FloatArray
    strike: FloatArray
    hostility: FloatArray
    prospect: FloatArray


def act_outputs(
    acts: ActionAttrs, choices: IntArray, cap_military: FloatArray, cap_economic: FloatArray
) -> ActOutputs:
    """From the acts chosen (A, N) and capabilities m, c_econ (A, N), in one pass
    (kernels.act_outputs):

        push_i = delta_a (m_i if a is military else 1)     pressure_i = pressure_a c_econ,i
        strike_i = host+_a mil_a max(m_i, 0)                hostility_i = host_a
        prospect = sum_i prospect_a(i)
    """
    pushes, pressure, strike, hostility, prospect = kernels.act_outputs(
        choices,
        acts.delta,
        acts.mil,
        acts.pressure,
        acts.hostp,
        acts.host,
        acts.prospect,
        cap_military,
        cap_economic,
    )
    return ActOutputs(pushes, pressure, strike, hostility, prospect)


def escalation_update(
    escalation: FloatArray,
    pushes: FloatArray,
    relaxation: FloatArray,
    shock: FloatArray | float,
    e_max: float | FloatArray,
) -> FloatArray:
    """E_t = clip(E - rho E + sum_i pushes_i + shock, 0, E_max); ``pushes`` is (A, N), or
    (A, J, N) for J escalation tracks at once (``escalation`` (J, N), ``e_max`` (J, 1))."""
    return np.clip(escalation * (1.0 - relaxation) + pushes.sum(axis=0) + shock, 0.0, e_max)


def presence(
    t: int,
    enter_step: IntArray,
    leave_step: IntArray,
    enter_event: IntArray,
    leave_event: IntArray,
    event_first: IntArray,
    happens: BoolArray,
) -> BoolArray:
    """(A, N) bool: actor i is in the crisis at step t.

    present_i,t = [enter_i ≤ t < leave_i] ∧ (no enter event ∨ fired(e_in)) ∧ ¬fired(e_out), where
    fired(e) = happens_e ∧ t ≥ first step of e. ``*_event`` are event indices, -1 for none.
    """
    n = happens.shape[1] if happens.ndim == 2 else 1
    present = np.broadcast_to(((enter_step <= t) & (t < leave_step))[:, None], (enter_step.size, n)).copy()
    first = event_first if event_first.ndim == 2 else event_first[:, None]  # (E, N) or (E, 1)
    fired = happens & (t >= first) if happens.size else happens
    for i in np.flatnonzero(enter_event >= 0):
        present[i] &= fired[enter_event[i]]
    for i in np.flatnonzero(leave_event >= 0):
        present[i] &= ~fired[leave_event[i]]
    return present


def deliberates(u: FloatArray, rate: FloatArray, triggered: BoolArray) -> BoolArray:
    """Whether an actor reconsiders its course this step: u < r (a chance r per step) or a
    trigger (it was hit, an event fired, a state changed). Otherwise it holds course (status quo)."""
    return (u < rate) | triggered


def threshold_cap(escalation: FloatArray, at: FloatArray, unlocked: BoolArray) -> FloatArray:
    """E_t = min(E_t, min over locked rungs r of just-below(at_r)): a rung that requires an act
    cannot be reached by accumulation. ``at`` (R,), ``unlocked`` (R, N) bool. "Just below" is the
    largest float32 under ``at_r``, so results stored as float32 never show the rung reached."""
    if at.size == 0:
        return escalation
    below = np.nextafter(at.astype(np.float32), np.float32(-np.inf)).astype(float)[:, None]
    caps = np.where(unlocked, np.inf, below).min(axis=0)
    return np.minimum(escalation, caps)


def pressure_update(
    pressure: FloatArray, inflow: FloatArray, floor: FloatArray, decay: FloatArray
) -> FloatArray:
    """P_t = max(floor, clip(P - delta (P - floor) + inflow, 0, 1)); all (A, N) or broadcastable."""
    shape, grid = kernels.grid(pressure, inflow, floor, decay)
    return kernels.pressure_update(*grid).reshape(shape)


def distrust_update(
    distrust: FloatArray,
    seen: FloatArray,
    seen_before: FloatArray,
    learning: FloatArray,
    mixed_sensitivity: FloatArray,
) -> FloatArray:
    """D_t = clip(D + eta (x+ - x- D) + mu max(0, -x_t x_{t-1}), 0, 1).

    Hostility raises distrust, cooperation lowers it in proportion to what is left, and a
    reversal of signals (cooperative then hostile, or back) raises it: mixed signals.
    """
    shape, grid = kernels.grid(distrust, seen, seen_before, learning, mixed_sensitivity)
    return kernels.distrust_update(*grid).reshape(shape)


def prospect_update(prospect: FloatArray, added: FloatArray | float, decay: FloatArray) -> FloatArray:
    """pi_t = clip((1 - phi) pi + added, 0, 1)."""
    return np.clip(prospect * (1.0 - decay) + added, 0.0, 1.0)


def observed_hostility(adversary_share: FloatArray, hostility: FloatArray) -> FloatArray:
    """x_i = mean over i's adversaries of their actions' hostility: (A, A) @ (A, N) -> (A, N)."""
    return adversary_share @ hostility


def hits_taken(adversary_sides: BoolArray, side_of: IntArray, strike: FloatArray) -> FloatArray:
    """h_i = max over i's adversaries j of strike_j (military hostility of j's action), (A, N).

    Computed per side (``side_of`` (A,) side index, ``adversary_sides`` (A, S)) so the cost
    grows with actors x sides, not actors squared.
    """
    hit = np.zeros(strike.shape)
    for s in range(adversary_sides.shape[1]):
        members = side_of == s
        exposed = adversary_sides[:, s]
        if members.any() and exposed.any():
            # max is exact, so taking it side by side gives the same numbers as one big max
            hit[exposed] = np.maximum(hit[exposed], strike[members].max(axis=0))
    return hit


def targeted(adversary: BoolArray, targets: BoolArray, choices: IntArray) -> BoolArray:
    """(A_i, A_j, N) bool: j's act this step reaches i (i counts j as adversary and i is among the
    act's targets). ``adversary`` (A, A), ``targets`` (K, A) per action, ``choices`` (A, N)."""
    pair_i, pair_j = np.nonzero(adversary)  # only adversary pairs can reach
    return kernels.targeted(np.ascontiguousarray(targets.T), choices, pair_i, pair_j)


def targeted_hits(reach: BoolArray, strike: FloatArray) -> FloatArray:
    """h_i = max(0, max over j reaching i of strike_j): (A, N); ``reach`` (A, A, N) from
    :func:`targeted`, ``strike`` (A, N) >= 0. Only the pairs that reach in some run are visited
    (kernels.targeted_hits); no (A, A, N) float array is made."""
    pair_i, pair_j = np.nonzero(reach.any(axis=2))
    return kernels.targeted_hits(reach, np.asarray(strike, dtype=float), pair_i, pair_j)


def targeted_sum(weight: FloatArray, reach: BoolArray, value: FloatArray) -> FloatArray:
    """sum over j of weight_ij [j reaches i] value_j: (A, N) (pressure inflow, hostility seen).
    Summed over j in order from +0, as numpy's sum over axis 1 of (A, A, N) is (the same values).
    A pair that reaches in no run adds ±0, which leaves a sum started at +0 unchanged, so only
    the pairs that reach in some run are visited (kernels.targeted_sum)."""
    pair_i, pair_j = np.nonzero(reach.any(axis=2))
    return kernels.targeted_sum(
        np.asarray(weight, dtype=float), reach, np.asarray(value, dtype=float), pair_i, pair_j
    )


def spread_alliance_hits(hit: FloatArray, pairs: list[tuple[int, int, FloatArray]]) -> FloatArray:
    """Allies are drawn in: h_i <- max(h_i, w h_j) for every alliance pair (i, j, w)."""
    out = hit.copy()
    for i, j, w in pairs:
        out[i] = np.maximum(out[i], w * hit[j])
    return out


def spread_dyad_hits(hit: FloatArray, links: list[tuple[IntArray, FloatArray, FloatArray]]) -> FloatArray:
    """Allies are drawn in per dyad: h_ij <- max(h_ij, w h_kj) for every alliance pair (i, k, w)
    and every adversary j of both. ``hit`` (P, N) over adversary pairs; ``links`` per alliance
    pair: (the rows of pairs (i, j), h_kj of those j (rows, N), w (N,)). Reads the hits before
    spreading, like :func:`spread_alliance_hits`."""
    out = hit.copy()
    for dest, source, w in links:
        out[dest] = np.maximum(out[dest], w * source)
    return out
