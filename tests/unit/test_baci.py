from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from geoshift.data.baci import country_codes, parse_baci_csv, parse_baci_sqlite, products
from geoshift.errors import DataError

# CEPII's BACI CSV release layout: t,i,j,k,v,q with padded quantities and "NA" where missing
CSV = """t,i,j,k,v,q
2022,643,156,270900,60679212.744,    99550328.575
2022,643,699,270900,  1234.5,NA
2022,842,251,271111,500.25,1000
2022,490,392,026030,10.5,
"""


def test_csv_release_parses_into_canonical_units(tmp_path: Path) -> None:
    path = tmp_path / "BACI_HS92_Y2022_V202401b.csv"
    path.write_text(CSV)
    frame = parse_baci_csv(path)
    assert list(frame.columns) == ["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"]
    assert frame["exporter"].tolist() == ["RUS", "RUS", "USA", "TWN"]
    assert frame["importer"].tolist() == ["CHN", "IND", "FRA", "JPN"]
    assert frame["hs6"].tolist() == [270900, 270900, 271111, 26030]
    np.testing.assert_allclose(frame["value_usd"], [60679212744.0, 1234500.0, 500250.0, 10500.0])
    assert frame["quantity_t"].iloc[0] == pytest.approx(99550328.575)
    assert np.isnan(frame["quantity_t"].iloc[1]) and np.isnan(frame["quantity_t"].iloc[3])


def test_csv_errors_name_column_and_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV.replace("500.25", "5OO.25"))
    with pytest.raises(DataError, match=r"bad.csv: column 'v' row 3 holds '5OO.25'"):
        parse_baci_csv(path)
    path.write_text(CSV.replace("842,", "999,"))
    with pytest.raises(DataError, match=r"exporter codes \[999\]"):
        parse_baci_csv(path)
    path.write_text("t,i,j,k,v\n2022,4,8,270900,1\n")
    with pytest.raises(DataError, match=r"lacks columns \['q'\]"):
        parse_baci_csv(path)


def test_csv_with_a_release_country_code_file(tmp_path: Path) -> None:
    codes = tmp_path / "country_codes.csv"
    codes.write_text("country_code,country_name,country_iso2,country_iso3\n1,Testland,TL,TST\n2,Other,OT,OTH\n")
    data = tmp_path / "b.csv"
    data.write_text("t,i,j,k,v,q\n2020,1,2,270900,2,3\n")
    frame = parse_baci_csv(data, country_codes_csv=codes)
    assert frame.iloc[0][["exporter", "importer"]].tolist() == ["TST", "OTH"]


def _tiny_db(path: Path, rows: list[tuple[str, ...]]) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE baci_trade (t TEXT, i TEXT, j TEXT, k INTEGER, v TEXT, q TEXT)")
    con.execute("CREATE TABLE country_codes_V202401b (country_code TEXT, country_name TEXT, "
                "country_iso2 TEXT, country_iso3 TEXT)")
    con.executemany("INSERT INTO baci_trade VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO country_codes_V202401b VALUES (?, ?, ?, ?)",
                    [("643", "Russia", "RU", "RUS"), ("156", "China", "CN", "CHN")])
    con.commit()
    con.close()


def test_sqlite_in_the_wheel_layout(tmp_path: Path) -> None:
    db = tmp_path / "baci.db"
    _tiny_db(db, [("2023", "643", "156", 270900, "1.5", "2.25"), ("2023", "156", "643", 271121, "3", None)])
    frame = parse_baci_sqlite(db)
    assert frame["value_usd"].tolist() == [1500.0, 3000.0]
    assert frame["quantity_t"].iloc[0] == 2.25 and np.isnan(frame["quantity_t"].iloc[1])


def test_truncated_or_corrupted_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "baci.db"
    _tiny_db(db, [("2023", "643", "156", 270900, "1.5", "2.25")] * 2000)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataError, match=r"baci.db is corrupted or truncated"):
        parse_baci_sqlite(db, label="pack.whl!baci.db")
    db.write_bytes(b"garbage" * 100)
    with pytest.raises(DataError, match=r"baci\.db"):
        parse_baci_sqlite(db)


def test_packaged_code_lists_cover_the_products_and_countries() -> None:
    catalogue = products()
    assert len(catalogue) == 74
    energy = catalogue[catalogue["group"] == "energy"]
    assert set(energy["commodity"]) == {"coal", "crude", "lng", "pipeline_gas"}
    assert dict(zip(energy["hs6"], energy["commodity"], strict=True))[271121] == "pipeline_gas"
    codes = country_codes()
    assert codes[643] == "RUS" and codes[156] == "CHN" and codes[490] == "TWN" and codes[699] == "IND"
