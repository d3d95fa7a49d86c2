"""Tables out as files: ``--csv DIR``, ``--parquet FILE`` and ``--xlsx FILE`` on the commands that produce results.

- CSV: one file per table, ``DIR/<table>.csv`` (UTF-8, header row, no index).
- XLSX: one sheet per table, named after the table (openpyxl).
- Parquet: ONE long file holding every table, with a ``table`` column naming the table each row belongs to; the
  columns are the union of the tables' columns (null where a table has no such column). Read one table back with
  ``SELECT * FROM 'FILE' WHERE "table" = 'metrics'`` (DuckDB) or ``pd.read_parquet(FILE).query("table == ...")``.
  Written by DuckDB (``COPY ... (FORMAT PARQUET)``); no pyarrow needed.

Paths are checked by :func:`check_export_paths` before any work is done (one-line errors), and every file is written
to a temporary file in its folder first and then renamed over the target, so a failure never leaves a half-written
file behind.
"""

from __future__ import annotations

import numbers
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geoshift.errors import InputError

#: Excel's limit on a sheet name, and the characters it refuses there
SHEET_NAME_MAX = 31
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ExportTargets:
    """Where the tables go; ``None`` = not that format."""

    csv_dir: Path | None = None
    parquet: Path | None = None
    xlsx: Path | None = None

    @property
    def any(self) -> bool:
        return self.csv_dir is not None or self.parquet is not None or self.xlsx is not None


def _check_parent(option: str, path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise InputError(f"{option} {path}: the folder {parent} does not exist; create it or give another path")
    if not parent.is_dir():
        raise InputError(f"{option} {path}: {parent} is a file, not a folder; give another path")


def check_export_paths(targets: ExportTargets) -> None:
    """One-line errors for unusable paths, before anything is computed: a file where a folder is needed, a folder
    where a file is needed, a missing parent folder, a wrong spreadsheet extension."""
    if targets.csv_dir is not None:
        folder = targets.csv_dir
        if folder.exists() and not folder.is_dir():
            raise InputError(f"--csv {folder} is an existing file; give a folder for the CSV files")
        if not folder.exists():
            _check_parent("--csv", folder)
    for option, path in (("--parquet", targets.parquet), ("--xlsx", targets.xlsx)):
        if path is None:
            continue
        if path.is_dir():
            raise InputError(f"{option} {path} is a folder; give a file name, e.g. {path / 'results'}"
                             f"{'.xlsx' if option == '--xlsx' else '.parquet'}")
        _check_parent(option, path)
    if targets.xlsx is not None and targets.xlsx.suffix.lower() != ".xlsx":
        raise InputError(f"--xlsx {targets.xlsx}: the file name must end in .xlsx (Excel refuses other extensions)")


@contextmanager
def _atomic(target: Path, suffix: str) -> Iterator[Path]:
    """A temporary path next to ``target``; renamed over ``target`` when the block succeeds, removed otherwise."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _checked(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    if not tables:
        raise ValueError("write_tables: no tables to write")
    for name in tables:
        if not _TABLE_NAME.match(name) or len(name) > SHEET_NAME_MAX:
            raise ValueError(f"table name {name!r}: use lower-case letters, digits and _ (at most "
                             f"{SHEET_NAME_MAX} characters)")
    return {name: frame.reset_index(drop=True) for name, frame in tables.items()}


def write_csv(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    written = []
    for name, frame in _checked(tables).items():
        target = folder / f"{name}.csv"
        with _atomic(target, ".csv") as temporary:
            frame.to_csv(temporary, index=False, encoding="utf-8")
        written.append(target)
    return written


def write_xlsx(tables: Mapping[str, pd.DataFrame], target: Path) -> Path:
    with _atomic(target, ".xlsx") as temporary, pd.ExcelWriter(temporary, engine="openpyxl") as writer:
        for name, frame in _checked(tables).items():
            frame.to_excel(writer, sheet_name=name, index=False)
    return target


def long_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every table in one frame with a leading ``table`` column; a column whose values mix kinds across tables
    (numbers in one, text in another) is written as text."""
    frames = [frame.assign(table=name) for name, frame in _checked(tables).items()]
    long = pd.concat(frames, ignore_index=True, sort=False)
    long = long[["table", *[c for c in long.columns if c != "table"]]]
    for column in long.columns:
        values = long[column].dropna()
        kinds = {type(v).__name__ if isinstance(v, bool) or not isinstance(v, numbers.Number) else "number"
                 for v in values}
        if len(kinds) > 1:
            long[column] = long[column].map(lambda v: None if pd.isna(v) else str(v))
    return long


def write_parquet(tables: Mapping[str, pd.DataFrame], target: Path) -> Path:
    import duckdb

    frame = long_table(tables)
    with _atomic(target, ".parquet") as temporary:
        connection = duckdb.connect()
        try:
            connection.register("frame", frame)
            quoted = str(temporary).replace("'", "''")
            connection.execute(f"COPY (SELECT * FROM frame) TO '{quoted}' (FORMAT PARQUET)")
        finally:
            connection.close()
    return target


def write_tables(tables: Mapping[str, pd.DataFrame], *, csv_dir: Path | None = None, parquet: Path | None = None,
                 xlsx: Path | None = None) -> list[Path]:
    """Write ``tables`` (name -> labelled DataFrame) in every format asked for; returns the files written."""
    targets = ExportTargets(csv_dir, parquet, xlsx)
    check_export_paths(targets)
    written: list[Path] = []
    if csv_dir is not None:
        written += write_csv(tables, csv_dir)
    if parquet is not None:
        written.append(write_parquet(tables, parquet))
    if xlsx is not None:
        written.append(write_xlsx(tables, xlsx))
    return written


def export(targets: ExportTargets, tables: Callable[[], Mapping[str, pd.DataFrame]]) -> list[Path]:
    """Build the tables only when some format is asked for, then write them."""
    if not targets.any:
        return []
    return write_tables(tables(), csv_dir=targets.csv_dir, parquet=targets.parquet, xlsx=targets.xlsx)
