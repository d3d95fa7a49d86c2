"""Game solvers against hand-solved examples."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.strategy.mixed import delta_star, two_player_equilibria
from geoshift.engines.strategy.tree import Node, best_response_gap, normal_form, pure_nash, subgame_perfect
from geoshift.errors import InputError


def leaf(**payoffs: float) -> Node:
    return Node(payoffs=payoffs)


def test_matching_pennies_has_one_mixed_equilibrium() -> None:
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    eqs = two_player_equilibria(A, -A)
    assert len(eqs) == 1
    np.testing.assert_allclose(eqs[0].row, [0.5, 0.5])
    np.testing.assert_allclose(eqs[0].column, [0.5, 0.5])
    assert eqs[0].gap <= 1e-12 and eqs[0].payoffs == pytest.approx((0.0, 0.0))


def test_battle_of_the_sexes_by_hand() -> None:
    """Pure (0,0) and (1,1); mixed: row plays 0 with 3/4 (so the column player is indifferent: 1p = 3(1-p))."""
    A = np.array([[3.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [0.0, 3.0]])
    eqs = two_player_equilibria(A, B)
    assert len(eqs) == 3
    mixed = next(e for e in eqs if 0 < e.row[0] < 1)
    assert mixed.row[0] == pytest.approx(0.75) and mixed.column[0] == pytest.approx(0.25)
    assert mixed.payoffs == pytest.approx((0.75, 0.75))
    for e in eqs:
        assert e.gap <= 1e-9


def test_three_stage_game_with_known_spe() -> None:
    """US offers (none/deal); Russia aligns (china/west); China responds (keep/retaliate) after west.
    By hand: after deal/west China keeps (1 > 0); after none/west China retaliates (2 > 1). Russia: after deal,
    west (3) beats china (1); after none, china (1) beats west (-1). US: deal gives 2, none gives 0 -> deal."""
    west_deal = Node("CHN", {"keep": leaf(USA=2, RUS=3, CHN=1), "retaliate": leaf(USA=1, RUS=0, CHN=0)})
    west_none = Node("CHN", {"keep": leaf(USA=1, RUS=2, CHN=1), "retaliate": leaf(USA=0, RUS=-1, CHN=2)})
    root = Node("USA", {
        "deal": Node("RUS", {"china": leaf(USA=-1, RUS=1, CHN=3), "west": west_deal}),
        "none": Node("RUS", {"china": leaf(USA=0, RUS=1, CHN=3), "west": west_none}),
    })
    (spe,) = subgame_perfect(root, ["USA", "RUS", "CHN"])
    assert spe.path == ("deal", "west", "keep")
    assert spe.payoffs == {"USA": 2, "RUS": 3, "CHN": 1}
    assert spe.strategies["CHN"] == {("deal", "west"): "keep", ("none", "west"): "retaliate"}
    assert spe.strategies["RUS"] == {("deal",): "west", ("none",): "china"}
    game = normal_form(root, ["USA", "RUS", "CHN"])
    assert game.payoffs.shape == (2, 4, 4, 3)
    equilibria = pure_nash(game)
    spe_index = (game.strategies[0].index(spe.strategies["USA"]), game.strategies[1].index(spe.strategies["RUS"]),
                 game.strategies[2].index(spe.strategies["CHN"]))
    assert spe_index in equilibria  # every SPE is a Nash equilibrium
    mixed = [np.eye(n)[i] for n, i in zip(game.payoffs.shape[:-1], spe_index, strict=True)]
    assert best_response_gap(game, mixed) == pytest.approx(0.0, abs=1e-12)


def test_ties_are_reported() -> None:
    root = Node("A", {"l": leaf(A=1, B=0), "r": leaf(A=1, B=5)})
    spes = subgame_perfect(root, ["A", "B"])
    assert {s.path for s in spes} == {("l",), ("r",)}
    assert all(s.ties == ((),) for s in spes)


def test_delta_star() -> None:
    assert delta_star(T=5.0, R=3.0, P=1.0) == pytest.approx((5 - 3) / (5 - 1))
    assert delta_star(T=2.0, R=3.0, P=1.0) == 0.0
    assert delta_star(T=2.0, R=1.5, P=2.5) is None
    with pytest.raises(InputError, match="T must be a finite payoff"):
        delta_star(float("nan"), 1.0, 0.0)


def test_bad_games() -> None:
    with pytest.raises(InputError, match="no payoff for player"):
        subgame_perfect(Node("A", {"x": leaf(A=1)}), ["A", "B"])
    with pytest.raises(InputError, match="mover 'Z' is not a player"):
        subgame_perfect(Node("Z", {"x": leaf(A=1, B=1)}), ["A", "B"])
    with pytest.raises(InputError, match="is not a finite number"):
        subgame_perfect(Node("A", {"x": leaf(A=float("inf"), B=1)}), ["A", "B"])
    with pytest.raises(InputError, match="same 2-D shape"):
        two_player_equilibria(np.ones((2, 2)), np.ones((2, 3)))


def test_duplicate_strategies_are_merged_before_support_enumeration() -> None:
    """Battle of the sexes with each column strategy written three times (as when a strategy also names moves at
    nodes play never reaches): the same three equilibria, 30 columns in all, solved on the reduced 2 x 2 game."""
    A = np.array([[3.0, 0.0], [0.0, 1.0]])
    B = np.array([[1.0, 0.0], [0.0, 3.0]])
    reduced = two_player_equilibria(A, B)
    wide_A, wide_B = np.repeat(A, 15, axis=1), np.repeat(B, 15, axis=1)  # 2^30 support pairs if not reduced
    wide = two_player_equilibria(wide_A, wide_B)
    np.testing.assert_allclose(sorted(e.payoffs for e in wide), sorted(e.payoffs for e in reduced), atol=1e-12)
    for e in wide:  # the gap is measured on the full 2 x 30 game
        assert e.gap <= 1e-9 and e.row.sum() == pytest.approx(1) and e.column.sum() == pytest.approx(1)
    with pytest.raises(InputError, match="too large"):
        two_player_equilibria(np.arange(60.0).reshape(2, 30), -np.arange(60.0).reshape(2, 30))
