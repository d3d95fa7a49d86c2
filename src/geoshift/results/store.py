"""The results store: every run recorded in a DuckDB database (scenario hash, spec, provenance, diagnostics, and
metrics as tidy rows). A run is written in one transaction: an interrupted write leaves no partial record."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import platformdirs

from geoshift.errors import DataError, GeoshiftError
from geoshift.results.records import METRIC_COLUMNS, RUN_KINDS, RunRecord

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR, parent VARCHAR,
    scenario_hash VARCHAR NOT NULL, data_key VARCHAR NOT NULL, created VARCHAR NOT NULL,
    spec_yaml VARCHAR NOT NULL, diagnostics VARCHAR NOT NULL, provenance VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id VARCHAR NOT NULL, metric VARCHAR NOT NULL, country VARCHAR, partner VARCHAR, sector VARCHAR,
    value DOUBLE, unit VARCHAR
);
ALTER TABLE runs ADD COLUMN IF NOT EXISTS kind VARCHAR DEFAULT 'scenario';
ALTER TABLE runs ADD COLUMN IF NOT EXISTS code_key VARCHAR DEFAULT '';
"""
# stores written before runs had a kind named game and bargaining runs "game:NAME" and "bargain:NAME"
MIGRATE_KIND = """
UPDATE runs SET kind = split_part(name, ':', 1), name = substr(name, strpos(name, ':') + 1)
WHERE kind = 'scenario' AND (name LIKE 'game:%' OR name LIKE 'bargain:%');
"""


#: database files whose tables this process has created or migrated (path, inode), and the lock that makes it once
_SCHEMA_READY: set[tuple[str, int]] = set()
_SCHEMA_LOCK = threading.Lock()
_WRITE_LOCK = threading.Lock()

RUN_COLUMNS = ("run_id, name, description, parent, scenario_hash, data_key, created, spec_yaml, diagnostics, "
               "provenance, kind, code_key")


class RunNotFoundError(GeoshiftError, ValueError):
    """No stored run matches the given id or scenario name."""


def default_store_path() -> Path:
    env = os.environ.get("GEOSHIFT_STORE")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir("geoshift")) / "runs.duckdb"


class RunStore:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        memory = not write and not self.path.exists()
        if memory:
            con = duckdb.connect(":memory:")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                raise DataError(f"results store {self.path} cannot be opened ({exc}); "
                                f"pass --store for another") from exc
        try:
            if memory:  # a read of a store not yet written: an empty database of its own
                con.execute(SCHEMA)
            else:
                self._ensure_schema(con)
            yield con
        finally:
            con.close()

    def _ensure_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create (or migrate) the tables once per database file and process: threads of one process share the
        database, and two of them running the DDL at once conflict (a server's job thread writing a run while a
        request reads)."""
        key = (str(self.path.resolve()), self.path.stat().st_ino)
        if key in _SCHEMA_READY:
            return
        with _SCHEMA_LOCK:
            if key not in _SCHEMA_READY:
                con.execute(SCHEMA)
                con.execute(MIGRATE_KIND)
                _SCHEMA_READY.add(key)

    def save(self, record: RunRecord) -> None:
        metrics = record.metrics.loc[:, list(METRIC_COLUMNS)].assign(run_id=record.run_id)
        # one writer at a time in a process: DuckDB's scan of a registered pandas frame is not safe when threads
        # register frames on their connections at once ("Table Function pandas_scan does not exist")
        with _WRITE_LOCK, self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    f"INSERT INTO runs ({RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [record.run_id, record.name, record.description, record.parent, record.scenario_hash,
                     record.data_key, record.created, record.spec_yaml, json.dumps(record.diagnostics),
                     json.dumps(record.provenance), record.kind, record.code_key])
                con.register("metrics_frame", metrics)
                con.execute("INSERT INTO metrics SELECT run_id, metric, country, partner, sector, value, unit "
                            "FROM metrics_frame")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def _records(self, where: str, params: list[object]) -> list[RunRecord]:
        with self._connect(write=False) as con:
            runs = con.execute(f"SELECT {RUN_COLUMNS} FROM runs {where} ORDER BY created DESC, run_id",
                               params).fetchall()
            if not runs:
                return []
            metrics = con.execute("SELECT * FROM metrics WHERE run_id IN (SELECT unnest(?))",
                                  [[row[0] for row in runs]]).df()
        out = []
        for (run_id, name, description, parent, scenario_hash, data_key, created, spec_yaml, diag, prov, kind,
             code) in runs:
            rows = metrics[metrics["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
            legacy_kind, _, legacy_name = str(name).partition(":")  # a store never opened for writing since
            if kind == "scenario" and legacy_name and legacy_kind in ("game", "bargain"):
                kind, name = legacy_kind, legacy_name
            out.append(RunRecord(
                run_id=str(run_id), name=str(name), description=str(description or ""), spec_yaml=str(spec_yaml),
                scenario_hash=str(scenario_hash), created=str(created), metrics=rows,
                diagnostics=json.loads(diag), provenance=json.loads(prov),
                parent=str(parent) if parent is not None else None, data_key=str(data_key),
                kind=str(kind or "scenario"), code_key=str(code or "")))
        return out

    def find(self, scenario_hash: str, data_key: str, code_key: str, kind: str = "scenario") -> RunRecord | None:
        """The latest run of this spec on this World by this code, to reuse (None: solve it)."""
        found = self._records("WHERE scenario_hash = ? AND data_key = ? AND code_key = ? AND kind = ?",
                              [scenario_hash, data_key, code_key, kind])
        return found[0] if found else None

    def get(self, key: str) -> RunRecord:
        """A run by id (or unique id prefix), or the latest run of a name (``KIND:NAME`` picks a kind, e.g.
        ``game:detente``)."""
        kind, _, name = key.partition(":")
        if name and kind in RUN_KINDS:
            by_kind = [r for r in self._records("WHERE name = ?", [name]) if r.kind == kind]
            if by_kind:
                return by_kind[0]
        found = self._records("WHERE run_id LIKE ? || '%'", [key])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise RunNotFoundError(f"run id prefix {key!r} is ambiguous: {', '.join(r.run_id for r in found[:5])}")
        by_name = self._records("WHERE name = ?", [key])
        if by_name:
            return by_name[0]
        known = ", ".join(sorted({r.name for r in self.list()})) or "none yet"
        raise RunNotFoundError(f"no stored run with id or scenario name {key!r} in {self.path}; stored: {known}")

    def list(self) -> list[RunRecord]:
        return self._records("", [])

    def summary(self) -> pd.DataFrame:
        with self._connect(write=False) as con:
            frame: pd.DataFrame = con.execute(
                "SELECT run_id, name, created, scenario_hash, diagnostics FROM runs ORDER BY created DESC").df()
        return frame
