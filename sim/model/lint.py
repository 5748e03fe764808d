"""Warnings about a valid scenario: effects that can never apply.

An actor weighs only the acts it scores (its catalogue, the status quo, and the acts of those it
may veto or restrain: ``CompiledScenario.scored``). A red line's ``utility``/``forbid`` on another
act, or a lever's, event's or state's ``utility``/``forbid`` aimed at actors none of whom score the
act, changes nothing: usually a typo in the catalogue or the wrong actor. ``sim validate`` prints
these warnings (exit 0: the scenario runs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.model.compiled import CompiledScenario, compile_scenario
from sim.scenario.schema import Scenario


def _scored_ids(cs: CompiledScenario, actor: int) -> set[str]:
    return {cs.action_ids[k] for k in cs.scored[actor]}


def _red_line_warnings(cs: CompiledScenario) -> Iterator[str]:
    for i, actor in enumerate(cs.scenario.actors):
        scored = _scored_ids(cs, i)
        for rl in actor.red_lines:
            for act in sorted((set(rl.utility) | set(rl.forbid)) - scored):
                yield (
                    f"actors.{actor.id}.red_lines.{rl.id}: acts on `{act}`, which {actor.id} neither "
                    "takes nor gates: it can never apply (add it to the catalogue or fix the id)"
                )


def _scoped_actors(cs: CompiledScenario, scope: Any) -> list[int]:
    sides, ids = set(scope.sides), set(scope.actors)
    everyone = not sides and not ids
    return [i for i, a in enumerate(cs.scenario.actors) if everyone or a.id in ids or a.side in sides]


def _effect_warnings(cs: CompiledScenario) -> Iterator[str]:
    sc = cs.scenario
    sources = [("levers", s.id, s.effects) for s in sc.levers]
    sources += [("events", s.id, s.effects) for s in sc.events]
    sources += [("states", s.id, s.effects) for s in sc.states]
    for group, ident, effects in sources:
        for j, effect in enumerate(effects):
            if effect.key not in ("utility", "forbid"):
                continue
            actors = _scoped_actors(cs, effect.value)
            scored = set().union(*(_scored_ids(cs, i) for i in actors)) if actors else set()
            for act in sorted(set(effect.value.actions) - scored):
                yield (
                    f"{group}.{ident}.effects[{j}].{effect.key}: no actor it names scores `{act}`: "
                    "it can never apply"
                )


def _track_warnings(cs: CompiledScenario) -> Iterator[str]:
    """A track no act in any actor's catalogue pushes up stays at 0 in every run."""
    if cs.tracks is None:
        return
    usable = cs.catalogue.any(axis=0)  # (K,) some actor may take the act
    for j, tid in enumerate(cs.tracks.ids):
        if not (usable & (cs.tracks.delta[j] > 0)).any():
            yield (
                f"ladder.tracks.{tid}: no act any actor takes has a positive `effects.tracks.{tid}`: "
                "the track stays at 0 in every run"
            )


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Every effect of ``scenario`` that can never apply, as plain sentences with field paths."""
    cs = compile_scenario(scenario)
    return [*_red_line_warnings(cs), *_effect_warnings(cs), *_track_warnings(cs)]
