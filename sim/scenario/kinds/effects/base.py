"""The base of effect kinds: timings, the registry, what one-shot and continuous effects act on.

Effect kinds themselves live in ``one_shot.py``, ``continuous.py`` and ``static.py`` beside this
file; ``sim.scenario.kinds.effects`` (the package) builds the :data:`Effect` model from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol

import numpy as np

from sim.scenario.kinds.registry import Compiler, Loc, RefChecks, Registry


class Timing(Enum):
    ONE_SHOT = "one-shot"
    CONTINUOUS = "continuous"
    STATIC = "static"


class World(Protocol):
    """The model state a one-shot effect changes (arrays over the N runs of a batch)."""

    escalation: np.ndarray  # (N,) ladder points in [0, e_max]
    hit: np.ndarray  # (A, N) in [0, 1]
    pressure: np.ndarray  # (A, N) in [0, 1]
    lever_on: np.ndarray  # (L, N) bool

    @property
    def e_max(self) -> float: ...

    def set_trait(self, actor: int, trait: str, value: float, happens: np.ndarray) -> None:
        """Set ``trait`` of ``actor`` to ``value`` in the runs where ``happens``."""

    def switch_state(self, state: int, on: bool, happens: np.ndarray) -> None:
        """Start (``on``) or end a persistent state in the runs where ``happens``."""


@dataclass
class StepEffects:
    """This step's continuous effects, accumulated over active sources.

    ``bonus``/``forbid``: per actor, (K_i, 1|N) over the actions it scores (``scored[i]``);
    ``floor``: (A, 1|N) pressure floors; ``prospect``: (N,) or scalar added talks prospect.
    """

    scored: tuple[np.ndarray, ...]
    bonus: list[np.ndarray]
    forbid: list[np.ndarray]
    floor: np.ndarray
    prospect: np.ndarray | float = 0.0

    @classmethod
    def empty(cls, scored: tuple[np.ndarray, ...], n_actors: int) -> StepEffects:
        return cls(
            scored=scored,
            bonus=[np.zeros((s.size, 1)) for s in scored],
            forbid=[np.zeros((s.size, 1), dtype=bool) for s in scored],
            floor=np.zeros((n_actors, 1)),
        )


class EffectKind:
    """Base of the effect kinds: override what the kind needs."""

    key: ClassVar[str]
    timing: ClassVar[Timing]
    annotation: ClassVar[Any]
    constraints: ClassVar[dict[str, Any]] = {}

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        """Cross-check the raw YAML value at ``loc``; ``where`` is ``event`` or ``lever``."""

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        """Add one effect's ``value`` to the compiled ``total`` of its source (None at first)."""
        raise NotImplementedError

    def is_empty(self, total: Any) -> bool:
        """True when a compiled total changes nothing."""
        return False

    def fire(self, world: World, total: Any, happens: np.ndarray) -> None:
        """One-shot: apply ``total`` in the runs where ``happens`` (N,) bool."""

    def apply(self, step: StepEffects, total: Any, weight: np.ndarray | float, mask: Any) -> None:
        """Continuous: add ``total`` to this step's effects; ``weight`` 1.0 or (N,) 0/1 floats,
        ``mask`` True or (N,) bool: the runs where the source is active."""

    def describe(self, value: Any) -> str:
        return self.key


EFFECTS: Registry[EffectKind] = Registry("effect")


def effect_kind(cls: type[EffectKind]) -> type[EffectKind]:
    """Class decorator: register an effect kind under its ``key``."""
    EFFECTS.add(cls.key, cls())
    return cls


def check_side(ck: RefChecks, loc: Loc, raw: Any) -> None:
    if isinstance(raw, Mapping):
        ck.ref((*loc, "side"), raw.get("side"), ck.sides, "side")
