"""The Third Taiwan Strait Crisis scenario: it validates, runs, and keeps the armed-conflict rung
behind an act of force (docs/scenarios/taiwan_strait_1995.md)."""

from __future__ import annotations

from pathlib import Path

from sim.engine.runner import run_scenario
from sim.scenario.loader import load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "taiwan_strait_1995.yaml"
ARMED_CONFLICT = 60.0
FORCE = "[blockade, amphibious_assault, engage_forces]"


def test_scenario_validates_and_runs() -> None:
    sc = load_scenario(SCENARIO)
    res = run_scenario(sc, runs=300, seed=1, workers=1, samples=0)
    assert len(res.runs) == 300
    for outcome in sc.outcomes:
        share = res.runs[outcome.id].mean()
        assert 0.0 <= share <= 1.0
    # The ladder's two top rungs are thresholds that need an act of force.
    rungs = {level.name: level for level in sc.ladder.levels}
    assert rungs["Armed conflict"].at == ARMED_CONFLICT
    assert set(rungs["Armed conflict"].requires) == {"blockade", "amphibious_assault", "engage_forces"}


def test_armed_conflict_is_never_reached_without_an_act_of_force(tmp_path: Path) -> None:
    text = SCENARIO.read_text(encoding="utf-8")
    assert text.count("\noutcomes:\n") == 1
    force_used = f"  - {{id: force_used, name: Force used, when: {{action: {{actions: {FORCE}}}}}}}\n"
    path = tmp_path / "taiwan_force.yaml"
    path.write_text(text.replace("\noutcomes:\n", "\noutcomes:\n" + force_used), encoding="utf-8")
    res = run_scenario(load_scenario(path), runs=4000, seed=7, workers=1, samples=0)
    peak, force = res.runs["peak_escalation"].to_numpy(), res.runs["force_used"].to_numpy()
    assert not ((peak >= ARMED_CONFLICT) & ~force).any()  # never over the rung without force
    assert (peak < ARMED_CONFLICT).mean() > 0.9  # and force stays rare in this crisis
    assert peak.max() > 30  # but tests and exercises do push the ladder up
