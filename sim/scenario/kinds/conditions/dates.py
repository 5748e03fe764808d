"""Condition kinds on time: an event has fired, the date lies in a window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from pydantic import model_validator

from sim.scenario.base import Frozen, Identifier
from sim.scenario.kinds.conditions.base import (
    Cond,
    ConditionKind,
    ConditionState,
    Describe,
    Holds,
    condition_kind,
)
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


@condition_kind
class EventFired(ConditionKind):
    """Sticky: the event has fired (from its first step on, in the runs where it happens)."""

    key = "event_fired"
    annotation = Identifier

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        ck.ref(loc, raw, ck.event_ids, "event")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, slot=cc.event_index[value])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        happens: np.ndarray = st.event_happens[c.slot]
        return happens & (t >= st.event_first[c.slot])

    def describe(self, value: Any, sub: Describe) -> str:
        return f"event {value} fired"


class DateWindow(Frozen):
    """Dates ``start``..``end``, both included."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> DateWindow:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


@condition_kind
class Between(ConditionKind):
    """True while the step's date lies in ``start``..``end`` (combine with ``all_of`` to ask
    whether something holds within a time window)."""

    key = "between"
    annotation = DateWindow

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        if isinstance(raw, Mapping):
            ck.date_in_period((*loc, "start"), raw.get("start"))
            ck.date_in_period((*loc, "end"), raw.get("end"))

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, args=(cc.step_of(value.start), cc.step_of(value.end)))

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        first, last = c.args
        return np.full(st.escalation.shape, first <= t <= last)

    def describe(self, value: Any, sub: Describe) -> str:
        return f"between {value.start} and {value.end}"
