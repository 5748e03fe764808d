"""Decision rules: small pure functions of arrays and parameters.

How each actor scores its actions, chooses among them and consents to others' acts. Every
function works on arrays over the runs of a batch (last axis ``N``); action arrays put the short
action axis first (``(K, N)``), which makes reductions over actions fast. The Mesa agents call
these functions and nothing else, whether a batch holds 1 run or 100,000; what the chosen acts do
to the world is in :mod:`sim.model.updates`. Equations refer to docs/model.md.
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
