"""Physical units of energy trade, with the conversion factors stated once.

Canonical units: crude oil and refined products in million tonnes (Mt), natural gas (pipeline and LNG) in
billion cubic metres (bcm), coal in Mt. BACI reports tonnes.

* crude: 7.33 barrels per tonne (the Energy Institute's average conversion for crude oil);
* refined products: 7.50 barrels per tonne (an average over products; an assumption);
* natural gas: 1 Mt of LNG = 1.36 bcm of gas (Energy Institute conversion), used for BACI's tonnes of both
  LNG and pipeline gas;
* barrels per day use 365 days a year.
"""

from __future__ import annotations

from typing import Literal, get_args

from geoshift.errors import InputError

Fuel = Literal["crude", "products", "pipeline_gas", "lng", "coal"]
FUELS: tuple[str, ...] = get_args(Fuel)

BARRELS_PER_TONNE = {"crude": 7.33, "products": 7.50}
BCM_PER_MT_GAS = 1.36
DAYS_PER_YEAR = 365.0
CANONICAL_UNIT = {"crude": "Mt", "products": "Mt", "pipeline_gas": "bcm", "lng": "bcm", "coal": "Mt"}
OIL_AND_GAS = ("crude", "products", "pipeline_gas", "lng")


def check_fuel(fuel: str, field: str = "fuel") -> str:
    if fuel not in FUELS:
        import difflib

        hint = difflib.get_close_matches(fuel, FUELS, n=1)
        raise InputError(f"{field}: unknown fuel {fuel!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                         + f"; fuels: {', '.join(FUELS)}")
    return fuel


def tonnes_to_canonical(fuel: str, tonnes: float) -> float:
    """BACI tonnes -> Mt (oil, coal) or bcm (gas)."""
    check_fuel(fuel)
    if fuel in ("pipeline_gas", "lng"):
        return tonnes / 1e6 * BCM_PER_MT_GAS
    return tonnes / 1e6


def barrels_per_day(fuel: str, tonnes_per_year: float) -> float:
    if fuel not in BARRELS_PER_TONNE:
        raise InputError(f"barrels per day apply to crude and products, not {fuel!r}")
    return tonnes_per_year * BARRELS_PER_TONNE[fuel] / DAYS_PER_YEAR


def mbd_to_mt_per_year(fuel: str, million_barrels_per_day: float) -> float:
    """Million barrels per day -> Mt per year."""
    if fuel not in BARRELS_PER_TONNE:
        raise InputError(f"barrels per day apply to crude and products, not {fuel!r}")
    return million_barrels_per_day * DAYS_PER_YEAR / BARRELS_PER_TONNE[fuel]


def to_canonical(fuel: str, value: float, unit: str) -> float:
    """A capacity or volume in a facts-table unit -> the fuel's canonical unit."""
    check_fuel(fuel)
    key = unit.strip().lower()
    if key in ("mt/yr", "mt") and fuel in ("pipeline_gas", "lng"):
        return value * BCM_PER_MT_GAS
    if key in ("mt/yr", "mt", "bcm/yr", "bcm"):
        return value
    if key in ("mb/d",):
        return mbd_to_mt_per_year(fuel, value)
    raise InputError(f"unit {unit!r} of {fuel} has no conversion; use Mt/yr, bcm/yr or mb/d")
