"""One diagnostics type for every engine: the GE solver, the rerouting LP and the bargaining model all report
converged / iterations / residual / seconds / status in ``geoshift.engines.diagnostics.Diagnostics``; a stored run
keeps the GE engine's and the LP's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import geoshift
from geoshift.engines.bargain import load_actors, run_bargaining
from geoshift.engines.diagnostics import Diagnostics
from geoshift.engines.energy.lp import EnergyOptions, reroute
from geoshift.engines.trade_ge import calibrate, solve_multisector
from geoshift.errors import ConvergenceError
from geoshift.world import World
from tests.unit.test_energy_lp import baseline, routes

GAMES = Path(__file__).resolve().parents[2] / "games"


def test_every_engine_reports_the_one_type(small_world: World) -> None:
    ge = solve_multisector(calibrate(small_world), np.ones(small_world.X.shape), [5.0, 5.0, 5.0]).diagnostics
    lp = reroute(baseline(), EnergyOptions(), route_table=routes()).diagnostics
    bargain = run_bargaining(load_actors(GAMES / "ec_emissions_actors.csv")).diagnostics
    for d, engine, status in ((ge, "trade_ge", "converged"), (lp, "energy_lp", "optimal"),
                              (bargain, "bargain", "settled")):
        assert type(d) is Diagnostics and d.converged and (d.engine, d.status) == (engine, status)
        assert d.seconds > 0 and d.iterations >= 0 and np.isfinite(d.residual)
    assert ge.residual <= 1e-10 and lp.residual == 0.0 and bargain.iterations == 107


def test_non_convergence_is_loud_and_reported(small_world: World) -> None:
    tau = np.ones(small_world.X.shape)
    tau[1, 0, 0] = 3.0
    with pytest.raises(ConvergenceError, match="did not converge"):
        solve_multisector(calibrate(small_world), tau, [5.0] * 3, max_iter=2)
    raw = solve_multisector(calibrate(small_world), tau, [5.0] * 3, max_iter=2, raise_on_failure=False)
    d = raw.diagnostics
    assert (d.converged, d.status, d.iterations) == (False, "not converged", 2)
    unsettled = run_bargaining(load_actors(GAMES / "ec_emissions_actors.csv"), max_rounds=3, raise_on_failure=False)
    assert (unsettled.diagnostics.converged, unsettled.diagnostics.status) == (False, "not settled")


def test_a_stored_run_keeps_both_engines_diagnostics(small_world: World) -> None:
    scenario = geoshift.parse_scenario("name: d\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA}\n")
    diag = geoshift.run(scenario, small_world).diagnostics
    assert (diag["engine"], diag["status"], diag["converged"]) == ("trade_ge", "converged", True)
    energy = diag["energy"]
    assert isinstance(energy, dict)
    assert (energy["engine"], energy["status"], energy["converged"]) == ("energy_lp", "optimal", True)
    assert energy["lp_seconds"] > 0 and len(energy["lp_size"]) == 3
