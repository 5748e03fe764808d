"""Per-dyad distrust, reciprocity and resolve for aimed acts (sim/model/dyads.py, rules.aimed_*;
docs/model.md "Dyads"): known answers, properties, direction at a fixed seed, bargaining
defection by dyad, chunks and workers."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine.runner import prepare, run_batch, run_chunk, run_scenario
from sim.engine.seeds import stream_factory
from sim.model import rules, updates
from sim.model.dyads import DyadState, dyad_pairs
from sim.model.model import EscalationModel
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DYADS = ROOT / "tests" / "data" / "dyads.yaml"
IRAN = ROOT / "scenarios" / "iran_us_2019.yaml"

unit = st.floats(0.0, 1.0, allow_nan=False)
signed = st.floats(-1.0, 1.0, allow_nan=False)


def _acts(host: list[float], neg: list[float]) -> rules.ActionAttrs:
    h = np.array(host)
    z = np.zeros_like(h)
    return rules.ActionAttrs(
        host=h, hostp=np.maximum(h, 0.0), coop=z, neg=np.array(neg), mil=z, base=z, delta=z,
        pressure=z, prospect=z,
    )  # fmt: skip


def _sens(rec: float, res: float, dist: float) -> rules.Sensitivities:
    one = np.ones(1)
    return rules.Sensitivities(
        disposition=0 * one, reciprocity=rec * one, resolve=res * one, spoiler=0 * one, pain=0 * one,
        duress=0 * one, distrust=dist * one, wait=0 * one, war=0 * one,
    )  # fmt: skip


def _inputs(seen: float, hit: float, distrust: float) -> rules.UtilityInputs:
    one = np.ones(1)
    return rules.UtilityInputs(
        hawk=0.5 * one, reciprocity=one, resolve=one, cost=one, aversion=one, wait=one, risk=one,
        spoiler=one, distrust=distrust * one, pressure=0 * one, hostility_seen=seen * one,
        hit=hit * one, escalation_frac=0 * one, prospect=0 * one, before_wait=0.0,
    )  # fmt: skip


def _iran_aimed(tmp_path: Path) -> Path:
    """Iran with aimed strikes: the proxy attack on the Gulf states (as the scenario has it), a
    direct strike on the U.S. or Iran (scenarios/*.yaml is left as it is)."""
    text = IRAN.read_text()
    for act, targets in (("proxy_attack", "[saudi, uae]"), ("military_strike", "[us, iran]")):
        head = f"  - id: {act}\n"
        block = text[text.index(head) :].split("\n\n", 1)[0]
        if "    targets:" not in block:
            text = text.replace(head, f"{head}    targets: {targets}\n")
    path = tmp_path / "iran_aimed.yaml"
    path.write_text(text)
    return path


# ---- known answers --------------------------------------------------------------------------


def test_aimed_state_known_values() -> None:
    """Three adversaries; act 0 names the first two, act 1 the third, act 2 none of them."""
    named = np.array([[True, True, False], [False, False, True], [False, False, False]])
    share = np.where(named, 1.0 / np.maximum(named.sum(axis=1, keepdims=True), 1), 0.0)
    seen = np.array([[0.8], [0.2], [-0.6]])
    hit = np.array([[0.3], [0.9], [0.5]])
    distrust = np.array([[0.7], [0.1], [0.4]])
    x_t, h_t, d_t = rules.aimed_state(share, named, seen, hit, distrust, np.array([0.55]))
    np.testing.assert_allclose(x_t[:, 0], [0.5, -0.6, 0.0])
    np.testing.assert_allclose(h_t[:, 0], [0.9, 0.5, 0.0])
    np.testing.assert_allclose(d_t[:, 0], [0.4, 0.4, 0.55])  # naming none: the pooled distrust


def test_aimed_correction_known_value() -> None:
    """U += w_rec R host (x_T - x) + w_res S host+ (h_T - h) - w_dist (D_T - D) neg."""
    acts = _acts(host=[1.0, -0.5], neg=[0.0, 1.0])
    aimed = (np.array([[0.9], [0.1]]), np.array([[1.0], [0.0]]), np.array([[0.2], [0.8]]))
    out = rules.aimed_correction(acts, _sens(2.0, 3.0, 4.0), _inputs(0.4, 0.5, 0.6), aimed)
    # act 0: 2 (0.9 - 0.4) + 3 (1.0 - 0.5) = 2.5; act 1: 2 (-0.5)(0.1 - 0.4) - 4 (0.8 - 0.6) = -0.5
    np.testing.assert_allclose(out[:, 0], [2.5, -0.5])


def test_spread_dyad_hits_known_values() -> None:
    """h_ij <- max(h_ij, w h_kj): pair 0 takes half its ally's 1.0; pair 2 keeps its larger own."""
    hit = np.array([[0.0], [0.3], [0.4]])
    links = [
        (np.array([0, 2]), np.array([[1.0], [0.2]]), np.array([0.5])),
        (np.array([1]), np.array([[0.9]]), np.array([1.0])),
    ]
    np.testing.assert_allclose(updates.spread_dyad_hits(hit, links)[:, 0], [0.5, 0.9, 0.4])
    assert hit[0, 0] == 0.0  # the input is left as it was


def test_only_acts_that_narrow_the_adversaries_are_aimed() -> None:
    cs = prepare(load_scenario(DYADS))
    ids = cs.action_ids
    a, b, c = (cs.actor_ids.index(x) for x in ("actor_a", "actor_b", "actor_c"))
    dy = DyadState(cs, np.full((3, 1), 0.4), [])
    aim_b = dy.aims[b]
    assert aim_b is not None
    aimed = [ids[k] for k in cs.scored[b][aim_b.rows]]
    assert aimed == ["answer_a", "answer_c", "talk_a", "talk_c"]  # hold reaches A and C: pooled
    assert aim_b.named.tolist() == [[True, False], [False, True], [True, False], [False, True]]
    assert dy.aims[a] is None  # strike_b names A's only adversary: the pooled values
    assert dy.aims[c] is None


def test_only_the_pairs_a_rule_reads_are_kept(tmp_path: Path) -> None:
    """Dyads: B's aimed acts name A and C. Iran with aimed strikes: the IRGC's strikes (and
    Khamenei, who restrains it, scores them) name some of their adversaries; Washington and
    Tehran's negotiators may be parties to a deal."""
    cs = prepare(load_scenario(DYADS))
    assert [(cs.actor_ids[i], cs.actor_ids[j]) for i, j in zip(*np.nonzero(dyad_pairs(cs)), strict=True)] == [
        ("actor_b", "actor_a"),
        ("actor_b", "actor_c"),
    ]
    iran = prepare(load_scenario(_iran_aimed(tmp_path)))
    kept = {
        (iran.actor_ids[i], iran.actor_ids[j]) for i, j in zip(*np.nonzero(dyad_pairs(iran)), strict=True)
    }
    assert {("irgc", "trump_admin"), ("irgc", "saudi_arabia"), ("irgc", "uae")} <= kept
    assert {("trump_admin", "rouhani_zarif"), ("rouhani_zarif", "trump_admin")} <= kept
    assert ("saudi_arabia", "khamenei") not in kept  # Riyadh's strike names all of Iran: pooled
    assert kept <= {
        (iran.actor_ids[i], iran.actor_ids[j]) for i, j in zip(*np.nonzero(iran.adversary), strict=True)
    }


def test_distrust_of_the_other_party(tmp_path: Path) -> None:
    cs = prepare(load_scenario(DYADS))
    n = 3
    dy = DyadState(cs, np.full((3, n), 0.4), [])
    b = cs.actor_ids.index("actor_b")
    dy.distrust[dy.index[b, 0]] = [0.9, 0.8, 0.7]  # B's distrust of A
    other = np.array([0, 2, 1])  # A, C, and B itself (not an adversary: pooled)
    got = dy.distrust_of(b, other, np.arange(n), np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(got, [0.9, 0.4, 0.3])


# ---- properties -----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(x=signed, h=unit, d=unit, pooled_d=unit, host=signed, neg=st.sampled_from([0.0, 1.0]))
def test_naming_the_one_adversary_gives_the_pooled_values(
    x: float, h: float, d: float, pooled_d: float, host: float, neg: float
) -> None:
    """Two actors: i has one adversary j, so x_i = x_ij, h_i = h_ij, D_i = D_ij; an act naming j
    reads exactly those, and its correction is 0."""
    named = np.array([[True]])
    x_t, h_t, d_t = rules.aimed_state(
        np.array([[1.0]]), named, np.array([[x]]), np.array([[h]]), np.array([[d]]), np.array([pooled_d])
    )
    assert (x_t[0, 0], h_t[0, 0], d_t[0, 0]) == (x, h, d)
    out = rules.aimed_correction(
        _acts([host], [neg]), _sens(1.5, 2.0, 2.5), _inputs(x, h, d), (x_t, h_t, d_t)
    )
    assert out[0, 0] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    d0=arrays(np.float64, (4, 3), elements=unit),
    seen=arrays(np.float64, (6, 4, 3), elements=signed),
    eta=unit,
    mu=unit,
)
def test_dyad_distrust_stays_in_unit_interval(
    d0: np.ndarray, seen: np.ndarray, eta: float, mu: float
) -> None:
    d, before = d0, np.zeros_like(d0)
    for x in seen:
        d = updates.distrust_update(d, x, before, eta, mu)
        before = x
        assert ((d >= 0.0) & (d <= 1.0)).all()


def test_a_scenario_without_targets_builds_no_dyads() -> None:
    m = EscalationModel(
        prepare(load_scenario(ROOT / "tests" / "data" / "mini.yaml")), 10, stream_factory(1, 0)
    )
    assert m.dyads is None
    assert EscalationModel(prepare(load_scenario(DYADS)), 10, stream_factory(1, 0)).dyads is not None


# ---- direction at a fixed seed --------------------------------------------------------------


@pytest.fixture(scope="module")
def stepped() -> EscalationModel:
    cs = prepare(load_scenario(DYADS))
    m = EscalationModel(cs, 400, stream_factory(5, 0))
    for _ in range(cs.horizon):
        m.step()
    return m


def test_a_strikes_b_so_b_distrusts_a_not_c(stepped: EscalationModel) -> None:
    m, ids = stepped, stepped.cs.actor_ids
    dy = m.dyads
    assert dy is not None
    a, b, c = (ids.index(x) for x in ("actor_a", "actor_b", "actor_c"))
    d_ba, d_bc = dy.distrust[dy.index[b, a]], dy.distrust[dy.index[b, c]]
    assert d_ba.mean() > 0.9  # A struck B all along
    np.testing.assert_array_equal(d_bc, 0.4)  # C only held: B's distrust of C never moved
    assert ((dy.distrust >= 0.0) & (dy.distrust <= 1.0)).all()
    assert (m.distrust[b] > d_bc).all()  # the pooled distrust mixes A's strikes in


def test_b_answers_a_rather_than_c(stepped: EscalationModel) -> None:
    """answer_a and answer_c differ only in their target: pooled, they would be chosen equally
    often; per dyad, B answers the one who struck it and talks rather to the one it trusts."""
    m = stepped
    counts = m.action_counts.sum(axis=0)[m.cs.actor_ids.index("actor_b")]
    k = {a: m.cs.action_ids.index(a) for a in ("answer_a", "answer_c", "talk_a", "talk_c")}
    assert counts[k["answer_a"]] > 5 * counts[k["answer_c"]]
    assert counts[k["talk_c"]] > counts[k["talk_a"]]


def test_an_aimed_act_scores_as_equation_u_with_its_dyads() -> None:
    """The correction added to the matrix product gives exactly equation U with x_i,T, h_i,T,
    D_i,T in place of the pooled values (aimed rows), and the pooled U elsewhere."""
    cs = prepare(load_scenario(DYADS))
    m = EscalationModel(cs, 50, stream_factory(9, 0))
    for _ in range(12):
        m.step()
    b = cs.actor_ids.index("actor_b")
    agent, dy = m.actor_agents[b], m.dyads
    assert dy is not None
    aim = dy.aims[b]
    assert aim is not None
    agent.decide()
    pooled = agent.utility_inputs()
    x_t, h_t, d_t = rules.aimed_state(aim.share, aim.named, *dy.view(b), m.distrust[b])
    bonus = np.broadcast_to(m.step_bonus[b], agent.utilities.shape)
    plain = rules.action_utilities(agent.acts, pooled, m.weights) + bonus
    for r, row in enumerate(aim.rows):
        inputs = dataclasses.replace(pooled, hostility_seen=x_t[r], hit=h_t[r], distrust=d_t[r])
        expected = rules.action_utilities(agent.acts.take(np.array([row])), inputs, m.weights)[0]
        np.testing.assert_allclose(agent.utilities[row], expected + bonus[row], rtol=1e-12, atol=1e-12)
    others = np.setdiff1d(np.arange(agent.utilities.shape[0]), aim.rows)
    np.testing.assert_array_equal(agent.utilities[others], plain[others])
    assert not np.allclose(agent.utilities[aim.rows], plain[aim.rows])  # the dyads made a difference


def test_aimed_state_with_no_partner_kept() -> None:
    """An actor whose aimed acts name none of its adversaries keeps no pair: 0, 0, pooled D."""
    x_t, h_t, d_t = rules.aimed_state(
        np.zeros((2, 0)), np.zeros((2, 0), dtype=bool), np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 3)),
        np.array([0.1, 0.2, 0.3]),
    )  # fmt: skip
    assert (x_t == 0).all() and (h_t == 0).all()
    np.testing.assert_array_equal(d_t, [[0.1, 0.2, 0.3]] * 2)


# ---- bargaining: a party's defection reads its distrust of the other party --------------------


def test_defection_reads_the_dyad_not_the_pooled_distrust(tmp_path: Path) -> None:
    cs = prepare(load_scenario(_iran_aimed(tmp_path)))
    n = 2000
    trump, rouhani = cs.actor_ids.index("trump_admin"), cs.actor_ids.index("rouhani_zarif")

    def broken(dyad: float, pooled: float) -> int:
        m = EscalationModel(cs, n, stream_factory(3, 0))
        for _ in range(5):
            m.step()
        table, dy = m.bargain, m.dyads
        assert table is not None and dy is not None
        table.deal_on[:] = True
        table.deal_since[:] = 0
        table.parties[0], table.parties[1] = trump, rouhani
        table.deal_utility[:] = 0.0  # a poor deal for both: going on beats it
        dy.distrust[dy.index[trump, rouhani]] = dy.distrust[dy.index[rouhani, trump]] = dyad
        m.distrust[trump] = m.distrust[rouhani] = pooled
        table._defect(m, m.steps)
        return int((~table.deal_on).sum())

    assert broken(dyad=0.0, pooled=1.0) == 0
    assert broken(dyad=1.0, pooled=0.0) > 0


# ---- chunks and workers ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["dyads", "iran"])
def test_chunk_equals_its_batches_with_dyads(which: str, tmp_path: Path) -> None:
    """No draw or dyad value depends on the other runs of a batch."""
    path = DYADS if which == "dyads" else _iran_aimed(tmp_path)
    cs = prepare(load_scenario(path))
    sizes = (200, 200, 100)
    parts = [run_batch(cs, seed=7, batch_index=3 + k, size=s, batch_size=200) for k, s in enumerate(sizes)]
    chunk = run_chunk(cs, seed=7, first_batch=3, sizes=sizes, batch_size=200)
    pd.testing.assert_frame_equal(chunk.runs, pd.concat([p.runs for p in parts], ignore_index=True))
    assert np.array_equal(chunk.action_counts, sum(p.action_counts for p in parts))


def test_dyads_same_numbers_with_one_or_two_workers() -> None:
    sc = load_scenario(DYADS)
    one = run_scenario(sc, runs=400, seed=5, batch_size=100, workers=1, samples=0)
    two = run_scenario(sc, runs=400, seed=5, batch_size=100, workers=2, samples=0)
    pd.testing.assert_frame_equal(one.runs, two.runs)
    assert np.array_equal(one.action_counts, two.action_counts)
