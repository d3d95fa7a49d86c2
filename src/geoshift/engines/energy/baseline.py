"""Baseline energy trade of one exporter: by buyer and fuel, in US$ and physical units.

From BACI (crude 2709, LNG 271111, pipeline gas 271121, coal 2701xx and 2702xx) for any year 1995-2024; refined
products from the ICIO C19 flows (2022 values, since BACI's extract has no HS 2710), with quantities at the
exporter's average crude export price per tonne of that year (an assumption: no product premium). Rows without
a BACI quantity get one at the exporter's median unit value for that fuel and year (flagged ``imputed``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geoshift.data.baci import products
from geoshift.data.countries import resolve_country
from geoshift.engines.energy.units import CANONICAL_UNIT, tonnes_to_canonical
from geoshift.errors import InputError
from geoshift.world.world import World

ICIO_UNIT_USD = 1e6
NOISE_SHARE = 1e-4


@dataclass(frozen=True, eq=False)
class EnergyBaseline:
    exporter: str
    year: int
    #: buyer, fuel, value_usd, quantity (canonical unit), unit, tonnes, price_usd (per canonical unit), imputed
    flows: pd.DataFrame = field(repr=False)
    #: buyer, fuel, quantity: the buyer's imports of the fuel from every exporter (canonical unit)
    imports: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()


def _fuel_of_hs6() -> dict[int, str]:
    catalogue = products()
    energy = catalogue[catalogue["group"] == "energy"]
    return {int(k): str(v) for k, v in zip(energy["hs6"], energy["commodity"], strict=True)}


def energy_baseline(world: World, exporter: str, year: int) -> EnergyBaseline:
    exporter = resolve_country(exporter, world.baci_countries, field="exporter")
    if year not in world.baci_years:
        raise InputError(f"year {year} is not in BACI, which covers {world.baci_years[0]}-{world.baci_years[-1]}")
    fuel_of = _fuel_of_hs6()
    baci = world.baci
    rows = baci[(baci["year"] == year) & baci["hs6"].isin(list(fuel_of))]
    rows = rows.assign(fuel=rows["hs6"].map(fuel_of))
    mine = rows[(rows["exporter"] == exporter) & (rows["importer"] != exporter)]
    if mine.empty:
        raise InputError(f"{exporter} has no energy exports in BACI in {year}")
    flows = mine.groupby(["importer", "fuel"], as_index=False).agg(
        value_usd=("value_usd", "sum"), tonnes=("quantity_t", lambda q: q.sum(min_count=1)))
    flows = flows.rename(columns={"importer": "buyer"})
    # drop reporting noise: flows under 0.01 % of the fuel's total value (e.g. US$ 34 of "pipeline gas" to Korea)
    flows = flows[flows["value_usd"] >= NOISE_SHARE * flows.groupby("fuel")["value_usd"].transform("sum")]
    flows["imputed"] = flows["tonnes"].isna()
    unit_value = (flows["value_usd"] / flows["tonnes"]).groupby(flows["fuel"]).transform("median")
    flows["tonnes"] = flows["tonnes"].fillna(flows["value_usd"] / unit_value)
    flows["quantity"] = [tonnes_to_canonical(f, t) for f, t in zip(flows["fuel"], flows["tonnes"], strict=True)]
    product_imports: pd.DataFrame | None = None
    notes = [f"BACI {year}: energy exports of {exporter} (mirror data for recent Russian exports)"]
    if exporter in world.countries:
        crude = flows[flows["fuel"] == "crude"]
        if not crude.empty and crude["tonnes"].sum() > 0:
            usd_per_t = float(crude["value_usd"].sum() / crude["tonnes"].sum())
            c19 = world.sectors.index("C19") if "C19" in world.sectors else None
            if c19 is not None:
                e = world.countries.index(exporter)
                values = world.X[e, :, c19] * ICIO_UNIT_USD
                products_rows = pd.DataFrame({
                    "buyer": [c for n, c in enumerate(world.countries) if n != e and values[n] > 0],
                    "value_usd": [float(values[n]) for n in range(len(world.countries)) if n != e and values[n] > 0],
                })
                products_rows["fuel"] = "products"
                products_rows["tonnes"] = products_rows["value_usd"] / usd_per_t
                products_rows["quantity"] = products_rows["tonnes"] / 1e6
                products_rows["imputed"] = True
                flows = pd.concat([flows, products_rows], ignore_index=True)
                c19_imports = world.X[:, :, c19].sum(axis=0) - np.diag(world.X[:, :, c19])
                product_imports = pd.DataFrame({"buyer": list(world.countries), "fuel": "products",
                                                "quantity": c19_imports * ICIO_UNIT_USD / usd_per_t / 1e6})
                notes.append(f"refined products: ICIO {world.year} C19 flows (US$), tonnes at the {year} average "
                             f"crude export price of {exporter} (US$ {usd_per_t:,.0f}/t)")
    flows["unit"] = flows["fuel"].map(CANONICAL_UNIT)
    flows["price_usd"] = flows["value_usd"] / flows["quantity"].where(flows["quantity"] > 0)
    flows = flows[flows["quantity"] > 0].reset_index(drop=True)
    imports = pd.DataFrame(rows.groupby(["importer", "fuel"], as_index=False)["quantity_t"].sum(min_count=1))
    imports = imports.rename(columns={"importer": "buyer"}).dropna()
    imports["quantity"] = [tonnes_to_canonical(f, t) for f, t in zip(imports["fuel"], imports["quantity_t"],
                                                                        strict=True)]
    imports = imports.loc[:, ["buyer", "fuel", "quantity"]]
    if product_imports is not None:
        imports = pd.concat([imports, product_imports], ignore_index=True)
    columns = ["buyer", "fuel", "value_usd", "quantity", "unit", "tonnes", "price_usd", "imputed"]
    flows = flows.loc[:, columns].sort_values(["fuel", "value_usd"], ascending=[True, False]).reset_index(drop=True)
    flows["imputed"] = flows["imputed"].astype(bool)
    assert np.all(np.isfinite(flows["price_usd"]))
    return EnergyBaseline(exporter, year, flows, imports, tuple(notes))
