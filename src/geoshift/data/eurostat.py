"""Eurostat sources of Russian energy sold to the EU, which BACI's mirror data under-count: parsers of the raw
files and the readers of the small tables derived from them that ship with the package.

* ``nrg_ti_gas`` (imports of natural gas by partner, annual, terajoules of gross calorific value): the
  extraction of 2022-04-05 in ``custom-table-imports-of-natural-gas-by-partner-country.xlsx``. Derived table
  ``eurostat_gas_from_russia.csv``: natural-gas imports from Russia of the EU members and Türkiye, 2011-2020,
  split into LNG (the workbook's LNG sheet) and pipeline gas (natural gas minus LNG), in TJ (GCV) and in bcm at
  ``TJ_PER_BCM`` (40 MJ/m3 GCV, the gross calorific value the Energy Institute's Statistical Review standardises
  its bcm to, as its gas sheets state; the same basis as the EI bcm the rest of the package uses).
* Comext (monthly imports by partner and HS4/HS6, euros and 100 kg), as extracted by the
  ``fossil_shipment_tracker_r`` project (2019-01 to 2021-12). Derived table ``comext_products_from_russia.csv``:
  the EU members' imports of refined products (HS 2710) from Russia by year, in euros, tonnes and US$.

The package reads only the derived tables; ``tools/build_eurostat_gas.py`` and ``tools/build_comext_products.py``
rebuild them from the raw files with the functions below. Every parser checks the layout it relies on (labels,
units, years, that the EU27 aggregate equals the sum of its members) and raises ``DataError`` when it changed.
"""

from __future__ import annotations

import math
import zipfile
from functools import cache
from pathlib import Path

import pandas as pd

from geoshift.data.resources import read_packaged_csv
from geoshift.errors import DataError

#: terajoules (gross calorific value) per bcm of natural gas: 40 MJ/m3 GCV (EI Statistical Review 2024, note
#: on the sheets 'Gas trade - pipeline' and 'Gas trade - LNG': "standardized using a gross calorific value (GCV)
#: of 40 MJ/m3"); 1 bcm = 1e9 m3 x 40 MJ = 40,000 TJ
TJ_PER_BCM = 40_000.0
GAS_YEARS = tuple(range(2011, 2021))
GAS_TABLE = "eurostat_gas_from_russia.csv"
GAS_COLUMNS = ["year", "importer", "fuel", "tj_gcv", "bcm", "source", "note"]
GAS_SOURCE = ("Eurostat nrg_ti_gas (extracted 2022-04-05; github.com/hblasum/stop-gas-imports, CC0); "
              "bcm = TJ GCV / 40000")
PRODUCTS_TABLE = "comext_products_from_russia.csv"
PRODUCTS_YEARS = (2019, 2020, 2021)
PRODUCTS_COLUMNS = ["year", "importer", "value_eur", "tonnes", "months", "usd_per_eur", "value_usd", "source",
                    "note"]
PRODUCTS_SOURCE = ("Eurostat Comext, HS 2710 from RU (extraction: "
                   "github.com/energyandcleanair/fossil_shipment_tracker_r)")
#: US$ per euro, annual averages of the ECB's euro reference rate (from memory: check before relying on them)
USD_PER_EUR = {2019: 1.1195, 2020: 1.1422, 2021: 1.1827}
USD_PER_EUR_SOURCE = "ECB euro reference rate, annual average (memory)"

#: the EU's 27 members (2020-) and Türkiye, by the short labels of nrg_ti_gas and by the codes of Comext
EU27_ISO3 = ("AUT", "BEL", "BGR", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GRC", "HRV", "HUN", "IRL",
             "ITA", "LTU", "LUX", "LVA", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "SWE")
GAS_REPORTERS = {
    "Belgium": "BEL", "Bulgaria": "BGR", "Czechia": "CZE", "Denmark": "DNK", "Germany": "DEU", "Estonia": "EST",
    "Ireland": "IRL", "Greece": "GRC", "Spain": "ESP", "France": "FRA", "Croatia": "HRV", "Italy": "ITA",
    "Cyprus": "CYP", "Latvia": "LVA", "Lithuania": "LTU", "Luxembourg": "LUX", "Hungary": "HUN", "Malta": "MLT",
    "Netherlands": "NLD", "Austria": "AUT", "Poland": "POL", "Portugal": "PRT", "Romania": "ROU", "Slovenia": "SVN",
    "Slovakia": "SVK", "Finland": "FIN", "Sweden": "SWE", "Turkey": "TUR",
}
GAS_EU27_LABEL = "European Union - 27 countries"
COMEXT_REPORTERS = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST",
    "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "HR": "HRV", "HU": "HUN", "IE": "IRL", "IT": "ITA",
    "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT", "RO": "ROU",
    "SE": "SWE", "SI": "SVN", "SK": "SVK",
}
COMEXT_EU27 = "EU27_2020"
COMEXT_COLUMNS = ["REPORTER", "PARTNER", "PRODUCT", "FLOW", "PERIOD", "INDICATORS", "INDICATOR_VALUE"]
_GAS_PRODUCTS = {"Natural gas": "natural_gas", "Liquefied natural gas": "lng"}
_GAS_PARTNERS = {"Russia": "RUS", "Total": "total"}
_GAS_UNIT = "Terajoule (gross calorific value - GCV)"
_REL_TOL = 1e-9


def _label(cell: object) -> str:
    return " ".join(str(cell).split()) if isinstance(cell, str) else ""


def _short(label: str) -> str:
    """'Germany (until 1990 former territory of the FRG)' -> 'Germany'."""
    return label.split(" (")[0].strip()


def _gas_sheet(frame: pd.DataFrame, name: str, where: str) -> pd.DataFrame:
    labels = [_label(c) for c in frame.iloc[:, 0]]
    meta: dict[str, str] = {}
    for i, label in enumerate(labels[:12]):
        text = _label(frame.iat[i, 2]) if frame.shape[1] > 2 else ""
        if label.startswith("Standard international energy product"):
            meta["product"] = text
        elif label == "Geopolitical entity (partner)":
            meta["partner"] = text
        elif label == "Unit of measure":
            meta["unit"] = text
    sheet = f"{where}, sheet {name!r}"
    if meta.get("product") not in _GAS_PRODUCTS or meta.get("partner") not in _GAS_PARTNERS:
        raise DataError(f"{sheet}: expected a product in {sorted(_GAS_PRODUCTS)} and a partner in "
                        f"{sorted(_GAS_PARTNERS)}, found {meta}; pass the nrg_ti_gas extraction of 2022-04-05")
    if meta.get("unit") != _GAS_UNIT:
        raise DataError(f"{sheet}: unit is {meta.get('unit')!r}, expected {_GAS_UNIT!r}")
    try:
        head = labels.index("TIME")
        first = labels.index("GEO (Labels)") + 1
    except ValueError as exc:
        raise DataError(f"{sheet}: no 'TIME' / 'GEO (Labels)' header rows; the layout changed") from exc
    years: list[int] = []
    for cell in frame.iloc[head, 1:]:
        if isinstance(cell, str | int | float) and str(cell).strip() not in ("", "nan"):
            years.append(int(float(cell)))
    if tuple(years) != GAS_YEARS:
        raise DataError(f"{sheet}: years {years}, expected {GAS_YEARS[0]}-{GAS_YEARS[-1]}")
    records: list[tuple[object, ...]] = []
    for i in range(first, len(labels)):
        label = labels[i]
        if not label:
            break
        for k, year in enumerate(years, start=1):
            cell = frame.iat[i, k]
            if isinstance(cell, str) and cell.strip() == ":":
                value = math.nan  # Eurostat's "not available"
            elif isinstance(cell, int | float) and not isinstance(cell, bool) and math.isfinite(cell) and cell >= 0:
                value = float(cell)
            else:
                raise DataError(f"{sheet} row {i + 1} ({label!r}) year {year} holds {cell!r}, expected a "
                                "non-negative number or ':'")
            records.append((label, GAS_REPORTERS.get(_short(label)), _GAS_PRODUCTS[meta["product"]],
                            _GAS_PARTNERS[meta["partner"]], year, value))
    return pd.DataFrame.from_records(records, columns=["reporter", "reporter_iso3", "product", "partner", "year",
                                                       "tj"])


def parse_gas_workbook(path: str | Path) -> pd.DataFrame:
    """The nrg_ti_gas extraction as one tidy table: ``reporter`` (Eurostat label), ``reporter_iso3`` (the EU
    members and Türkiye; ``None`` for aggregates and other reporters), ``product`` (``natural_gas``, ``lng``),
    ``partner`` (``RUS``, ``total``), ``year``, ``tj`` (TJ GCV; NaN where Eurostat has ':')."""
    path = Path(path)
    where = f"Eurostat gas workbook {path}"
    if not path.is_file():
        raise DataError(f"{where} not found; pass custom-table-imports-of-natural-gas-by-partner-country.xlsx")
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{where} is not a readable .xlsx file ({type(exc).__name__}: {exc})") from exc
    parts = [_gas_sheet(frame, name, where) for name, frame in sheets.items()
             if _label(frame.iat[0, 0] if frame.size else "").startswith("Data extracted")]
    if not parts:
        raise DataError(f"{where} has no data sheets ('Data extracted on ...'); the layout changed")
    tidy = pd.concat(parts, ignore_index=True)
    keys = tidy[["reporter", "product", "partner", "year"]]
    if keys.duplicated().any():
        raise DataError(f"{where}: the same product and partner appear on two sheets")
    if not {("natural_gas", "RUS"), ("lng", "RUS")} <= set(zip(tidy["product"], tidy["partner"], strict=True)):
        raise DataError(f"{where}: needs the sheets of natural gas and LNG imported from Russia")
    found = set(tidy["reporter_iso3"].dropna())
    if found != set(GAS_REPORTERS.values()):
        raise DataError(f"{where}: reporters {sorted(set(GAS_REPORTERS.values()) - found)} missing")
    _check_gas_aggregate(tidy, where)
    return tidy


def _check_gas_aggregate(tidy: pd.DataFrame, where: str) -> None:
    members = tidy[tidy["reporter_iso3"].isin(EU27_ISO3)]
    totals = tidy[tidy["reporter"].str.startswith(GAS_EU27_LABEL)]
    if totals.empty:
        raise DataError(f"{where}: no EU27 aggregate row ({GAS_EU27_LABEL!r})")
    summed: dict[tuple[str, str, int], float] = {}
    counted: dict[tuple[str, str, int], int] = {}
    for product, partner, year, tj in zip(members["product"], members["partner"], members["year"], members["tj"],
                                          strict=True):
        key = (str(product), str(partner), int(year))
        if math.isfinite(float(tj)):
            summed[key] = summed.get(key, 0.0) + float(tj)
            counted[key] = counted.get(key, 0) + 1
    for product, partner, year, tj in zip(totals["product"], totals["partner"], totals["year"], totals["tj"],
                                          strict=True):
        key = (str(product), str(partner), int(year))
        got, total = summed.get(key, math.nan), float(tj)
        if counted.get(key, 0) < len(EU27_ISO3):
            continue  # a member not reported: nothing to check
        if math.isfinite(total) and not math.isclose(got, total, rel_tol=1e-6):
            raise DataError(f"{where}: EU27 {product} from {partner} {year} is {total:,.3f} TJ but the members sum "
                            f"to {got:,.3f} TJ; the layout changed")


def gas_from_russia_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """The derived table (``GAS_COLUMNS``) from ``parse_gas_workbook``: one row per year, importer (EU member or
    TUR) and fuel (``pipeline_gas`` = natural gas - LNG, ``lng``); rows Eurostat does not report are left out."""
    rus = tidy[(tidy["partner"] == "RUS") & tidy["reporter_iso3"].notna()]
    tj: dict[tuple[int, str, str], float] = {
        (int(y), str(c), str(p)): float(v)
        for y, c, p, v in zip(rus["year"], rus["reporter_iso3"], rus["product"], rus["tj"], strict=True)}
    rows: list[tuple[object, ...]] = []
    for year, iso3 in sorted({(y, c) for y, c, _ in tj}):
        gas, lng = tj.get((year, iso3, "natural_gas"), math.nan), tj.get((year, iso3, "lng"), math.nan)
        if math.isnan(gas):
            continue
        lng = 0.0 if math.isnan(lng) else lng
        pipeline = gas - lng
        if pipeline < -1e-6 * max(gas, 1.0):
            raise DataError(f"Eurostat gas: {iso3} {year} imports {lng:,.3f} TJ of Russian LNG but only {gas:,.3f} "
                            "TJ of Russian natural gas in all")
        pipeline = max(pipeline, 0.0)
        note = ""
        if iso3 == "AUT" and gas == 0.0:
            note = "Austria reports no imports from Russia from 2014 (its Russian gas is missing here)"
        elif iso3 == "TUR":
            note = "Türkiye's imports as reported to Eurostat"
        rows.append((int(year), str(iso3), "pipeline_gas", round(pipeline, 3), round(pipeline / TJ_PER_BCM, 6),
                     GAS_SOURCE, "natural gas minus LNG" + (f"; {note}" if note else "")))
        rows.append((int(year), str(iso3), "lng", round(lng, 3), round(lng / TJ_PER_BCM, 6), GAS_SOURCE, note))
    table = pd.DataFrame.from_records(rows, columns=GAS_COLUMNS)
    return table.sort_values(["year", "importer", "fuel"]).reset_index(drop=True)


def parse_comext(path: str | Path) -> pd.DataFrame:
    """The Comext extraction as one tidy table: ``reporter`` (Comext code), ``partner``, ``product`` (HS code as
    text), ``year``, ``month``, ``value_eur``, ``tonnes`` (from ``QUANTITY_IN_100KG``)."""
    path = Path(path)
    where = f"Comext file {path}"
    if not path.is_file():
        raise DataError(f"{where} not found; pass comext_energy_imports_2019_2021.csv.gz")
    try:
        raw = pd.read_csv(path, dtype={"REPORTER": str, "PARTNER": str, "INDICATORS": str})
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(f"{where} is not a readable CSV ({type(exc).__name__}: {exc})") from exc
    missing = [c for c in COMEXT_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{where} lacks column(s) {', '.join(missing)}")
    if set(raw["FLOW"].unique()) != {1}:
        raise DataError(f"{where}: FLOW other than 1 (imports) found: {sorted(raw['FLOW'].unique())}")
    indicators = {"VALUE_IN_EUROS": "value_eur", "QUANTITY_IN_100KG": "tonnes"}
    if not set(raw["INDICATORS"].unique()) <= set(indicators):
        raise DataError(f"{where}: unknown indicators {sorted(set(raw['INDICATORS']) - set(indicators))}")
    period = pd.to_numeric(raw["PERIOD"], errors="coerce")
    values = pd.to_numeric(raw["INDICATOR_VALUE"], errors="coerce")
    if period.isna().any() or values.isna().any() or (values < 0).any():
        raise DataError(f"{where}: PERIOD and INDICATOR_VALUE must be numbers (values >= 0)")
    tidy = pd.DataFrame({
        "reporter": raw["REPORTER"], "partner": raw["PARTNER"],
        "product": pd.to_numeric(raw["PRODUCT"], errors="coerce").astype("Int64").astype(str),
        "year": (period // 100).astype(int), "month": (period % 100).astype(int),
        "indicator": raw["INDICATORS"].map(indicators), "value": values.astype(float),
    })
    if not tidy["month"].between(1, 12).all():
        raise DataError(f"{where}: PERIOD must be YYYYMM")
    keys = ["reporter", "partner", "product", "year", "month"]
    if tidy.duplicated([*keys, "indicator"]).any():
        raise DataError(f"{where}: duplicate rows for the same reporter, partner, product, month and indicator")
    wide = tidy.pivot_table(index=keys, columns="indicator", values="value", aggfunc="first").reset_index()
    wide.columns.name = None
    for column in indicators.values():
        if column not in wide:
            wide[column] = math.nan
    wide["tonnes"] = wide["tonnes"] / 10.0  # 100 kg -> tonnes
    return wide.loc[:, [*keys, "value_eur", "tonnes"]]


def products_from_russia_table(tidy: pd.DataFrame) -> pd.DataFrame:
    """The derived table (``PRODUCTS_COLUMNS``) from ``parse_comext``: each EU member's imports of HS 2710 from
    Russia by year (a member with no month of such imports has value and tonnes 0), checked against the EU27
    aggregate, with US$ at the ECB annual average rate."""
    rows = tidy[(tidy["partner"] == "RU") & (tidy["product"] == "2710")]
    if rows.empty:
        raise DataError("Comext: no imports of HS 2710 from RU")
    years = sorted(int(y) for y in rows["year"].unique())
    if tuple(years) != PRODUCTS_YEARS:
        raise DataError(f"Comext: HS 2710 from RU covers {years}, expected {list(PRODUCTS_YEARS)}")
    # (year, reporter) -> [euros, tonnes, months with imports]
    sums: dict[tuple[int, str], list[float]] = {}
    for reporter, year, value, tonnes in zip(rows["reporter"], rows["year"], rows["value_eur"], rows["tonnes"],
                                             strict=True):
        entry = sums.setdefault((int(year), str(reporter)), [0.0, 0.0, 0.0])
        entry[0] += 0.0 if math.isnan(float(value)) else float(value)
        entry[1] += 0.0 if math.isnan(float(tonnes)) else float(tonnes)
        entry[2] += 1.0
    out: list[tuple[object, ...]] = []
    for year in years:
        if (year, COMEXT_EU27) not in sums:
            raise DataError(f"Comext: no {COMEXT_EU27} aggregate for {year}")
        for k, column in enumerate(("value_eur", "tonnes")):
            summed = sum(sums.get((year, code), [0.0, 0.0, 0.0])[k] for code in COMEXT_REPORTERS)
            total = sums[(year, COMEXT_EU27)][k]
            if not math.isclose(summed, total, rel_tol=_REL_TOL):
                raise DataError(f"Comext: {COMEXT_EU27} {column} {year} is {total:,.1f} but the members sum to "
                                f"{summed:,.1f}")
        for code, iso3 in sorted(COMEXT_REPORTERS.items(), key=lambda kv: kv[1]):
            value, tonnes, count = sums.get((year, code), [0.0, 0.0, 0.0])
            months = int(count)
            rate = USD_PER_EUR[year]
            note = f"US$ at {rate} per euro ({USD_PER_EUR_SOURCE})"
            if months < 12:
                note += f"; {months} months with imports (the others none)"
            out.append((year, iso3, round(value, 2), round(tonnes, 3), months, rate, round(value * rate, 2),
                        PRODUCTS_SOURCE, note))
    return pd.DataFrame.from_records(out, columns=PRODUCTS_COLUMNS)


@cache
def gas_from_russia() -> pd.DataFrame:
    """The shipped ``eurostat_gas_from_russia.csv`` (see ``gas_from_russia_table``)."""
    return read_packaged_csv(GAS_TABLE, keep_default_na=False, na_values={"tj_gcv": [""], "bcm": [""]})


@cache
def products_from_russia() -> pd.DataFrame:
    """The shipped ``comext_products_from_russia.csv`` (see ``products_from_russia_table``)."""
    return read_packaged_csv(PRODUCTS_TABLE, keep_default_na=False,
                             na_values={"value_eur": [""], "tonnes": [""], "value_usd": [""]})
