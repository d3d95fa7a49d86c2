"""The alignment game's plain-data output and its economic payoffs read from a results runner, with hand-set
numbers (no engines)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from geoshift.engines.strategy.alignment import (
    BUDGET_POINTS,
    AlignmentGame,
    GameEnsemble,
    GameMap,
    GameSpec,
    Solution,
    economic_payoffs_from,
    load_game,
    result_dict,
)
from geoshift.scenario.spec import Scenario

GAMES = Path(__file__).resolve().parents[2] / "games"


def spec() -> GameSpec:
    """The shipped three-player game with every subjective term at 0 (trust and package as shipped)."""
    raw = load_game(GAMES / "detente.yaml").model_dump()
    for name in raw["parameters"]:
        if name not in ("rho", "package"):
            raw["parameters"][name]["value"] = 0.0
    return GameSpec.model_validate(raw)


def economics(scenario: Scenario) -> dict[str, float]:
    """Russia gains 2 from relief; aligning west costs it 1 and hedging 1.5; China loses 1 if it retaliates; the
    U.S. gains 0.5 when Russia leaves China."""
    _, _offer, align, response, *relief = scenario.name.split(".")
    rus = (2.0 if relief else 0.0) - {"china": 0.0, "west": 1.0, "hedge": 1.5}[align]
    return {"USA": 0.5 if align == "west" else 0.0, "RUS": rus, "CHN": -1.0 if response == "retaliate" else 0.0}


def test_result_dict_by_hand() -> None:
    game = AlignmentGame(spec(), Scenario(name="base"), economics)
    params = {**game.parameters(), "rho": 1.0}
    solution = Solution(params, [{"outcome": "deal/west/keep"}], [{"outcome": "nash"}], [{"outcome": "mixed"}],
                        0.5, {"RUS": 0.5, "USA": None}, 0.125)
    out = result_dict(game, solution)
    assert out["game"] == game.spec.name and out["description"] == game.spec.description
    assert out["base"] == "base" and out["players"] == ["USA", "RUS", "CHN"]
    assert out["parameters"] == params
    assert out["parameter_table"]["rho"] == {**game.spec.parameters["rho"].model_dump(), "value": 1.0}
    assert set(out["parameter_table"]) == set(game.spec.parameters)
    assert out["equilibria"] == [{"outcome": "deal/west/keep"}, {"outcome": "nash"}, {"outcome": "mixed"}]
    assert out["spe"] == [{"outcome": "deal/west/keep"}] and out["nash"] == [{"outcome": "nash"}]
    assert out["mixed"] == [{"outcome": "mixed"}]
    assert out["delta_star"] == 0.5 and out["delta_star_by_player"] == {"RUS": 0.5, "USA": None}
    assert out["seconds"] == 0.125 and "map" not in out and "ensemble" not in out
    # 2 offers x 3 alignments x 2 responses, labelled offer/align/response (no EU move in a three-player game)
    assert len(out["payoffs"]) == 12 and set(out["payoffs"]) == set(out["payoff_terms"])
    # with rho = 1 a deal is honoured: Russia 2 - 1 west, 2 - 1.5 hedging; without a deal nobody gains
    assert out["payoffs"]["deal/west/keep"] == {"USA": 0.5, "RUS": 1.0, "CHN": 0.0}
    assert out["payoffs"]["deal/hedge/retaliate"] == {"USA": 0.0, "RUS": 0.5, "CHN": -1.0}
    assert out["payoffs"]["none/west/keep"] == {"USA": 0.5, "RUS": -1.0, "CHN": 0.0}
    assert out["payoffs"]["none/china/keep"] == {"USA": 0.0, "RUS": 0.0, "CHN": 0.0}
    assert out["payoff_terms"]["deal/west/keep"]["RUS"] == {"real_income": 1.0, "budget": 0.0, "subjective": 0.0}
    assert out["engine_solves"] == game.solves == 12 + 4  # 12 outcomes, and 4 delivered deals (west, hedge x 2)


def test_result_dict_with_a_map_and_an_ensemble() -> None:
    game = AlignmentGame(spec(), Scenario(name="base"), economics)
    solution = Solution(game.parameters(), [], [], [], None, {}, 0.0)
    grid = GameMap("rho", "package", np.array([0.0, 1.0]), np.array([0.5, 2.0]),
                   [["none/china/keep", "deal/west/keep"], ["none/china/keep", "deal/west/keep"]],
                   np.array([[0, 2], [0, 2]]), 0.25, 7)
    ensemble = GameEnsemble(10, "lhs", 3, ("rho",), {"deal/west/keep": 0.6, "none/china/keep": 0.4}, 0.6,
                            {"rho": 0.9}, 0.5)
    out = result_dict(game, solution, grid, ensemble)
    assert out["map"] == {"x": "rho", "y": "package", "x_values": [0.0, 1.0], "y_values": [0.5, 2.0],
                          "outcomes": grid.outcomes, "russia_moves": [[0, 2], [0, 2]], "seconds": 0.25,
                          "engine_solves": 7}
    assert out["ensemble"] == {"draws": 10, "sampler": "lhs", "seed": 3, "parameters": ["rho"],
                               "outcome_shares": {"deal/west/keep": 0.6, "none/china/keep": 0.4},
                               "russia_west_share": 0.6, "drivers": {"rho": 0.9}, "seconds": 0.5}


def test_economic_payoffs_read_real_income_and_the_budget_share_from_a_runner() -> None:
    metrics = pd.DataFrame({
        "metric": ["real_income_change_pct"] * 5 + ["energy_budget_share_before_pct", "energy_budget_share_after_pct",
                                                    "exports_change_pct"],
        "country": ["USA", "RUS", "CHN", "EU27", "IND", "RUS", "RUS", "RUS"],
        "value": [0.25, -1.5, 0.75, -0.5, 9.0, 31.0, 27.5, -40.0],
    })
    seen: list[str] = []

    class Runner:
        def run(self, scenario: Scenario) -> SimpleNamespace:
            seen.append(scenario.name)
            return SimpleNamespace(metrics=metrics)

    values = economic_payoffs_from(Runner())(Scenario(name="probe"))
    assert seen == ["probe"]
    assert values == {"USA": 0.25, "RUS": -1.5, "CHN": 0.75, "EU27": -0.5, BUDGET_POINTS: pytest.approx(-3.5)}


def test_economic_payoffs_without_energy_metrics_or_some_players() -> None:
    metrics = pd.DataFrame({"metric": ["real_income_change_pct"] * 2, "country": ["USA", "RUS"],
                            "value": [1.0, 2.0]})

    class Runner:
        def run(self, scenario: Scenario) -> SimpleNamespace:
            return SimpleNamespace(metrics=metrics)

    assert economic_payoffs_from(Runner())(Scenario(name="probe")) == {"USA": 1.0, "RUS": 2.0, BUDGET_POINTS: 0.0}
