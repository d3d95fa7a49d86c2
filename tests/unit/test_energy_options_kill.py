"""From a scenario's ``energy:`` settings and trade shocks to the LP's options (``energy_options``), field by
field on the example World (CHN, RUS, USA; sectors B06, C24A, G): closures written and derived from embargoes,
netbacks, caps and floors over groups, route openings and capacities, prices, the coverage notes, and the errors."""

from __future__ import annotations

import pytest

from geoshift.engines.energy.from_scenario import energy_options
from geoshift.engines.energy.lp import DEFAULT_DISCOUNT, EnergyOptions
from geoshift.errors import ScenarioError
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.spec import Scenario, parse_scenario
from geoshift.world import World, example_world

SHOCKS = """name: t
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
  - {kind: trade_cost, exporters: RUS, importers: CHN, sectors: all, percent: 25}
"""
ENERGY = """energy:
  exporter: RUS
  year: 2023
  closures:
    - {buyers: CHN, fuels: [coal]}
    - {buyers: [USA], fuels: [coal, lng]}
    - {buyers: China, fuels: [products]}
  bounds:
    - {buyers: CHN, fuel: crude, max: 50}
    - {buyers: USA, fuel: lng, min: 0.2}
    - {buyers: BRICS, fuel: pipeline_gas, min: 2, max: 2}
  openings:
    - {route: Power of Siberia 2, start_year: 2030, capacity: 50}
    - {route: Arctic LNG 2}
  route_capacity: {Druzhba: 10}
  close_routes: [Nord Stream]
  price_change_pct: {crude: -10}
  supply_change_pct: {lng: 5}
  max_supplier_share: 0.4
  discount: [[0.2, 0.05], [1.0, 0.1]]
"""


def scenario(text: str) -> Scenario:
    return parse_scenario(text)


def options_of(world: World, text: str, *, arrays: bool = True) -> EnergyOptions:
    s = scenario(text)
    assert s.energy is not None
    return energy_options(world, s.energy, shock_arrays(world, s) if arrays else None, group_year=2023)


def test_every_setting_reaches_the_options() -> None:
    world = example_world()
    o = options_of(world, SHOCKS + ENERGY)
    # the embargo on RUS's B06 sales to USA closes USA for crude, gas and LNG; written closures add to it
    assert dict(o.closures) == {"crude": frozenset({"USA"}), "pipeline_gas": frozenset({"USA"}),
                                "lng": frozenset({"USA"}), "coal": frozenset({"CHN", "USA"}),
                                "products": frozenset({"CHN"})}
    # trade costs x 1.25 on RUS -> CHN: RUS keeps 1 / 1.25 of the delivered price of each B06 fuel
    assert dict(o.netback) == pytest.approx({("CHN", "crude"): 0.8, ("CHN", "pipeline_gas"): 0.8,
                                             ("CHN", "lng"): 0.8})
    # BRICS among the example World's BACI countries in 2023: CHN and RUS
    assert dict(o.caps) == {("CHN", "crude"): 50.0, ("CHN", "pipeline_gas"): 2.0,
                            ("RUS", "pipeline_gas"): 2.0}
    assert dict(o.floors) == {("USA", "lng"): 0.2, ("CHN", "pipeline_gas"): 2.0,
                              ("RUS", "pipeline_gas"): 2.0}
    assert dict(o.open_routes) == {"Power of Siberia 2": 2030, "Arctic LNG 2": 2023}
    assert dict(o.route_capacity) == {"Druzhba": 10.0, "Power of Siberia 2": 50.0}
    assert o.close_routes == frozenset({"Nord Stream"})
    assert dict(o.price_change_pct) == {"crude": -10.0}
    assert dict(o.supply_change_pct) == {"lng": 5.0}
    assert o.max_supplier_share == 0.4
    assert o.discount == ((0.2, 0.05), (1.0, 0.1))
    # the notes count what the LP sees before the written closures: USA closed by the embargo, CHN's netback,
    # and the shocked cells that are not RUS's B06 sales (both shocks work both ways): USA -> RUS B06, RUS -> CHN
    # C24A and G, CHN -> RUS in all three sectors
    assert o.notes == (
        "Embargoes on RUS's energy sales close 1 buyer(s) in the LP (USA).",
        "Trade-cost and tariff changes on RUS's energy sales reach the LP as netbacks for 1 buyer(s) (CHN): delivered "
        "prices are held and RUS absorbs the cost, so it keeps 80-80 % of the price (an assumption).",
        "6 shocked trade cells are not RUS's energy sales (other sectors or other exporters): they reach the GE "
        "engine only, not the energy LP.",
    )


def test_trade_shocks_stay_out_when_switched_off_or_absent() -> None:
    world = example_world()
    off = options_of(world, SHOCKS + ENERGY.replace("  year: 2023\n", "  year: 2023\n  from_trade_shocks: false\n"))
    assert dict(off.closures) == {"coal": frozenset({"CHN", "USA"}), "lng": frozenset({"USA"}),
                                  "products": frozenset({"CHN"})}
    assert dict(off.netback) == {} and off.notes == ()
    none = options_of(world, SHOCKS + ENERGY, arrays=False)
    assert dict(none.closures) == dict(off.closures) and dict(none.netback) == {}
    assert none.notes == ()


def test_defaults_without_energy_settings_beyond_the_exporter() -> None:
    o = options_of(example_world(), "name: t\nshocks: []\nenergy: {exporter: RUS}\n")
    assert dict(o.closures) == {} and dict(o.caps) == {} and dict(o.floors) == {}
    assert dict(o.open_routes) == {} and dict(o.route_capacity) == {}
    assert o.discount == DEFAULT_DISCOUNT and o.max_supplier_share == 0.5
    assert o.notes == ("The scenario has no trade shock; the LP changes only by its energy: settings.",)
    opening = options_of(example_world(), "name: t\nshocks: []\nenergy: {exporter: RUS, openings: [{route: X}]}\n")
    assert dict(opening.open_routes) == {"X": 0}


def test_bounds_and_closures_errors_name_the_entry() -> None:
    world = example_world()
    with pytest.raises(ScenarioError) as exc:
        options_of(world, "name: t\nshocks: []\nenergy:\n  bounds:\n    - {buyers: CHN, fuel: crude, max: 1}\n"
                          "    - {buyers: CHN, fuel: crude}\n")
    assert str(exc.value) == "energy.bounds[1]: give max, min or both"
    with pytest.raises(ScenarioError) as exc:
        options_of(world, "name: t\nshocks: []\nenergy:\n  bounds:\n    - {buyers: CHN, fuel: crude, min: 3, max: 2}\n")
    assert str(exc.value) == "energy.bounds[0]: min 3.0 is above max 2.0"
    only_min = options_of(world, "name: t\nshocks: []\nenergy:\n  bounds:\n    - {buyers: USA, fuel: coal, min: 3}\n")
    assert dict(only_min.floors) == {("USA", "coal"): 3.0} and dict(only_min.caps) == {}
    with pytest.raises(ScenarioError) as exc:
        options_of(world, "name: t\nshocks: []\nenergy:\n  closures:\n    - {buyers: CHN}\n    - {buyers: Atlantis}\n")
    assert str(exc.value).startswith("energy.closures[1].buyers: unknown country or group 'Atlantis'")
    with pytest.raises(ScenarioError) as exc:
        options_of(world, "name: t\nshocks: []\nenergy:\n  bounds:\n    - {buyers: Atlantis, fuel: coal, max: 1}\n")
    assert str(exc.value).startswith("energy.bounds[0].buyers: unknown country or group 'Atlantis'")
    every = options_of(world, "name: t\nshocks: []\nenergy:\n  closures:\n    - {buyers: USA}\n")
    assert dict(every.closures) == {f: frozenset({"USA"}) for f in ("crude", "products", "pipeline_gas", "lng",
                                                                    "coal")}
