"""Declaring sweeps: the sweep YAML, --vary, and the user errors (file:line, fix, exit 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.cli import main
from sim.core.errors import SimUserError
from sim.sweep.resolve import resolve
from sim.sweep.spec import load_sweep, parse_vary, spec_from_cli

GOOD = """\
sweep:
  id: leader_pressure
  scenario: ../scenarios/mini.yaml
  design: grid
  points: 3
  runs_per_point: 200
  seed: 11
  parameters:
    - path: actors.leader.traits.pressure_aversion
      low: 0.2
      high: 0.8
    - path: dynamics.relaxation
      values: [0.02, 0.1]
"""


def test_good_file_resolves_relative_to_sweep_file(
    write_sweep: Callable[..., Path], scenario_file: Path
) -> None:
    spec = load_sweep(write_sweep(text=GOOD))
    assert spec.id == "leader_pressure" and spec.design == "grid" and spec.points == 3
    assert spec.scenario_path.resolve() == scenario_file.resolve()
    assert [p.path for p in spec.params] == ["actors.leader.traits.pressure_aversion", "dynamics.relaxation"]
    assert spec.params[1].values == (0.02, 0.1)
    assert spec.params[0].line == 9
    r = resolve(spec)
    assert r.seed == 11 and r.batch_size == 200 and r.batch_sizes() == [200]


def test_defaults_come_from_scenario(write_sweep: Callable[..., Path]) -> None:
    path = write_sweep(
        runs_per_point=2500, parameters=[{"path": "dynamics.relaxation", "low": 0.0, "high": 0.2}]
    )
    r = resolve(load_sweep(path))
    assert r.seed == 7  # mini.yaml monte_carlo.seed
    assert r.spec.id == "s"
    assert r.batch_sizes() == [1000, 1000, 500]


def _cli_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def test_bad_path_suggests(write_sweep: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_sweep(text=GOOD.replace("pressure_aversion", "presure_aversion"))
    err = _cli_error(capsys, ["sweep", str(path)])
    assert f"{path}:9:" in err
    assert "did you mean `actors.leader.traits.pressure_aversion`" in err


def test_range_out_of_bounds_names_line(
    write_sweep: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_sweep(text=GOOD.replace("high: 0.8", "high: 1.4"))
    err = _cli_error(capsys, ["sweep", str(path)])
    assert f"{path}:9:" in err and "1.4" in err and "above 1" in err


def test_unknown_design(write_sweep: Callable[..., Path], capsys: pytest.CaptureFixture[str]) -> None:
    path = write_sweep(text=GOOD.replace("design: grid", "design: latin"))
    err = _cli_error(capsys, ["sweep", str(path)])
    assert f"{path}:4:" in err and "grid, lhs, sobol" in err


def test_many_problems_reported_together(write_sweep: Callable[..., Path]) -> None:
    text = GOOD.replace("runs_per_point: 200", "runs_per_point: -3\n  colour: red").replace(
        "low: 0.2", "low: 0.9"
    )
    with pytest.raises(SimUserError) as info:
        load_sweep(write_sweep(text=text))
    fields = {p.field for p in info.value.problems}
    assert {"sweep.runs_per_point", "sweep.colour", "sweep.parameters[0].low"} <= fields
    assert all(p.line for p in info.value.problems)


def test_lhs_refuses_value_lists_and_sobol_wants_power_of_two(write_sweep: Callable[..., Path]) -> None:
    with pytest.raises(SimUserError, match="lhs needs a range"):
        resolve(load_sweep(write_sweep(text=GOOD.replace("design: grid", "design: lhs"))))
    text = GOOD.replace("design: grid", "design: sobol").replace(
        "values: [0.02, 0.1]", "low: 0.0\n      high: 0.2"
    )
    with pytest.raises(SimUserError, match="power of two"):
        resolve(load_sweep(write_sweep(text=text)))


def test_vary_parsing() -> None:
    p = parse_vary("actors.a.traits.resolve=0.1:0.9")
    assert (p.low, p.high, p.values) == (0.1, 0.9, None)
    assert parse_vary("dynamics.relaxation=0.01,0.05,0.1").values == (0.01, 0.05, 0.1)
    for bad in ("nopath", "x=0.9:0.1", "x=a:b", "x="):
        with pytest.raises(SimUserError):
            parse_vary(bad)


def test_cli_vary_bad_path(scenario_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _cli_error(capsys, ["sweep", str(scenario_file), "--vary", "dynamics.relaxtion=0:0.2"])
    assert "did you mean `dynamics.relaxation`" in err


def test_spec_from_cli(scenario_file: Path) -> None:
    spec = spec_from_cli(
        scenario_file, ["dynamics.relaxation=0:0.2"], design="lhs", points=8, runs_per_point=300
    )
    r = resolve(spec)
    assert r.spec.id == "mini-lhs" and r.batch_sizes() == [300]
