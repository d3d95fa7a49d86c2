"""``--csv DIR``, ``--parquet FILE`` and ``--xlsx FILE`` on the real World: every exported table read back (CSV with
pandas, Parquet with DuckDB, XLSX with openpyxl) holds the same numbers as the command's ``--json`` output for the
same run, with names next to codes and a unit on every value. Commands run in-process on the session's World."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

import geoshift.commands.common as common
from geoshift.cli import app
from geoshift.world import World

pytestmark = pytest.mark.realdata
ROOT = Path(__file__).resolve().parents[2]
C19 = "Manufacture of coke and refined petroleum products"  # the ICIO sector list's name
SCENARIOS = ROOT / "scenarios"


@pytest.fixture()
def cli(real_world: World, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``geoshift ARGS...`` in-process on the session's real World; returns the parsed JSON output."""
    monkeypatch.setattr(common, "load_world", lambda *_: real_world)

    def invoke(*args: str) -> Any:
        result = CliRunner().invoke(app, list(args))
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def exported(base: Path, table: str) -> dict[str, pd.DataFrame]:
    """The table as each format holds it: CSV, Parquet (its rows of the long table) and XLSX."""
    csv = pd.read_csv(base / "csv" / f"{table}.csv", keep_default_na=False, na_values=[""])
    con = duckdb.connect()
    parquet = con.execute(f"SELECT * FROM '{base / 'out.parquet'}' WHERE \"table\" = ?", [table]).df()
    book = openpyxl.load_workbook(base / "out.xlsx", read_only=True)
    rows = list(book[table].iter_rows(values_only=True))
    xlsx = pd.DataFrame(rows[1:], columns=rows[0])
    return {"csv": csv, "parquet": parquet, "xlsx": xlsx}


def flags(base: Path) -> list[str]:
    return ["--csv", str(base / "csv"), "--parquet", str(base / "out.parquet"), "--xlsx", str(base / "out.xlsx")]


def close(a: float, b: float) -> bool:
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)


@pytest.fixture()
def two_runs(cli: Any, tmp_path: Path) -> tuple[Any, Path, Path]:
    store = tmp_path / "runs.duckdb"
    base = tmp_path / "run"
    base.mkdir()
    payload = cli("run", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "west_embargo_russia.yaml"), "--draws", "0",
                  "--no-report", "--store", str(store), "--json", *flags(base))
    return payload, store, base


def test_run_exports_equal_its_json(two_runs: tuple[Any, Path, Path]) -> None:
    payload, _, base = two_runs
    for fmt, metrics in exported(base, "metrics").items():
        income = metrics[metrics["metric"] == "real_income_change_pct"]
        assert set(income["unit"]) == {"%"}, fmt
        for run in payload["runs"]:
            mine = income[income["run_id"] == run["run_id"]]
            by_country = dict(zip(mine["country"], mine["value"], strict=True))
            assert by_country.keys() == run["real_income_change_pct"].keys(), fmt
            assert all(close(by_country[c], v) for c, v in run["real_income_change_pct"].items()), fmt
        rus = income[income["country"] == "RUS"]
        assert set(rus["country_name"]) == {"Russian Federation"}, fmt
        sectors = metrics[metrics["sector"] == "C19"]
        assert len(sectors) and set(sectors["sector_name"]) == {C19}, fmt
    for fmt, runs in exported(base, "runs").items():
        assert list(runs["run_id"]) == [r["run_id"] for r in payload["runs"]], fmt
        assert list(runs["scenario"]) == ["baseline", "west_embargo_russia"], fmt


def test_runs_show_and_compare_exports_equal_their_json(cli: Any, two_runs: tuple[Any, Path, Path],
                                                        tmp_path: Path) -> None:
    payload, store, _ = two_runs
    run_id = payload["runs"][1]["run_id"]
    base = tmp_path / "show"
    base.mkdir()
    shown = cli("runs", "show", run_id, "--store", str(store), "--json", *flags(base))
    expected = {(m["metric"], m["country"], m["partner"], m["sector"]): m["value"] for m in shown["metrics"]}
    for fmt, metrics in exported(base, "metrics").items():
        assert len(metrics) == len(shown["metrics"]), fmt
        keys = zip(metrics["metric"], metrics["country"].fillna(""), metrics["partner"].fillna(""),
                   metrics["sector"].fillna(""), metrics["value"], strict=True)
        for metric, country, partner, sector, value in keys:
            want = expected[(metric, str(country), str(partner), str(sector))]
            assert (want is None and pd.isna(value)) or close(value, want), (fmt, metric, country, sector)
    base = tmp_path / "compare"
    base.mkdir()
    compared = cli("compare", "baseline", "west_embargo_russia", "--store", str(store), "--json", *flags(base))
    rows = {(r["metric"], r["country"], r["partner"], r["sector"]): r for r in compared["rows"]}
    assert rows
    for fmt, table in exported(base, "comparison").items():
        assert len(table) == len(rows), fmt
        assert set(table["run_b"]) == {run_id}, fmt
        for row in table.to_dict(orient="records"):
            key = (row["metric"], row["country"], "" if pd.isna(row["partner"]) else row["partner"],
                   "" if pd.isna(row["sector"]) else row["sector"])
            assert close(row["difference"], rows[key]["difference"]), (fmt, key)
            assert row["unit"] == rows[key]["unit"]
        eu = table[table["country"] == "EU27"]
        assert set(eu["country_name"]) == {"European Union (27 members)"}, fmt


def test_energy_exports_equal_its_json(cli: Any, tmp_path: Path) -> None:
    payload = cli("energy", "RUS", "--scenario", str(SCENARIOS / "west_embargo_russia.yaml"), "--json",
                  *flags(tmp_path))
    for fmt, buyers in exported(tmp_path, "buyers").items():
        assert len(buyers) == len(payload["buyers"]), fmt
        for row, want in zip(buyers.to_dict(orient="records"), payload["buyers"], strict=True):
            assert (row["buyer"], row["fuel"], row["unit"]) == (want["buyer"], want["fuel"], want["unit"])
            assert close(row["revenue_change_usd"], want["revenue_change_usd"]), fmt
        assert set(buyers.loc[buyers["buyer"] == "DEU", "buyer_name"]) <= {"Germany"}
    for fmt, summary in exported(tmp_path, "summary").items():
        values = dict(zip(summary["quantity"], summary["value"], strict=True))
        assert close(values["revenue_change_pct"], payload["revenue_change_pct"]), fmt
        assert dict(zip(summary["quantity"], summary["unit"], strict=True))["revenue_change_pct"] == "%"


def test_game_exports_equal_its_json(cli: Any, tmp_path: Path) -> None:
    payload = cli("game", str(ROOT / "games" / "detente.yaml"), "--map", "rho,package", "--n", "3",
                  "--out", str(tmp_path / "html"), "--store", str(tmp_path / "runs.duckdb"), "--json",
                  *flags(tmp_path))
    for fmt, payoffs in exported(tmp_path, "payoffs").items():
        assert len(payoffs) == sum(len(v) for v in payload["payoffs"].values()), fmt
        for row in payoffs.to_dict(orient="records"):
            assert close(row["value"], payload["payoffs"][row["outcome"]][row["player"]]), fmt
            assert row["unit"] == "% real income"
    for fmt, grid in exported(tmp_path, "map").items():
        assert len(grid) == 9, fmt
        cells = [o for row in payload["map"]["outcomes"] for o in row]
        assert list(grid["outcome"]) == cells, fmt


def test_ensemble_exports_equal_its_json(cli: Any, tmp_path: Path) -> None:
    payload = cli("ensemble", str(SCENARIOS / "west_embargo_russia.yaml"), "--draws", "4", "--backend", "serial",
                  "--out", str(tmp_path / "html"), "--store", str(tmp_path / "runs.duckdb"), "--json",
                  *flags(tmp_path))
    for fmt, headline in exported(tmp_path, "headline").items():
        assert list(headline["country"]) == list(payload["headline"]), fmt
        for row in headline.to_dict(orient="records"):
            want = payload["headline"][row["country"]]
            assert all(close(row[k], want[k]) for k in ("central", "q05", "q50", "q95", "sign_share")), fmt


def test_check_exports_equal_its_json(cli: Any, tmp_path: Path) -> None:
    payload = cli("check", str(ROOT / "claims" / "detente_proposal.yaml"), "--draws", "0", "--out",
                  str(tmp_path / "html"), "--store", str(tmp_path / "runs.duckdb"), "--json", *flags(tmp_path))
    for fmt, claims in exported(tmp_path, "claims").items():
        assert list(claims["id"]) == [c["id"] for c in payload["claims"]], fmt
        assert list(claims["verdict"]) == [c["verdict"] for c in payload["claims"]], fmt
        for row, want in zip(claims.to_dict(orient="records"), payload["claims"], strict=True):
            assert (want["value"] is None and pd.isna(row["value"])) or close(row["value"], want["value"]), fmt


def test_world_sectors_and_countries_with_names(cli: Any) -> None:
    sectors = {s["code"]: s for s in cli("world", "sectors", "--json")}
    assert sectors["C19"]["name"] == C19 and sectors["C19"]["group"] == "energy"
    countries = {c["code"]: c for c in cli("world", "countries", "--json")}
    assert countries["DEU"]["name"] == "Germany" and {"EU27", "NATO"} <= set(countries["DEU"]["groups"])
    assert "EU" not in countries["DEU"]["groups"]  # the scenario files' name, not the groups file's
    result = CliRunner().invoke(app, ["world", "sectors"], env={"COLUMNS": "160"})
    assert "C19" in result.stdout and "Manufacture of coke and refined petroleum" in result.stdout


def test_a_bad_export_path_is_one_line_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x", encoding="utf-8")
    for args, message in (
        (["run", str(SCENARIOS / "baseline.yaml"), "--csv", str(tmp_path / "taken")], "is an existing file"),
        (["compare", "a", "b", "--parquet", str(tmp_path / "no" / "x.parquet")], "does not exist"),
        (["energy", "--xlsx", str(tmp_path / "x.xls")], "must end in .xlsx"),
    ):
        done = subprocess.run([sys.executable, "-m", "geoshift", *args], capture_output=True, text=True, timeout=120,
                              check=False, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200",
                                                "GEOSHIFT_CACHE_DIR": str(tmp_path / "unused-cache")})
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr
        assert not (tmp_path / "unused-cache").exists()  # refused before the World was loaded
