"""The compiled kernels behind the rules (sim.model.kernels) give the numbers of the plain numpy
expressions they replaced bit for bit: the engine's results must not move when it gets faster.

Each ``plain_*`` function below is the numpy form the rule had before it was compiled. Signed
zeros are compared too (same bytes), except where a docstring says a zero may change sign."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model import bargain, kernels, rules, updates


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def plain_reach(adversary: np.ndarray, targets: np.ndarray, choices: np.ndarray) -> np.ndarray:
    return adversary[:, :, None] & np.moveaxis(targets[choices], 2, 0)


def plain_distrust(
    d: np.ndarray, x: np.ndarray, x0: np.ndarray, eta: np.ndarray, mu: np.ndarray
) -> np.ndarray:
    rise = np.maximum(x, 0.0)
    fall = np.maximum(-x, 0.0) * d
    mixed = np.maximum(0.0, -x * x0)
    return np.clip(d + eta * (rise - fall) + mu * mixed, 0.0, 1.0)


def plain_pressure(p: np.ndarray, inflow: np.ndarray, floor: np.ndarray, decay: np.ndarray) -> np.ndarray:
    return np.maximum(floor, np.clip(p - decay * (p - floor) + inflow, 0.0, 1.0))


def plain_sample_index(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    threshold = u * weights.sum(axis=0)
    acc, idx = weights[0].copy(), np.zeros(weights.shape[1], dtype=np.int64)
    for k in range(weights.shape[0] - 1):
        if k:
            acc += weights[k]
        idx += acc <= threshold
    last = weights.shape[0] - 1
    stray = (idx == last) & (weights[last] <= 0)
    if stray.any():
        positive = weights[:, stray] > 0
        idx[stray] = last - np.argmax(positive[::-1], axis=0)
    return idx


def plain_logit_weights(utilities: np.ndarray, allowed: np.ndarray, precision: np.ndarray) -> np.ndarray:
    z = np.where(allowed, precision * utilities, -np.inf)
    return np.exp(z - z.max(axis=0, keepdims=True))


def plain_choose(
    utilities: np.ndarray,
    allowed: np.ndarray,
    precision: np.ndarray,
    inconsistency: np.ndarray,
    u: np.ndarray,
    erratic: np.ndarray,
    steady: np.ndarray,
    acting: np.ndarray,
    status_quo: int,
) -> np.ndarray:
    chosen = plain_sample_index(plain_logit_weights(utilities, allowed, precision), u[0])
    trembles = (u[1] < inconsistency) & ~steady[chosen]
    cols = np.flatnonzero(trembles)
    if cols.size:
        allowed_t = allowed[:, cols] if allowed.shape[1] > 1 else np.repeat(allowed, cols.size, axis=1)
        pool = allowed_t & erratic[:, None]
        pool = np.where(pool.any(axis=0), pool, allowed_t)
        chosen[cols] = plain_sample_index(pool.astype(float), u[2][cols])
    return np.where(acting, chosen, status_quo)


def signed_values(rng: np.random.Generator, shape: tuple[int, ...], low: float = -1.0) -> np.ndarray:
    """Uniform values with exact zeros of both signs and the bounds mixed in."""
    x = low + (1.0 - low) * rng.random(shape)
    special = rng.choice(np.array([0.0, -0.0, 1.0, low, 0.5]), size=shape)
    return np.where(rng.random(shape) < 0.2, special, x)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 9), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_distrust_and_pressure_updates_equal_the_plain_expressions(rows: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    d, floor = signed_values(rng, (rows, n), 0.0), signed_values(rng, (rows, n), 0.0)
    x, x0, inflow = (
        signed_values(rng, (rows, n)),
        signed_values(rng, (rows, n)),
        signed_values(rng, (rows, n)),
    )
    eta, mu = rng.random(n), rng.random(n)
    assert same_bits(updates.distrust_update(d, x, x0, eta, mu), plain_distrust(d, x, x0, eta, mu))
    assert same_bits(updates.pressure_update(d, inflow, floor, eta), plain_pressure(d, inflow, floor, eta))
    # Scalars and single rows broadcast as numpy would.
    assert same_bits(
        updates.distrust_update(d[0], x[0], x0[0], 0.3, 0.1), plain_distrust(d[0], x[0], x0[0], 0.3, 0.1)
    )
    assert same_bits(updates.pressure_update(d, inflow, 0.25, 0.5), plain_pressure(d, inflow, 0.25, 0.5))
    column = floor[:, :1]  # a floor the same in every run: (A, 1)
    assert same_bits(updates.pressure_update(d, inflow, column, eta), plain_pressure(d, inflow, column, eta))


@pytest.mark.parametrize("seed", range(12))
def test_targeted_rules_equal_plain_expressions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_a, n_k, n = int(rng.integers(2, 8)), int(rng.integers(2, 14)), 257
    adversary = rng.random((n_a, n_a)) < 0.5
    targets = rng.random((n_k, n_a)) < 0.5
    choices = rng.integers(0, n_k, (n_a, n))
    for adv in (adversary, np.ones((n_a, n_a), dtype=bool)):  # few live pairs, and every pair
        reach = updates.targeted(adv, targets, choices)
        assert same_bits(reach, plain_reach(adv, targets, choices))
        value = rng.choice([0.0, -0.0, 0.5, -0.5, 1.0, -1e-300], size=(n_a, n))
        weight = rng.choice([0.0, 1 / 3, 0.5, 1.0], size=(n_a, n_a))
        plain_sum = (np.where(reach, weight[:, :, None], 0.0) * value[None, :, :]).sum(axis=1)
        assert same_bits(updates.targeted_sum(weight, reach, value), plain_sum)
        strike = rng.choice([0.0, 0.25, 1.0], size=(n_a, n))
        plain_hits = np.where(reach, strike[None, :, :], 0.0).max(axis=1)
        assert same_bits(updates.targeted_hits(reach, strike), plain_hits)
        # A strike of -0.0 may come back as +0.0 (documented): the same values.
        signed = np.where(strike == 0.0, -0.0, strike)
        np.testing.assert_array_equal(updates.targeted_hits(reach, signed), plain_hits)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12), st.integers(1, 200), st.integers(0, 2**32 - 1), st.booleans())
def test_sample_index_equals_the_plain_loop(n_k: int, n: int, seed: int, tiny: bool) -> None:
    """Including the rounding strays past the last positive weight (tiny weights make them)."""
    rng = np.random.default_rng(seed)
    weights = rng.random((n_k, n)) * (rng.random((n_k, n)) < 0.7)
    if tiny:
        weights *= rng.choice([1e-300, 1e-17, 1.0], size=(n_k, n))
    weights[int(rng.integers(n_k))] += 1e-3
    u = np.where(rng.random(n) < 0.1, np.nextafter(1.0, 0.0), rng.random(n))
    assert same_bits(rules.sample_index(weights, u), plain_sample_index(weights, u))


def test_sample_index_takes_the_last_positive_weight_past_a_stray() -> None:
    """Known answer: u just under 1 with the last weight 0 picks the last positive weight."""
    weights = np.array([[0.1], [0.2], [0.0]])
    u = np.array([np.nextafter(1.0, 0.0)])
    assert kernels.sample_index(weights, u)[0] in (1,)
    assert rules.sample_index(np.array([[0.0], [0.0]]), np.array([0.99]))[0] == 1  # none positive: K-1


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 10),
    st.integers(1, 200),
    st.integers(0, 2**32 - 1),
    st.sampled_from(["all", "fixed", "per-run"]),
)
def test_logit_weights_and_choices_equal_the_plain_expressions(
    n_k: int, n: int, seed: int, mask: str
) -> None:
    rng = np.random.default_rng(seed)
    utilities = rng.normal(size=(n_k, n)) * 3
    precision = rng.random(n) * 10
    shape = (n_k, n) if mask == "per-run" else (n_k, 1)
    allowed = np.ones(shape, dtype=bool) if mask == "all" else rng.random(shape) < 0.5
    sq = int(rng.integers(n_k))
    allowed[sq] = True
    assert same_bits(
        rules.logit_weights(utilities, allowed, precision), plain_logit_weights(utilities, allowed, precision)
    )
    cols = np.flatnonzero(rng.random(n) < 0.6)
    plain_cols = plain_logit_weights(utilities, allowed, precision)[:, cols]
    assert same_bits(rules.logit_weights(utilities, allowed, precision, cols), plain_cols)
    u = rng.random((3, n))
    inconsistency = rng.random(n) * 0.5
    erratic, steady = rng.random(n_k) < 0.5, rng.random(n_k) < 0.3
    acting = rng.random(n) < 0.7
    got = rules.choose_actions(
        utilities, allowed, precision, inconsistency, u[0], u[1], u[2], erratic, steady, acting, sq
    )
    want = plain_choose(utilities, allowed, precision, inconsistency, u, erratic, steady, acting, sq)
    assert same_bits(got, want)


def test_choose_actions_defaults_let_every_action_tremble() -> None:
    """Known answer: with inconsistency 1 and no ``steady`` acts, every run picks uniformly among
    the allowed acts, whatever the utilities."""
    n = 4000
    utilities = np.tile(np.array([[10.0], [0.0], [0.0]]), (1, n))
    allowed = np.array([[True], [True], [False]])
    rng = np.random.default_rng(5)
    got = rules.choose_actions(utilities, allowed, np.full(n, 5.0), np.ones(n), *rng.random((3, n)))
    assert set(np.unique(got)) == {0, 1}
    assert abs(np.mean(got == 1) - 0.5) < 0.03


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 14), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_act_outputs_equal_the_plain_gathers(n_a: int, n_k: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    host = signed_values(rng, (n_k,))
    acts = rules.ActionAttrs(
        host=host,
        hostp=np.maximum(host, 0.0),
        coop=rng.random(n_k),
        neg=(rng.random(n_k) < 0.3).astype(float),
        mil=(rng.random(n_k) < 0.3).astype(float),
        base=rng.normal(size=n_k),
        delta=signed_values(rng, (n_k,)) * 5,
        pressure=signed_values(rng, (n_k,)),
        prospect=signed_values(rng, (n_k,)),
    )
    choices = rng.integers(0, n_k, (n_a, n))
    cap_mil, cap_econ = signed_values(rng, (n_a, n)) * 2, signed_values(rng, (n_a, n), 0.0)
    got = updates.act_outputs(acts, choices, cap_mil, cap_econ)
    military = acts.mil.take(choices)
    assert same_bits(got.pushes, acts.delta.take(choices) * np.where(military > 0, cap_mil, 1.0))
    assert same_bits(got.pressure, acts.pressure.take(choices) * cap_econ)
    assert same_bits(got.strike, acts.hostp.take(choices) * military * np.maximum(cap_mil, 0.0))
    assert same_bits(got.hostility, acts.host.take(choices))
    assert same_bits(got.prospect, acts.prospect.take(choices).sum(axis=0))


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_pair_signals_equal_the_plain_gathers(n_a: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    reach = rng.random((n_a, n_a, n)) < 0.4
    host, strike = signed_values(rng, (n_a, n)), signed_values(rng, (n_a, n), 0.0)
    pair_i, pair_j = np.nonzero(rng.random((n_a, n_a)) < 0.5)
    seen, hit = kernels.pair_signals(reach, host, strike, pair_i, pair_j)
    r = reach[pair_i, pair_j]
    assert same_bits(seen, np.where(r, host[pair_j], 0.0).reshape(seen.shape))
    assert same_bits(hit, np.where(r, strike[pair_j], 0.0).reshape(hit.shape))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 300), st.integers(0, 2**32 - 1), st.booleans())
def test_going_on_cost_equals_the_plain_expression(n: int, seed: int, before: bool) -> None:
    rng = np.random.default_rng(seed)
    w = rng.random((4, n)) * 3
    cost, pressure, aversion, wait, risk = rng.random((5, n))
    escalation, e_max = rng.random(n) * 70, 70.0
    b = float(before)
    plain = (
        w[0] * cost * pressure
        - w[1] * aversion * pressure
        - w[2] * wait * b
        + w[3] * cost * (1.0 - risk) * escalation / e_max
    )
    got = kernels.going_on_cost(
        w[0], cost, pressure, w[1], aversion, w[2], wait, b, w[3], risk, escalation, e_max
    )
    assert same_bits(got, plain)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 8), st.integers(1, 14), st.integers(1, 300), st.integers(0, 2**32 - 1))
def test_step_tallies_equal_bincount(n_a: int, n_k: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    e_max, bins = 70.0, 7
    escalation = np.where(rng.random(n) < 0.1, e_max, rng.random(n) * e_max)  # the top: last bin
    plain = np.bincount(np.minimum((escalation * (bins / e_max)).astype(np.int64), bins - 1), minlength=bins)
    assert same_bits(kernels.escalation_histogram(escalation, bins / e_max, bins), plain)
    choices = rng.integers(0, n_k, (n_a, n))
    flat = (np.arange(n_a)[:, None] * n_k + choices).ravel()
    plain_counts = np.bincount(flat, minlength=n_a * n_k).reshape(n_a, n_k)
    assert same_bits(kernels.action_counts(choices, n_k), plain_counts)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_bargaining_values_equal_the_plain_expressions(n_i: int, n: int, seed: int) -> None:
    """BargainTable.utility and .margin: the terms' value and the acceptance margin on a subset
    of the runs, against their numpy forms."""
    rng = np.random.default_rng(seed)
    share, ideal = rng.random((n_i, n)), rng.random((n_i, n))
    indifferent = rng.choice([0.0, 0.5], size=n)
    cols = np.flatnonzero(rng.random(n) < 0.5)
    x = rng.random((n_i, 2 * cols.size))[:, ::2]  # a strided view, as a subset of terms can be
    plain = (share[:, cols] * (1.0 - np.abs(x - ideal[:, cols]))).sum(axis=0) + indifferent[cols]
    assert same_bits(kernels.terms_value(share, ideal, x, cols, indifferent), plain)
    utility, reservation, weight, going_on = (
        rng.random(cols.size),
        rng.random(n),
        rng.random(n),
        rng.normal(size=n),
    )
    plain_margin = weight[cols] * (utility - reservation[cols]) + going_on[cols]
    assert same_bits(bargain.acceptance_margin(utility, reservation, weight, going_on, cols), plain_margin)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10), st.integers(1, 200), st.integers(0, 2**32 - 1))
def test_consent_equals_the_plain_expression(n_k: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    utilities, base = rng.normal(size=(n_k, n)) * 20, rng.normal(size=n_k)
    action, sq = rng.integers(0, n_k, n), int(rng.integers(n_k))
    precision = rng.random(n) * 10
    cols = np.arange(n)
    diff = utilities[action, cols] - base[action] - (utilities[sq, cols] - base[sq])
    plain = 1.0 / (1.0 + np.exp(-np.clip(precision * diff, -60.0, 60.0)))
    assert same_bits(rules.consent(utilities, action, sq, precision, base), plain)
