"""The results store: every run recorded in a DuckDB database (scenario hash, spec, provenance, diagnostics, and
metrics as tidy rows). A run is written in one transaction: an interrupted write leaves no partial record."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import platformdirs

from geoshift.errors import DataError, GeoshiftError
from geoshift.results.records import METRIC_COLUMNS, RunRecord

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
"""


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
        if not write and not self.path.exists():
            con = duckdb.connect(":memory:")
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                con = duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                raise DataError(f"results store {self.path} cannot be opened ({exc}); "
                                f"pass --store for another") from exc
        try:
            con.execute(SCHEMA)
            yield con
        finally:
            con.close()

    def save(self, record: RunRecord) -> None:
        metrics = record.metrics.loc[:, list(METRIC_COLUMNS)].assign(run_id=record.run_id)
        with self._connect(write=True) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [record.run_id, record.name, record.description, record.parent, record.scenario_hash,
                     record.data_key, record.created, record.spec_yaml, json.dumps(record.diagnostics),
                     json.dumps(record.provenance)])
                con.register("metrics_frame", metrics)
                con.execute("INSERT INTO metrics SELECT run_id, metric, country, partner, sector, value, unit "
                            "FROM metrics_frame")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def _records(self, where: str, params: list[object]) -> list[RunRecord]:
        columns = ("run_id, name, description, parent, scenario_hash, data_key, created, spec_yaml, diagnostics, "
                   "provenance")
        with self._connect(write=False) as con:
            runs = con.execute(f"SELECT {columns} FROM runs {where} ORDER BY created DESC, run_id", params).fetchall()
            if not runs:
                return []
            metrics = con.execute("SELECT * FROM metrics WHERE run_id IN (SELECT unnest(?))",
                                  [[row[0] for row in runs]]).df()
        out = []
        for run_id, name, description, parent, scenario_hash, data_key, created, spec_yaml, diag, prov in runs:
            rows = metrics[metrics["run_id"] == run_id].drop(columns="run_id").reset_index(drop=True)
            out.append(RunRecord(
                run_id=str(run_id), name=str(name), description=str(description or ""), spec_yaml=str(spec_yaml),
                scenario_hash=str(scenario_hash), created=str(created), metrics=rows,
                diagnostics=json.loads(diag), provenance=json.loads(prov),
                parent=str(parent) if parent is not None else None, data_key=str(data_key)))
        return out

    def find(self, scenario_hash: str, data_key: str) -> RunRecord | None:
        found = self._records("WHERE scenario_hash = ? AND data_key = ?", [scenario_hash, data_key])
        return found[0] if found else None

    def get(self, key: str) -> RunRecord:
        """A run by id (or unique id prefix), or the latest run of a scenario name."""
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
