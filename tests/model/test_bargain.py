"""Bargaining (sim/model/bargain.py, docs/model.md "Bargaining"): known answers on small games,
directions, the one-run path against the batch, reproducibility."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core import columns as col
from sim.core.errors import SimUserError
from sim.engine.runner import run_scenario
from sim.model.bargain import best_acceptable, terms_utility
from sim.scenario.loader import load_scenario

TRAITS = """      hawkishness: {{value: 0.5, assumption: t}}
      resolve: {{value: 0.5, assumption: t}}
      cost_sensitivity: {{value: {cost}, assumption: t}}
      pressure_aversion: {{value: {aversion}, assumption: t}}
      distrust: {{value: {distrust}, assumption: t}}
      reciprocity: {{value: 0.5, assumption: t}}
      risk_tolerance: {{value: 0.5, assumption: t}}
"""
CAPS = "    capabilities: {military: {value: 0, assumption: t}, economic: {value: 0, assumption: t}}\n"


def game(
    tmp_path: Path,
    *,
    r_res: float = 0.4,
    p_res: float = 0.2,
    precision: float = 50.0,
    pressure_on_r: float = 0.0,
    r_cost: float = 0.0,
    r_aversion: float = 0.0,
    terms: str = "best_acceptable",
    veto_res: float | None = None,
    private: bool = False,
    horizon: int = 3,
    distrust: float = 0.0,
    defection: float = 0.0,
    both_offer: bool = False,
) -> Path:
    """A proposer P (side a) and a responder R (side b) bargaining over one issue on 0..1:
    P wants 1, R wants 0. P's offer has a base utility that makes it near-certain at step 1.
    With ``veto_res`` a veto holder V over R's deals, with that reservation point."""
    holder = ""
    veto = ""
    if veto_res is not None:
        holder = f"""  - id: v
    name: Veto holder
    side: b
    role: leader
    traits:
{TRAITS.format(cost=0.0, aversion=0.0, distrust=0.0)}{CAPS}
    actions: [hold]
    adversaries: [a]
    positions:
      x:
        ideal: {{value: 0, assumption: t}}
        salience: {{value: 1, assumption: t}}
        reservation: {{value: {veto_res}, assumption: t}}
"""
        veto = """relations:
  - type: veto
    id: rv
    holder: v
    subject: r
    actions: [counter]
    deals: true
    strength: {value: 1.0, assumption: t}
"""
    r_actions = "[hold, counter]" if both_offer or veto_res is not None else "[hold]"
    r_counter_base = 20 if both_offer else -20
    text = f"""scenario:
  id: g
  title: Bargaining game
  sources: [{{id: t, author: T, title: T, outlet: T, date: 2020-01-01}}]
  start_date: 2020-01-01
  horizon: {horizon}
  monte_carlo: {{runs: 400, seed: 3, batch_size: 200, samples: 0}}
ladder: {{scale: s, levels: [{{name: Calm, at: 0}}, {{name: War, at: 80}}], assumption: t}}
dynamics:
  logit_precision: {{value: {precision}, assumption: t}}
  relaxation: {{value: 0.0, assumption: t}}
  accident_base: {{value: 0.0, assumption: t}}
  accident_growth: {{value: 0.0, assumption: t}}
  accident_severity: {{value: 0, assumption: t}}
  pressure_decay: {{value: 0.0, assumption: t}}
  distrust_learning: {{value: 0.0, assumption: t}}
  mixed_signal_sensitivity: {{value: 0.0, assumption: t}}
  prospect_decay: {{value: 0.5, assumption: t}}
  weights:
    disposition: {{value: 0, assumption: t}}
    reciprocity: {{value: 0, assumption: t}}
    resolve: {{value: 0, assumption: t}}
    pain: {{value: 2, assumption: t}}
    duress: {{value: 2, assumption: t}}
    distrust: {{value: 0, assumption: t}}
    wait_out: {{value: 0, assumption: t}}
    war_cost: {{value: 0, assumption: t}}
    spoiler: {{value: 0, assumption: t}}
initial:
  escalation: {{value: 0, assumption: t}}
  pressure: [{{side: b, value: {{value: {pressure_on_r}, assumption: t}}}}]
bargaining:
  issues: [{{id: x, name: X, low: nothing, high: everything, assumption: t}}]
  defection_rate: {{value: {defection}, assumption: t}}
status_quo_action: hold
actions:
  - {{id: hold, name: Hold, goldstein: 0, effects: {{escalation: 0}}, assumption: t}}
  - id: offer
    name: Offer
    goldstein: 1
    base_utility: 20
    effects: {{escalation: 0}}
    offer: {{to: r, terms: {terms}, private: {str(private).lower()}}}
    assumption: t
  - id: counter
    name: Counter-offer
    goldstein: 1
    base_utility: {r_counter_base}
    effects: {{escalation: 0}}
    offer: {{to: p, terms: best_acceptable}}
    assumption: t
actors:
  - id: p
    name: Proposer
    side: a
    role: government
    traits:
{TRAITS.format(cost=0.0, aversion=0.0, distrust=distrust)}{CAPS}
    actions: [hold, offer]
    adversaries: [b]
    positions:
      x:
        ideal: {{value: 1, assumption: t}}
        salience: {{value: 1, assumption: t}}
        reservation: {{value: {p_res}, assumption: t}}
  - id: r
    name: Responder
    side: b
    role: government
    traits:
{TRAITS.format(cost=r_cost, aversion=r_aversion, distrust=distrust)}{CAPS}
    actions: {r_actions}
    adversaries: [a]
    positions:
      x:
        ideal: {{value: 0, assumption: t}}
        salience: {{value: 1, assumption: t}}
        reservation: {{value: {r_res}, assumption: t}}
{holder}{veto}outcomes:
  - {{id: deal, name: Deal, when: {{deal_reached: true}}}}
  - {{id: broken, name: Broken, when: {{deal_broken: true}}}}
"""
    path = tmp_path / "game.yaml"
    path.write_text(text)
    return path


def run(path: Path, runs: int = 400, seed: int = 3, workers: int = 1, batch_size: int | None = None):  # type: ignore[no-untyped-def]
    return run_scenario(
        load_scenario(path), runs=runs, seed=seed, workers=workers, batch_size=batch_size, samples=0
    )


def test_ultimatum_lands_at_the_responders_reservation_inside_both(tmp_path: Path) -> None:
    res = run(game(tmp_path)).runs
    assert res["deal"].mean() > 0.85  # the offer aims at a 90% chance of acceptance
    terms = res[col.deal_term("x")].dropna()
    # R accepts x <= 0.4 (its reservation), P x >= 0.2: the offer sits just inside R's, the
    # margin ln(9)/(lambda w_deal) = 0.011 below it
    assert np.allclose(terms, 0.4 - np.log(9) / (50 * 4), atol=1e-6)
    assert ((terms >= 0.2) & (terms <= 0.4)).all()
    assert (res[col.DEAL_STEP].dropna() == 2).all()  # tabled at step 1, answered at step 2
    assert (res[col.FIRST_OFFER] == 1).all()


def test_a_higher_cost_of_delay_moves_the_terms_toward_the_other_side(tmp_path: Path) -> None:
    calm = run(game(tmp_path)).runs[col.deal_term("x")].median()
    squeezed = run(game(tmp_path, pressure_on_r=0.5, r_cost=1.0)).runs[col.deal_term("x")].median()
    # pain of pressure g = w_pain C P = 1 utility point = 0.25 of the issue at w_deal 4
    assert squeezed == pytest.approx(calm + 0.25, abs=1e-4)


def test_duress_makes_a_pressured_side_demand_more(tmp_path: Path) -> None:
    calm = run(game(tmp_path, p_res=0.0)).runs[col.deal_term("x")].median()
    duress = run(game(tmp_path, p_res=0.0, pressure_on_r=0.5, r_aversion=1.0)).runs
    assert duress[col.deal_term("x")].median() == pytest.approx(calm - 0.25, abs=1e-4)
    # if the proposer will not go below 0.2, no zone of agreement is left: (almost) no deal
    no_zone = run(game(tmp_path, p_res=0.2, pressure_on_r=0.5, r_aversion=1.0)).runs
    assert no_zone["deal"].mean() < 0.01


def test_more_pressure_on_a_side_averse_to_talks_under_duress_means_fewer_deals(tmp_path: Path) -> None:
    calm = run(game(tmp_path, terms="{x: 0.3}")).runs["deal"].mean()
    pressed = run(game(tmp_path, terms="{x: 0.3}", pressure_on_r=0.5, r_aversion=1.0)).runs["deal"].mean()
    # margin 4 (0.7 - 0.6) = +0.4 calm; -0.6 with duress 2 x 1 x 0.5: lambda 50 makes it sharp
    assert calm > 0.99 and pressed < 0.01


def test_a_fixed_offer_outside_the_reservation_is_refused(tmp_path: Path) -> None:
    res = run(game(tmp_path, terms="{x: 0.8}")).runs
    assert res["deal"].mean() < 0.01  # margin 4 (0.6 - 0.2) ... -1.6 points at lambda 50
    generous = run(game(tmp_path, terms="{x: 0.1}")).runs
    assert generous["deal"].mean() > 0.99
    assert np.allclose(generous[col.deal_term("x")], 0.1)


def test_a_veto_holder_whose_reservation_excludes_every_offer_blocks_every_deal(tmp_path: Path) -> None:
    res = run(game(tmp_path, veto_res=0.0, p_res=0.2)).runs
    assert res["deal"].sum() == 0
    assert res[col.DEAL_VETOED].sum() > 0
    lenient = run(game(tmp_path, veto_res=0.9)).runs
    assert lenient["deal"].mean() > 0.8


def test_alternating_offers_the_proposer_keeps_the_surplus(tmp_path: Path) -> None:
    # both sides offer at step 1: each answers the other's offer at step 2 (who answers first,
    # in scenario order of the offers, makes the deal): terms lie inside both reservations
    terms = run(game(tmp_path, both_offer=True)).runs[col.deal_term("x")].dropna()
    assert len(terms) > 300 and ((terms >= 0.2 - 1e-9) & (terms <= 0.4 + 1e-9)).all()


def test_distrust_breaks_deals_and_trust_keeps_them(tmp_path: Path) -> None:
    trusting = run(game(tmp_path, horizon=60, distrust=0.0, defection=0.5)).runs
    wary = run(game(tmp_path, horizon=60, distrust=1.0, defection=0.5)).runs
    assert trusting["broken"].sum() == 0
    assert wary["broken"].mean() > 0.5
    broke = wary[wary["broken"]]
    assert (broke[col.BREAKDOWN_STEP] > broke[col.DEAL_STEP]).all()


def test_public_offers_raise_the_prospect_spoilers_read_and_private_ones_do_not(tmp_path: Path) -> None:
    from sim.engine.seeds import stream_factory
    from sim.model.compiled import compile_scenario
    from sim.model.model import EscalationModel

    for private, expect_positive in ((False, True), (True, False)):
        cs = compile_scenario(load_scenario(game(tmp_path, private=private, terms="{x: 0}")))
        m = EscalationModel(cs, 50, stream_factory(1, 0))
        m.step()
        m.step()
        assert (m.prospect > 0).any() == expect_positive


def test_one_run_path_agrees_with_the_batch_and_workers_do_not_matter(tmp_path: Path) -> None:
    path = game(tmp_path, horizon=30, distrust=0.7, defection=0.3, both_offer=True)
    a = run(path, runs=64, workers=1, batch_size=64).runs
    b = run(path, runs=64, workers=2, batch_size=64).runs
    cols = [col.DEAL_STEP, col.deal_term("x"), col.BREAKDOWN_STEP]
    assert a[cols].equals(b[cols])
    again = run(path, runs=64, workers=1, batch_size=64).runs
    assert a[cols].equals(again[cols])


def test_one_run_mesa_models_match_the_batch(tmp_path: Path) -> None:
    """200 one-replication Mesa models vs one batch of 200: the same bargaining code, so the deal
    rate is statistically indistinguishable (two-proportion z test) and the terms agree."""
    from scipy import stats

    from sim.engine.runner import prepare
    from sim.engine.seeds import stream_factory
    from sim.model.model import EscalationModel

    path = game(tmp_path, precision=1.0, horizon=20, distrust=0.5, defection=0.2, both_offer=True)
    cs = prepare(load_scenario(path))

    def table(seed: int, batch: int, n: int) -> dict[str, np.ndarray]:
        return EscalationModel(cs, n, stream_factory(seed, batch)).run().columns

    singles = [table(5, b, 1) for b in range(200)]
    one = {k: np.concatenate([t[k] for t in singles]) for k in singles[0]}
    many = table(6, 0, 200)
    deals_one = int(np.isfinite(one[col.DEAL_STEP]).sum())
    deals_many = int(np.isfinite(many[col.DEAL_STEP]).sum())
    assert 40 < deals_one < 200 and 40 < deals_many < 200
    pooled = (deals_one + deals_many) / 400
    z = (deals_one - deals_many) / 200 / np.sqrt(pooled * (1 - pooled) * 2 / 200)
    assert 2 * stats.norm.sf(abs(z)) > 0.001
    t_one = one[col.deal_term("x")][np.isfinite(one[col.deal_term("x")])]
    t_many = many[col.deal_term("x")][np.isfinite(many[col.deal_term("x")])]
    assert abs(float(t_one.mean()) - float(t_many.mean())) < 0.05


def test_bad_bargaining_input_names_the_field(tmp_path: Path) -> None:
    text = game(tmp_path).read_text().replace("offer: {to: r,", "offer: {to: nobody,")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(SimUserError) as err:
        load_scenario(bad)
    assert "unknown actor `nobody`" in str(err.value)
    text = (
        game(tmp_path)
        .read_text()
        .replace(
            "{id: deal, name: Deal, when: {deal_reached: true}}",
            "{id: deal, name: Deal, when: {deal_terms: {issue: y}}}",
        )
    )
    bad.write_text(text)
    with pytest.raises(SimUserError) as err:
        load_scenario(bad)
    assert "unknown issue `y`" in str(err.value)


@settings(max_examples=200, deadline=None)
@given(
    ideal_i=st.floats(0, 1),
    ideal_j=st.floats(0, 1),
    res_i=st.floats(0, 1),
    s_i=st.floats(0.05, 1),
    s_j=st.floats(0.05, 1),
    need=st.floats(0, 1),
)
def test_best_acceptable_never_passes_the_proposers_reservation_and_meets_need_when_it_can(
    ideal_i: float, ideal_j: float, res_i: float, s_i: float, s_j: float, need: float
) -> None:
    one = lambda v: np.array([[v]])  # noqa: E731
    x = best_acceptable((one(ideal_i), one(s_i), one(res_i)), (one(ideal_j), one(s_j)), np.array([need]))
    lo, hi = sorted((ideal_i, ideal_j))
    assert lo - 1e-9 <= x[0, 0] <= hi + 1e-9  # between the two ideals
    toward = np.sign(ideal_j - ideal_i)
    assert toward * (x[0, 0] - ideal_i) <= max(toward * (res_i - ideal_i), 0.0) + 1e-9
    got = terms_utility(x, one(ideal_j), one(s_j))[0]
    reachable = terms_utility(
        one(ideal_i + toward * min(abs(ideal_j - ideal_i), max(toward * (res_i - ideal_i), 0))),
        one(ideal_j),
        one(s_j),
    )[0]
    assert got >= min(need, reachable) - 1e-9


def test_logroll_concedes_first_where_the_other_side_cares_more() -> None:
    # two issues; P cares about issue 0, R about issue 1: P concedes issue 1 first
    ideal_i, sal_i, res_i = np.array([[1.0], [1.0]]), np.array([[0.9], [0.1]]), np.array([[0.0], [0.0]])
    ideal_j, sal_j = np.array([[0.0], [0.0]]), np.array([[0.1], [0.9]])
    x = best_acceptable((ideal_i, sal_i, res_i), (ideal_j, sal_j), np.array([0.5]))
    assert x[0, 0] == pytest.approx(1.0) and x[1, 0] == pytest.approx(1 - 0.5 / 0.9)


def test_sim_show_describes_an_actions_offer(tmp_path: Path) -> None:
    from sim.cli.show import _action_effects

    sc = load_scenario(game(tmp_path, terms="{x: 0.3}", private=True))
    assert "private offer to r: x 0.3" in _action_effects(sc, next(a for a in sc.actions if a.id == "offer"))
    assert "offer to" not in _action_effects(sc, next(a for a in sc.actions if a.id == "hold"))


# ---- lifts: a deal switches a state off --------------------------------------------------

SANCTIONS = """states:
  - id: sanctions
    name: Sanctions in force
    owner: p
    initially: true
    effects: [{pressure_floor: {side: b, value: 0.9}}]
    assumption: t
"""
OUTCOMES = """  - {id: lifted, name: Lifted, when: {not: {state_active: sanctions}}}
  - id: off_after_break
    name: Off after a breakdown
    when: {all_of: [{deal_broken: true}, {not: {state_active: sanctions}}]}
"""


def with_sanctions(path: Path, at_least: float | None) -> Path:
    """The bargaining game with a state that holds the responder's pressure, lifted by a deal
    whose term is at least ``at_least`` (None: no ``lifts:``)."""
    text = path.read_text()
    lifts = "" if at_least is None else f", lifts: [{{state: sanctions, at_least: {at_least}}}]"
    text = text.replace("high: everything, assumption: t}", f"high: everything, assumption: t{lifts}}}")
    text = text.replace("outcomes:\n", SANCTIONS + "outcomes:\n" + OUTCOMES)
    path.write_text(text)
    return path


def test_a_deal_lifts_the_state_in_its_own_runs_only(tmp_path: Path) -> None:
    runs = run(with_sanctions(game(tmp_path, horizon=6, precision=2.0), 0.0)).runs
    deal = runs[col.first_step("deal")].to_numpy()
    lifted = runs[col.first_step("lifted")].to_numpy()
    struck = ~np.isnan(deal)
    assert 0 < struck.mean() < 1, struck.mean()  # some runs with a deal, some without
    assert np.array_equal(lifted[struck], deal[struck])
    assert np.isnan(lifted[~struck]).all()


def test_without_lifts_or_below_the_threshold_the_state_holds(tmp_path: Path) -> None:
    for at_least in (None, 1.0):  # best_acceptable terms stay below 1 for the proposer's sake
        path = with_sanctions(game(tmp_path, horizon=6, precision=2.0), at_least)
        runs = run(path).runs
        assert runs[col.first_step("deal")].notna().any()
        assert runs[col.first_step("lifted")].isna().all(), at_least


def test_a_breakdown_leaves_the_state_off(tmp_path: Path) -> None:
    path = game(tmp_path, horizon=12, precision=2.0, distrust=1.0, defection=0.5)
    runs = run(with_sanctions(path, 0.0)).runs
    broken = runs[col.first_step("broken")].to_numpy()
    off = runs[col.first_step("off_after_break")].to_numpy()
    assert (~np.isnan(broken)).sum() > 20
    assert np.array_equal(off, broken, equal_nan=True)
