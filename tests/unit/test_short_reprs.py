"""No result prints more than a screen in a notebook: the repr of every result type a user meets is short, with
no array dumped whole (issue 15). The run types (Results, RunRecord, World, EnsembleResult) are checked in
test_notebook_api.py."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from geoshift.analysis import profile
from geoshift.engines.bargain import load_actors, perturbed_forecasts, run_bargaining
from geoshift.engines.network.centrality import baseline_centrality
from geoshift.engines.strategy.alignment import game_ensemble, game_map, solve_game
from geoshift.engines.trade_ge import calibrate, solve_multisector, theta_for
from geoshift.scenario import shocks
from geoshift.world import example_world

ROOT = Path(__file__).resolve().parents[2]
SCREEN_LINES, SCREEN_CHARS = 40, 4000  # a notebook cell's output without scrolling, generously


def on_screen(value: Any) -> None:
    text = repr(value)
    assert len(text.splitlines()) <= SCREEN_LINES and len(text) <= SCREEN_CHARS, (type(value).__name__, len(text))


def test_engine_results_print_short() -> None:
    world = example_world()
    on_screen(profile(world, "RUS"))
    result = solve_multisector(calibrate(world), shocks.no_change(world), theta_for(world.sectors))
    on_screen(result)
    on_screen(baseline_centrality(world))
    actors = load_actors(ROOT / "games" / "russia_alignment_actors.csv")
    bargain = run_bargaining(actors)
    on_screen(bargain)  # was 1.3 MB: every round's offers
    assert repr(bargain).startswith("<BargainResult: forecast ") and f"{len(actors.name)} actors" in repr(bargain)
    on_screen(perturbed_forecasts(actors, spread=0.1, draws=20))


def test_game_results_print_short() -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from test_alignment_game import game  # the hand-set payoffs of the game tests

    played = game()
    on_screen(solve_game(played))
    on_screen(game_map(played, "rho", "package", 40))
    on_screen(game_ensemble(played, 16, seed=1))


@pytest.mark.parametrize("n", [1])
def test_the_check_catches_a_long_repr(n: int) -> None:
    with pytest.raises(AssertionError):
        on_screen(list(range(5000 * n)))
