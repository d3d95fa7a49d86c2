"""Centrality tables in detail: ranks are integers (ties share the better rank), the comparison's columns, its
relative change where the score before is zero, a clean index, and the per-country frame of every measure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoshift.engines.network import centrality as cn
from geoshift.errors import InputError
from geoshift.world import example_world


def test_ranks_are_integers_for_any_input() -> None:
    for values in (np.array([3, 1, 3, 2]), np.array([0.3, 0.1, 0.3, 0.2]), [3.0, 1.0, 3.0, 2.0]):
        ranked = cn.ranks(values)  # type: ignore[arg-type]
        assert ranked.dtype == np.int64
        assert ranked.tolist() == [1, 4, 1, 3]
    assert cn.ranks(np.array([5.0, 5.0, 5.0, 1.0])).tolist() == [1, 1, 1, 4]  # a three-way tie shares rank 1


def test_comparison_without_a_scenario_has_three_columns_and_a_plain_index() -> None:
    frame = cn.comparison(["A", "B", "C"], np.array([1.0, 3.0, 2.0]))
    assert list(frame.columns) == ["country", "score_before", "rank_before"]
    assert list(frame.index) == [0, 1, 2]
    assert frame["country"].tolist() == ["B", "C", "A"]


def test_comparison_with_a_scenario_in_full() -> None:
    before, after = np.array([2.0, 0.0, 4.0]), np.array([3.0, 1.0, 2.0])
    frame = cn.comparison(["A", "B", "C"], before, after)
    assert list(frame.columns) == ["country", "score_before", "rank_before", "score_after", "rank_after",
                                   "rank_change", "score_change_pct"]
    assert list(frame.index) == [0, 1, 2]
    rows = frame.set_index("country")
    # ranks before: C 1, A 2, B 3; after: A 1, C 2, B 3
    assert rows["rank_change"].to_dict() == {"A": 1, "B": 0, "C": -1}
    assert rows["score_after"].to_dict() == {"A": 3.0, "B": 1.0, "C": 2.0}
    # +50 % and -50 %; a score that was zero has no relative change (0, not infinite)
    assert rows["score_change_pct"].to_dict() == pytest.approx({"A": 50.0, "B": 0.0, "C": -50.0}, rel=1e-15)
    # movers first (|rank change| 1, then the larger |% change|, then the better rank before): C, A, then B
    assert frame["country"].tolist() == ["C", "A", "B"]


def test_the_frame_of_every_measure_by_country() -> None:
    world = example_world()
    scores = cn.baseline_centrality(world)
    frame = scores.frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == list(world.countries)
    assert list(frame.columns) == list(cn.MEASURE_BY_KEY)
    for key in cn.MEASURE_BY_KEY:
        assert frame[key].to_numpy() == pytest.approx(np.asarray(scores.scores[key]), rel=0, abs=0)


def two_supplier_table() -> cn.IOTable:
    """test_centrality's 2-country toy (H, F; sectors a, b) where H also buys 10 of its own b as an input: H.a uses
    40 of b (10 from H, 30 from F: origin shares 0.25 and 0.75), F.a uses 20 of b, all from H."""
    intermediate = np.zeros((2, 2, 2))
    intermediate[1, 0, 1], intermediate[0, 0, 1], intermediate[0, 1, 1] = 30.0, 10.0, 20.0
    use = np.zeros((2, 2, 2))
    use[0, 1, 0], use[1, 1, 0] = 40.0, 20.0
    final = np.zeros((2, 2, 2))
    final[0, 0, 0], final[0, 1, 0], final[0, 0, 1] = 70.0, 30.0, 30.0
    final[1, 1, 0], final[1, 0, 0], final[1, 1, 1] = 50.0, 30.0, 30.0
    return cn.io_table(intermediate, final, use, np.array([[100.0, 50.0], [80.0, 60.0]]))


def test_counterfactual_table_moves_origin_shares_with_trade_shares() -> None:
    """F's sales of b to H halve (30 -> 15). H's purchases of b: 40 from H, 30 from F before (shares 4/7, 3/7), 40 and
    15 after (8/11, 3/11): the intermediate shares 0.25 and 0.75 scale by 14/11 and 7/11 and renormalise to 0.4 and
    0.6. H.a still makes 100 and uses 0.4 of b per unit: 40 of b, so F's final sales of b to H are 15 - 24 = -9."""
    base = two_supplier_table()
    X0 = base.final.copy()  # flows = final + intermediate sales
    X0[1, 0, 1] += 30.0
    X0[0, 0, 1] += 10.0
    X0[0, 1, 1] += 20.0
    X1 = X0.copy()
    X1[1, 0, 1] = 15.0
    new = cn.counterfactual_io_table(base, X0, X1)
    assert new.share[0, 0, 1] == pytest.approx(0.4, rel=1e-12) and new.share[1, 0, 1] == pytest.approx(0.6, rel=1e-12)
    assert new.share[0, 1, 1] == pytest.approx(1.0)  # F's inputs of b still all from H
    np.testing.assert_allclose(new.output, X1.sum(axis=1), rtol=1e-15)
    assert new.final[0, 0, 1] == pytest.approx(40.0 - 16.0) and new.final[1, 0, 1] == pytest.approx(-9.0)
    assert new.final[0, 1, 1] == pytest.approx(0.0, abs=1e-12) and new.final[0, 0, 0] == 70.0
    assert new.negative_final == pytest.approx(9.0)
    assert new.gamma is base.gamma


def test_a_buyer_whose_suppliers_lost_every_sale_takes_its_trade_shares_or_buys_at_home() -> None:
    base = two_supplier_table()
    X0 = base.final.copy()
    X0[1, 0, 1] += 30.0
    X0[0, 0, 1] += 10.0
    X0[0, 1, 1] += 20.0
    gone = X0.copy()
    gone[:, 0, 1] = 0.0  # nobody sells b to H any more
    home = cn.counterfactual_io_table(base, X0, gone)
    assert home.share[0, 0, 1] == 1.0 and home.share[1, 0, 1] == 0.0  # buys at home
    only_final = base.final.copy()  # H's own b was only ever final demand: share 0 before
    only_final[1, 0, 1] += 30.0
    only_final[0, 1, 1] += 20.0
    toy = cn.io_table(_toy_intermediate(), base.final, _toy_use(), np.array([[100.0, 50.0], [80.0, 60.0]]))
    shifted = only_final.copy()
    shifted[1, 0, 1] = 0.0  # F no longer sells b to H; H still sells b to itself (final demand)
    moved = cn.counterfactual_io_table(toy, only_final, shifted)
    assert moved.share[0, 0, 1] == pytest.approx(1.0) and moved.share[1, 0, 1] == 0.0  # its overall trade share
    with pytest.raises(InputError) as exc:
        cn.counterfactual_io_table(base, X0, -X0)
    assert str(exc.value) == "X_new must be non-negative"


def _toy_intermediate() -> np.ndarray:
    intermediate = np.zeros((2, 2, 2))
    intermediate[1, 0, 1], intermediate[0, 1, 1] = 30.0, 20.0
    return intermediate


def _toy_use() -> np.ndarray:
    use = np.zeros((2, 2, 2))
    use[0, 1, 0], use[1, 1, 0] = 30.0, 20.0
    return use


def test_trade_matrix_by_hand_and_its_refusals_in_full() -> None:
    X = np.zeros((2, 2, 2))
    X[0, 1] = [1.0, 2.0]
    X[1, 0] = [3.0, 0.5]
    X[0, 0] = [9.0, 9.0]  # a country's trade with itself is not trade
    assert cn.trade_matrix(X).tolist() == [[0.0, 3.0], [3.5, 0.0]]
    assert cn.trade_matrix(X.sum(axis=2)).tolist() == [[0.0, 3.0], [3.5, 0.0]]  # one sector given as a matrix
    for bad in (np.full((2, 2, 1), np.nan), -np.ones((2, 2, 1))):
        with pytest.raises(InputError) as exc:
            cn.trade_matrix(bad)
        assert str(exc.value) == "X must be finite and non-negative"
    with pytest.raises(InputError) as exc:
        cn.trade_matrix(np.ones((2, 3, 2)))
    assert str(exc.value) == "X must have shape (countries, countries, sectors), got (2, 3, 2)"


def test_table_refusals_name_the_array() -> None:
    table = two_supplier_table()
    with pytest.raises(InputError) as exc:
        cn.counterfactual_io_table(table, np.ones((2, 2, 3)), np.ones((2, 2, 2)))
    assert str(exc.value) == "X_base must have shape (2, 2, 2), got (2, 2, 3)"
    with pytest.raises(InputError) as exc:
        cn.io_table(np.full((2, 2, 2), np.inf), np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), np.ones((2, 2)))
    assert str(exc.value) == "intermediate has non-finite entries"
    with pytest.raises(InputError) as exc:
        cn.io_table(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), np.ones(4))
    assert str(exc.value) == "gross_output must be (countries, sectors), got shape (4,)"


def test_value_added_diagnostics_and_upstreamness_of_idle_sectors() -> None:
    table = two_supplier_table()
    dense = cn.value_added_trade(table, method="dense")
    assert dense.method == "dense" and dense.iterations == 0 and dense.residual == 0.0
    iterative = cn.value_added_trade(table)
    assert iterative.method == "iterative" and iterative.iterations >= 1 and 0.0 <= iterative.residual < 1e-9
    assert 0.0 <= iterative.seconds < 60.0 and 0.0 <= dense.seconds < 60.0
    np.testing.assert_allclose(iterative.va, dense.va, rtol=1e-10)
    idle = cn.io_table(np.zeros((2, 2, 2)), np.ones((2, 2, 2)), np.zeros((2, 2, 2)), np.array([[2.0, 0.0], [2.0, 2.0]]))
    up = cn.value_added_trade(idle, method="dense").upstreamness
    assert up[0, 1] == 1.0  # a sector that produces nothing counts as one stage from final demand


def test_scores_carry_their_timings_and_options() -> None:
    world = example_world()
    table = cn.world_io_table(world)
    scores = cn.centrality_scores(world.countries, world.X, table, method="dense")
    assert scores.value_added.method == "dense"
    assert 0.0 <= scores.network_seconds < 60.0 and scores.leontief_seconds == scores.value_added.seconds
    assert scores.negative_final == table.negative_final
    damped = cn.centrality_scores(world.countries, world.X, table, alpha=0.5)
    assert not np.allclose(damped.scores["pagerank"], scores.scores["pagerank"])
    with pytest.raises(InputError) as exc:
        cn.centrality_scores(("CHN", "RUS"), world.X, table)
    assert str(exc.value) == "2 country labels for 3 countries"
