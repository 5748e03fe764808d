"""Unit and property tests of the pure decision rules (sim/model/rules.py).

Expected values are computed by hand from the equations of docs/model.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.model import rules
from sim.model.rules import ActionAttrs, UtilityInputs, WeightArrays

# ---- builders: everything zero unless given -------------------------------------------------------


def _acts(k: int, **kw: list[float]) -> ActionAttrs:
    """K actions with every attribute 0 except those given (lists of length K)."""
    fields = {f: np.zeros(k) for f in ActionAttrs.__dataclass_fields__}
    fields.update({name: np.asarray(v, dtype=float) for name, v in kw.items()})
    return ActionAttrs(**fields)


def _inputs(n: int = 1, **kw: Any) -> UtilityInputs:
    """Utility inputs for N runs, all zero except those given (scalars or (N,) arrays)."""
    fields: dict[str, Any] = {f: np.zeros(n) for f in UtilityInputs.__dataclass_fields__}
    fields["before_wait"] = 0.0
    for name, v in kw.items():
        fields[name] = v if name == "before_wait" else np.broadcast_to(np.asarray(v, dtype=float), (n,))
    return UtilityInputs(**fields)


def _weights(n: int = 1, **kw: float) -> WeightArrays:
    fields = {f: np.zeros(n) for f in WeightArrays.__dataclass_fields__}
    fields.update({name: np.full(n, v) for name, v in kw.items()})
    return WeightArrays(**fields)


# A 3-action catalogue with distinct attributes: every term multiplies one of these columns.


ATTRS = {
    "host": [0.5, -1.0, 0.2],
    "hostp": [0.5, 0.0, 0.2],
    "coop": [0.0, 1.0, 0.3],
    "neg": [0.0, 1.0, 1.0],
    "mil": [1.0, 0.0, 1.0],
}

# (weight, weight value, inputs, attribute column, coefficient = weight * inputs by hand, sign)


TERMS = [
    # disposition: w (2H - 1) host  -> 2 * (2*0.8 - 1) = 1.2
    ("disposition", 2.0, {"hawk": 0.8}, "host", 1.2),
    # reciprocity: w R x host -> 1.5 * 0.4 * (-0.5) = -0.3
    ("reciprocity", 1.5, {"reciprocity": 0.4, "hostility_seen": -0.5}, "host", -0.3),
    # resolve: w S h host+ -> 2 * 0.5 * 0.8 = 0.8
    ("resolve", 2.0, {"resolve": 0.5, "hit": 0.8}, "hostp", 0.8),
    # spoiler: w Sp pi host+ -> 3 * 0.5 * 0.4 = 0.6
    ("spoiler", 3.0, {"spoiler": 0.5, "prospect": 0.4}, "hostp", 0.6),
    # pain: w C P coop -> 2 * 0.5 * 0.6 = 0.6
    ("pain", 2.0, {"cost": 0.5, "pressure": 0.6}, "coop", 0.6),
    # duress: - w A P neg -> -(3 * 0.5 * 0.4) = -0.6
    ("duress", 3.0, {"aversion": 0.5, "pressure": 0.4}, "neg", -0.6),
    # distrust: - w D neg -> -(2 * 0.3) = -0.6
    ("distrust", 2.0, {"distrust": 0.3}, "neg", -0.6),
    # wait-out before the awaited date: - w W neg -> -(1 * 0.5) = -0.5
    ("wait_out", 1.0, {"wait": 0.5, "before_wait": 1.0}, "neg", -0.5),
    # wait-out after the date: no effect
    ("wait_out", 1.0, {"wait": 0.5, "before_wait": 0.0}, "neg", 0.0),
    # war cost: - w C (1 - T) E/Emax mil -> -(3 * 0.5 * 0.8 * 0.5) = -0.6
    ("war_cost", 3.0, {"cost": 0.5, "risk": 0.2, "escalation_frac": 0.5}, "mil", -0.6),
]


@pytest.mark.parametrize(("weight", "w_value", "inputs", "column", "coef"), TERMS)
def test_action_utilities_one_term_at_a_time(
    weight: str, w_value: float, inputs: dict[str, float], column: str, coef: float
) -> None:
    acts = _acts(3, **ATTRS)
    u = rules.action_utilities(acts, _inputs(1, **inputs), _weights(1, **{weight: w_value}))
    assert u.shape == (3, 1)
    np.testing.assert_allclose(u[:, 0], coef * np.asarray(ATTRS[column]), rtol=0, atol=1e-12)


def test_action_utilities_zero_weight_kills_term() -> None:
    """The same inputs with the term's weight at 0 give 0 (the weight, not the trait, scales)."""
    acts = _acts(3, **ATTRS)
    full = _inputs(
        1,
        hawk=0.9,
        reciprocity=1,
        hostility_seen=1,
        resolve=1,
        hit=1,
        spoiler=1,
        prospect=1,
        cost=1,
        pressure=1,
        aversion=1,
        distrust=1,
        wait=1,
        before_wait=1.0,
        escalation_frac=1,
    )
    np.testing.assert_array_equal(rules.action_utilities(acts, full, _weights(1)), np.zeros((3, 1)))


def test_action_utilities_base_and_per_run_values() -> None:
    """Base utility adds as is; each run (column) uses its own traits."""
    acts = _acts(2, base=[1.0, -2.0], host=[1.0, -0.5])
    x = _inputs(2, hawk=np.array([1.0, 0.0]))
    u = rules.action_utilities(acts, x, _weights(2, disposition=1.0))
    # run 0: coef 1*(2*1-1) = 1; run 1: coef 1*(0-1) = -1
    expected = np.array([[1.0 + 1.0, 1.0 - 1.0], [-2.0 - 0.5, -2.0 + 0.5]])
    np.testing.assert_allclose(u, expected, atol=1e-12)


def test_action_utilities_terms_add_up() -> None:
    """All terms at once equal the sum of the single-term values."""
    acts = _acts(3, base=[0.1, 0.2, 0.3], **ATTRS)
    inputs: dict[str, Any] = {}
    w: dict[str, float] = {}
    total = np.asarray([0.1, 0.2, 0.3])
    for weight, w_value, inp, column, coef in TERMS[:8] + TERMS[9:]:
        if weight in w:
            continue
        overlap = set(inp) & set(inputs)
        if overlap and any(inputs[k] != inp[k] for k in overlap):
            continue
        inputs.update(inp)
        w[weight] = w_value
        total = total + coef * np.asarray(ATTRS[column])
    u = rules.action_utilities(acts, _inputs(1, **inputs), _weights(1, **w))
    np.testing.assert_allclose(u[:, 0], total, atol=1e-12)


# ---- logit ----------------------------------------------------------------------------------------


def test_logit_matches_hand_softmax() -> None:
    u = np.array([[1.0], [2.0], [3.0]])
    p = rules.logit_probabilities(u, np.ones((3, 1), dtype=bool), np.array([0.5]))
    e = [math.exp(0.5 * v) for v in (1, 2, 3)]
    np.testing.assert_allclose(p[:, 0], [x / sum(e) for x in e], rtol=1e-12)


def test_logit_masks_disallowed_actions() -> None:
    u = np.array([[1.0], [10.0], [3.0]])
    allowed = np.array([[True], [False], [True]])
    p = rules.logit_probabilities(u, allowed, np.array([1.0]))
    assert p[1, 0] == 0.0
    e1, e3 = math.exp(1.0), math.exp(3.0)
    np.testing.assert_allclose(p[[0, 2], 0], [e1 / (e1 + e3), e3 / (e1 + e3)], rtol=1e-12)


def test_logit_large_precision_is_argmax_and_small_is_uniform() -> None:
    u = np.array([[0.3, 2.0], [0.5, 1.0], [0.1, 1.5]])
    allowed = np.ones((3, 2), dtype=bool)
    p = rules.logit_probabilities(u, allowed, np.array([1e4, 1e4]))
    np.testing.assert_allclose(p, [[0, 1], [1, 0], [0, 0]], atol=1e-12)
    flat = rules.logit_probabilities(u, allowed, np.array([1e-9, 1e-9]))
    np.testing.assert_allclose(flat, np.full((3, 2), 1 / 3), atol=1e-8)


def test_logit_allowed_mask_broadcasts_over_runs() -> None:
    """A (K, 1) mask (same for every run) gives the same result as the full (K, N) mask."""
    u = np.random.default_rng(0).normal(size=(4, 5))
    mask = np.array([True, False, True, True])
    a = rules.logit_probabilities(u, mask[:, None], np.full(5, 2.0))
    b = rules.logit_probabilities(u, np.repeat(mask[:, None], 5, axis=1), np.full(5, 2.0))
    np.testing.assert_array_equal(a, b)


@st.composite
def _utilities_and_mask(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 6))
    n = draw(st.integers(1, 5))
    u = draw(hnp.arrays(np.float64, (k, n), elements=st.floats(-50, 50)))
    mask = draw(hnp.arrays(np.bool_, (k, n)))
    keep = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    mask[keep, np.arange(n)] = True  # every run has an allowed action
    lam = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.01, 100)))
    return u, mask, lam


@given(_utilities_and_mask())
def test_logit_probabilities_property(case: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    u, mask, lam = case
    p = rules.logit_probabilities(u, mask, lam)
    assert np.all(np.isfinite(p))
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, atol=1e-12)
    assert np.all(p[~mask] == 0)


# ---- inverse-CDF sampling --------------------------------------------------------------------------


def test_sample_index_around_cumulative_boundaries() -> None:
    w = np.array([1.0, 1.0, 2.0])  # cdf 1, 2, 4 of total 4: boundaries at u = 0.25 and 0.5
    eps = 1e-9
    us = np.array([0.0, 0.25 - eps, 0.25, 0.25 + eps, 0.5 - eps, 0.5 + eps, 1 - eps])
    idx = rules.sample_index(np.repeat(w[:, None], us.size, axis=1), us)
    np.testing.assert_array_equal(idx, [0, 0, 1, 1, 1, 2, 2])


def test_sample_index_skips_zero_weights() -> None:
    w = np.array([0.0, 1.0, 0.0, 1.0, 0.0])
    us = np.array([0.0, 0.49, 0.5, 0.99, 1 - 1e-16])
    idx = rules.sample_index(np.repeat(w[:, None], us.size, axis=1), us)
    np.testing.assert_array_equal(idx, [1, 1, 3, 3, 3])


@st.composite
def _weights_and_u(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    k = draw(st.integers(1, 8))
    n = draw(st.integers(1, 6))
    w = draw(hnp.arrays(np.float64, (k, n), elements=st.one_of(st.just(0.0), st.floats(1e-12, 1e6))))
    pos = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    val = draw(hnp.arrays(np.float64, (n,), elements=st.floats(1e-12, 1e6)))
    w[pos, np.arange(n)] = val
    u = draw(hnp.arrays(np.float64, (n,), elements=st.floats(0.0, 1.0, exclude_max=True)))
    return w, u


@given(_weights_and_u())
def test_sample_index_picks_positive_weight(case: tuple[np.ndarray, np.ndarray]) -> None:
    w, u = case
    idx = rules.sample_index(w, u)
    assert idx.shape == u.shape
    assert np.all(w[idx, np.arange(u.size)] > 0)


def test_sample_index_frequencies_follow_weights() -> None:
    w = np.array([0.2, 0.0, 0.5, 0.3])
    u = (np.arange(100_000) + 0.5) / 100_000  # a regular grid of quantiles
    idx = rules.sample_index(np.repeat(w[:, None], u.size, axis=1), u)
    np.testing.assert_allclose(np.bincount(idx, minlength=4) / u.size, w, atol=1e-4)


# ---- choice with trembles --------------------------------------------------------------------------


def test_choose_actions_tremble_picks_only_allowed() -> None:
    u = np.repeat(np.array([[10.0], [0.0], [0.0], [0.0]]), 3, axis=1)  # action 0 is by far the best
    allowed = np.repeat(np.array([[True], [False], [True], [True]]), 3, axis=1)
    lam = np.full(3, 100.0)
    u_choice = np.full(3, 0.5)
    u_pick = np.array([0.1, 0.5, 0.9])  # allowed cdf 1, 1, 2, 3 of 3 -> indices 0, 2, 3
    trembling = rules.choose_actions(u, allowed, lam, np.ones(3), u_choice, np.zeros(3), u_pick)
    np.testing.assert_array_equal(trembling, [0, 2, 3])
    steady = rules.choose_actions(u, allowed, lam, np.zeros(3), u_choice, np.zeros(3), u_pick)
    np.testing.assert_array_equal(steady, [0, 0, 0])
    # tremble iff u_tremble < inconsistency (0.5): runs 0 and 2 tremble, run 1 does not
    mixed = rules.choose_actions(
        u, allowed, lam, np.full(3, 0.5), u_choice, np.array([0.4, 0.6, 0.0]), u_pick
    )
    np.testing.assert_array_equal(mixed, [0, 0, 3])


def test_choose_actions_trembles_among_erratic_actions_when_possible() -> None:
    """``erratic`` restricts trembles to those actions (e.g. non-military), if any is allowed."""
    u = np.zeros((3, 4))
    allowed = np.array([[True, True, True, False], [True, True, True, True], [True, True, False, True]])
    erratic = np.array([True, False, False])  # only action 0 may be taken by mistake
    u_pick = np.array([0.0, 0.5, 0.99, 0.99])
    picks = rules.choose_actions(
        u, allowed, np.ones(4), np.ones(4), np.full(4, 0.5), np.zeros(4), u_pick, erratic=erratic
    )
    # runs 0-2 allow action 0 -> 0; run 3 does not: fall back to any allowed action (1 or 2)
    np.testing.assert_array_equal(picks[:3], [0, 0, 0])
    assert picks[3] in (1, 2) and allowed[picks[3], 3]


def test_choose_actions_never_disallowed_even_when_always_trembling() -> None:
    rng = np.random.default_rng(1)
    n = 5000
    u = rng.normal(size=(5, n)) * 5
    allowed = np.zeros((5, n), dtype=bool)
    allowed[[0, 3]] = True
    picks = rules.choose_actions(
        u, allowed, np.full(n, 2.0), np.ones(n), rng.random(n), rng.random(n), rng.random(n)
    )
    assert set(np.unique(picks)) == {0, 3}
    assert abs(np.mean(picks == 0) - 0.5) < 0.03  # uniform among the allowed


# ---- relations -------------------------------------------------------------------------------------


def test_consent_is_logistic_of_utility_gap() -> None:
    u = np.array([[0.0, 0.0, 1.0], [1.0, -2.0, 0.0], [5.0, 5.0, 9.0]])
    action = np.array([1, 1, 0])
    kappa = rules.consent(u, action, 0, np.array([1.0, 0.5, 3.0]), np.zeros(3))
    expected = [1 / (1 + math.exp(-1.0)), 1 / (1 + math.exp(1.0)), 0.5]  # gaps 1, -2 (x0.5), 0
    np.testing.assert_allclose(kappa, expected, rtol=1e-12)


def test_consent_leaves_out_base_utilities() -> None:
    """The holder judges the action, not its own cost of taking it: base_a is subtracted."""
    u = np.array([[0.5, 0.5], [3.0, 3.0]])  # status quo 0 (base 0.5), action 1 (base 2.0)
    kappa = rules.consent(u, np.array([1, 0]), 0, np.array([2.0, 2.0]), np.array([0.5, 2.0]))
    # run 0: (3 - 2) - (0.5 - 0.5) = 1 -> sigma(2); run 1: the status quo itself -> 0.5
    np.testing.assert_allclose(kappa, [1 / (1 + math.exp(-2.0)), 0.5], rtol=1e-12)


def test_consent_saturates_without_overflow() -> None:
    u = np.array([[0.0, 0.0], [1e6, -1e6]])
    with np.errstate(over="raise"):
        kappa = rules.consent(u, np.array([1, 1]), 0, np.array([100.0, 100.0]), np.zeros(2))
    assert kappa[0] == pytest.approx(1.0, abs=1e-15) and 0 <= kappa[1] < 1e-20
    assert np.all((kappa >= 0) & (kappa <= 1))


def test_gate_blocks_where_it_applies_and_draw_is_low() -> None:
    action = np.array([2, 2, 3, 4])
    applies = np.array([True, True, False, True])
    p_block = np.array([0.5, 0.5, 1.0, 0.0])
    u = np.array([0.4, 0.6, 0.0, 0.0])
    new, blocked = rules.gate(action, applies, p_block, u, status_quo=0)
    np.testing.assert_array_equal(new, [0, 2, 3, 4])
    np.testing.assert_array_equal(blocked, [True, False, False, False])


# ---- world updates ---------------------------------------------------------------------------------


_vec = hnp.arrays(np.float64, (4,), elements=st.floats(-20, 20))
