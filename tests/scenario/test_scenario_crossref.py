"""Cross-reference rules: each mutation of the valid fixture must be reported at its field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from scenario_helpers import dump, mini_data

from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario

D = dict[str, Any]


def actor(d: D, ident: str) -> D:
    return next(a for a in d["actors"] if a["id"] == ident)


def item(d: D, key: str, ident: str) -> D:
    return next(x for x in d[key] if x["id"] == ident)


def set_(fn: Callable[[D], Any]) -> Callable[[D], None]:
    return lambda d: (fn(d), None)[1]


CASES: list[tuple[str, Callable[[D], Any], str, str]] = [
    (
        "dup actor",
        lambda d: d["actors"].append(dict(d["actors"][0])),
        "actors[3].id",
        "duplicate actor id `red_gov`",
    ),
    (
        "dup action",
        lambda d: d["actions"].append(dict(d["actions"][0])),
        "actions[4].id",
        "duplicate action id",
    ),
    ("dup event", lambda d: d["events"].append(dict(d["events"][0])), "events[2].id", "duplicate event id"),
    ("dup lever", lambda d: d["levers"].append(dict(d["levers"][0])), "levers[2].id", "duplicate lever id"),
    (
        "dup outcome",
        lambda d: d["outcomes"].append(dict(d["outcomes"][1])),
        "outcomes[3].id",
        "duplicate outcome",
    ),
    (
        "dup relation",
        lambda d: d["relations"].append(dict(d["relations"][1])),
        "relations[3].id",
        "duplicate relation",
    ),
    (
        "dup source",
        lambda d: d["scenario"]["sources"].append(dict(d["scenario"]["sources"][0])),
        "scenario.sources[1].id",
        "duplicate source id",
    ),
    (
        "dup red line",
        lambda d: actor(d, "red_gov")["red_lines"].append(dict(actor(d, "red_gov")["red_lines"][0])),
        "actors[0].red_lines[1].id",
        "duplicate red line id",
    ),
    (
        "actor action",
        lambda d: actor(d, "red_guard")["actions"].append("strik"),
        "actors[1].actions[2]",
        "did you mean `strike`",
    ),
    (
        "actor action twice",
        lambda d: actor(d, "red_guard")["actions"].append("hold"),
        "actors[1].actions[2]",
        "listed twice",
    ),
    (
        "adversary side",
        lambda d: actor(d, "red_gov").update(adversaries=["green"]),
        "actors[0].adversaries[0]",
        "unknown side `green`",
    ),
    (
        "waits_for",
        lambda d: actor(d, "red_gov").update(waits_for="electon"),
        "actors[0].waits_for",
        "did you mean `election`",
    ),
    (
        "red line forbid",
        lambda d: actor(d, "red_gov")["red_lines"][0].update(forbid=["tlak"]),
        "actors[0].red_lines[0].forbid[0]",
        "unknown action `tlak`",
    ),
    (
        "red line utility",
        lambda d: actor(d, "red_gov")["red_lines"][0].update(utility={"nuke": 1.0}),
        "actors[0].red_lines[0].utility.nuke",
        "unknown action `nuke`",
    ),
    (
        "red line condition actor",
        lambda d: actor(d, "red_gov")["red_lines"][0].update(
            when={"action": {"actors": ["x_gov"], "actions": ["strike"]}}
        ),
        "actors[0].red_lines[0].when.action.actors[0]",
        "unknown actor `x_gov`",
    ),
    (
        "red line condition action",
        lambda d: actor(d, "red_gov")["red_lines"][0]["when"]["action"].update(actions=["bomb"]),
        "actors[0].red_lines[0].when.action.actions[0]",
        "unknown action `bomb`",
    ),
    (
        "veto holder",
        lambda d: item(d, "relations", "guard_veto").update(holder="nobody"),
        "relations[1].holder",
        "unknown actor",
    ),
    (
        "veto actions",
        lambda d: item(d, "relations", "guard_veto").update(actions=["tak"]),
        "relations[1].actions[0]",
        "did you mean `talk`",
    ),
    (
        "command subordinate",
        lambda d: item(d, "relations", "guard_command").update(subordinate="red_gard"),
        "relations[0].subordinate",
        "did you mean `red_guard`",
    ),
    (
        "influence target",
        lambda d: item(d, "relations", "guard_pull").update(target="zz"),
        "relations[2].target",
        "unknown actor `zz`",
    ),
    (
        "self relation",
        lambda d: item(d, "relations", "guard_pull").update(target="red_guard"),
        "relations[2].target",
        "same actor",
    ),
    (
        "alliance member",
        lambda d: d["relations"].append(
            {
                "type": "alliance",
                "id": "pact",
                "members": ["red_gov", "ghost"],
                "weight": {"value": 0.5, "assumption": "x"},
            }
        ),
        "relations[3].members[1]",
        "unknown actor `ghost`",
    ),
    (
        "hit side",
        lambda d: item(d, "events", "tanker_incident")["effects"][1]["hit"].update(side="rd"),
        "events[1].effects[1].hit.side",
        "unknown side",
    ),
    (
        "lever effect id",
        lambda d: item(d, "events", "tanker_incident")["effects"][2]["lever"].update(id="mediaton"),
        "events[1].effects[2].lever.id",
        "did you mean `mediation`",
    ),
    (
        "set_trait actor",
        lambda d: (
            item(d, "events", "election")
            .setdefault("effects", [])
            .append({"set_trait": {"actor": "nobody", "trait": "resolve", "value": 0.5}})
        ),
        "events[0].effects[0].set_trait.actor",
        "unknown actor `nobody`",
    ),
    (
        "pressure effect side",
        lambda d: (
            item(d, "events", "election")
            .setdefault("effects", [])
            .append({"pressure": {"side": "nobody", "delta": 0.1}})
        ),
        "events[0].effects[0].pressure.side",
        "unknown side",
    ),
    (
        "utility effect action",
        lambda d: item(d, "levers", "mediation")["effects"][1]["utility"].update(actions=["tlk"]),
        "levers[0].effects[1].utility.actions[0]",
        "unknown action",
    ),
    (
        "forbid effect side",
        lambda d: item(d, "levers", "mediation")["effects"].append(
            {"forbid": {"sides": ["purple"], "actions": ["strike"]}}
        ),
        "levers[0].effects[2].forbid.sides[0]",
        "unknown side `purple`",
    ),
    (
        "pressure floor side",
        lambda d: item(d, "levers", "mediation")["effects"].append(
            {"pressure_floor": {"side": "purple", "value": 0.1}}
        ),
        "levers[0].effects[2].pressure_floor.side",
        "unknown side",
    ),
    (
        "set path",
        lambda d: item(d, "levers", "restraint")["effects"][0]["set"].update(
            path="relations.guard_comand.autonomy"
        ),
        "levers[1].effects[0].set.path",
        "did you mean `relations.guard_command.autonomy`",
    ),
    (
        "set path wrong field",
        lambda d: item(d, "levers", "restraint")["effects"][0]["set"].update(
            path="relations.guard_command.strength"
        ),
        "levers[1].effects[0].set.path",
        "unknown parameter path",
    ),
    (
        "outcome ref",
        lambda d: item(d, "outcomes", "war_without_talks")["when"]["all_of"][0].update(outcome="wor"),
        "outcomes[2].when.all_of[0].outcome",
        "did you mean `war`",
    ),
    (
        "outcome self cycle",
        lambda d: item(d, "outcomes", "war").update(when={"outcome": "war"}),
        "outcomes[1].when",
        "cycle: war -> war",
    ),
    (
        "outcome cycle",
        lambda d: item(d, "outcomes", "war").update(
            when={"any_of": [{"outcome": "war_without_talks"}, {"escalation_at_least": 80}]}
        ),
        "outcomes[1].when",
        "cycle",
    ),
    (
        "joint party side",
        lambda d: item(d, "outcomes", "talks")["when"]["joint_action"]["parties"][0].update(side="redd"),
        "outcomes[0].when.joint_action.parties[0].side",
        "did you mean `red`",
    ),
    (
        "escalation above ladder",
        lambda d: item(d, "outcomes", "war").update(when={"escalation_at_least": 150}),
        "outcomes[1].when.escalation_at_least",
        "outside the ladder 0..100",
    ),
    (
        "status quo unknown",
        lambda d: d.update(status_quo_action="wait"),
        "status_quo_action",
        "unknown action `wait`",
    ),
    (
        "status quo not in catalogue",
        lambda d: actor(d, "red_guard").update(actions=["strike"]),
        "actors[1].actions",
        "lacks the status-quo action `hold`",
    ),
    (
        "param source",
        lambda d: d["initial"]["pressure"][0]["value"].update(source="src_b"),
        "initial.pressure[0].value.source",
        "unknown source",
    ),
    (
        "action source",
        lambda d: item(d, "actions", "sanction").update(source="nope"),
        "actions[2].source",
        "unknown source `nope`",
    ),
    (
        "event source",
        lambda d: item(d, "events", "tanker_incident").update(source="src_"),
        "events[1].source",
        "did you mean `src_a`",
    ),
    (
        "red line source",
        lambda d: actor(d, "red_gov")["red_lines"][0].update(source="zzz"),
        "actors[0].red_lines[0].source",
        "unknown source",
    ),
    (
        "event before start",
        lambda d: item(d, "events", "election").update(start=dt.date(2019, 1, 1)),
        "events[0].start",
        "outside the simulated period",
    ),
    (
        "event after horizon",
        lambda d: item(d, "events", "election").update(start=dt.date(2021, 1, 1)),
        "events[0].start",
        "2019-05-01..2020-04-29",
    ),
    (
        "pressure side",
        lambda d: d["initial"]["pressure"][0].update(side="bleu"),
        "initial.pressure[0].side",
        "did you mean `blue`",
    ),
    (
        "pressure side twice",
        lambda d: d["initial"]["pressure"].append(dict(d["initial"]["pressure"][0])),
        "initial.pressure[1]",
        "listed twice",
    ),
    (
        "initial escalation",
        lambda d: d["initial"].update(escalation={"value": 120, "assumption": "x"}),
        "initial.escalation",
        "120 is above 100",
    ),
]


@pytest.mark.parametrize(("name", "mutate", "field", "text"), CASES, ids=[c[0] for c in CASES])
def test_cross_reference(
    tmp_path: Path, name: str, mutate: Callable[[D], Any], field: str, text: str
) -> None:
    data = mini_data()
    mutate(data)
    path = tmp_path / "s.yaml"
    path.write_text(dump(data), encoding="utf-8")
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    found = [(p.field, p.message) for p in info.value.problems]
    assert any(f == field and text in m for f, m in found), found
    assert all(p.line is not None for p in info.value.problems)


def test_unmutated_dump_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(dump(mini_data()), encoding="utf-8")
    assert load_scenario(path).scenario.id == "mini"


def test_event_at_last_day_is_inside(tmp_path: Path) -> None:
    data = mini_data()
    item(data, "events", "election")["start"] = dt.date(2020, 4, 29)
    path = tmp_path / "s.yaml"
    path.write_text(dump(data), encoding="utf-8")
    assert load_scenario(path).events[0].start == dt.date(2020, 4, 29)


@pytest.mark.parametrize("bad", [["veto"], {"a": 1}, 3, None])
def test_unhashable_or_odd_relation_type_is_a_user_error(tmp_path: Path, bad: Any) -> None:
    # found by the hypothesis fuzz test: a list as `type:` crashed the cross-reference checks
    data = mini_data()
    data["relations"][0]["type"] = bad
    path = tmp_path / "s.yaml"
    path.write_text(dump(data), encoding="utf-8")
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    assert any(p.field.startswith("relations[0]") for p in info.value.problems)
