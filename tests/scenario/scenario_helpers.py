"""Shared helpers for the scenario loader tests: the small valid fixture and ways to mutate it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.yamlio import parse_yaml, to_plain

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini.yaml"


def mini_text() -> str:
    """Text of the valid fixture scenario."""
    return MINI.read_text(encoding="utf-8")


def mini_data() -> dict[str, Any]:
    """The fixture as plain data (a fresh copy each call)."""
    data = to_plain(parse_yaml(mini_text(), str(MINI)))  # not yaml.safe_load: it reads `on:` as True
    assert isinstance(data, dict)
    return data


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Safe dumper (libyaml when available) that writes shared values out instead of aliasing."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """YAML text of ``data`` without anchors or aliases."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing ``needle``."""
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """``write(text, name="s.yaml")`` writes a file under tmp_path and returns its path."""

    def _write(text: str | bytes, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return _write
