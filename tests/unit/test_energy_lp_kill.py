"""The rerouting LP's calibration and infeasibility messages, and unit conversions, on the hand-made exporter of
test_energy_lp (gas: GAS 8 bcm on Pipe East (10), WST 12 bcm on Pipe West (20); crude: B1 20 Mt, B2 10 Mt on one
port (50)). The calibrated residual route carries exactly the baseline volume the listed routes cannot."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from geoshift.engines.energy.lp import RESIDUAL, EnergyOptions, InfeasibleError, _shortfall_cached, reroute
from geoshift.engines.energy.units import to_canonical
from geoshift.errors import InputError
from tests.unit.test_energy_lp import baseline, routes

REL = 1e-9


@pytest.fixture(autouse=True)
def fresh_calibration() -> Iterator[None]:
    """The calibration is memoised per network; start each test without earlier results."""
    _shortfall_cached.cache_clear()
    yield
    _shortfall_cached.cache_clear()


def with_capacity(table: pd.DataFrame, **capacity: float) -> pd.DataFrame:
    table = table.copy()
    for route, value in capacity.items():
        table.loc[table["route"] == route.replace("_", " "), "capacity"] = value
    return table


def uses(result: object) -> dict[str, tuple[str, float, float]]:
    return {u.route: (u.fuel, u.capacity, u.used) for u in result.routes}  # type: ignore[attr-defined]


def test_the_residual_route_carries_what_listed_routes_cannot() -> None:
    table = with_capacity(routes(), Pipe_East=5.0, Port=25.0)
    r = reroute(baseline(), EnergyOptions(), route_table=table)
    volumes = r.buyers.set_index(["buyer", "fuel"])["volume"]
    assert volumes[("GAS", "pipeline_gas")] == pytest.approx(8.0, rel=REL)  # the baseline is reproduced
    assert volumes[("B1", "crude")] == pytest.approx(20.0, rel=REL)
    assert volumes[("B2", "crude")] == pytest.approx(10.0, rel=REL)
    used = uses(r)
    gas = used[f"{RESIDUAL}: pipeline_gas"]
    assert gas[0] == "pipeline_gas" and gas[1] == pytest.approx(3.0, rel=REL) and gas[2] == pytest.approx(3.0, rel=REL)
    crude = used[f"{RESIDUAL}: crude"]
    assert crude[1] == pytest.approx(5.0, rel=REL) and crude[2] == pytest.approx(5.0, rel=REL)
    assert used["Pipe East"][2] == pytest.approx(5.0, rel=REL) and used["Port"][2] == pytest.approx(25.0, rel=REL)
    assert r.revenue_usd == pytest.approx(800 + 1200 + 1000 + 600, rel=REL)


def test_without_residual_need_there_is_no_residual_route() -> None:
    r = reroute(baseline(), EnergyOptions(), route_table=routes())
    assert not any(name.startswith(RESIDUAL) for name in uses(r))


def test_a_fuel_with_no_listed_route_travels_wholly_on_the_residual_route() -> None:
    table = routes()
    table = table[table["fuel"] != "crude"]
    r = reroute(baseline(), EnergyOptions(), route_table=table)
    crude = uses(r)[f"{RESIDUAL}: crude"]
    assert crude[1] == pytest.approx(30.0, rel=REL) and crude[2] == pytest.approx(30.0, rel=REL)
    # a closure then reroutes on it: B2's 10 Mt go to B3 at the discounted prices (see test_energy_lp)
    closed = reroute(baseline(), EnergyOptions(closures={"crude": frozenset({"B2"})}), route_table=table)
    moved = 3 * 50 * 0.98 + 4.5 * 50 * 0.95 + 2.5 * 50 * 0.90
    assert closed.revenue_usd == pytest.approx(800 + 1200 + 1000 + moved, rel=REL)


def test_a_residual_pipeline_reaches_only_the_buyers_it_served() -> None:
    """Pipe West cannot carry WST's 12 bcm (capacity 4): a residual route of 8 bcm serves WST; closing Pipe West
    shuts in the 4 bcm of its basin (Pipe East's basin supplies what it carried, 8 bcm, to GAS)."""
    table = with_capacity(routes(), Pipe_West=4.0)
    base = reroute(baseline(), EnergyOptions(), route_table=table)
    residual = uses(base)[f"{RESIDUAL}: pipeline_gas"]
    assert residual[1] == pytest.approx(8.0, rel=REL)
    shut = reroute(baseline(), EnergyOptions(close_routes=frozenset({"Pipe West"})), route_table=table)
    volumes = shut.buyers.set_index(["buyer", "fuel"])["volume"]
    assert volumes[("WST", "pipeline_gas")] == pytest.approx(8.0, rel=REL)
    assert volumes[("GAS", "pipeline_gas")] == pytest.approx(8.0, rel=REL)
    assert shut.shut_in["pipeline_gas"] == pytest.approx(4.0, rel=REL)


def test_floors_that_fit_one_by_one_but_not_together_are_explained_as_such() -> None:
    """GAS 9 bcm fits Pipe East (10) and its limit (max(8, 0.5 x 30) = 15); WST 12 bcm is exactly its limit
    (max(12, 0.5 x 12)); together 21 bcm exceed the 20 bcm of supply."""
    with pytest.raises(InfeasibleError) as exc:
        reroute(baseline(), EnergyOptions(floors={("GAS", "pipeline_gas"): 9.0, ("WST", "pipeline_gas"): 12.0}),
                route_table=routes())
    assert str(exc.value) == ("infeasible rerouting: the contract floors together exceed the route capacities or "
                              "the supply (AAA, 2024)")


def test_a_floor_beyond_its_routes_is_named_with_both_limits() -> None:
    with pytest.raises(InfeasibleError) as exc:
        reroute(baseline(), EnergyOptions(floors={("GAS", "pipeline_gas"): 11.0, ("WST", "pipeline_gas"): 5.0}),
                route_table=routes())
    assert str(exc.value) == ("infeasible rerouting: floor GAS/pipeline_gas = 11 bcm exceeds what can reach it "
                              "(routes 10, absorption limit 15) (AAA, 2024)")


def test_canonical_units_of_facts_tables() -> None:
    assert to_canonical("lng", 2.0, "Mt") == pytest.approx(2.72)
    assert to_canonical("pipeline_gas", 1.0, " MT/YR ") == pytest.approx(1.36)
    assert to_canonical("crude", 3.0, "mt") == 3.0
    assert to_canonical("crude", 1.0, "Mt/yr") == 1.0
    assert to_canonical("lng", 5.0, "bcm") == 5.0 and to_canonical("pipeline_gas", 4.0, "bcm/yr") == 4.0
    assert to_canonical("crude", 1.0, "mb/d") == pytest.approx(365 / 7.33)
    with pytest.raises(InputError) as exc:
        to_canonical("crude", 1.0, "kbd")
    assert str(exc.value) == "unit 'kbd' of crude has no conversion; use Mt/yr, bcm/yr or mb/d"
