"""Condition kinds: each YAML key of a ``when:`` block is one class, in ``levels.py``,
``acts.py``, ``logic.py`` or ``dates.py``.

A condition is evaluated per run and per step and gives (N,) bool. A kind holds its schema
(``annotation`` + ``constraints``), its cross-checks (:meth:`ConditionKind.check`), its
compilation (:meth:`~ConditionKind.compile` to a :class:`Cond`), the model state it needs
(:meth:`~ConditionKind.init_state`, :meth:`~ConditionKind.record`), its evaluation and its
description. :data:`Condition`, the pydantic model of a ``when:`` block, is built from
:data:`CONDITIONS`: adding a kind is adding a class here (and its test and doc line).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import Field, create_model, model_validator

# isort: off
# The kinds register in this order (the order of the ``when:`` keys in the format).
import sim.scenario.kinds.conditions.levels
import sim.scenario.kinds.conditions.acts
import sim.scenario.kinds.conditions.logic
import sim.scenario.kinds.conditions.dates
import sim.scenario.kinds.conditions.deals  # noqa: F401

# isort: on
from sim.scenario.base import Frozen
from sim.scenario.kinds.conditions.base import (
    CONDITIONS,
    NEVER,
    Cond,
    ConditionKind,
    ConditionState,
    CounterSpec,
    JointSpec,
)
from sim.scenario.kinds.registry import Loc, RefChecks

__all__ = [
    "CONDITIONS",
    "NEVER",
    "Cond",
    "Condition",
    "ConditionKind",
    "ConditionState",
    "CounterSpec",
    "JointSpec",
    "check_condition",
    "describe_condition",
    "outcome_refs",
]

# ---- the ``when:`` model ------------------------------------------------------------------------


class ConditionBase(Frozen):
    """Exactly one key, a condition kind of :data:`CONDITIONS`; evaluated per run and per step.

    ``escalation_at_least`` compares the escalation index; ``pressure_at_least`` and
    ``hit_at_least`` read the owning actor's state (red lines only); ``action`` and ``outcome``
    are sticky once true; ``joint_action`` needs every party within a window; ``all_of`` and
    ``any_of`` combine.
    """

    kind_family: ClassVar[str] = "condition"

    @model_validator(mode="after")
    def _exactly_one(self) -> ConditionBase:
        keys = [k for k in type(self).model_fields if getattr(self, k) is not None]
        if len(keys) != 1:
            opts = ", ".join(type(self).model_fields)
            raise ValueError(f"a condition has exactly one key (one of {opts}); got {keys or 'none'}")
        return self

    @property
    def key(self) -> str:
        """The YAML key given (the kind's name)."""
        return next(k for k in type(self).model_fields if getattr(self, k) is not None)

    @property
    def kind(self) -> ConditionKind:
        return CONDITIONS[self.key]

    @property
    def value(self) -> Any:
        return getattr(self, self.key)


if TYPE_CHECKING:

    class Condition(ConditionBase):
        def __getattr__(self, name: str) -> Any: ...

else:
    Condition = create_model(
        "Condition",
        __base__=ConditionBase,
        __module__=__name__,
        __doc__=ConditionBase.__doc__,
        **{
            key: (kind.annotation | None, Field(None, **kind.constraints)) for key, kind in CONDITIONS.items()
        },
    )
    Condition.model_rebuild()


def describe_condition(c: Condition) -> str:
    """A condition on one line, e.g. ``(escalation >= 60 or outcome clash)``."""
    return c.kind.describe(c.value, describe_condition)


def outcome_refs(raw: Any) -> set[str]:
    """Outcome ids a condition refers to, recursively (raw mapping or validated Condition)."""
    items: Iterable[tuple[str, Any]]
    if isinstance(raw, ConditionBase):
        items = [(raw.key, raw.value)]
    elif isinstance(raw, Mapping):
        items = [(k, v) for k, v in raw.items() if k in CONDITIONS]
    else:
        return set()
    out: set[str] = set()
    for key, value in items:
        out |= CONDITIONS[key].outcome_refs(value, outcome_refs)
    return out


def check_condition(ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
    """Cross-check every key of a raw condition mapping that names a known kind."""
    if isinstance(raw, Mapping):
        for key, value in raw.items():
            if key in CONDITIONS:
                CONDITIONS[key].check(ck, (*loc, key), value, owner)
