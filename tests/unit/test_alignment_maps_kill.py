"""The alignment game's parameter map and ensemble on the hand-set game of test_alignment_game (Russia pivots west
after a deal iff rho > 1/2, ties reading "china"): grid sizes, progress reports, overrides, defaults, the share of
draws in which Russia aligns west against the outcome shares, reproducible seeds, and the errors in full."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.strategy.alignment import game_ensemble, game_map
from geoshift.errors import ScenarioError
from tests.unit.test_alignment_game import game


def test_map_rows_progress_and_overrides() -> None:
    g = game()
    calls: list[tuple[int, int]] = []
    grid = game_map(g, "rho", "package", n=3, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(3, 9), (6, 9), (9, 9)]
    assert grid.x_values.tolist() == [0.0, 0.5, 1.0] and grid.russia_moves.dtype.kind == "i"
    assert grid.russia_moves.tolist() == [[0, 0, 2]] * 3  # rho = 0.5 is a tie that reads "china"
    assert 0.0 <= grid.seconds < 60.0
    # Russia valuing the reduced NATO threat at 0.4 moves the threshold to rho = 0.3
    secure = game_map(g, "rho", "package", n=3, overrides={"rus_security_west": 0.4})
    assert secure.russia_moves.tolist() == [[0, 2, 2]] * 3
    small = game_map(g, "rho", "package", n=2)
    assert small.russia_moves.shape == (2, 2)
    assert len(game_map(g, "rho", "package").x_values) == 40


def test_map_errors_in_full() -> None:
    g = game()
    with pytest.raises(ScenarioError) as exc:
        game_map(g, "rho", "zz")
    assert str(exc.value) == (f"map parameter 'zz' is not a parameter of {g.spec.name}; parameters: "
                              + ", ".join(g.spec.parameters))
    with pytest.raises(ScenarioError) as exc:
        game_map(g, "rho", "rho")
    assert str(exc.value) == "the two map parameters must differ"
    with pytest.raises(ScenarioError) as exc:
        game_map(g, "rho", "package", n=1)
    assert str(exc.value) == "map size 1 must be between 2 and 200"


def test_ensemble_of_trust_alone() -> None:
    g = game()
    fixed = {name: p.value for name, p in g.spec.parameters.items() if name != "rho"}
    calls: list[tuple[int, int]] = []
    e = game_ensemble(g, 5, overrides=fixed, progress=lambda done, total: calls.append((done, total)))
    assert (e.draws, e.sampler, e.seed, e.parameters) == (5, "lhs", 0, ("rho",))
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]
    assert len(e.west) == 5 and set(e.west) <= {0.0, 1.0}
    assert e.west_share == pytest.approx(sum(e.west) / 5)
    # Russia aligns west in exactly the draws whose path is the deal with Russia going west
    assert e.west_share == pytest.approx(e.outcome_shares.get("deal/west/keep", 0.0))
    assert 0.0 < e.west_share < 1.0 and sum(e.outcome_shares.values()) == pytest.approx(1.0)
    counts = list(e.outcome_shares.values())
    assert counts == sorted(counts, reverse=True)  # most frequent outcome first
    assert list(e.drivers) == ["rho"] and e.drivers["rho"] > 0.0
    again = game_ensemble(g, 5, overrides=fixed)
    assert again.west == e.west
    assert 0.0 <= e.seconds < 60.0


def test_ensemble_with_everything_fixed_and_its_limits() -> None:
    g = game()
    fixed = {name: p.value for name, p in g.spec.parameters.items()} | {"rho": 0.8}
    e = game_ensemble(g, 2, overrides=fixed)
    assert e.parameters == () and e.drivers == {} and e.west == (1.0, 1.0) and e.west_share == 1.0
    assert e.outcome_shares == {"deal/west/keep": 1.0}
    with pytest.raises(ScenarioError) as exc:
        game_ensemble(g, 1)
    assert str(exc.value) == "draws 1: give at least 2"
    seeded = game_ensemble(g, 7, seed=3)
    assert seeded.seed == 3 and game_ensemble(g, 7, seed=3).west == seeded.west
    assert np.isfinite(list(seeded.drivers.values())).all()
