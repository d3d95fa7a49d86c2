"""Critical-minerals supply risk by the GeoPolRisk method, and sourcing shocks, as pure functions of the World.

The method (Gemechu et al. 2016; Santillán-Saldivar et al. 2021, 2022; Koyamparambath et al. 2024), for an
importing country c, a raw material m and a year y:

* ``hhi`` = sum over producing countries p of (P_p / sum P)^2: the concentration of world mine production P of m
  (World Mining Data), between 0 and 1;
* ``import_risk`` = sum over suppliers s of q_s * g_s / (P_c + sum_s q_s): q_s the tonnes c imports from s (BACI,
  all HS6 codes of m), P_c c's own mine production in tonnes, g_s the political instability of s;
* g_s is the World Bank WGI "Political Stability and Absence of Violence" estimate PV (about -2.5 .. 2.5) rescaled
  to ``(2.5 - PV) / 5`` clipped to [0, 1] (0 the most stable, 1 the least), as the data pack's ``Normalized``
  table holds it; 0.5 where s has no score that year; 0 for c itself (re-imports are not a foreign risk);
* ``score`` = hhi * import_risk, between 0 and 1;
* ``price`` = the average unit value of c's imports of m, US$ per kg (value over tonnes, on the BACI rows that
  report tonnes; the value of rows without tonnes is reported apart, not priced);
* ``characterisation_factor`` = score * price / 0.409412948, in kg Cu-eq per kg: 0.409412948 is the average
  characterisation factor of copper (OECD countries, 2017-2021) by which the method expresses factors relative
  to copper, so score * price itself (US$ per kg) is ``characterisation_factor * CU_REFERENCE_CF``.

Sourcing shocks act on the supplier table only: a closed supplier's tonnes go to the remaining suppliers in
proportion to their world exports of the product, each capped (``reallocate``); an opened supplier takes a stated
share of the importer's purchases or a stated tonnage, displacing the others in proportion. World production,
and so the HHI, is unchanged: the method's HHI is about mine production, not the importer's sourcing.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geoshift.data.baci import products
from geoshift.data.countries import resolve_country
from geoshift.errors import DataError, InputError, UnknownValueError
from geoshift.scenario.minerals import MineralShock, Opening, Tonnes, parse_opening
from geoshift.world.world import World

#: average characterisation factor of copper (OECD countries, 2017-2021) that makes CFs kg Cu-eq per kg
CU_REFERENCE_CF = 0.409412948
#: political instability given to a supplier without a WGI score that year (the method's default)
MISSING_INSTABILITY = 0.5
#: the WGI estimate's nominal bound: instability = (WGI_BOUND - PV) / (2 * WGI_BOUND), clipped to [0, 1]
WGI_BOUND = 2.5
RUSSIA, CHINA = "RUS", "CHN"

#: geoshift's BACI commodity -> World Mining Data table of its mine production (same HS6 grouping as the pack's
#: "HS Code Map"); a commodity missing here (precious-metal scrap) has no mine production and no HHI
_WMD_TABLE: Mapping[str, str] = {
    "aluminium": "Aluminium", "antimony": "Antimony", "arsenic": "Arsenic", "asbestos": "Asbestos",
    "baryte": "Baryte", "bauxite": "Bauxite", "bentonite": "Bentonite", "beryllium": "Beryllium (conc.)",
    "bismuth": "Bismuth", "boron_minerals": "Boron Minerals", "cadmium": "Cadmium", "chromium": "Chromium (Cr2O3)",
    "cobalt": "Cobalt", "copper": "Copper", "diatomite": "Diatomite", "feldspar": "Feldspar",
    "fluorspar": "Fluorspar", "gallium": "Gallium", "germanium": "Germanium", "gold": "Gold",
    "graphite": "Graphite", "gypsum": "Gypsum and Anhydrite", "iron_ore": "Iron (Fe)",
    "kaolin": "Kaolin (China-Clay)", "lead": "Lead", "lithium": "Lithium (Li2O)", "magnesite": "Magnesite",
    "manganese": "Manganese", "mercury": "Mercury", "molybdenum": "Molybdenum", "nickel": "Nickel",
    "niobium": "Niobium (Nb2O5)", "palladium": "Palladium", "phosphate_rock": "Phosphate Rock (P2O5)",
    "platinum": "Platinum", "rare_earths": "Rare Earths (REO)", "rhodium": "Rhodium", "selenium": "Selenium",
    "silver": "Silver", "sulphur": "Sulfur (elementar & industrial)", "tantalum": "Tantalum (Ta2O5)",
    "tellurium": "Tellurium", "tin": "Tin", "titanium": "Titanium (TiO2)", "tungsten": "Tungsten (W)",
    "uranium": "Uranium (U3O8)", "vanadium": "Vanadium (V)", "zinc": "Zinc", "zircon": "Zircon",
}
#: other names users (and the GeoPolRisk package) give these materials
_ALIASES: Mapping[str, str] = {
    "aluminum": "aluminium", "boron": "boron_minerals", "borates": "boron_minerals", "chromite": "chromium",
    "iron": "iron_ore", "phosphate": "phosphate_rock", "rare_earth": "rare_earths", "ree": "rare_earths",
    "sulfur": "sulphur", "zirconium": "zircon", "gypsum_and_anhydrite": "gypsum", "china_clay": "kaolin",
    "pgm_palladium": "palladium",
}
#: materials with mine production but no HS6 code of their own in BACI HS92, and where they are traded
_NO_TRADE_CODE: Mapping[str, str] = {
    "gallium": "in HS92 it is traded inside 811291 (other base metals, unwrought, with hafnium, indium, niobium "
               "and rhenium), which the data pack does not carry",
}


@dataclass(frozen=True)
class Material:
    """A raw material: its key (geoshift's BACI commodity), World Mining Data table and HS6 codes."""

    key: str
    wmd: str
    hs6: tuple[int, ...]

    @property
    def label(self) -> str:
        return self.key.replace("_", " ")


@functools.cache
def materials() -> tuple[Material, ...]:
    """Every material with mine production, sorted by key; gallium (no HS6 code) carries an empty ``hs6``."""
    catalogue = products()
    minerals = catalogue[catalogue["group"] == "minerals"]
    codes: dict[str, list[int]] = {}
    for commodity, hs6 in zip(minerals["commodity"], minerals["hs6"], strict=True):
        codes.setdefault(str(commodity), []).append(int(hs6))
    found = [Material(key, _WMD_TABLE[key], tuple(sorted(codes.get(key, ())))) for key in _WMD_TABLE
             if key in codes or key in _NO_TRADE_CODE]
    return tuple(sorted(found, key=lambda m: m.key))


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


@functools.cache
def _lookup() -> dict[str, Material]:
    table: dict[str, Material] = {}
    for material in materials():
        table[material.key] = material
        table[_normal(material.wmd)] = material
        table[_normal(material.wmd.split(" (")[0])] = material
    for alias, key in _ALIASES.items():
        if key in table:
            table[alias] = table[key]
    return table


def resolve_material(text: str) -> Material:
    """The material named ``text`` (a key like ``rare_earths``, ``rare earths``, a World Mining Data name like
    ``Rare Earths (REO)`` or the GeoPolRisk package's ``Rare earth``); else an error naming the closest."""
    key = _normal(text)
    table = _lookup()
    if key in table:
        return table[key]
    keys = [m.key for m in materials()]
    close = difflib.get_close_matches(key, list(table), n=5, cutoff=0.5)
    hint = ", ".join(dict.fromkeys(table[c].key for c in close)) or ", ".join(keys[:5]) + ", ..."
    raise UnknownValueError(f"unknown material {text!r}; closest: {hint} ({len(keys)} materials known)")


# --- the method, as pure functions of plain numbers ------------------------------------------------------------

def instability(estimate: float | None) -> float:
    """Political instability in [0, 1] from a WGI political-stability estimate: ``(2.5 - PV) / 5`` clipped;
    ``MISSING_INSTABILITY`` (0.5) where there is no estimate."""
    if estimate is None or not math.isfinite(estimate):
        return MISSING_INSTABILITY
    return min(1.0, max(0.0, (WGI_BOUND - estimate) / (2.0 * WGI_BOUND)))


def concentration(production: Iterable[float]) -> float:
    """Herfindahl-Hirschman index (0-1) of production quantities (shares squared, summed)."""
    values = np.asarray([p for p in production if p > 0], dtype=np.float64)
    total = float(values.sum())
    if total <= 0:
        raise InputError("concentration: production must have a positive total")
    return float(np.sum((values / total) ** 2))


def import_risk(tonnes: Mapping[str, float], instability_of: Mapping[str, float], production_t: float) -> float:
    """Sum of imported tonnes weighted by each supplier's instability, over domestic production plus imports.
    A supplier missing from ``instability_of`` counts ``MISSING_INSTABILITY``."""
    if production_t < 0 or any(q < 0 for q in tonnes.values()):
        raise InputError("import_risk: tonnes and production must be non-negative")
    total = production_t + sum(tonnes.values())
    if total <= 0:
        return 0.0
    return sum(q * instability_of.get(s, MISSING_INSTABILITY) for s, q in tonnes.items()) / total


def characterisation_factor(score: float, price_usd_per_kg: float | None) -> float:
    """score * price / CU_REFERENCE_CF: kg Cu-eq per kg (0 where there is no price: nothing is imported)."""
    return 0.0 if price_usd_per_kg is None else score * price_usd_per_kg / CU_REFERENCE_CF


# --- results -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Supplier:
    """One supplier of the importer: tonnes, US$, share of the importer's tonnes, WGI and risk contribution."""

    iso3: str
    tonnes: float
    value_usd: float
    share: float
    instability: float  # rescaled WGI, 0 (stable) .. 1; 0.5 where missing; 0 for the importer itself
    wgi_estimate: float | None  # the WGI political-stability estimate; None where the data have none
    contribution: float  # tonnes * instability / (production + imports): its part of import_risk


@dataclass(frozen=True)
class SupplyRisk:
    """The GeoPolRisk supply risk of ``country`` for ``material`` in ``year`` and what it is made of."""

    country: str
    material: str
    year: int
    hs6: tuple[int, ...]
    hhi: float
    import_risk: float
    score: float
    characterisation_factor: float  # kg Cu-eq per kg (score * price / CU_REFERENCE_CF)
    price: float | None  # US$ per kg, the country's average import unit value; None without imports
    imports_t: float
    production_t: float  # the country's own mine production, tonnes
    world_production_t: float
    suppliers: tuple[Supplier, ...]
    russia_production_share: float  # of world mine production
    china_production_share: float
    russia_import_share: float  # of the country's imports, by tonnes
    china_import_share: float
    russia_exports_t: float  # Russia's exports of the material's HS6 codes to all destinations that year
    russia_coverage: float | None  # min(1, russia_exports_t / imports_t); None without imports
    unpriced_value_usd: float  # imports reported without tonnes: out of the tonnes and the price
    missing_wgi: tuple[str, ...] = ()  # suppliers given MISSING_INSTABILITY
    notes: tuple[str, ...] = ()

    @property
    def score_price(self) -> float:
        """score * price, US$ per kg (the characterisation factor before dividing by copper's)."""
        return self.characterisation_factor * CU_REFERENCE_CF

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hs6"] = list(self.hs6)
        data["score_price_usd_per_kg"] = self.score_price
        return data


@dataclass(frozen=True)
class RiskTable:
    """Supply risks of one country and year, sorted by score (highest first), and the materials left out."""

    country: str
    year: int
    risks: tuple[SupplyRisk, ...]
    skipped: tuple[tuple[str, str], ...]  # (material, why)


# --- data of one year ------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Year:
    """What one (year, importer) needs, aggregated once: the importer's BACI rows, every exporter's tonnes by
    HS6 code, mine production by material and country (tonnes), and the WGI estimates."""

    year: int
    importer: str
    imports: pd.DataFrame  # the importer's BACI rows of the year: hs6, exporter, value_usd, quantity_t
    exports: Mapping[int, Mapping[str, float]]  # hs6 -> exporter -> tonnes to all other countries
    production: Mapping[str, Mapping[str, float]]  # World Mining Data table -> ISO3 -> tonnes (positive only)
    estimate: Mapping[str, float]  # WGI political-stability estimate by ISO3

    def instability_of(self, iso3: str) -> float:
        return 0.0 if iso3 == self.importer else instability(self.estimate.get(iso3))


#: mine-production units that are masses, as tonnes per unit (carats and Mio m3 are not: diamonds, natural gas)
_MASS_UNITS: Mapping[str, float] = {"kg": 1e-3, "metr. t": 1.0, "t": 1.0}


def _check_year(world: World, year: int) -> None:
    years = world.baci_years
    if not years:
        raise DataError("this World has no BACI trade; the import risk needs it")
    if year not in years:
        raise UnknownValueError(f"year {year} has no BACI trade, which covers {years[0]}-{years[-1]}")


def _year_data(world: World, year: int, codes: Iterable[int], importer: str) -> _Year:
    _check_year(world, year)
    baci = world.baci
    trade = baci[(baci["year"] == year) & baci["hs6"].isin(list(codes))]
    exporter = trade["exporter"].astype(str).to_numpy()
    foreign = trade[exporter != trade["importer"].astype(str).to_numpy()]
    totals = foreign.groupby(["hs6", "exporter"])["quantity_t"].sum()
    exports: dict[int, dict[str, float]] = {}
    for (hs6, supplier), tonnes in totals.items():
        if tonnes > 0:
            exports.setdefault(int(hs6), {})[str(supplier)] = float(tonnes)
    imports = trade[trade["importer"].astype(str).to_numpy() == importer]
    mining = world.mining
    rows = mining[mining["year"] == year]
    factor = rows["unit"].astype(str).str.strip().str.lower().map(_MASS_UNITS).to_numpy(dtype=np.float64)
    tonnes_of = rows["production"].to_numpy(dtype=np.float64) * factor
    production: dict[str, dict[str, float]] = {}
    for mineral, iso3, t in zip(rows["mineral"].astype(str), rows["iso3"].astype(str), tonnes_of, strict=True):
        if t > 0:  # NaN (not a mass unit) and zero fail this test
            table = production.setdefault(mineral, {})
            table[iso3] = table.get(iso3, 0.0) + float(t)
    gov = world.governance
    scores = gov[(gov["year"] == year) & gov["estimate"].notna()].drop_duplicates("iso3", keep="first")
    estimate = dict(zip(scores["iso3"].astype(str), scores["estimate"].astype(float), strict=True))
    return _Year(year, importer, imports, exports, production, estimate)


def default_year(world: World, material: Material | None = None) -> int:
    """The latest year with both BACI trade and mine production (of ``material``, if given)."""
    mining = world.mining
    if material is not None:
        mining = mining[mining["mineral"] == material.wmd]
    both = sorted(set(world.baci_years) & {int(y) for y in mining["year"].unique()})
    if not both:
        what = f"of {material.label} " if material is not None else ""
        raise DataError(f"no year has both BACI trade and mine production {what}in this World")
    return both[-1]


def _production(yd: _Year, material: Material) -> Mapping[str, float]:
    """Mine production of ``material`` in tonnes by ISO3 (positive entries only); an error if there is none."""
    found = yd.production.get(material.wmd)
    if not found:
        raise DataError(f"no mine production of {material.label} in {yd.year} (World Mining Data table "
                        f"{material.wmd!r}); choose a year it covers")
    return found


def _imports(yd: _Year, material: Material) -> tuple[dict[str, float], dict[str, float], float]:
    """(tonnes, US$) by supplier over the BACI rows that report tonnes, and the US$ of rows without tonnes."""
    rows = yd.imports[yd.imports["hs6"].isin(list(material.hs6))]
    known = rows["quantity_t"].notna()
    priced = rows[known]
    sums = priced.groupby("exporter")[["quantity_t", "value_usd"]].sum()
    sums = sums[sums["quantity_t"] > 0]
    return ({str(s): float(q) for s, q in sums["quantity_t"].items()},
            {str(s): float(v) for s, v in sums["value_usd"].items()},
            float(rows.loc[~known, "value_usd"].sum()))


def _exports_t(yd: _Year, material: Material) -> dict[str, float]:
    """Each exporter's tonnes of the material's HS6 codes to all other countries that year."""
    out: dict[str, float] = {}
    for hs6 in material.hs6:
        for supplier, tonnes in yd.exports.get(hs6, {}).items():
            out[supplier] = out.get(supplier, 0.0) + tonnes
    return out


def _assemble(yd: _Year, material: Material, tonnes: Mapping[str, float], values: Mapping[str, float],
              unpriced: float, notes: Sequence[str] = ()) -> SupplyRisk:
    country = yd.importer
    production = _production(yd, material)
    world_t = float(sum(production.values()))
    hhi = concentration(production.values())
    own = production.get(country, 0.0)
    flows = {s: q for s, q in tonnes.items() if q > 0}
    imports = float(sum(flows.values()))
    g = {s: yd.instability_of(s) for s in flows}
    risk = import_risk(flows, g, own)
    denominator = own + imports
    valued = float(sum(values.get(s, 0.0) for s in flows))
    price = valued / imports / 1000.0 if imports > 0 else None
    score = hhi * risk
    suppliers = tuple(
        Supplier(s, q, float(values.get(s, 0.0)), q / imports, g[s], yd.estimate.get(s),
                 q * g[s] / denominator)
        for s, q in sorted(flows.items(), key=lambda item: (-item[1], item[0])))
    missing = tuple(s for s in sorted(flows) if s != country and s not in yd.estimate)
    russia_exports = _exports_t(yd, material).get(RUSSIA, 0.0)
    return SupplyRisk(
        country=country, material=material.key, year=yd.year, hs6=material.hs6, hhi=hhi, import_risk=risk,
        score=score, characterisation_factor=characterisation_factor(score, price), price=price,
        imports_t=imports, production_t=own, world_production_t=world_t, suppliers=suppliers,
        russia_production_share=production.get(RUSSIA, 0.0) / world_t,
        china_production_share=production.get(CHINA, 0.0) / world_t,
        russia_import_share=flows.get(RUSSIA, 0.0) / imports if imports > 0 else 0.0,
        china_import_share=flows.get(CHINA, 0.0) / imports if imports > 0 else 0.0,
        russia_exports_t=russia_exports,
        russia_coverage=min(1.0, russia_exports / imports) if imports > 0 else None,
        unpriced_value_usd=unpriced, missing_wgi=missing, notes=tuple(notes),
    )


def _traded(material: Material) -> Material:
    if not material.hs6:
        reason = _NO_TRADE_CODE.get(material.key, "the data pack has no HS6 code for it")
        raise DataError(f"{material.label} has mine production (World Mining Data) but no HS6 trade code of its "
                        f"own: {reason}")
    return material


def _traded_that_year(yd: _Year, material: Material) -> None:
    if not any(yd.exports.get(hs6) for hs6 in material.hs6) and not len(
            yd.imports[yd.imports["hs6"].isin(list(material.hs6))]):
        codes = ", ".join(str(c) for c in material.hs6)
        raise DataError(f"BACI has no trade in tonnes of {material.label} (HS {codes}) in {yd.year} for any "
                        f"country, so its import risk cannot be computed that year (not the same as no imports)")


def _risk(yd: _Year, material: Material) -> SupplyRisk:
    _traded_that_year(yd, material)
    tonnes, values, unpriced = _imports(yd, material)
    return _assemble(yd, material, tonnes, values, unpriced)


def supply_risk(world: World, country: str, material: str | Material, year: int | None = None) -> SupplyRisk:
    """The GeoPolRisk supply risk of ``country`` (ISO3, ISO2 or name) for ``material`` in ``year`` (default: the
    latest year with trade and production)."""
    found = _traded(material if isinstance(material, Material) else resolve_material(material))
    iso3 = resolve_country(country, world.baci_countries)
    year = default_year(world, found) if year is None else year
    return _risk(_year_data(world, year, found.hs6, iso3), found)


def risk_table(world: World, country: str, year: int | None = None,
               selected: Sequence[str | Material] | None = None) -> RiskTable:
    """Supply risks of ``country`` for every material (or ``selected``), highest score first. A material without
    a trade code or without mine production that year is listed in ``skipped`` with the reason."""
    chosen = [m if isinstance(m, Material) else resolve_material(m) for m in selected] if selected else \
        list(materials())
    iso3 = resolve_country(country, world.baci_countries)
    year = default_year(world) if year is None else year
    _check_year(world, year)
    mined = sorted(int(y) for y in world.mining["year"].unique())
    if year not in mined:
        span = f"{mined[0]}-{mined[-1]}" if mined else "no year"
        raise UnknownValueError(f"year {year} has no mine production (World Mining Data covers {span}), which the "
                                f"HHI needs; choose a year in that range")
    yd = _year_data(world, year, sorted({c for m in chosen for c in m.hs6}), iso3)
    risks: list[SupplyRisk] = []
    skipped: list[tuple[str, str]] = []
    for material in chosen:
        try:
            risks.append(_risk(yd, _traded(material)))
        except DataError as exc:
            skipped.append((material.key, str(exc)))
    if not risks and skipped:  # nothing computable (e.g. the one material asked for): say why
        raise DataError(skipped[0][1] if len(skipped) == 1 else f"{iso3} {year}: no material is computable; "
                        f"{skipped[0][1]}")
    risks.sort(key=lambda r: (-r.score, r.material))
    return RiskTable(iso3, year, tuple(risks), tuple(skipped))


# --- sourcing shocks -------------------------------------------------------------------------------------------

_EPS = 1e-12


@dataclass(frozen=True)
class Reallocation:
    """Supplier tonnes before and after a shock, and where the tonnes went."""

    before: Mapping[str, float]
    after: Mapping[str, float]
    moved_t: float  # tonnes the closed suppliers no longer ship
    shortfall_t: float  # tonnes nobody could ship (imports fall by this)
    opened_t: Mapping[str, float]  # tonnes each opened supplier added
    displaced_t: float  # tonnes the opened suppliers took from the others
    capped: tuple[str, ...]  # suppliers that reached their cap
    notes: tuple[str, ...] = ()


def reallocate(imports_by_supplier: Mapping[str, float], closed: Iterable[str] = (),
               opened: Mapping[str, Opening] | None = None, production_caps: Mapping[str, float] | None = None,
               *, export_weights: Mapping[str, float] | None = None) -> Reallocation:
    """Move an importer's tonnes after suppliers close or open.

    * ``closed``: each closed supplier's tonnes go to the remaining suppliers in proportion to
      ``export_weights`` (their exports of the product; default: their current tonnes), none beyond its cap in
      ``production_caps`` (tonnes it can ship in all; default: no cap); what no one can take is the shortfall.
    * ``opened``: ``{supplier: share in (0, 1] or Tonnes(t)}``: the supplier ships that share of the importer's
      purchases before the shock (or those tonnes), within its cap; the extra first fills any shortfall, then
      displaces the suppliers not opened in proportion to their tonnes (the total stays as it was unless
      the opened tonnes exceed all the others).
    """
    before = {str(s): float(q) for s, q in imports_by_supplier.items()}
    if any(not math.isfinite(q) or q < 0 for q in before.values()):
        raise InputError("reallocate: supplier tonnes must be finite and non-negative")
    caps = {str(s): float(c) for s, c in (production_caps or {}).items()}
    if any(not c >= 0 for c in caps.values()):
        raise InputError("reallocate: production caps must be non-negative")
    shut = list(dict.fromkeys(closed))
    openings = {s: parse_opening(v) for s, v in (opened or {}).items()}
    both = sorted(set(shut) & set(openings))
    if both:
        raise InputError(f"reallocate: {', '.join(both)} cannot be both closed and opened")
    shares = sum(v for v in openings.values() if isinstance(v, float))
    if shares > 1 + 1e-9:
        raise InputError(f"reallocate: the opened shares add up to {shares:.3g}, more than the whole")
    after = dict(before)
    notes: list[str] = []
    capped: list[str] = []
    moved = 0.0
    for s in shut:
        if after.get(s, 0.0) <= 0:
            notes.append(f"{s} does not supply this importer: nothing to close")
        moved += after.get(s, 0.0)
        after[s] = 0.0
    weights = {s: float(w) for s, w in (export_weights or {}).items()}
    active = [s for s, q in after.items() if q > 0 and s not in shut]
    headroom = {s: max(0.0, caps.get(s, math.inf) - after[s]) for s in active}
    weight = {s: weights.get(s, after[s]) if export_weights is not None else after[s] for s in active}
    if active and sum(weight.values()) <= 0:  # no exports recorded for any of them: fall back on current tonnes
        weight = {s: after[s] for s in active}
    active = [s for s in active if headroom[s] > 0 and weight[s] > 0]
    remaining = moved
    while remaining > _EPS and active:  # water-filling: share out, clip at the caps, share out what is left
        total = sum(weight[s] for s in active)
        give = {s: remaining * weight[s] / total for s in active}
        full = [s for s in active if give[s] >= headroom[s]]
        if not full:
            for s in active:
                after[s] += give[s]
            remaining = 0.0
            break
        for s in full:
            after[s] += headroom[s]
            remaining -= headroom[s]
            headroom[s] = 0.0
            capped.append(s)
        active = [s for s in active if s not in full]
    shortfall = max(0.0, remaining)
    demand = sum(before.values())
    added: dict[str, float] = {}
    displaced = 0.0
    for s, value in openings.items():
        target = value.value if isinstance(value, Tonnes) else value * demand
        if target > caps.get(s, math.inf):
            target = caps[s]
            capped.append(s)
        extra = max(0.0, target - after.get(s, 0.0))
        added[s] = extra
        if extra <= 0:
            notes.append(f"{s} already ships {after.get(s, 0.0):,.6g} t, at least the {target:,.6g} t opened")
            continue
        after[s] = after.get(s, 0.0) + extra
        fill = min(extra, shortfall)
        shortfall -= fill
        extra -= fill
        others = {o: q for o, q in after.items() if q > 0 and o not in openings}
        pool = sum(others.values())
        take = min(extra, pool)
        if pool > 0 and take > 0:
            for o, q in others.items():
                after[o] = q - take * q / pool
            displaced += take
    return Reallocation(before=before, after=after, moved_t=moved, shortfall_t=shortfall, opened_t=added,
                        displaced_t=displaced, capped=tuple(dict.fromkeys(capped)), notes=tuple(notes))


#: what ``apply_shock`` reads of a shock: the scenario spec's ``MineralShock``
MineralShockLike = MineralShock


@dataclass(frozen=True)
class ShockOutcome:
    """A sourcing shock's supplier reallocation and the supply risk before and after it."""

    material: str
    importer: str
    year: int
    closed: tuple[str, ...]
    opened: Mapping[str, float | str]
    before: SupplyRisk
    after: SupplyRisk
    reallocation: Reallocation
    caps_t: Mapping[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        parts = ([f"close {', '.join(self.closed)}"] if self.closed else []) + \
            [f"open {s} {v if isinstance(v, str) else f'{100 * v:g}%'}" for s, v in self.opened.items()]
        return f"{self.importer} {self.material} {self.year}: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        r = self.reallocation
        return {"material": self.material, "importer": self.importer, "year": self.year, "shock": self.text,
                "closed": list(self.closed), "opened": dict(self.opened),
                "before": self.before.to_dict(), "after": self.after.to_dict(),
                "reallocation": {"before_t": dict(r.before), "after_t": dict(r.after), "moved_t": r.moved_t,
                                 "shortfall_t": r.shortfall_t, "opened_t": dict(r.opened_t),
                                 "displaced_t": r.displaced_t, "capped": list(r.capped), "notes": list(r.notes)},
                "caps_t": dict(self.caps_t),
                "score_change": self.after.score - self.before.score}


def apply_shock(world: World, shock: MineralShockLike, year: int | None = None) -> ShockOutcome:
    """Apply one sourcing shock (a ``MineralShock`` or the scenario spec's equivalent) to the real supplier table.

    Closed suppliers' tonnes go to the remaining suppliers in proportion to their world exports of the product;
    each supplier (remaining or opened) can ship at most the larger of its mine production and its world exports
    that year (both tonnes). Values after the shock are tonnes times each supplier's own unit value to this
    importer (the importer's average for a new supplier)."""
    material = _traded(resolve_material(shock.material))
    known = world.baci_countries
    country = resolve_country(shock.importer, known, field="importer")
    year = shock.year or year or default_year(world, material)
    closed = tuple(resolve_country(c, known, field="close") for c in shock.close)
    opened_raw = {resolve_country(s, known, field="open"): v for s, v in shock.open.items()}
    openings = {s: parse_opening(v) for s, v in opened_raw.items()}
    yd = _year_data(world, year, material.hs6, country)
    _traded_that_year(yd, material)
    tonnes, values, unpriced = _imports(yd, material)
    before = _assemble(yd, material, tonnes, values, unpriced)
    exports = _exports_t(yd, material)
    production = _production(yd, material)
    involved = set(tonnes) | set(openings)
    caps = {s: max(production.get(s, 0.0), exports.get(s, 0.0)) for s in sorted(involved)}
    moved = reallocate(tonnes, closed, openings, caps, export_weights=exports)
    average = sum(values.values()) / sum(tonnes.values()) if tonnes else 0.0
    unit = {s: values[s] / tonnes[s] if tonnes.get(s, 0.0) > 0 else average for s in moved.after}
    new_values = {s: q * unit[s] for s, q in moved.after.items()}
    notes = list(moved.notes)
    if moved.shortfall_t > 0:
        notes.append(f"{moved.shortfall_t:,.6g} t could not be replaced within the suppliers' caps")
    after = _assemble(yd, material, moved.after, new_values, unpriced, notes)
    return ShockOutcome(material.key, country, year, closed, opened_raw, before, after, moved, caps)
