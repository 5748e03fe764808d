"""The fast forms of the targeted rules give the numbers of their plain (A, A, N) expressions bit
for bit, signed zeros included (the engine's results must not move when it gets faster)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import rules


def plain_reach(adversary: np.ndarray, targets: np.ndarray, choices: np.ndarray) -> np.ndarray:
    return adversary[:, :, None] & np.moveaxis(targets[choices], 2, 0)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("seed", range(12))
def test_targeted_rules_equal_plain_expressions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_a, n_k, n = int(rng.integers(2, 8)), int(rng.integers(2, 14)), 257
    adversary = rng.random((n_a, n_a)) < 0.5
    targets = rng.random((n_k, n_a)) < 0.5
    choices = rng.integers(0, n_k, (n_a, n))
    reach = rules.targeted(adversary, targets, choices)
    assert same_bits(reach, plain_reach(adversary, targets, choices))
    value = rng.choice([0.0, -0.0, 0.5, -0.5, 1.0, -1e-300], size=(n_a, n))
    weight = rng.choice([0.0, 1 / 3, 0.5, 1.0], size=(n_a, n_a))
    plain_sum = (np.where(reach, weight[:, :, None], 0.0) * value[None, :, :]).sum(axis=1)
    assert same_bits(rules.targeted_sum(weight, reach, value), plain_sum)
    strike = rng.choice([0.0, -0.0, 0.25, 1.0], size=(n_a, n))
    plain_hits = np.where(reach, strike[None, :, :], 0.0).max(axis=1)
    assert same_bits(rules.targeted_hits(reach, strike), plain_hits)
    wide = rules.targeted(np.ones((n_a, n_a), dtype=bool), targets, choices)  # many live pairs
    plain_wide = (np.where(wide, weight[:, :, None], 0.0) * value[None, :, :]).sum(axis=1)
    assert same_bits(rules.targeted_sum(weight, wide, value), plain_wide)
    wide_hits = np.where(wide, strike[None, :, :], 0.0).max(axis=1)
    assert same_bits(rules.targeted_hits(wide, strike), wide_hits)
    positive = np.abs(strike)  # no -0.0: the path that visits live pairs only
    plain_positive = np.where(reach, positive[None, :, :], 0.0).max(axis=1)
    assert same_bits(rules.targeted_hits(reach, positive), plain_positive)


def plain_sample_index(weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    threshold = u * weights.sum(axis=0)
    acc, idx = np.zeros(weights.shape[1]), np.zeros(weights.shape[1], dtype=np.int64)
    for k in range(weights.shape[0] - 1):
        acc += weights[k]
        idx += acc <= threshold
    return idx


@pytest.mark.parametrize("n_k", [2, 8, 300])
def test_sample_index_counts_as_the_plain_loop(n_k: int) -> None:
    """Counted in bytes below 256 actions and in int64 above: the same indices either way."""
    rng = np.random.default_rng(n_k)
    weights = rng.random((n_k, 500)) * (rng.random((n_k, 500)) < 0.7)
    weights[0] = 1.0
    u = rng.random(500)
    idx = rules.sample_index(weights, u)
    plain = plain_sample_index(weights, u)
    stray = (plain == n_k - 1) & (weights[n_k - 1] <= 0)  # corrected by sample_index alone
    assert idx.dtype == np.int64
    assert np.array_equal(idx[~stray], plain[~stray])


@pytest.mark.parametrize("seed", range(6))
def test_logit_weights_of_a_fixed_mask_equal_the_plain_expression(seed: int) -> None:
    """Actions not allowed in any run are left out of the exp (weight 0 = exp(-inf))."""
    rng = np.random.default_rng(seed)
    utilities = rng.normal(size=(8, 300)) * 3
    precision = rng.random(300) * 10
    allowed = rng.random((8, 1)) < 0.5
    allowed[int(rng.integers(8))] = True
    z = np.where(allowed, precision * utilities, -np.inf)
    plain = np.exp(z - z.max(axis=0, keepdims=True))
    assert same_bits(rules.logit_weights(utilities, allowed, precision), plain)
