"""Variants: ``extends:`` resolved inside the project folder, and the merge over the base.

A file with ``extends: base.yaml`` is merged over its base (docs/scenario-format.md, "Variants").
Mappings merge key by key; lists whose items all carry an ``id`` merge by id (same id: merged
recursively; new id: appended; ``{id: x, remove: true}``: deleted); any other value replaces the
base's. ``extends`` is resolved relative to the real location of the file that names it and must
stay inside the *project folder* (:func:`project_folder`; symlinks are resolved, so a link cannot
lead outside).

Two mistakes of a variant are named as such rather than as what they break:

- an item whose id is not in the base and that lacks required keys is almost always a misspelled
  id: "no such event `x` in the base (did you mean `y`?)", not "required key is missing";
- a mapping that the merge made from keys of both files (:class:`Merged`) and that then fails to
  validate (a condition with two kinds) gets a note saying the merge made it, with both places
  (:func:`merge_note`).
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from sim.core.errors import Problem, SimUserError
from sim.core.yamlio import Mark, MDict, MList, format_loc, read_yaml

MAX_EXTENDS = 16
"""Longest accepted chain of ``extends:`` (a variant of a variant of ...)."""

PROJECT_MARKERS = ("pyproject.toml", ".git")
"""Files or folders that mark a project folder."""

SCENARIOS_FOLDER = "scenarios"
"""Name of the folder that holds the scenarios when no project marker is found."""


def project_folder(start: Path) -> Path:
    """The project folder of a scenario whose real directory is ``start``: the folder that
    holds the scenarios, inside which ``extends:`` may reach any base.

    It is the nearest folder at or above ``start`` that holds ``pyproject.toml`` or ``.git``;
    without one, the nearest folder named ``scenarios``; without one, ``start`` itself. The
    filesystem root and the home folder never count (a dotfiles repository in the home folder
    would open everything in it).
    """
    start = start.resolve()
    chain = [start, *start.parents]
    excluded = {Path(start.anchor), Path.home().resolve()}
    for folder in chain:
        if folder not in excluded and any((folder / m).exists() for m in PROJECT_MARKERS):
            return folder
    for folder in chain:
        if folder not in excluded and folder.name == SCENARIOS_FOLDER:
            return folder
    return start


def load_merged(
    real: Path, shown: str, root: Path, explicit_root: bool, chain: tuple[Path, ...] = ()
) -> MDict:
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
        raise fail(_outside(target, root, explicit_root))
    if base_real == real or base_real in chain:
        names = " -> ".join(p.name for p in (*chain, real, base_real))
        raise fail(f"`extends:` forms a cycle ({names}); a base cannot extend its variant")
    if len(chain) >= MAX_EXTENDS:
        raise fail(f"more than {MAX_EXTENDS} levels of `extends:`")
    if not base_is_file:
        raise fail(f"the base file `{target}` does not exist (looked for {base_shown})")
    base = load_merged(base_real, base_shown, root, explicit_root, (*chain, real))
    problems: list[Problem] = []
    merged = merge(base, data, problems)
    if problems:
        raise SimUserError(problems)
    assert isinstance(merged, MDict)
    merged["variant_of"] = target
    merged.key_marks["variant_of"] = mark
    return merged


def _outside(target: str, root: Path, explicit_root: bool) -> str:
    if explicit_root:
        return f"`{target}` leads outside the scenario folder {root}; bases must lie inside it"
    return (
        f"`{target}` leads outside the project folder {root} (the nearest folder above holding "
        f"{' or '.join(PROJECT_MARKERS)}, else one named `{SCENARIOS_FOLDER}`, else the file's "
        "own folder); bases must lie inside it: copy the base into it"
    )


class Merged(MDict):
    """A mapping the merge made from keys of both the base and the variant."""

    def __init__(self, *, mark: Mark | None, base_mark: Mark | None, kept: list[str]) -> None:
        super().__init__(mark=mark)
        self.base_mark = base_mark
        self.kept = kept
        """The base's keys the variant did not give (they stay, merged with the variant's)."""


def merge(base: Any, over: Any, problems: list[Problem], loc: tuple[Any, ...] = ()) -> Any:
    """``over`` merged into ``base`` (neither is modified); see the module docstring. ``loc``:
    where ``base`` sits in a scenario (to name the kind of a list's items)."""
    if isinstance(base, MDict) and isinstance(over, MDict):
        base = _param_base(base, over)
        kept = [k for k in base if k not in over]
        mixed = bool(kept) and any(k not in base for k in over)
        mark = over.mark or base.mark
        out = Merged(mark=mark, base_mark=base.mark, kept=kept) if mixed else MDict(mark=mark)
        for key, value in base.items():
            out[key] = value
            out.key_marks[key] = base.key_marks[key]
        for key, value in over.items():
            out[key] = merge(base[key], value, problems, (*loc, key)) if key in base else value
            out.key_marks[key] = over.key_marks[key]
        return out
    if isinstance(base, MList) and isinstance(over, MList) and _by_id(base) and _by_id(over):
        return _merge_by_id(base, over, problems, loc)
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


def _merge_by_id(base: MList, over: MList, problems: list[Problem], loc: tuple[Any, ...]) -> MList:
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
            items[k] = merge(items[k], item, problems, (*loc, k))
            marks[k] = mark
            continue
        missing = _missing_keys(item, loc, tagged=all("type" in it for it in base))
        if missing:
            where = (*loc, len(items), "id")
            problems.append(_no_such_item(item["id"], list(position), missing, where, mark))
        position[item["id"]] = len(items)
        items.append(item)
        marks.append(mark)
    for k, (item, mark) in enumerate(zip(items, marks, strict=True)):
        if k not in removed:
            out.add(item, mark)
    return out


def _missing_keys(item: MDict, loc: tuple[Any, ...], tagged: bool) -> list[str]:
    """Required keys of a new list item that it does not give ([] when its model is unknown).
    ``tagged``: the base's items all name their ``type`` (a union such as relations)."""
    from sim.scenario.loader import model_at  # the schema walk lives with validation

    model = model_at((*loc, 0))
    if model is None and isinstance(item.get("type"), str):  # a tagged union (relations)
        model = model_at((*loc, 0, item["type"]))
    if model is None:
        return ["type"] if tagged and "type" not in item else []
    return [name for name, f in model.model_fields.items() if f.is_required() and name not in item]


def _no_such_item(
    item_id: str, known: list[str], missing: list[str], loc: tuple[Any, ...], mark: Mark | None
) -> Problem:
    """A new item (at ``loc``) without its required keys: most likely a misspelled id of the base."""
    key = loc[-3] if len(loc) >= 3 else None  # (..., "events", index, "id")
    kind = key.removesuffix("s").replace("_", " ") if isinstance(key, str) else "item"
    hint = difflib.get_close_matches(item_id, known, n=1, cutoff=0.6)
    if hint:
        said = f" (did you mean `{hint[0]}`?)"
    else:
        said = (
            f" (the base has: {', '.join(f'`{k}`' for k in known[:12])}{', ...' if len(known) > 12 else ''})"
        )
    keys = ", ".join(f"`{k}`" for k in missing)
    message = f"no such {kind} `{item_id}` in the base{said}; to add a new {kind} give its {keys} too"
    return Problem(_f(mark), _l(mark), format_loc(loc), message)


def _f(mark: Any) -> str:
    return str(mark.file) if mark is not None else ""


def _l(mark: Any) -> int | None:
    return int(mark.line) if mark is not None else None


def merge_note(data: Any, loc: tuple[Any, ...]) -> str:
    """A note for a problem at ``loc`` (a location without union tags) when the merge built the
    mapping there from both files, else ""."""
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            return ""
    if not isinstance(node, Merged):
        return ""
    base = f"{node.base_mark.file}:{node.base_mark.line}" if node.base_mark else "the base"
    kept = ", ".join(f"`{k}`" for k in node.kept)
    if len(node.kept) == 1:
        fix = f"to replace the base's mapping instead, also write `{node.kept[0]}: null`"
    else:
        fix = f"to drop any of them, also write it here as null (`{node.kept[0]}: null`)"
    return (
        " — the merge with the base caused this: this variant's mapping was merged key by key into "
        f"the base's ({base}), which adds {kept}; {fix}"
    )
