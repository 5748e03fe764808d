"""The one table of parameter sites: every number of a scenario that is a :class:`Param`.

One :class:`SiteFamily` per family of paths (ids are the scenario's own), in :data:`FAMILIES`:

- ``actors.<id>.traits.<trait>``, ``actors.<id>.capabilities.<military|economic>``
- ``relations.<id>.<param>`` (the relation type's parameter: ``strength`` of a veto, ...)
- ``dynamics.<name>``, ``dynamics.weights.<name>``
- ``events.<id>.probability``
- ``initial.escalation``, ``initial.pressure.<side>``
- ``actors.<id>.positions.<issue>.<ideal|salience|reservation>``, ``bargaining.<name>``

A family knows which paths exist, the Params a scenario holds (:meth:`SiteFamily.sites`, with a
readable label), and how to read and write one. Getting, setting, listing and drawing
parameters, ``sim show``, sweeps and reports all iterate this table; its order is the order of
draws and of ``param.<path>`` result columns. Adding a family is a class here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from sim.core.errors import Problem, SimUserError
from sim.scenario.base import Param
from sim.scenario.kinds.bargaining import POSITION_FIELDS, Bargaining
from sim.scenario.kinds.relations import RELATIONS
from sim.scenario.schema import Dynamics, Scenario, Weights
from sim.scenario.site_labels import (
    BARGAINING_LABELS,
    DYNAMICS_LABELS,
    POSITION_WORDS,
    WEIGHT_LABELS,
    label_from_path,
    words,
)
from sim.scenario.traits import CAPABILITY_NAMES, TRAIT_BY_NAME, TRAIT_NAMES

DYNAMICS_NAMES: tuple[str, ...] = tuple(k for k in Dynamics.model_fields if k != "weights")
WEIGHT_NAMES: tuple[str, ...] = tuple(Weights.model_fields)
BARGAINING_NAMES: tuple[str, ...] = tuple(k for k in Bargaining.model_fields if k != "issues")


@dataclass
class PathIndex:
    """The ids a path may name: actors, relations (id -> type), events, sides."""

    actors: list[str] = field(default_factory=list)
    relations: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    sides: list[str] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, scenario: Scenario) -> PathIndex:
        """Index of a validated scenario."""
        return cls(
            actors=scenario.actor_ids,
            relations={r.id: r.type for r in scenario.relations},
            events=[e.id for e in scenario.events],
            sides=scenario.sides,
            issues=[] if scenario.bargaining is None else scenario.bargaining.issue_ids,
        )

    def all_paths(self) -> list[str]:
        """Every path this index allows (events and pressure whether set or not)."""
        return [path for family in FAMILIES for path in family.paths(self)]


@dataclass(frozen=True)
class ParamSite:
    """One parameter of a scenario: its path, its Param, readable words for it, and where it sits:
    ``group`` (traits, capabilities, relations, dynamics, weights, events, initial), ``owner``
    (actor, relation, event id or side; "" if none) and ``name`` (trait, field...)."""

    path: str
    param: Param
    label: str
    group: str
    owner: str
    name: str


class SiteFamily:
    """A family of parameter paths: which exist, how to read and write them, a label."""

    head: ClassVar[str]
    pattern: ClassVar[str]

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head

    def paths(self, index: PathIndex) -> list[str]:
        raise NotImplementedError

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        raise NotImplementedError

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        raise NotImplementedError

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        raise NotImplementedError


class _ActorNumbers(SiteFamily):
    head = "actors"
    group: ClassVar[str]
    names: ClassVar[tuple[str, ...]]

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and len(parts) > 2 and parts[2] == self.group

    def paths(self, index: PathIndex) -> list[str]:
        return [f"actors.{a}.{self.group}.{n}" for a in index.actors for n in self.names]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for n in self.names:  # name-major: the draws stack one (A, N) array per name
            for a in sc.actors:
                path = f"actors.{a.id}.{self.group}.{n}"
                yield ParamSite(path, self._of(a, n), self.label(a.name, n), self.group, a.id, n)

    def _of(self, actor: Any, name: str) -> Param:
        value = getattr(getattr(actor, self.group), name)
        assert isinstance(value, Param)
        return value

    def label(self, actor_name: str, name: str) -> str:
        return f"{actor_name}: {name}"

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        return self._of(sc.actor(parts[1]), parts[3])

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        actor = next(a for a in data["actors"] if a["id"] == parts[1])
        actor.setdefault(parts[2], {})[parts[3]] = param


class TraitSites(_ActorNumbers):
    pattern = "actors.<id>.traits.<trait>"
    group = "traits"
    names = TRAIT_NAMES

    def label(self, actor_name: str, name: str) -> str:
        return f"{actor_name}: {TRAIT_BY_NAME[name].label}"


class CapabilitySites(_ActorNumbers):
    pattern = "actors.<id>.capabilities.<name>"
    group = "capabilities"
    names = CAPABILITY_NAMES

    def label(self, actor_name: str, name: str) -> str:
        return f"{actor_name}: {name} capability"


class RelationSites(SiteFamily):
    head = "relations"
    pattern = "relations.<id>.<field>"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"relations.{r}.{RELATIONS[t].param}" for r, t in index.relations.items() if t in RELATIONS]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for key, kind in RELATIONS.items():  # type by type, as the draws
            for r in sc.relations:
                if r.type == key:
                    path = f"relations.{r.id}.{kind.param}"
                    yield ParamSite(
                        path, getattr(r, kind.param), self._label(r), "relations", r.id, kind.param
                    )

    @staticmethod
    def _label(r: Any) -> str:
        return f"{RELATIONS[r.type].describe(r)}: {RELATIONS[r.type].param}"

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        rel = next(r for r in sc.relations if r.id == parts[1])
        value = getattr(rel, parts[2])
        assert isinstance(value, Param)
        return value

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        next(r for r in data["relations"] if r["id"] == parts[1])[parts[2]] = param


class DynamicsSites(SiteFamily):
    head = "dynamics"
    pattern = "dynamics.<name>"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[1] != "weights"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"dynamics.{d}" for d in DYNAMICS_NAMES]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for d in DYNAMICS_NAMES:
            label = DYNAMICS_LABELS.get(d, words(d))
            yield ParamSite(f"dynamics.{d}", getattr(sc.dynamics, d), label, "dynamics", "", d)

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        value = getattr(sc.dynamics, parts[1])
        assert isinstance(value, Param)
        return value

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        data["dynamics"][parts[1]] = param


class WeightSites(SiteFamily):
    head = "dynamics"
    pattern = "dynamics.weights.<name>"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[1] == "weights"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"dynamics.weights.{w}" for w in WEIGHT_NAMES]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for w in WEIGHT_NAMES:
            label = WEIGHT_LABELS.get(w, f"weight of {words(w)}")
            yield ParamSite(f"dynamics.weights.{w}", getattr(sc.dynamics.weights, w), label, "weights", "", w)

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        value = getattr(sc.dynamics.weights, parts[2])
        assert isinstance(value, Param)
        return value

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        data["dynamics"]["weights"][parts[2]] = param


class EventSites(SiteFamily):
    head = "events"
    pattern = "events.<id>.probability"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[-1] == "probability"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"events.{e}.probability" for e in index.events]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for e in sc.events:
            if e.probability is not None:
                yield ParamSite(
                    f"events.{e.id}.probability",
                    e.probability,
                    f"chance of {e.name}",
                    "events",
                    e.id,
                    "probability",
                )

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        prob = next(e for e in sc.events if e.id == parts[1]).probability
        if prob is None:
            path = ".".join(parts)
            raise SimUserError(
                [Problem("", None, path, "this event has no `probability:` (it always fires)")]
            )
        return prob

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        next(e for e in data["events"] if e["id"] == parts[1])["probability"] = param


class EventTimingSites(SiteFamily):
    """``events.<id>.delay`` or ``events.<id>.duration`` (``field``): uncertain timing, in days."""

    head = "events"
    field: ClassVar[str]
    without: ClassVar[str]  # what an event lacking the field does

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[-1] == self.field

    def paths(self, index: PathIndex) -> list[str]:
        return [f"events.{e}.{self.field}" for e in index.events]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for e in sc.events:
            param = getattr(e, self.field)
            if param is not None:
                label = f"{self.field} of {e.name} (days)"
                yield ParamSite(f"events.{e.id}.{self.field}", param, label, "events", e.id, self.field)

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        param: Param | None = getattr(next(e for e in sc.events if e.id == parts[1]), self.field)
        if param is None:
            problem = f"this event has no `{self.field}:` ({self.without})"
            raise SimUserError([Problem("", None, ".".join(parts), problem)])
        return param

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        next(e for e in data["events"] if e["id"] == parts[1])[self.field] = param


class EventDelaySites(EventTimingSites):
    pattern = "events.<id>.delay"
    field, without = "delay", "it keeps its date"


class EventDurationSites(EventTimingSites):
    pattern = "events.<id>.duration"
    field, without = "duration", "its window is fixed"


class InitialEscalationSite(SiteFamily):
    head = "initial"
    pattern = "initial.escalation"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[1] == "escalation"

    def paths(self, index: PathIndex) -> list[str]:
        return ["initial.escalation"]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        yield ParamSite(
            "initial.escalation", sc.initial.escalation, "initial escalation", "initial", "", "escalation"
        )

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        return sc.initial.escalation

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        data["initial"]["escalation"] = param


class InitialPressureSites(SiteFamily):
    head = "initial"
    pattern = "initial.pressure.<side>"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and parts[1] == "pressure"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"initial.pressure.{s}" for s in index.sides]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for sp in sc.initial.pressure:
            yield ParamSite(
                f"initial.pressure.{sp.side}",
                sp.value,
                f"initial pressure on {sp.side}",
                "initial",
                sp.side,
                "pressure",
            )

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        for sp in sc.initial.pressure:
            if sp.side == parts[2]:
                return sp.value
        path = ".".join(parts)
        raise SimUserError(
            [Problem("", None, path, f"no initial pressure is set for side {parts[2]} (it starts at 0)")]
        )

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        pressures = data["initial"].setdefault("pressure", [])
        for sp in pressures:
            if sp["side"] == parts[2]:
                sp["value"] = param
                return
        pressures.append({"side": parts[2], "value": param})


class PositionSites(SiteFamily):
    head = "actors"
    pattern = "actors.<id>.positions.<issue>.<ideal|salience|reservation>"

    def matches(self, parts: list[str]) -> bool:
        return parts[0] == self.head and len(parts) > 2 and parts[2] == "positions"

    def paths(self, index: PathIndex) -> list[str]:
        return [
            f"actors.{a}.positions.{i}.{f}"
            for a in index.actors
            for i in index.issues
            for f in POSITION_FIELDS
        ]

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        for a in sc.actors:
            for issue, pos in a.positions.items():
                for f in POSITION_FIELDS:
                    path = f"actors.{a.id}.positions.{issue}.{f}"
                    label = f"{a.name}: {POSITION_WORDS[f]} {issue.replace('_', ' ')}"
                    yield ParamSite(path, getattr(pos, f), label, "positions", a.id, f"{issue}.{f}")

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        pos = sc.actor(parts[1]).positions.get(parts[3])
        if pos is None:
            path = ".".join(parts)
            raise SimUserError([Problem("", None, path, f"this actor has no position on `{parts[3]}`")])
        value = getattr(pos, parts[4])
        assert isinstance(value, Param)
        return value

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        actor = next(a for a in data["actors"] if a["id"] == parts[1])
        actor.setdefault("positions", {}).setdefault(parts[3], {})[parts[4]] = param


class BargainingSites(SiteFamily):
    head = "bargaining"
    pattern = "bargaining.<name>"

    def paths(self, index: PathIndex) -> list[str]:
        return [f"bargaining.{n}" for n in BARGAINING_NAMES] if index.issues else []

    def sites(self, sc: Scenario) -> Iterator[ParamSite]:
        if sc.bargaining is None:
            return
        for n in BARGAINING_NAMES:
            yield ParamSite(
                f"bargaining.{n}", getattr(sc.bargaining, n), BARGAINING_LABELS[n], "bargaining", "", n
            )

    def get(self, sc: Scenario, parts: list[str]) -> Param:
        if sc.bargaining is None:
            raise SimUserError(
                [Problem("", None, ".".join(parts), "this scenario has no `bargaining:` section")]
            )
        value = getattr(sc.bargaining, parts[1])
        assert isinstance(value, Param)
        return value

    def set(self, data: dict[str, Any], parts: list[str], param: dict[str, Any]) -> None:
        data.setdefault("bargaining", {})[parts[1]] = param


FAMILIES: tuple[SiteFamily, ...] = (
    TraitSites(),
    CapabilitySites(),
    RelationSites(),
    DynamicsSites(),
    WeightSites(),
    EventSites(),
    EventDelaySites(),
    EventDurationSites(),
    InitialEscalationSite(),
    InitialPressureSites(),
    PositionSites(),
    BargainingSites(),
)
"""Every family of parameter paths, in the order of draws and result columns."""


def param_sites(scenario: Scenario) -> list[ParamSite]:
    """Every Param the scenario holds, with its path and label, in draw order."""
    return [site for family in FAMILIES for site in family.sites(scenario)]


def list_param_paths(scenario: Scenario) -> list[str]:
    """Every path that holds a Param in ``scenario`` (set events' probabilities, set pressures)."""
    return [site.path for site in param_sites(scenario)]


def param_labels(scenario: Scenario) -> dict[str, str]:
    """Path -> reader-facing label (actor name + trait words, ...) of every Param of ``scenario``."""
    return {site.path: site.label for site in param_sites(scenario)}


def label_for(path: str, labels: dict[str, str] | None = None) -> str:
    """The label of ``path`` from ``labels`` (:func:`param_labels`), else words from the path
    alone (:func:`sim.scenario.site_labels.label_from_path`)."""
    return (labels or {}).get(path) or label_from_path(path)


def calibrated_sites(scenario: Scenario) -> list[ParamSite]:
    """The sites whose Param has ``calibrated:`` provenance (fitted to data), in draw order."""
    return [s for s in param_sites(scenario) if getattr(s.param, "calibrated", None)]
