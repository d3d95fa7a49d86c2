"""World Mining Data (mine production by country and mineral, 2018-2024) from ``world_mining_data.db``,
into a tidy table: ``mineral``, ``iso3``, ``year``, ``production``, ``unit``, and ``share`` (the country's share
of world production of that mineral and year, in [0, 1])."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from geoshift.errors import DataError

VIEW = "v_all_world_mining_data"
YEARS = tuple(str(y) for y in range(2018, 2025))


def parse_mining_sqlite(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    name = label or str(path)
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            wide = pd.read_sql_query(f"SELECT * FROM {VIEW}", con)
        finally:
            con.close()
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        raise DataError(f"mining database {name} is corrupted or unreadable ({exc})") from exc
    missing = [c for c in ("HS", "Country_ISO", "unit", *YEARS) if c not in wide.columns]
    if missing:
        raise DataError(f"mining database {name}: view {VIEW} lacks columns {missing}")
    tidy = wide.melt(id_vars=["HS", "Country_ISO", "unit"], value_vars=list(YEARS),
                     var_name="year", value_name="production")
    tidy = tidy.rename(columns={"HS": "mineral", "Country_ISO": "iso3"})
    tidy["production"] = pd.to_numeric(tidy["production"], errors="coerce")
    tidy = tidy.dropna(subset=["production", "iso3"])
    tidy = tidy[tidy["iso3"].astype(str).str.fullmatch(r"[A-Z]{3}")]
    tidy["year"] = tidy["year"].astype(np.int64)
    totals = tidy.groupby(["mineral", "year"])["production"].transform("sum")
    tidy["share"] = np.where(totals > 0, tidy["production"] / totals.where(totals > 0, 1.0), 0.0)
    return tidy.loc[:, ["mineral", "iso3", "year", "production", "unit", "share"]].reset_index(drop=True)
