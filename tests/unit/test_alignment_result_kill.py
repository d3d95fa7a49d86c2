"""The alignment game's JSON with the EU as a fourth player: every outcome's payoffs and their terms carry the EU's
move, computed by hand from the toy economics of test_alignment_game (relief is delivered with probability rho)."""

from __future__ import annotations

import pytest

from geoshift.engines.strategy.alignment import AlignmentGame, result_dict, solve_game
from geoshift.scenario.spec import Scenario
from tests.unit.test_alignment_game import eu_economics, spec


def test_eu_game_payoffs_by_outcome_by_hand() -> None:
    game = AlignmentGame(spec("detente_eu.yaml"), Scenario(name="base"), eu_economics)
    data = result_dict(game, solve_game(game, {"rho": 0.8}))
    payoffs, terms = data["payoffs"], data["payoff_terms"]
    assert len(payoffs) == 6 + 12 == len(terms)  # no deal: 3 x 2; a deal: EU hold/join x 3 x 2
    # Russia: 0.8 x (1 from U.S. relief + 1 from EU relief) - 1 for aligning west; the EU: 0.8 x 0.5 from trade
    assert payoffs["deal/join/west/keep"] == pytest.approx({"USA": 0.5, "RUS": 0.6, "CHN": 0.0, "EU27": 0.4})
    assert payoffs["deal/hold/west/retaliate"] == pytest.approx({"USA": 0.5, "RUS": -0.2, "CHN": -1.0, "EU27": 0.0})
    assert payoffs["deal/join/hedge/keep"] == pytest.approx({"USA": 0.0, "RUS": 0.1, "CHN": 0.0, "EU27": 0.4})
    assert payoffs["none/hedge/keep"] == pytest.approx({"USA": 0.0, "RUS": -1.5, "CHN": 0.0, "EU27": 0.0})
    assert terms["deal/join/west/keep"]["EU27"]["real_income"] == pytest.approx(0.4)
    assert terms["deal/hold/west/keep"]["RUS"]["real_income"] == pytest.approx(-0.2)
