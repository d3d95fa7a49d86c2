"""The alignment game's economic weights applied to engine payoffs (``weighted``): each player's real income times
its weight (1 where the spec gives none), Russia's budget points passed through unweighted (0 where the engine
gives none), and the players the World lacks named in one line."""

from __future__ import annotations

import pytest

from geoshift.engines.strategy.alignment import BUDGET_POINTS, AlignmentGame, GameSpec, load_game, weighted
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import Scenario
from tests.unit.test_alignment_game import GAMES


def game_with(weights: dict[str, float], values: dict[str, float], file: str = "detente.yaml") -> AlignmentGame:
    raw = load_game(GAMES / file).model_dump()
    raw["economic_weight"] = weights
    return AlignmentGame(GameSpec.model_validate(raw), Scenario(name="base"), lambda _scenario: dict(values))


def test_weights_apply_per_player_and_default_to_one() -> None:
    g = game_with({"USA": 2.0}, {"USA": 0.5, "RUS": -1.5, "CHN": 3.0})
    out = weighted(g)(Scenario(name="s"))
    assert out == {"USA": 1.0, "RUS": -1.5, "CHN": 3.0, BUDGET_POINTS: 0.0}


def test_budget_points_pass_through_unweighted() -> None:
    g = game_with({"USA": 1.0, "RUS": 4.0, "CHN": 0.5}, {"USA": 1.0, "RUS": 1.0, "CHN": 1.0, BUDGET_POINTS: -2.5})
    out = weighted(g)(Scenario(name="s"))
    assert out == {"USA": 1.0, "RUS": 4.0, "CHN": 0.5, BUDGET_POINTS: -2.5}


def test_missing_players_are_named_together() -> None:
    g = game_with({}, {"USA": 1.0, "RUS": 1.0}, file="detente_eu.yaml")
    with pytest.raises(ScenarioError) as exc:
        weighted(g)(Scenario(name="probe"))
    assert str(exc.value) == (f"game {g.spec.name}: the World has no real income for player(s) CHN, EU27 (scenario "
                              "probe); use a World that covers them")
