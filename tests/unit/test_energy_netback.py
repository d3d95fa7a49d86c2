"""Trade-cost and tariff shocks reach the rerouting LP as netbacks (the share of the delivered price the exporter
keeps), so the LP and the GE engine see the same shock. Worked on the hand-made exporter of test_energy_lp: crude
30 Mt on one port; B1 buys 20 Mt at 50, B2 10 Mt at 60 (floor price 50); B3 takes new volume only at discounted
prices 49 (3 Mt), 47.5 (4.5 Mt), 45 (7.5 Mt), 40; gas 2,000 unaffected."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.energy.from_scenario import netback_from_shocks, shock_coverage_notes
from geoshift.engines.energy.lp import EnergyOptions, reroute
from geoshift.errors import InputError
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World
from tests.unit.test_energy_lp import baseline, routes

REL = 1e-9
GAS = 800.0 + 1200.0
B3_TEN_MT = 3 * 49 + 4.5 * 47.5 + 2.5 * 45  # B2's 10 Mt resold to B3 = 473.25


@pytest.mark.parametrize(("netback", "expected"), [
    (0.9, 1000 + 0.9 * 600 + GAS),  # 54 a tonne from B2 still beats B3's 49: B2 keeps its 10 Mt
    (0.5, 1000 + B3_TEN_MT + GAS),  # 30 a tonne from B2 is below every B3 tier: all 10 Mt move to B3
])
def test_a_netback_on_one_buyer_reroutes_by_hand(netback: float, expected: float) -> None:
    r = reroute(baseline(), EnergyOptions(netback={("B2", "crude"): netback}), route_table=routes())
    assert r.revenue_usd == pytest.approx(expected, rel=REL)
    by_buyer = r.buyers.set_index(["buyer", "fuel"])["revenue_usd"]
    assert float(by_buyer.sum()) == pytest.approx(r.revenue_usd, rel=REL)


def test_an_infinite_netback_factor_is_refused() -> None:
    with pytest.raises(InputError, match=r"netback factor for B2/crude must be finite and > 0"):
        reroute(baseline(), EnergyOptions(netback={("B2", "crude"): 0.0}), route_table=routes())


def test_netbacks_from_trade_costs_and_tariffs(small_world: World) -> None:
    """RUS energy (B06) to USA: trade costs x 1.25 and a 10 % tariff leave 1 / (1.25 x 1.1) of the price; China's
    cost cut of 20 % gives 1 / 0.8; the embargo on coal is a closure, not a netback."""
    text = ("name: t\nshocks:\n"
            "  - {kind: trade_cost, exporters: RUS, importers: USA, sectors: [B06], percent: 25}\n"
            "  - {kind: tariff, exporters: RUS, importers: USA, sectors: [B06], percent: 10}\n"
            "  - {kind: trade_cost, exporters: RUS, importers: CHN, sectors: all, percent: -20}\n")
    world = small_world
    arrays = shock_arrays(world, parse_scenario(text))
    netback = netback_from_shocks(world, arrays, "RUS")
    for fuel in ("crude", "pipeline_gas", "lng"):
        assert netback[("USA", fuel)] == pytest.approx(1 / (1.25 * 1.1), rel=1e-15)
        assert netback[("CHN", fuel)] == pytest.approx(1 / 0.8, rel=1e-15)
    notes = shock_coverage_notes(world, arrays, "RUS", netback, {})
    assert any("netbacks for 2 buyer(s) (CHN, USA)" in n for n in notes)
    assert any("reach the GE engine only" in n for n in notes)
    assert not np.isinf(list(netback.values())).any()
