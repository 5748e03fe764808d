"""Building blocks of the scenario format: frozen models, identifiers, provenance and :class:`Param`.

Every number that drives the model is a :class:`Param`: a fixed value or a distribution, with
provenance (a quote from a named source, or an ``assumption:`` with a reason).
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", max_length=64)]
"""Lower-case identifier: a letter, then letters, digits or underscores (max 64)."""

ShortText = Annotated[str, Field(min_length=1, max_length=2000)]

DIST_KINDS = Literal["fixed", "uniform", "normal", "truncnorm", "beta", "triangular"]

DIST_PARAMS: dict[str, tuple[str, ...]] = {
    "fixed": ("value",),
    "uniform": ("low", "high"),
    "normal": ("mean", "sd"),
    "truncnorm": ("mean", "sd", "low", "high"),
    "beta": ("a", "b"),
    "triangular": ("low", "mode", "high"),
}


class Frozen(BaseModel):
    """Base: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Provenance(Frozen):
    """Where a number comes from: a quote from a named source, an assumption with a reason, or a
    documented fit to data (``calibrated:`` naming the data file and the method, written by
    ``sim calibrate``)."""

    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None
    calibrated: ShortText | None = None

    @model_validator(mode="after")
    def _one_provenance(self) -> Provenance:
        given = [x for x in (self.quote, self.assumption, self.calibrated) if x is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of `quote:` (a short quote from a source), "
                "`assumption:` (why this value was chosen) or `calibrated:` (data file and method)"
            )
        if self.source is not None and self.quote is None:
            raise ValueError("`source:` goes with `quote:`; an assumption has no source")
        return self


class Param(Provenance):
    """A model number: fixed, or drawn per run from a distribution (scipy.stats).

    ``dist`` defaults to ``fixed`` when only ``value`` is given. Parameters by kind:
    fixed: value; uniform: low, high; normal: mean, sd; truncnorm: mean, sd, low, high;
    beta: a, b (support [0, 1]); triangular: low, mode, high.
    """

    dist: DIST_KINDS = "fixed"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    a: float | None = None
    b: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _check_params(self) -> Param:
        needed = DIST_PARAMS[self.dist]
        present = {
            k
            for k in ("value", "low", "high", "mean", "sd", "a", "b", "mode")
            if getattr(self, k) is not None
        }
        missing = [k for k in needed if k not in present]
        extra = sorted(present - set(needed))
        if missing:
            raise ValueError(f"dist {self.dist} needs {', '.join(needed)}; missing {', '.join(missing)}")
        if extra:
            raise ValueError(f"dist {self.dist} takes {', '.join(needed)}; remove {', '.join(extra)}")
        for k in present:
            v = getattr(self, k)
            if not math.isfinite(v):
                raise ValueError(f"{k} must be a finite number, got {v}")
        if self.dist in ("normal", "truncnorm") and self.sd is not None and self.sd <= 0:
            raise ValueError(f"sd must be > 0, got {self.sd}")
        if self.dist == "beta" and ((self.a or 0) <= 0 or (self.b or 0) <= 0):
            raise ValueError("beta needs a > 0 and b > 0")
        if self.dist in ("uniform", "truncnorm") and not (
            self.low is not None and self.high is not None and self.low < self.high
        ):
            raise ValueError(f"low must be below high (got low={self.low}, high={self.high})")
        if self.dist == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            if not (self.low <= self.mode <= self.high and self.low < self.high):
                raise ValueError("triangular needs low <= mode <= high and low < high")
        return self

    def support(self) -> tuple[float, float]:
        """The interval the draws fall in (infinite for ``normal``)."""
        if self.dist == "fixed":
            assert self.value is not None
            return (self.value, self.value)
        if self.dist == "beta":
            return (0.0, 1.0)
        if self.dist == "normal":
            return (-math.inf, math.inf)
        assert self.low is not None and self.high is not None
        return (self.low, self.high)

    def central(self) -> float:
        """A representative value (the mean of the distribution), for tables and defaults."""
        if self.dist == "fixed":
            assert self.value is not None
            return self.value
        if self.dist in ("normal",):
            assert self.mean is not None
            return self.mean
        if self.dist == "uniform":
            assert self.low is not None and self.high is not None
            return (self.low + self.high) / 2
        if self.dist == "beta":
            assert self.a is not None and self.b is not None
            return self.a / (self.a + self.b)
        if self.dist == "triangular":
            assert self.low is not None and self.high is not None and self.mode is not None
            return (self.low + self.mode + self.high) / 3
        from scipy import stats

        assert (
            self.mean is not None and self.sd is not None and self.low is not None and self.high is not None
        )
        lo, hi = (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd
        return float(stats.truncnorm.mean(lo, hi, loc=self.mean, scale=self.sd))

    def is_random(self) -> bool:
        return self.dist != "fixed"

    def formatted(self, named: bool = True) -> str:
        """``0.6`` for a fixed value, ``beta(a=2, b=2)`` for a distribution (``beta(2, 2)`` when
        not ``named``); values in the parameter's own units."""
        if self.dist == "fixed":
            return f"{self.value:g}"
        args = [(k, getattr(self, k)) for k in DIST_PARAMS[self.dist]]
        return f"{self.dist}(" + ", ".join(f"{k}={v:g}" if named else f"{v:g}" for k, v in args) + ")"


def check_range(p: Param, lo: float, hi: float, what: str) -> Param:
    """Raise if the draws of ``p`` can leave [lo, hi]; ``what`` explains the range."""
    s_lo, s_hi = p.support()
    if s_lo < lo or s_hi > hi:
        if p.dist == "fixed":
            side = "above" if s_hi > hi else "below"
            bound = hi if s_hi > hi else lo
            raise ValueError(f"{p.value:g} is {side} {bound:g} ({what}: {lo:g}..{hi:g})")
        hint = " (a normal is unbounded: use truncnorm with low/high)" if p.dist == "normal" else ""
        raise ValueError(f"draws of {p.dist} can fall outside {lo:g}..{hi:g} ({what}){hint}")
    return p


Probability = Annotated[Param, AfterValidator(lambda v: unit(v, "a probability"))]
"""A Param whose draws must lie in [0, 1] because it is a probability."""

Share = Annotated[Param, AfterValidator(lambda v: unit(v, "a share 0..1"))]
"""A Param whose draws must lie in [0, 1] because it is a weight or share."""


def unit(p: Param, what: str) -> Param:
    """``p`` if its draws stay in [0, 1]; ValueError naming ``what`` otherwise."""
    return check_range(p, 0.0, 1.0, what)


class ActorScope(Frozen):
    """Whom an effect or condition concerns: listed actors and/or every actor of listed sides.

    Both empty means everyone.
    """

    actors: list[Identifier] = []
    sides: list[Identifier] = []
