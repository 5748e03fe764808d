"""The richer relations in the model: a patron's leverage, influence on any trait, command control
per class of act, alliance obligations."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.runner import prepare, run_scenario
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.scenario.kinds.effects import StepEffects
from sim.scenario.kinds.relations import RELATIONS, RelationSpec
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Param, Scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
CLIENT = """  - id: south_client
    name: South client
    side: south
    role: client state
    traits:
      hawkishness: {value: 0.5, assumption: test}
      resolve: {value: 0.5, assumption: test}
      cost_sensitivity: {value: 0.5, assumption: test}
      distrust: {value: 0.5, assumption: test}
      reciprocity: {value: 0.5, assumption: test}
      risk_tolerance: {value: 0.5, assumption: test}
    capabilities: {military: {value: 0.1, assumption: test}, economic: {value: 0.1, assumption: test}}
    actions: [hold, talk]
    adversaries: [north]
relations:
"""


def _scenario(tmp_path: Path, relations: str = "", name: str = "rel.yaml") -> Scenario:
    text = MINI.read_text().replace("relations:\n", CLIENT + relations, 1)
    (tmp_path / name).write_text(text)
    return load_scenario(tmp_path / name)


def _client_pressure(sc: Scenario) -> float:
    model = EscalationModel(prepare(sc), 500, stream_factory(8, 0))
    model.run()
    return float(model.pressure[sc.actor_ids.index("south_client")].mean())


def test_a_patrons_leverage_moves_its_client(tmp_path: Path) -> None:
    free = _scenario(tmp_path)
    squeezed = _scenario(
        tmp_path,
        "  - {type: leverage, id: patron, patron: south_gov, client: south_client, "
        "weight: {value: 1.0, assumption: test}}\n",
        "lev.yaml",
    )
    assert _client_pressure(free) == 0.0  # nobody else puts pressure on a non-adversary
    assert _client_pressure(squeezed) > 0.05


def test_influence_pulls_any_trait(tmp_path: Path) -> None:
    sc = _scenario(
        tmp_path,
        "  - {type: influence, id: pull, source: leader, target: south_client, trait: resolve, "
        "weight: {value: 0.5, assumption: test}}\n",
    )
    model = EscalationModel(prepare(sc), 10, stream_factory(1, 0))
    client, leader = sc.actor_ids.index("south_client"), sc.actor_ids.index("leader")
    want = 0.5 * model.traits["resolve"][client] + 0.5 * model.traits["resolve"][leader]
    np.testing.assert_allclose(model.effective["resolve"][client], want)
    np.testing.assert_array_equal(model.effective["hawkishness"][client], model.traits["hawkishness"][client])


def test_command_restrains_only_the_listed_acts() -> None:
    command = RELATIONS["command"]
    spec = RelationSpec(
        command, "c", (0, 1), Param(value=0.0, assumption="t"), np.array([False, False, True])
    )

    class Ctx:
        status_quo = 0

        def consent(self, actor: int, action: np.ndarray, stakes: float = 1.0) -> np.ndarray:
            return np.zeros(action.shape)

        def block(self, subject: int, action: np.ndarray, eligible: np.ndarray, p: np.ndarray) -> np.ndarray:
            return np.where(eligible & (p > 0.5), 0, action)

        def present_mask(self, actor: int) -> np.ndarray:
            return np.ones(3, dtype=bool)

    choices = np.array([[0, 0, 0], [1, 2, 2]])
    command.gate(spec, Ctx(), choices, np.zeros(3))  # type: ignore[arg-type]
    np.testing.assert_array_equal(choices[1], [1, 0, 0])  # act 1 is not restrained, act 2 is


def test_an_alliance_obliges_the_others_when_a_member_is_hit() -> None:
    alliance = RELATIONS["alliance"]
    bonus = np.array([0.0, 0.0, 2.5])  # +2.5 utility on act 2 (mobilise)
    spec = RelationSpec(alliance, "a", (0, 1), Param(value=0.5, assumption="t"), obligation=(bonus, 0.3))
    step = StepEffects.empty((np.arange(3), np.arange(3), np.arange(3)), 3)
    hit = np.array([[0.5, 0.1, 0.0], [0.0, 0.0, 0.4], [0.9, 0.9, 0.9]])  # actor 2 is not a member
    alliance.step_effects(spec, hit, np.full(3, 0.5), step)
    np.testing.assert_array_equal(np.broadcast_to(step.bonus[1][2], (3,)), [2.5, 0.0, 0.0])  # 0 was hit
    np.testing.assert_array_equal(np.broadcast_to(step.bonus[0][2], (3,)), [0.0, 0.0, 2.5])  # 1 was hit
    assert not step.bonus[2].any()


def test_an_obligation_draws_allies_in(tmp_path: Path) -> None:
    def strikes(relations: str, name: str) -> float:
        sc = _scenario(tmp_path, relations, name)
        model = EscalationModel(prepare(sc), 1000, stream_factory(9, 0))
        model.run()
        return float(model.hit[sc.actor_ids.index("south_gov")].mean())

    ally = (
        "  - {type: alliance, id: pact, members: [leader, guards], weight: {value: 0.5, assumption: test}"
        "%s}\n"
    )
    plain = strikes(ally % "", "plain.yaml")
    bound = strikes(ally % ", obliges: {actions: [strike], when_hit: 0.2, utility: 6}", "bound.yaml")
    assert bound > plain


def test_a_veto_with_high_holder_stakes_blocks_more(tmp_path: Path) -> None:
    def talks(stakes: str, name: str) -> int:
        text = MINI.read_text().replace(
            "strength: {value: 0.9, assumption: test}}",
            f"strength: {{value: 0.9, assumption: test}}{stakes}}}",
        )
        (tmp_path / name).write_text(text)
        sc = load_scenario(tmp_path / name)
        res = run_scenario(sc, runs=1000, seed=5, workers=1, samples=0)
        return int(res.action_counts[:, sc.actor_ids.index("diplomats"), sc.action_ids.index("talk")].sum())

    assert talks(", stakes: 5", "high.yaml") < 0.9 * talks("", "plain.yaml")  # 621 vs 756 at this seed
