from __future__ import annotations

import pytest

from geoshift.engines.energy import units
from geoshift.engines.energy.fiscal import fiscal_effect
from geoshift.errors import InputError


def test_conversions_against_hand_computed_values() -> None:
    # 1 Mt of crude a year = 7.33 million barrels / 365 days = 20,082 b/d
    assert units.barrels_per_day("crude", 1e6) == pytest.approx(7.33e6 / 365)
    assert units.barrels_per_day("crude", 1e6) == pytest.approx(20082.19, abs=0.01)
    # 1 mb/d of crude = 365 million barrels / 7.33 = 49.80 Mt a year
    assert units.mbd_to_mt_per_year("crude", 1.0) == pytest.approx(49.7954, abs=1e-4)
    assert units.to_canonical("crude", 1.0, "mb/d") == pytest.approx(365 / 7.33)
    # LNG: 17.4 Mt/yr (Yamal LNG) = 23.664 bcm/yr
    assert units.to_canonical("lng", 17.4, "Mt/yr") == pytest.approx(23.664)
    assert units.tonnes_to_canonical("pipeline_gas", 15_935_180.0) == pytest.approx(21.6718, abs=1e-4)
    assert units.tonnes_to_canonical("crude", 99_550_328.575) == pytest.approx(99.550328575)
    assert units.tonnes_to_canonical("coal", 2e6) == 2.0
    assert units.to_canonical("pipeline_gas", 38.0, "bcm/yr") == 38.0


def test_unit_errors() -> None:
    with pytest.raises(InputError, match="unknown fuel 'diesel'"):
        units.check_fuel("diesel")
    with pytest.raises(InputError, match="barrels per day apply to crude and products"):
        units.barrels_per_day("lng", 1.0)
    with pytest.raises(InputError, match="no conversion"):
        units.to_canonical("crude", 1.0, "kb/d")


def test_fiscal_effect_by_hand() -> None:
    """2024 facts: oil & gas budget revenue 11.13 trn RUB, total 36.7 trn, 92.6 RUB/USD."""
    effect = fiscal_effect("RUS", 2024, og_export_revenue_usd=200e9, og_revenue_change_usd=-20e9)
    assert effect is not None
    tax_take = 11.13 / (200e9 * 92.6 / 1e12)
    assert effect.tax_take == pytest.approx(tax_take)
    assert effect.change_rub_trn == pytest.approx(-1.113)  # a 10 % fall in exports takes 10 % of the revenue
    assert effect.budget_share_before == pytest.approx(11.13 / 36.7)
    assert effect.budget_share_after == pytest.approx((11.13 - 1.113) / (36.7 - 1.113))
    assert effect.verified["oil_gas_revenue"] == "found"
    assert fiscal_effect("SAU", 2024, 1e9, 0.0) is None
    assert fiscal_effect("RUS", 1999, 1e9, 0.0) is None
