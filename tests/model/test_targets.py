"""Acts with targets: hits, pressure and hostility reach only the actors an act names."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.runner import prepare, run_scenario
from sim.engine.seeds import stream_factory
from sim.model.model import EscalationModel
from sim.model.updates import targeted, targeted_hits
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini.yaml"
STRIKE = '  - {id: strike, name: Strike, goldstein: -10, cameo: "190", tags: [military], assumption: test}\n'


def _mini(tmp_path: Path, name: str, strike_targets: str = "", all_targets: bool = False) -> Scenario:
    text = MINI.read_text()
    assert STRIKE in text
    if strike_targets:
        text = text.replace(
            STRIKE, STRIKE.replace("tags: [military]", f"tags: [military], targets: [{strike_targets}]")
        )
    if all_targets:  # every act names every side: the same as naming nobody
        text = text.replace(
            ", assumption: test}\n  - {id:", ", targets: [north, south], assumption: test}\n  - {id:"
        )
        text = text.replace(
            STRIKE, STRIKE.replace("tags: [military]", "tags: [military], targets: [north, south]")
        )
    (tmp_path / name).write_text(text)
    return load_scenario(tmp_path / name)


def test_naming_every_side_is_the_same_as_naming_nobody(tmp_path: Path) -> None:
    plain = run_scenario(_mini(tmp_path, "plain.yaml"), runs=300, seed=2, workers=1, samples=0)
    named_sc = _mini(tmp_path, "all.yaml", all_targets=True)
    assert all(a.targets for a in named_sc.actions)
    named = run_scenario(named_sc, runs=300, seed=2, workers=1, samples=0)
    np.testing.assert_array_equal(named.action_counts, plain.action_counts)
    np.testing.assert_allclose(named.runs["peak_escalation"], plain.runs["peak_escalation"])


def test_a_strike_hits_only_its_target(tmp_path: Path) -> None:
    sc = _mini(tmp_path, "target.yaml", strike_targets="leader")
    model = EscalationModel(prepare(sc), 400, stream_factory(3, 0))
    leader, diplomats = sc.actor_ids.index("leader"), sc.actor_ids.index("diplomats")
    hits_leader, hits_diplomats = [], []
    for _ in range(sc.scenario.horizon):
        model.step()
        hits_leader.append(model.hit[leader].copy())
        hits_diplomats.append(model.hit[diplomats].copy())
    assert (np.array(hits_leader) == 1.0).any()  # the south government's strikes land on the leader
    assert not (np.array(hits_diplomats) > 0.5).any()  # the diplomats feel accidents at most


def test_targeted_known_values() -> None:
    adversary = np.array([[False, True, True], [True, False, False], [True, False, False]])
    targets = np.array([[True, True, True], [True, False, False]])  # act 1 reaches actor 0 only
    choices = np.array([[1], [1], [0]])  # actor 0 and 1 take act 1, actor 2 takes act 0
    reach = targeted(adversary, targets, choices)
    strike = np.array([[1.0], [0.7], [0.4]])
    np.testing.assert_array_equal(targeted_hits(reach, strike)[:, 0], [0.7, 0.0, 0.0])
