"""Tests of the scenario -> arrays compilation and the per-run parameter draws (sim/model/compiled.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.core import columns as col
from sim.engine.seeds import stream_factory
from sim.model.compiled import CompiledScenario, compile_scenario
from sim.model.draws import draw_parameters, param_ppf
from sim.scenario.schema import TRAIT_NAMES, Param, Scenario
from sim.scenario.sites import param_sites


@pytest.fixture(scope="module")
def cs(mini_scenario: Scenario) -> CompiledScenario:
    return compile_scenario(mini_scenario)


def test_catalogue_and_status_quo(cs: CompiledScenario, mini_scenario: Scenario) -> None:
    for i, actor in enumerate(mini_scenario.actors):
        listed = {cs.action_ids[k] for k in np.flatnonzero(cs.catalogue[i])}
        assert listed == set(actor.actions)
    assert cs.action_ids[cs.status_quo] == "hold"


def test_action_attributes_from_goldstein(cs: CompiledScenario) -> None:
    k = {a: n for n, a in enumerate(cs.action_ids)}
    acts = cs.acts
    # talk: goldstein 7, negotiation, escalation effect -3 (explicit), prospect 0.2
    assert acts.host[k["talk"]] == pytest.approx(-0.7)
    assert acts.hostp[k["talk"]] == 0.0 and acts.coop[k["talk"]] == pytest.approx(0.7)
    assert acts.neg[k["talk"]] == 1.0 and acts.mil[k["talk"]] == 0.0
    assert acts.delta[k["talk"]] == -3.0 and acts.prospect[k["talk"]] == pytest.approx(0.2)
    # strike: goldstein -10, military, default escalation = 10 * points_per_goldstein (1.0)
    assert acts.host[k["strike"]] == 1.0 and acts.hostp[k["strike"]] == 1.0 and acts.coop[k["strike"]] == 0
    assert acts.mil[k["strike"]] == 1.0 and acts.delta[k["strike"]] == 10.0
    # sanction: pressure on adversaries 0.05; relief -0.2
    assert acts.pressure[k["sanction"]] == pytest.approx(0.05)
    assert acts.pressure[k["relief"]] == pytest.approx(-0.2)
    assert acts.delta[k["hold"]] == 0.0 and acts.host[k["hold"]] == 0.0


def test_adversaries(cs: CompiledScenario) -> None:
    # actors: leader, diplomats, guards (north, adversary south); south_gov (adversary north)
    south = [False, False, False, True]
    north = [True, True, True, False]
    np.testing.assert_array_equal(cs.adversary, [south, south, south, north])
    np.testing.assert_allclose(cs.adversary_share[0], [0, 0, 0, 1])
    np.testing.assert_allclose(cs.adversary_share[3], [1 / 3, 1 / 3, 1 / 3, 0])
    np.testing.assert_allclose(cs.adversary_share.sum(axis=1), 1.0)
    np.testing.assert_array_equal(cs.wait_step, [61] * 4)  # nobody waits: horizon + 1


def test_events_levers_and_outcomes(cs: CompiledScenario) -> None:
    opening, summit, change = cs.events
    assert (opening.start, opening.end) == (0, 0)
    assert opening.one_shot.total("escalation") == 5.0
    np.testing.assert_array_equal(opening.one_shot.total("hit"), [0, 0, 0, 1.0])
    assert (summit.start, summit.end) == (9, 13)
    assert summit.continuous.total("prospect") == pytest.approx(0.3)
    talk = cs.action_ids.index("talk")
    np.testing.assert_array_equal(summit.continuous.total("utility")[:, talk], [1.0] * 4)
    assert change.start == 40
    assert change.one_shot.total("set_trait") == [(3, "hawkishness", 0.2)]
    assert change.one_shot.total("lever") == [(0, False)]
    max_pressure = cs.levers[0]
    assert max_pressure.on
    np.testing.assert_allclose(max_pressure.continuous.total("pressure_floor"), [0.7, 0.7, 0.7, 0.0])
    assert cs.outcome_ids == ("talks", "deal", "clash", "war")
    order = list(cs.outcome_order)
    assert order.index(0) < order.index(1)  # deal is evaluated after talks, which it names


# ---- param_ppf ------------------------------------------------------------------------------------


def _p(**kw: float | str) -> Param:
    return Param(assumption="test", **kw)


def test_param_ppf_known_values() -> None:
    u = np.array([0.0, 0.25, 0.5, 0.75])
    np.testing.assert_array_equal(param_ppf(_p(value=0.3), u), [0.3] * 4)
    np.testing.assert_allclose(param_ppf(_p(dist="uniform", low=2, high=4), u), [2, 2.5, 3, 3.5])
    np.testing.assert_allclose(param_ppf(_p(dist="beta", a=1, b=1), u), u, atol=1e-12)
    assert param_ppf(_p(dist="normal", mean=3, sd=2), np.array([0.5]))[0] == pytest.approx(3)
    assert param_ppf(_p(dist="normal", mean=0, sd=1), np.array([0.975]))[0] == pytest.approx(
        1.959964, abs=1e-6
    )
    tn = param_ppf(_p(dist="truncnorm", mean=0.5, sd=0.2, low=0, high=1), np.array([0.0, 0.5, 1.0]))
    np.testing.assert_allclose(tn, [0, 0.5, 1], atol=1e-12)
    # triangular(0, 0, 1): F(x) = 1 - (1 - x)^2  ->  x = 1 - sqrt(1 - u)
    tri = param_ppf(_p(dist="triangular", low=0, mode=0, high=1), u)
    np.testing.assert_allclose(tri, 1 - np.sqrt(1 - u), atol=1e-12)
    # triangular(1, 2, 3) is symmetric: median 2, F(1.5) = 0.125
    np.testing.assert_allclose(
        param_ppf(_p(dist="triangular", low=1, mode=2, high=3), np.array([0.125, 0.5])), [1.5, 2.0]
    )


_finite = st.floats(-100, 100)


@st.composite
def _params(draw: st.DrawFn) -> Param:
    kind = draw(st.sampled_from(["fixed", "uniform", "normal", "truncnorm", "beta", "triangular"]))
    if kind == "fixed":
        return _p(value=draw(_finite))
    if kind == "beta":
        return _p(dist="beta", a=draw(st.floats(0.2, 50)), b=draw(st.floats(0.2, 50)))
    if kind == "normal":
        return _p(dist="normal", mean=draw(_finite), sd=draw(st.floats(0.01, 50)))
    lo = draw(_finite)
    hi = lo + draw(st.floats(0.01, 100))
    if kind == "uniform":
        return _p(dist="uniform", low=lo, high=hi)
    if kind == "triangular":
        return _p(dist="triangular", low=lo, mode=draw(st.floats(lo, hi)), high=hi)
    # truncnorm: the mean may lie outside the bounds, within a few sd
    sd = draw(st.floats(0.05, 50))
    mean = draw(st.floats(lo - 3 * sd, hi + 3 * sd))
    return _p(dist="truncnorm", mean=mean, sd=sd, low=lo, high=hi)


# The uniforms numpy's Generator.random gives: multiples of 2**-53 in [0, 1).
_generator_uniforms = st.lists(st.integers(0, 2**53 - 1), min_size=1, max_size=12)


@given(_params(), _generator_uniforms)
def test_param_ppf_within_support_and_monotone(p: Param, ints: list[int]) -> None:
    u = np.sort(np.asarray(ints, dtype=np.float64) * 2.0**-53)
    v = param_ppf(p, u)
    lo, hi = p.support()
    assert not np.any(np.isnan(v)), (p, u, v)
    assert np.all((v >= lo) & (v <= hi)), (p, u, v)
    # non-decreasing (a normal gives -inf at u = 0); scipy's truncnorm ppf wobbles by an ulp in
    # far tails, hence the rounding allowance
    finite = np.where(np.isfinite(v), v, 0.0)
    assert np.all((v[1:] >= v[:-1]) | (v[:-1] - v[1:] <= 1e-12 * (1 + np.abs(finite[1:])))), (p, u, v)


# ---- draws ----------------------------------------------------------------------------------------


def test_draws_fixed_and_random(cs: CompiledScenario, mini_scenario: Scenario) -> None:
    n = 4000
    d = draw_parameters(cs, stream_factory(11, 0), n)
    assert set(d.traits) == set(TRAIT_NAMES)
    assert d.traits["hawkishness"].shape == (4, n)
    np.testing.assert_array_equal(d.traits["resolve"][0], 0.6)  # fixed: the value in every run
    np.testing.assert_array_equal(d.dynamics["logit_precision"], 1.5)
    np.testing.assert_array_equal(d.weights.duress, 3.0)
    expected_cols = {
        "param.actors.leader.traits.hawkishness",
        "param.actors.leader.traits.pressure_aversion",
        "param.actors.guards.traits.spoiler_motive",
        "param.actors.south_gov.traits.hawkishness",
        "param.relations.guards_command.autonomy",
        "param.initial.escalation",
        "event.change",
    }
    assert set(d.columns) == expected_cols
    hawk = d.traits["hawkishness"][0]
    np.testing.assert_allclose(d.columns["param.actors.leader.traits.hawkishness"], hawk, rtol=1e-6)
    # Beta(6, 4) draws: a KS test against the distribution (p far above chance failure)
    assert stats.kstest(hawk, stats.beta(6, 4).cdf).pvalue > 1e-3
    assert np.all((d.initial_escalation >= 15) & (d.initial_escalation <= 25))
    np.testing.assert_array_equal(d.initial_pressure[:3], 0.7)  # north side
    np.testing.assert_array_equal(d.initial_pressure[3], 0.0)
    assert abs(d.events[2].mean() - 0.5) < 0.03  # change happens with probability 0.5
    assert d.events[0].all() and d.events[1].all()  # certain events
    np.testing.assert_array_equal(d.columns["event.change"], d.events[2])


def test_draws_are_reproducible_and_keyed_by_path(cs: CompiledScenario) -> None:
    a = draw_parameters(cs, stream_factory(5, 3), 50)
    b = draw_parameters(cs, stream_factory(5, 3), 50)
    for key in a.columns:
        np.testing.assert_array_equal(a.columns[key], b.columns[key])
    other = draw_parameters(cs, stream_factory(5, 4), 50)
    assert not np.array_equal(
        a.columns["param.initial.escalation"], other.columns["param.initial.escalation"]
    )
    # Each parameter has its own stream: two parameters never share their uniforms
    assert not np.allclose(
        a.columns["param.actors.leader.traits.pressure_aversion"],
        0.5 + 0.4 * (a.columns["param.initial.escalation"] - 15) / 10,
    )


def test_draws_follow_the_parameter_site_table(cs: CompiledScenario) -> None:
    """Draws (and their result columns) are the random sites of the table, in its order."""
    mini = cs.scenario
    draws = draw_parameters(cs, stream_factory(7, 0), 50)
    random_sites = [s.path for s in param_sites(mini) if s.param.is_random()]
    drawn = [col.path_of(c) for c in draws.columns if c.startswith(col.PARAM_PREFIX)]
    assert drawn == random_sites
    for site in param_sites(mini):
        if site.group == "traits" and not site.param.is_random():
            row = draws.traits[site.name][mini.actor_ids.index(site.owner)]
            assert row.tolist() == [site.param.value] * 50
