"""write_tables: CSV (one file per table), XLSX (one sheet per table), Parquet (one long file with a ``table``
column, written by DuckDB); paths checked before any work with one-line errors; files written atomically."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from geoshift.errors import InputError
from geoshift.report.export import ExportTargets, check_export_paths, long_table, write_tables


def tables() -> dict[str, pd.DataFrame]:
    metrics = pd.DataFrame({
        "metric": ["real_income_change_pct", "real_income_change_pct", "sector_output_change_pct"],
        "unit": ["%", "%", "%"],
        "country": ["RUS", "DEU", "DEU"], "country_name": ["Russian Federation", "Germany", "Germany"],
        "sector": ["", "", "C19"], "sector_name": ["", "", "Coke and refined petroleum products"],
        "value": [-1.25, 0.031, float("nan")],
    })
    claims = pd.DataFrame({"id": ["R1", "R2"], "verdict": ["holds", "fails"], "value": ["3.5", "n/a"],
                           "draws": [200, 0]})
    return {"metrics": metrics, "claims": claims}


def test_csv_one_file_per_table_read_back_equal(tmp_path: Path) -> None:
    written = write_tables(tables(), csv_dir=tmp_path / "out")
    assert sorted(p.name for p in written) == ["claims.csv", "metrics.csv"]
    back = pd.read_csv(tmp_path / "out" / "metrics.csv", keep_default_na=False, na_values=[""])
    assert back["value"].iloc[0] == -1.25 and back["value"].iloc[1] == 0.031 and math.isnan(back["value"].iloc[2])
    assert back["sector_name"].iloc[2] == "Coke and refined petroleum products"
    assert list(back.columns) == list(tables()["metrics"].columns)
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]  # no temporary files left


def test_xlsx_one_sheet_per_table(tmp_path: Path) -> None:
    target = tmp_path / "results.xlsx"
    write_tables(tables(), xlsx=target)
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["metrics", "claims"]
    rows = list(book["metrics"].iter_rows(values_only=True))
    assert rows[0] == tuple(tables()["metrics"].columns)
    assert rows[1][2:4] == ("RUS", "Russian Federation") and rows[1][-1] == -1.25
    assert rows[3][-1] is None  # NaN -> empty cell
    assert list(book["claims"].iter_rows(values_only=True))[2] == ("R2", "fails", "n/a", 0)


def test_parquet_is_one_long_table_with_a_table_column(tmp_path: Path) -> None:
    target = tmp_path / "results.parquet"
    write_tables(tables(), parquet=target)
    con = duckdb.connect()
    names = [r[0] for r in con.execute(f"SELECT DISTINCT \"table\" FROM '{target}' ORDER BY 1").fetchall()]
    assert names == ["claims", "metrics"]
    rows = con.execute(f"SELECT country, country_name, value FROM '{target}' WHERE \"table\" = 'metrics' "
                       f"AND metric = 'real_income_change_pct' ORDER BY country").fetchall()
    # 'value' holds numbers in one table and text in the other: written as text (exact repr), not refused
    assert [(c, n, float(v)) for c, n, v in rows] == [("DEU", "Germany", 0.031), ("RUS", "Russian Federation", -1.25)]
    kinds = {row[0]: row[1] for row in con.execute(f"DESCRIBE SELECT * FROM '{target}'").fetchall()}
    assert kinds["table"] == "VARCHAR" and kinds["value"] == "VARCHAR" and kinds["draws"] in ("DOUBLE", "BIGINT")
    claims = con.execute(f"SELECT id, value, draws FROM '{target}' WHERE \"table\" = 'claims' ORDER BY id").fetchall()
    assert claims == [("R1", "3.5", 200), ("R2", "n/a", 0)]


def test_long_table_keeps_numeric_columns_numeric() -> None:
    long = long_table({"a": pd.DataFrame({"value": [1.5, 2.0]}), "b": pd.DataFrame({"value": [3.0], "x": ["t"]})})
    assert list(long.columns) == ["table", "value", "x"]
    assert long["value"].dtype.kind == "f"
    assert list(long["table"]) == ["a", "a", "b"]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (lambda p: ExportTargets(csv_dir=p / "file.txt"), "is an existing file; give a folder"),
        (lambda p: ExportTargets(csv_dir=p / "missing" / "deeper"), "does not exist"),
        (lambda p: ExportTargets(parquet=p / "missing" / "x.parquet"), "does not exist"),
        (lambda p: ExportTargets(parquet=p), "is a folder; give a file name"),
        (lambda p: ExportTargets(xlsx=p / "results.csv"), "must end in .xlsx"),
        (lambda p: ExportTargets(xlsx=p / "file.txt" / "x.xlsx"), "is a file, not a folder"),
    ],
)
def test_bad_paths_are_one_line_errors(tmp_path: Path, targets: object, message: str) -> None:
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    chosen = targets(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match=message) as caught:
        check_export_paths(chosen)
    assert "\n" not in str(caught.value)
    assert str(tmp_path) in str(caught.value)


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("cannot be written")


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    write_tables(tables(), csv_dir=folder)
    before = (folder / "metrics.csv").read_bytes()
    broken = {"metrics": pd.DataFrame({"value": [Unprintable()]})}
    with pytest.raises(RuntimeError, match="cannot be written"):
        write_tables(broken, csv_dir=folder)
    assert (folder / "metrics.csv").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["claims.csv", "metrics.csv"]
    target = tmp_path / "new.xlsx"
    with pytest.raises(RuntimeError, match="cannot be written"):
        write_tables(broken, xlsx=target)
    assert not target.exists() and [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_table_names_are_checked() -> None:
    with pytest.raises(ValueError, match="table name"):
        long_table({"Bad Name": pd.DataFrame({"a": [1]})})
