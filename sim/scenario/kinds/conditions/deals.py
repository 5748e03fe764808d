"""Condition kinds that read the bargaining (docs/model.md, Bargaining): a deal reached, in force
or broken, its terms, an offer on the table. Each needs a ``bargaining:`` section."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Identifier
from sim.scenario.kinds.conditions.base import (
    NEVER,
    Cond,
    ConditionKind,
    ConditionState,
    Describe,
    Holds,
    condition_kind,
)
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


class _DealKind(ConditionKind):
    """Base: checks that the scenario bargains."""

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        if not ck.issue_ids():
            ck.add(loc, f"`{self.key}` reads the bargaining: declare `bargaining:` with its issues")


@condition_kind
class DealReached(_DealKind):
    """Sticky: a deal has been struck in the run (it may have broken down since)."""

    key = "deal_reached"
    annotation = Literal[True]

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.bargain.deal_step != NEVER)

    def describe(self, value: Any, sub: Describe) -> str:
        return "a deal was struck"


@condition_kind
class DealInForce(_DealKind):
    """True while a deal holds (struck and not broken)."""

    key = "deal_in_force"
    annotation = Literal[True]

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.bargain.deal_on)

    def describe(self, value: Any, sub: Describe) -> str:
        return "a deal is in force"


@condition_kind
class DealBroken(_DealKind):
    """Sticky: a deal has broken down (a party defected)."""

    key = "deal_broken"
    annotation = Literal[True]

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self)

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        return np.asarray(st.bargain.breakdown_step != NEVER)

    def describe(self, value: Any, sub: Describe) -> str:
        return "a deal broke down"


class TermsRange(Frozen):
    """A deal in force whose term on ``issue`` lies in ``at_least``..``at_most`` (0..1)."""

    issue: Identifier
    at_least: float = Field(0.0, ge=0, le=1)
    at_most: float = Field(1.0, ge=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> TermsRange:
        if self.at_most < self.at_least:
            raise ValueError(f"at_most {self.at_most} is below at_least {self.at_least}")
        return self


@condition_kind
class DealTerms(_DealKind):
    """True while a deal is in force with its term on the issue in the range."""

    key = "deal_terms"
    annotation = TermsRange

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        super().check(ck, loc, raw, owner)
        if isinstance(raw, Mapping) and ck.issue_ids():
            ck.ref((*loc, "issue"), raw.get("issue"), set(ck.issue_ids()), "issue")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        # at_most travels in ``args`` in millionths (Cond args are integers)
        at_most = round(value.at_most * 1e6)
        return Cond(self, value=float(value.at_least), args=(at_most,), slot=cc.issue_index[value.issue])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        b = st.bargain
        term = b.deal_terms[c.slot]
        return np.asarray(b.deal_on & (term >= c.value) & (term <= c.args[0] / 1e6))

    def describe(self, value: Any, sub: Describe) -> str:
        return f"a deal in force with {value.issue} in {value.at_least:g}..{value.at_most:g}"


@condition_kind
class OfferOnTable(_DealKind):
    """True while the offer of the named action is on the table (made, not yet answered)."""

    key = "offer_on_table"
    annotation = Identifier

    def check(self, ck: RefChecks, loc: Loc, raw: Any, owner: bool) -> None:
        super().check(ck, loc, raw, owner)
        ck.ref(loc, raw, ck.offer_ids(), "offer action")

    def compile(self, value: Any, cc: Compiler, owner: int, sub: Callable[[Any], Cond]) -> Cond:
        return Cond(self, slot=cc.action_index[value])

    def evaluate(self, c: Cond, st: ConditionState, t: int, holds: Holds) -> np.ndarray:
        b = st.bargain
        return np.asarray(b.active[b.spec.offer_slot[c.slot]])

    def describe(self, value: Any, sub: Describe) -> str:
        return f"the offer {value} is on the table"
