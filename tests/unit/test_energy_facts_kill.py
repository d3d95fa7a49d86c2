"""The shipped energy facts as the engines read them (each table read afresh here: they are memoised per
process): a buyer's imports in the LP's units from the facts table's own units, route start years as numbers,
and a fiscal figure with its unit and flag, or one line naming the years there are."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from importlib import resources

import pytest

from geoshift.engines.energy import facts
from geoshift.errors import InputError


@pytest.fixture(autouse=True)
def fresh_tables() -> Iterator[None]:
    for table in (facts.routes, facts.buyer_facts, facts.fiscal, facts._import_demand_table):
        table.cache_clear()
    yield


def shipped(name: str) -> list[dict[str, str]]:
    text = resources.files("geoshift.data.files").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_import_demand_in_canonical_units_from_the_facts_table() -> None:
    rows = [r for r in shipped("energy_buyers.csv") if r["quantity"] == "imports"]
    checked = 0
    for r in rows:
        value, unit = float(r["value"]), r["unit"]
        got = facts.import_demand(r["buyer_iso3"], r["fuel"], int(r["year"]))
        if unit == "mb/d":  # million barrels a day -> Mt a year at 7.33 (crude) or 7.5 (products) barrels a tonne
            expected = value * 365 / {"crude": 7.33, "products": 7.5}[r["fuel"]]
        elif unit == "Mt" and r["fuel"] in ("lng", "pipeline_gas"):
            expected = value * 1.36
        elif unit in ("bcm", "Mt"):
            expected = value
        else:
            assert got is None, r  # other units are not read as import demand
            continue
        assert got == pytest.approx(expected, rel=1e-12), r
        checked += 1
    assert checked >= 10
    chn = next(r for r in rows if (r["buyer_iso3"], r["fuel"], r["year"]) == ("CHN", "crude", "2023"))
    assert facts.import_demand("CHN", "crude", 2023) == pytest.approx(float(chn["value"]) * 365 / 7.33)
    assert facts.import_demand("CHN", "crude", 1990) is None and facts.import_demand("ZZZ", "crude", 2023) is None


def test_route_start_years_are_numbers_or_missing() -> None:
    table = facts.routes()
    raw = shipped("energy_routes.csv")
    assert list(table["route"]) == [r["route"] for r in raw]
    for start, r in zip(table["start_year"], raw, strict=True):
        if r["start_year"].strip():
            assert start == float(r["start_year"])
        else:
            assert math.isnan(start)
    assert table["start_year"].dtype.kind == "f"


def test_fiscal_value_with_unit_and_flag_or_the_years_there_are() -> None:
    raw = [r for r in shipped("russia_fiscal.csv") if r["quantity"] == "oil_gas_revenue"]
    first = raw[0]
    value, unit, verified = facts.fiscal_value(int(first["year"]), "oil_gas_revenue")
    assert (value, unit, verified) == (float(first["value"]), first["unit"], first["verified"])
    years = sorted({int(r["year"]) for r in raw})
    with pytest.raises(InputError) as exc:
        facts.fiscal_value(1990, "oil_gas_revenue")
    message = str(exc.value)
    assert message.startswith("no fiscal figure 'oil_gas_revenue' for 1990; available years: [")
    assert all(str(y) in message for y in years)
    assert len(facts.buyer_facts()) == len(shipped("energy_buyers.csv"))
