"""Unit and property tests of the world update rules (sim/model/updates.py).

Expected values are computed by hand from the equations of docs/model.md.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.model import updates

_unit = st.floats(0.0, 1.0)


def test_accident_probability_formula_and_cap() -> None:
    p = updates.accident_probability(np.array([0.0, 50.0, 100.0]), np.array(0.01), np.array(2.0), 100.0)
    np.testing.assert_allclose(p, [0.01, 0.01 * math.e, 0.01 * math.e**2], rtol=1e-12)
    capped = updates.accident_probability(np.array([100.0]), np.array(0.5), np.array(5.0), 100.0)
    assert capped[0] == 1.0


def test_escalation_update_by_hand_and_clipping() -> None:
    e = np.array([50.0, 99.0, 2.0])
    pushes = np.array([[3.0, 5.0, -5.0], [4.0, 5.0, -5.0]])  # (A=2, N=3)
    out = updates.escalation_update(e, pushes, np.array(0.1), np.array([2.0, 0.0, 0.0]), 100.0)
    # 50 - 5 + 7 + 2 = 54; 99 - 9.9 + 10 = 99.1; 2 - 0.2 - 10 -> 0
    np.testing.assert_allclose(out, [54.0, 99.1, 0.0], atol=1e-12)
    top = updates.escalation_update(np.array([99.0]), np.array([[10.0]]), np.array(0.0), 0.0, 100.0)
    assert top[0] == 100.0


def test_pressure_update_by_hand_and_floor() -> None:
    p = np.array([0.5, 0.3, 0.95, 0.1])
    inflow = np.array([0.05, 0.0, 0.2, -0.5])
    floor = np.array([0.2, 0.7, 0.0, 0.0])
    out = updates.pressure_update(p, inflow, floor, np.array(0.1))
    # 0.5 - 0.1*0.3 + 0.05 = 0.52; floor 0.7 wins over 0.34; 0.95 - 0.095 + 0.2 -> 1; -> 0
    np.testing.assert_allclose(out, [0.52, 0.7, 1.0, 0.0], atol=1e-12)


@pytest.mark.parametrize(
    ("d", "seen", "before", "expected"),
    [
        (0.5, 0.6, 0.0, 0.56),  # hostility raises: 0.5 + 0.1*0.6
        (0.5, -0.4, 0.0, 0.48),  # cooperation lowers in proportion: 0.5 - 0.1*0.4*0.5
        (0.5, 0.6, 0.5, 0.56),  # same sign twice: no mixed signal
        (0.5, 0.6, -0.5, 0.62),  # coop then hostile: + 0.2 * 0.3
        (0.5, -0.4, 0.5, 0.52),  # hostile then coop: 0.48 + 0.2 * 0.2
        (0.98, 1.0, -1.0, 1.0),  # clipped at 1
        (0.0, -1.0, 0.0, 0.0),  # nothing left to lose
    ],
)
def test_distrust_update_cases(d: float, seen: float, before: float, expected: float) -> None:
    out = updates.distrust_update(
        np.array([d]), np.array([seen]), np.array([before]), np.array(0.1), np.array(0.2)
    )
    assert out[0] == pytest.approx(expected, abs=1e-12)


def test_prospect_update_by_hand() -> None:
    out = updates.prospect_update(np.array([0.5, 0.9, 0.1]), np.array([0.2, 0.5, -0.5]), np.array(0.2))
    np.testing.assert_allclose(out, [0.6, 1.0, 0.0], atol=1e-12)


def test_observed_hostility_is_mean_over_adversaries() -> None:
    share = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    host = np.array([[0.2, -1.0], [1.0, 0.0], [-0.4, 0.6]])  # (A, N)
    out = updates.observed_hostility(share, host)
    np.testing.assert_allclose(out, [[0.3, 0.3], [0.2, -1.0], [0.0, 0.0]], atol=1e-12)


def test_hits_taken_is_max_over_adversaries() -> None:
    # actor 0 on side 0 (adversary: side 1); actors 1, 2 on side 1 (1's adversary: side 0; 2: none)
    adversary_sides = np.array([[False, True], [True, False], [False, False]])
    side_of = np.array([0, 1, 1])
    strike = np.array([[0.9, 0.0], [0.3, 0.2], [0.5, 0.1]])
    out = updates.hits_taken(adversary_sides, side_of, strike)
    np.testing.assert_allclose(out, [[0.5, 0.2], [0.9, 0.0], [0.0, 0.0]])


@given(
    side_of=hnp.arrays(np.int64, (5,), elements=st.integers(0, 2)),
    adversary_sides=hnp.arrays(np.bool_, (5, 3)),
    strike=hnp.arrays(np.float64, (5, 3), elements=st.floats(0, 1)),
)
def test_hits_taken_equals_pairwise_max(
    side_of: np.ndarray, adversary_sides: np.ndarray, strike: np.ndarray
) -> None:
    """The per-side computation equals the brute-force max over every adversary actor j."""
    out = updates.hits_taken(adversary_sides, side_of, strike)
    for i in range(5):
        foes = [j for j in range(5) if adversary_sides[i, side_of[j]]]
        expected = strike[foes].max(axis=0) if foes else np.zeros(3)
        np.testing.assert_array_equal(out[i], expected)


def test_spread_alliance_hits_uses_this_steps_hits_once() -> None:
    hit = np.array([[0.8, 0.0], [0.0, 0.6], [0.3, 0.3]])
    w = np.array([0.5, 1.0])
    pairs = [(0, 1, w), (1, 0, w), (1, 2, w)]
    out = updates.spread_alliance_hits(hit, pairs)
    # 0 feels w*hit[1] = (0, 0.6); 1 feels max(w*hit[0], w*hit[2]) = (0.4, 0.3) vs own (0, 0.6)
    np.testing.assert_allclose(out, [[0.8, 0.6], [0.4, 0.6], [0.3, 0.3]])
    np.testing.assert_array_equal(hit, [[0.8, 0.0], [0.0, 0.6], [0.3, 0.3]])  # input untouched


# ---- properties of the updates ---------------------------------------------------------------------


@given(
    e=hnp.arrays(np.float64, (4,), elements=st.floats(0, 100)),
    pushes=hnp.arrays(np.float64, (3, 4), elements=st.floats(-100, 100)),
    rho=_unit,
    shock=st.floats(0, 100),
)
def test_escalation_stays_on_ladder(e: np.ndarray, pushes: np.ndarray, rho: float, shock: float) -> None:
    out = updates.escalation_update(e, pushes, np.array(rho), shock, 100.0)
    assert np.all((out >= 0) & (out <= 100))


@given(
    p=hnp.arrays(np.float64, (4,), elements=_unit),
    inflow=hnp.arrays(np.float64, (4,), elements=st.floats(-3, 3)),
    floor=hnp.arrays(np.float64, (4,), elements=_unit),
    decay=_unit,
)
def test_pressure_stays_between_floor_and_one(
    p: np.ndarray, inflow: np.ndarray, floor: np.ndarray, decay: float
) -> None:
    out = updates.pressure_update(p, inflow, floor, np.array(decay))
    assert np.all(out >= floor)
    assert np.all(out <= 1.0)


@given(
    d=hnp.arrays(np.float64, (4,), elements=_unit),
    seen=hnp.arrays(np.float64, (4,), elements=st.floats(-1, 1)),
    before=hnp.arrays(np.float64, (4,), elements=st.floats(-1, 1)),
    eta=_unit,
    mu=_unit,
)
@settings(max_examples=200)
def test_distrust_stays_in_unit_interval(
    d: np.ndarray, seen: np.ndarray, before: np.ndarray, eta: float, mu: float
) -> None:
    out = updates.distrust_update(d, seen, before, np.array(eta), np.array(mu))
    assert np.all((out >= 0) & (out <= 1))
