"""Safe YAML reading with line marks and limits on hostile input.

:func:`read_yaml` returns plain Python data whose mappings and sequences are :class:`MDict` and
:class:`MList`: they remember, for every key or item, the file and the 1-based line it came from
(so that a validation error at ``('actors', 2, 'traits', 'resolve')`` maps to a line, also after
a variant was merged into its base).

Refused, each with a :class:`~sim.core.errors.Problem` naming file and line:

- files above :data:`MAX_BYTES` (2 MiB), non-UTF-8 bytes, control characters (binary junk);
- anchors and aliases (``&a`` / ``*a``: the "billion laughs" bomb), custom or non-plain tags
  (``!!python/object``, ``!!binary``, ``!!set``...);
- nesting deeper than :data:`MAX_DEPTH` (64) levels, more than :data:`MAX_NODES` nodes;
- duplicate keys, non-scalar keys, non-finite numbers (``.nan``, ``.inf``), several documents,
  an empty file or a top level that is not a mapping.

Keys are kept as written (``on:`` stays the string ``"on"``, never YAML 1.1's ``True``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from sim.core.errors import Problem, SimUserError

MAX_BYTES = 2 * 1024 * 1024
"""Largest accepted file, in bytes (2 MiB)."""

MAX_DEPTH = 64
"""Deepest accepted nesting of mappings and sequences."""

MAX_NODES = 200_000
"""Most YAML nodes (scalars, mappings, sequences) accepted in one file."""

_SCALAR_TAGS = {"tag:yaml.org,2002:" + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass(frozen=True)
class Mark:
    """Where a value came from: ``file`` as shown to the user and a 1-based ``line``."""

    file: str
    line: int


class MDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys came from."""

    def __init__(self, *args: Any, mark: Mark | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}


class MList(list[Any]):
    """A sequence that remembers where it and each of its items came from."""

    def __init__(self, *args: Any, mark: Mark | None = None) -> None:
        super().__init__(*args)
        self.mark = mark
        self.item_marks: list[Mark | None] = [None] * len(self)

    def add(self, item: Any, mark: Mark | None) -> None:
        """Append ``item`` with the place it came from."""
        self.append(item)
        self.item_marks.append(mark)

    def mark_at(self, index: int) -> Mark | None:
        """The place item ``index`` came from, if known."""
        return self.item_marks[index] if 0 <= index < len(self.item_marks) else None


class _YamlLimit(yaml.YAMLError):
    """Raised inside the composer when the input breaks one of the limits."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Guard(Composer):
    """Composer that refuses anchors, aliases, deep nesting and huge node counts."""

    _depth = 0
    _nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            raise _YamlLimit("aliases (`*name`) are not allowed: write the value out", line)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise _YamlLimit("anchors (`&name`) are not allowed: write the value out", line)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _YamlLimit(f"too many values (more than {MAX_NODES}); is this a scenario?", line)
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _YamlLimit(f"nesting deeper than {MAX_DEPTH} levels", line)
        try:
            return super().compose_node(parent, index)
        finally:
            if isinstance(event, CollectionStartEvent):
                self._depth -= 1


class _PyLoader(_Guard, yaml.SafeLoader):
    """Pure-Python safe loader with the guards."""


def _make_loader(text: str) -> Any:
    """A guarded safe loader over ``text``: libyaml's parser when available (10x faster)."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML without libyaml
        return _PyLoader(text)

    class _CLoader(_Guard, CParser, SafeConstructor, Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    return _CLoader(text)


def read_yaml(path: Path, shown: str | None = None) -> MDict:
    """Read one YAML file whose top level is a mapping; raise SimUserError on any problem.

    ``shown`` is the name used in messages (default: ``str(path)``).
    """
    name = shown if shown is not None else str(path)
    text = _read_text(path, name)
    return parse_yaml(text, name)


def _read_text(path: Path, name: str) -> str:
    """Return the file's text, refusing missing, huge, binary or non-UTF-8 files."""
    try:
        if not path.is_file():
            what = "is not a file" if path.exists() else "does not exist"
            raise SimUserError([Problem(name, None, "", f"{what}: give the path of a scenario .yaml file")])
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SimUserError(
                [Problem(name, None, "", f"file is {size} bytes; the limit is {MAX_BYTES} (2 MiB)")]
            )
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise SimUserError(
            [Problem(name, None, "", f"cannot read the file: {err.strerror or err}")]
        ) from None
    if len(data) > MAX_BYTES:
        raise SimUserError(
            [Problem(name, None, "", f"file is larger than the limit of {MAX_BYTES} bytes (2 MiB)")]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SimUserError(
            [Problem(name, line, "", f"not UTF-8 text (byte {err.start}); save the file as UTF-8")]
        ) from None
    return text.removeprefix("\ufeff")


def parse_yaml(text: str, name: str) -> MDict:
    """Parse YAML ``text`` (named ``name`` in messages) into an :class:`MDict`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SimUserError([Problem(name, None, "", f"text is larger than the limit of {MAX_BYTES} bytes")])
    loader = _make_loader(text)
    try:
        node = loader.get_single_node()
    except _YamlLimit as err:
        raise SimUserError([Problem(name, err.line, "", err.message)]) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(x) for x in (err.context, err.problem) if x)
        raise SimUserError([Problem(name, line, "", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as err:  # reader errors: control characters, bad encoding
        line = None
        mark = getattr(err, "position", None)
        if isinstance(mark, int):
            line = text[:mark].count("\n") + 1
        reason = getattr(err, "reason", None) or str(err).splitlines()[0]
        raise SimUserError([Problem(name, line, "", f"not a YAML text file ({reason})")]) from None
    except RecursionError:
        raise SimUserError([Problem(name, None, "", f"nesting deeper than {MAX_DEPTH} levels")]) from None
    finally:
        getattr(loader, "dispose", lambda: None)()
    if node is None:
        raise SimUserError([Problem(name, None, "", "the file is empty: a scenario is a YAML mapping")])
    if not isinstance(node, MappingNode):
        raise SimUserError(
            [
                Problem(
                    name, node.start_mark.line + 1, "", "the top level must be a mapping (`key: value` lines)"
                )
            ]
        )
    problems: list[Problem] = []
    data = _Builder(name, problems).build(node, ())
    if problems:
        raise SimUserError(problems)
    assert isinstance(data, MDict)
    return data


class _Builder:
    """Turns composed nodes into MDict/MList/scalars, collecting problems instead of stopping."""

    def __init__(self, name: str, problems: list[Problem]) -> None:
        self.name = name
        self.problems = problems
        self.constructor = yaml.SafeLoader("")

    def _problem(self, node: Node, where: tuple[Any, ...], message: str) -> None:
        self.problems.append(Problem(self.name, node.start_mark.line + 1, format_loc(where), message))

    def build(self, node: Node, where: tuple[Any, ...]) -> Any:
        mark = Mark(self.name, node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, where, mark)
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ_TAG:
                self._problem(node, where, f"tag {node.tag} is not allowed: write a plain list")
            out = MList(mark=mark)
            for i, item in enumerate(node.value):
                out.add(self.build(item, (*where, i)), Mark(self.name, item.start_mark.line + 1))
            return out
        assert isinstance(node, ScalarNode)
        return self._scalar(node, where)

    def _mapping(self, node: MappingNode, where: tuple[Any, ...], mark: Mark) -> MDict:
        if node.tag != _MAP_TAG:
            self._problem(node, where, f"tag {node.tag} is not allowed: write a plain mapping")
        out = MDict(mark=mark)
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self._problem(
                    key_node, where, "keys must be plain words, not lists, mappings or tagged values"
                )
                continue
            key = str(key_node.value)
            key_mark = Mark(self.name, key_node.start_mark.line + 1)
            if key in out:
                first = out.key_marks[key].line
                self._problem(
                    key_node, (*where, key), f"duplicate key (first given on line {first}); keep one"
                )
                continue
            out[key] = self.build(value_node, (*where, key))
            out.key_marks[key] = key_mark
        return out

    def _scalar(self, node: ScalarNode, where: tuple[Any, ...]) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._problem(node, where, f"tag {node.tag} is not allowed: write a plain value")
            return None
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, TypeError) as err:
            self._problem(node, where, f"cannot read {node.value[:40]!r}: {str(err).splitlines()[0]}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._problem(node, where, f"{node.value} is not a finite number")
            return None
        return value


def format_loc(loc: tuple[Any, ...] | list[Any]) -> str:
    """Format a location tuple as a field path: ``('actors', 2, 'traits')`` -> ``actors[2].traits``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def to_plain(data: Any) -> Any:
    """Deep copy of marked data as plain dicts and lists (what pydantic validates)."""
    if isinstance(data, dict):
        return {k: to_plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_plain(v) for v in data]
    return data


def locate(data: Any, loc: tuple[Any, ...] | list[Any]) -> tuple[tuple[Any, ...], Mark | None]:
    """Follow a pydantic ``loc`` into marked ``data``: the loc as the user wrote it, and its place.

    Returns ``loc`` without pydantic's union tags (``'veto'`` for an item whose ``type`` is
    ``veto``) and ``'[key]'`` markers, and the most precise known :class:`Mark` (the deepest key or
    item found; a missing key maps to its parent's line).
    """
    best: Mark | None = getattr(data, "mark", None)
    cur: Any = data
    found = True
    clean: list[Any] = []
    for part in loc:
        if part == "[key]":
            continue
        if found and isinstance(cur, dict) and part not in cur and cur.get("type") == part:
            continue
        clean.append(part)
        if not found:
            continue
        if isinstance(cur, dict) and isinstance(part, str) and part in cur:
            if isinstance(cur, MDict):
                best = cur.key_marks.get(part, best)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            if isinstance(cur, MList):
                best = cur.mark_at(part) or best
            cur = cur[part]
        else:
            found = False
    return tuple(clean), best
