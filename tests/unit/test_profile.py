from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from geoshift.analysis import profile
from geoshift.errors import UnknownCountryError, UnknownValueError
from geoshift.world import World

REL = 1e-9


def test_icio_profile_against_hand_computation(small_world: World) -> None:
    w = small_world
    p = profile(w, "RUS", source="icio", group="energy", flow="exports")
    X = w.X[:, :, 0] * 1e6  # energy = B06 only
    to_chn, to_usa = X[1, 0], X[1, 2]
    total = to_chn + to_usa
    assert p.total_usd == pytest.approx(total)
    assert [q.iso3 for q in p.partners] == ["CHN", "USA"]  # sorted by value
    assert p.partners[0].share == pytest.approx(to_chn / total)
    assert p.hhi == pytest.approx((to_chn / total) ** 2 + (to_usa / total) ** 2)
    # reverse: RUS's share of China's energy imports (from RUS and USA)
    assert p.partners[0].reverse_share == pytest.approx(to_chn / (X[1, 0] + X[2, 0]))
    a = p.asymmetry[0]
    assert a.iso3 == "CHN"
    two_way = X[1, 0] + X[0, 1]
    assert a.partner_share_of_country_trade == pytest.approx(two_way / (two_way + X[1, 2] + X[2, 1]))
    assert a.country_share_of_partner_trade == pytest.approx(two_way / (two_way + X[0, 2] + X[2, 0]))


def test_baci_profile_leads_by_value_and_quantity(small_world: World) -> None:
    p = profile(small_world, "RUS", source="baci", group="energy", flow="exports", year=2023)
    assert p.year == 2023
    assert p.total_usd == pytest.approx(61e9 + 11e9 + 0.5e9)
    assert [q.iso3 for q in p.partners] == ["CHN", "USA"]
    assert p.partners[0].quantity_t == pytest.approx(124e6)
    # RUS's share of China's 2023 energy imports: 72 of 76 bn
    assert p.partners[0].reverse_share == pytest.approx(72 / 76)
    leads = {lead.commodity: lead for lead in p.leads}
    assert leads["crude"].by_value_iso3 == "CHN" and leads["crude"].by_quantity_t == pytest.approx(107e6)
    assert leads["lng"].by_value_iso3 == "USA"
    assert leads["pipeline_gas"].by_quantity_share == pytest.approx(1.0)
    years = sorted({s.year for s in p.series if s.iso3 == "ALL"})
    assert years == [2022, 2023]
    default_year = profile(small_world, "RUS", source="baci", group="energy")
    assert default_year.year == 2023


def test_profile_json_shape(small_world: World) -> None:
    d = profile(small_world, "CHN", source="baci", group="all", flow="imports").to_dict()
    assert {"country", "source", "year", "group", "flow", "partners", "hhi"} <= set(d)
    shares = [p["share"] for p in d["partners"]]
    assert all(0 <= s <= 1 for s in shares) and np.isclose(sum(shares), 1.0)
    values = [p["value_usd"] for p in d["partners"]]
    assert values == sorted(values, reverse=True)


def test_profile_bad_input(small_world: World) -> None:
    with pytest.raises(UnknownCountryError, match="RUS"):
        profile(small_world, "RUX")
    with pytest.raises(UnknownValueError, match="2022 only"):
        profile(small_world, "RUS", year=2021)
    with pytest.raises(UnknownValueError, match="covers 2022-2023"):
        profile(small_world, "RUS", source="baci", year=1990)
    with pytest.raises(UnknownValueError, match="group 'oil'"):
        profile(small_world, "RUS", group="oil")  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError, match="flow"):
        profile(small_world, "RUS", flow="both")  # type: ignore[arg-type]


def test_hhi_counts_every_partner_not_just_the_top_five(small_world: World) -> None:
    """Seven buyers of RUS crude in 2023 with shares 30, 20, 15, 12, 10, 8, 5 % of US$ 100 bn. The HHI is on the
    0-1 scale (sum of squared shares): .09 + .04 + .0225 + .0144 + .01 + .0064 + .0025 = 0.1858; the top five
    alone would give 0.1769."""
    shares = {"CHN": 30, "USA": 20, "IND": 15, "TUR": 12, "DEU": 10, "KOR": 8, "JPN": 5}
    baci = pd.DataFrame([(2023, "RUS", iso3, 270900, pct * 1e9, pct * 1e6) for iso3, pct in shares.items()],
                        columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    world = dataclasses.replace(small_world, baci=baci)
    p = profile(world, "RUS", source="baci", group="energy", flow="exports", year=2023)
    assert p.total_usd == pytest.approx(100e9, rel=REL)
    assert [q.iso3 for q in p.partners] == list(shares)
    assert [q.share for q in p.partners] == pytest.approx([pct / 100 for pct in shares.values()], rel=REL)
    assert p.hhi == pytest.approx(0.1858, rel=REL)
