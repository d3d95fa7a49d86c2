"""What the rerouting LP and the alignment game report about themselves: the LP's labels, buyer-table columns,
shut-in volume, solver message and timing on the hand-made exporter of test_energy_lp; the short text a notebook
shows for a game's solution and map."""

from __future__ import annotations

import pytest

from geoshift.engines.strategy.alignment import game_map, solve_game
from tests.unit.test_alignment_game import game
from tests.unit.test_energy_lp import solve


def test_lp_result_labels_table_and_diagnostics() -> None:
    r = solve(closures={"crude": frozenset({"B1", "B2", "B3"})})  # no crude buyer left: 30 Mt shut in
    assert (r.exporter, r.year, r.status) == ("AAA", 2024, "optimal")
    assert list(r.buyers.columns) == ["buyer", "fuel", "unit", "baseline_volume", "volume", "revenue_usd", "closed"]
    crude = r.buyers[r.buyers["fuel"] == "crude"]
    assert set(crude["unit"]) == {"Mt"} and crude["closed"].all()
    assert crude.set_index("buyer")["baseline_volume"].to_dict() == {"B1": 20.0, "B2": 10.0, "B3": 0.0}
    assert r.shut_in == pytest.approx({"crude": 30.0, "pipeline_gas": 0.0}, abs=1e-9)
    assert "Optimal" in r.message and 0.0 <= r.lp_seconds <= r.seconds < 60.0
    variables, constraints, nonzeros = r.lp_size
    assert variables > 0 and constraints > 0 and nonzeros >= variables


def test_game_solution_and_map_texts() -> None:
    g = game()
    solution = solve_game(g, {"rho": 1.0})
    assert repr(solution) == (
        f"<Solution: subgame-perfect outcome deal/west/keep; {len(solution.nash)} pure Nash and {len(solution.mixed)} "
        "mixed equilibria; cooperation holds for discount factors >= 0; 8 parameters; .spe, .nash, .mixed hold the "
        "details>")
    grid = game_map(g, "rho", "package", n=3)  # Russia goes west in the last column only
    assert repr(grid) == (
        "<GameMap rho x package, 3 x 3 cells; Russia's reply to a deal: stays with China 67 %, hedges 0 %, aligns "
        f"west 33 % of the cells; {grid.engine_solves} engine solves, {grid.seconds:.1f} s>")
