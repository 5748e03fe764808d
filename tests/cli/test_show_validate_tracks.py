"""`sim show` and `sim validate` on a scenario with escalation tracks, as a user runs them."""

from __future__ import annotations

from pathlib import Path

from cli_helpers import ROOT, sim

TRACKS = ROOT / "tests" / "data" / "mini_tracks.yaml"


def test_show_describes_tracks() -> None:
    proc = sim("show", str(TRACKS))
    assert proc.returncode == 0, proc.stderr
    assert "Escalation tracks" in proc.stdout
    assert "Embargo 60 (requires embargo)" in proc.stdout
    assert "track economic +8" in proc.stdout
    assert "track economic >= 60" in proc.stdout


def test_validate_reports_an_unknown_track_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TRACKS.read_text().replace("track: economic, level: 60", "track: econ, level: 60"))
    proc = sim("validate", str(bad))
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert f"{bad}:182: outcomes[5].when.track_at_least.track: unknown track `econ`" in out


def test_run_prints_the_track_levels(tmp_path: Path) -> None:
    proc = sim("run", str(TRACKS), "--runs", "300", "--workers", "1", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "Escalation track: Economic war" in proc.stdout
    assert "Embargo" in proc.stdout
