"""Worldwide Governance Indicators (World Bank) as carried in ``wgi.db``: one indicator per country and year
(the GeoPolRisk method's political-stability score), with its standard error, source count, percentile rank
and 90 % interval, plus the 0-1 normalised value of that method. Tidy columns: ``iso3``, ``year``,
``estimate``, ``std_err``, ``num_sources``, ``rank``, ``lower``, ``upper``, ``normalized``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from geoshift.errors import DataError

TABLES = {"Estimate": "estimate", "StdErr": "std_err", "NumSrc": "num_sources", "Rank": "rank",
          "Lower": "lower", "Upper": "upper", "Normalized": "normalized"}


def parse_wgi_sqlite(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    name = label or str(path)
    parts = []
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            for table, column in TABLES.items():
                wide = pd.read_sql_query(f'SELECT * FROM "{table}"', con)
                years = [c for c in wide.columns if c.isdigit()]
                long = wide.melt(id_vars=["Code"], value_vars=years, var_name="year", value_name=column)
                long[column] = pd.to_numeric(long[column], errors="coerce")
                parts.append(long.rename(columns={"Code": "iso3"}).set_index(["iso3", "year"]))
        finally:
            con.close()
    except (sqlite3.Error, pd.errors.DatabaseError, KeyError) as exc:
        raise DataError(f"WGI database {name} is corrupted or unreadable ({exc})") from exc
    tidy = pd.concat(parts, axis=1).reset_index()
    tidy["year"] = tidy["year"].astype(np.int64)
    tidy = tidy.dropna(subset=["estimate"])
    return tidy.loc[:, ["iso3", "year", *TABLES.values()]].reset_index(drop=True)
