"""Decision and update rules: small pure functions of arrays and parameters.

Every function works on arrays over the runs of a batch (last axis ``N``); action arrays put the
short action axis first (``(K, N)``), which makes reductions over actions fast. The Mesa agents
and the world update call these functions and nothing else, whether a batch holds 1 run or
100,000. Equations refer to docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.model import kernels

FloatArray = np.ndarray
IntArray = np.ndarray
BoolArray = np.ndarray


@dataclass(frozen=True)
class ActionAttrs:
    """Per-action attributes, each shape (K,).

    host: hostility -g/10 in [-1, 1]; hostp: max(host, 0); coop: max(g, 0)/10 in [0, 1];
    neg, mil: 0/1 tags; base: base utility; delta: escalation points per use;
    pressure: pressure put on adversaries per use (-1..1); prospect: talks prospect added (-1..1).
    """

    host: FloatArray
    hostp: FloatArray
    coop: FloatArray
    neg: FloatArray
    mil: FloatArray
    base: FloatArray
    delta: FloatArray
    pressure: FloatArray
    prospect: FloatArray

    @cached_property
    def design(self) -> FloatArray:
        """(K, 6) matrix of the attributes the utility terms multiply: base, host, host+, coop,
        neg, mil (the column order of the coefficients in :func:`action_utilities`)."""
        return np.column_stack([self.base, self.host, self.hostp, self.coop, self.neg, self.mil])

    def take(self, index: IntArray) -> ActionAttrs:
        """The attributes of a subset of actions, in the order of ``index``."""
        return ActionAttrs(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})


@dataclass(frozen=True)
class UtilityInputs:
    """What one actor's utility needs, each shape (N,) (or broadcastable scalars).

    Traits in [0, 1]: hawk (influenced hawkishness H~), reciprocity, resolve, cost (cost
    sensitivity), aversion (pressure aversion), wait (wait-out), risk (risk tolerance), spoiler.
    State: distrust D, pressure P, observed hostility x in [-1, 1], hit h in [0, 1],
    escalation_frac E/E_max in [0, 1], prospect pi in [0, 1], before_wait (1 before the awaited
    date, else 0).
    """

    hawk: FloatArray
    reciprocity: FloatArray
    resolve: FloatArray
    cost: FloatArray
    aversion: FloatArray
    wait: FloatArray
    risk: FloatArray
    spoiler: FloatArray
    distrust: FloatArray
    pressure: FloatArray
    hostility_seen: FloatArray
    hit: FloatArray
    escalation_frac: FloatArray
    prospect: FloatArray
    before_wait: FloatArray | float


@dataclass(frozen=True)
class WeightArrays:
    """Utility weights (docs/model.md, equation U), each (N,) or scalar, >= 0."""

    disposition: FloatArray
    reciprocity: FloatArray
    resolve: FloatArray
    pain: FloatArray
    duress: FloatArray
    distrust: FloatArray
    wait_out: FloatArray
    war_cost: FloatArray
    spoiler: FloatArray


@dataclass(frozen=True)
class Sensitivities:
    """Per-run products of weights and traits, each (N,): the parts of the utility brackets that
    stay fixed while the state moves (recomputed only when a trait changes).

    disposition = w_disp (2H~ - 1); reciprocity = w_rec R; resolve = w_res S;
    spoiler = w_spoil Sp; pain = w_pain C; duress = w_dur A; distrust = w_dist;
    wait = w_wait W; war = w_war C (1 - T).
    """

    disposition: FloatArray
    reciprocity: FloatArray
    resolve: FloatArray
    spoiler: FloatArray
    pain: FloatArray
    duress: FloatArray
    distrust: FloatArray
    wait: FloatArray
    war: FloatArray


def sensitivities(x: UtilityInputs, w: WeightArrays) -> Sensitivities:
    """The weight-trait products of equation U (reads only the trait fields of ``x``)."""
    return Sensitivities(
        disposition=w.disposition * (2.0 * x.hawk - 1.0),
        reciprocity=w.reciprocity * x.reciprocity,
        resolve=w.resolve * x.resolve,
        spoiler=w.spoiler * x.spoiler,
        pain=w.pain * x.cost,
        duress=w.duress * x.aversion,
        distrust=np.asarray(w.distrust),
        wait=w.wait_out * x.wait,
        war=w.war_cost * x.cost * (1.0 - x.risk),
    )


def action_utilities(
    acts: ActionAttrs, x: UtilityInputs, w: WeightArrays, sens: Sensitivities | None = None
) -> FloatArray:
    """Utility of every action for one actor, shape (K, N) (docs/model.md, equation U).

    U_a = base_a + host_a * [w_disp (2H~ - 1) + w_rec R x]
                 + host+_a * [w_res S h + w_spoil Sp pi]
                 + coop_a  * [w_pain C P]
                 - neg_a   * [w_dur A P + w_dist D + w_wait W 1(t < t_wait)]
                 - mil_a   * [w_war C (1 - T) E/E_max]
    Each bracket is a per-run coefficient (N,); the utility is the (K, 6) attribute matrix times
    the (6, N) coefficient matrix: one small matrix product instead of a dozen array passes.
    ``sens`` (:func:`sensitivities` of the same ``x`` and ``w``) may be passed in when cached.
    """
    s = sensitivities(x, w) if sens is None else sens
    n = np.shape(x.hawk)[-1]
    c, tmp = np.empty((6, n)), np.empty(n)  # rows written in place, each summed in equation order
    c[0] = 1.0
    np.add(s.disposition, np.multiply(s.reciprocity, x.hostility_seen, out=tmp), out=c[1])
    np.multiply(s.resolve, x.hit, out=c[2])
    c[2] += np.multiply(s.spoiler, x.prospect, out=tmp)
    np.multiply(s.pain, x.pressure, out=c[3])
    np.multiply(s.duress, x.pressure, out=c[4])
    c[4] += np.multiply(s.distrust, x.distrust, out=tmp)
    c[4] += np.multiply(s.wait, x.before_wait, out=tmp)
    np.negative(c[4], out=c[4])
    np.negative(np.multiply(s.war, x.escalation_frac, out=c[5]), out=c[5])
    return acts.design @ c


def logit_weights(
    utilities: FloatArray, allowed: BoolArray, precision: FloatArray, cols: IntArray | None = None
) -> FloatArray:
    """Unnormalised quantal-response weights exp(lambda (U_a - max_b U_b)), 0 where not allowed,
    (K, C) for the runs ``cols`` (default: all N). ``allowed`` (K, N) or (K, 1) (the same in
    every run); ``precision`` lambda (N,) or a scalar.

    Every column needs one allowed action. The max is subtracted for numerical stability.
    """
    n = utilities.shape[1]
    z = kernels.logit_exponents(
        utilities, allowed, kernels.per_run(precision, n), np.arange(n) if cols is None else cols
    )
    live = np.asarray(allowed.any(axis=1))
    if live.all():
        return np.exp(z, out=z)
    z[live] = np.exp(z[live])  # rows allowed in no run weigh exp(-inf) = 0 (exp is slow on -inf)
    z[~live] = 0.0
    return z


def logit_probabilities(utilities: FloatArray, allowed: BoolArray, precision: FloatArray) -> FloatArray:
    """Quantal-response choice probabilities, (K, N), zero for actions not allowed.

    Pr(a) = exp(lambda U_a) / sum_{b allowed} exp(lambda U_b)  (McKelvey & Palfrey 1995).
    """
    w = logit_weights(utilities, allowed, precision)
    return w / w.sum(axis=0, keepdims=True)


def sample_index(weights: FloatArray, u: FloatArray) -> IntArray:
    """Inverse-CDF draw of one index per column from nonnegative ``weights`` (K, N), ``u`` in [0,1).

    Returns the first k whose cumulative weight exceeds u * total, so a fixed ``u`` picks a
    fixed quantile (common random numbers stay aligned across variants). Compiled
    (kernels.sample_index): the total and the running sum add the rows in order.
    """
    # Rounding can, very rarely, step past the last positive weight: the kernel takes that one
    # instead. Only the last index can be such a stray (any earlier one has a positive weight).
    if weights.shape[1] != u.shape[0]:
        weights = np.broadcast_to(weights, (weights.shape[0], u.shape[0]))
    return kernels.sample_index(weights, kernels.per_run(u, u.shape[0]))


def choose_actions(
    utilities: FloatArray,
    allowed: BoolArray,
    precision: FloatArray,
    inconsistency: FloatArray,
    u_choice: FloatArray,
    u_tremble: FloatArray,
    u_pick: FloatArray,
    erratic: BoolArray | None = None,
    steady: BoolArray | None = None,
    acting: BoolArray | None = None,
    status_quo: int = 0,
    labels: IntArray | None = None,
) -> IntArray:
    """One action index per run: the logit choice, or with probability ``inconsistency`` a
    uniformly random allowed action among ``erratic`` ones (K,) (default: all) — a muddled
    policy that sends mixed signals. A chosen action in ``steady`` (K,) (e.g. military acts) is
    never replaced: noise muddles messages, not decisions to use force. ``u_*``: uniforms (N,).
    Runs where the actor is not ``acting`` (N,) bool (absent, or holding course) get
    ``status_quo``; the draws are made (and skipped) in every run all the same. Returns row
    indices, or ``labels`` (K,) of them (e.g. the global indices of an actor's actions).

    The logit draw is :func:`sample_index` of :func:`logit_weights` with u_choice; the
    random pick is :func:`sample_index` of the 0/1 pool with u_pick (kernels.choose).
    """
    n, k = utilities.shape[1], utilities.shape[0]
    cols = np.arange(n) if acting is None else np.flatnonzero(acting)
    return kernels.choose(
        logit_weights(utilities, allowed, precision, cols),
        cols,
        n,
        status_quo,
        kernels.per_run(u_choice, n),
        kernels.per_run(u_tremble, n),
        kernels.per_run(u_pick, n),
        kernels.per_run(inconsistency, n),
        allowed,
        np.ones(k, dtype=bool) if erratic is None else erratic,
        np.zeros(k, dtype=bool) if steady is None else steady,
        np.arange(k) if labels is None else labels,
    )


def consent(
    utilities: FloatArray, action: IntArray, status_quo: int, precision: FloatArray, base: FloatArray
) -> FloatArray:
    """Consent of a veto holder or commander to ``action`` (N,), in (0, 1).

    kappa(a) = sigma(lambda ((U_a - base_a) - (U_q - base_q))), U from the holder's own traits
    and state. The base utilities (an actor's own cost of acting) are left out: the holder judges
    what the action does, not what it would cost the holder to take it.
    """
    n = utilities.shape[1]
    z = kernels.consent_exponent(utilities, action, status_quo, kernels.per_run(precision, n), base)
    return 1.0 / (1.0 + np.exp(-z))  # z = clip(lambda diff, -60, 60) (kernels.consent_exponent)


def gate(
    action: IntArray, applies: BoolArray, block_probability: FloatArray, u: FloatArray, status_quo: int
) -> tuple[IntArray, BoolArray]:
    """Replace ``action`` by the status quo where it ``applies`` and ``u < block_probability``.

    Returns the new actions and the mask of blocked runs.
    """
    blocked = applies & (u < block_probability)
    return np.where(blocked, status_quo, action), blocked


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


def aimed_state(
    share: FloatArray,
    named: BoolArray,
    seen: FloatArray,
    hit: FloatArray,
    distrust: FloatArray,
    pooled_distrust: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """What actor i sees of the adversaries its aimed acts name (docs/model.md, "Dyads").

    For R acts of i and i's P adversaries: ``share`` (R, P) = 1/|T_a ∩ adv(i)| on the named
    adversaries (0 elsewhere), ``named`` (R, P) bool; the dyads ``seen`` x_ij in [-1, 1], ``hit``
    h_ij in [0, 1], ``distrust`` D_ij in [0, 1], each (P, N); ``pooled_distrust`` D_i (N,).
    Returns, each (R, N):

        x_i,T = mean_{j ∈ T ∩ adv(i)} x_ij    (0 when the act names no adversary of i)
        h_i,T = max_{j ∈ T ∩ adv(i)} h_ij     (0 when it names none)
        D_i,T = mean_{j ∈ T ∩ adv(i)} D_ij    (D_i when it names none)
    """
    x_t = share @ seen
    h_t = np.where(named[:, :, None], hit[None, :, :], 0.0).max(axis=1, initial=0.0)
    some = np.asarray(named.any(axis=1))[:, None]
    d_t = np.where(some, share @ distrust, pooled_distrust)
    return x_t, h_t, d_t


def aimed_correction(
    acts: ActionAttrs,
    sens: Sensitivities,
    x: UtilityInputs,
    aimed: tuple[FloatArray, FloatArray, FloatArray],
) -> FloatArray:
    """U_ia (aimed) − U_ia (pooled) for R acts aimed at some of i's adversaries, (R, N):

        w_rec R_i host_a (x_i,T − x_i) + w_res S_i host⁺_a (h_i,T − h_i) − w_dist (D_i,T − D_i) neg_a

    ``acts``: the R acts' attributes; ``sens``, ``x``: the actor's sensitivities and utility
    inputs (pooled x_i, h_i, D_i); ``aimed``: (x_i,T, h_i,T, D_i,T) from :func:`aimed_state`.
    Added to the rows of :func:`action_utilities`, it swaps the pooled reciprocity, resolve and
    distrust terms of those acts for the dyads they name; other acts are untouched.
    """
    x_t, h_t, d_t = aimed
    return (
        acts.host[:, None] * (sens.reciprocity * (x_t - x.hostility_seen))
        + acts.hostp[:, None] * (sens.resolve * (h_t - x.hit))
        - acts.neg[:, None] * (sens.distrust * (d_t - x.distrust))
    )


def spread_dyad_hits(hit: FloatArray, links: list[tuple[IntArray, FloatArray, FloatArray]]) -> FloatArray:
    """Allies are drawn in per dyad: h_ij <- max(h_ij, w h_kj) for every alliance pair (i, k, w)
    and every adversary j of both. ``hit`` (P, N) over adversary pairs; ``links`` per alliance
    pair: (the rows of pairs (i, j), h_kj of those j (rows, N), w (N,)). Reads the hits before
    spreading, like :func:`spread_alliance_hits`."""
    out = hit.copy()
    for dest, source, w in links:
        out[dest] = np.maximum(out[dest], w * source)
    return out
