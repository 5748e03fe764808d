"""Per-run rows on disk: ``runs.parquet`` written one row group per batch as batches finish.

Why: holding every run's row in the driver grows its memory with the number of runs (about
0.35 KiB per run for the Iran baseline). :class:`RowWriter` appends each batch to a temporary
file (``.runs.parquet.<random>.tmp``, the name :func:`sim.core.fileio.atomic_path` uses, so a
killed run's file is removed by the next writer of the folder and never read as a result) and
:func:`place` moves the finished file into a results folder with an atomic rename (a copy when
the folder is on another file system). Readers take the file row group by row group or column
by column (:func:`read_head`, :func:`iter_groups`, :func:`read_column`).
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.core.fileio import atomic_path


class RowWriter:
    """Append batches of per-run rows (in run order) to a temporary Parquet file in ``folder``."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        where = Path(folder) if folder is not None else Path(tempfile.gettempdir())
        fd, name = tempfile.mkstemp(dir=where, prefix=".runs.parquet.", suffix=".tmp")
        os.close(fd)
        self.path = Path(name)
        self._writer: pq.ParquetWriter | None = None
        # a file nobody finished (an error) goes with this object
        self._cleanup = weakref.finalize(self, _unlink, self.path)

    def append(self, rows: pd.DataFrame) -> None:
        """Write ``rows`` as the next row group."""
        chunk = pa.Table.from_pandas(rows, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(str(self.path), chunk.schema)
        self._writer.write_table(chunk)

    def close(self) -> RowsFile:
        """Finish the file: a temporary :class:`RowsFile` until :func:`place` moves it."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._cleanup.detach()
        return RowsFile(self.path, temporary=True)


class RowsFile:
    """A finished rows file. A temporary one is removed when no result refers to it any more
    (results dropped unsaved); copies of a RunResults share this object, so it lives as long
    as any of them."""

    def __init__(self, path: Path, temporary: bool = False) -> None:
        self.path = path
        self.temporary = temporary
        self._cleanup = weakref.finalize(self, _unlink, path) if temporary else None

    def __repr__(self) -> str:
        return f"RowsFile({str(self.path)!r}, temporary={self.temporary})"

    def moved_to(self, dest: Path) -> None:
        """The file now lives at ``dest`` (placed in a results folder): never removed by us."""
        if self._cleanup is not None:
            self._cleanup.detach()
            self._cleanup = None
        self.path, self.temporary = dest, False


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def place(rows: RowsFile, dest: Path) -> None:
    """Put the finished rows file at ``dest`` atomically: a temporary file is renamed there (if
    on the same file system; copied otherwise) and the RowsFile follows it; a placed file (a
    loaded or already saved result) is copied, so the first folder stays whole."""
    src = rows.path
    if src.resolve() == dest.resolve():
        return
    if rows.temporary:
        with open(src, "rb+") as f:
            os.fsync(f.fileno())
        try:
            os.replace(src, dest)
        except OSError as err:  # another file system: copy, then drop the temporary file
            if err.errno != errno.EXDEV:
                raise
            with atomic_path(dest) as tmp:
                shutil.copyfile(src, tmp)
            src.unlink(missing_ok=True)
        rows.moved_to(dest)
        return
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)


def read_head(path: Path, rows: int) -> pd.DataFrame:
    """The first ``rows`` rows (whole row groups, then cut), without reading the rest."""
    f = pq.ParquetFile(str(path))
    groups, total = [], 0
    for g in range(f.num_row_groups):
        if total >= rows:
            break
        groups.append(g)
        total += f.metadata.row_group(g).num_rows
    table = f.read_row_groups(groups) if groups else f.schema_arrow.empty_table()
    return table.slice(0, rows).to_pandas()


def iter_groups(path: Path, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The rows of ``path`` one row group (one batch) at a time, only ``columns`` if given."""
    f = pq.ParquetFile(str(path))
    for g in range(f.num_row_groups):
        yield f.read_row_group(g, columns=columns).to_pandas()


def read_column(path: Path, column: str) -> np.ndarray:
    """Every run's value of ``column`` (one column read, not the table)."""
    return pq.read_table(str(path), columns=[column]).column(column).to_numpy()
