"""Observed history, the data ``sim calibrate`` fits and ``sim score`` scores against.

One YAML format (docs/calibration.md), validated like scenarios (file:line, field, fix)::

    observations:
      scenario: iran_us_2019          # the scenario id whose actors and actions rows name
      title: "..."
      period: {start: 2019-05-05, end: 2019-09-13}   # the record covers these days, both included
    setup:                            # optional: how the simulated period starts (path: Param)
      initial.escalation: {value: 15, assumption: "..."}
    events:                           # dated acts: actor and action ids of the scenario
      - {date: 2019-05-05, actor: trump_admin, action: mobilize_forces, target: iran,
         what: "...", source: "Reuters, 2019-05-06", quote: "..."}
    context:                          # dated facts that are no actor's act (not fitted)
      - {date: 2019-09-10, what: "...", source: "...", quote: "..."}
    outcomes:                         # what happened (scoring only, never fitting)
      - {outcome: clash, happened: true, by: 2020-01-08, evidence: "...", source: "...",
         base_rate: {value: 0.2, assumption: "..."}}

A file holds a record to fit (``events``) or outcomes to score, or both; calibration ignores
``outcomes`` and scoring ignores ``events``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, model_validator

from sim.core.errors import Problem, SimUserError
from sim.core.yamlio import MDict, format_loc, locate, read_yaml, to_plain
from sim.scenario.base import Frozen, Identifier, Param, Provenance, ShortText
from sim.scenario.schema import Scenario
from sim.scenario.sites import PathIndex, param_sites


class Period(Frozen):
    """The days the record covers, both included."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); swap them")
        return self

    @property
    def days(self) -> int:
        """Number of simulated steps of one day that cover the period after its first day."""
        return (self.end - self.start).days


class Header(Frozen):
    scenario: Identifier
    title: ShortText
    period: Period | None = None


class ObservedEvent(Frozen):
    """One dated act of one actor, with its source and a short quote or reference."""

    date: dt.date
    actor: Identifier
    action: Identifier
    target: Identifier | None = None
    what: ShortText
    source: ShortText = Field(description="Outlet and date of publication")
    quote: ShortText = Field(description="A short quote or reference from the source")


class ContextRow(Frozen):
    """A dated fact that is no actor's act in the scenario (kept for the record, not fitted)."""

    date: dt.date
    what: ShortText
    source: ShortText
    quote: ShortText


class Rate(Provenance):
    """A base rate (0..1) with its provenance, for the reference forecaster."""

    value: float = Field(ge=0.0, le=1.0)


class ObservedOutcome(Frozen):
    """Whether an outcome of the scenario happened, known by the date ``by``: if it happened, it
    happened on or before ``by``; if not, it had not happened by ``by``."""

    outcome: Identifier
    happened: bool
    by: dt.date
    evidence: ShortText
    source: ShortText
    base_rate: Rate


class Observations(Frozen):
    observations: Header
    setup: dict[str, Param] = Field(default_factory=dict)
    events: list[ObservedEvent] = Field(default_factory=list)
    context: list[ContextRow] = Field(default_factory=list)
    outcomes: list[ObservedOutcome] = Field(default_factory=list)

    @model_validator(mode="after")
    def _record_needs_period(self) -> Observations:
        if self.events and self.observations.period is None:
            raise ValueError("a file with `events:` needs `observations.period: {start: ..., end: ...}`")
        return self


def load_observations(path: str | os.PathLike[str]) -> Observations:
    """Read and validate an observations file (every problem with file:line and field)."""
    shown = os.fspath(path)
    data = read_yaml(Path(path), shown)
    try:
        return Observations.model_validate(to_plain(data))
    except ValidationError as err:
        problems = [
            _problem(data, shown, tuple(e["loc"]), _message(e)) for e in err.errors(include_url=False)
        ]
        raise SimUserError(problems) from None


def check_against(obs: Observations, scenario: Scenario, data_path: str | os.PathLike[str]) -> None:
    """Check the ids and dates of ``obs`` against ``scenario``; SimUserError lists every problem."""
    shown = os.fspath(data_path)
    data = read_yaml(Path(data_path), shown)
    problems = [_problem(data, shown, loc, msg) for loc, msg in reference_problems(obs, scenario)]
    if problems:
        raise SimUserError(problems)


def reference_problems(obs: Observations, sc: Scenario) -> list[tuple[tuple[Any, ...], str]]:
    """(location, message) of every id or date in ``obs`` the scenario does not allow."""
    out: list[tuple[tuple[Any, ...], str]] = []
    actors = {a.id: a for a in sc.actors}
    targets = set(actors) | set(sc.sides)
    period = obs.observations.period
    for i, ev in enumerate(obs.events):
        actor = actors.get(ev.actor)
        if actor is None:
            out.append((("events", i, "actor"), f"unknown actor `{ev.actor}` (actors: {', '.join(actors)})"))
        elif ev.action not in actor.actions:
            out.append(
                (
                    ("events", i, "action"),
                    f"`{ev.actor}` has no action `{ev.action}` (its actions: {', '.join(actor.actions)})",
                )
            )
        if ev.target is not None and ev.target not in targets:
            out.append((("events", i, "target"), f"unknown target `{ev.target}`: name an actor or a side"))
        if period is not None and not period.start <= ev.date <= period.end:
            out.append(
                (("events", i, "date"), f"{ev.date} is outside the period {period.start}..{period.end}")
            )
    outcomes = [o.id for o in sc.outcomes]
    for i, oo in enumerate(obs.outcomes):
        if oo.outcome not in outcomes:
            out.append(
                (
                    ("outcomes", i, "outcome"),
                    f"unknown outcome `{oo.outcome}` (outcomes: {', '.join(outcomes)})",
                )
            )
    known = set(PathIndex.of(sc).all_paths()) | {s.path for s in param_sites(sc)}
    for path in obs.setup:
        if path not in known:
            out.append(
                (("setup", path), f"`{path}` is not a parameter path of {sc.scenario.id} (see `sim show`)")
            )
    return out


def _problem(data: MDict, shown: str, loc: tuple[Any, ...], message: str) -> Problem:
    clean, mark = locate(data, loc)
    if mark is None:
        return Problem(shown, None, format_loc(clean), message)
    return Problem(mark.file, mark.line, format_loc(clean), message)


def _message(e: Any) -> str:
    kind, msg = e["type"], str(e["msg"])
    if kind == "extra_forbidden":
        return f"unknown key `{e['loc'][-1]}`; see docs/calibration.md for the format"
    if kind == "missing":
        return "required key is missing"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    return f"{msg}; got {e.get('input')!r}"[:300]
