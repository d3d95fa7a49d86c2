"""Dependency profiles of the example World, every field by hand: ICIO imports over all sectors, ICIO exports of one
group, and BACI energy imports with the per-fuel series (tonnes, Mt or bcm, barrels per day)."""

from __future__ import annotations

import pytest

from geoshift.analysis import profile
from geoshift.analysis.profile import FuelPoint, Lead, SeriesPoint
from geoshift.data.baci import products
from geoshift.world import World

# The example World's flows X[i, n, s] (US$ million), exporter rows CHN, RUS, USA, importer columns:
#   B06  [[60, 13, 16], [32, 66, 12], [16, 19, 72]]
#   C24A [[64, 17, 20], [17, 70, 23], [20, 23, 76]]
#   G    [[68, 21, 24], [21, 74, 27], [24, 27, 80]]
# Foreign trade over all sectors: CHN->RUS 51, CHN->USA 60, RUS->CHN 70, RUS->USA 62, USA->CHN 60, USA->RUS 69.
M = 1e6


def test_icio_imports_over_all_sectors(small_world: World) -> None:
    p = profile(small_world, "USA", source="icio", group="all", flow="imports")
    assert (p.country, p.source, p.year, p.group, p.flow) == ("USA", "icio", 2022, "all", "imports")
    assert p.total_usd == pytest.approx(122 * M)
    assert [(q.iso3, q.value_usd) for q in p.partners] == [("RUS", pytest.approx(62 * M)),
                                                           ("CHN", pytest.approx(60 * M))]
    assert [q.share for q in p.partners] == pytest.approx([62 / 122, 60 / 122])
    # USA's share of each supplier's foreign sales: RUS sells 70 + 62 abroad, CHN 51 + 60
    assert [q.reverse_share for q in p.partners] == pytest.approx([62 / 132, 60 / 111])
    assert all(q.quantity_t is None for q in p.partners)
    assert p.hhi == pytest.approx((62 / 122) ** 2 + (60 / 122) ** 2)
    # the largest supplier of each sector, sectors by the value bought: G 24 + 27, C24A 20 + 23, B06 16 + 12
    assert p.leads == (
        Lead("G", pytest.approx(51 * M), "RUS", pytest.approx(27 * M), pytest.approx(27 / 51)),
        Lead("C24A", pytest.approx(43 * M), "RUS", pytest.approx(23 * M), pytest.approx(23 / 43)),
        Lead("B06", pytest.approx(28 * M), "CHN", pytest.approx(16 * M), pytest.approx(16 / 28)),
    )
    assert p.series == (SeriesPoint(2022, "RUS", pytest.approx(62 * M)),
                        SeriesPoint(2022, "CHN", pytest.approx(60 * M)),
                        SeriesPoint(2022, "ALL", pytest.approx(122 * M)))
    # two-way trade: USA-RUS 62 + 69, USA-CHN 60 + 60; all foreign trade: USA 251, RUS 131 + 121, CHN 120 + 121
    (rus, chn) = p.asymmetry
    assert (rus.iso3, rus.partner_share_of_country_trade, rus.country_share_of_partner_trade) == (
        "RUS", pytest.approx(131 / 251), pytest.approx(131 / 252))
    assert (chn.iso3, chn.partner_share_of_country_trade, chn.country_share_of_partner_trade) == (
        "CHN", pytest.approx(120 / 251), pytest.approx(120 / 241))
    assert p.notes == ("OECD ICIO 2022; sectors B06, C24A, G; final demand by destination: exact rule",)
    assert p.coverage == "ICIO 2022, all goods and services (B06, C24A, G), US$ at basic prices"
    assert p.fuel_series == ()


def test_icio_exports_of_one_group(small_world: World) -> None:
    p = profile(small_world, "RUS", source="icio", group="minerals", flow="exports")  # C24A only
    assert (p.group, p.flow, p.total_usd) == ("minerals", "exports", pytest.approx(40 * M))
    assert [(q.iso3, q.share) for q in p.partners] == [("USA", pytest.approx(23 / 40)), ("CHN", pytest.approx(17 / 40))]
    # RUS's share of each buyer's foreign purchases of C24A: USA buys 20 + 23 abroad, CHN 17 + 20
    assert [q.reverse_share for q in p.partners] == pytest.approx([23 / 43, 17 / 37])
    assert p.leads == (Lead("C24A", pytest.approx(40 * M), "USA", pytest.approx(23 * M), pytest.approx(23 / 40)),)
    assert p.notes == ("OECD ICIO 2022; sectors C24A; final demand by destination: exact rule",)
    assert p.coverage == "ICIO 2022, metals & minerals sectors (C24A), US$ at basic prices"
    d = p.to_dict(top=1)
    assert [q["iso3"] for q in d["partners"]] == ["USA"] and d["partners_total"] == 2
    assert d["coverage"] == p.coverage and d["total_usd"] == p.total_usd
    assert len(p.to_dict()["partners"]) == 2


def test_baci_energy_imports_by_hand(small_world: World) -> None:
    p = profile(small_world, "CHN", source="baci", group="energy", flow="imports", year=2023)
    assert (p.source, p.year, p.group, p.flow) == ("baci", 2023, "energy", "imports")
    # 2023 energy into CHN: RUS crude 61 bn (107 Mt) and pipeline gas 11 bn (17 Mt), USA crude 4 bn (6 Mt)
    assert p.total_usd == pytest.approx(76e9)
    assert [(q.iso3, q.value_usd, q.quantity_t) for q in p.partners] == [
        ("RUS", pytest.approx(72e9), pytest.approx(124e6)), ("USA", pytest.approx(4e9), pytest.approx(6e6))]
    # CHN's share of each supplier's 2023 energy exports: RUS also sells 0.5 bn of LNG to USA
    assert [q.reverse_share for q in p.partners] == pytest.approx([72 / 72.5, 1.0])
    assert p.hhi == pytest.approx((72 / 76) ** 2 + (4 / 76) ** 2)
    assert p.leads == (
        Lead("crude", pytest.approx(65e9), "RUS", pytest.approx(61e9), pytest.approx(61 / 65), "RUS",
             pytest.approx(107e6), pytest.approx(107 / 113)),
        Lead("pipeline_gas", pytest.approx(11e9), "RUS", pytest.approx(11e9), 1.0, "RUS", pytest.approx(17e6), 1.0),
    )
    (rus, usa) = p.asymmetry  # two-way 2023 energy trade: CHN 72 + 4, RUS 72 + 0.5, USA 4 + 0.5
    assert (rus.partner_share_of_country_trade, rus.country_share_of_partner_trade) == (
        pytest.approx(72 / 76), pytest.approx(72 / 72.5))
    assert (usa.partner_share_of_country_trade, usa.country_share_of_partner_trade) == (
        pytest.approx(4 / 76), pytest.approx(4 / 4.5))
    assert p.series == (
        SeriesPoint(2022, "ALL", pytest.approx(75e9), pytest.approx(108e6)),
        SeriesPoint(2022, "RUS", pytest.approx(70e9), pytest.approx(101e6)),
        SeriesPoint(2022, "USA", pytest.approx(5e9), pytest.approx(7e6)),
        SeriesPoint(2023, "ALL", pytest.approx(76e9), pytest.approx(130e6)),
        SeriesPoint(2023, "RUS", pytest.approx(72e9), pytest.approx(124e6)),
        SeriesPoint(2023, "USA", pytest.approx(4e9), pytest.approx(6e6)),
    )
    n = int((products()["group"] == "energy").sum())
    assert p.notes == (f"BACI HS92 2023, {n} HS6 products (energy); values in US$, quantities in tonnes; recent "
                       "Russian exports are mirror data (importers' reports)",)
    assert p.coverage == (f"BACI 2023, {n} energy HS6 products (coal, crude oil, LNG, pipeline gas; no refined "
                          "products), US$ and tonnes")


def crude(year: int, iso3: str, usd: float, tonnes: float) -> FuelPoint:
    """Crude: Mt = tonnes / 1e6; barrels per day = tonnes x 7.33 barrels per tonne / 365 days."""
    return FuelPoint(year, "crude", iso3, pytest.approx(usd), pytest.approx(tonnes), pytest.approx(tonnes / 1e6),
                     "Mt", pytest.approx(tonnes * 7.33 / 365))


def gas(year: int, iso3: str, usd: float, tonnes: float) -> FuelPoint:
    """Pipeline gas: bcm = Mt x 1.36."""
    return FuelPoint(year, "pipeline_gas", iso3, pytest.approx(usd), pytest.approx(tonnes),
                     pytest.approx(tonnes / 1e6 * 1.36), "bcm", None)


def test_baci_fuel_series_by_hand(small_world: World) -> None:
    p = profile(small_world, "CHN", source="baci", group="energy", flow="imports", year=2023)
    assert p.fuel_series == (
        crude(2022, "RUS", 60e9, 86e6), crude(2022, "USA", 5e9, 7e6), crude(2022, "ALL", 65e9, 93e6),
        gas(2022, "RUS", 10e9, 15e6), gas(2022, "ALL", 10e9, 15e6),
        crude(2023, "RUS", 61e9, 107e6), crude(2023, "USA", 4e9, 6e6), crude(2023, "ALL", 65e9, 113e6),
        gas(2023, "RUS", 11e9, 17e6), gas(2023, "ALL", 11e9, 17e6),
    )
    minerals = profile(small_world, "USA", source="baci", group="minerals", flow="imports", year=2023)
    assert minerals.fuel_series == () and minerals.total_usd == pytest.approx(2e8)
    assert [(q.iso3, q.quantity_t) for q in minerals.partners] == [("CHN", pytest.approx(1e4))]
