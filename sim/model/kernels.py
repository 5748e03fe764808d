"""Compiled loops behind the busiest rules of :mod:`sim.model.rules` and :mod:`sim.model.updates`.

Each kernel performs, run by run, the same floating-point operations in the same order as the
numpy expression of the rule it serves, so the numbers are the same bit for bit
(tests/model/test_kernels.py checks every kernel against that expression); what changes is
that the arrays are read once instead of once per operation, with no temporaries. Compiled
without ``fastmath``: no reassociation and no fused multiply-add, which would change the
rounding. Exponentials and tanh stay in numpy (its SIMD versions round differently from the C
library's), and so do matrix products (BLAS uses fused multiply-adds).

Arguments are 2-D float64 arrays (rows: actors, pairs or actions; columns: the runs) unless
said; a per-run parameter is an (N,) array. Callers broadcast scalars with ``np.broadcast_to``
(no copy). Compiled code is cached next to this file (numba ``cache=True``), so a process pays
the compilation once per machine, not once per run.
"""

from __future__ import annotations

import numba
import numpy as np

_compiled = numba.njit(cache=True, nogil=True, fastmath=False)

FloatArray = np.ndarray


def grid(*arrays: FloatArray | float) -> tuple[tuple[int, ...], list[np.ndarray]]:
    """The common shape of ``arrays`` and each as a 2-D array for the compiled kernels: (rows,
    runs), or (1, runs) for a per-run array that the kernels read on every row. The usual call
    (a state (A, N) first, then (A, N) and (N,) arrays) takes views only; any other broadcast
    goes through numpy's (no copies either)."""
    first = arrays[0]
    if isinstance(first, np.ndarray) and first.ndim == 2 and first.dtype == np.float64:
        n = first.shape[1]
        views = [
            a if a.ndim == 2 else a.reshape(1, n)
            for a in arrays
            if isinstance(a, np.ndarray) and a.dtype == np.float64 and a.shape in (first.shape, (n,))
        ]
        if len(views) == len(arrays):
            return first.shape, views
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    rows = (1, 1) if not shape else (int(np.prod(shape[:-1], dtype=np.int64)), shape[-1])
    return shape, [np.broadcast_to(np.asarray(a, dtype=float), shape).reshape(rows) for a in arrays]


def per_run(value: FloatArray | float, n: int) -> np.ndarray:
    """``value`` as a float (N,) array for a kernel (a copy only when it is not one already)."""
    if isinstance(value, np.ndarray) and value.shape == (n,) and value.dtype == np.float64:
        return value
    return np.broadcast_to(np.asarray(value, dtype=float), (n,))


@_compiled
def _max(a: float, b: float) -> float:
    """np.maximum(a, b) of two numbers (no NaN here): b when they are equal, as numpy's
    vectorised loop returns (so a zero keeps the sign numpy gives it)."""
    return a if a > b else b


@_compiled
def _row(x: np.ndarray, i: int) -> int:
    """Row i of a (rows, N) array, or its only row when it is (1, N)."""
    return i if x.shape[0] > 1 else 0


@_compiled
def _clip01(x: float) -> float:
    """np.clip(x, 0, 1): x itself when it equals a bound (so -0.0 stays -0.0, as in numpy)."""
    return (x if x >= 0.0 else 0.0) if x <= 1.0 else 1.0


@_compiled
def distrust_update(
    distrust: np.ndarray,
    seen: np.ndarray,
    seen_before: np.ndarray,
    learning: np.ndarray,
    mixed_sensitivity: np.ndarray,
) -> np.ndarray:
    """clip(D + eta (max(x, 0) - max(-x, 0) D) + mu max(0, -x x_prev), 0, 1); eta and mu (rows,
    N) or (1, N) (the same on every row)."""
    rows, n = distrust.shape
    out = np.empty((rows, n))
    for i in range(rows):
        eta, mu = learning[_row(learning, i)], mixed_sensitivity[_row(mixed_sensitivity, i)]
        for r in range(n):
            x, d = seen[i, r], distrust[i, r]
            rise = _max(x, 0.0)
            fall = _max(-x, 0.0) * d
            mixed = _max(0.0, -x * seen_before[i, r])
            out[i, r] = _clip01(d + eta[r] * (rise - fall) + mu[r] * mixed)
    return out


@_compiled
def pressure_update(
    pressure: np.ndarray, inflow: np.ndarray, floor: np.ndarray, decay: np.ndarray
) -> np.ndarray:
    """max(floor, clip(P - delta (P - floor) + inflow, 0, 1)); delta (rows, N) or (1, N)."""
    rows, n = pressure.shape
    out = np.empty((rows, n))
    for i in range(rows):
        delta = decay[_row(decay, i)]
        for r in range(n):
            p, f = pressure[i, r], floor[i, r]
            out[i, r] = _max(f, _clip01(p - delta[r] * (p - f) + inflow[i, r]))
    return out


@_compiled
def targeted_sum(
    weight: np.ndarray, reach: np.ndarray, value: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray
) -> np.ndarray:
    """out_i = sum over the pairs (i, j), j ascending, of [reach_ij] weight_ij value_j, from +0.
    ``reach`` (A, A, N) bool; the pairs sorted by i then j."""
    out = np.zeros(value.shape)
    for p in range(pair_i.size):
        i, j = pair_i[p], pair_j[p]
        w = weight[i, j]
        for r in range(value.shape[1]):
            out[i, r] += (w if reach[i, j, r] else 0.0) * value[j, r]
    return out


@_compiled
def targeted_hits(
    reach: np.ndarray, strike: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray
) -> np.ndarray:
    """out_i = max(0, max over the pairs (i, j) that reach of strike_j)."""
    out = np.zeros(strike.shape)
    for p in range(pair_i.size):
        i, j = pair_i[p], pair_j[p]
        for r in range(strike.shape[1]):
            if reach[i, j, r] and strike[j, r] > out[i, r]:
                out[i, r] = strike[j, r]
    return out


@_compiled
def sample_index(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """First k whose running sum w_0 + ... + w_k exceeds u (w_0 + ... + w_K-1), per column; past
    the last positive weight (a rounding stray) the last positive one (K-1 if none). Row by
    row: the sums add the rows in order, as numpy's sum over axis 0 does."""
    k_n, n = weights.shape
    last = k_n - 1
    threshold = weights[0].copy()
    for k in range(1, k_n):
        for r in range(n):
            threshold[r] += weights[k, r]
    for r in range(n):
        threshold[r] *= u[r]
    acc = weights[0].copy()
    idx = np.zeros(n, dtype=np.int64)
    for k in range(last):
        for r in range(n):
            if k:
                acc[r] += weights[k, r]
            if acc[r] <= threshold[r]:
                idx[r] += 1
    for r in range(n):
        if idx[r] == last and weights[last, r] <= 0.0:
            for k in range(last, -1, -1):
                if weights[k, r] > 0.0:
                    idx[r] = k
                    break
    return idx


@_compiled
def logit_exponents(
    utilities: np.ndarray, allowed: np.ndarray, precision: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """z_a = lambda U_a - max over allowed b of lambda U_b (-inf where not allowed), (K, C) for
    the runs ``cols`` (C,); ``utilities`` (K, N), ``allowed`` (K, N) or (K, 1) (the same in
    every run) bool, ``precision`` lambda (N,). The logit weights are exp(z)."""
    k_n = utilities.shape[0]
    wide = allowed.shape[1] > 1
    z = np.empty((k_n, cols.size))
    top = np.full(cols.size, -np.inf)
    for k in range(k_n):
        for c in range(cols.size):
            r = cols[c]
            v = precision[r] * utilities[k, r] if allowed[k, r if wide else 0] else -np.inf
            z[k, c] = v
            top[c] = max(top[c], v)
    for k in range(k_n):
        for c in range(cols.size):
            z[k, c] -= top[c]
    return z


@_compiled
def choose(
    weights: np.ndarray,
    cols: np.ndarray,
    n: int,
    status_quo: int,
    u_choice: np.ndarray,
    u_tremble: np.ndarray,
    u_pick: np.ndarray,
    inconsistency: np.ndarray,
    allowed: np.ndarray,
    erratic: np.ndarray,
    steady: np.ndarray,
    labels: np.ndarray,
) -> np.ndarray:
    """One action per run (N,), as ``labels[k]`` (K,) of the row k chosen (e.g. the actor's
    scored actions): in the runs ``cols`` (C,), the logit draw from ``weights``
    (K, C) with u_choice, replaced, where u_tremble < inconsistency and the act is not
    ``steady``, by a uniform draw (u_pick) among the allowed ``erratic`` acts (all allowed acts
    if none is); ``status_quo`` in the other runs. ``allowed`` (K, N) or (K, 1); ``erratic``,
    ``steady`` (K,) bool; the u's and inconsistency (N,)."""
    k_n = weights.shape[0]
    wide = allowed.shape[1] > 1
    drawn = sample_index(weights, u_choice[cols])  # row by row: the sums vectorise
    trembling = np.zeros(cols.size, dtype=np.bool_)
    for c in range(cols.size):
        r = cols[c]
        trembling[c] = u_tremble[r] < inconsistency[r] and not steady[drawn[c]]
    shaky = cols[trembling]  # only these runs (a few percent) need the random pick
    pool = np.zeros((k_n, shaky.size))  # 0/1 weights: the allowed erratic acts, else all allowed
    for t in range(shaky.size):
        col = shaky[t] if wide else 0
        some = False
        for k in range(k_n):
            if allowed[k, col] and erratic[k]:
                pool[k, t] = 1.0
                some = True
        if not some:
            for k in range(k_n):
                pool[k, t] = 1.0 if allowed[k, col] else 0.0
    drawn[trembling] = sample_index(pool, u_pick[shaky])
    choice = np.full(n, labels[status_quo], dtype=np.int64)
    for c in range(cols.size):
        choice[cols[c]] = labels[drawn[c]]
    return choice


@_compiled
def act_outputs(
    choices: np.ndarray,
    delta: np.ndarray,
    mil: np.ndarray,
    pressure: np.ndarray,
    hostp: np.ndarray,
    host: np.ndarray,
    prospect: np.ndarray,
    cap_mil: np.ndarray,
    cap_econ: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What each actor's act puts out this step, from ``choices`` (A, N) and the per-action
    attributes (K,): escalation push delta (m if military else 1), pressure put out
    pressure · c_econ, strike host+ · mil · max(m, 0), hostility host, each (A, N); and the
    talks prospect added, sum over actors of prospect (N,). m, c_econ: capabilities (A, N)."""
    a_n, n = choices.shape
    pushes, out, strike, hostility = (
        np.empty((a_n, n)),
        np.empty((a_n, n)),
        np.empty((a_n, n)),
        np.empty((a_n, n)),
    )
    for i in range(a_n):
        for r in range(n):
            c = choices[i, r]
            m, cap = mil[c], cap_mil[i, r]
            pushes[i, r] = delta[c] * (cap if m > 0 else 1.0)
            out[i, r] = pressure[c] * cap_econ[i, r]
            strike[i, r] = hostp[c] * m * _max(cap, 0.0)
            hostility[i, r] = host[c]
    added = np.zeros(n)  # the rows added in order to +0, as numpy's sum over axis 0 does
    for i in range(a_n):
        for r in range(n):
            added[r] += prospect[choices[i, r]]
    return pushes, out, strike, hostility, added


@_compiled
def targeted(t_of: np.ndarray, choices: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray) -> np.ndarray:
    """(A, A, N) bool: reach_ijr = t_of[i, choices[j, r]] on the pairs (i, j), False elsewhere;
    ``t_of`` (A, K) bool: whether each act targets i."""
    a_n, n = choices.shape
    reach = np.zeros((a_n, a_n, n), dtype=np.bool_)
    for p in range(pair_i.size):
        i, j = pair_i[p], pair_j[p]
        for r in range(n):
            reach[i, j, r] = t_of[i, choices[j, r]]
    return reach


@_compiled
def pair_signals(
    reach: np.ndarray, host: np.ndarray, strike: np.ndarray, pair_i: np.ndarray, pair_j: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per pair p = (i, j), (P, N) each: host_j where j's act reaches i, else 0 (hostility seen),
    and strike_j where it reaches, else 0 (hit)."""
    n = host.shape[1]
    seen, hit = np.empty((pair_i.size, n)), np.empty((pair_i.size, n))
    for p in range(pair_i.size):
        i, j = pair_i[p], pair_j[p]
        for r in range(n):
            on = reach[i, j, r]
            seen[p, r] = host[j, r] if on else 0.0
            hit[p, r] = strike[j, r] if on else 0.0
    return seen, hit


@_compiled
def going_on_cost(
    pain: np.ndarray,
    cost: np.ndarray,
    pressure: np.ndarray,
    duress: np.ndarray,
    aversion: np.ndarray,
    wait_weight: np.ndarray,
    wait: np.ndarray,
    before_wait: float,
    war_weight: np.ndarray,
    risk: np.ndarray,
    escalation: np.ndarray,
    e_max: float,
) -> np.ndarray:
    """g (N,) = w_pain C P - w_dur A P - w_wait W b + w_war C (1 - T) E / E_max, each product
    taken left to right (bargain.going_on_cost); every array (N,)."""
    n = cost.shape[0]
    g = np.empty(n)
    for r in range(n):
        c, p = cost[r], pressure[r]
        g[r] = (
            pain[r] * c * p
            - duress[r] * aversion[r] * p
            - wait_weight[r] * wait[r] * before_wait
            + war_weight[r] * c * (1.0 - risk[r]) * escalation[r] / e_max
        )
    return g


@_compiled
def escalation_histogram(escalation: np.ndarray, bins_per_point: float, n_bins: int) -> np.ndarray:
    """(n_bins,) counts of the runs in bin min(int(E * bins_per_point), n_bins - 1), E >= 0."""
    hist = np.zeros(n_bins, dtype=np.int64)
    for r in range(escalation.size):
        hist[min(int(escalation[r] * bins_per_point), n_bins - 1)] += 1
    return hist


@_compiled
def action_counts(choices: np.ndarray, n_actions: int) -> np.ndarray:
    """(A, n_actions): how many runs each actor took each action in, from ``choices`` (A, N)."""
    counts = np.zeros((choices.shape[0], n_actions), dtype=np.int64)
    for i in range(choices.shape[0]):
        for r in range(choices.shape[1]):
            counts[i, choices[i, r]] += 1
    return counts


@_compiled
def terms_value(
    share: np.ndarray, ideal: np.ndarray, x: np.ndarray, cols: np.ndarray, indifferent: np.ndarray
) -> np.ndarray:
    """U(x) (C,) = sum_k share_k (1 - |x_k - ideal_k|) + indifferent, in the runs ``cols`` (C,):
    ``share``, ``ideal`` (I, N), ``x`` (I, C), ``indifferent`` (N,); summed over k from +0."""
    value = np.zeros(cols.size)
    for k in range(x.shape[0]):
        for c in range(cols.size):
            r = cols[c]
            value[c] += share[k, r] * (1.0 - abs(x[k, c] - ideal[k, r]))
    for c in range(cols.size):
        value[c] += indifferent[cols[c]]
    return value


@_compiled
def acceptance_margin(
    utility: np.ndarray, reservation: np.ndarray, weight: np.ndarray, going_on: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """M (C,) = w (U - U(r)) + g in the runs ``cols``: ``utility`` (C,), the rest (N,)."""
    margin = np.empty(cols.size)
    for c in range(cols.size):
        r = cols[c]
        margin[c] = weight[r] * (utility[c] - reservation[r]) + going_on[r]
    return margin


@_compiled
def consent_exponent(
    utilities: np.ndarray, action: np.ndarray, status_quo: int, precision: np.ndarray, base: np.ndarray
) -> np.ndarray:
    """clip(lambda ((U_a - base_a) - (U_q - base_q)), -60, 60) (N,) for the action a of each run;
    ``utilities`` (K, N), ``action`` (N,) local indices, ``precision`` (N,)."""
    n = action.size
    z = np.empty(n)
    for r in range(n):
        a = action[r]
        diff = utilities[a, r] - base[a] - (utilities[status_quo, r] - base[status_quo])
        v = precision[r] * diff
        z[r] = (v if v >= -60.0 else -60.0) if v <= 60.0 else 60.0
    return z
