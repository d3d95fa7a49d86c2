"""``geoshift bargain`` as a real process: JSON, the HTML report, the results store, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from geoshift.results.store import RunStore

ACTORS = Path(__file__).resolve().parents[2] / "games" / "russia_alignment_actors.csv"


def bargain(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    return subprocess.run([sys.executable, "-m", "geoshift", "bargain", *args, "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)


def test_bargain_json_report_and_store(tmp_path: Path) -> None:
    result = bargain(tmp_path, str(ACTORS), "--draws", "12", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"model", "issue", "actors", "forecast", "diagnostics", "rounds", "sensitivity", "report",
            "run_id"} <= set(data)
    assert data["diagnostics"]["converged"] and data["diagnostics"]["iterations"] == len(data["rounds"])
    assert 0 <= data["forecast"]["median"] <= 100
    assert [a["actor"] for a in data["actors"]][:2] == ["Kremlin", "Security services and military"]
    assert data["sensitivity"]["draws"] == 12 and len(data["sensitivity"]["median_draws"]) == 12
    q = data["sensitivity"]["quantiles"]["median"]
    assert q[0] <= q[1] <= q[2]
    html = Path(data["report"]).read_text(encoding="utf-8")
    for section in ('id="forecast"', 'id="trajectory"', 'id="round1"', 'id="actors"', 'id="file"', "SUBJECTIVE"):
        assert section in html
    assert "NaN" not in html.split("<script")[0]
    record = RunStore(tmp_path / "runs.duckdb").get(data["run_id"])
    assert (record.kind, record.name) == ("bargain", "russia_alignment_actors")
    forecast = record.metric("bargain_forecast").set_index("country")["value"]
    assert forecast["median"] == pytest.approx(data["forecast"]["median"])
    assert len(record.metric("bargain_position")) == 2 * len(data["actors"])


def test_overrides_move_the_forecast_and_fixed_rounds_report_unsettled(tmp_path: Path) -> None:
    base = json.loads(bargain(tmp_path, str(ACTORS), "--perturb", "0", "--json").stdout)
    west = bargain(tmp_path, str(ACTORS), "--perturb", "0", "--json", "--set", "Kremlin.position=60",
                   "--set", "China.salience=0.2")
    assert west.returncode == 0, west.stderr
    assert json.loads(west.stdout)["forecast"]["median"] > base["forecast"]["median"]
    short = bargain(tmp_path, str(ACTORS), "--perturb", "0", "--rounds", "3", "--json")
    assert short.returncode == 0, short.stderr
    diag = json.loads(short.stdout)["diagnostics"]
    assert diag["iterations"] == 3 and diag["converged"] is False
    text = bargain(tmp_path, str(ACTORS), "--perturb", "0", "--rounds", "3")
    assert "not settled after 3 rounds" in text.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--set", "Nobody.salience=0.5"), "no actor named 'Nobody'"),
    (("--set", "Kremlin.salience=5"), "salience 5 is outside [0, 1]"),
    (("--set", "salience=0.5"), "must look like ACTOR.FIELD=VALUE"),
    (("--set", "Kremlin.salience=high"), "must look like NAME=VALUE"),
    (("--perturb", "2"), "--perturb 2"),
    (("--rounds", "0"), "--rounds 0"),
])
def test_bad_input_is_one_line_with_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = bargain(tmp_path, str(ACTORS), *args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()  # nothing written on a refused run


def test_missing_file_is_named(tmp_path: Path) -> None:
    result = bargain(tmp_path, str(tmp_path / "none.csv"))
    assert result.returncode == 2 and "none.csv: no such actors file" in result.stderr
