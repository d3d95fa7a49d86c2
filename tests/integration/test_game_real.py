"""The alignment game on the real World: payoffs come from the engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geoshift.data.groups import group_members
from geoshift.engines.strategy.alignment import Outcome, build_game, economic_payoffs_from, load_game, solve_game
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


def test_eu_as_fourth_player_on_the_real_world(real_world: World) -> None:
    spec = load_game(GAMES / "detente_eu.yaml")
    game = build_game(spec, economic_payoffs_from(Runner(real_world)), GAMES)
    params = {**game.parameters(), "rho": 1.0}
    join = game.payoffs("deal", "west", "keep", params, "join")
    hold = game.payoffs("deal", "west", "keep", params, "hold")
    assert set(join) == {"USA", "RUS", "CHN", "EU27"}
    assert join["RUS"] > hold["RUS"]  # the EU's relief reopens Russia's largest western market
    metrics = Runner(real_world).run(game.scenario(Outcome("deal", "west", "keep", True, "join"), 1.0)).metrics
    income = metrics[metrics["metric"] == "real_income_change_pct"].set_index("country")["value"]
    members = [c for c in group_members("EU27", 2024) if c in income.index]
    assert len(members) >= 20
    # an income-weighted mean of the members lies within their range, and not at either end here
    assert income[members].min() < income["EU27"] < income[members].max()
    solution = solve_game(game)
    assert solution.spe and all(len(row["outcome"].split("/")) in (3, 4) for row in solution.spe)
    assert all(row["best_response_gap"] <= 1e-9 for row in solution.mixed)
