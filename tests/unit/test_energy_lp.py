"""The rerouting LP on a small hand-made exporter whose optimum can be computed by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from geoshift.engines.energy.baseline import EnergyBaseline
from geoshift.engines.energy.lp import EnergyOptions, InfeasibleError, capacity_sweep, reroute
from geoshift.errors import InputError

REL = 1e-9


def routes() -> pd.DataFrame:
    return pd.DataFrame([
        ("Pipe East", "pipeline_gas", "AAA", "GAS", 10.0, "bcm", "operating", None, "yes", "east"),
        ("Pipe West", "pipeline_gas", "AAA", "WST", 20.0, "bcm", "operating", None, "yes", "west"),
        ("Port", "crude", "AAA", "world", 50.0, "Mt", "operating", None, "yes", "crude"),
        ("New Pipe", "pipeline_gas", "AAA", "GAS;WST", 5.0, "bcm", "planned", 2030, "no", "west"),
    ], columns=["route", "fuel", "exporter", "buyers", "capacity", "unit", "status_2024", "start_year",
                "available", "basin"])


def baseline() -> EnergyBaseline:
    flows = pd.DataFrame([
        ("GAS", "pipeline_gas", 800.0, 8.0, 100.0),
        ("WST", "pipeline_gas", 1200.0, 12.0, 100.0),
        ("B1", "crude", 1000.0, 20.0, 50.0),
        ("B2", "crude", 600.0, 10.0, 60.0),
    ], columns=["buyer", "fuel", "value_usd", "quantity", "price_usd"])
    flows["unit"] = flows["fuel"].map({"crude": "Mt", "pipeline_gas": "bcm"})
    flows["tonnes"] = 0.0
    flows["imputed"] = False
    imports = pd.DataFrame([("GAS", "pipeline_gas", 30.0), ("WST", "pipeline_gas", 12.0), ("B1", "crude", 20.0),
                            ("B2", "crude", 10.0), ("B3", "crude", 100.0)], columns=["buyer", "fuel", "quantity"])
    return EnergyBaseline("AAA", 2024, flows, imports)


def solve(**options: object) -> object:
    return reroute(baseline(), EnergyOptions(**options), route_table=routes())  # type: ignore[arg-type]


def test_baseline_is_reproduced_when_no_constraint_binds() -> None:
    r = solve()
    volumes = r.buyers.set_index(["buyer", "fuel"])["volume"]
    assert volumes[("GAS", "pipeline_gas")] == pytest.approx(8.0, rel=REL)
    assert volumes[("B1", "crude")] == pytest.approx(20.0, rel=REL)
    assert volumes[("B3", "crude")] == pytest.approx(0.0, abs=1e-9)
    assert r.revenue_usd == pytest.approx(800 + 1200 + 1000 + 600, rel=REL)
    assert all(v == pytest.approx(0.0, abs=1e-9) for v in r.shut_in.values())


def test_closure_with_spare_capacity_elsewhere_loses_only_the_discount() -> None:
    """B2's 10 Mt go to B3 at p_floor = 50 less the bracket discounts: 3 Mt at 2 %, 4.5 Mt at 5 %, 2.5 Mt at 10 %
    (B3's share of the exporter's 30 Mt rises through 10 %, 25 %, 50 %); B1's extra volume would cost 20 %."""
    base = solve()
    r = solve(closures={"crude": frozenset({"B2"})})
    moved = 3 * 50 * 0.98 + 4.5 * 50 * 0.95 + 2.5 * 50 * 0.90
    assert r.revenue_usd == pytest.approx(base.revenue_usd - 600 + moved, rel=REL)
    assert r.shut_in["crude"] == pytest.approx(0.0, abs=1e-9)
    volumes = r.buyers.set_index(["buyer", "fuel"])["volume"]
    assert volumes[("B3", "crude")] == pytest.approx(10.0, rel=REL)


def test_pipeline_gas_to_a_closed_buyer_with_no_other_route_is_shut_in() -> None:
    r = solve(closures={"pipeline_gas": frozenset({"GAS"})})
    assert r.shut_in["pipeline_gas"] == pytest.approx(8.0, rel=REL)
    assert r.revenue_usd == pytest.approx(1200 + 1000 + 600, rel=REL)
    # gas fields feed their own pipelines: closing WST strands the western field's 12 bcm ...
    west = solve(closures={"pipeline_gas": frozenset({"WST"})})
    assert west.shut_in["pipeline_gas"] == pytest.approx(12.0, rel=REL)
    # ... until a new western pipeline (5 bcm) reaches GAS, which can absorb up to 50 % of its 30 bcm imports
    opened = solve(closures={"pipeline_gas": frozenset({"WST"})}, open_routes={"New Pipe": 2030})
    assert opened.shut_in["pipeline_gas"] == pytest.approx(7.0, rel=REL)
    # GAS's share of the 20 bcm rises from 40 %: 2 bcm in the 10 % bracket (to 50 %), 3 bcm in the 20 % bracket
    assert opened.revenue_usd == pytest.approx(800 + 2 * 90 + 3 * 80 + 1600, rel=REL)
    dual = next(u.dual_usd for u in opened.routes if u.route == "New Pipe")
    assert dual == pytest.approx(80.0)


@pytest.mark.parametrize(("route", "capacity"), [("Port", 25.0), ("Port", 40.0), ("Pipe West", 9.0)])
def test_duals_match_finite_differences(route: str, capacity: float) -> None:
    step = 0.25
    r = solve(route_capacity={route: capacity})
    up = solve(route_capacity={route: capacity + step})
    down = solve(route_capacity={route: capacity - step})
    dual = next(u.dual_usd for u in r.routes if u.route == route)
    assert dual == pytest.approx((up.revenue_usd - r.revenue_usd) / step, rel=1e-7, abs=1e-7)
    assert dual == pytest.approx((r.revenue_usd - down.revenue_usd) / step, rel=1e-7, abs=1e-7)
    if capacity == 25.0:
        assert dual == pytest.approx(50.0)  # the marginal barrel is B1's, at 50
        assert r.shut_in["crude"] == pytest.approx(5.0)


def test_capacity_sweep_equals_separate_solves() -> None:
    values = [0.0, 5.0, 25.0, 60.0]
    swept = capacity_sweep(baseline(), EnergyOptions(), "Port", values, route_table=routes())
    for value, result in zip(values, swept, strict=True):
        single = solve(route_capacity={"Port": value})
        assert result.revenue_usd == pytest.approx(single.revenue_usd, rel=REL)
        assert next(u.capacity for u in result.routes if u.route == "Port") == value
    with pytest.raises(InputError, match="is not available"):
        capacity_sweep(baseline(), EnergyOptions(), "New Pipe", [1.0], route_table=routes())


def test_infeasible_floors_name_the_constraint() -> None:
    with pytest.raises(InfeasibleError, match=r"floor GAS/pipeline_gas = 15 bcm exceeds what can reach it"):
        solve(floors={("GAS", "pipeline_gas"): 15.0})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"route_capacity": {"Pipe Est": 5.0}}, "unknown route 'Pipe Est'; closest: Pipe East"),
        ({"route_capacity": {"Port": -1.0}}, "capacity of route 'Port' must be >= 0"),
        ({"closures": {"diesel": frozenset({"B1"})}}, "unknown fuel 'diesel'"),
        ({"caps": {("B1", "crude"): -2.0}}, "must be >= 0"),
        ({"max_supplier_share": 1.5}, r"max_supplier_share must be in \(0, 1\]"),
        ({"discount": ((0.5, 0.2), (0.2, 0.1))}, "discount brackets must rise"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve(**options)
