"""Cross-reference checks of a scenario: unique ids, and every id referenced anywhere exists.

The checks of each kind (condition, effect, relation, outcome) live with the kind in
``sim.scenario.kinds``; this module walks the scenario and offers them :class:`Checker`.

The checks run on the raw (merged) YAML data, before or alongside pydantic validation, and skip
whatever is malformed (pydantic reports that), so that one run reports every problem of a file.
Each problem is ``(loc, message)`` with ``loc`` a pydantic-style location tuple.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario.base import Param, check_range
from sim.scenario.kinds.bargaining import check_bargaining
from sim.scenario.kinds.conditions import check_condition
from sim.scenario.kinds.effects import check_effects
from sim.scenario.kinds.outcomes import check_outcomes
from sim.scenario.kinds.relations import RELATIONS, check_relation
from sim.scenario.kinds.states import check_state
from sim.scenario.kinds.tracks import check_tracks, raw_track_ids
from sim.scenario.paths import PathIndex, path_problem

Loc = tuple[Any, ...]
Found = list[tuple[Loc, str]]

ID_LISTS = ("actors", "actions", "events", "levers", "outcomes", "relations", "states")


def _items(data: Any, key: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The mapping items of list ``data[key]`` with their indices (empty when malformed)."""
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, it) for i, it in enumerate(value) if isinstance(it, Mapping)]


def _ids(items: list[tuple[int, Mapping[str, Any]]]) -> set[str]:
    return {it["id"] for _, it in items if isinstance(it.get("id"), str)}


def suggest(value: str, known: set[str] | list[str]) -> str:
    """``"; did you mean `x`?"`` for the closest known name, else a short list of the names."""
    names = sorted(known)
    hint = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    if hint:
        return f"; did you mean `{hint[0]}`?"
    if not names:
        return " (none are defined)"
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f" (known: {shown})"


class Checker:
    """Collects cross-reference problems of one scenario's raw data."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.found: Found = []
        meta = data.get("scenario")
        self.meta: Mapping[str, Any] = meta if isinstance(meta, Mapping) else {}
        self.actors = _items(data, "actors")
        self.actor_ids = _ids(self.actors)
        self.action_ids = _ids(_items(data, "actions"))
        self.event_ids = _ids(_items(data, "events"))
        self.lever_ids = _ids(_items(data, "levers"))
        self.state_ids = _ids(_items(data, "states"))
        self.outcome_ids = _ids(_items(data, "outcomes"))
        self.track_ids = raw_track_ids(data)
        self.source_ids = _ids(_items(self.meta, "sources"))
        self.sides = {a["side"] for _, a in self.actors if isinstance(a.get("side"), str)}
        self.relation_types = {
            r["id"]: r.get("type") for _, r in _items(data, "relations") if isinstance(r.get("id"), str)
        }

    def add(self, loc: Loc, message: str) -> None:
        self.found.append((loc, message))

    def ref(self, loc: Loc, value: Any, known: set[str], kind: str) -> None:
        """Report ``value`` if it is a name that is not among ``known`` ``kind`` ids."""
        if isinstance(value, str) and value not in known:
            self.add(loc, f"unknown {kind} `{value}`{suggest(value, known)}")

    def refs(self, loc: Loc, values: Any, known: set[str], kind: str) -> None:
        if isinstance(values, list):
            for i, v in enumerate(values):
                self.ref((*loc, i), v, known, kind)
            self.no_dupes(loc, values, kind)

    def no_dupes(self, loc: Loc, values: list[Any], kind: str) -> None:
        seen: set[str] = set()
        for i, v in enumerate(values):
            if isinstance(v, str):
                if v in seen:
                    self.add((*loc, i), f"{kind} `{v}` is listed twice; list it once")
                seen.add(v)

    def run(self) -> Found:
        self.unique_ids()
        self.check_actors()
        self.check_relations()
        self.check_events()
        self.check_levers()
        self.check_outcomes()
        self.check_initial()
        self.check_ladder()
        check_tracks(self, self.data)
        self.check_targets()
        for i, state in _items(self.data, "states"):
            check_state(self, ("states", i), state)
        check_bargaining(self, self.data)
        self.check_states_can_start()
        self.check_status_quo()
        self.check_sources(self.data, ())
        return self.found

    def unique_ids(self) -> None:
        groups: list[tuple[Loc, list[tuple[int, Mapping[str, Any]]], str]] = [
            ((key,), _items(self.data, key), key.rstrip("s")) for key in ID_LISTS
        ]
        groups.append((("scenario", "sources"), _items(self.meta, "sources"), "source"))
        for i, actor in self.actors:
            groups.append((("actors", i, "red_lines"), _items(actor, "red_lines"), "red line"))
        for loc, items, kind in groups:
            first: dict[str, int] = {}
            for i, it in items:
                ident = it.get("id")
                if isinstance(ident, str):
                    if ident in first:
                        self.add(
                            (*loc, i, "id"),
                            f"duplicate {kind} id `{ident}` (also item {first[ident]}); ids must be unique",
                        )
                    else:
                        first[ident] = i

    def check_actors(self) -> None:
        for i, actor in self.actors:
            loc: Loc = ("actors", i)
            self.refs((*loc, "actions"), actor.get("actions"), self.action_ids, "action")
            self.refs((*loc, "adversaries"), actor.get("adversaries"), self.sides, "side")
            self.ref((*loc, "waits_for"), actor.get("waits_for"), self.event_ids, "event")
            presence = actor.get("presence")
            if isinstance(presence, Mapping):
                for key in ("enters_with", "leaves_with"):
                    self.ref((*loc, "presence", key), presence.get(key), self.event_ids, "event")
                for key in ("enters", "leaves"):
                    self.date_in_period((*loc, "presence", key), presence.get(key))
            for j, red in _items(actor, "red_lines"):
                rloc = (*loc, "red_lines", j)
                self.refs((*rloc, "forbid"), red.get("forbid"), self.action_ids, "action")
                utility = red.get("utility")
                if isinstance(utility, Mapping):
                    for key in utility:
                        self.ref((*rloc, "utility", key), key, self.action_ids, "action")
                self.condition((*rloc, "when"), red.get("when"), True)

    def condition(self, loc: Loc, raw: Any, owner: bool) -> None:
        """Check a condition and its sub-conditions; ``owner``: it is an actor's red line."""
        check_condition(self, loc, raw, owner)

    def parameter_path(self, loc: Loc, path: Any) -> None:
        problem = path_problem(path, self.path_index())
        if problem:
            self.add(loc, problem)

    def path_index(self) -> PathIndex:
        return PathIndex(
            actors=sorted(self.actor_ids),
            relations={k: v for k, v in self.relation_types.items() if isinstance(v, str)},
            events=sorted(self.event_ids),
            sides=sorted(self.sides),
            issues=self.issue_ids(),
        )

    def check_states_can_start(self) -> None:
        """A state off at the start needs a way on: its owner's acts, an event or a deal."""
        switched = set()
        for _, event in _items(self.data, "events"):
            effects = event.get("effects")
            for effect in effects if isinstance(effects, list) else []:
                if isinstance(effect, Mapping) and isinstance(effect.get("state"), Mapping):
                    ident = effect["state"].get("id")
                    if isinstance(ident, str):
                        switched.add(ident)
        section = self.data.get("bargaining")
        if isinstance(section, Mapping):
            for _, issue in _items(section, "issues"):
                for _, f in _items(issue, "puts_in_force"):
                    if isinstance(f.get("state"), str):
                        switched.add(f["state"])
        for i, state in _items(self.data, "states"):
            if (
                not state.get("initially")
                and not state.get("starts_with")
                and state.get("id") not in switched
            ):
                self.add(
                    ("states", i),
                    "a state that is off at the start needs `starts_with:` acts, an event that "
                    "switches it on, or a bargaining issue that `puts_in_force` it",
                )

    def offer_ids(self) -> set[str]:
        return {
            a["id"]
            for _, a in _items(self.data, "actions")
            if isinstance(a.get("id"), str) and a.get("offer")
        }

    def issue_ids(self) -> list[str]:
        section = self.data.get("bargaining")
        if not isinstance(section, Mapping):
            return []
        return sorted(_ids(_items(section, "issues")))

    def scope(self, loc: Loc, item: Mapping[str, Any]) -> None:
        """Actors, sides and actions of an ActorScope-like mapping."""
        self.refs((*loc, "actors"), item.get("actors"), self.actor_ids, "actor")
        self.refs((*loc, "sides"), item.get("sides"), self.sides, "side")
        self.refs((*loc, "actions"), item.get("actions"), self.action_ids, "action")

    def ladder_max(self) -> float | None:
        ladder = self.data.get("ladder")
        if not isinstance(ladder, Mapping):
            return None
        top = ladder.get("max", 100.0)
        return float(top) if isinstance(top, int | float) and not isinstance(top, bool) else None

    def check_relations(self) -> None:
        for i, rel in _items(self.data, "relations"):
            check_relation(self, ("relations", i), rel)

    def check_events(self) -> None:
        for i, event in _items(self.data, "events"):
            check_effects(self, ("events", i, "effects"), event.get("effects"), "event")
            self.date_in_period(("events", i, "start"), event.get("start"))

    def date_in_period(self, loc: Loc, value: Any) -> None:
        """Report a date outside the simulated period (malformed dates: pydantic reports)."""
        window, date = self.time_window(), _date(value)
        if window is not None and date is not None and not window[0] <= date <= window[1]:
            self.add(
                loc,
                f"{date} is outside the simulated period {window[0]}..{window[1]} "
                "(scenario.start_date + horizon x step_days)",
            )

    def time_window(self) -> tuple[dt.date, dt.date] | None:
        start = _date(self.meta.get("start_date"))
        horizon, step = self.meta.get("horizon"), self.meta.get("step_days", 1)
        number = isinstance(step, int | float) and not isinstance(step, bool)
        if start is None or not isinstance(horizon, int) or not number:
            return None
        if not (0 < horizon <= 100_000 and 0 < step <= 366):
            return None
        try:
            return start, start + dt.timedelta(days=horizon * step)
        except OverflowError:
            return None

    def check_levers(self) -> None:
        for i, lever in _items(self.data, "levers"):
            check_effects(self, ("levers", i, "effects"), lever.get("effects"), "lever")

    def check_outcomes(self) -> None:
        check_outcomes(self, _items(self.data, "outcomes"))

    def check_initial(self) -> None:
        initial = self.data.get("initial")
        if not isinstance(initial, Mapping):
            return
        pressures = _items(initial, "pressure")
        for i, sp in pressures:
            self.ref(("initial", "pressure", i, "side"), sp.get("side"), self.sides, "side")
        self.no_dupes(("initial", "pressure"), [sp.get("side") for _, sp in pressures], "side")
        top = self.ladder_max()
        raw = initial.get("escalation")
        if top is None or not isinstance(raw, Mapping):
            return
        try:
            check_range(Param.model_validate(raw), 0.0, top, "the escalation index lies on the ladder")
        except (ValidationError, ValueError) as err:
            if not isinstance(err, ValidationError):
                self.add(("initial", "escalation"), str(err))

    def check_ladder(self) -> None:
        """Ids of rungs' ``requires``; a locked rung must lie above every initial escalation."""
        ladder = self.data.get("ladder")
        levels = _items(ladder, "levels") if isinstance(ladder, Mapping) else []
        initial = self.data.get("initial")
        raw = initial.get("escalation") if isinstance(initial, Mapping) else None
        try:
            start_high = Param.model_validate(raw).support()[1] if isinstance(raw, Mapping) else None
        except ValidationError:
            start_high = None
        for i, level in levels:
            loc: Loc = ("ladder", "levels", i, "requires")
            self.refs(loc, level.get("requires"), self.action_ids, "action")
            at = level.get("at")
            if not level.get("requires") or not isinstance(at, int | float) or start_high is None:
                continue
            if start_high >= at:
                self.add(
                    loc,
                    f"the initial escalation can start at {start_high:g}, at or above this locked rung "
                    f"({at:g}): lower `initial.escalation` or drop `requires`",
                )

    def check_targets(self) -> None:
        """An action's ``targets`` name actors or sides."""
        known = self.actor_ids | self.sides
        for i, action in _items(self.data, "actions"):
            self.refs(("actions", i, "targets"), action.get("targets"), known, "actor or side")

    def check_status_quo(self) -> None:
        sq = self.data.get("status_quo_action")
        if not isinstance(sq, str):
            return
        if sq not in self.action_ids:
            self.ref(("status_quo_action",), sq, self.action_ids, "action")
            return
        for i, actor in self.actors:
            acts = actor.get("actions")
            if isinstance(acts, list) and sq not in acts:
                self.add(
                    ("actors", i, "actions"),
                    f"lacks the status-quo action `{sq}` (what an actor does when blocked); add it",
                )

    def check_sources(self, node: Any, loc: Loc) -> None:
        """Every provenance ``source:`` names a source of ``scenario.sources``."""
        if isinstance(node, Mapping):
            kind = node.get("type") if len(loc) == 2 and loc[0] == "relations" else None
            actor_source = isinstance(kind, str) and kind in RELATIONS and RELATIONS[kind].source_is_actor
            if not actor_source and loc != ("scenario",) and "source" in node:
                self.ref((*loc, "source"), node["source"], self.source_ids, "source")
            for key, value in node.items():
                self.check_sources(value, (*loc, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.check_sources(value, (*loc, i))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def check_references(data: Mapping[str, Any]) -> Found:
    """All cross-reference problems of raw scenario ``data`` as ``(loc, message)`` pairs."""
    return Checker(data).run()
