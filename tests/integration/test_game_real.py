"""The alignment game on the real World: payoffs come from the engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geoshift.engines.strategy.alignment import build_game, economic_payoffs_from, load_game
from geoshift.results.run import Runner
from geoshift.world import World

pytestmark = pytest.mark.realdata
GAMES = Path(__file__).resolve().parents[2] / "games"


def test_engine_payoffs_follow_the_elasticities(real_world: World) -> None:
    spec = load_game(GAMES / "detente.yaml")
    params = {name: p.value for name, p in spec.parameters.items()}
    default = build_game(spec, economic_payoffs_from(Runner(real_world)), GAMES)
    other = build_game(spec, economic_payoffs_from(Runner(real_world)), GAMES)
    other.base = other.base.model_copy(update={"elasticities": {"B06": 4.0, "C19": 8.0}})
    a = default.payoffs("deal", "west", "keep", params)
    b = other.payoffs("deal", "west", "keep", params)
    assert a["RUS"] != pytest.approx(b["RUS"], rel=1e-6)
    assert default.solves == 2 and other.solves == 2  # honoured and broken, each solved once
    default.payoffs("deal", "west", "keep", {**params, "rho": 0.1})
    assert default.solves == 2  # trust does not need new engine solves


def test_cli_game_json_and_store(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    result = subprocess.run([sys.executable, "-m", "geoshift", "game", str(GAMES / "detente.yaml"), "--map",
                             "rho,package", "--n", "4", "--set", "rho=0.9", "--out", str(tmp_path), "--json"],
                            capture_output=True, text=True, env=env, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"equilibria", "delta_star"} <= set(data)
    concepts = {e["concept"] for e in data["equilibria"]}
    assert concepts == {"spe", "nash"}
    for e in data["equilibria"]:
        assert {"strategies", "payoffs"} <= set(e) and set(e["payoffs"]) <= {"USA", "RUS", "CHN"}
    assert data["parameters"]["rho"] == 0.9
    assert len(data["map"]["outcomes"]) == 4 and len(data["map"]["outcomes"][0]) == 4
    assert (tmp_path / "game-detente.html").is_file()
    listed = subprocess.run([sys.executable, "-m", "geoshift", "runs", "list", "--json"], capture_output=True,
                            text=True, env=env, timeout=120, check=False)
    assert "game:detente" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--set", "rho=1.5"), "parameter rho = 1.5 is outside its range"),
        (("--set", "trust=0.5"), "not a parameter of detente"),
        (("--map", "rho"), "must name two parameters"),
        (("--map", "rho,trust"), "map parameter 'trust' is not a parameter"),
    ],
)
def test_cli_game_bad_input(cli_env: dict[str, str], tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    env = {**cli_env, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    result = subprocess.run([sys.executable, "-m", "geoshift", "game", str(GAMES / "detente.yaml"), *args,
                             "--n", "2", "--out", str(tmp_path / "out")], capture_output=True, text=True, env=env,
                            timeout=600, check=False)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
