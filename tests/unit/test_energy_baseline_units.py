"""``energy_baseline`` on small hand-made Worlds (five ICIO economies, sectors B05 B06 C19, a few BACI rows), each
flow checked against a value worked out by hand: BACI aggregation, reporting-noise cut, imputed tonnes, refined
products from ICIO C19, the Eurostat gas and Comext product tables for Russia, the Energy Institute override, the
EU gas gap notes and the embargoes. The shipped Eurostat/Comext tables are read as data; what is done with them is
computed here independently."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import numpy as np
import pandas as pd
import pytest

from geoshift.data.eurostat import gas_from_russia, products_from_russia
from geoshift.data.groups import group_members
from geoshift.engines.energy.baseline import FLOW_COLUMNS, embargoes, energy_baseline, published_eu_gas
from geoshift.errors import InputError, UnknownCountryError
from geoshift.world.world import World

REL = 1e-12
COUNTRIES = ("CHN", "DEU", "RUS", "TUR", "USA")
SECTORS = ("B05", "B06", "C19")
HS = {"coal": 270112, "coal2": 270111, "lignite": 270210, "crude": 270900, "lng": 271111, "pipeline_gas": 271121}
BCM_PER_T = 1.36 / 1e6  # 1 Mt of gas = 1.36 bcm


@pytest.fixture(autouse=True)
def fresh_tables() -> Iterator[None]:
    """The shipped embargo and published-gas tables are read once per process; read them afresh here."""
    embargoes.cache_clear()
    published_eu_gas.cache_clear()
    yield


def world_of(flows_musd: Mapping[tuple[str, str, str], float], baci: Iterable[tuple[object, ...]]) -> World:
    """A World whose ICIO flows X[exporter, importer, sector] (US$ million) are ``flows_musd`` (zero elsewhere, all
    intermediate use) and whose BACI rows are ``baci`` (year, exporter, importer, hs6, US$, tonnes)."""
    C, S = len(COUNTRIES), len(SECTORS)
    X = np.zeros((C, C, S))
    for (i, j, s), v in flows_musd.items():
        X[COUNTRIES.index(i), COUNTRIES.index(j), SECTORS.index(s)] = v
    gross = X.sum(axis=1) + 1.0
    frame = pd.DataFrame(list(baci), columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    frame["quantity_t"] = frame["quantity_t"].astype(float)
    return World(countries=COUNTRIES, sectors=SECTORS, sector_names=("Coal", "Crude and gas", "Refined products"),
                 sector_group=("energy", "energy", "energy"), intermediate=X, final=np.zeros((C, C, S)),
                 use=np.zeros((C, S, S)), gross_output=gross, value_added=gross.copy(), year=2022,
                 final_rule="exact", baci=frame, mining=pd.DataFrame(columns=["mineral", "iso3", "year", "share"]),
                 governance=pd.DataFrame(columns=["iso3", "year", "estimate"]))


def by_key(frame: pd.DataFrame) -> dict[tuple[str, str], dict[str, object]]:
    return {(str(r["fuel"]), str(r["buyer"])): dict(r) for r in frame.to_dict("records")}


def check_flow(row: Mapping[str, object], *, value: float, quantity: float, tonnes: float, imputed: bool,
               source: str) -> None:
    unit = {"crude": "Mt", "products": "Mt", "coal": "Mt", "lng": "bcm", "pipeline_gas": "bcm"}[str(row["fuel"])]
    assert row["value_usd"] == pytest.approx(value, rel=REL), row
    assert row["quantity"] == pytest.approx(quantity, rel=REL), row
    assert row["tonnes"] == pytest.approx(tonnes, rel=REL), row
    assert row["price_usd"] == pytest.approx(value / quantity, rel=REL), row
    assert row["unit"] == unit
    assert row["imputed"] is imputed or row["imputed"] == imputed, row
    assert isinstance(row["imputed"], (bool, np.bool_))
    assert row["source"] == source, row


# --- a plain exporter (USA, 2022): BACI plus ICIO refined products, no Eurostat, no embargo -----------------------

USA_ICIO = {("USA", "CHN", "C19"): 10.0, ("USA", "RUS", "C19"): 4.0, ("USA", "TUR", "C19"): 6.0,
            ("USA", "USA", "C19"): 50.0, ("CHN", "USA", "C19"): 7.0, ("RUS", "CHN", "C19"): 3.0,
            ("USA", "CHN", "B05"): 2.0, ("USA", "USA", "B05"): 9.0, ("USA", "DEU", "B06"): 5.0,
            ("USA", "CHN", "B06"): 1.5}
USA_BACI = [
    (2022, "USA", "CHN", HS["coal"], 0.5e9, 5e6),
    (2022, "USA", "CHN", HS["coal2"], 1.5e9, 15e6),  # one buyer, two coal codes: 2e9 US$, 20e6 t ($100/t)
    (2022, "USA", "DEU", HS["lignite"], 0.6e9, 4e6),  # $150/t
    (2022, "USA", "TUR", HS["coal"], 1.0e9, None),  # no tonnes: imputed at the median $125/t
    (2022, "USA", "CHN", HS["crude"], 5e9, 7e6),
    (2022, "USA", "DEU", HS["crude"], 2e9, 3e6),  # crude at (5 + 2) e9 / 10e6 t = $700/t
    (2022, "USA", "KOR", HS["crude"], 1e3, 1.0),  # reporting noise: under 0.01 % of USA's crude
    (2022, "USA", "DEU", HS["lng"], 3e9, 2e6),
    (2022, "USA", "USA", HS["crude"], 9e9, 10e6),  # re-imports: not an export
    (2022, "RUS", "CHN", HS["crude"], 30e9, 60e6),  # another exporter: only in the buyers' imports
    (2022, "USA", "CHN", 280530, 7e9, 1e3),  # not an energy code
    (2023, "USA", "CHN", HS["crude"], 4e9, 6e6),
    (2023, "NOR", "DEU", HS["crude"], 8e9, 10e6),
]


def usa_world() -> World:
    return world_of(USA_ICIO, USA_BACI)


def test_plain_exporter_flows_by_hand() -> None:
    base = energy_baseline(usa_world(), "usa", 2022)  # codes are resolved
    assert (base.exporter, base.year) == ("USA", 2022)
    assert list(base.flows.columns) == FLOW_COLUMNS
    order = [(str(f), str(b)) for f, b in zip(base.flows["fuel"], base.flows["buyer"], strict=True)]
    assert order == [("coal", "CHN"), ("coal", "TUR"), ("coal", "DEU"), ("crude", "CHN"), ("crude", "DEU"),
                     ("lng", "DEU"), ("products", "CHN"), ("products", "TUR"), ("products", "RUS")]
    assert list(base.flows.index) == list(range(9))
    rows = by_key(base.flows)
    baci = "BACI 2022"
    check_flow(rows[("coal", "CHN")], value=2e9, quantity=20.0, tonnes=20e6, imputed=False, source=baci)
    check_flow(rows[("coal", "TUR")], value=1e9, quantity=8.0, tonnes=8e6, imputed=True, source=baci)
    check_flow(rows[("coal", "DEU")], value=0.6e9, quantity=4.0, tonnes=4e6, imputed=False, source=baci)
    check_flow(rows[("crude", "CHN")], value=5e9, quantity=7.0, tonnes=7e6, imputed=False, source=baci)
    check_flow(rows[("crude", "DEU")], value=2e9, quantity=3.0, tonnes=3e6, imputed=False, source=baci)
    check_flow(rows[("lng", "DEU")], value=3e9, quantity=2.72, tonnes=2e6, imputed=False, source=baci)
    icio = "ICIO 2022 C19"
    for buyer, musd in (("CHN", 10.0), ("TUR", 6.0), ("RUS", 4.0)):
        t = musd * 1e6 / 700.0
        check_flow(rows[("products", buyer)], value=musd * 1e6, quantity=t / 1e6, tonnes=t, imputed=True, source=icio)
    assert base.closed == {}
    assert base.removed.empty and list(base.removed.columns) == FLOW_COLUMNS
    assert base.notes == (
        "BACI 2022: energy exports of USA (mirror data for recent Russian exports)",
        "refined products: ICIO 2022 C19 flows (US$ of 2022, not rescaled to 2022), tonnes at the 2022 average "
        "crude export price of USA (US$ 700/t)",
        "sources of the flows: BACI 2022 (6 flows, US$ 13.60 bn); ICIO 2022 C19 (3 flows, US$ 0.02 bn)",
    )


def test_plain_exporter_buyers_imports_by_hand() -> None:
    """Every exporter's BACI rows of the year (re-imports included, rows without tonnes dropped), and C19 imports
    from ICIO at the exporter's crude price."""
    imports = energy_baseline(usa_world(), "USA", 2022).imports
    assert list(imports.columns) == ["buyer", "fuel", "quantity"]
    got = {(str(f), str(b)): float(q) for b, f, q in zip(imports["buyer"], imports["fuel"], imports["quantity"],
                                                          strict=True)}
    c19 = {"CHN": 13.0, "DEU": 0.0, "RUS": 4.0, "TUR": 6.0, "USA": 7.0}  # US$ million bought from abroad
    expected = {("coal", "CHN"): 20.0, ("coal", "DEU"): 4.0, ("crude", "CHN"): 67.0, ("crude", "DEU"): 3.0,
                ("crude", "KOR"): 1e-6, ("crude", "USA"): 10.0, ("lng", "DEU"): 2.72,
                **{("products", c): v / 700.0 for c, v in c19.items()}}
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=REL, abs=1e-15), key


def test_exporter_outside_the_icio_gets_no_refined_products() -> None:
    base = energy_baseline(usa_world(), "NOR", 2023)
    assert [(f, b) for f, b in zip(base.flows["fuel"], base.flows["buyer"], strict=True)] == [("crude", "DEU")]
    check_flow(by_key(base.flows)[("crude", "DEU")], value=8e9, quantity=10.0, tonnes=10e6, imputed=False,
               source="BACI 2023")
    assert base.notes == ("BACI 2023: energy exports of NOR (mirror data for recent Russian exports)",
                          "sources of the flows: BACI 2023 (1 flows, US$ 8.00 bn)")


def test_no_crude_means_no_product_price_and_no_products() -> None:
    world = world_of(USA_ICIO, [(2022, "USA", "CHN", HS["coal"], 1e9, 1e7), (2022, "CHN", "USA", HS["coal"], 1.0, 1.0)])
    base = energy_baseline(world, "USA", 2022)
    assert list(base.flows["fuel"]) == ["coal"]
    assert not base.imports["fuel"].eq("products").any()


def test_year_outside_baci_and_exporter_without_exports_are_one_line_errors() -> None:
    world = usa_world()
    with pytest.raises(InputError, match=r"^year 2030 is not in BACI, which covers 2022-2023$"):
        energy_baseline(world, "USA", 2030)
    with pytest.raises(InputError, match=r"^CHN has no energy exports in BACI in 2022$"):
        energy_baseline(world, "CHN", 2022)
    with pytest.raises(UnknownCountryError, match=r"^unknown exporter 'ZZZ'"):
        energy_baseline(world, "ZZZ", 2022)


# --- Russia 2019: Eurostat gas volumes and Comext products replace BACI's / ICIO's ---------------------------------

RUS_2019 = [
    (2019, "RUS", "CHN", HS["crude"], 20e9, 40e6),
    (2019, "RUS", "DEU", HS["crude"], 10e9, 20e6),  # $500/t
    (2019, "RUS", "DEU", HS["pipeline_gas"], 4e9, 10e6),  # 13.6 bcm, $400/t
    (2019, "RUS", "TUR", HS["pipeline_gas"], 2e9, 25e6),  # 34 bcm, $80/t: above Eurostat's, kept
    (2019, "RUS", "CHN", HS["pipeline_gas"], 1e9, 5e6),  # 6.8 bcm, $200/t
    # imputed at the median $200/t (the mean of the reported rows is $175/t): 15e6 t = 20.4 bcm
    (2019, "RUS", "ITA", HS["pipeline_gas"], 3e9, None),
    (2019, "RUS", "FRA", HS["lng"], 1e9, 2e6),  # 2.72 bcm
    (2022, "USA", "CHN", HS["crude"], 1e9, 1e6),
]
RUS_ICIO = {("RUS", "CHN", "C19"): 30.0, ("RUS", "DEU", "C19"): 50.0, ("RUS", "TUR", "C19"): 20.0,
            ("RUS", "USA", "C19"): 10.0}


def test_russia_2019_eurostat_gas_and_comext_products_by_hand() -> None:
    base = energy_baseline(world_of(RUS_ICIO, RUS_2019), "RUS", 2019)
    rows = by_key(base.flows)
    gas = gas_from_russia()
    gas = gas[gas["year"] == 2019]
    label = "Eurostat nrg_ti_gas 2019"
    # BACI's own volumes (bcm) and the unit values of the reported rows (US$ per bcm)
    baci_bcm = {("pipeline_gas", "DEU"): 13.6, ("pipeline_gas", "TUR"): 34.0, ("pipeline_gas", "CHN"): 6.8,
                ("pipeline_gas", "ITA"): 20.4, ("lng", "FRA"): 2.72}
    baci_usd = {("pipeline_gas", "DEU"): 4e9, ("pipeline_gas", "TUR"): 2e9, ("pipeline_gas", "CHN"): 1e9,
                ("pipeline_gas", "ITA"): 3e9, ("lng", "FRA"): 1e9}
    price = {"pipeline_gas": 7e9 / (13.6 + 34.0 + 6.8), "lng": 1e9 / 2.72}  # ITA's imputed row left out
    raised: dict[str, list[str]] = {"pipeline_gas": [], "lng": []}
    added = {"pipeline_gas": 0.0, "lng": 0.0}
    for buyer, fuel, bcm in zip(gas["importer"], gas["fuel"], gas["bcm"], strict=True):
        q0 = baci_bcm.get((fuel, buyer), 0.0)
        if bcm <= q0:
            continue
        raised[fuel].append(buyer)
        added[fuel] += bcm - q0
        value = baci_usd.get((fuel, buyer), 0.0) + (bcm - q0) * price[fuel]
        check_flow(rows[(fuel, buyer)], value=value, quantity=bcm, tonnes=bcm / BCM_PER_T, imputed=False,
                   source=label)
    assert {"DEU", "ITA", "HUN"} <= set(raised["pipeline_gas"]) and "TUR" not in raised["pipeline_gas"]
    assert {"FRA", "BEL", "ESP"} <= set(raised["lng"])
    check_flow(rows[("pipeline_gas", "TUR")], value=2e9, quantity=34.0, tonnes=25e6, imputed=False,
               source="BACI 2019")
    check_flow(rows[("pipeline_gas", "CHN")], value=1e9, quantity=6.8, tonnes=5e6, imputed=False, source="BACI 2019")
    # refined products: the EU members from Comext, the others from ICIO C19 at $500/t
    comext = products_from_russia()
    comext = comext[comext["year"] == 2019]
    for buyer, usd, t in zip(comext["importer"], comext["value_usd"], comext["tonnes"], strict=True):
        check_flow(rows[("products", buyer)], value=usd, quantity=t / 1e6, tonnes=t, imputed=False,
                   source="Eurostat Comext 2019")
    for buyer, musd in (("CHN", 30.0), ("TUR", 20.0), ("USA", 10.0)):
        check_flow(rows[("products", buyer)], value=musd * 1e6, quantity=musd / 500.0, tonnes=musd * 1e6 / 500.0,
                   imputed=True, source="ICIO 2022 C19")
    products = base.flows[base.flows["fuel"] == "products"]
    assert len(products) == len(comext) + 3
    eu_gas = {fuel: float(gas[(gas["fuel"] == fuel) & (gas["importer"] != "TUR")]["bcm"].sum())
              for fuel in ("pipeline_gas", "lng")}
    notes = list(base.notes)
    assert notes[0] == "BACI 2019: energy exports of RUS (mirror data for recent Russian exports)"
    for n, fuel in enumerate(("pipeline_gas", "lng"), start=1):
        assert notes[n] == (
            f"{fuel} 2019: Eurostat nrg_ti_gas volumes (imports from Russia, TJ GCV at 40 MJ/m3) replace BACI's "
            f"where BACI's are lower, for {len(raised[fuel])} importers ({', '.join(raised[fuel])}): "
            f"+{added[fuel]:,.1f} bcm, valued at BACI's average 2019 unit value of RUS's {fuel} exports "
            f"(US$ {price[fuel] / 1e6:,.0f} per 1000 m3); EU members now {eu_gas[fuel]:,.1f} bcm vs Eurostat's "
            f"{eu_gas[fuel]:,.1f} bcm (BACI's higher figures kept)")
    assert notes[3] == (
        f"refined products 2019: EU members from Eurostat Comext (HS 2710 from Russia: "
        f"{comext['tonnes'].sum() / 1e6:,.1f} Mt, US$ {comext['value_usd'].sum() / 1e9:,.1f} bn at the ECB annual "
        f"euro rate; ICIO 2022 had US$ 0.1 bn); other buyers: ICIO 2022 C19 flows (US$ of 2022, not rescaled), "
        f"tonnes at the 2019 average crude export price of RUS (US$ 500/t)")
    assert len(notes) == 5 and notes[4].startswith("sources of the flows: BACI 2019 (4 flows, US$ 33.00 bn); ")


def test_russia_in_a_eurostat_year_without_lng_in_baci_keeps_eurostat_out_of_lng() -> None:
    rows = [(2015, "RUS", "DEU", HS["pipeline_gas"], 4e9, 10e6), (2015, "RUS", "CHN", HS["coal"], 1e9, 1e7)]
    base = energy_baseline(world_of({}, rows), "RUS", 2015)
    assert not base.flows["fuel"].eq("lng").any()
    assert "lng 2015: BACI has no lng exports of RUS to value Eurostat's volumes at; Eurostat not used" in base.notes
    gas = gas_from_russia()
    deu = float(gas[(gas["year"] == 2015) & (gas["fuel"] == "pipeline_gas") & (gas["importer"] == "DEU")]["bcm"].sum())
    check_flow(by_key(base.flows)[("pipeline_gas", "DEU")], value=4e9 / 13.6 * deu, quantity=deu,
               tonnes=deu / BCM_PER_T, imputed=False, source="Eurostat nrg_ti_gas 2015")


# --- Russia 2021-2023: the EU gas gap notes, the Energy Institute override, the embargoes ---------------------------

def test_russia_2021_gas_gap_against_published_totals() -> None:
    rows = [(2021, "RUS", "DEU", HS["pipeline_gas"], 4e9, 10e6), (2021, "RUS", "FRA", HS["lng"], 1e9, 2e6),
            (2021, "RUS", "CHN", HS["pipeline_gas"], 3e9, 30e6)]
    notes = energy_baseline(world_of({}, rows), "RUS", 2021).notes
    assert notes[1] == (
        "EU pipeline gas 2021: no trustworthy bilateral source (the Eurostat table covers 2011-2020; BACI's mirror "
        "data miss most Russian pipeline gas to the EU); baseline to EU members: pipeline_gas 13.6 bcm vs 140.0 "
        "published (IEA, A 10-Point Plan to Reduce the European Union's Reliance on Russian Natural Gas (3 March "
        "2022): 'over 380 mcm per day of gas by pipeline from Russia, or around 140 bcm for the year as a whole'; "
        "gap -126.4 bcm); lng 2.7 bcm vs 15.0 published (IEA, A 10-Point Plan to Reduce the European Union's "
        "Reliance on Russian Natural Gas (3 March 2022): 'around 15 bcm was delivered in the form of LNG'; gap "
        "-12.3 bcm); not corrected")


def test_russia_2022_gas_gap_without_published_total() -> None:
    rows = [(2022, "RUS", "DEU", HS["pipeline_gas"], 4e9, 10e6), (2022, "RUS", "ITA", HS["lng"], 1e9, 2e6),
            (2022, "RUS", "DEU", HS["crude"], 5e9, 10e6), (2022, "RUS", "DEU", HS["coal"], 1e9, 1e7)]
    base = energy_baseline(world_of({}, rows), "RUS", 2022)
    assert base.notes[1] == (
        "EU pipeline gas 2022: no trustworthy bilateral source (the Eurostat table covers 2011-2020; BACI's mirror "
        "data miss most Russian pipeline gas to the EU); BACI-based baseline counts 13.6 bcm of pipeline gas and "
        "2.7 bcm of LNG to EU members; no published total shipped for 2022")
    # the crude ban from 5 Dec and the coal ban from 10 Aug 2022 are in force for under half of 2022
    assert base.closed == {} and base.removed.empty and len(base.flows) == 4


def ei_table() -> pd.DataFrame:
    rows = [
        ("pipeline_gas", "CHN", 22.7), ("pipeline_gas", "TUR", 21.0), ("pipeline_gas", "SRB", 2.0),
        ("pipeline_gas", "Other EU", 10.0), ("pipeline_gas", "Other CIS", 5.0),
        ("lng", "BEL", 3.86), ("lng", "FRA", 4.77), ("lng", "Other EU", 2.47),
    ]
    areas = {"Other EU", "Other CIS"}
    return pd.DataFrame({
        "fuel": [r[0] for r in rows], "exporter": "Russian Federation",
        "importer": [r[1] if r[1] in areas else f"name of {r[1]}" for r in rows],
        "value": [r[2] for r in rows], "unit": "bcm", "year": 2023, "exporter_iso3": "RUS",
        "importer_iso3": pd.Series([None if r[1] in areas else r[1] for r in rows], dtype=object),
    })


RUS_2023 = [
    (2023, "RUS", "CHN", HS["crude"], 60e9, 100e6),
    (2023, "RUS", "DEU", HS["crude"], 5e9, 8e6),  # banned
    (2023, "RUS", "HUN", HS["crude"], 2e9, 3e6),  # Druzhba exemption
    (2023, "RUS", "BGR", HS["crude"], 1e9, 1.5e6),  # Bulgaria's derogation, in force all 2023
    (2023, "RUS", "DEU", HS["coal"], 1e9, 10e6),  # banned
    (2023, "RUS", "CHN", HS["coal"], 3e9, 30e6),
    (2023, "RUS", "CHN", HS["pipeline_gas"], 10e9, 20e6),  # 27.2 bcm
    (2023, "RUS", "DEU", HS["pipeline_gas"], 1e9, 2e6),  # 2.72 bcm
    (2023, "RUS", "ITA", HS["pipeline_gas"], 2e9, 4e6),  # 5.44 bcm
    (2023, "RUS", "TUR", HS["pipeline_gas"], 6e9, 15e6),  # 20.4 bcm
    (2023, "RUS", "BLR", HS["pipeline_gas"], 0.5e9, 1e6),  # 1.36 bcm, not named by EI
    (2023, "RUS", "BEL", HS["lng"], 3e9, 5e6),  # 6.8 bcm
    (2023, "RUS", "JPN", HS["lng"], 4e9, 6e6),  # 8.16 bcm, not named by EI
]
RUS_2023_ICIO = {("RUS", "CHN", "C19"): 40.0, ("RUS", "DEU", "C19"): 25.0}


def test_russia_2023_energy_institute_override_and_embargoes_by_hand() -> None:
    base = energy_baseline(world_of(RUS_2023_ICIO, RUS_2023), "RUS", 2023, ei=ei_table())
    rows = by_key(base.flows)
    ei = "EI Statistical Review (2023)"
    gas_price = (10e9 + 1e9 + 2e9 + 6e9 + 0.5e9) / (27.2 + 2.72 + 5.44 + 20.4 + 1.36)
    # named importers: EI's volume at the buyer's own BACI unit value (BACI's average where the buyer has none)
    check_flow(rows[("pipeline_gas", "CHN")], value=22.7 * 10e9 / 27.2, quantity=22.7, tonnes=22.7 / BCM_PER_T,
               imputed=False, source=ei)
    check_flow(rows[("pipeline_gas", "TUR")], value=21.0 * 6e9 / 20.4, quantity=21.0, tonnes=21.0 / BCM_PER_T,
               imputed=False, source=ei)
    check_flow(rows[("pipeline_gas", "SRB")], value=2.0 * gas_price, quantity=2.0, tonnes=2.0 / BCM_PER_T,
               imputed=True, source=ei)
    # EI's "Other EU" 10 bcm split over DEU and ITA in proportion to BACI (2.72 : 5.44)
    split = f"{ei}, EU total split as BACI"
    factor = 10.0 / (2.72 + 5.44)
    check_flow(rows[("pipeline_gas", "DEU")], value=1e9 * factor, quantity=2.72 * factor, tonnes=2e6 * factor,
               imputed=False, source=split)
    check_flow(rows[("pipeline_gas", "ITA")], value=2e9 * factor, quantity=5.44 * factor, tonnes=4e6 * factor,
               imputed=False, source=split)
    check_flow(rows[("pipeline_gas", "BLR")], value=0.5e9, quantity=1.36, tonnes=1e6, imputed=False,
               source="BACI 2023")
    lng_price = 7e9 / (6.8 + 8.16)
    check_flow(rows[("lng", "BEL")], value=3.86 * 3e9 / 6.8, quantity=3.86, tonnes=3.86 / BCM_PER_T, imputed=False,
               source=ei)
    check_flow(rows[("lng", "FRA")], value=4.77 * lng_price, quantity=4.77, tonnes=4.77 / BCM_PER_T, imputed=True,
               source=ei)
    check_flow(rows[("lng", "JPN")], value=4e9, quantity=8.16, tonnes=6e6, imputed=False, source="BACI 2023")
    # embargoes: EU crude (but not HUN's pipeline crude nor BGR's derogation), EU coal and EU products removed
    assert base.closed["crude"] == frozenset(group_members("EU27", 2023)) - {"CZE", "HUN", "SVK", "BGR"}
    assert base.closed["coal"] == frozenset(group_members("EU27", 2023))
    assert base.closed["products"] == frozenset(group_members("EU27", 2023))
    assert set(base.closed) == {"crude", "coal", "products"}
    removed = by_key(base.removed)
    assert set(removed) == {("crude", "DEU"), ("coal", "DEU"), ("products", "DEU")}
    assert list(base.removed.columns) == FLOW_COLUMNS and list(base.removed.index) == [0, 1, 2]
    usd_per_t = 68e9 / 112.5e6  # every crude row, the banned ones included
    check_flow(removed[("crude", "DEU")], value=5e9, quantity=8.0, tonnes=8e6, imputed=False, source="BACI 2023")
    check_flow(removed[("products", "DEU")], value=25e6, quantity=25e6 / usd_per_t / 1e6, tonnes=25e6 / usd_per_t,
               imputed=True, source="ICIO 2022 C19")
    for key in (("crude", "HUN"), ("crude", "BGR"), ("crude", "CHN"), ("coal", "CHN"), ("products", "CHN")):
        assert key in rows
    assert not any(buyer == "DEU" and fuel in ("crude", "coal", "products") for fuel, buyer in rows)
    notes = base.notes
    assert notes[1] == (
        "pipeline_gas 2023: Energy Institute bilateral volumes override BACI for 3 named importers (CHN, TUR, SRB), "
        f"valued at each buyer's BACI unit value (BACI's average, US$ {gas_price / 1e6:,.0f} per 1000 m3, where BACI "
        "has none); EI's Other EU total of 10.0 bcm split over the EU members BACI reports in proportion to BACI's "
        "volumes (8.2 bcm); EI's residual areas (Other CIS: 5.0 bcm) keep BACI's 1.4 bcm for the buyers EI does not "
        "name")
    assert notes[2] == (
        "lng 2023: Energy Institute bilateral volumes override BACI for 2 named importers (BEL, FRA), valued at each "
        f"buyer's BACI unit value (BACI's average, US$ {lng_price / 1e6:,.0f} per 1000 m3, where BACI has none); "
        "EI's 2.5 bcm to the other EU members not allocated (BACI reports none)")
    assert notes[3].startswith("EU gas 2023: Energy Institute bilateral figures used (above); baseline to EU members: "
                               "pipeline_gas 10.0 bcm vs 25.7 published (")
    assert notes[3].endswith("gap -9.3 bcm)") and "lng 8.6 bcm vs 17.9 published (" in notes[3]
    assert "gap -15.7 bcm); lng" in notes[3]
    assert notes[5].startswith("embargoes in force in 2023 (for more than half of it): EU embargo on Russian crude "
                               "oil (crude, EU27, from 2022-12-05); ")
    assert notes[5].endswith("; removed from the baseline (coal 10.0 Mt, US$ 1.00 bn; crude 8.0 Mt, US$ 5.00 bn; "
                             "products 0.0 Mt, US$ 0.03 bn), not reallocated to other buyers; those buyers are closed "
                             "in every rerouting")
    assert "Bulgaria's derogation for seaborne crude (crude, BGR, from 2022-12-05 to 2024-02-29)" in notes[5]


def test_energy_institute_table_without_the_baseline_year_is_an_error() -> None:
    table = ei_table().assign(year=2022)
    with pytest.raises(InputError, match=r"^ei: the Energy Institute table covers 2022, not the baseline year 2023; "
                                         r"drop ei or use year 2022$"):
        energy_baseline(world_of(RUS_2023_ICIO, RUS_2023), "RUS", 2023, ei=table)


def test_energy_institute_without_rows_for_the_exporter_keeps_baci() -> None:
    table = ei_table().assign(exporter_iso3="QAT")
    base = energy_baseline(world_of({}, RUS_2023), "RUS", 2023, ei=table)
    assert "pipeline_gas 2023: the Energy Institute lists no pipeline_gas exports of RUS" in base.notes
    assert "lng 2023: the Energy Institute lists no lng exports of RUS" in base.notes
    assert set(base.flows["source"]) == {"BACI 2023"}


def test_energy_institute_volumes_without_a_baci_price_are_not_used() -> None:
    rows = [r for r in RUS_2023 if r[3] != HS["lng"]]
    base = energy_baseline(world_of({}, rows), "RUS", 2023, ei=ei_table())
    assert "lng 2023: BACI has no lng exports of RUS to value EI's volumes at; EI not used" in base.notes
    assert not base.flows["fuel"].eq("lng").any()
