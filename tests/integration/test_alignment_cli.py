"""``geoshift alignment A B`` through ``typer.testing.CliRunner`` on a local app it is registered into: the table,
JSON, ATOP ties, the file from ``$GEOSHIFT_UNGA``, and one-line errors with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from geoshift.analysis.alignment import Window, pair_alignment
from geoshift.commands.alignment import register
from geoshift.data.unga import parse_unga
from tests.conftest import SHARED_DATA

UNGA_DTA = SHARED_DATA / "unga_ideal_points" / "IdealpointsJuly2025.dta"
UNGA_CSV = SHARED_DATA / "unga_ideal_points" / "idealpoints_july2025.csv"
ATOP_CSV = SHARED_DATA / "peacesciencer_cow_atop" / "atop_alliance.csv.gz"


@pytest.fixture()
def app() -> typer.Typer:
    local = typer.Typer(add_completion=False)

    @local.callback()
    def _root() -> None:  # a callback keeps "alignment" a subcommand, as in geoshift's own app
        """Local test app."""

    register(local)
    return local


@pytest.fixture()
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.delenv("GEOSHIFT_UNGA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # no file in the default folder
    return CliRunner()


def need(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"fixture not found at {path} (see shared/data/PROVENANCE.md)")
    return str(path)


def test_table_with_reference_pairs_and_ties(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["alignment", "USA", "RUS", "--unga", need(UNGA_DTA), "--atop", need(ATOP_CSV),
                                 "--window", "2010:2020"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    for text in ("USA–RUS (United States – Russia)", "distance in 2020: 2.504", "trend:", "volatility:",
                 "Reference pairs", "CHN–RUS", "USA–CHN", "non-aggression", "not covered",
                 "doi:10.7910/DVN/LEJUQZ", "ATOP v5"):
        assert text in result.stdout, text
    assert "2009" not in result.stdout.split("Reference pairs")[0]  # the window's years only


def test_json_matches_the_library(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["alignment", "china", "RU", "--unga", need(UNGA_CSV), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = pair_alignment(parse_unga(UNGA_CSV), "CHN", "RUS", Window(2000, None))
    pair = data["pair"]
    assert (pair["a"], pair["b"], pair["window"]) == ("CHN", "RUS", {"start": 2000, "end": 2024, "years": 25})
    assert pair["last_distance"] == pytest.approx(expected.last_distance)
    assert pair["trend_per_decade"] == pytest.approx(expected.trend_per_decade)
    assert pair["volatility"] == pytest.approx(expected.volatility)
    assert pair["series"][0]["year"] == 1971 and len(pair["series"]) == 2024 - 1971 + 1
    assert [p["pair"] for p in data["reference_pairs"]] == ["USA–RUS", "CHN–RUS", "USA–CHN"]
    assert "series" not in data["reference_pairs"][0] and data["notes"] == []
    assert set(data["definitions"]) == {"distance", "trend_per_decade", "volatility", "ties"}


def test_the_file_from_the_environment_and_another_measure(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["alignment", "USA", "CHN", "--measure", "all", "--json"],
                           env={"GEOSHIFT_UNGA": need(UNGA_DTA)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pair"]["last_year"] == 2023  # all votes: through 2023


def test_reference_pairs_without_data_in_the_window_become_notes(app: typer.Typer, runner: CliRunner) -> None:
    result = runner.invoke(app, ["alignment", "USA", "GBR", "--unga", need(UNGA_DTA), "--window", "1950:1960",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["pair"] for p in data["reference_pairs"]] == ["USA–RUS"]
    assert len(data["notes"]) == 2 and data["notes"][0].startswith("CHN–RUS left out")


@pytest.mark.parametrize(("args", "message"), [
    (["USA", "RUS"], "no UNGA ideal-points file given"),
    (["USA", "RUS", "--unga", "missing.dta"], "missing.dta not found"),
    (["USA", "RUX", "--unga", "<DTA>"], "unknown country B 'RUX'; closest codes: RUS"),
    (["USA", "RUS", "--unga", "<DTA>", "--window", "2030:2040"], "--window 2030:2040 holds 0 year(s)"),
    (["USA", "RUS", "--unga", "<DTA>", "--window", "2000-2024"], "is not START:END"),
    (["USA", "RUS", "--unga", "<DTA>", "--measure", "median"], "--measure 'median' is not one of fp, all, legacy"),
    (["USA", "RUS", "--unga", "<DTA>", "--atop", "<DTA>"], "ATOP file"),
])
def test_bad_input_is_one_line_and_exit_2(app: typer.Typer, runner: CliRunner, args: list[str],
                                          message: str) -> None:
    args = [need(UNGA_DTA) if a == "<DTA>" else a for a in args]
    result = runner.invoke(app, ["alignment", *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("geoshift: error: ") and message in lines[0], result.stderr
    if message.startswith("no UNGA"):
        assert "doi:10.7910/DVN/LEJUQZ" in lines[0] and "IdealpointsJuly2025.dta" in lines[0]
