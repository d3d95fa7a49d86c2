"""The parsed-table cache: one DuckDB file per set of source checksums, the only place SQL lives.

A cache file is written under a temporary name in the cache folder and renamed into place only when
complete, so a failed or interrupted build leaves no partial cache. Its name carries a key derived from the
sources' sha256 and the schema version: a changed source or parser gives a new key, never a stale read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from geoshift.errors import DataError

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Provenance:
    """Where one source came from: enough to cite it and to know it is the same file."""

    source: str
    version: str
    licence: str
    sha256: str
    location: str
    note: str = ""


def cache_key(provenance: Sequence[Provenance], options: Mapping[str, Any]) -> str:
    payload = json.dumps(
        {"schema": SCHEMA_VERSION, "sources": sorted((p.source, p.sha256) for p in provenance),
         "options": dict(sorted(options.items()))},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def write_cache(path: Path, tables: Mapping[str, pd.DataFrame], meta: Mapping[str, Any]) -> None:
    """Write ``tables`` and ``meta`` (JSON-able) to a DuckDB file at ``path``, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".build-", suffix=".duckdb", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB wants to create the file itself
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            con.executemany("INSERT INTO meta VALUES (?, ?)",
                            [(k, json.dumps(v)) for k, v in meta.items()])
            for name, frame in tables.items():
                con.register("frame_view", frame)
                con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM frame_view')
                con.unregister("frame_view")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(str(tmp) + ".wal").unlink(missing_ok=True)


@dataclass(frozen=True)
class CacheContents:
    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any]


def read_cache(path: Path, names: Sequence[str]) -> CacheContents:
    """Read named tables and meta from a cache file; a damaged file raises :class:`DataError`."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise DataError(f"cache {path} cannot be opened ({exc}); delete it to rebuild") from exc
    try:
        meta = {k: json.loads(v) for k, v in con.execute("SELECT key, value FROM meta").fetchall()}
        tables = {name: con.execute(f'SELECT * FROM "{name}"').df() for name in names}
    except duckdb.Error as exc:
        raise DataError(f"cache {path} is damaged ({exc}); delete it to rebuild") from exc
    finally:
        con.close()
    if meta.get("schema_version") != SCHEMA_VERSION:
        raise DataError(f"cache {path} has schema {meta.get('schema_version')}, expected {SCHEMA_VERSION}")
    return CacheContents(tables, meta)


def provenance_to_json(provenance: Sequence[Provenance]) -> list[dict[str, str]]:
    return [asdict(p) for p in provenance]


def provenance_from_json(rows: Sequence[Mapping[str, str]]) -> tuple[Provenance, ...]:
    return tuple(Provenance(**row) for row in rows)
