"""Eurostat parsers on the real raw files (../shared/data, PROVENANCE §6 and §7), the shipped derived tables
against them and against their build scripts, and the parsers' refusals of changed layouts."""

from __future__ import annotations

import importlib.util
import math
import re
from importlib import resources
from pathlib import Path
from types import ModuleType

import openpyxl  # type: ignore[import-untyped]
import pandas as pd
import pytest

from geoshift.data.eurostat import (
    EU27_ISO3,
    GAS_COLUMNS,
    GAS_TABLE,
    PRODUCTS_COLUMNS,
    PRODUCTS_TABLE,
    TJ_PER_BCM,
    USD_PER_EUR,
    gas_from_russia,
    gas_from_russia_table,
    parse_comext,
    parse_gas_workbook,
    products_from_russia,
    products_from_russia_table,
)
from geoshift.errors import DataError
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
GAS_XLSX = (SHARED_DATA / "eurostat_gas_imports_by_partner"
            / "custom-table-imports-of-natural-gas-by-partner-country.xlsx")
COMEXT_CSV = SHARED_DATA / "eurostat_comext_energy_imports" / "comext_energy_imports_2019_2021.csv.gz"
#: the shipped table's EU27 totals against the raw file's EU27 row (rounding to 3 decimals of TJ only)
TOTAL_RTOL = 0.02
#: hand-read from the raw workbook, 'Sheet 1' (natural gas from Russia) and 'Sheet 3' (LNG from Russia), TJ (GCV)
EU27_GAS_TJ = {2019: 6_461_869.292, 2020: 5_929_770.351}
EU27_LNG_TJ_2019 = 576_341.464
DEU_GAS_TJ_2019 = 1_803_194.439
TUR_GAS_TJ_2019 = 582_050.0
#: PROVENANCE §7 spot check: EU27 imported 47.0 Mt (EUR 22.4 bn) of HS 2710 from Russia in 2021
EU27_PRODUCTS_2021 = (47.0e6, 22.4e9)


def raw(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"raw Eurostat file not found at {path}")
    return path


def tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gas_tidy() -> pd.DataFrame:
    return parse_gas_workbook(raw(GAS_XLSX))


@pytest.fixture(scope="module")
def comext_tidy() -> pd.DataFrame:
    return parse_comext(raw(COMEXT_CSV))


def eu27_row(sheet: str) -> dict[int, float]:
    """The EU27 aggregate row of a sheet of the raw workbook, read cell by cell (not through the parser)."""
    book = openpyxl.load_workbook(raw(GAS_XLSX), data_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    years = next(r for r in rows if r[0] == "TIME")
    row = next(r for r in rows if str(r[0]).startswith("European Union - 27"))
    return {int(float(y)): float(v) for y, v in zip(years[1:], row[1:], strict=False) if y is not None}


# --- gas -------------------------------------------------------------------------------------------------------

def test_gas_parser_on_the_real_workbook(gas_tidy: pd.DataFrame) -> None:
    assert list(gas_tidy.columns) == ["reporter", "reporter_iso3", "product", "partner", "year", "tj"]
    assert set(gas_tidy["product"]) == {"natural_gas", "lng"} and set(gas_tidy["partner"]) == {"RUS", "total"}
    assert sorted(gas_tidy["year"].unique()) == list(range(2011, 2021))
    assert set(gas_tidy["reporter_iso3"].dropna()) == {*EU27_ISO3, "TUR"}

    def tj(iso3: str | None, product: str, year: int, label: str = "") -> float:
        rows = gas_tidy[(gas_tidy["product"] == product) & (gas_tidy["partner"] == "RUS") & (gas_tidy["year"] == year)]
        rows = rows[rows["reporter_iso3"] == iso3] if iso3 else rows[rows["reporter"].str.startswith(label)]
        assert len(rows) == 1
        return float(rows["tj"].iloc[0])

    assert tj("DEU", "natural_gas", 2019) == DEU_GAS_TJ_2019
    assert tj("TUR", "natural_gas", 2019) == TUR_GAS_TJ_2019
    assert tj(None, "natural_gas", 2019, "European Union - 27") == EU27_GAS_TJ[2019]
    assert tj(None, "lng", 2019, "European Union - 27") == EU27_LNG_TJ_2019
    uk = gas_tidy[(gas_tidy["reporter"] == "United Kingdom") & (gas_tidy["year"] == 2020)
                  & (gas_tidy["product"] == "natural_gas") & (gas_tidy["partner"] == "RUS")]
    assert math.isnan(float(uk["tj"].iloc[0]))  # ':' = not available


def test_gas_table_against_the_raw_totals(gas_tidy: pd.DataFrame) -> None:
    """EU27 imports of Russian gas 2019 and 2020 from the shipped table, within 2 % of the raw file's EU27 row
    (PROVENANCE §6: 161.5 bcm in 2019, 148.2 in 2020 at 40 MJ/m3)."""
    shipped = gas_from_russia()
    assert list(shipped.columns) == GAS_COLUMNS
    natural_gas, lng = eu27_row("Sheet 1"), eu27_row("Sheet 3")
    for year in (2019, 2020):
        members = shipped[(shipped["year"] == year) & shipped["importer"].isin(EU27_ISO3)]
        assert set(members["importer"]) == set(EU27_ISO3)
        assert members["bcm"].sum() == pytest.approx(natural_gas[year] / TJ_PER_BCM, rel=TOTAL_RTOL)
        assert members["bcm"].sum() == pytest.approx(EU27_GAS_TJ[year] / 40_000, rel=1e-6)  # 161.547, 148.244
        lng_rows = members[members["fuel"] == "lng"]
        assert lng_rows["bcm"].sum() == pytest.approx(lng[year] / TJ_PER_BCM, rel=1e-6)
    assert round(EU27_GAS_TJ[2019] / TJ_PER_BCM, 1) == 161.5 and round(EU27_GAS_TJ[2020] / TJ_PER_BCM, 1) == 148.2
    deu = shipped[(shipped["year"] == 2019) & (shipped["importer"] == "DEU")].set_index("fuel")["bcm"]
    assert deu["pipeline_gas"] == pytest.approx(DEU_GAS_TJ_2019 / 40_000, abs=1e-6)  # 45.080 bcm, no LNG
    assert deu["lng"] == 0.0
    assert shipped["source"].str.contains("Eurostat nrg_ti_gas").all()
    assert (shipped["bcm"] >= 0).all()
    table = gas_from_russia_table(gas_tidy)
    pd.testing.assert_frame_equal(table.reset_index(drop=True), shipped.fillna({"note": ""}), check_dtype=False)


def test_gas_table_is_its_build_script_output(tmp_path: Path) -> None:
    out = tmp_path / GAS_TABLE
    tool("build_eurostat_gas").build(raw(GAS_XLSX), out)
    assert out.read_bytes() == resources.files("geoshift.data.files").joinpath(GAS_TABLE).read_bytes()


def write_sheet(path: Path, unit: str = "Terajoule (gross calorific value - GCV)", eu27: float = 3.0) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet 1"
    head: list[list[object]] = [
        ["Data extracted on 05/04/2022"], ["Dataset: "], ["Last updated: "], [],
        ["Time frequency", None, "Annual"],
        ["Standard international energy product classification (SIEC)", None, "Natural gas"],
        ["Geopolitical entity (partner)", None, "Russia"], ["Unit of measure", None, unit], [],
        ["TIME", *[str(y) for y in range(2011, 2021)]], ["GEO (Labels)"],
        ["European Union - 27 countries (from 2020)", *[eu27] * 10],
    ]
    for row in head:
        sheet.append(row)
    for label in ("Belgium", "Bulgaria", "Czechia", "Denmark", "Germany (until 1990 former territory of the FRG)",
                  "Estonia", "Ireland", "Greece", "Spain", "France", "Croatia", "Italy", "Cyprus", "Latvia",
                  "Lithuania", "Luxembourg", "Hungary", "Malta", "Netherlands", "Austria", "Poland", "Portugal",
                  "Romania", "Slovenia", "Slovakia", "Finland", "Sweden", "Turkey"):
        sheet.append([label, *[1.0 if label in ("Belgium", "Bulgaria", "Czechia") else 0.0] * 10])
    lng = book.copy_worksheet(sheet)
    lng.title = "Sheet 3"
    lng["C6"] = "Liquefied natural gas"
    book.save(path)
    return path


def test_gas_parser_reads_a_minimal_workbook(tmp_path: Path) -> None:
    tidy = parse_gas_workbook(write_sheet(tmp_path / "ok.xlsx"))
    table = gas_from_russia_table(tidy)
    bel = table[(table["importer"] == "BEL") & (table["year"] == 2015)].set_index("fuel")
    assert bel.loc["pipeline_gas", "tj_gcv"] == 0.0 and bel.loc["lng", "tj_gcv"] == 1.0  # gas 1 - LNG 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"unit": "Million cubic metres"}, "unit is 'Million cubic metres'"),
    ({"eu27": 4.0}, "EU27 natural_gas from RUS 2011 is 4.000 TJ but the members sum to 3.000 TJ"),
])
def test_gas_parser_refuses_a_changed_layout(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    path = write_sheet(tmp_path / "bad.xlsx", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(DataError, match=re.escape(message)):
        parse_gas_workbook(path)


def test_gas_parser_refuses_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        parse_gas_workbook(tmp_path / "none.xlsx")
    (tmp_path / "text.xlsx").write_text("not a workbook")
    with pytest.raises(DataError, match=re.escape("not a readable .xlsx")):
        parse_gas_workbook(tmp_path / "text.xlsx")


# --- refined products ------------------------------------------------------------------------------------------

def test_comext_parser_on_the_real_file(comext_tidy: pd.DataFrame) -> None:
    assert list(comext_tidy.columns) == ["reporter", "partner", "product", "year", "month", "value_eur", "tonnes"]
    assert {"2709", "2710", "271121"} <= set(comext_tidy["product"])
    assert sorted(comext_tidy["year"].unique()) == [2019, 2020, 2021]
    eu = comext_tidy[(comext_tidy["reporter"] == "EU27_2020") & (comext_tidy["partner"] == "RU")
                     & (comext_tidy["product"] == "2710") & (comext_tidy["year"] == 2021)]
    assert len(eu) == 12
    assert eu["tonnes"].sum() == pytest.approx(EU27_PRODUCTS_2021[0], rel=0.001)
    assert eu["value_eur"].sum() == pytest.approx(EU27_PRODUCTS_2021[1], rel=0.002)


def test_products_table_against_the_raw_file(comext_tidy: pd.DataFrame) -> None:
    shipped = products_from_russia()
    assert list(shipped.columns) == PRODUCTS_COLUMNS
    frame = pd.read_csv(raw(COMEXT_CSV))
    rows = frame[(frame["REPORTER"] == "EU27_2020") & (frame["PARTNER"] == "RU") & (frame["PRODUCT"] == 2710)]
    for year in (2019, 2020, 2021):
        in_year = rows[rows["PERIOD"] // 100 == year]
        tonnes = in_year.loc[in_year["INDICATORS"] == "QUANTITY_IN_100KG", "INDICATOR_VALUE"].sum() / 10
        euros = in_year.loc[in_year["INDICATORS"] == "VALUE_IN_EUROS", "INDICATOR_VALUE"].sum()
        mine = shipped[shipped["year"] == year]
        assert len(mine) == 27 and set(mine["importer"]) == set(EU27_ISO3)
        assert mine["tonnes"].sum() == pytest.approx(tonnes, rel=1e-9)
        assert mine["value_eur"].sum() == pytest.approx(euros, rel=1e-9)
        assert (mine["value_usd"] - mine["value_eur"] * USD_PER_EUR[year]).abs().max() < 0.01  # cents
    deu = shipped[(shipped["importer"] == "DEU") & (shipped["year"] == 2019)].iloc[0]
    assert deu["tonnes"] == pytest.approx(7.570e6, rel=1e-3)  # 7.57 Mt (hand-summed from the 12 months)
    table = products_from_russia_table(comext_tidy)
    pd.testing.assert_frame_equal(table, shipped.fillna({"note": ""}), check_dtype=False)


def test_products_table_is_its_build_script_output(tmp_path: Path) -> None:
    out = tmp_path / PRODUCTS_TABLE
    tool("build_comext_products").build(raw(COMEXT_CSV), out)
    assert out.read_bytes() == resources.files("geoshift.data.files").joinpath(PRODUCTS_TABLE).read_bytes()


def comext_rows(eu27_tonnes: float) -> pd.DataFrame:
    rows = []
    for year in (2019, 2020, 2021):
        for reporter, tonnes in (("DE", 10.0), ("FR", 5.0), ("EU27_2020", eu27_tonnes)):
            for indicator, value in (("VALUE_IN_EUROS", 100.0 * tonnes), ("QUANTITY_IN_100KG", 10.0 * tonnes)):
                rows.append({"REPORTER": reporter, "PARTNER": "RU", "PRODUCT": 2710, "FLOW": 1,
                             "PERIOD": year * 100 + 1, "INDICATORS": indicator, "INDICATOR_VALUE": value})
    return pd.DataFrame(rows)


def test_products_table_from_a_minimal_file(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    comext_rows(15.0).to_csv(path, index=False)
    table = products_from_russia_table(parse_comext(path))
    deu = table[(table["importer"] == "DEU") & (table["year"] == 2020)].iloc[0]
    assert (deu["tonnes"], deu["value_eur"], deu["months"]) == (10.0, 1000.0, 1)
    assert deu["value_usd"] == pytest.approx(1000.0 * 1.1422)
    assert table[table["importer"] == "ITA"]["tonnes"].eq(0.0).all()  # no rows: no imports


def test_comext_parser_refuses_changed_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    comext_rows(16.0).to_csv(path, index=False)
    message = "EU27_2020 value_eur 2019 is 1,600.0 but the members sum to 1,500.0"
    with pytest.raises(DataError, match=re.escape(message)):
        products_from_russia_table(parse_comext(path))
    comext_rows(15.0).drop(columns="FLOW").to_csv(path, index=False)
    with pytest.raises(DataError, match="lacks column"):
        parse_comext(path)
    frame = comext_rows(15.0)
    frame.loc[0, "INDICATORS"] = "VALUE_IN_DOLLARS"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match="unknown indicators"):
        parse_comext(path)
    with pytest.raises(DataError, match="not found"):
        parse_comext(tmp_path / "none.csv.gz")
