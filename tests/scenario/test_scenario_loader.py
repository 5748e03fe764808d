"""load_scenario: validation messages, line numbers, all errors at once, extends variants."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_helpers import MINI, line_of, mini_text

from sim.core.errors import Problem, SimUserError
from sim.scenario.loader import allowed_keys, load_scenario, summary
from sim.scenario.schema import Scenario

Write = Callable[..., Path]


def problems(path: Path | str) -> list[Problem]:
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    return info.value.problems


def test_fixture_is_valid() -> None:
    s = load_scenario(MINI)
    assert isinstance(s, Scenario) and s.variant_of is None
    assert summary(s) == "3 actors, 4 actions, 3 relations, 2 events, 2 levers, 3 outcomes"
    assert s.levers[0].on is False  # `on:` is not read as YAML 1.1's True key


def test_range_error_has_line_and_field_path(write: Write) -> None:
    text = mini_text().replace(
        "resolve: {value: 0.8, assumption: high}", "resolve: {value: 1.7, assumption: high}"
    )
    path = write(text)
    (p,) = problems(path)
    assert p.file == str(path)
    assert p.line == line_of(text, "resolve: {value: 1.7")
    assert p.field == "actors[1].traits.resolve"
    assert p.message.startswith("1.7 is above 1 (traits are")
    assert str(p) == f"{path}:{p.line}: actors[1].traits.resolve: {p.message}"


def test_unknown_key_did_you_mean(write: Write) -> None:
    text = mini_text().replace("    commander: red_gov", "    comander: red_gov")
    text = text.replace("  horizon: 52", "  horizon: 52\n  horizn: 3")
    out = problems(write(text))
    msgs = {(p.field, p.message) for p in out}
    assert ("relations[0].comander", "unknown key `comander`; did you mean `commander`?") in msgs
    assert ("scenario.horizn", "unknown key `horizn`; did you mean `horizon`?") in msgs
    assert ("relations[0].commander", "required key is missing") in msgs
    line = {p.field: p.line for p in out}
    assert line["relations[0].comander"] == line_of(text, "comander:")
    assert line["relations[0].commander"] == line_of(text, "type: command")


def test_unknown_key_without_close_match_lists_allowed(write: Write) -> None:
    text = mini_text().replace("notes: Fixture only.", "zzzzzz: 1\nnotes: Fixture only.")
    (p,) = problems(write(text))
    assert p.field == "zzzzzz" and "allowed: scenario, ladder" in p.message


def test_allowed_keys_walks_models() -> None:
    assert "resolve" in allowed_keys(("actors", 0, "traits"))
    assert allowed_keys(("relations", 0, "veto")) == [
        "type",
        "id",
        "holder",
        "subject",
        "actions",
        "strength",
        "stakes",
        "deals",
    ]
    assert "any_of" in allowed_keys(("outcomes", 1, "when", "all_of", 0))
    assert allowed_keys(("actors", 0, "nonsense")) == []


def test_bare_number_for_param_explains_provenance(write: Write) -> None:
    text = mini_text().replace("strength: {value: 0.5, assumption: some veto}", "strength: 0.5")
    (p,) = problems(write(text))
    assert p.field == "relations[1].strength" and "assumption" in p.message


def test_all_errors_at_once(write: Write) -> None:
    text = (
        mini_text()
        .replace("goldstein: -9", "goldstein: -19")
        .replace("actions: [hold, strike]\n", "actions: [hold, strik]\n")
        .replace("waits_for: election", "waits_for: elections")
        .replace("  horizon: 52", "  horizon: many")
    )
    out = problems(write(text))
    fields = {p.field for p in out}
    assert {
        "actions[3].goldstein",
        "actors[1].actions[1]",
        "actors[0].waits_for",
        "scenario.horizon",
    } <= fields
    assert all(p.line for p in out)


def test_variant_of_is_set_by_loader_only(write: Write) -> None:
    (p,) = problems(write(mini_text() + "variant_of: other\n"))
    assert p.field == "variant_of" and "extends" in p.message


# --- extends ---------------------------------------------------------------------------------


def variant(write: Write, body: str, name: str = "v.yaml", base: str = "mini.yaml") -> Path:
    write(mini_text(), base)
    return write(body, name)


def test_variant_merge_semantics(write: Write) -> None:
    body = """extends: mini.yaml
scenario: {id: mini_v, title: A variant}
actions:
  - id: strike
    goldstein: -8
  - id: blockade
    name: Naval blockade
    goldstein: -7
    assumption: new action
actors:
  - id: blue_gov
    actions: [hold, blockade]
    traits:
      resolve: {value: 0.9, assumption: firmer}
levers:
  - id: restraint
    remove: true
initial:
  pressure:
    - side: red
      value: {value: 0.2, assumption: some}
"""
    s = load_scenario(variant(write, body))
    assert s.variant_of == "mini.yaml"
    assert s.scenario.id == "mini_v" and s.scenario.title == "A variant"
    assert s.scenario.horizon == 52  # merged mapping keeps the base's other keys
    assert s.action("strike").goldstein == -8 and s.action("strike").name == "Military strike"
    assert s.action_ids == ["hold", "talk", "sanction", "strike", "blockade"]  # new id appended
    blue = s.actor("blue_gov")
    assert blue.actions == ["hold", "blockade"]  # plain lists replace
    assert blue.traits.resolve.value == 0.9 and blue.traits.wait_out.value == 0.0
    assert [lv.id for lv in s.levers] == ["mediation"]  # removed by id
    assert [(p.side, p.value.value) for p in s.initial.pressure] == [("red", 0.2)]  # list without ids


def test_error_in_base_points_at_base_file(write: Write) -> None:
    base_text = mini_text().replace("goldstein: -9", "goldstein: -19")
    write(base_text, "base.yaml")
    v = write("extends: base.yaml\nactions:\n  - id: talk\n    goldstein: 12\n", "v.yaml")
    out = problems(v)
    where = {p.field: (Path(p.file).name, p.line) for p in out}
    assert where["actions[3].goldstein"] == ("base.yaml", line_of(base_text, "goldstein: -19"))
    assert where["actions[1].goldstein"] == ("v.yaml", 4)


def test_extends_chain(write: Write) -> None:
    variant(write, "extends: mini.yaml\nscenario: {id: v1, title: one}\n", "v1.yaml")
    s = load_scenario(write("extends: v1.yaml\nscenario: {id: v2, title: two}\n", "v2.yaml"))
    assert s.variant_of == "v1.yaml" and s.scenario.id == "v2" and s.scenario.horizon == 52


def test_extends_cycle(write: Write) -> None:
    write("extends: b.yaml\n", "a.yaml")
    b = write("extends: a.yaml\n", "b.yaml")
    (p,) = problems(b)
    assert "cycle" in p.message and p.field == "extends"
    (p,) = problems(write("extends: self.yaml\n", "self.yaml"))
    assert "cycle" in p.message


def test_extends_missing_target(write: Write) -> None:
    (p,) = problems(write("extends: nope.yaml\n"))
    assert "does not exist" in p.message and p.line == 1


@pytest.mark.parametrize("value", ["[a.yaml]", "''", "3"])
def test_extends_must_be_a_file_name(write: Write, value: str) -> None:
    (p,) = problems(write(f"extends: {value}\n"))
    assert p.field == "extends" and "file name" in p.message


def test_extends_cannot_escape_folder(write: Write, tmp_path: Path) -> None:
    write(mini_text(), "outside.yaml")
    inner = write("extends: ../outside.yaml\n", "inner/v.yaml")
    (p,) = problems(inner)  # no project marker above tmp_path: the project folder is inner/
    assert f"leads outside the project folder {tmp_path.resolve() / 'inner'} " in p.message
    assert load_scenario(inner, root=tmp_path).variant_of == "../outside.yaml"
    (p,) = problems(write("extends: /etc/passwd\n", "inner/w.yaml"))
    assert "leads outside the project folder" in p.message
    with pytest.raises(SimUserError) as info:
        load_scenario(write("extends: ../../x.yaml\n", "inner/u.yaml"), root=tmp_path / "inner")
    assert "leads outside the scenario folder" in info.value.problems[0].message


def test_extends_symlink_escape(write: Write, tmp_path: Path) -> None:
    write(mini_text(), "elsewhere/base.yaml")
    v = write("extends: base.yaml\n", "here/v.yaml")
    os.symlink(tmp_path / "elsewhere" / "base.yaml", tmp_path / "here" / "base.yaml")
    (p,) = problems(v)
    assert "leads outside the project folder" in p.message


def test_remove_errors(write: Write) -> None:
    body = (
        "extends: mini.yaml\nlevers:\n  - id: nothere\n    remove: true\n"
        "  - id: mediation\n    remove: yes please\n"
    )
    out = problems(variant(write, body))
    assert [(p.line, p.field) for p in out] == [(3, "remove"), (5, "remove")]
    assert "no item `nothere`" in out[0].message and "remove: true" in out[1].message


def test_base_file_problems_name_the_base(write: Write) -> None:
    write("scenario: [1\n", "broken.yaml")
    (p,) = problems(write("extends: broken.yaml\n"))
    assert Path(p.file).name == "broken.yaml" and "invalid YAML" in p.message
