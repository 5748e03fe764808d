"""Safe YAML reading: limits on hostile input, line marks, keys as written."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.core.errors import SimUserError
from sim.core.yamlio import MAX_BYTES, MAX_DEPTH, MDict, MList, format_loc, locate, parse_yaml, read_yaml


def problems_of(text: str) -> list[str]:
    with pytest.raises(SimUserError) as info:
        parse_yaml(text, "f.yaml")
    return [str(p) for p in info.value.problems]


def test_reads_mapping_with_line_marks() -> None:
    data = parse_yaml("# c\na: 1\nb:\n  - x: 2\n  - 3\n", "f.yaml")
    assert data == {"a": 1, "b": [{"x": 2}, 3]}
    assert isinstance(data, MDict) and data.key_marks["a"].line == 2 and data.key_marks["b"].line == 3
    items = data["b"]
    assert isinstance(items, MList) and [m.line for m in items.item_marks if m] == [4, 5]
    assert items[0].key_marks["x"].file == "f.yaml"


def test_size_limit(write: Callable[..., Path]) -> None:
    path = write("a: " + "x" * MAX_BYTES + "\n")
    with pytest.raises(SimUserError, match="limit"):
        read_yaml(path)


def test_alias_bomb_refused() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    out = problems_of(bomb)
    assert out == ["f.yaml:1: anchors (`&name`) are not allowed: write the value out"]


def test_alias_refused_even_without_anchor_on_same_line() -> None:
    assert "aliases (`*name`) are not allowed" in problems_of("a: 1\nb: *x\n")[0]


def test_deep_nesting_refused() -> None:
    depth = MAX_DEPTH + 5
    text = "a: " + "[" * depth + "]" * depth + "\n"
    assert f"nesting deeper than {MAX_DEPTH}" in problems_of(text)[0]
    block = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v: 1\n"
    assert f"nesting deeper than {MAX_DEPTH}" in problems_of(block)[0]


def test_very_deep_nesting_no_recursion_error() -> None:
    out = problems_of("a: " + "[" * 100_000)
    assert len(out) == 1 and "f.yaml:1" in out[0]


def test_nesting_at_the_limit_is_fine() -> None:
    depth = MAX_DEPTH - 1  # the top-level mapping is one level
    data = parse_yaml("a: " + "[" * depth + "]" * depth, "f.yaml")
    assert "a" in data


def test_non_utf8(write: Callable[..., Path]) -> None:
    path = write(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(SimUserError) as info:
        read_yaml(path, "s.yaml")
    (p,) = info.value.problems
    assert p.line == 2 and "UTF-8" in p.message and p.file == "s.yaml"


def test_binary_junk(write: Callable[..., Path]) -> None:
    path = write(bytes(range(256)) * 4)
    with pytest.raises(SimUserError):
        read_yaml(path)
    assert "not a YAML text file" in problems_of("a: 1\nb: \x00\x01\x02")[0]


@pytest.mark.parametrize("text", ["- a\n- b\n", "hello\n", "42\n", "---\n"])
def test_top_level_must_be_mapping(text: str) -> None:
    assert "top level must be a mapping" in problems_of(text)[0]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_file(text: str) -> None:
    assert "empty" in problems_of(text)[0]


def test_duplicate_keys_all_reported() -> None:
    out = problems_of("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n")
    assert "f.yaml:4: b.c: duplicate key (first given on line 3); keep one" in out
    assert "f.yaml:5: a: duplicate key (first given on line 1); keep one" in out


@pytest.mark.parametrize(
    "text",
    [
        'a: !!python/object/apply:os.system ["echo hi"]\n',
        "a: !!python/name:os.system\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a: !custom 1\n",
        "!!python/object:object {}\n",
    ],
)
def test_tags_refused(text: str) -> None:
    assert any("tag" in p for p in problems_of(text))


def test_syntax_error_has_line() -> None:
    out = problems_of("a: 1\nb: [1, 2\nc: 3\n")
    assert out[0].startswith("f.yaml:") and "invalid YAML" in out[0]


def test_several_documents_refused() -> None:
    assert "single document" in problems_of("a: 1\n---\nb: 2\n")[0]


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_non_finite_numbers_refused(value: str) -> None:
    assert "not a finite number" in problems_of(f"x: {value}\n")[0]


def test_huge_integer_refused_cleanly() -> None:
    assert "cannot read" in problems_of("x: " + "9" * 5000 + "\n")[0]


def test_non_scalar_keys_refused() -> None:
    assert "keys must be plain" in problems_of("? [1, 2]\n: x\n")[0]


def test_keys_kept_as_written() -> None:
    data = parse_yaml("on: yes\nno: 1\n1: 2\nnull: 3\n", "f.yaml")
    assert data == {"on": True, "no": 1, "1": 2, "null": 3}


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SimUserError, match="does not exist"):
        read_yaml(tmp_path / "nope.yaml")
    with pytest.raises(SimUserError, match="not a file"):
        read_yaml(tmp_path)


def test_format_loc() -> None:
    assert format_loc(("actors", 2, "traits", "resolve")) == "actors[2].traits.resolve"
    assert format_loc(()) == ""
    assert format_loc((0, "a")) == "[0].a"


def test_locate_skips_union_tags_and_finds_lines() -> None:
    data = parse_yaml("relations:\n  - type: veto\n    id: r\n    strength: 3\n", "f.yaml")
    loc, mark = locate(data, ("relations", 0, "veto", "strength"))
    assert loc == ("relations", 0, "strength") and mark is not None and mark.line == 4
    loc, mark = locate(data, ("relations", 0, "veto", "missing_key"))
    assert loc == ("relations", 0, "missing_key") and mark is not None and mark.line == 2
