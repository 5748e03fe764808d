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
