"""Property: any malformed scenario either loads or raises SimUserError, never anything else."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_helpers import dump, mini_data, mini_text

from sim.core.errors import SimUserError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

BASE = mini_data()
FOLDER = Path(tempfile.mkdtemp(prefix="sim-fuzz-"))
TARGET = FOLDER / "fuzz.yaml"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-2, max_value=2),
    st.text(max_size=20),
    st.sampled_from(["hold", "talk", "red", "blue", "red_gov", "war", "src_a", "election", "mediation"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location in ``node`` (keys of mappings, indices of lists)."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths_of(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths_of(v, (*prefix, i))
    return out


def get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def mutate(data: dict[str, Any], draw: Any) -> None:
    """Apply one random mutation to ``data`` in place."""
    path = draw(st.sampled_from(paths_of(data)[1:]))
    parent, key = get(data, path[:-1]), path[-1]
    kind = draw(st.sampled_from(["delete", "replace", "number", "wrap", "add_key", "dup_item"]))
    if kind == "delete":
        del parent[key]
    elif kind == "replace":
        parent[key] = draw(values)
    elif kind == "number":
        parent[key] = draw(
            st.one_of(st.floats(-1e6, 1e6), st.integers(-(10**6), 10**6), st.sampled_from([0, 1, -1, 1.0001]))
        )
    elif kind == "wrap":
        parent[key] = draw(st.sampled_from([[parent[key]], {"value": parent[key]}, [[parent[key]]]]))
    elif kind == "add_key" and isinstance(parent[key], dict):
        parent[key][draw(st.text(min_size=1, max_size=10))] = draw(values)
    elif kind == "dup_item" and isinstance(parent, list):
        parent.append(parent[key])


def outcome_of(text: str | bytes) -> Scenario | None:
    if isinstance(text, bytes):
        TARGET.write_bytes(text)
    else:
        TARGET.write_text(text, encoding="utf-8")
    try:
        return load_scenario(TARGET)
    except SimUserError as err:
        assert err.problems and all(p.message for p in err.problems)
        return None


FUZZ = settings(max_examples=700, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@FUZZ
@given(st.data())
def test_structural_mutations(data: st.DataObject) -> None:
    doc = mini_data()
    for _ in range(data.draw(st.integers(1, 4))):
        if not paths_of(doc)[1:]:
            break
        mutate(doc, data.draw)
    outcome_of(dump(doc))


@settings(max_examples=350, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    st.integers(0, len(mini_text().encode())),
    st.binary(min_size=1, max_size=40),
    st.integers(0, 40),
)
def test_byte_corruption(pos: int, junk: bytes, cut: int) -> None:
    raw = mini_text().encode()
    outcome_of(raw[:pos] + junk + raw[pos + cut :])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    outcome_of(text)


def test_base_is_valid() -> None:
    assert isinstance(outcome_of(dump(BASE)), Scenario)
