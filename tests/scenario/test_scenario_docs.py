"""The examples of docs/scenario-format.md validate, as the page claims."""

from __future__ import annotations

import re
from pathlib import Path

from sim.scenario.loader import load_scenario
from sim.scenario.paths import get_param, resolve_static_levers

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md"


def yaml_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_doc_examples_validate(tmp_path: Path) -> None:
    *_, base_text, variant_text = yaml_blocks()  # the complete example and its variant close the page
    (tmp_path / "example.yaml").write_text(base_text, encoding="utf-8")
    (tmp_path / "example_mediation.yaml").write_text(variant_text, encoding="utf-8")
    base = load_scenario(tmp_path / "example.yaml")
    assert base.scenario.id == "example" and len(base.actors) == 3
    variant = load_scenario(tmp_path / "example_mediation.yaml")
    assert variant.variant_of == "example.yaml"
    assert [lv.on for lv in variant.levers] == [True, False]
    assert get_param(variant, "actors.west_gov.traits.resolve").value == 0.8
    assert resolve_static_levers(variant) == variant  # rein_in is off


def test_doc_example_runs_sensibly_as_written(tmp_path: Path) -> None:
    """Issue 11: the complete example runs as a crisis, not an explosion: no warning (no
    saturated outcome, every act chosen), every outcome neither certain nor impossible, and the
    war rung, which requires an invasion, is reached only by that act (strikes stop below it)."""
    from sim.analysis.warnings import run_warnings
    from sim.core import columns as col
    from sim.engine.runner import run_scenario

    *_, base_text, _ = yaml_blocks()
    (tmp_path / "example.yaml").write_text(base_text, encoding="utf-8")
    sc = load_scenario(tmp_path / "example.yaml")
    results = run_scenario(sc, runs=2000, seed=7, workers=1, samples=0)
    assert run_warnings(results) == []
    shares = {o.id: results.runs[col.first_step(o.id)].notna().mean() for o in sc.outcomes}
    assert all(0.05 < p < 0.95 for p in shares.values()), shares
    text = base_text.replace(", invade]", "]").replace(", invade, sanction", ", sanction")
    (tmp_path / "no_invasion.yaml").write_text(text, encoding="utf-8")
    no_invasion = load_scenario(tmp_path / "no_invasion.yaml")
    peaks = run_scenario(no_invasion, runs=2000, seed=7, workers=1, samples=0).runs[col.PEAK]
    assert 70 < peaks.max() < 80  # strikes bring runs to the brink of the war rung, never over it
