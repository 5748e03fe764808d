"""The scenario folder: the only files a browser request can reach.

A request names a scenario by its relative name as listed by :func:`list_scenarios` (``a.yaml``,
``sub/b.yaml``). :func:`resolve` accepts a name only if it is in that listing, which holds
regular ``.yaml``/``.yml`` files whose real path (symlinks resolved) lies inside the folder's
real path. Nothing from a request is ever joined to a path unchecked: ``..``, absolute paths,
backslashes, NUL, encoded slashes and symlinks leading out all end in :class:`NotInFolder`.
"""

from __future__ import annotations

import os
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
MAX_FILES = 500
MAX_DEPTH = 3


class NotInFolder(LookupError):
    """The name is not a scenario file of the folder."""


def list_scenarios(root: Path) -> list[str]:
    """Relative names (``/``-separated) of the YAML files under ``root`` that stay inside it.

    Hidden entries are skipped; at most :data:`MAX_DEPTH` folders deep and :data:`MAX_FILES` files.
    """
    real_root = root.resolve()
    names: list[str] = []
    for dirpath, dirnames, filenames in os.walk(real_root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(real_root)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and len(rel_dir.parts) < MAX_DEPTH)
        for name in sorted(filenames):
            if name.startswith(".") or not name.endswith(SUFFIXES):
                continue
            if _inside(real_root, Path(dirpath) / name):
                names.append((rel_dir / name).as_posix())
            if len(names) >= MAX_FILES:
                return names
    return names


def _inside(real_root: Path, path: Path) -> bool:
    """Is ``path`` a regular file whose real location is inside ``real_root``?"""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return real.is_file() and real.is_relative_to(real_root)


def resolve(root: Path, name: object) -> Path:
    """The real path of scenario ``name`` of ``root``; :class:`NotInFolder` unless it is listed."""
    if not isinstance(name, str) or not name or len(name) > 1000:
        raise NotInFolder(str(name)[:100])
    if name not in list_scenarios(root):
        raise NotInFolder(name)
    real_root = root.resolve()
    path = (real_root / name).resolve(strict=True)
    if not (path.is_file() and path.is_relative_to(real_root)):  # listed a moment ago; re-check
        raise NotInFolder(name)
    return path
