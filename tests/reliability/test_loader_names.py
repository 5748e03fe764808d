"""#15.9: unusable file names (NUL byte, over-long names) are user errors with file:line, never a
traceback, in the CLI and in the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from reliability_helpers import sim

import sim.api as api
from sim.core.errors import SimUserError


@pytest.mark.parametrize("target", ['"base\\0.yaml"', "a" * 300 + ".yaml", "d/" + "b" * 260 + "/x.yaml"])
def test_bad_extends_target(tmp_path: Path, target: str) -> None:
    v = tmp_path / "v.yaml"
    v.write_text(f"extends: {target}\nscenario: {{id: v}}\n")
    with pytest.raises(SimUserError) as err:
        api.load(v)
    assert err.value.problems[0].line == 1 and err.value.problems[0].field == "extends"
    done = sim("validate", str(v))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{v}:1: extends:" in done.stderr


@pytest.mark.parametrize("name", ["a\0b.yaml", "c" * 300 + ".yaml"])
def test_bad_top_level_name_in_api(name: str) -> None:
    with pytest.raises(SimUserError):
        api.load(name)
    with pytest.raises(SimUserError):
        api.run(name, runs=10)


def test_long_name_in_cli(tmp_path: Path) -> None:
    done = sim("run", str(tmp_path / ("c" * 300 + ".yaml")))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "too long" in done.stderr
