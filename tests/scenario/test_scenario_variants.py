"""Variants (sim.scenario.variants): `extends:` anywhere inside the project folder and never
outside it; a misspelled merge id and a condition broken by the merge are named as such."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_helpers import line_of, mini_text

from sim.cli import main
from sim.core.errors import Problem, SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.variants import project_folder

Write = Callable[..., Path]
VARIANT = "scenario: {id: v, title: A variant}\n"


def problems(path: Path) -> list[Problem]:
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    return info.value.problems


@pytest.mark.parametrize("marker", ["pyproject.toml", ".git"])
def test_project_folder_is_the_nearest_marked_folder(tmp_path: Path, marker: str) -> None:
    (tmp_path / "proj" / "scenarios" / "deep").mkdir(parents=True)
    (tmp_path / "proj" / marker).touch()
    assert project_folder(tmp_path / "proj" / "scenarios" / "deep") == (tmp_path / "proj").resolve()


def test_project_folder_without_marker(tmp_path: Path) -> None:
    deep = tmp_path / "work" / "scenarios" / "variants" / "x"
    deep.mkdir(parents=True)
    assert project_folder(deep) == (tmp_path / "work" / "scenarios").resolve()  # named `scenarios`
    (tmp_path / "other").mkdir()
    assert project_folder(tmp_path / "other") == (tmp_path / "other").resolve()  # its own folder


def test_project_folder_is_never_home_or_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".git").mkdir()  # a dotfiles repository in the home folder
    (tmp_path / "crisis").mkdir()
    assert project_folder(tmp_path / "crisis") == (tmp_path / "crisis").resolve()


def test_extends_reaches_a_base_anywhere_in_the_project(write: Write, tmp_path: Path) -> None:
    write("[project]\nname = 'analysis'\n", "pyproject.toml")
    write(mini_text(), "scenarios/bases/mini.yaml")
    v = write("extends: ../../scenarios/bases/mini.yaml\n" + VARIANT, "studies/2024/v.yaml")
    assert load_scenario(v).variant_of == "../../scenarios/bases/mini.yaml"
    assert main(["validate", str(v)]) == 0
    assert "Differences from base mini" in _show(v)  # sim show finds the base in the other folder
    chained = write("extends: ../studies/2024/v.yaml\nscenario: {id: w, title: W}\n", "notes/w.yaml")
    assert load_scenario(chained).scenario.id == "w"  # a variant of a variant, across folders
    assert "Differences from base v" in _show(chained)


def _show(path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "sim", "show", str(path)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_extends_is_refused_outside_the_project(
    write: Write, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(mini_text(), "elsewhere/mini.yaml")
    write("", "proj/pyproject.toml")
    v = write("extends: ../../elsewhere/mini.yaml\n" + VARIANT, "proj/scenarios/v.yaml")
    (p,) = problems(v)
    assert (p.file, p.line, p.field) == (str(v), 1, "extends")
    assert p.message.startswith(
        f"`../../elsewhere/mini.yaml` leads outside the project folder {tmp_path.resolve() / 'proj'} "
    )
    assert "pyproject.toml" in p.message
    assert main(["validate", str(v)]) == 2
    assert "leads outside the project folder" in capsys.readouterr().err


def test_extends_symlink_out_of_the_project_is_refused(write: Write, tmp_path: Path) -> None:
    write(mini_text(), "elsewhere/mini.yaml")
    write("", "proj/pyproject.toml")
    (tmp_path / "proj" / "scenarios").mkdir()
    (tmp_path / "proj" / "scenarios" / "mini.yaml").symlink_to(tmp_path / "elsewhere" / "mini.yaml")
    (p,) = problems(write("extends: mini.yaml\n" + VARIANT, "proj/scenarios/v.yaml"))
    assert "leads outside the project folder" in p.message


def test_misspelled_merge_id_says_no_such_item(write: Write) -> None:
    write(mini_text(), "mini.yaml")
    body = (
        "extends: mini.yaml\n"
        + VARIANT
        + "events:\n  - id: tanker_incidnt\n    probability: {value: 0.9, assumption: x}\n"
    )
    v = write(body, "v.yaml")
    (p,) = problems(v)
    assert (p.file, p.line, p.field) == (str(v), 4, "events[2].id")
    assert p.message.startswith(
        "no such event `tanker_incidnt` in the base (did you mean `tanker_incident`?)"
    )
    assert "required key is missing" not in p.message


def test_misspelled_nested_id_and_no_close_match(write: Write) -> None:
    write(mini_text(), "mini.yaml")
    body = (
        "extends: mini.yaml\n" + VARIANT + "actors:\n  - id: red_gov\n    red_lines:\n"
        "      - id: no_talk_under_fire\n        description: typo\n"
        "levers:\n  - id: zzz\n    on: true\n"
    )
    out = problems(write(body, "v.yaml"))
    msgs = {p.field: p.message for p in out}
    assert msgs["actors[0].red_lines[1].id"].startswith(
        "no such red line `no_talk_under_fire` in the base (did you mean `no_talks_under_fire`?)"
    )
    assert msgs["levers[2].id"].startswith(
        "no such lever `zzz` in the base (the base has: `mediation`, `restraint`)"
    )


def test_misspelled_relation_id(write: Write) -> None:
    """Relations are a union tagged by `type`: an unknown id without a type is a misspelling."""
    write(mini_text(), "mini.yaml")
    body = (
        "extends: mini.yaml\n"
        + VARIANT
        + "relations:\n  - id: guard_pul\n    weight: {value: 0.5, assumption: x}\n"
    )
    (p,) = problems(write(body, "v.yaml"))
    assert (p.line, p.field) == (4, "relations[3].id")
    assert p.message.startswith("no such relation `guard_pul` in the base (did you mean `guard_pull`?)")
    typed = body.replace("  - id: guard_pul\n", "  - id: guard_pul\n    type: influence\n")
    (p,) = problems(write(typed, "w.yaml"))
    assert "give its `source`, `target` too" in p.message


def test_a_new_complete_item_is_still_added(write: Write) -> None:
    write(mini_text(), "mini.yaml")
    body = (
        "extends: mini.yaml\n"
        + VARIANT
        + "levers:\n  - id: talks_offer\n    name: Offer\n    effects: [{prospect: 0.1}]\n    assumption: x\n"
    )
    assert [lv.id for lv in load_scenario(write(body, "v.yaml")).levers][-1] == "talks_offer"


def test_condition_broken_by_the_merge_says_so(write: Write) -> None:
    base_text = mini_text()
    write(base_text, "mini.yaml")
    body = "extends: mini.yaml\n" + VARIANT + "outcomes:\n  - id: war\n    when: {outcome: talks}\n"
    v = write(body, "v.yaml")
    (p,) = problems(v)
    assert (p.file, p.line, p.field) == (str(v), 5, "outcomes[1].when")
    assert p.message.startswith("a condition has exactly one key")
    base_line = line_of(base_text, "when: {escalation_at_least: 80}")
    assert "the merge with the base caused this" in p.message
    assert f"({Path(v).parent / 'mini.yaml'}:{base_line})" in p.message
    assert "also write `escalation_at_least: null`" in p.message
    fixed = body.replace("{outcome: talks}", "{outcome: talks, escalation_at_least: null}")
    assert load_scenario(write(fixed, "v2.yaml")).outcomes[1].when.key == "outcome"  # the advice works


def test_variant_own_mistake_gets_no_merge_note(write: Write) -> None:
    write(mini_text(), "mini.yaml")
    body = "extends: mini.yaml\n" + VARIANT + "outcomes:\n  - id: war\n    when: {escalation_at_least: 900}\n"
    (p,) = problems(write(body, "v.yaml"))
    assert "merge" not in p.message


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    depth=st.integers(1, 5),
    markers=st.dictionaries(st.integers(0, 5), st.sampled_from(["pyproject.toml", ".git"]), max_size=3),
    named=st.sets(st.integers(0, 5), max_size=2),
)
def test_project_folder_property(
    tmp_path_factory: pytest.TempPathFactory, depth: int, markers: dict[int, str], named: set[int]
) -> None:
    """The project folder is the nearest marked ancestor, else the nearest `scenarios`, else the
    start; it always contains the start."""
    top = tmp_path_factory.mktemp("proj")
    folders = [top]
    for level in range(1, depth + 1):
        folders.append(folders[-1] / ("scenarios" if level in named else f"d{level}"))
    folders[-1].mkdir(parents=True)
    for level, marker in markers.items():
        if level <= depth:
            (folders[level] / marker).touch()
    start = folders[-1]
    found = project_folder(start)
    marked = [f for f in reversed(folders) if any((f / m).exists() for m in ("pyproject.toml", ".git"))]
    scen = [f for f in reversed(folders) if f.name == "scenarios"]
    expected = marked[0] if marked else scen[0] if scen else start
    assert found == expected.resolve() and start.resolve().is_relative_to(found)
