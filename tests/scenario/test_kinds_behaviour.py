"""Each kind on its own: known input -> known output (compilation, evaluation, application)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scenario_helpers import MINI

from sim.model.compiled import Compiler
from sim.scenario.base import Param
from sim.scenario.kinds.actions import Action, action_arrays
from sim.scenario.kinds.conditions import CONDITIONS, Cond, Condition
from sim.scenario.kinds.effects import Effect, StepEffects, Timing, compile_effects
from sim.scenario.kinds.relations import RELATIONS, RelationSpec
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

N = 4


@pytest.fixture(scope="module")
def mini() -> Scenario:
    """tests/scenario/data/mini.yaml: red_gov, red_guard (side red), blue_gov (side blue)."""
    return load_scenario(MINI)


def _compiler(mini: Scenario) -> Compiler:
    return Compiler(mini)


def _state(n_actors: int, **kw: Any) -> SimpleNamespace:
    base: dict[str, Any] = {
        "escalation": np.zeros(N),
        "pressure": np.zeros((n_actors, N)),
        "hit": np.zeros((n_actors, N)),
        "outcome_step": np.full((3, N), -1),
        "condition_state": {},
    }
    base.update(kw)
    return SimpleNamespace(**base)


def _holds(c: Cond, st_: Any, t: int) -> np.ndarray:
    return np.asarray(c.kind.evaluate(c, st_, t, lambda sub: _holds(sub, st_, t)), dtype=bool)


def test_threshold_conditions(mini: Scenario) -> None:
    cc = _compiler(mini)
    esc = cc.condition(Condition.model_validate({"escalation_at_least": 50}))
    press = cc.condition(Condition.model_validate({"pressure_at_least": 0.4}), owner=1)
    st_ = _state(
        cc.n_actors,
        escalation=np.array([0.0, 49.9, 50.0, 99.0]),
        pressure=np.array([[0.9] * N, [0.0, 0.4, 0.39, 1.0], [0.9] * N]),
    )
    np.testing.assert_array_equal(_holds(esc, st_, 1), [False, False, True, True])
    np.testing.assert_array_equal(_holds(press, st_, 1), [False, True, False, True])


def test_action_counter_counts_uses_by_scoped_actors(mini: Scenario) -> None:
    cc = _compiler(mini)
    cond = cc.condition(
        Condition.model_validate({"action": {"actors": ["red_guard"], "actions": ["strike"], "count": 2}})
    )
    kind = CONDITIONS["action"]
    specs = list(cc.slots["action"])
    state = kind.init_state(specs, N)
    strike, hold = cc.action_index["strike"], cc.action_index["hold"]
    guard, gov = cc.actor_index["red_guard"], cc.actor_index["red_gov"]
    for t in (1, 2):
        choices = np.full((cc.n_actors, N), hold)
        choices[guard, :2] = strike  # the guard strikes in runs 0 and 1 ...
        choices[gov, 2] = strike  # ... the government (not in scope) in run 2
        kind.record(state, specs, choices, t, None, None)  # type: ignore[arg-type]
    st_ = _state(cc.n_actors, condition_state={"action": state})
    np.testing.assert_array_equal(_holds(cond, st_, 2), [True, True, False, False])


def test_joint_action_needs_every_party_within_the_window(mini: Scenario) -> None:
    cc = _compiler(mini)
    cond = cc.condition(
        Condition.model_validate(
            {
                "joint_action": {
                    "parties": [{"side": "red", "actions": ["talk"]}, {"side": "blue", "actions": ["talk"]}],
                    "within": 2,
                }
            }
        )
    )
    kind = CONDITIONS["joint_action"]
    specs = list(cc.slots["joint_action"])
    state = kind.init_state(specs, N)
    talk, hold = cc.action_index["talk"], cc.action_index["hold"]
    red = next(i for i, a in enumerate(mini.actors) if a.side == "red")
    blue = next(i for i, a in enumerate(mini.actors) if a.side == "blue")
    step1 = np.full((cc.n_actors, N), hold)
    step1[red, :] = talk
    kind.record(state, specs, step1, 1, None, None)  # type: ignore[arg-type]
    step3 = np.full((cc.n_actors, N), hold)
    step3[blue, [0, 1]] = talk
    kind.record(state, specs, step3, 3, None, None)  # type: ignore[arg-type]
    st_ = _state(cc.n_actors, condition_state={"joint_action": state})
    # red talked at 1, blue at 3: within 2 steps at t=3 means both after step 1: not yet
    assert not _holds(cond, st_, 3).any()
    kind.record(state, specs, step1, 4, None, None)  # type: ignore[arg-type]
    np.testing.assert_array_equal(_holds(cond, st_, 4), [True, True, False, False])


@given(arrays(bool, (3, N)))
def test_all_of_and_any_of_are_and_or(bits: np.ndarray) -> None:
    leaves = [Cond(CONDITIONS["outcome"], slot=i) for i in range(3)]
    st_ = SimpleNamespace(outcome_step=np.where(bits, 5, -1))
    all_of = Cond(CONDITIONS["all_of"], children=tuple(leaves))
    any_of = Cond(CONDITIONS["any_of"], children=tuple(leaves))
    np.testing.assert_array_equal(_holds(all_of, st_, 9), bits.all(axis=0))
    np.testing.assert_array_equal(_holds(any_of, st_, 9), bits.any(axis=0))


def test_one_shot_effects_fire_only_where_the_event_happens(mini: Scenario) -> None:
    cc = _compiler(mini)
    effects = [
        Effect.model_validate(x)
        for x in (
            {"escalation": 5},
            {"escalation": 2},
            {"hit": {"side": "red", "amount": 0.3}},
            {"pressure": {"side": "blue", "delta": 0.5}},
            {"utility": {"actions": ["talk"], "delta": 1.0}},  # continuous: not in the one-shot sum
        )
    ]
    shot = compile_effects(effects, cc, Timing.ONE_SHOT)
    assert shot.total("escalation") == 7.0 and shot.total("utility") is None
    red = np.array([a.side == "red" for a in mini.actors])
    world = SimpleNamespace(
        escalation=np.array([98.0, 10.0, 10.0, 10.0]),
        hit=np.zeros((cc.n_actors, N)),
        pressure=np.full((cc.n_actors, N), 0.8),
        lever_on=np.zeros((2, N), dtype=bool),
        e_max=100.0,
    )
    happens = np.array([True, True, False, True])
    shot.fire(world, happens)  # type: ignore[arg-type]
    np.testing.assert_array_equal(world.escalation, [100.0, 17.0, 10.0, 17.0])  # clipped at the top
    np.testing.assert_array_equal(world.hit[red], np.tile([0.3, 0.3, 0.0, 0.3], (red.sum(), 1)))
    assert not world.hit[~red].any()
    np.testing.assert_array_equal(world.pressure[~red], np.tile([1.0, 1.0, 0.8, 1.0], ((~red).sum(), 1)))


def test_continuous_effects_apply_where_active(mini: Scenario) -> None:
    cc = _compiler(mini)
    effects = [
        Effect.model_validate(x)
        for x in (
            {"utility": {"sides": ["red"], "actions": ["talk"], "delta": 0.5}},
            {"forbid": {"actors": ["red_guard"], "actions": ["strike"]}},
            {"prospect": 0.1},
            {"pressure_floor": {"side": "blue", "value": 0.6}},
        )
    ]
    src = compile_effects(effects, cc, Timing.CONTINUOUS)
    scored = tuple(np.arange(cc.n_actions) for _ in range(cc.n_actors))
    step = StepEffects.empty(scored, cc.n_actors)
    active = np.array([True, False, True, True])
    src.apply(step, active)
    talk, strike = cc.action_index["talk"], cc.action_index["strike"]
    guard = cc.actor_index["red_guard"]
    for i, a in enumerate(mini.actors):
        want = 0.5 * active if a.side == "red" else np.zeros(N)
        np.testing.assert_array_equal(np.broadcast_to(step.bonus[i][talk], (N,)), want)
        np.testing.assert_array_equal(np.broadcast_to(step.floor[i], (N,)), 0.6 * active * (a.side == "blue"))
    np.testing.assert_array_equal(step.forbid[guard][strike], active)
    np.testing.assert_array_equal(step.prospect, 0.1 * active)


def test_veto_and_command_gate_with_the_holders_consent() -> None:
    veto, command = RELATIONS["veto"], RELATIONS["command"]
    p = Param(value=1.0, assumption="test")
    listed = np.array([False, True, True])  # actions 1 and 2 are vetoable; 0 is the status quo
    v = RelationSpec(veto, "v", (0, 1), p, listed)
    c = RelationSpec(command, "c", (0, 2), p)

    class Ctx:
        status_quo = 0

        def consent(self, actor: int, action: np.ndarray, stakes: float = 1.0) -> np.ndarray:
            return np.array([0.0, 0.0, 1.0, 0.0])  # the holder consents in run 2 only

        def block(
            self, subject: int, action: np.ndarray, eligible: np.ndarray, p_block: np.ndarray
        ) -> np.ndarray:
            return np.where(eligible & (p_block > 0.5), self.status_quo, action)

        def present_mask(self, actor: int) -> np.ndarray:
            return np.ones(N, dtype=bool)

    choices = np.array([[0, 0, 0, 0], [1, 2, 1, 0], [2, 1, 2, 2]])
    veto.gate(v, Ctx(), choices, np.array([1.0, 1.0, 1.0, 0.2]))  # type: ignore[arg-type]
    np.testing.assert_array_equal(choices[1], [0, 0, 1, 0])  # blocked unless consent or weak veto
    command.gate(c, Ctx(), choices, np.array([0.0, 0.0, 0.0, 0.9]))  # type: ignore[arg-type]
    np.testing.assert_array_equal(choices[2], [0, 0, 2, 2])  # autonomy 0.9: acts on its own
    assert veto.gatekeeper(v) == (0, 1) and command.gatekeeper(c) == (0, 2)


def test_alliance_and_influence_hooks() -> None:
    p = Param(value=0.5, assumption="test")
    al = RelationSpec(RELATIONS["alliance"], "a", (0, 2, 3), p)
    assert sorted(RELATIONS["alliance"].hit_shares(al)) == [(0, 2), (0, 3), (2, 0), (2, 3), (3, 0), (3, 2)]
    inf = RelationSpec(RELATIONS["influence"], "i", (1, 4), p, trait="hawkishness")
    assert RELATIONS["influence"].trait_pull(inf) == ("hawkishness", 4, 1)
    assert RELATIONS["veto"].trait_pull(al) is None


@given(st.floats(-10, 10), st.sampled_from([[], ["military"], ["negotiation", "signal"]]))
def test_action_properties(goldstein: float, tags: list[str]) -> None:
    act = Action.model_validate(
        {"id": "a", "name": "A", "goldstein": goldstein, "tags": tags, "assumption": "test"}
    )
    props = action_arrays([act], points_per_goldstein=2.0)
    assert props["host"][0] == -goldstein / 10.0
    assert props["hostp"][0] == max(-goldstein / 10.0, 0.0)
    assert props["coop"][0] == max(goldstein, 0.0) / 10.0
    assert props["mil"][0] == float("military" in tags)
    assert props["neg"][0] == float("negotiation" in tags)
    assert props["delta"][0] == -goldstein * 2.0


@given(arrays(bool, (1, N)))
def test_not_negates(bits: np.ndarray) -> None:
    leaf = Cond(CONDITIONS["outcome"], slot=0)
    st_ = SimpleNamespace(outcome_step=np.where(bits, 5, -1))
    np.testing.assert_array_equal(_holds(Cond(CONDITIONS["not"], children=(leaf,)), st_, 9), ~bits[0])


def test_event_fired_from_its_first_step_where_it_happens(mini: Scenario) -> None:
    cc = _compiler(mini)
    cond = cc.condition(Condition.model_validate({"event_fired": "tanker_incident"}))
    first = mini.scenario.step_of(mini.events[cc.event_index["tanker_incident"]].start)
    happens = np.zeros((len(mini.events), N), dtype=bool)
    happens[cc.event_index["tanker_incident"]] = [True, False, True, False]
    first_steps = [max(mini.scenario.step_of(e.start), 1) for e in mini.events]
    st_ = _state(cc.n_actors, event_happens=happens, event_first=np.repeat(np.c_[first_steps], N, axis=1))
    assert not _holds(cond, st_, first - 1).any()
    np.testing.assert_array_equal(_holds(cond, st_, first), [True, False, True, False])
    np.testing.assert_array_equal(_holds(cond, st_, first + 30), [True, False, True, False])


def test_between_holds_inside_the_window_only(mini: Scenario) -> None:
    cc = _compiler(mini)  # weekly steps from 2019-05-01
    cond = cc.condition(Condition.model_validate({"between": {"start": "2019-05-15", "end": "2019-06-05"}}))
    st_ = _state(cc.n_actors)
    inside = [t for t in range(10) if _holds(cond, st_, t).all()]
    assert inside == [2, 3, 4, 5]


def test_in_order_needs_each_part_at_a_later_step(mini: Scenario) -> None:
    cc = _compiler(mini)
    cond = cc.condition(
        Condition.model_validate(
            {"in_order": [{"escalation_at_least": 50}, {"not": {"escalation_at_least": 50}}]}
        )
    )
    kind = CONDITIONS["in_order"]
    specs = list(cc.slots["in_order"])
    state = kind.init_state(specs, N)
    # runs: 0 rises then falls (true at t=3); 1 never rises; 2 rises and stays; 3 falls first, rises at t=3
    path = np.array([[60, 0, 60, 0], [60, 0, 60, 0], [10, 0, 60, 60], [10, 0, 60, 10]], dtype=float)
    for t, esc in enumerate(path, start=1):
        st_ = _state(cc.n_actors, escalation=esc, condition_state={"in_order": state})
        kind.record(
            state, specs, np.zeros((cc.n_actors, N), dtype=int), t, st_, lambda c, s=st_, t=t: _holds(c, s, t)
        )  # type: ignore[arg-type]
    np.testing.assert_array_equal(_holds(cond, st_, 4), [True, False, False, True])
