"""Escalation tracks: extra ladders (e.g. economic war) a scenario may declare beside the main one.

A track is its own index in [0, max] with the main index's update equation (relaxation
``dynamics.relaxation``, pushes from the acts, clip, threshold rungs with ``requires:``) but no
accidents; it never adds to the main index (docs/model.md, tracks). This module holds the
schema of a track and its cross-checks; sim.model.tracks compiles and steps them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, model_validator

from sim.scenario.base import Frozen, Identifier, ShortText
from sim.scenario.kinds.registry import Loc, RefChecks


class TrackLevel(Frozen):
    """A rung of a track; with ``requires``, the track cannot reach ``at`` until one of those
    actions has been taken in the run (as for the main ladder)."""

    name: ShortText
    at: float = Field(ge=0, description="Track index at which this rung starts.")
    requires: list[Identifier] = Field(
        [], description="Actions of which one must have been taken before this rung can be reached."
    )


class Track(Frozen):
    """A separate escalation index (e.g. ``economic``), moved only by ``effects.tracks`` of acts."""

    id: Identifier
    name: ShortText
    max: float = Field(100.0, gt=0, le=10_000)
    levels: list[TrackLevel] = Field(min_length=2)
    initial: float = Field(0.0, ge=0, description="Track index at the start of every run (default 0, calm).")
    quote: ShortText | None = None
    source: Identifier | None = None
    assumption: ShortText | None = None

    @model_validator(mode="after")
    def _check(self) -> Track:
        ats = [lv.at for lv in self.levels]
        if ats != sorted(ats) or len(set(ats)) != len(ats):
            raise ValueError(f"track `{self.id}`: levels must have strictly increasing `at`")
        if ats[-1] > self.max:
            raise ValueError(f"track `{self.id}`: level at {ats[-1]} is above the track max {self.max}")
        if ats[0] != 0:
            raise ValueError(f"track `{self.id}`: the first level must start at 0")
        if self.initial > self.max:
            raise ValueError(
                f"track `{self.id}`: initial {self.initial:g} is above the track max {self.max:g}"
            )
        locked = [lv.at for lv in self.levels if lv.requires]
        if locked and self.initial >= min(locked):
            raise ValueError(
                f"track `{self.id}`: initial {self.initial:g} is at or above a locked rung "
                f"({min(locked):g}): lower `initial` or drop `requires`"
            )
        if (self.quote is None) == (self.assumption is None):
            raise ValueError(f"track `{self.id}`: give exactly one of `quote:` or `assumption:`")
        return self


def raw_track_ids(data: Mapping[str, Any]) -> set[str]:
    """Ids of the tracks declared under ``ladder.tracks`` in raw scenario data."""
    ladder = data.get("ladder")
    tracks = ladder.get("tracks") if isinstance(ladder, Mapping) else None
    if not isinstance(tracks, list):
        return set()
    return {t["id"] for t in tracks if isinstance(t, Mapping) and isinstance(t.get("id"), str)}


def check_tracks(ck: RefChecks, data: Mapping[str, Any]) -> None:
    """Unique track ids, actions named in ``requires``, track ids in actions' ``effects.tracks``."""
    ladder = data.get("ladder")
    tracks = ladder.get("tracks") if isinstance(ladder, Mapping) else None
    seen: set[str] = set()
    for i, track in enumerate(tracks if isinstance(tracks, list) else []):
        if not isinstance(track, Mapping):
            continue
        ident = track.get("id")
        if isinstance(ident, str):
            if ident in seen:
                ck.add(("ladder", "tracks", i, "id"), f"duplicate track id `{ident}`; ids must be unique")
            seen.add(ident)
        levels = track.get("levels")
        for j, level in enumerate(levels if isinstance(levels, list) else []):
            if isinstance(level, Mapping):
                loc: Loc = ("ladder", "tracks", i, "levels", j, "requires")
                ck.refs(loc, level.get("requires"), ck.action_ids, "action")
    actions = data.get("actions")
    for i, action in enumerate(actions if isinstance(actions, list) else []):
        effects = action.get("effects") if isinstance(action, Mapping) else None
        moves = effects.get("tracks") if isinstance(effects, Mapping) else None
        if isinstance(moves, Mapping):
            for key in moves:
                ck.ref(("actions", i, "effects", "tracks", key), key, ck.track_ids, "track")
