"""Results folders that cannot be lost or mixed: an OS lock, a marker, one run id per result.

Every folder that ``sim run``, ``sim compare`` or ``sim sweep`` writes holds two small files:

``.sim-lock``
    locked with ``fcntl.flock(LOCK_EX)`` for the whole write (computation included). A second
    writer is refused at once with a clear message; the kernel releases the lock when the
    holder exits or is killed, so a crash never leaves a folder locked.
``.sim-result.json``
    the marker: ``{"tool": "sim", "kind": "run" | "sweep" | "compare", "run_id": ...,
    "complete": bool, "files": {name: sha256}}``. It is rewritten with ``complete: false``
    before the first result file is replaced and with the hashes of every file written once
    the write is over. A reader (:func:`verify`) accepts a folder only if the marker is
    complete and every listed file still has its hash, so files of two writes can never be
    read together as one result. The marker is also what allows ``--fresh --discard-old`` to
    delete a folder: only a marked folder, and only the files the tool wrote.

Writers use :func:`writing` (reentrant within one process: ``RunResults.save`` inside
``sim run`` joins the writer of the command) and :func:`record` for each file written.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.core.errors import Problem, SimUserError
from sim.core.fileio import atomic_write_bytes

LOCK_NAME = ".sim-lock"
MARKER_NAME = ".sim-result.json"
TEMP_RE = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")
"""Temporary files of :func:`sim.core.fileio.atomic_path` (``.<name>.<random>.tmp``)."""

_HELD: dict[Path, Writer] = {}


def _key(root: Path) -> Path:
    return root.absolute().resolve()


def _problem(root: Path, message: str, field_name: str = "") -> SimUserError:
    return SimUserError([Problem(str(root), None, field_name, message)])


def check_writable(root: str | os.PathLike[str], option: str = "--out") -> Path:
    """Create ``root`` if needed and prove a file can be written in it, before any computation."""
    out = Path(root)
    if out.exists() and not out.is_dir():
        raise _problem(out, "exists and is not a folder; choose another", option)
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".sim-probe-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
        probe.write_bytes(b"")
        probe.unlink(missing_ok=True)
    except OSError as err:
        raise _problem(
            out,
            f"cannot write in the results folder ({err.strerror or err}); "
            "choose another or fix its permissions",
            option,
        ) from None
    return out


def read_marker(root: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The marker of ``root`` as a dict, or None if absent or unreadable."""
    try:
        data = json.loads((Path(root) / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != "sim":
        return None
    return data


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Writer:
    """The holder of a folder's lock during one write. See the module docstring."""

    root: Path
    kind: str
    run_id: str
    fd: int
    files: dict[str, str | None] = field(default_factory=dict)
    started: bool = False
    depth: int = 1
    keep: dict[str, str] = field(default_factory=dict)
    update: bool = False

    def begin(self) -> None:
        """Mark the folder incomplete (before the first result file is replaced). When updating a
        complete result, it stays complete without the files about to be rewritten."""
        if self.update:
            kept = {k: v for k, v in self.keep.items() if k not in self.files}
            self._write_marker(complete=True, files=kept)
            return
        if self.started:
            return
        self.started = True
        self._write_marker(complete=False)

    def record(self, *names: str) -> None:
        """Files (relative to the root) written by this write; hashed at commit. When updating,
        call it before rewriting the file."""
        for name in names:
            self.files[name] = None
        self.begin()

    def commit(self) -> None:
        files = dict(self.keep)
        for name in self.files:
            path = self.root / name
            if path.is_file():
                files[name] = sha256_file(path)
        self._write_marker(complete=True, files=files)

    def _write_marker(self, complete: bool, files: dict[str, str] | None = None) -> None:
        data = {
            "tool": "sim",
            "kind": self.kind,
            "run_id": self.run_id,
            "complete": complete,
            "files": files or {},
        }
        atomic_write_bytes(self.root / MARKER_NAME, json.dumps(data, indent=1, sort_keys=True).encode())


def _lock(root: Path) -> int:
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise _problem(
            root, f"cannot create the lock file {LOCK_NAME} ({err.strerror or err}); choose another --out"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        holder = ""
        with suppress(OSError):
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip()
        os.close(fd)
        if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            who = f" (process {holder})" if holder else ""
            raise _problem(
                root,
                f"another sim process{who} is writing to this folder; wait for it to finish "
                "or choose another --out",
            ) from None
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def clean_temporaries(root: Path) -> list[str]:
    """Remove temporary files left by a killed write (call with the lock held)."""
    removed = []
    for f in root.iterdir() if root.is_dir() else ():
        if f.is_file() and (TEMP_RE.match(f.name) or _dead_probe(f.name)):
            f.unlink(missing_ok=True)
            removed.append(f.name)
    return removed


PROBE_RE = re.compile(r"^\.sim-probe-(\d+)-[0-9a-f]+\.tmp$")


def _dead_probe(name: str) -> bool:
    """A probe of :func:`check_writable` whose process is gone (a live one is left alone)."""
    m = PROBE_RE.match(name)
    if not m:
        return False
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):
        return False
    return False


@contextmanager
def writing(
    root: str | os.PathLike[str], kind: str, *, run_id: str | None = None, update: bool = False
) -> Iterator[Writer]:
    """Hold ``root``'s lock while the body writes a result of ``kind``; commit on success.

    Reentrant in one process (a nested call returns the outer writer). ``update``: keep the
    run id and file hashes of the complete result already there (to add or replace one file,
    e.g. the report rebuilt by ``sim report``). On an exception the marker stays incomplete,
    so the half-written folder is never read as valid.
    """
    out = check_writable(root)
    key = _key(out)
    held = _HELD.get(key)
    if held is not None:
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return
    fd = _lock(out)
    writer = Writer(out, kind, run_id or uuid.uuid4().hex, fd)
    if update:
        old = read_marker(out)
        if old and old.get("complete") and old.get("kind") == kind:
            writer.update = True
            writer.run_id = str(old.get("run_id"))
            writer.keep = {str(k): str(v) for k, v in dict(old.get("files") or {}).items()}
    _HELD[key] = writer
    try:
        clean_temporaries(out)
        yield writer
        writer.commit()
    finally:
        _HELD.pop(key, None)
        os.close(fd)


def verify(
    root: str | os.PathLike[str], kind: str, required: tuple[str, ...] = (), rerun: str = ""
) -> dict[str, Any]:
    """Check that ``root`` holds one complete result of ``kind``; return its marker.

    Raises SimUserError naming the problem: no marker (not written by this version of sim),
    an interrupted write, a file missing from the record, or a file that changed since.
    """
    d = Path(root)
    fix = f"; {rerun}" if rerun else ""
    marker = read_marker(d)
    if marker is None:
        raise _problem(
            d,
            f"no {MARKER_NAME}: not a complete result written by this version of sim "
            f"(or written by hand){fix}",
        )
    if marker.get("kind") != kind:
        raise _problem(d, f"holds a `{marker.get('kind')}` result, not a `{kind}` result")
    if not marker.get("complete"):
        raise _problem(d, f"the write of this result did not finish (interrupted, or still running){fix}")
    files = marker.get("files") or {}
    for name in required:
        if name not in files:
            raise _problem(d / name, f"not part of the result recorded in {MARKER_NAME}{fix}")
    for name, digest in files.items():
        path = d / str(name)
        if not path.is_file():
            if name in required:
                raise _problem(path, f"missing{fix}")
            continue
        if sha256_file(path) != digest:
            raise _problem(
                path,
                f"changed after the result was written (does not belong to run {marker.get('run_id')}): "
                f"files of different runs are mixed{fix}",
            )
    return marker


def listed(root: str | os.PathLike[str]) -> set[str]:
    """Names of the files of the complete result in ``root`` (empty if none)."""
    marker = read_marker(root)
    if not marker or not marker.get("complete"):
        return set()
    return {str(k) for k in (marker.get("files") or {})}
