"""Every declared game parameter reaches the payoffs: ``--set``/``--map`` of any of them changes what depends on it
(``budget_weight`` used to be read from the file's default, so overriding it changed nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoshift.engines.strategy.alignment import BUDGET_POINTS, EU, AlignmentGame, Outcome, build_game, load_game
from geoshift.scenario.spec import Scenario

GAMES = Path(__file__).resolve().parents[2] / "games"
SHIPPED = ("detente.yaml", "detente_eu.yaml")


def economics(scenario: Scenario) -> dict[str, float]:
    """Stand-in engine payoffs that depend on every shock and its size, with a budget term for Russia."""
    shocks = scenario.all_shocks
    cut = sum(float(getattr(s, "percent", 0.0)) for s in shocks)
    n = len(shocks)
    return {"USA": 0.01 * cut + 0.02 * n, "RUS": -0.02 * cut - 0.1 * n, "CHN": -0.03 * n, EU: 0.005 * cut,
            BUDGET_POINTS: -0.5 * n + 0.01 * cut}


def all_payoffs(game: AlignmentGame, params: dict[str, float]) -> dict[tuple[str, str, str, str], dict[str, float]]:
    return {(o, e, a, r): game.payoffs(o, a, r, params, e) for o, e, a, r in game.outcomes()}


@pytest.mark.parametrize("file", SHIPPED)
def test_every_declared_parameter_changes_the_payoffs(file: str) -> None:
    spec = load_game(GAMES / file)
    game = build_game(spec, economics, GAMES)
    base = game.parameters()
    before = all_payoffs(game, base)
    for name, parameter in spec.parameters.items():
        moved = parameter.max if parameter.value != parameter.max else parameter.min
        after = all_payoffs(game, game.parameters({name: moved}))
        changed = [k for k in before if before[k] != after[k]]
        assert changed, f"{file}: setting {name} from {parameter.value} to {moved} changes no payoff"


def test_budget_weight_prices_russias_budget_points_exactly() -> None:
    """Russia's payoff = real income + budget_weight x budget points (+ subjective terms that do not depend on it):
    moving budget_weight by 0.9 moves Russia's payoff by 0.9 x the outcome's expected budget points."""
    spec = load_game(GAMES / "detente.yaml")
    game = build_game(spec, economics, GAMES)
    params = game.parameters({"rho": 0.75})
    heavier = {**params, "budget_weight": params["budget_weight"] + 0.9}
    for offer, eu, align, response in game.outcomes():
        scenario = game.scenario
        broken = economics(scenario(Outcome(offer, align, response, False, eu), params["package"]))[BUDGET_POINTS]
        if offer == "deal" and align != "china":
            honoured = economics(scenario(Outcome(offer, align, response, True, eu), params["package"]))[BUDGET_POINTS]
            points = 0.75 * honoured + 0.25 * broken
        else:
            points = broken
        delta = game.payoffs(offer, align, response, heavier, eu)["RUS"] - game.payoffs(offer, align, response,
                                                                                        params, eu)["RUS"]
        assert delta == pytest.approx(0.9 * points, rel=1e-12, abs=1e-12)
        assert points != 0.0


@pytest.mark.parametrize("file", SHIPPED)
def test_payoffs_are_the_sum_of_their_terms_and_the_subjective_terms_by_hand(file: str) -> None:
    spec = load_game(GAMES / file)
    game = build_game(spec, economics, GAMES)
    p = game.parameters({"rho": 0.75})
    eu = "join" if EU in game.players else ""
    for o, e, a, r in game.outcomes():
        terms = game.payoff_terms(o, a, r, p, e)
        totals = game.payoffs(o, a, r, p, e)
        for player in game.players:
            assert sum(terms[player].values()) == pytest.approx(totals[player], rel=0, abs=1e-15)
    west = game.payoff_terms("deal", "west", "keep", p, eu)
    assert west["RUS"]["subjective"] == pytest.approx(p["rus_security_west"] - p["rus_status_china"], abs=1e-15)
    assert west["USA"]["subjective"] == pytest.approx(p["usa_split_value"] - p["usa_presence_cost"], abs=1e-15)
    assert west["CHN"]["subjective"] == pytest.approx(-p["chn_partner_loss"], abs=1e-15)
    hedge = game.payoff_terms("none", "hedge", "keep", p)
    assert hedge["RUS"]["subjective"] == pytest.approx(0.5 * (p["rus_security_west"] - p["rus_status_china"]),
                                                       abs=1e-15)
    assert hedge["USA"]["budget"] == 0.0 and hedge["CHN"]["budget"] == 0.0
    if EU in game.players:
        assert west[EU]["subjective"] == pytest.approx(p["eu_security_west"] - 0.75 * p["eu_sanctions_value"],
                                                       abs=1e-15)


def test_game_ensemble_shares_and_drivers_by_hand() -> None:
    """With the hand-made economics of test_alignment_game (Russia gains 2 rho - 1 by aligning west after a deal,
    the other terms zero), Russia aligns west iff rho > 1/2: over uniform draws of rho alone the share is 1/2 and
    rho explains all of it."""
    from geoshift.engines.strategy.alignment import game_ensemble
    from tests.unit.test_alignment_game import game as hand_game

    g = hand_game()
    fixed = {name: p.value for name, p in g.spec.parameters.items() if name != "rho"}
    e = game_ensemble(g, 400, seed=2, overrides=fixed)
    assert e.parameters == ("rho",)
    assert e.west_share == pytest.approx(0.5, abs=1 / 400)
    assert e.drivers["rho"] == pytest.approx(1.0, abs=0.05)
    assert sum(e.outcome_shares.values()) == pytest.approx(1.0, abs=1e-12)
    assert e.outcome_shares["deal/west/keep"] == pytest.approx(e.west_share, abs=1e-12)
