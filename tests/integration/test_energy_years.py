"""Russia's energy baseline by year: Eurostat gas for 2011-2020 where BACI's mirror data miss it, Comext refined
products for 2019-2021, the EU embargoes in force closing flows from 2023, the labelled gaps of the other years,
and the optional Energy Institute override of 2023."""

from __future__ import annotations

import pandas as pd
import pytest

from geoshift.data.ei import parse_ei_workbook
from geoshift.data.eurostat import EU27_ISO3, gas_from_russia, products_from_russia
from geoshift.data.groups import group_members
from geoshift.engines.energy.baseline import embargo_closures, energy_baseline
from geoshift.engines.energy.lp import EnergyOptions, InfeasibleError, reroute
from geoshift.engines.energy.units import BCM_PER_MT_GAS
from geoshift.errors import InputError
from geoshift.world import World
from tests.conftest import SHARED_DATA

EI_XLSX = SHARED_DATA / "energy_institute_statistical_review_2024" / "EI-Stats-Review-All-Data.xlsx"
EU27 = frozenset(EU27_ISO3)
DRUZHBA = frozenset({"CZE", "HUN", "SVK"})  # pipeline crude exempt from the EU embargo
#: the 2019 baseline's EU27 gas (pipeline + LNG) = per member and fuel max(BACI, Eurostat): 165.06 bcm against
#: Eurostat's 161.55 (6,461,869 TJ / 40,000), +2.2 %: BACI's higher figures are kept (pipeline: SVK 8.63 vs 6.49
#: bcm, GRC 2.30 vs 1.63, SVN 0.38 vs 0.10, ...; LNG +0.37 bcm)
EU_GAS_2019_RTOL = 0.03
EU_GAS_2019_BCM = 165.06
#: EI 2024 edition, 'Gas trade - pipeline': Russian Federation -> EU 25.74, China 21.29, Belarus 16.79 bcm
EI_2023 = {"EU": 25.741394, "CHN": 21.294248, "BLR": 16.787267}
HAND_RTOL = 1e-6  # figures copied to 6 decimals


# --- the embargo table, without data packs -------------------------------------------------------------------------

def test_embargoes_in_force_for_more_than_half_of_each_year() -> None:
    assert embargo_closures("RUS", 2022)[0] == {}  # crude from 5 Dec, coal from 10 Aug: under half of 2022
    closed, lines = embargo_closures("RUS", 2023)
    assert closed == {"crude": EU27 - DRUZHBA - {"BGR"}, "products": EU27, "coal": EU27}
    assert any("Bulgaria" in line for line in lines)  # seaborne derogation in force all 2023
    closed, _ = embargo_closures("RUS", 2024)
    assert closed["crude"] == EU27 - DRUZHBA  # Bulgaria stopped on 1 March 2024
    assert embargo_closures("SAU", 2024) == ({}, [])


# --- the real baselines -------------------------------------------------------------------------------------------

def eu_members(flows: pd.DataFrame, fuel: str) -> pd.DataFrame:
    return flows[(flows["fuel"] == fuel) & flows["buyer"].isin(EU27)]


@pytest.mark.realdata
def test_2019_gas_to_the_eu_follows_eurostat(real_world: World) -> None:
    base = energy_baseline(real_world, "RUS", 2019)
    flows = base.flows
    assert flows["source"].notna().all()
    eurostat = gas_from_russia()
    eurostat = eurostat[eurostat["year"] == 2019]
    eu_gas = float(flows.loc[flows["fuel"].isin(["pipeline_gas", "lng"]) & flows["buyer"].isin(EU27),
                             "quantity"].sum())
    assert eu_gas == pytest.approx(float(eurostat.loc[eurostat["importer"].isin(EU27), "bcm"].sum()),
                                   rel=EU_GAS_2019_RTOL)
    assert eu_gas == pytest.approx(EU_GAS_2019_BCM, abs=0.01)
    # the rule, member by member: max(BACI, Eurostat); BACI recomputed from the World (no noise filter needed here)
    baci = real_world.baci
    baci = baci[(baci["year"] == 2019) & (baci["exporter"] == "RUS") & (baci["hs6"] == 271121)]
    reported = baci.groupby("importer")["quantity_t"].sum() / 1e6 * BCM_PER_MT_GAS
    for importer, bcm in zip(eurostat.loc[eurostat["fuel"] == "pipeline_gas", "importer"],
                             eurostat.loc[eurostat["fuel"] == "pipeline_gas", "bcm"], strict=True):
        row = flows[(flows["buyer"] == importer) & (flows["fuel"] == "pipeline_gas")]
        expected = max(float(bcm), float(reported.get(importer, 0.0)))
        assert float(row["quantity"].sum()) == pytest.approx(expected, rel=1e-9, abs=1e-12), importer
    deu = flows.set_index(["buyer", "fuel"]).loc[("DEU", "pipeline_gas")]
    assert deu["source"] == "Eurostat nrg_ti_gas 2019" and deu["quantity"] == pytest.approx(45.079861, abs=1e-6)
    # DEU is absent from BACI: all its volume is priced at BACI's average RUS pipeline-gas unit value of 2019,
    # value / quantity over BACI's rows with reported tonnes (US$ 13.84 bn / 74.0 bcm = US$ 187 per 1000 m3)
    rows = baci[baci["quantity_t"].notna()]
    average = rows["value_usd"].sum() / (rows["quantity_t"].sum() / 1e6 * BCM_PER_MT_GAS)
    assert deu["price_usd"] == pytest.approx(average, rel=1e-3)  # BACI's noise rows (< 0.01 %) aside
    assert deu["price_usd"] == pytest.approx(186.9e6, rel=1e-3)
    assert any("Eurostat nrg_ti_gas volumes" in note for note in base.notes)
    assert energy_baseline(real_world, "RUS", 2019).flows.equals(flows)  # deterministic


@pytest.mark.realdata
def test_2019_to_2021_products_to_the_eu_from_comext(real_world: World) -> None:
    comext = products_from_russia()
    for year in (2019, 2021):
        flows = energy_baseline(real_world, "RUS", year).flows
        eu = eu_members(flows, "products")
        mine = comext[(comext["year"] == year) & (comext["tonnes"] > 0)]
        assert set(eu["buyer"]) == set(mine["importer"])
        assert (eu["source"] == f"Eurostat Comext {year}").all() and not eu["imputed"].any()
        assert eu["tonnes"].sum() == pytest.approx(mine["tonnes"].sum(), rel=1e-12)
        assert eu["value_usd"].sum() == pytest.approx(mine["value_usd"].sum(), rel=1e-12)
        others = flows[(flows["fuel"] == "products") & ~flows["buyer"].isin(EU27)]
        assert (others["source"] == f"ICIO {real_world.year} C19").all()
    assert eu["quantity"].sum() == pytest.approx(47.02, abs=0.01)  # 2021: 47.0 Mt (PROVENANCE §7)


@pytest.mark.realdata
@pytest.mark.parametrize("year", [2023, 2024])
def test_embargoes_close_eu_products_crude_and_coal(real_world: World, year: int) -> None:
    base = energy_baseline(real_world, "RUS", year)
    flows = base.flows
    assert eu_members(flows, "products").empty  # no refined products to EU members from 5 Feb 2023
    assert eu_members(flows, "coal").empty
    crude_buyers = set(eu_members(flows, "crude")["buyer"])
    assert crude_buyers <= DRUZHBA | ({"BGR"} if year == 2023 else set())
    assert "HUN" in crude_buyers  # Druzhba pipeline crude kept
    assert base.closed["products"] == EU27
    assert any("embargoes in force" in note for note in base.notes)
    # the LP keeps them closed: a products floor on Germany is refused, and no products reach EU members
    result = reroute(base)
    sold = result.buyers[(result.buyers["fuel"] == "products") & result.buyers["buyer"].isin(EU27)]
    assert float(sold["volume"].abs().sum()) < 1e-9 and sold["closed"].all()
    with pytest.raises(InfeasibleError, match=f"DEU is closed to products by an embargo in force in {year}"):
        reroute(base, EnergyOptions(floors={("DEU", "products"): 1.0}))


@pytest.mark.realdata
def test_2024_revenue_change_is_what_the_embargoes_remove(real_world: World) -> None:
    """Russia's 2024 baseline revenue: before the embargoes it was BACI + ICIO C19 (US$ 276.45 bn); now it lacks
    products to EU members (ICIO 2022: US$ 44.94 bn), crude to EU members other than CZE, HUN, SVK (BACI 2024:
    NLD, US$ 0.67 bn) and coal to EU members (US$ 0.08 bn): US$ 45.69 bn less, US$ 230.76 bn."""
    flows = energy_baseline(real_world, "RUS", 2024).flows
    rus, c19 = real_world.countries.index("RUS"), real_world.sectors.index("C19")
    eu_products = sum(float(real_world.X[rus, real_world.countries.index(c), c19]) for c in EU27) * 1e6
    assert eu_products == pytest.approx(44.94e9, rel=1e-3)
    baci = real_world.baci
    baci = baci[(baci["year"] == 2024) & (baci["exporter"] == "RUS") & (baci["importer"] != "RUS")]
    fuel_of = {270900: "crude", 270111: "coal", 270112: "coal", 270119: "coal", 270210: "coal", 270220: "coal"}
    by_buyer = baci[baci["hs6"].isin(list(fuel_of))].assign(fuel=lambda f: f["hs6"].map(fuel_of)).groupby(
        ["fuel", "importer"])["value_usd"].sum()
    # BACI's reporting noise (under 0.01 % of the fuel's value) was never in the baseline: DEU's US$ 7.2 m of
    # crude (floor US$ 12.4 m), BGR's and FRA's coal (floor US$ 2.3 m)
    kept = by_buyer[by_buyer >= 1e-4 * by_buyer.groupby(level="fuel").transform("sum")]
    crude = float(kept.loc["crude"][lambda v: v.index.isin(EU27 - DRUZHBA)].sum())  # NLD
    coal = float(kept.loc["coal"][lambda v: v.index.isin(EU27)].sum())  # AUT, DEU, NLD
    assert crude == pytest.approx(0.674e9, rel=0.01) and coal == pytest.approx(0.076e9, rel=0.01)
    assert flows["value_usd"].sum() == pytest.approx(276.45e9 - eu_products - crude - coal, rel=1e-4)
    removed = energy_baseline(real_world, "RUS", 2024).removed.groupby("fuel")["value_usd"].sum()
    assert removed.to_dict() == pytest.approx({"products": eu_products, "crude": crude, "coal": coal}, rel=1e-9)
    assert flows["value_usd"].sum() == pytest.approx(230.76e9, rel=1e-4)


@pytest.mark.realdata
def test_years_without_a_trustworthy_gas_source_are_labelled(real_world: World) -> None:
    notes = " ".join(energy_baseline(real_world, "RUS", 2021).notes)
    assert "EU pipeline gas 2021: no trustworthy bilateral source" in notes
    assert "vs 140.0 published (IEA" in notes and "gap -76.6 bcm" in notes  # BACI 63.4 bcm to EU members
    notes = " ".join(energy_baseline(real_world, "RUS", 2022).notes)
    assert "no published total shipped for 2022" in notes


@pytest.mark.realdata
def test_energy_institute_overrides_2023_gas(real_world: World) -> None:
    if not EI_XLSX.is_file():
        pytest.skip(f"EI workbook not found at {EI_XLSX}")
    ei = parse_ei_workbook(EI_XLSX)
    plain = energy_baseline(real_world, "RUS", 2023)
    base = energy_baseline(real_world, "RUS", 2023, ei=ei)
    gas = base.flows[base.flows["fuel"] == "pipeline_gas"].set_index("buyer")
    assert gas.loc["CHN", "quantity"] == pytest.approx(EI_2023["CHN"], rel=HAND_RTOL)
    assert gas.loc["BLR", "quantity"] == pytest.approx(EI_2023["BLR"], rel=HAND_RTOL)  # absent from BACI
    assert gas.loc["CHN", "source"] == "EI Statistical Review (2023)"
    assert float(gas.loc[gas.index.isin(EU27), "quantity"].sum()) == pytest.approx(EI_2023["EU"], rel=HAND_RTOL)
    plain_chn = plain.flows.set_index(["buyer", "fuel"]).loc[("CHN", "pipeline_gas")]
    assert plain_chn["source"] == "BACI 2023" and plain_chn["quantity"] < EI_2023["CHN"]
    # CHN keeps its BACI unit value
    assert gas.loc["CHN", "price_usd"] == pytest.approx(plain_chn["price_usd"], rel=1e-9)
    assert any("Energy Institute bilateral volumes override BACI" in note for note in base.notes)
    assert reroute(base).revenue_usd == pytest.approx(base.flows["value_usd"].sum(), rel=1e-9)
    with pytest.raises(InputError, match="covers 2023, not the baseline year 2024"):
        energy_baseline(real_world, "RUS", 2024, ei=ei)


@pytest.mark.realdata
def test_other_exporters_are_unchanged(real_world: World) -> None:
    flows = energy_baseline(real_world, "NOR", 2019).flows
    assert set(flows["source"]) <= {"BACI 2019", f"ICIO {real_world.year} C19"}
    assert energy_baseline(real_world, "NOR", 2024).closed == {}
    assert set(group_members("EU27", 2024)) == EU27
