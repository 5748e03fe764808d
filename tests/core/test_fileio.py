"""Atomic output: a failed or interrupted write leaves the old file and no temporary file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from sim.core import fileio


def test_writes_and_uses_normal_permissions(tmp_path: Path) -> None:
    out = fileio.atomic_write_text(tmp_path / "a.txt", "hello")
    assert out.read_text() == "hello"
    mode = stat.S_IMODE(out.stat().st_mode)
    assert mode == 0o666 & ~_umask()


def test_failure_inside_writer_keeps_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "data.npz"
    with fileio.atomic_path(target) as tmp, open(tmp, "wb") as f:
        np.savez(f, x=np.arange(3))
    with pytest.raises(RuntimeError), fileio.atomic_path(target) as tmp:
        tmp.write_bytes(b"partial")
        raise RuntimeError("writer crashed")
    with np.load(target) as z:
        assert z["x"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir()] == ["data.npz"]


def test_interrupt_before_rename_keeps_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "s.json"
    fileio.atomic_write_bytes(target, b"old")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(fileio.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        fileio.atomic_write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
