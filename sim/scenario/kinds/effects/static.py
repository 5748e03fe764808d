"""Static effect kinds: change the scenario before the run (levers that are on)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from sim.scenario.base import Frozen, Param
from sim.scenario.kinds.effects.base import EffectKind, Timing, effect_kind
from sim.scenario.kinds.registry import Compiler, Loc, RefChecks


class SetPath(Frozen):
    """Static override: replace the Param at ``path`` (e.g. ``relations.irgc_command.autonomy``)."""

    path: str = Field(min_length=1, max_length=300)
    value: Param


@effect_kind
class SetParam(EffectKind):
    """Levers only: replace a parameter of the scenario before the run while the lever is on."""

    key = "set"
    timing = Timing.STATIC
    annotation = SetPath

    def check(self, ck: RefChecks, loc: Loc, raw: Any, where: str) -> None:
        if where == "lever" and isinstance(raw, Mapping) and isinstance(raw.get("path"), str):
            ck.parameter_path((*loc, "path"), raw["path"])

    def accumulate(self, total: Any, value: Any, cc: Compiler) -> Any:
        return None  # applied to the scenario before compilation (sim.scenario.paths)

    def describe(self, value: Any) -> str:
        return f"set {value.path} = {value.value.formatted()}"
