"""#15 fuzzing at scale: at least 10,000 generated bad scenarios per run, zero tracebacks.

In-process (loader API, no YAML round trip) for the bulk: ``BULK`` random mutations of the
fixture's data are validated with :func:`sim.scenario.loader.validate_data`; each must either
raise SimUserError whose every problem has a message, or load a scenario that also compiles
(what ``sim run`` would do) and, for a sample, runs a small batch. A smaller ``CLI_FILES`` batch of
bad files goes through ``sim validate`` in one process: exit 2, one ``file[:line]: ...`` line per
problem, no traceback. With the hypothesis tests of test_scenario_fuzz.py (1,200 examples) this
makes > 10,000 bad inputs per CI run. The counts are printed (``-s``) and asserted.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from scenario_helpers import dump, mini_data

from sim.core.errors import SimUserError
from sim.engine.runner import run_batch
from sim.model.compiled import compile_scenario
from sim.scenario.loader import validate_data
from sim.scenario.paths import resolve_static_levers

BULK = 9_000
CLI_FILES = 300
RUN_SAMPLE = 25
SEED = 15

IDS = [
    "hold",
    "talk",
    "strike",
    "north",
    "south",
    "leader",
    "guards",
    "war",
    "change",
    "max_pressure",
    "nosuch",
]
TEXTS = ["", " ", "[/]", "[/b]", "[red]x", "a\0b", "<script>", "x" * 3000, "yes", "no", "on", "1e999", "NaN"]


def _scalar(rng: random.Random) -> Any:
    kind = rng.randrange(12)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, 1, -1, 2, 10**30, -(10**30), 2**63, 2**64, 366, 367, 100_001])
    if kind == 3:
        return rng.choice([0.0, 1.0, -0.0001, 1.0001, 1e308, -1e308, float("nan"), float("inf"), 0.5, 2.0])
    if kind == 4:
        return rng.uniform(-1e6, 1e6)
    if kind == 5:
        return rng.choice(TEXTS)
    if kind == 6:
        return rng.choice(IDS)
    if kind == 7:
        return rng.choice([dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2020, 1, 5), dt.date(1900, 1, 1)])
    if kind == 8:
        return rng.choice(["2020-01-01", "9999-12-31", "2020-13-01"])
    if kind == 9:
        return rng.uniform(-2, 2)
    if kind == 10:
        return [_scalar(rng) for _ in range(rng.randrange(3))]
    return {rng.choice(["value", "dist", "low", "high", "id", "x", "assumption"]): _scalar(rng)}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


def _mutate(doc: dict[str, Any], rng: random.Random, paths: list[tuple[Any, ...]]) -> None:
    path = rng.choice(paths)
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    key = path[-1]
    kind = rng.randrange(8)
    if kind == 0:
        del parent[key]
    elif kind in (1, 2):
        parent[key] = _scalar(rng)
    elif kind == 3:
        parent[key] = rng.choice([[parent[key]], {"value": parent[key]}])
    elif kind == 4 and isinstance(parent[key], dict):
        parent[key][rng.choice(["extra", "valeu", "dist", "remove", "on", "id"])] = _scalar(rng)
    elif kind == 5 and isinstance(parent, list):
        parent.append(_copy(parent[key]))  # duplicate item (duplicate id)
    elif kind == 6 and isinstance(parent[key], bool | int | float):
        parent[key] = rng.choice([True, False, "yes", str(parent[key])])  # booleans / strings for numbers
    else:
        parent[key] = rng.choice(IDS)  # a reference to something else


def test_ten_thousand_bad_scenarios_in_process() -> None:
    rng = random.Random(SEED)
    base = mini_data()
    tried = rejected = loaded = ran = 0
    for i in range(BULK):
        doc = _copy(base)
        for _ in range(1 + rng.randrange(3)):
            paths = _paths(doc)[1:]
            if not paths:
                break
            _mutate(doc, rng, paths)
        tried += 1
        try:
            scenario = validate_data(doc, f"fuzz{i}.yaml")  # type: ignore[arg-type]
        except SimUserError as err:
            assert err.problems and all(p.message for p in err.problems), doc
            rejected += 1
            continue
        loaded += 1
        compile_scenario(resolve_static_levers(scenario))  # what sim run does first: never raises
        if ran < RUN_SAMPLE:
            run_batch(scenario, seed=1, batch_index=0, size=2, batch_size=2)
            ran += 1
    print(f"\nbulk fuzz: {tried} generated, {rejected} rejected with problems, {loaded} valid; 0 tracebacks")
    assert tried == BULK and rejected + loaded == tried and rejected > 0.8 * tried


def test_bad_files_through_the_cli(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    base = mini_data()
    files = []
    for i in range(CLI_FILES):
        doc = _copy(base)
        for _ in range(1 + rng.randrange(2)):
            _mutate(doc, rng, _paths(doc)[1:])
        path = tmp_path / f"f{i:03d}.yaml"
        try:
            path.write_text(dump(doc), encoding="utf-8")
        except (ValueError, UnicodeEncodeError):
            path.write_bytes(b"scenario: [unclosed\n")
        files.append(str(path))
    sim = str(Path(sys.executable).with_name("sim"))
    done = subprocess.run([sim, "validate", *files], capture_output=True, text=True, timeout=600)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    bad = [line for line in done.stdout.splitlines() if line.startswith("bad ")]
    problems = [line for line in done.stderr.splitlines() if line.startswith("  ")]
    assert all(p.strip().startswith(str(tmp_path)) for p in problems)
    with_line = [p for p in problems if ".yaml:" in p]
    print(
        f"\ncli fuzz: {len(files)} files, {len(bad)} rejected, {len(problems)} problems, "
        f"{len(with_line)} with file:line"
    )
    assert len(bad) > 0.8 * len(files) and len(with_line) > 0.9 * len(problems)
