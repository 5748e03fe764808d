"""The scenario section of the run report: a variant's differences from its base are highlighted."""

from __future__ import annotations

from fake_results import make_scenario, scenario_dict

from sim.report.scenario_section import scenario_html
from sim.scenario.display import scenario_diff
from sim.scenario.schema import Scenario


def test_variant_differences_are_highlighted() -> None:
    base = make_scenario()
    d = scenario_dict()
    d["actors"][1]["traits"]["resolve"] = {"value": 0.9, "assumption": "variant: resolute beta"}
    d["variant_of"] = "toy"
    variant = Scenario.model_validate(d)
    diff = scenario_diff(base, variant)
    assert set(diff) == {
        "actors.beta.traits.resolve.dist",
        "actors.beta.traits.resolve.value",
        "actors.beta.traits.resolve.low",
        "actors.beta.traits.resolve.high",
        "actors.beta.traits.resolve.assumption",
    }
    html = scenario_html(variant, base)
    assert '<td class="changed">0.9</td>' in html
    assert html.count('class="changed"') >= 2  # the changed trait cell and the actor row
    assert "changed" not in scenario_html(base, None)
