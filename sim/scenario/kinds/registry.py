"""Registries of kinds, and the two contexts every kind works in.

A *kind* (a condition kind, an effect kind, a relation type, an action property) is one class in
one module: its schema (the YAML it accepts), its cross-checks (ids it names exist), its
compilation to arrays, its evaluation or application on a batch of runs, and its description
for ``sim show`` and the reports. A :class:`Registry` holds the kinds of one family, in
registration order; looking up a kind that does not exist is an error, never a silent default.

The contexts are protocols so that a kind depends on nothing above the scenario layer:
:class:`RefChecks` is what cross-checking offers (``sim.scenario.crossref`` implements it) and
:class:`Compiler` what compilation offers (``sim.model.compiled`` implements it).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from sim.scenario.base import ActorScope

Loc = tuple[Any, ...]
"""A pydantic-style location: keys and list indices from the top of the scenario."""

K = TypeVar("K")


class UnknownKind(KeyError):
    """A kind name that no registry entry has (the message suggests the closest)."""


class Registry(Generic[K]):
    """The kinds of one family (e.g. ``condition``), by key, in registration order."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._kinds: dict[str, K] = {}

    def add(self, key: str, kind: K) -> K:
        """Register ``kind`` under ``key`` (a YAML key or a ``type:`` value)."""
        if key in self._kinds:
            raise ValueError(f"{self.family} kind `{key}` is registered twice")
        self._kinds[key] = kind
        return kind

    def __getitem__(self, key: str) -> K:
        try:
            return self._kinds[key]
        except KeyError:
            hint = difflib.get_close_matches(key, list(self._kinds), n=1, cutoff=0.5)
            near = f"; did you mean `{hint[0]}`?" if hint else f" (known: {', '.join(self._kinds)})"
            raise UnknownKind(f"unknown {self.family} kind `{key}`{near}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._kinds

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def items(self) -> list[tuple[str, K]]:
        return list(self._kinds.items())

    def keys(self) -> tuple[str, ...]:
        return tuple(self._kinds)


class RefChecks(Protocol):
    """What cross-checking offers a kind: the ids of the raw scenario and ways to report."""

    actor_ids: set[str]
    action_ids: set[str]
    event_ids: set[str]
    lever_ids: set[str]
    state_ids: set[str]
    outcome_ids: set[str]
    track_ids: set[str]  # escalation tracks declared under ladder.tracks
    sides: set[str]

    def add(self, loc: Loc, message: str) -> None:
        """Report a problem at ``loc``."""

    def ref(self, loc: Loc, value: Any, known: set[str], kind: str) -> None:
        """Report ``value`` if it is a name that is not among ``known`` ``kind`` ids."""

    def refs(self, loc: Loc, values: Any, known: set[str], kind: str) -> None:
        """:meth:`ref` for each item of a list, and report duplicates."""

    def scope(self, loc: Loc, item: Mapping[str, Any]) -> None:
        """Check the actors, sides and actions of an :class:`ActorScope`-like mapping."""

    def ladder_max(self) -> float | None:
        """The top of the escalation ladder, if the raw data gives a valid one."""

    def condition(self, loc: Loc, raw: Any, owner: bool) -> None:
        """Check a (sub-)condition; ``owner``: it belongs to an actor (a red line)."""

    def parameter_path(self, loc: Loc, path: Any) -> None:
        """Report ``path`` if it names no parameter of the scenario."""

    def date_in_period(self, loc: Loc, value: Any) -> None:
        """Report a date outside the simulated period."""

    def issue_ids(self) -> list[str]:
        """The negotiable issues the scenario declares (empty: it does not bargain)."""

    def offer_ids(self) -> set[str]:
        """The actions that make an offer."""


class Compiler(Protocol):
    """What compilation offers a kind: index maps, masks, and slots for model state."""

    actor_index: dict[str, int]
    action_index: dict[str, int]
    outcome_index: dict[str, int]
    lever_index: dict[str, int]
    event_index: dict[str, int]
    state_index: dict[str, int]
    track_index: dict[str, int]
    issue_index: dict[str, int]
    n_actors: int
    n_actions: int

    def step_of(self, date: dt.date) -> int:
        """The step a date falls in (0 = the start date)."""

    def actor_mask(self, scope: ActorScope) -> np.ndarray:
        """(A,) bool: the actors a scope names (everyone when it names nobody)."""

    def side_mask(self, side: str) -> np.ndarray:
        """(A,) bool: the actors of ``side``."""

    def action_mask(self, action_ids: list[str]) -> np.ndarray:
        """(K,) bool: the listed actions."""

    def add_slot(self, family: str, spec: Any) -> int:
        """Reserve a slot of model state for ``spec`` in ``family``; returns its index."""
