"""Baseline energy trade of one exporter: by buyer and fuel, in US$ and physical units, each flow with its source.

* BACI (crude 2709, LNG 271111, pipeline gas 271121, coal 2701xx and 2702xx) for any year 1995-2024. Rows without
  a BACI quantity get one at the exporter's median unit value for that fuel and year (flagged ``imputed``).
* Russian gas to the EU members and Türkiye, 2011-2020: BACI's mirror data miss most of it (e.g. nothing to DEU,
  NLD, TUR), so where BACI's volume is below Eurostat's (nrg_ti_gas, shipped as ``eurostat_gas_from_russia.csv``)
  the baseline uses Eurostat's volume; the volume BACI lacks is valued at BACI's average unit value of the
  exporter's exports of that fuel that year. Other years have no such source: the notes give BACI's EU figure
  against a published total. Optionally (``ei=``) the Energy Institute's bilateral gas trade overrides BACI for
  its year (2023).
* Refined products: the ICIO C19 flows (US$ of the ICIO year, 2022, not rescaled, since BACI's extract has no
  HS 2710), with tonnes at the exporter's average crude export price per tonne of the year (an assumption: no
  product premium); for Russia in 2019-2021 the EU members' flows come from Eurostat Comext instead
  (``comext_products_from_russia.csv``, tonnes and euros at the ECB annual rate).
* Embargoes (``eu_energy_embargoes.csv``): a ban in force for more than half of the year removes the flows it
  bans (EU crude from 5 Dec 2022 except Druzhba pipeline buyers and Bulgaria's derogation, products from 5 Feb
  2023, coal from 10 Aug 2022) and closes those buyers in every rerouting (``EnergyBaseline.closed``); the
  removed volume is not reallocated to other buyers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from geoshift.data.baci import products
from geoshift.data.countries import resolve_country
from geoshift.data.eurostat import GAS_YEARS, PRODUCTS_YEARS, gas_from_russia, products_from_russia
from geoshift.data.groups import group_members
from geoshift.data.resources import read_packaged_csv
from geoshift.engines.energy.units import BCM_PER_MT_GAS, CANONICAL_UNIT, tonnes_to_canonical
from geoshift.errors import InputError
from geoshift.world.world import World

ICIO_UNIT_USD = 1e6
NOISE_SHARE = 1e-4
GAS_FUELS = ("pipeline_gas", "lng")
#: the exporter the Eurostat tables (imports from Russia) are about
EUROSTAT_EXPORTER = "RUS"
#: EI residual areas that are the EU members EI does not name one by one
EI_EU_AREAS = ("EU", "Other EU")
FLOW_COLUMNS = ["buyer", "fuel", "value_usd", "quantity", "unit", "tonnes", "price_usd", "imputed", "source"]


@dataclass(frozen=True, eq=False)
class EnergyBaseline:
    exporter: str
    year: int
    #: buyer, fuel, value_usd, quantity (canonical unit), unit, tonnes, price_usd (per canonical unit), imputed,
    #: source (e.g. "BACI 2019", "Eurostat nrg_ti_gas 2019", "ICIO 2022 C19")
    flows: pd.DataFrame = field(repr=False)
    #: buyer, fuel, quantity: the buyer's imports of the fuel from every exporter (canonical unit)
    imports: pd.DataFrame = field(repr=False)
    notes: tuple[str, ...] = ()
    #: fuel -> buyers closed to the exporter by embargoes in force that year: absent from ``flows`` and closed in
    #: every rerouting
    closed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: the flows those embargoes removed (same columns as ``flows``)
    removed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLOW_COLUMNS), repr=False)


def _fuel_of_hs6() -> dict[int, str]:
    catalogue = products()
    energy = catalogue[catalogue["group"] == "energy"]
    return {int(k): str(v) for k, v in zip(energy["hs6"], energy["commodity"], strict=True)}


@cache
def embargoes() -> pd.DataFrame:
    """The shipped ``eu_energy_embargoes.csv``: measure, exporter, fuel, buyers (``;``-separated ISO3 or EU27),
    effect (``ban`` or ``exempt``), start, end (dates; end empty while in force), source, verified, note."""
    return read_packaged_csv("eu_energy_embargoes.csv", keep_default_na=False, dtype=str)


@cache
def published_eu_gas() -> pd.DataFrame:
    """The shipped ``eu_gas_from_russia_published.csv``: year, fuel (pipeline_gas, lng or all), bcm, source."""
    return read_packaged_csv("eu_gas_from_russia_published.csv")


def _members(buyers: str, year: int) -> set[str]:
    out: set[str] = set()
    for item in str(buyers).split(";"):
        item = item.strip()
        out |= set(group_members("EU27", year)) if item == "EU27" else {item}
    return out


def embargo_closures(exporter: str, year: int) -> tuple[dict[str, frozenset[str]], list[str]]:
    """fuel -> buyers closed to ``exporter`` in ``year`` by the bans in force for more than half of the year, net of
    the exemptions in force for more than half of it; and one line per measure applied."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = (last - first).days + 1
    banned: dict[str, set[str]] = {}
    exempt: dict[str, set[str]] = {}
    lines: list[str] = []
    rows = embargoes()
    rows = rows[rows["exporter"] == exporter]
    for measure, fuel, buyers, effect, start, end in zip(rows["measure"], rows["fuel"], rows["buyers"],
                                                         rows["effect"], rows["start"], rows["end"], strict=True):
        begins, ends = date.fromisoformat(str(start)), date.fromisoformat(str(end)) if end else last
        overlap = (min(ends, last) - max(begins, first)).days + 1
        if 2 * overlap <= days:
            continue
        target = banned if effect == "ban" else exempt
        target.setdefault(str(fuel), set()).update(_members(str(buyers), year))
        lines.append(f"{measure} ({fuel}, {buyers}, from {start}{' to ' + str(end) if end else ''})")
    closed = {fuel: frozenset(buyers - exempt.get(fuel, set())) for fuel, buyers in banned.items()}
    return closed, lines


def _unit_value(flows: pd.DataFrame, fuel: str) -> float | None:
    """The exporter's average US$ per canonical unit of ``fuel`` over rows with reported quantities (all rows if
    none), or None if it exports none."""
    mine = flows[(flows["fuel"] == fuel) & (flows["quantity"] > 0)]
    reported = mine[~mine["imputed"].astype(bool)]
    mine = reported if not reported.empty else mine
    if mine.empty:
        return None
    return float(mine["value_usd"].sum() / mine["quantity"].sum())


def _set_gas(flows: pd.DataFrame, buyer: str, fuel: str, bcm: float, value_usd: float, source: str,
             imputed: bool) -> pd.DataFrame:
    sel = (flows["buyer"] == buyer) & (flows["fuel"] == fuel)
    row: dict[str, str | float | bool] = {"buyer": buyer, "fuel": fuel, "value_usd": value_usd, "quantity": bcm,
                                          "tonnes": bcm / BCM_PER_MT_GAS * 1e6, "imputed": imputed, "source": source}
    if sel.any():
        for key, value in row.items():
            flows.loc[sel, key] = value
        return flows
    return pd.concat([flows, pd.DataFrame([row])], ignore_index=True)


def _eurostat_gas(flows: pd.DataFrame, exporter: str, year: int) -> tuple[pd.DataFrame, list[str]]:
    table = gas_from_russia()
    table = table[table["year"] == year]
    label = f"Eurostat nrg_ti_gas {year}"
    notes: list[str] = []
    for fuel in GAS_FUELS:
        price = _unit_value(flows, fuel)
        rows = table[table["fuel"] == fuel]
        if price is None:
            notes.append(f"{fuel} {year}: BACI has no {fuel} exports of {exporter} to value Eurostat's volumes at; "
                         "Eurostat not used")
            continue
        raised: list[str] = []
        added = 0.0
        for buyer, bcm in zip(rows["importer"], rows["bcm"], strict=True):
            sel = (flows["buyer"] == buyer) & (flows["fuel"] == fuel)
            q0 = float(flows.loc[sel, "quantity"].sum())
            if not bcm > q0:
                continue
            value = float(flows.loc[sel, "value_usd"].sum()) + (bcm - q0) * price
            flows = _set_gas(flows, str(buyer), fuel, float(bcm), value, label, False)
            raised.append(str(buyer))
            added += bcm - q0
        eu = rows[rows["importer"] != "TUR"]
        in_baseline = float(flows.loc[(flows["fuel"] == fuel) & flows["buyer"].isin(list(eu["importer"])),
                                      "quantity"].sum())
        notes.append(f"{fuel} {year}: Eurostat nrg_ti_gas volumes (imports from Russia, TJ GCV at 40 MJ/m3) replace "
                     f"BACI's where BACI's are lower, for {len(raised)} importers ({', '.join(raised) or 'none'}): "
                     f"+{added:,.1f} bcm, valued at BACI's average {year} unit value of {exporter}'s {fuel} exports "
                     f"(US$ {price / 1e6:,.0f} per 1000 m3); EU members now {in_baseline:,.1f} bcm vs Eurostat's "
                     f"{float(eu['bcm'].sum()):,.1f} bcm (BACI's higher figures kept)")
    return flows, notes


def _ei_gas(flows: pd.DataFrame, ei: pd.DataFrame, exporter: str, year: int,
            eu: set[str]) -> tuple[pd.DataFrame, list[str]]:
    years = sorted({int(y) for y in ei["year"]})
    if year not in years:
        raise InputError(f"ei: the Energy Institute table covers {', '.join(map(str, years))}, not the baseline "
                         f"year {year}; drop ei or use year {years[-1]}")
    rows = ei[(ei["exporter_iso3"] == exporter) & ei["fuel"].isin(list(GAS_FUELS)) & (ei["year"] == year)]
    label = f"EI Statistical Review ({year})"
    notes: list[str] = []
    for fuel in GAS_FUELS:
        mine = rows[rows["fuel"] == fuel]
        price = _unit_value(flows, fuel)
        if mine.empty or price is None:
            notes.append(f"{fuel} {year}: the Energy Institute lists no {fuel} exports of {exporter}" if mine.empty
                         else f"{fuel} {year}: BACI has no {fuel} exports of {exporter} to value EI's volumes at; EI "
                         "not used")
            continue
        named = mine[mine["importer_iso3"].notna()]
        for buyer, bcm in zip(named["importer_iso3"], named["value"], strict=True):
            sel = (flows["buyer"] == buyer) & (flows["fuel"] == fuel) & (flows["quantity"] > 0)
            own = float(flows.loc[sel, "value_usd"].sum() / flows.loc[sel, "quantity"].sum()) if sel.any() else price
            flows = _set_gas(flows, str(buyer), fuel, float(bcm), float(bcm) * own, label, not sel.any())
        text = (f"{fuel} {year}: Energy Institute bilateral volumes override BACI for {len(named)} named importers "
                f"({', '.join(named['importer_iso3'])}), valued at each buyer's BACI unit value (BACI's average, US$ "
                f"{price / 1e6:,.0f} per 1000 m3, where BACI has none)")
        eu_rows = mine[mine["importer"].isin(list(EI_EU_AREAS))]
        if not eu_rows.empty:
            total = float(eu_rows["value"].sum())
            rest = eu - set(named["importer_iso3"])
            sel = (flows["fuel"] == fuel) & flows["buyer"].isin(list(rest))
            base = float(flows.loc[sel, "quantity"].sum())
            if base > 0:
                factor = total / base
                for column in ("quantity", "tonnes", "value_usd"):
                    flows.loc[sel, column] = flows.loc[sel, column] * factor
                flows.loc[sel, "source"] = f"{label}, EU total split as BACI"
                text += (f"; EI's {' + '.join(eu_rows['importer'])} total of {total:,.1f} bcm split over the EU "
                         f"members BACI reports in proportion to BACI's volumes ({base:,.1f} bcm)")
            else:
                text += f"; EI's {total:,.1f} bcm to the other EU members not allocated (BACI reports none)"
        residual = mine[mine["importer_iso3"].isna() & ~mine["importer"].isin(list(EI_EU_AREAS))]
        if not residual.empty:
            others = flows[(flows["fuel"] == fuel) & ~flows["buyer"].isin(list(named["importer_iso3"]))
                           & ~flows["buyer"].isin(list(eu))]
            text += (f"; EI's residual areas ({', '.join(residual['importer'])}: {float(residual['value'].sum()):,.1f} "
                     f"bcm) keep BACI's {float(others['quantity'].sum()):,.1f} bcm for the buyers EI does not name")
        notes.append(text)
    return flows, notes


def _gas_gaps(flows: pd.DataFrame, year: int, eu: set[str], ei_used: bool) -> list[str]:
    published = published_eu_gas()
    published = published[published["year"] == year]
    counted = {fuel: float(flows.loc[(flows["fuel"] == fuel) & flows["buyer"].isin(list(eu)), "quantity"].sum())
               for fuel in GAS_FUELS}
    counted["all"] = sum(counted.values())
    if ei_used:
        head = f"EU gas {year}: Energy Institute bilateral figures used (above)"
    else:
        head = (f"EU pipeline gas {year}: no trustworthy bilateral source (the Eurostat table covers "
                f"{GAS_YEARS[0]}-{GAS_YEARS[-1]}; BACI's mirror data miss most Russian pipeline gas to the EU)")
    if published.empty:
        return [f"{head}; BACI-based baseline counts {counted['pipeline_gas']:,.1f} bcm of pipeline gas and "
                f"{counted['lng']:,.1f} bcm of LNG to EU members; no published total shipped for {year}"]
    parts = [f"{fuel} {counted[str(fuel)]:,.1f} bcm vs {float(bcm):,.1f} published ({source}; gap "
             f"{counted[str(fuel)] - float(bcm):+,.1f} bcm)"
             for fuel, bcm, source in zip(published["fuel"], published["bcm"], published["source"], strict=True)]
    return [f"{head}; baseline to EU members: {'; '.join(parts)}" + ("" if ei_used else "; not corrected")]


def _products(world: World, exporter: str, year: int,
              usd_per_t: float) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    c19 = world.sectors.index("C19")
    e = world.countries.index(exporter)
    values = world.X[e, :, c19] * ICIO_UNIT_USD
    label = f"ICIO {world.year} C19"
    rows = pd.DataFrame({
        "buyer": [c for n, c in enumerate(world.countries) if n != e and values[n] > 0],
        "value_usd": [float(values[n]) for n in range(len(world.countries)) if n != e and values[n] > 0],
    })
    rows["fuel"] = "products"
    rows["tonnes"] = rows["value_usd"] / usd_per_t
    rows["imputed"] = True
    rows["source"] = label
    price_text = f"tonnes at the {year} average crude export price of {exporter} (US$ {usd_per_t:,.0f}/t)"
    notes = [f"refined products: {label} flows (US$ of {world.year}, not rescaled to {year}), {price_text}"]
    if exporter == EUROSTAT_EXPORTER and year in PRODUCTS_YEARS:
        table = products_from_russia()
        table = table[(table["year"] == year) & (table["tonnes"] > 0)]
        members = set(products_from_russia()["importer"])
        replaced = float(rows.loc[rows["buyer"].isin(list(members)), "value_usd"].sum())
        comext = pd.DataFrame({"buyer": table["importer"], "value_usd": table["value_usd"].astype(float),
                               "fuel": "products", "tonnes": table["tonnes"].astype(float), "imputed": False,
                               "source": f"Eurostat Comext {year}"})
        rows = pd.concat([rows[~rows["buyer"].isin(list(members))], comext], ignore_index=True)
        notes = [f"refined products {year}: EU members from Eurostat Comext (HS 2710 from Russia: "
                 f"{comext['tonnes'].sum() / 1e6:,.1f} Mt, US$ {comext['value_usd'].sum() / 1e9:,.1f} bn at the ECB "
                 f"annual euro rate; ICIO {world.year} had US$ {replaced / 1e9:,.1f} bn); other buyers: {label} flows "
                 f"(US$ of {world.year}, not rescaled), {price_text}"]
    rows["quantity"] = rows["tonnes"] / 1e6
    c19_imports = world.X[:, :, c19].sum(axis=0) - np.diag(world.X[:, :, c19])
    imports = pd.DataFrame({"buyer": list(world.countries), "fuel": "products",
                            "quantity": c19_imports * ICIO_UNIT_USD / usd_per_t / 1e6})
    return rows, imports, notes


def energy_baseline(world: World, exporter: str, year: int, *, ei: pd.DataFrame | None = None) -> EnergyBaseline:
    """The exporter's energy exports in ``year`` (see the module docstring). ``ei``: the Energy Institute's
    bilateral trade (``geoshift.data.ei.parse_ei_workbook``); its pipeline-gas and LNG figures then override BACI
    for its year (2023; another year is an error)."""
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
    flows = flows[flows["value_usd"] >= NOISE_SHARE * flows.groupby("fuel")["value_usd"].transform("sum")].copy()
    flows["imputed"] = flows["tonnes"].isna()
    unit_value = (flows["value_usd"] / flows["tonnes"]).groupby(flows["fuel"]).transform("median")
    flows["tonnes"] = flows["tonnes"].fillna(flows["value_usd"] / unit_value)
    flows["quantity"] = [tonnes_to_canonical(f, t) for f, t in zip(flows["fuel"], flows["tonnes"], strict=True)]
    flows["source"] = f"BACI {year}"
    flows = flows.reset_index(drop=True)
    notes = [f"BACI {year}: energy exports of {exporter} (mirror data for recent Russian exports)"]
    eu = set(group_members("EU27", year))
    crude = flows[flows["fuel"] == "crude"]
    usd_per_t = float(crude["value_usd"].sum() / crude["tonnes"].sum()) if crude["tonnes"].sum() > 0 else None
    if exporter == EUROSTAT_EXPORTER and year in GAS_YEARS:
        flows, gas_notes = _eurostat_gas(flows, exporter, year)
        notes += gas_notes
    if ei is not None:
        flows, ei_notes = _ei_gas(flows, ei, exporter, year, eu)
        notes += ei_notes
    if exporter == EUROSTAT_EXPORTER and year not in GAS_YEARS:
        notes += _gas_gaps(flows, year, eu, ei is not None)
    product_imports: pd.DataFrame | None = None
    if exporter in world.countries and usd_per_t is not None and "C19" in world.sectors:
        products_rows, product_imports, product_notes = _products(world, exporter, year, usd_per_t)
        flows = pd.concat([flows, products_rows], ignore_index=True)
        notes += product_notes
    closed, measures = embargo_closures(exporter, year)
    if closed:
        barred = np.array([b in closed.get(f, frozenset()) for b, f in zip(flows["buyer"], flows["fuel"],
                                                                            strict=True)], dtype=bool)
        gone = flows[barred].groupby("fuel")[["quantity", "value_usd"]].sum()
        removed_text = "; ".join(f"{fuel} {q:,.1f} {CANONICAL_UNIT[str(fuel)]}, US$ {v / 1e9:,.2f} bn"
                            for fuel, (q, v) in gone.iterrows()) or "nothing"
        notes.append(f"embargoes in force in {year} (for more than half of it): {'; '.join(measures)}; removed from "
                     f"the baseline ({removed_text}), not reallocated to other buyers; those buyers are closed in "
                     "every rerouting")
    else:
        barred = np.zeros(len(flows), dtype=bool)
    flows["unit"] = flows["fuel"].map(CANONICAL_UNIT)
    flows["price_usd"] = flows["value_usd"] / flows["quantity"].where(flows["quantity"] > 0)
    removed = flows[barred & (flows["quantity"] > 0).to_numpy()].loc[:, FLOW_COLUMNS].reset_index(drop=True)
    flows = flows[~barred & (flows["quantity"] > 0).to_numpy()].reset_index(drop=True)
    imports = pd.DataFrame(rows.groupby(["importer", "fuel"], as_index=False)["quantity_t"].sum(min_count=1))
    imports = imports.rename(columns={"importer": "buyer"}).dropna()
    imports["quantity"] = [tonnes_to_canonical(f, t) for f, t in zip(imports["fuel"], imports["quantity_t"],
                                                                        strict=True)]
    imports = imports.loc[:, ["buyer", "fuel", "quantity"]]
    if product_imports is not None:
        imports = pd.concat([imports, product_imports], ignore_index=True)
    flows = flows.loc[:, FLOW_COLUMNS].sort_values(["fuel", "value_usd"], ascending=[True, False])
    flows = flows.reset_index(drop=True)
    flows["imputed"] = flows["imputed"].astype(bool)
    assert np.all(np.isfinite(flows["price_usd"]))
    by_source = flows.groupby("source")["value_usd"].agg(["size", "sum"])
    notes.append("sources of the flows: " + "; ".join(f"{s} ({int(n)} flows, US$ {v / 1e9:,.2f} bn)"
                                                      for s, (n, v) in by_source.iterrows()))
    return EnergyBaseline(exporter, year, flows, imports, tuple(notes), closed, removed)
