"""GeoPolRisk supply risk on a second toy cobalt market, worked out by hand, at the edges: suppliers and producers
under one tonne, a re-import, a supplier without a WGI score, ties, production reported in kg and in two rows, two
WGI rows for one country and year, Russian exports of both cobalt codes and to itself; then the messages of every
refusal in full."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from geoshift.engines.minerals import MineralShock, apply_shock, resolve_material, risk_table, supply_risk
from geoshift.engines.minerals.risk import Material, concentration, default_year, import_risk, materials
from geoshift.errors import DataError, InputError, UnknownValueError
from geoshift.world import World, example_world

OXIDE, MATTE, REE, PALLADIUM = 282200, 810510, 280530, 711021


def toy() -> World:
    baci = pd.DataFrame([
        (2023, "COD", "USA", OXIDE, 1500.0, 0.5), (2023, "CHN", "USA", MATTE, 1000.0, 0.5),
        (2023, "KAZ", "USA", OXIDE, 300.0, 0.25), (2023, "USA", "USA", OXIDE, 2000.0, 1.0),
        (2023, "JPN", "USA", MATTE, 500.0, float("nan")), (2023, "CHN", "KOR", MATTE, 600.0, 0.6),
        (2023, "RUS", "CHN", OXIDE, 30.0, 0.3), (2023, "RUS", "JPN", MATTE, 40.0, 0.4),
        (2023, "RUS", "RUS", OXIDE, 1e4, 100.0), (2023, "CHN", "USA", REE, 100.0, 1.0),
        (2022, "COD", "USA", OXIDE, 1000.0, 1.0), (2024, "ZAF", "USA", PALLADIUM, 5e4, 1.0),
    ], columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    mining = pd.DataFrame({
        "mineral": ["Cobalt"] * 5 + ["Cobalt", "Rare Earths (REO)", "Palladium"],
        "iso3": ["COD", "CHN", "AUS", "USA", "USA", "COD", "CHN", "ZAF"],
        "year": [2023] * 5 + [2022, 2023, 2024],
        "production": [600.0, 200_000.0, 0.5, 60.0, 40.0, 500.0, 100.0, 50.0],
        "unit": ["metr. t", "kg", "metr. t", "metr. t", "metr. t", "metr. t", "metr. t", "metr. t"],
        "share": [0.0] * 8,
    })
    governance = pd.DataFrame({"iso3": ["CHN", "COD", "CHN", "USA", "CHN"], "year": [2022, 2023, 2023, 2023, 2023],
                               "estimate": [2.5, -1.5, -0.5, 0.5, 0.0]})
    return replace(example_world(), baci=baci, mining=mining, governance=governance)


def test_supply_risk_of_the_united_states_by_hand() -> None:
    r = supply_risk(toy(), "USA", "cobalt", 2023)
    assert (r.country, r.material, r.year, r.hs6) == ("USA", "cobalt", 2023, (OXIDE, MATTE))
    world_t = 600.0 + 200.0 + 0.5 + 100.0  # CHN's 200,000 kg; the U.S. in two rows
    assert r.world_production_t == pytest.approx(world_t) and r.production_t == pytest.approx(100.0)
    assert r.hhi == pytest.approx((600**2 + 200**2 + 0.5**2 + 100**2) / world_t**2, rel=1e-12)
    # imports: USA 1 t (a re-import, instability 0), CHN 0.5 t (first WGI row of 2023: -0.5 -> 0.6), COD 0.5 t
    # (0.8), KAZ 0.25 t (no WGI: 0.5); over the U.S.'s 100 t of production plus 2.25 t of imports
    assert r.imports_t == pytest.approx(2.25)
    risk = (0.5 * 0.6 + 0.5 * 0.8 + 0.25 * 0.5) / 102.25
    assert r.import_risk == pytest.approx(risk, rel=1e-12)
    assert r.price == pytest.approx(4800.0 / 2.25 / 1000.0, rel=1e-12)
    assert [(s.iso3, s.tonnes, s.value_usd, s.instability, s.wgi_estimate) for s in r.suppliers] == [
        ("USA", 1.0, 2000.0, 0.0, 0.5), ("CHN", 0.5, 1000.0, pytest.approx(0.6), -0.5),
        ("COD", 0.5, 1500.0, pytest.approx(0.8), -1.5), ("KAZ", 0.25, 300.0, 0.5, None)]
    assert [s.share for s in r.suppliers] == pytest.approx([1 / 2.25, 0.5 / 2.25, 0.5 / 2.25, 0.25 / 2.25])
    assert [s.contribution for s in r.suppliers] == pytest.approx([0.0, 0.3 / 102.25, 0.4 / 102.25, 0.125 / 102.25])
    assert r.missing_wgi == ("KAZ",)
    assert r.unpriced_value_usd == 500.0
    assert r.russia_production_share == 0.0 and r.china_production_share == pytest.approx(200.0 / world_t)
    assert r.russia_import_share == 0.0 and r.china_import_share == pytest.approx(0.5 / 2.25)
    assert r.russia_exports_t == pytest.approx(0.7)  # 0.3 t of oxide and 0.4 t of matte; not its 100 t at home
    assert r.russia_coverage == pytest.approx(0.7 / 2.25)
    data = r.to_dict()
    assert data["hs6"] == [OXIDE, MATTE] and data["score_price_usd_per_kg"] == pytest.approx(r.score * r.price)


def test_a_small_importer_under_one_tonne() -> None:
    r = supply_risk(toy(), "KOR", resolve_material("cobalt"))  # a Material; the year defaults to cobalt's latest
    assert r.year == 2023 and r.imports_t == pytest.approx(0.6)
    assert r.price == pytest.approx(1.0) and r.china_import_share == 1.0
    assert r.russia_coverage == 1.0  # Russia's 0.7 t exceed Korea's 0.6 t
    assert r.import_risk == pytest.approx(0.6) and r.missing_wgi == ()


def test_a_material_with_one_code_traded() -> None:
    r = supply_risk(toy(), "USA", "cobalt", 2022)  # only oxide moves in 2022
    assert r.imports_t == 1.0 and r.russia_exports_t == 0.0 and r.russia_production_share == 0.0


def test_a_closed_supplier_leaves_the_table() -> None:
    outcome = apply_shock(toy(), MineralShock(material="cobalt", importer="USA", close=["KAZ"]))
    assert [s.iso3 for s in outcome.after.suppliers] == ["USA", "CHN", "COD"]
    assert outcome.after.imports_t == pytest.approx(2.25)


def test_materials_are_sorted_by_score_and_refusals_read_in_full() -> None:
    table = risk_table(toy(), "USA", 2023, selected=["cobalt", "rare earths"])
    assert [r.material for r in table.risks] == ["rare_earths", "cobalt"]  # 0.6 (one producer, China) first
    assert table.risks[0].score == pytest.approx(1.0 * 0.6)
    with pytest.raises(DataError) as exc:
        risk_table(toy(), "USA", 2023, selected=["gallium"])
    gallium = ("gallium has mine production (World Mining Data) but no HS6 trade code of its own: in HS92 it is "
               "traded inside 811291 (other base metals, unwrought, with hafnium, indium, niobium and rhenium), "
               "which the data pack does not carry")
    assert str(exc.value) == gallium
    with pytest.raises(DataError) as exc:
        risk_table(toy(), "USA", 2023, selected=["gallium", "palladium"])
    assert str(exc.value) == f"USA 2023: no material is computable; {gallium}"
    with pytest.raises(DataError) as exc:
        supply_risk(toy(), "USA", Material("foo", "Foo", ()), 2023)
    assert str(exc.value) == ("foo has mine production (World Mining Data) but no HS6 trade code of its own: the data "
                              "pack has no HS6 code for it")
    with pytest.raises(DataError) as exc:
        supply_risk(toy(), "USA", "cobalt", 2024)
    assert str(exc.value) == ("BACI has no trade in tonnes of cobalt (HS 282200, 810510) in 2024 for any country, so "
                              "its import risk cannot be computed that year (not the same as no imports)")
    with pytest.raises(UnknownValueError) as exc:
        supply_risk(toy(), "USA", "cobalt", 2030)
    assert str(exc.value) == "year 2030 has no BACI trade, which covers 2022-2024"


def test_years_without_mine_production_read_in_full() -> None:
    bare = replace(toy(), mining=toy().mining.iloc[0:0])
    with pytest.raises(DataError) as exc:
        default_year(bare, resolve_material("cobalt"))
    assert str(exc.value) == "no year has both BACI trade and mine production of cobalt in this World"
    with pytest.raises(DataError) as exc:
        default_year(bare)
    assert str(exc.value) == "no year has both BACI trade and mine production in this World"
    with pytest.raises(UnknownValueError) as exc:
        risk_table(bare, "USA", 2023)
    assert str(exc.value) == ("year 2023 has no mine production (World Mining Data covers no year), which the HHI "
                              "needs; choose a year in that range")
    assert default_year(toy()) == 2024 and default_year(toy(), resolve_material("cobalt")) == 2023


def test_unknown_materials_name_the_closest_or_the_first() -> None:
    with pytest.raises(UnknownValueError) as exc:
        resolve_material("cobaltt")
    assert str(exc.value) == f"unknown material 'cobaltt'; closest: cobalt ({len(materials())} materials known)"
    with pytest.raises(UnknownValueError) as exc:
        resolve_material("qqqq")
    assert str(exc.value) == (f"unknown material 'qqqq'; closest: aluminium, antimony, arsenic, asbestos, baryte, ... "
                              f"({len(materials())} materials known)")


def test_the_method_with_small_numbers() -> None:
    assert concentration([0.5, 0.3]) == pytest.approx((0.25 + 0.09) / 0.64)
    assert concentration([0.0, 2.0]) == 1.0
    assert import_risk({"A": 0.0, "B": 0.5}, {"B": 0.6}, 0.0) == pytest.approx(0.6)
    assert import_risk({"A": 0.5}, {"A": 0.4}, 0.3) == pytest.approx(0.2 / 0.8)
    with pytest.raises(InputError):
        import_risk({"A": -0.1}, {}, 0.0)
