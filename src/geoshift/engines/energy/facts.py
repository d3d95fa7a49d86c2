"""Curated energy facts shipped with the package (from the project's sourced tables; every row keeps its source and
its ``verified`` flag: found, derived, memory, or assumption)."""

from __future__ import annotations

from functools import cache

import pandas as pd

from geoshift.data.resources import read_packaged_csv
from geoshift.engines.energy.units import to_canonical
from geoshift.errors import InputError


@cache
def routes() -> pd.DataFrame:
    """Export routes: route, fuel, exporter, buyers (``;``-separated ISO3 / EU27 / ``world``), capacity in the
    fuel's canonical unit, status_2024 (operating, idle, sanctioned, planned, destroyed), start_year."""
    frame = read_packaged_csv("energy_routes.csv")
    frame["start_year"] = pd.to_numeric(frame["start_year"], errors="coerce")
    return frame


@cache
def buyer_facts() -> pd.DataFrame:
    return read_packaged_csv("energy_buyers.csv")


@cache
def fiscal() -> pd.DataFrame:
    return read_packaged_csv("russia_fiscal.csv")


def fiscal_value(year: int, quantity: str) -> tuple[float, str, str]:
    """(value, unit, verified) of a fiscal quantity (oil_gas_revenue, total_revenue, rub_per_usd_avg, ...)."""
    rows = fiscal()
    row = rows[(rows["year"] == year) & (rows["quantity"] == quantity)]
    if row.empty:
        years = sorted(rows[rows["quantity"] == quantity]["year"].unique())
        raise InputError(f"no fiscal figure {quantity!r} for {year}; available years: {years}")
    first = row.iloc[0]
    return float(first["value"]), str(first["unit"]), str(first["verified"])


@cache
def _import_demand_table() -> dict[tuple[str, str, int], float]:
    rows = buyer_facts()
    rows = rows[(rows["quantity"] == "imports") & rows["unit"].isin(["mb/d", "bcm", "Mt"])]
    return {(str(b), str(f), int(y)): to_canonical(str(f), float(v), str(u))
            for b, f, y, v, u in zip(rows["buyer_iso3"], rows["fuel"], rows["year"], rows["value"], rows["unit"],
                                     strict=True)}


def import_demand(buyer: str, fuel: str, year: int) -> float | None:
    """A buyer's total imports of a fuel from the facts table, in canonical units, if listed."""
    return _import_demand_table().get((buyer, fuel, year))
