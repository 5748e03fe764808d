"""The kind registries: lookups, the YAML models built from them, and unknown kinds refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_helpers import line_of, mini_text

from sim.core.errors import SimUserError
from sim.model.rules import ActionAttrs
from sim.scenario.kinds.actions import ACTION_PROPERTIES
from sim.scenario.kinds.conditions import CONDITIONS, Condition
from sim.scenario.kinds.effects import EFFECTS, Effect
from sim.scenario.kinds.registry import Registry, UnknownKind
from sim.scenario.kinds.relations import RELATIONS
from sim.scenario.loader import load_scenario

Write = Callable[..., Path]


def test_unknown_kind_is_an_error_with_a_suggestion() -> None:
    with pytest.raises(UnknownKind, match="unknown condition kind `escalation_atleast`; did you mean"):
        CONDITIONS["escalation_atleast"]
    with pytest.raises(UnknownKind, match=r"known: veto, command, alliance, influence"):
        RELATIONS["zzz"]


def test_a_kind_registers_once() -> None:
    reg: Registry[int] = Registry("test")
    reg.add("a", 1)
    with pytest.raises(ValueError, match="registered twice"):
        reg.add("a", 2)
    assert "a" in reg and reg.keys() == ("a",)


def test_models_are_built_from_the_registries() -> None:
    assert set(Condition.model_fields) == set(CONDITIONS.keys())
    assert set(Effect.model_fields) == set(EFFECTS.keys())
    assert set(ACTION_PROPERTIES.keys()) == set(ActionAttrs.__dataclass_fields__)
    for key in RELATIONS:
        assert RELATIONS[key].model.model_fields["type"].annotation.__args__ == (key,)


def test_every_kind_describes_itself() -> None:
    c = Condition.model_validate({"any_of": [{"escalation_at_least": 60}, {"outcome": "talks"}]})
    assert c.kind is CONDITIONS["any_of"]
    assert c.kind.describe(c.value, lambda s: s.kind.describe(s.value, str)) == (
        "(escalation >= 60 or outcome talks)"
    )
    e = Effect.model_validate({"hit": {"side": "red", "amount": 0.3}})
    assert e.describe() == "hit red 0.3"


@pytest.mark.parametrize(
    ("needle", "bad", "message"),
    [
        ("when: {escalation_at_least: 80}", "when: {escalation_atleast: 80}", "unknown condition kind"),
        ("- prospect: 0.05", "- prospekt: 0.05", "unknown effect kind"),
    ],
)
def test_unknown_kind_in_a_file_names_file_and_line(
    write: Write, needle: str, bad: str, message: str
) -> None:
    text = mini_text()
    assert needle in text
    text = text.replace(needle, bad, 1)
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    found = [p for p in info.value.problems if message in p.message]
    assert found, info.value.problems
    assert found[0].file == str(path)
    assert found[0].line == line_of(text, bad)
    assert "did you mean" in found[0].message


def test_unknown_relation_type_names_file_and_line(write: Write) -> None:
    text = mini_text().replace("- type: veto", "- type: vetoo", 1)
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.file == str(path) and p.line == line_of(text, "type: vetoo")
    assert "veto" in p.message


def test_own_state_conditions_are_refused_outside_red_lines(write: Write) -> None:
    text = mini_text().replace("when: {escalation_at_least: 80}", "when: {pressure_at_least: 0.5}", 1)
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.line == line_of(text, "pressure_at_least: 0.5")
    assert "may only be used in an actor's red lines" in p.message


def test_time_conditions_are_cross_checked(write: Write) -> None:
    text = mini_text().replace(
        "when: {escalation_at_least: 80}",
        "when: {all_of: [{event_fired: tanker_incidnt}, {between: {start: 2019-05-08, end: 2031-01-01}}]}",
        1,
    )
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    messages = sorted(p.message for p in info.value.problems)
    assert len(messages) == 2
    assert "2031-01-01 is outside the simulated period" in messages[0]
    assert messages[1] == "unknown event `tanker_incidnt`; did you mean `tanker_incident`?"
    assert all(p.line == line_of(text, "event_fired") for p in info.value.problems)


def test_new_condition_kinds_run_in_the_model(write: Write) -> None:
    from sim.engine.runner import run_scenario

    text = mini_text().replace(
        "when: {escalation_at_least: 80}",
        "when: {in_order: [{event_fired: tanker_incident}, {escalation_at_least: 50}]}",
        1,
    )
    scenario = load_scenario(write(text))
    runs = run_scenario(scenario, runs=400, seed=3, workers=1).runs
    fired = runs["event.tanker_incident"]
    first = scenario.scenario.step_of(scenario.events[1].start)
    assert not runs.loc[~fired, "war"].any()  # never without the event
    assert runs.loc[fired, "war"].mean() > 0.05
    assert (runs.loc[runs["war"], "war_step"] > first).all()  # strictly after it fired


def test_locked_rungs_are_cross_checked(write: Write) -> None:
    text = mini_text().replace("{name: crisis, at: 30}", "{name: crisis, at: 15, requires: [nuke]}", 1)
    path = write(text)
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    messages = sorted(p.message for p in info.value.problems)
    assert messages == [
        "the initial escalation can start at 20, at or above this locked rung (15): "
        "lower `initial.escalation` or drop `requires`",
        "unknown action `nuke` (known: hold, sanction, strike, talk)",
    ]
