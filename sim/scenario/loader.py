"""Load a scenario file: safe YAML, ``extends:`` variants, validation and cross-references.

:func:`load_scenario` reports every problem of a file at once, as one
:class:`~sim.core.errors.SimUserError` whose problems name file, line, field path and fix.

Variants (see docs/scenario-format.md, and :mod:`sim.scenario.variants` for the merge): a file
with ``extends: base.yaml`` is merged over its base; the base may lie anywhere inside the project
folder (:func:`~sim.scenario.variants.project_folder`) or inside the ``root`` given.
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
from sim.core.yamlio import MDict, MList, format_loc, locate, to_plain
from sim.scenario.crossref import check_references
from sim.scenario.runcheck import run_problems, type_problems
from sim.scenario.schema import Param, Scenario
from sim.scenario.variants import load_merged, merge, merge_note, project_folder


def load_scenario(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> Scenario:
    """Load, merge, validate and cross-check the scenario at ``path``.

    ``root``: folder that ``extends:`` targets must stay in (default: the project folder of
    ``path``, :func:`~sim.scenario.variants.project_folder`). Raises SimUserError listing every
    problem found.
    """
    data, shown = load_data(path, root)
    return validate_data(data, shown)


def load_data(path: str | os.PathLike[str], root: str | os.PathLike[str] | None = None) -> tuple[MDict, str]:
    """The merged raw data of ``path`` (variants resolved, ``extends`` replaced by ``variant_of``)."""
    shown = os.fspath(path)
    try:
        real = Path(path).absolute().resolve()
        top = Path(root).absolute().resolve() if root is not None else project_folder(real.parent)
    except (OSError, ValueError) as err:  # NUL byte, name too long, ...
        raise SimUserError(
            [Problem(repr(shown)[1:-1], None, "", f"not a usable file name ({err})")]
        ) from None
    data = load_merged(real, shown, top, explicit_root=root is not None)
    return data, shown


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
    message += merge_note(data, clean)
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
