"""Declaring a sweep: the ``sweep:`` YAML file and the ``--vary`` options of ``sim sweep``.

A sweep file::

    sweep:
      id: khamenei_pressure          # optional; default: the file name without .yaml
      scenario: ../scenarios/iran.yaml   # relative to this file
      design: lhs                    # grid | lhs | sobol
      points: 64                     # grid: levels per range axis; lhs: points; sobol: N base samples
      runs_per_point: 1000
      batch_size: 500                # optional: runs per task (default: min(runs_per_point, 1000))
      seed: 7                        # optional: default the scenario's monte_carlo.seed
      parameters:
        - path: actors.khamenei.traits.pressure_aversion
          low: 0.2
          high: 0.9
        - path: dynamics.relaxation
          values: [0.01, 0.05, 0.1]  # grid only

Every problem (unknown key, bad path, value outside the parameter's valid range) is reported as a
:class:`~sim.core.errors.Problem` naming the sweep file, its line and the fix; paths and ranges
are checked against the scenario by :func:`sim.sweep.resolve.resolve`.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sim.core import yamlio
from sim.core.errors import Problem, SimUserError
from sim.core.yamlio import MDict, MList
from sim.scenario.schema import Scenario

DESIGNS = ("grid", "lhs", "sobol")
"""Supported designs: full factorial grid, Latin hypercube, Sobol/Saltelli (SALib)."""

MAX_POINTS = 1_000_000
MAX_PARAMS = 64
DEFAULT_BATCH = 1000
"""Default runs per task: large enough that Dask's per-task overhead is negligible."""

_TOP_KEYS = {"id", "scenario", "design", "points", "runs_per_point", "batch_size", "seed", "parameters"}
_PARAM_KEYS = {"path", "low", "high", "values", "levels"}
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


@dataclass(frozen=True)
class ParamSpec:
    """One swept parameter: a range ``low``..``high`` or an explicit list of ``values``.

    ``levels``: grid levels of a range (default: the sweep's ``points``); ``line``: where it is
    declared (1-based) or None for ``--vary``.
    """

    path: str
    low: float | None = None
    high: float | None = None
    values: tuple[float, ...] | None = None
    levels: int | None = None
    line: int | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        """(low, high) of the range, or (min, max) of the value list."""
        if self.values is not None:
            return (min(self.values), max(self.values))
        assert self.low is not None and self.high is not None
        return (self.low, self.high)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path}
        if self.values is not None:
            d["values"] = list(self.values)
        else:
            d["low"], d["high"] = self.low, self.high
        if self.levels is not None:
            d["levels"] = self.levels
        return d


@dataclass(frozen=True)
class SweepSpec:
    """A sweep as declared (file or CLI), before the scenario is loaded.

    ``source``: the sweep file (or the scenario file for ``--vary``), used in messages;
    ``lines``: line of each top-level key, for messages.
    """

    id: str
    scenario_path: Path
    params: tuple[ParamSpec, ...]
    design: str = "grid"
    points: int | None = None
    runs_per_point: int = 1000
    batch_size: int | None = None
    seed: int | None = None
    source: str = ""
    lines: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The declaration as JSON (saved in sweep.json)."""
        return {
            "id": self.id,
            "scenario": str(self.scenario_path),
            "design": self.design,
            "points": self.points,
            "runs_per_point": self.runs_per_point,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "parameters": [p.to_json() for p in self.params],
        }


@dataclass(frozen=True)
class ResolvedSweep:
    """A validated sweep bound to its loaded scenario, with seed and batch size settled."""

    spec: SweepSpec
    scenario: Scenario
    seed: int
    batch_size: int

    @property
    def paths(self) -> list[str]:
        return [p.path for p in self.spec.params]

    @property
    def batches_per_point(self) -> int:
        return math.ceil(self.spec.runs_per_point / self.batch_size)

    def batch_sizes(self) -> list[int]:
        """Runs in each batch of a point: full batches, the last one possibly smaller."""
        n, b = self.spec.runs_per_point, self.batch_size
        return [min(b, n - i * b) for i in range(self.batches_per_point)]


# ---- YAML with line marks ---------------------------------------------------------------------


def _marks(data: Any, lines: dict[str, int], prefix: str) -> None:
    """Record the 1-based line of every key path of marked YAML data (sim.core.yamlio)."""
    if isinstance(data, MDict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            mark = data.key_marks.get(key)
            if mark is not None:
                lines[path] = mark.line
            _marks(value, lines, path)
    elif isinstance(data, MList):
        for i, value in enumerate(data):
            path = f"{prefix}[{i}]"
            mark = data.mark_at(i)
            if mark is not None:
                lines[path] = mark.line
            _marks(value, lines, path)


def read_yaml(path: Path) -> tuple[Any, dict[str, int]]:
    """Read a YAML file safely (limits of sim.core.yamlio); return (plain data, {key path: line})."""
    data = yamlio.read_yaml(path, shown=str(path))
    lines: dict[str, int] = {}
    _marks(data, lines, "")
    return yamlio.to_plain(data), lines


def is_sweep_file(path: Path) -> bool:
    """True if ``path`` is a YAML mapping whose only top-level key is ``sweep``."""
    try:
        data, _ = read_yaml(path)
    except SimUserError:
        return False
    return isinstance(data, dict) and "sweep" in data


# ---- parsing ---------------------------------------------------------------------------------


class _Collector:
    """Accumulates problems for one file."""

    def __init__(self, source: str, lines: dict[str, int]):
        self.source, self.lines = source, lines
        self.problems: list[Problem] = []

    def add(self, key: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.source, line or self._line(key), key, message))

    def _line(self, key: str) -> int | None:
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rsplit(".", 1)[0] if "." in key else ""
        return None


def _number(c: _Collector, key: str, v: Any) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
        c.add(key, f"must be a finite number, got {v!r}")
        return None
    return float(v)


def _int(c: _Collector, key: str, v: Any, lo: int, hi: int) -> int | None:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        c.add(key, f"must be a whole number in {lo}..{hi}, got {v!r}")
        return None
    return v


def _parse_param(c: _Collector, i: int, item: Any) -> ParamSpec | None:
    key = f"sweep.parameters[{i}]"
    if not isinstance(item, dict):
        c.add(key, "each parameter is a mapping with `path:` and `low:`/`high:` or `values:`")
        return None
    for k in sorted(set(item) - _PARAM_KEYS):
        c.add(
            f"{key}.{k}", f"unknown key; allowed: {', '.join(sorted(_PARAM_KEYS))}{_suggest(k, _PARAM_KEYS)}"
        )
    path = item.get("path")
    if not isinstance(path, str) or not path.strip():
        c.add(key, "needs `path:` naming a scenario parameter, e.g. actors.<id>.traits.resolve")
        return None
    line = c.lines.get(f"{key}.path")
    has_range, has_values = "low" in item or "high" in item, "values" in item
    if has_range == has_values:
        c.add(key, "give either `low:` and `high:` (a range) or `values:` (a list)", line)
        return None
    levels = _int(c, f"{key}.levels", item["levels"], 2, 10_000) if "levels" in item else None
    if has_values:
        vals = item["values"]
        if not isinstance(vals, list) or not vals:
            c.add(f"{key}.values", "must be a non-empty list of numbers, e.g. [0.1, 0.5, 0.9]")
            return None
        nums = [_number(c, f"{key}.values[{j}]", v) for j, v in enumerate(vals)]
        if any(n is None for n in nums):
            return None
        return ParamSpec(
            path.strip(), values=tuple(n for n in nums if n is not None), levels=levels, line=line
        )
    lo = _number(c, f"{key}.low", item.get("low"))
    hi = _number(c, f"{key}.high", item.get("high"))
    if lo is None or hi is None:
        return None
    if not lo < hi:
        c.add(f"{key}.low", f"low ({lo:g}) must be below high ({hi:g})")
        return None
    return ParamSpec(path.strip(), low=lo, high=hi, levels=levels, line=line)


def _suggest(word: str, options: Any) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def load_sweep(path: str | Path) -> SweepSpec:
    """Parse a sweep file (syntax and types only; :func:`resolve` checks it against the scenario)."""
    p = Path(path)
    data, lines = read_yaml(p)
    c = _Collector(str(path), lines)
    if not isinstance(data, dict) or not isinstance(data.get("sweep"), dict):
        raise SimUserError(
            [Problem(str(path), 1, "sweep", "a sweep file has one top-level key `sweep:` (a mapping)")]
        )
    for k in sorted(set(data) - {"sweep"}):
        c.add(k, "unknown top-level key; a sweep file has only `sweep:`")
    s: dict[str, Any] = data["sweep"]
    for k in sorted(set(s) - _TOP_KEYS):
        c.add(f"sweep.{k}", f"unknown key; allowed: {', '.join(sorted(_TOP_KEYS))}{_suggest(k, _TOP_KEYS)}")
    scen = s.get("scenario")
    if not isinstance(scen, str) or not scen.strip():
        c.add("sweep", "needs `scenario:`, the scenario file relative to this sweep file")
    sweep_id = s.get("id", p.stem)
    if not isinstance(sweep_id, str) or not ID_RE.match(sweep_id):
        c.add("sweep.id", "must be letters, digits, '_', '-', '.' (max 80), e.g. khamenei_pressure")
    params_raw = s.get("parameters")
    params: list[ParamSpec] = []
    if not isinstance(params_raw, list) or not params_raw:
        c.add("sweep.parameters" if "parameters" in s else "sweep", "needs `parameters:`, a non-empty list")
    elif len(params_raw) > MAX_PARAMS:
        c.add("sweep.parameters", f"at most {MAX_PARAMS} parameters")
    else:
        params = [q for i, item in enumerate(params_raw) if (q := _parse_param(c, i, item)) is not None]
    spec = _settings(c, s, p, sweep_id, params, scen)
    if c.problems or spec is None:
        raise SimUserError(c.problems)
    return spec


def _settings(
    c: _Collector, s: dict[str, Any], p: Path, sweep_id: Any, params: list[ParamSpec], scen: Any
) -> SweepSpec | None:
    design = s.get("design", "grid")
    if design not in DESIGNS:
        c.add(
            "sweep.design",
            f"unknown design {design!r}; use one of {', '.join(DESIGNS)}{_suggest(str(design), DESIGNS)}",
        )
    points = _int(c, "sweep.points", s["points"], 1, MAX_POINTS) if "points" in s else None
    runs = _int(c, "sweep.runs_per_point", s.get("runs_per_point", 1000), 1, 100_000_000)
    batch = _int(c, "sweep.batch_size", s["batch_size"], 1, 1_000_000) if "batch_size" in s else None
    seed = _int(c, "sweep.seed", s["seed"], 0, 2**63 - 1) if "seed" in s else None
    if c.problems or runs is None or not isinstance(scen, str):
        return None
    return SweepSpec(
        id=str(sweep_id),
        scenario_path=(p.parent / scen.strip()),
        params=tuple(params),
        design=str(design),
        points=points,
        runs_per_point=runs,
        batch_size=batch,
        seed=seed,
        source=str(p),
        lines={k.removeprefix("sweep."): v for k, v in c.lines.items() if k.startswith("sweep.")},
    )


_VARY_RE = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*$")


def parse_vary(text: str, source: str = "--vary") -> ParamSpec:
    """Parse ``PATH=LO:HI`` or ``PATH=v1,v2,v3``. Raises SimUserError naming the option."""
    m = _VARY_RE.match(text)
    bad = Problem(source, None, text, "write PATH=LO:HI (a range) or PATH=v1,v2,v3 (values)")
    if not m:
        raise SimUserError([bad])
    path, rhs = m.group(1), m.group(2)
    try:
        if ":" in rhs:
            lo_s, hi_s = rhs.split(":", 1)
            lo, hi = float(lo_s), float(hi_s)
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise SimUserError([Problem(source, None, text, f"need LO < HI, finite (got {lo:g}:{hi:g})")])
            return ParamSpec(path, low=lo, high=hi)
        vals = tuple(float(v) for v in rhs.split(",") if v.strip())
    except ValueError:
        raise SimUserError([bad]) from None
    if not vals or not all(math.isfinite(v) for v in vals):
        raise SimUserError([bad])
    return ParamSpec(path, values=vals)


def spec_from_cli(
    scenario_path: str | Path,
    vary: list[str],
    *,
    design: str = "grid",
    points: int | None = None,
    runs_per_point: int = 1000,
    batch_size: int | None = None,
    seed: int | None = None,
    sweep_id: str | None = None,
) -> SweepSpec:
    """A sweep declared on the command line: ``sim sweep SCENARIO.yaml --vary PATH=LO:HI ...``."""
    sp = Path(scenario_path)
    if not vary:
        raise SimUserError(
            [Problem(str(sp), None, "", "give at least one --vary PATH=LO:HI (or a sweep file)")]
        )
    if design not in DESIGNS:
        raise SimUserError(
            [Problem("--design", None, "", f"unknown design {design!r}; use {', '.join(DESIGNS)}")]
        )
    params = tuple(parse_vary(v) for v in vary)
    return SweepSpec(
        id=sweep_id or f"{sp.stem}-{design}",
        scenario_path=sp,
        params=params,
        design=design,
        points=points,
        runs_per_point=runs_per_point,
        batch_size=batch_size,
        seed=seed,
        source=str(sp),
    )


def with_overrides(spec: SweepSpec, **changes: Any) -> SweepSpec:
    """The spec with the given settings replaced (``None`` values are ignored)."""
    return replace(spec, **{k: v for k, v in changes.items() if v is not None})
