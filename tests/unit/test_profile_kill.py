"""BACI dependency profiles at their edges, by hand on the example World with hand-made BACI rows: the latest of
three years by default, commodities with no value or a tiny one, quantities of zero or below a tonne, ties between
commodities, partners without tonnes, a partner that only imports, a year with a single row, and a country absent
from the year's trade."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from geoshift.analysis.profile import Lead, SeriesPoint, baci_coverage, icio_coverage, profile
from geoshift.errors import UnknownValueError
from geoshift.world import World, example_world

NAN = float("nan")
CRUDE, LNG, COAL, COBALT, RARE_EARTHS = 270900, 271111, 270112, 282200, 280530


def world() -> World:
    rows = [
        (2023, "RUS", "CHN", RARE_EARTHS, 25.0, 0.5),  # listed before cobalt: a tie in value with it
        (2023, "RUS", "KAZ", COBALT, 25.0, 0.0),  # tonnes reported as zero
        (2023, "RUS", "CHN", COAL, 0.0, NAN),  # no value: no lead
        (2023, "RUS", "CHN", CRUDE, 40.0, 4.0),
        (2023, "RUS", "USA", CRUDE, 10.0, NAN),
        (2023, "RUS", "USA", LNG, 0.5, NAN),  # under one dollar
        (2023, "CHN", "RUS", CRUDE, 5.0, 1.0),
        (2023, "USA", "CHN", CRUDE, 60.0, 6.0),
        (2021, "RUS", "CHN", CRUDE, 30.0, 3.0),
        (2021, "JPN", "CHN", CRUDE, 1.0, 0.1),  # Japan trades in 2021 only
        (2019, "RUS", "CHN", CRUDE, 20.0, 2.0),  # the only row of 2019
    ]
    baci = pd.DataFrame(rows, columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    return dataclasses.replace(example_world(), baci=baci)


def test_russias_exports_by_hand() -> None:
    p = profile(world(), "RUS", source="baci")  # the latest of 2019, 2021 and 2023
    assert (p.country, p.year, p.group, p.flow, p.source) == ("RUS", 2023, "all", "exports", "baci")
    total = 65.0 + 25.0 + 10.5
    assert p.total_usd == pytest.approx(total)
    got = [(q.iso3, q.value_usd, q.share, q.reverse_share, q.quantity_t) for q in p.partners]
    # CHN buys 65 of its 125 of imports from RUS; KAZ and USA buy only from RUS; USA's rows have no tonnes
    assert got == [("CHN", 65.0, pytest.approx(65 / total), pytest.approx(65 / 125), pytest.approx(4.5)),
                   ("KAZ", 25.0, pytest.approx(25 / total), 1.0, 0.0),
                   ("USA", 10.5, pytest.approx(10.5 / total), 1.0, None)]
    assert p.hhi == pytest.approx((65 / total) ** 2 + (25 / total) ** 2 + (10.5 / total) ** 2)
    # leads: coal (no value) has none; cobalt and rare earths tie at 25 and stay in alphabetical order; cobalt's
    # zero tonnes and LNG's missing tonnes give no quantity lead; rare earths' half tonne does
    assert p.leads == (
        Lead("crude", 50.0, "CHN", 40.0, 0.8, "CHN", 4.0, 1.0),
        Lead("cobalt", 25.0, "KAZ", 25.0, 1.0),
        Lead("rare_earths", 25.0, "CHN", 25.0, 1.0, "CHN", 0.5, 1.0),
        Lead("lng", 0.5, "USA", 0.5, 1.0),
    )
    # two-way trade of 2023 (exporter x importer, KAZ only imports): RUS 70 + 10.5 + 25, CHN 70 + 60, USA 10.5 + 60,
    # KAZ 25
    asym = {a.iso3: (a.partner_share_of_country_trade, a.country_share_of_partner_trade) for a in p.asymmetry}
    assert asym == {"CHN": (pytest.approx(70 / 105.5), pytest.approx(70 / 130)),
                    "KAZ": (pytest.approx(25 / 105.5), pytest.approx(1.0)),
                    "USA": (pytest.approx(10.5 / 105.5), pytest.approx(10.5 / 70.5))}
    assert p.series == (
        SeriesPoint(2019, "ALL", 20.0, 2.0), SeriesPoint(2019, "CHN", 20.0, 2.0),
        SeriesPoint(2021, "ALL", 30.0, 3.0), SeriesPoint(2021, "CHN", 30.0, 3.0),
        SeriesPoint(2023, "ALL", pytest.approx(total), pytest.approx(4.5)), SeriesPoint(2023, "CHN", 65.0, 4.5),
        SeriesPoint(2023, "KAZ", 25.0, 0.0), SeriesPoint(2023, "USA", 10.5, None),
    )
    fuels = {(f.year, f.fuel, f.iso3) for f in p.fuel_series}  # every group with energy has its fuel series
    assert {(2019, "crude", "ALL"), (2023, "crude", "CHN"), (2023, "lng", "USA")} <= fuels


def test_a_country_absent_from_the_years_trade_has_no_partners_and_no_asymmetry() -> None:
    p = profile(world(), "JPN", source="baci", year=2023)
    assert p.country == "JPN" and p.partners == () and p.asymmetry == () and p.total_usd == 0.0
    earlier = profile(world(), "JPN", source="baci", year=2021)
    assert [q.iso3 for q in earlier.partners] == ["CHN"]


def test_fuel_series_in_year_and_fuel_order_with_missing_tonnes() -> None:
    p = profile(world(), "RUS", source="baci")
    got = [(f.year, f.fuel, f.iso3, f.value_usd, f.tonnes, f.quantity, f.unit) for f in p.fuel_series]
    assert got == [
        (2019, "crude", "CHN", 20.0, 2.0, 2e-6, "Mt"), (2019, "crude", "ALL", 20.0, 2.0, 2e-6, "Mt"),
        (2021, "crude", "CHN", 30.0, 3.0, 3e-6, "Mt"), (2021, "crude", "ALL", 30.0, 3.0, 3e-6, "Mt"),
        (2023, "coal", "CHN", 0.0, None, None, "Mt"), (2023, "coal", "ALL", 0.0, None, None, "Mt"),
        (2023, "crude", "CHN", 40.0, 4.0, 4e-6, "Mt"), (2023, "crude", "USA", 10.0, None, None, "Mt"),
        (2023, "crude", "ALL", 50.0, 4.0, 4e-6, "Mt"),
        (2023, "lng", "USA", 0.5, None, None, "bcm"), (2023, "lng", "ALL", 0.5, None, None, "bcm"),
    ]
    crude = [f for f in p.fuel_series if f.fuel == "crude" and f.tonnes is not None]
    assert [f.barrels_per_day for f in crude] == pytest.approx([t * 7.33 / 365 for t in (2.0, 2.0, 3.0, 3.0, 4.0, 4.0)])


def icio_world() -> World:
    """Seven sectors (four energy, three services); RUS exports B06 to CHN (10) and USA (5), B05 US$ 0.5 to CHN,
    nothing of B07; CHN and USA buy nothing else, so USA's only imports are RUS's."""
    countries, sectors = ("CHN", "RUS", "USA"), ("B05", "B06", "B07", "B09", "G", "H", "K")
    groups = ("energy", "energy", "energy", "energy", "services", "services", "services")
    X = np.zeros((3, 3, 7))
    X[1, 0, 1], X[1, 2, 1], X[1, 0, 0], X[1, 1, 1] = 10.0, 5.0, 5e-7, 7.0
    X[0, 1, 4] = 2.0  # CHN sells services to RUS
    gross = X.sum(axis=1) + 1.0
    base = example_world()
    return World(countries=countries, sectors=sectors, sector_names=sectors, sector_group=groups,
                     intermediate=X, final=np.zeros_like(X), use=np.zeros((3, 7, 7)), gross_output=gross,
                     value_added=gross.copy(), year=2022, final_rule="exact", baci=base.baci.iloc[0:0],
                     mining=base.mining, governance=base.governance)


def test_icio_profile_leads_coverage_and_reverse_shares() -> None:
    world = icio_world()
    p = profile(world, "RUS", source="icio", group="energy")
    # B06: CHN 10, USA 5 (US$ million); B05: US$ 0.5 to CHN; B07 and B09: no sales, no lead; own sales left out
    assert p.leads == (Lead("B06", 15e6, "CHN", 10e6, 10 / 15), Lead("B05", 0.5, "CHN", 0.5, 1.0))
    assert [(q.iso3, q.value_usd, q.reverse_share) for q in p.partners] == [
        ("CHN", pytest.approx(10e6 + 0.5), 1.0), ("USA", 5e6, 1.0)]
    assert p.coverage == "ICIO 2022, energy sectors (B05, B06, B07, B09), US$ at basic prices"
    everything = profile(world, "RUS", source="icio", group="all")
    assert everything.coverage == "ICIO 2022, all goods and services (7 sectors), US$ at basic prices"
    imports = profile(world, "USA", source="icio", group="energy", flow="imports")
    assert imports.leads == (Lead("B06", 5e6, "RUS", 5e6, 1.0),)
    # CHN imports energy from RUS only and buys nothing else; RUS imports only CHN's services, no energy at all
    chn = profile(world, "CHN", source="icio", group="energy", flow="exports")
    assert chn.partners == () and chn.leads == ()


def test_coverage_texts_of_other_groups() -> None:
    assert icio_coverage(icio_world(), "services") == "ICIO 2022, services sectors (G, H, K), US$ at basic prices"
    assert baci_coverage(2023, "minerals").endswith(" mineral HS6 products, US$ and tonnes")
    assert "(coal" not in baci_coverage(2023, "minerals")
    assert baci_coverage(2023, "services") == "BACI 2023, 0 services HS6 products, US$ and tonnes"


def test_bad_choices_and_years_read_in_full() -> None:
    world = icio_world()
    with pytest.raises(UnknownValueError) as exc:
        profile(world, "RUS", source="bilateral")  # type: ignore[arg-type]
    assert str(exc.value) == "source 'bilateral' is not one of icio, baci"
    with pytest.raises(UnknownValueError) as exc:
        profile(world, "RUS", flow="both")  # type: ignore[arg-type]
    assert str(exc.value) == "flow 'both' is not one of exports, imports"
    with pytest.raises(UnknownValueError) as exc:
        profile(world, "RUS", year=2023)
    assert str(exc.value) == ("no all-goods source covers 2023: the ICIO network (all goods and services) is 2022 "
                              "only; this World has no BACI data; or drop --year for ICIO 2022")
    with pytest.raises(UnknownValueError) as exc:
        profile(dataclasses.replace(world, baci=world_baci()), "RUS", year=2030)
    assert "BACI (" in str(exc.value) and " covers 2019-2023, not 2030; or drop --year for ICIO 2022" in str(exc.value)


def world_baci() -> pd.DataFrame:
    return world().baci
