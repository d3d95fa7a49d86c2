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
    opened = solve(closures={"pipeline_gas": frozenset({"WST"})}, open_routes={"New Pipe": 2024})
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
        # a cut beyond 100 % would make supply negative (it used to end in an infeasible LP blaming the floors)
        ({"supply_change_pct": {"crude": -150.0}}, r"supply_change_pct for crude must be >= -100 \(all of it "
                                                   r"shut in\), got -150"),
        ({"supply_change_pct": {"crude": float("nan")}}, "supply_change_pct for crude must be >= -100"),
        ({"price_change_pct": {"crude": -100.0}}, r"price_change_pct for crude must be > -100, got -100"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve(**options)


# --- every option with a hand-computed optimum ------------------------------------------------------------------
# Hand model (from routes() and baseline() above). Crude: supply 30 Mt on Port (50 Mt, any buyer); B1 20 Mt at 50 and
# B2 10 Mt at 60 (US$ 1,000 + 600); p_floor = 50; absorption limits max(q0, 0.5 x imports): B1 20, B2 10, B3 50.
# B3 (q0 = 0) buys in tier 2 only, in share brackets of the exporter's 30 Mt: 3 Mt at 2 % off p_floor (49), 4.5 Mt
# at 5 % (47.5), 7.5 Mt at 10 % (45), 15 Mt at 20 % (40). Pipeline gas: GAS 8 bcm (Pipe East, east field 8) and WST
# 12 bcm (Pipe West, west field 12), both at 100; limits GAS 15, WST 12. Baseline revenue 2,000 + 1,600 = 3,600.
B3_TEN_MT = 3 * 49 + 4.5 * 47.5 + 2.5 * 45  # 473.25: B3's tier-2 revenue on 10 Mt (3 + 4.5 + 2.5 Mt)


def by_buyer(result: object, column: str = "revenue_usd") -> dict[str, float]:
    table = result.buyers  # type: ignore[attr-defined]
    return {str(b): float(v) for b, v in zip(table["buyer"], table[column], strict=True)}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        # closing B2's crude: B3 takes the 10 Mt in three tier-2 brackets (it has no tier 1)
        ({"closures": {"crude": frozenset({"B2"})}},
         {"B1": 1000.0, "B2": 0.0, "B3": B3_TEN_MT, "GAS": 800.0, "WST": 1200.0}),
        # closing WST and opening New Pipe (5 bcm, west field): GAS buys tier 1 (8 bcm at 100) and then tier 2:
        # 2 bcm at 10 % off (90, its share 40 % -> 50 % of 20 bcm) and 3 bcm at 20 % off (80)
        ({"closures": {"pipeline_gas": frozenset({"WST"})}, "open_routes": {"New Pipe": 2024}},
         {"B1": 1000.0, "B2": 600.0, "B3": 0.0, "GAS": 800 + 2 * 90 + 3 * 80, "WST": 0.0}),
    ],
)
def test_revenue_by_buyer_and_tier_adds_up_to_the_total(options: dict[str, object],
                                                        expected: dict[str, float]) -> None:
    r = solve(**options)
    revenue = by_buyer(r)
    assert revenue == pytest.approx(expected, rel=REL, abs=1e-9)
    assert r.revenue_usd == pytest.approx(sum(expected.values()), rel=REL)
    assert sum(revenue.values()) == pytest.approx(r.revenue_usd, rel=REL)


def test_fiscal_effect_follows_from_the_oil_and_gas_revenue_total(monkeypatch: pytest.MonkeyPatch) -> None:
    """The toy exporter relabelled RUS (2024 fiscal facts: oil & gas budget revenue O = 11.13 trn RUB, total budget
    T = 36.7 trn) with a coal buyer K1 (5 Mt at 40, no listed route: the calibrated residual carries it). Closing B2's
    crude and cutting coal supply by 40 %: oil & gas export revenue R = 3,600 -> 3,000 + 473.25, dR = -126.75; coal
    2 Mt less (-80) is not oil & gas. Budget change tau x dR x e with tau = O / (R x e), i.e. O x dR / R."""
    from geoshift.engines.energy import outcome

    base = baseline()
    coal = pd.DataFrame({"buyer": ["K1"], "fuel": ["coal"], "value_usd": [200.0], "quantity": [5.0],
                         "price_usd": [40.0], "unit": ["Mt"], "tonnes": [0.0], "imputed": [False]})
    flows = pd.concat([base.flows, coal[base.flows.columns]], ignore_index=True)
    imports = pd.concat([base.imports, pd.DataFrame({"buyer": ["K1"], "fuel": ["coal"], "quantity": [5.0]})],
                        ignore_index=True)
    rus = EnergyBaseline("RUS", 2024, flows, imports)
    table = routes().assign(exporter="RUS")
    monkeypatch.setattr(outcome, "reroute", lambda b, o: reroute(b, o, route_table=table))
    result = outcome.energy_outcome(rus, EnergyOptions(closures={"crude": frozenset({"B2"})},
                                                       supply_change_pct={"coal": -40.0}))
    assert result.baseline.revenue_usd == pytest.approx(3600 + 200, rel=REL)
    d_og = B3_TEN_MT - 600  # -126.75
    assert result.revenue_change_usd == pytest.approx(d_og - 2 * 40, rel=REL)
    assert result.buyers()["revenue_change_usd"].sum() == pytest.approx(result.revenue_change_usd, rel=REL)
    fiscal = result.fiscal
    assert fiscal is not None
    assert fiscal.tax_take == pytest.approx(11.13 / (3600 * 92.6 / 1e12), rel=REL)
    change = 11.13 * d_og / 3600  # -0.39187... trn RUB
    assert fiscal.change_rub_trn == pytest.approx(change, rel=REL)
    assert fiscal.budget_share_after == pytest.approx((11.13 + change) / (36.7 + change), rel=REL)


def test_price_change_applies_to_tier_one_and_discounted_volume() -> None:
    """+10 % on crude scales every crude price, B1's tier 1 (20 Mt at 55) and B3's tier 2 (p_floor 55 less the
    discounts), leaving the allocation unchanged; -20 % on pipeline gas: 20 bcm at 80."""
    r = solve(closures={"crude": frozenset({"B2"})}, price_change_pct={"crude": 10.0, "pipeline_gas": -20.0})
    expected = {"B1": 1.1 * 1000, "B2": 0.0, "B3": 1.1 * B3_TEN_MT, "GAS": 0.8 * 800, "WST": 0.8 * 1200}
    assert by_buyer(r) == pytest.approx(expected, rel=REL, abs=1e-9)
    assert r.revenue_usd == pytest.approx(1.1 * (1000 + B3_TEN_MT) + 0.8 * 2000, rel=REL)  # 3,220.575
    assert by_buyer(r, "volume")["B3"] == pytest.approx(10.0, rel=REL)


def test_supply_change_scales_supply_and_each_gas_field() -> None:
    """Crude +20 %: 36 Mt, B1 and B2 are at their limits, so B3 takes 6 Mt (3 at 49, 3 at 47.5 = 289.5). Gas -25 %:
    the east field 6 bcm, the west 9 bcm, all sold at 100."""
    r = solve(supply_change_pct={"crude": 20.0, "pipeline_gas": -25.0})
    assert r.supply == pytest.approx({"crude": 36.0, "pipeline_gas": 15.0}, rel=REL)
    assert by_buyer(r, "volume") == pytest.approx({"B1": 20.0, "B2": 10.0, "B3": 6.0, "GAS": 6.0, "WST": 9.0},
                                                  rel=REL)
    assert r.revenue_usd == pytest.approx(1600 + 3 * 49 + 3 * 47.5 + 100 * (6 + 9), rel=REL)  # 3,389.5
    assert all(v == pytest.approx(0.0, abs=1e-9) for v in r.shut_in.values())


@pytest.mark.parametrize(
    ("share", "b3_volume", "b3_revenue"),
    [
        (0.08, 8.0, 3 * 49 + 4.5 * 47.5 + 0.5 * 45),  # limit 0.08 x 100 = 8 Mt in three brackets: 383.25
        (0.005, 0.5, 0.5 * 49),  # limit 0.5 Mt at 49; still a candidate as 0.5 >= 1 % of 30 Mt
        (0.002, 0.0, 0.0),  # 0.2 Mt < 1 % of the exporter's 30 Mt: B3 is not a candidate buyer at all
    ],
)
def test_max_supplier_share_limits_a_new_buyer(share: float, b3_volume: float, b3_revenue: float) -> None:
    """With B2 closed, B3 absorbs at most ``share`` x its 100 Mt of imports; the rest of the 10 Mt is shut in. B1's
    limit stays at its baseline 20 Mt (max(q0, share x 20)) and GAS's at 8 bcm."""
    r = solve(closures={"crude": frozenset({"B2"})}, max_supplier_share=share)
    assert by_buyer(r, "volume").get("B3", 0.0) == pytest.approx(b3_volume, rel=REL, abs=1e-9)
    assert r.shut_in["crude"] == pytest.approx(10.0 - b3_volume, rel=REL)
    assert r.revenue_usd == pytest.approx(3000 + b3_revenue, rel=REL)


def test_custom_discount_brackets() -> None:
    """Two brackets, no discount up to a 20 % share of the 30 Mt and 40 % beyond: B3 takes B2's 10 Mt as 6 Mt at 50
    and 4 Mt at 30."""
    r = solve(closures={"crude": frozenset({"B2"})}, discount=((0.2, 0.0), (1.0, 0.4)))
    assert by_buyer(r)["B3"] == pytest.approx(6 * 50 + 4 * 30, rel=REL)  # 420
    assert r.revenue_usd == pytest.approx(3000 + 420, rel=REL)


def test_caps_move_volume_to_the_next_best_buyer_or_shut_it_in() -> None:
    """Cap B1 at 10 Mt: its other 10 Mt go to B3 (473.25); cap GAS at 5 bcm: 3 bcm of the east field are stranded;
    a cap above B2's limit (50 > 10) changes nothing."""
    r = solve(caps={("B1", "crude"): 10.0, ("GAS", "pipeline_gas"): 5.0, ("B2", "crude"): 50.0})
    assert by_buyer(r, "volume") == pytest.approx({"B1": 10.0, "B2": 10.0, "B3": 10.0, "GAS": 5.0, "WST": 12.0},
                                                  rel=REL)
    assert r.shut_in == pytest.approx({"crude": 0.0, "pipeline_gas": 3.0}, abs=1e-9)
    assert r.revenue_usd == pytest.approx(3600 - 10 * 50 + B3_TEN_MT - 3 * 100, rel=REL)  # 3,273.25


def test_a_binding_floor_displaces_the_cheapest_buyer() -> None:
    """B3 must take 5 Mt (3 at 49, 2 at 47.5); they come from B1 (50) rather than B2 (60): 3,600 - 250 + 242."""
    r = solve(floors={("B3", "crude"): 5.0})
    assert by_buyer(r, "volume") == pytest.approx({"B1": 15.0, "B2": 10.0, "B3": 5.0, "GAS": 8.0, "WST": 12.0},
                                                  rel=REL)
    assert by_buyer(r)["B3"] == pytest.approx(3 * 49 + 2 * 47.5, rel=REL)
    assert r.revenue_usd == pytest.approx(3600 - 5 * 50 + 242, rel=REL)


def test_closing_a_route_strands_what_only_it_carried() -> None:
    """Port is crude's only route (and the calibration is on the baseline network, so no residual replaces it):
    all 30 Mt are shut in and only the 2,000 of gas is left."""
    r = solve(close_routes=frozenset({"Port"}))
    assert r.shut_in == pytest.approx({"crude": 30.0, "pipeline_gas": 0.0}, abs=1e-9)
    assert r.revenue_usd == pytest.approx(2000.0, rel=REL)
    assert "Port" not in {u.route for u in r.routes}


def test_supply_cut_by_all_of_it_shuts_in_everything() -> None:
    """-100 % is the limit: no crude to sell, only the 2,000 of gas is left."""
    r = solve(supply_change_pct={"crude": -100.0})
    assert r.supply["crude"] == pytest.approx(0.0, abs=1e-12)
    assert r.revenue_usd == pytest.approx(2000.0, rel=REL)


# --- contract floors that cannot be met are errors, never dropped ------------------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        # Pipe East is GAS's only pipeline: with it closed no gas can reach GAS (it used to solve with GAS at 0)
        ({"floors": {("GAS", "pipeline_gas"): 5.0}, "close_routes": frozenset({"Pipe East"})},
         r"floor GAS/pipeline_gas = 5 bcm cannot be met: no open pipeline_gas route of AAA reaches GAS; open one "
         r"\(energy.openings\) or drop the floor \(AAA, 2024\)"),
        # B1 buys crude only; no pipeline reaches it
        ({"floors": {("B1", "pipeline_gas"): 1.0}}, "floor B1/pipeline_gas = 1 bcm cannot be met: no open "
                                                    "pipeline_gas route of AAA reaches B1"),
        ({"floors": {("B2", "crude"): 5.0}, "closures": {"crude": frozenset({"B2"})}},
         r"floor B2/crude = 5 Mt cannot be met: B2 is closed to crude in this scenario; drop the floor or the "
         r"closure \(AAA, 2024\)"),
        ({"floors": {("B1", "lng"): 1.0}}, r"floor B1/lng = 1 bcm cannot be met: AAA exported no lng in 2024; "
                                           r"drop the floor"),
        # B3 buys only through the floor (0.002 x 100 Mt = 0.2 Mt is below 1 % of 30 Mt), and at most 0.2 Mt
        ({"floors": {("B3", "crude"): 0.5}, "max_supplier_share": 0.002},
         r"floor B3/crude = 0.5 Mt exceeds what can reach it \(routes 50, absorption limit 0.2\)"),
    ],
)
def test_a_floor_that_cannot_be_met_is_an_error(options: dict[str, object], message: str) -> None:
    with pytest.raises(InfeasibleError, match=message):
        solve(**options)


def test_a_floor_for_an_unknown_buyer_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"floor for unknown buyer 'ZZZ' \(crude\): AAA's baseline has no such "
                                         r"buyer or importer; closest: none"):
        solve(floors={("ZZZ", "crude"): 1.0})
    with pytest.raises(InputError, match=r"floor for unknown buyer 'B5' \(crude\).*closest: B\d, B\d$"):
        solve(floors={("B5", "crude"): 0.0})


def test_a_floor_of_zero_is_met_by_selling_nothing() -> None:
    """GAS's floor of 0 with Pipe East closed: the east field's 8 bcm are shut in, 1,200 + 1,600 are left."""
    r = solve(floors={("GAS", "pipeline_gas"): 0.0}, close_routes=frozenset({"Pipe East"}))
    assert r.shut_in["pipeline_gas"] == pytest.approx(8.0, rel=REL)
    assert r.revenue_usd == pytest.approx(2800.0, rel=REL)


def test_a_floor_makes_a_small_importer_a_buyer() -> None:
    """With max_supplier_share 0.002, B3 (0.2 Mt < 1 % of 30 Mt) is no candidate buyer; a 0.1 Mt floor still binds:
    B3 takes 0.1 Mt at 49 from B1 (50): 3,600 - 5 + 4.9."""
    r = solve(floors={("B3", "crude"): 0.1}, max_supplier_share=0.002)
    assert by_buyer(r, "volume")["B3"] == pytest.approx(0.1, rel=REL)
    assert by_buyer(r)["B3"] == pytest.approx(4.9, rel=REL)
    assert r.revenue_usd == pytest.approx(3599.9, rel=REL)


# --- the floor price is set by buyers with at least MIN_BUYER_SHARE (1 %) of the fuel ----------------------------
def with_small_buyer(quantity: float) -> EnergyBaseline:
    """The toy exporter with a crude buyer B4 of ``quantity`` Mt at 10 taken from B1, so crude stays 30 Mt."""
    base = baseline()
    flows = base.flows.copy()
    b1 = flows["buyer"] == "B1"
    flows.loc[b1, "quantity"] = 20.0 - quantity
    flows.loc[b1, "value_usd"] = 50.0 * (20.0 - quantity)
    small = flows[b1].assign(buyer="B4", quantity=quantity, value_usd=10.0 * quantity, price_usd=10.0)
    return EnergyBaseline("AAA", 2024, pd.concat([flows, small], ignore_index=True), base.imports)


@pytest.mark.parametrize(
    ("quantity", "p_floor"),
    [
        (0.1, 50.0),  # 0.1 Mt is 0.33 % of 30 Mt: B4 does not set the floor price (it used to drop it to 10)
        (0.6, 10.0),  # 0.6 Mt is 2 %: it does
    ],
)
def test_only_buyers_with_one_percent_set_the_floor_price(quantity: float, p_floor: float) -> None:
    """Closing B2: B3 takes its 10 Mt at p_floor less 2 %, 5 % and 10 % (3 + 4.5 + 2.5 Mt of the 30 Mt); B1 and B4
    keep their baseline (B4's absorption limit is its 0.1 or 0.6 Mt: it has no import figure). At 0.1 Mt, B4's 10 is
    below p_floor: it is still paid 10, but the LP does not trade its 0.1 Mt for B3's 45 (B3 would get 477.75)."""
    r = reroute(with_small_buyer(quantity), EnergyOptions(closures={"crude": frozenset({"B2"})}),
                route_table=routes())
    base = reroute(with_small_buyer(quantity), EnergyOptions(), route_table=routes())
    assert by_buyer(base, "volume") == pytest.approx({"B1": 20 - quantity, "B2": 10.0, "B3": 0.0, "B4": quantity,
                                                      "GAS": 8.0, "WST": 12.0}, rel=REL, abs=1e-9)
    assert base.revenue_usd == pytest.approx(3600 - 40 * quantity, rel=REL)  # the baseline is still the optimum
    b3 = p_floor / 50.0 * B3_TEN_MT  # 473.25 at 50, 94.65 at 10
    expected = {"B1": 50 * (20 - quantity), "B2": 0.0, "B3": b3, "B4": 10 * quantity, "GAS": 800.0, "WST": 1200.0}
    assert by_buyer(r) == pytest.approx(expected, rel=REL, abs=1e-9)
    assert r.revenue_usd == pytest.approx(sum(expected.values()), rel=REL)


# --- route openings ---------------------------------------------------------------------------------------------
def test_an_opening_takes_effect_only_from_its_start_year() -> None:
    """New Pipe (5 bcm to GAS or WST) opened in 2024 relieves the WST closure (7 bcm shut in, not 12); opened from
    2025 or 2099 in this 2024 exporter it would open nothing, which is an error rather than a silent no-op."""
    closed = {"pipeline_gas": frozenset({"WST"})}
    assert solve(closures=closed, open_routes={"New Pipe": 2024}).shut_in["pipeline_gas"] == pytest.approx(7.0)
    assert solve(closures=closed, open_routes={"New Pipe": 1995}).shut_in["pipeline_gas"] == pytest.approx(7.0)
    for start in (2025, 2099):
        with pytest.raises(InputError, match=rf"opening of route 'New Pipe' starts in {start}, after AAA's year "
                                             rf"2024: it would open nothing; give a start_year of 2024 or earlier "
                                             rf"\(or none\)"):
            solve(closures=closed, open_routes={"New Pipe": start})


def other_exporters_routes() -> pd.DataFrame:
    extra = pd.DataFrame([("Other Port", "crude", "BBB", "world", 40.0, "Mt", "operating", None, "yes", "crude")],
                         columns=routes().columns)
    return pd.concat([routes(), extra], ignore_index=True)


@pytest.mark.parametrize("field", ["open_routes", "close_routes", "route_capacity"])
def test_another_exporters_route_is_an_input_error(field: str) -> None:
    """BBB's Other Port passed the name check but opened (closed, resized) nothing for AAA."""
    value: object = {"open_routes": {"Other Port": 2024}, "close_routes": frozenset({"Other Port"}),
                     "route_capacity": {"Other Port": 10.0}}[field]
    with pytest.raises(InputError, match=r"route 'Other Port' is BBB's, not AAA's; AAA's routes, closest: Port"):
        reroute(baseline(), EnergyOptions(**{field: value}),  # type: ignore[arg-type]
                route_table=other_exporters_routes())
