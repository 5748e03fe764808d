"""Load a scenario file: safe YAML, ``extends:`` variants, validation and cross-references.

:func:`load_scenario` reports every problem of a file at once, as one
:class:`~sim.core.errors.SimUserError` whose problems name file, line, field path and fix.

Variants (see docs/scenario-format.md): a file with ``extends: base.yaml`` is merged over its base.
Mappings merge key by key; lists whose items all carry an ``id`` merge by id (same id: merged
recursively; new id: appended; ``{id: x, remove: true}``: deleted); any other value replaces the
base's. ``extends`` is resolved relative to the real location of the file that names it and must
stay inside the *root*: the real directory of the top-level file being loaded (symlinks are
resolved, so a link cannot lead outside).
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.core.errors import Problem, SimUserError
from sim.core.yamlio import MDict, MList, format_loc, locate, read_yaml, to_plain
from sim.scenario.crossref import check_references
from sim.scenario.runcheck import run_problems, type_problems
from sim.scenario.schema import Param, Scenario

MAX_EXTENDS = 16
"""Longest accepted chain of ``extends:`` (a variant of a variant of ...)."""


def load_scenario(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Scenario:
    """Load, merge, validate and cross-check the scenario at ``path``.

    ``root``: folder that ``extends:`` targets must stay in (default: the real directory of
    ``path``). Raises SimUserError listing every problem found.
    """
    data, shown = load_data(path, root)
    return validate_data(data, shown)


def load_data(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> tuple[MDict, str]:
    """The merged raw data of ``path`` (variants resolved, ``extends`` replaced by ``variant_of``)."""
    shown = os.fspath(path)
    try:
        real = Path(path).absolute().resolve()
        top = Path(root).absolute().resolve() if root is not None else real.parent
    except (OSError, ValueError) as err:  # NUL byte, name too long, ...
        raise SimUserError(
            [Problem(repr(shown)[1:-1], None, "", f"not a usable file name ({err})")]
        ) from None
    data = _load_merged(real, shown, top, ())
    return data, shown


def _load_merged(real: Path, shown: str, root: Path, chain: tuple[Path, ...]) -> MDict:
    """Read ``real`` and, if it extends a base, merge it over the (recursively loaded) base."""
    data = read_yaml(real, shown)
    if "variant_of" in data:
        line = data.key_marks["variant_of"].line
        raise SimUserError(
            [Problem(shown, line, "variant_of", "set by the loader: use `extends: base.yaml`")]
        )
    if "extends" not in data:
        return data
    target = data.pop("extends")
    mark = data.key_marks.pop("extends")

    def fail(message: str) -> SimUserError:
        return SimUserError([Problem(shown, mark.line, "extends", message)])

    if not isinstance(target, str) or not target.strip():
        raise fail("give the base scenario's file name, e.g. `extends: base.yaml`")
    try:
        base_real = (real.parent / target).resolve()
        base_is_file = base_real.is_file()
    except (OSError, ValueError) as err:  # NUL byte, name too long, ...
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise fail(
            f"{target!r} is not a usable file name ({reason}); name the base file, e.g. base.yaml"
        ) from None
    base_shown = os.path.normpath(os.path.join(os.path.dirname(shown), target))
    if not base_real.is_relative_to(root):
        raise fail(f"`{target}` leads outside the scenario folder {root}; keep bases next to their variants")
    if base_real == real or base_real in chain:
        names = " -> ".join(p.name for p in (*chain, real, base_real))
        raise fail(f"`extends:` forms a cycle ({names}); a base cannot extend its variant")
    if len(chain) >= MAX_EXTENDS:
        raise fail(f"more than {MAX_EXTENDS} levels of `extends:`")
    if not base_is_file:
        raise fail(f"the base file `{target}` does not exist (looked for {base_shown})")
    base = _load_merged(base_real, base_shown, root, (*chain, real))
    problems: list[Problem] = []
    merged = merge(base, data, problems)
    if problems:
        raise SimUserError(problems)
    assert isinstance(merged, MDict)
    merged["variant_of"] = target
    merged.key_marks["variant_of"] = mark
    return merged


def merge(base: Any, over: Any, problems: list[Problem]) -> Any:
    """``over`` merged into ``base`` (neither is modified); see the module docstring."""
    if isinstance(base, MDict) and isinstance(over, MDict):
        base = _param_base(base, over)
        out = MDict(mark=over.mark or base.mark)
        for key, value in base.items():
            out[key] = value
            out.key_marks[key] = base.key_marks[key]
        for key, value in over.items():
            out[key] = merge(base[key], value, problems) if key in base else value
            out.key_marks[key] = over.key_marks[key]
        return out
    if isinstance(base, MList) and isinstance(over, MList) and _by_id(base) and _by_id(over):
        return _merge_by_id(base, over, problems)
    return over


_DIST_KEYS = frozenset({"dist", "value", "low", "high", "mean", "sd", "a", "b", "mode"})
_PROVENANCE_KEYS = frozenset({"quote", "source", "assumption", "calibrated"})


def _param_base(base: MDict, over: MDict) -> MDict:
    """A Param overridden by a variant that gives its own distribution (``value`` or ``dist``)
    replaces the base's distribution, and its provenance if it gives one: no explicit nulls."""
    keys = set(base) | set(over)
    if not base.keys() & _DIST_KEYS or not keys <= _DIST_KEYS | _PROVENANCE_KEYS:
        return base
    if not over.keys() & {"dist", "value"}:
        return base
    drop = _DIST_KEYS | (_PROVENANCE_KEYS if over.keys() & _PROVENANCE_KEYS else frozenset())
    kept = MDict(mark=base.mark)
    for key, value in base.items():
        if key not in drop:
            kept[key] = value
            kept.key_marks[key] = base.key_marks[key]
    return kept


def _by_id(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(it, dict) and isinstance(it.get("id"), str) for it in items)


def _merge_by_id(base: MList, over: MList, problems: list[Problem]) -> MList:
    out = MList(mark=over.mark or base.mark)
    position = {it["id"]: i for i, it in enumerate(base)}
    items: list[Any] = list(base)
    marks = list(base.item_marks)
    removed: set[int] = set()
    for j, item in enumerate(over):
        mark = over.mark_at(j)
        if "remove" in item:
            if item["remove"] is not True or set(item) != {"id", "remove"}:
                problems.append(
                    Problem(_f(mark), _l(mark), "remove", "to delete an item write `{id: x, remove: true}`")
                )
            elif item["id"] not in position:
                problems.append(
                    Problem(_f(mark), _l(mark), "remove", f"no item `{item['id']}` in the base to remove")
                )
            else:
                removed.add(position[item["id"]])
            continue
        if item["id"] in position:
            k = position[item["id"]]
            items[k] = merge(items[k], item, problems)
            marks[k] = mark
        else:
            position[item["id"]] = len(items)
            items.append(item)
            marks.append(mark)
    for k, (item, mark) in enumerate(zip(items, marks, strict=True)):
        if k not in removed:
            out.add(item, mark)
    return out


def _f(mark: Any) -> str:
    return str(mark.file) if mark is not None else ""


def _l(mark: Any) -> int | None:
    return int(mark.line) if mark is not None else None


def validate_data(data: MDict, shown: str) -> Scenario:
    """Validate merged data with pydantic and the cross-reference checks; report all problems."""
    problems: list[Problem] = []
    scenario: Scenario | None = None
    plain = to_plain(data)
    typed = type_problems(plain)  # booleans are not numbers (runcheck)
    for loc, message in typed:
        problems.append(_problem(data, shown, loc, message))
    try:
        scenario = Scenario.model_validate(plain)
    except ValidationError as err:
        for e in err.errors(include_url=False):
            problems.append(_problem(data, shown, tuple(e["loc"]), _message(e)))
    for loc, message in check_references(data):
        problems.append(_problem(data, shown, loc, message))
    if scenario is not None and not problems:
        for loc, message in run_problems(scenario):  # what the run would reject (runcheck)
            problems.append(_problem(data, shown, loc, message))
    if problems:
        ordered = sorted(_dedupe(problems), key=lambda p: (p.file != shown, p.file, p.line or 0))
        raise SimUserError(ordered)
    assert scenario is not None
    return scenario


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def _problem(data: MDict, shown: str, loc: tuple[Any, ...], message: str) -> Problem:
    clean, mark = locate(data, loc)
    if mark is None:
        return Problem(shown, None, format_loc(clean), message)
    return Problem(mark.file, mark.line, format_loc(clean), message)


def _message(e: Any) -> str:
    """A user-facing message for one pydantic error dict."""
    kind, loc, msg = e["type"], tuple(e["loc"]), str(e["msg"])
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = allowed_keys(loc[:-1])
        family = getattr(model_at(loc[:-1]), "kind_family", None)
        what = f"unknown {family} kind" if family else "unknown key"
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        if hint:
            return f"{what} `{key}`; did you mean `{hint[0]}`?"
        return f"{what} `{key}`" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if kind == "missing":
        return "required key is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if model_at(loc) is Param:
            return (
                'a number here needs provenance: write `{value: 0.5, assumption: "why"}` '
                'or `{value: 0.5, quote: "...", source: id}`'
            )
        return f"expected a mapping of `key: value` lines, got {_shown(e.get('input'))}"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "assertion_error":
        return msg.removeprefix("Assertion failed, ")
    got = e.get("input")
    if isinstance(got, dict | list) or got is None:
        return msg
    return f"{msg}; got {_shown(got)}"


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unwrap(ann: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` from a type annotation."""
    while True:
        origin = get_origin(ann)
        if origin is typing.Annotated:
            ann = get_args(ann)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in get_args(ann) if a is not type(None)]
            if len(members) != 1:
                return ann
            ann = members[0]
        else:
            return ann


def model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class found at ``loc`` when walking down from :class:`Scenario`."""
    ann: Any = Scenario
    for part in loc:
        ann = _unwrap(ann)
        origin = get_origin(ann)
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            if not isinstance(part, str) or part not in ann.model_fields:
                return None
            ann = ann.model_fields[part].annotation
        elif origin is list:
            ann = get_args(ann)[0]
        elif origin is dict:
            ann = get_args(ann)[1]
        elif origin in (typing.Union, types.UnionType):
            ann = _tagged_member(get_args(ann), part)
            if ann is None:
                return None
        else:
            return None
    ann = _unwrap(ann)
    return ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None


def _tagged_member(members: tuple[Any, ...], tag: Any) -> Any:
    for member in members:
        is_model = isinstance(member, type) and issubclass(member, BaseModel)
        is_model = is_model and "type" in member.model_fields
        if is_model and tag in get_args(member.model_fields["type"].annotation):
            return member
    return None


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The field names of the model at ``loc`` (empty if unknown)."""
    model = model_at(loc)
    return list(model.model_fields) if model is not None else []


def summary(scenario: Scenario) -> str:
    """``N actors, M actions, ...``: one line describing a loaded scenario."""
    parts = [
        (len(scenario.actors), "actor"),
        (len(scenario.actions), "action"),
        (len(scenario.relations), "relation"),
        (len(scenario.events), "event"),
        (len(scenario.levers), "lever"),
        (len(scenario.outcomes), "outcome"),
    ]
    return ", ".join(f"{n} {name}{'' if n == 1 else 's'}" for n, name in parts)


__all__ = [
    "MList",
    "allowed_keys",
    "load_data",
    "load_scenario",
    "merge",
    "model_at",
    "summary",
    "validate_data",
]
