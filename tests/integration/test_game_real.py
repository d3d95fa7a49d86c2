"""The alignment game on the real World: payoffs come from the engines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from geoshift.data.groups import group_members
from geoshift.engines.strategy.alignment import (
    AlignmentGame,
    build_game,
    economic_payoffs_from,
    load_game,
    solve_game,
)
from geoshift.results.run import Runner
from geoshift.scenario.spec import Scenario, load_scenario
from geoshift.world import World

pytestmark = pytest.mark.realdata
GAMES = Path(__file__).resolve().parents[2] / "games"
PAYOFF_TOL = 1e-9  # % real income: the same tau_hat solved twice, and sums of a few terms


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
    listed_runs = json.loads(listed.stdout)
    assert [(r["kind"], r["name"]) for r in listed_runs] == [("game", "detente")]
    assert listed_runs[0]["code_key"].startswith("0.1.0+")


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


RELIEVED = """\
name: relieved
extends: west_embargo_russia
shocks:
  - {{kind: sanctions_relief, exporters: RUS, importers: [{buyers}], sectors: [energy, metals]}}
"""
DEAL_AND_PIVOT = """\
name: deal_and_pivot
extends: relieved
shocks:
{deals}  - {{kind: trade_cost, exporters: RUS, importers: [CHN, HKG], sectors: all, percent: 30}}
"""


def hand_scenario(folder: Path, buyers: list[str]) -> Scenario:
    """The outcome 'deal, Russia aligns west, China keeps, package honoured' written by hand: the status quo with
    the embargo lifted for ``buyers``, their energy and metals trade with Russia 20 % cheaper (package 1), and
    Russia's trade with China and Hong Kong 30 % dearer."""
    folder.mkdir()
    (folder / "relieved.yaml").write_text(RELIEVED.format(buyers=", ".join(buyers)))
    deals = "".join(f"  - {{kind: trade_cost, exporters: RUS, importers: {b}, sectors: [energy, metals], "
                    f"percent: -20}}\n" for b in buyers)
    (folder / "deal_and_pivot.yaml").write_text(DEAL_AND_PIVOT.format(deals=deals))
    return load_scenario(folder / "deal_and_pivot.yaml")


def backward_induction(game: AlignmentGame, params: dict[str, float]) -> tuple[str, dict[str, float]]:
    """The subgame-perfect path by hand (ties to the first action listed), over the game's outcome payoffs."""
    def russia(offer: str, eu: str) -> tuple[str, dict[str, float]]:
        best: tuple[str, dict[str, float]] | None = None
        for align in ("china", "hedge", "west"):
            keep, hit = (game.payoffs(offer, align, r, params, eu) for r in ("keep", "retaliate"))
            china = ("keep", keep) if keep["CHN"] >= hit["CHN"] else ("retaliate", hit)
            if best is None or china[1]["RUS"] > best[1]["RUS"]:
                best = (f"{align}/{china[0]}", china[1])
        assert best is not None
        return best

    none = russia("none", "")
    hold, join = russia("deal", "hold"), russia("deal", "join")
    eu = ("join", join) if join[1]["EU27"] > hold[1]["EU27"] else ("hold", hold)
    if eu[1][1]["USA"] > none[1]["USA"]:
        return f"deal/{eu[0]}/{eu[1][0]}", eu[1][1]
    return f"none/{none[0]}", none[1]


def test_eu_as_fourth_player_on_the_real_world(real_world: World, tmp_path: Path) -> None:
    """Payoffs of 'deal, EU joins (or holds), Russia west, China keeps' at rho = 1 from the game file's formula and
    the engines' metrics of the same outcome written by hand as scenario files; the EU's real income is the
    income-weighted mean of its members'; the SPE is the backward induction over the outcome payoffs."""
    spec = load_game(GAMES / "detente_eu.yaml")
    runner = Runner(real_world)
    game = build_game(spec, economic_payoffs_from(runner), GAMES)
    params = {**game.parameters(), "rho": 1.0}
    p, weight = params, spec.economic_weight
    members = [c for c in group_members("EU27", 2024) if c in real_world.countries]
    base_income = np.asarray(real_world.final_demand, dtype=np.float64).sum(axis=1)  # VA + D = final expenditure
    weights = base_income[[real_world.countries.index(c) for c in members]]
    for eu, buyers in (("join", ["USA", "EU27"]), ("hold", ["USA"])):
        metrics = runner.run(hand_scenario(tmp_path / eu, buyers)).metrics
        income = metrics[metrics["metric"] == "real_income_change_pct"].set_index("country")["value"]
        budget = metrics[metrics["metric"].str.startswith("energy_budget_share")].set_index("metric")["value"]
        points = budget["energy_budget_share_after_pct"] - budget["energy_budget_share_before_pct"]
        expected = {
            "USA": weight["USA"] * income["USA"] + p["usa_split_value"] - p["usa_presence_cost"],
            "RUS": weight["RUS"] * income["RUS"] + p["budget_weight"] * points + p["rus_security_west"]
            - p["rus_status_china"],
            "CHN": weight["CHN"] * income["CHN"] - p["chn_partner_loss"],
            "EU27": weight["EU27"] * income["EU27"] + p["eu_security_west"]
            - (p["eu_sanctions_value"] if eu == "join" else 0.0),
        }
        assert game.payoffs("deal", "west", "keep", params, eu) == pytest.approx(expected, abs=PAYOFF_TOL), eu
        assert income["EU27"] == pytest.approx(float(weights @ income[members].to_numpy() / weights.sum()),
                                               abs=PAYOFF_TOL)
    defaults = game.parameters()
    outcome, payoffs = backward_induction(game, defaults)
    solution = solve_game(game)
    assert len(solution.spe) == 1 and solution.spe[0]["ties"] == []
    assert solution.spe[0]["outcome"] == outcome
    assert solution.spe[0]["payoffs"] == pytest.approx(payoffs, abs=PAYOFF_TOL)
