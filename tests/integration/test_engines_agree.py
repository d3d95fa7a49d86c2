"""Engines that agree or say why not: every shipped scenario with a shock on Russia's energy trade moves the
rerouting LP's revenue in the same direction as the GE engine's Russian energy exports, and the LP's notes say
which shocks it saw and which reach the GE engine only. Before, the LP ignored trade-cost and bloc shocks:
two_blocs and china_russia_decouple reported +0.00 % energy revenue while the GE engine showed a fall."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.energy.from_scenario import FUEL_SECTOR
from geoshift.results.run import Runner
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.shipped import shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.world import World

pytestmark = pytest.mark.realdata

NO_CHANGE_PCT = 1e-9


@pytest.mark.parametrize("path", shipped_scenarios(), ids=lambda p: p.stem)
def test_both_engines_move_russias_energy_exports_the_same_way(real_world: World, path: object) -> None:
    scenario = load_scenario(path)  # type: ignore[arg-type]
    results = Runner(real_world).run(scenario)
    m = results.metrics
    ge = float(m[(m["metric"] == "sector_exports_change_pct") & (m["country"] == "RUS")
                 & (m["sector"] == "energy")]["value"].iloc[0])
    lp = float(m[(m["metric"] == "energy_revenue_change_pct") & (m["country"] == "RUS")]["value"].iloc[0])
    arrays = shock_arrays(real_world, scenario)
    rus = real_world.countries.index("RUS")
    energy = sorted({real_world.sectors.index(s) for s in FUEL_SECTOR.values()})
    touched = bool(((arrays.tau_hat[rus][:, energy] != 1.0) | (arrays.tariff[rus][:, energy] != 0.0)).any())
    assert results.energy is not None
    notes = " ".join(results.energy.notes)
    if not touched:
        assert abs(lp) <= NO_CHANGE_PCT
        assert "no trade shock" in notes or "reach the GE engine only" in notes
        return
    assert np.sign(ge) == np.sign(lp) != 0, f"{scenario.name}: GE {ge:+.2f} %, LP {lp:+.2f} %"
    assert "close" in notes or "netbacks" in notes
