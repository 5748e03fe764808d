"""Validation of escalation tracks: unknown ids in actions, conditions and rungs, at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario

TRACKS = Path(__file__).resolve().parents[1] / "data" / "mini_tracks.yaml"


def _problems(tmp_path: Path, old: str, new: str) -> list[tuple[str, str, int | None]]:
    text = TRACKS.read_text()
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SimUserError) as info:
        load_scenario(path)
    return [(p.field, p.message, p.line) for p in info.value.problems]


@pytest.mark.parametrize(
    ("old", "new", "field", "text"),
    [
        (
            "tracks: {economic: 8}",
            "tracks: {economc: 8}",
            "actions[2].effects.tracks.economc",
            "unknown track `economc`; did you mean `economic`?",
        ),
        (
            "track: economic, level: 60",
            "track: nuclear, level: 60",
            "outcomes[5].when.track_at_least.track",
            "unknown track `nuclear`",
        ),
        (
            "at: 60, requires: [embargo]",
            "at: 60, requires: [embargoo]",
            "ladder.tracks[0].levels[2].requires[0]",
            "unknown action `embargoo`",
        ),
        (
            "  tracks:\n",
            "  tracks:\n    - {id: economic, name: Copy, levels: [{name: a, at: 0}, {name: b, at: 9}], "
            "assumption: t}\n",
            "ladder.tracks[1].id",
            "duplicate track id `economic`",
        ),
    ],
)
def test_track_errors_name_the_field_and_line(
    tmp_path: Path, old: str, new: str, field: str, text: str
) -> None:
    found = _problems(tmp_path, old, new)
    assert any(f.startswith(field) and text in m for f, m, _ in found), found
    assert all(line is not None for _, _, line in found)


def test_track_levels_must_start_at_zero_and_rise(tmp_path: Path) -> None:
    found = _problems(tmp_path, "{name: Trade, at: 0}", "{name: Trade, at: 5}")
    assert any("first level must start at 0" in m for _, m, _ in found), found


def test_track_push_out_of_range(tmp_path: Path) -> None:
    found = _problems(tmp_path, "tracks: {economic: 8}", "tracks: {economic: 800}")
    assert any("outside -100..100" in m for _, m, _ in found), found


def test_valid_tracks_load() -> None:
    sc = load_scenario(TRACKS)
    assert [t.id for t in sc.ladder.tracks] == ["economic"]
    assert sc.action("sanction").effects.tracks == {"economic": 8.0}
