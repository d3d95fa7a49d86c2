"""Dependency profiles: who a country trades with, how concentrated that is, and how dependent each partner
is in the other direction.

Two sources: the ICIO network (all goods and services by sector group, 2022, US$) and BACI (energy and
mineral HS6 products, 1995-2024, US$ and tonnes). Shares are of the country's trade with foreign partners.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from geoshift.data.baci import products
from geoshift.data.countries import resolve_country
from geoshift.engines.energy.units import CANONICAL_UNIT, FUELS, barrels_per_day, tonnes_to_canonical
from geoshift.errors import UnknownValueError
from geoshift.world.world import World

Source = Literal["icio", "baci"]
Flow = Literal["exports", "imports"]
Group = Literal["energy", "minerals", "all"]

ICIO_UNIT_USD = 1e6  # ICIO values are US$ million
SERIES_PARTNERS = 5


@dataclass(frozen=True)
class Partner:
    iso3: str
    value_usd: float
    share: float
    #: the country's share of this partner's trade in the other direction (its imports if we export)
    reverse_share: float
    quantity_t: float | None = None


@dataclass(frozen=True)
class Lead:
    """The largest partner for one commodity (BACI) or sector (ICIO), by value and by quantity."""

    commodity: str
    total_usd: float
    by_value_iso3: str
    by_value_usd: float
    by_value_share: float
    by_quantity_iso3: str | None = None
    by_quantity_t: float | None = None
    by_quantity_share: float | None = None


@dataclass(frozen=True)
class Asymmetry:
    """Two-way trade in the group: the partner's share of the country's trade and vice versa."""

    iso3: str
    partner_share_of_country_trade: float
    country_share_of_partner_trade: float


@dataclass(frozen=True)
class SeriesPoint:
    year: int
    iso3: str  # a partner, or "ALL" for the country's total
    value_usd: float
    quantity_t: float | None = None


@dataclass(frozen=True)
class FuelPoint:
    """Physical quantities of one fuel with one partner (or ``ALL``) in one year (BACI)."""

    year: int
    fuel: str
    iso3: str
    value_usd: float
    tonnes: float | None
    quantity: float | None  # Mt (crude, coal) or bcm (gas)
    unit: str
    barrels_per_day: float | None = None  # crude only


@dataclass(frozen=True)
class Profile:
    country: str
    source: Source
    year: int
    group: Group
    flow: Flow
    total_usd: float
    partners: tuple[Partner, ...]
    hhi: float
    leads: tuple[Lead, ...]
    asymmetry: tuple[Asymmetry, ...]
    series: tuple[SeriesPoint, ...]
    notes: tuple[str, ...] = ()
    fuel_series: tuple[FuelPoint, ...] = ()
    #: source, year and coverage of the figures, in words (e.g. "ICIO 2022, all goods and services, basic prices")
    coverage: str = ""

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        out = asdict(self)
        if top is not None:
            out["partners"] = out["partners"][:top]
        out["partners_total"] = len(self.partners)
        return out


def _check_literal(value: str, options: Any, field: str) -> None:
    allowed = get_args(options)
    if value not in allowed:
        raise UnknownValueError(f"{field} {value!r} is not one of {', '.join(allowed)}")


def _hhi(shares: np.ndarray) -> float:
    return float(np.sum(shares**2))


def _partners_from(values: pd.Series, reverse: pd.Series, quantities: pd.Series | None) -> tuple[Partner, ...]:
    values = values[values > 0].sort_values(ascending=False, kind="stable")
    total = float(values.sum())
    rows = []
    for iso3, value in values.items():
        q = None if quantities is None else float(quantities.get(iso3, np.nan))
        rows.append(Partner(str(iso3), float(value), float(value) / total, float(reverse.get(iso3, 0.0)),
                            None if q is None or np.isnan(q) else q))
    return tuple(rows)


def _asymmetry(two_way: pd.DataFrame, country: str, partners: list[str]) -> tuple[Asymmetry, ...]:
    """``two_way``: bilateral matrix (rows exporter, cols importer) restricted to foreign trade."""
    labels = list(two_way.index)
    trade = two_way.to_numpy() + two_way.to_numpy().T
    totals = trade.sum(axis=1)
    c = labels.index(country)
    rows = []
    for p in partners:
        k = labels.index(p)
        bilateral = float(trade[c, k])
        rows.append(Asymmetry(p, bilateral / totals[c] if totals[c] > 0 else 0.0,
                              bilateral / totals[k] if totals[k] > 0 else 0.0))
    return tuple(rows)


ICIO_COVERAGE = {"all": "all goods and services", "energy": "energy sectors", "minerals": "metals & minerals sectors"}
BACI_COVERAGE = {"all": "energy and mineral", "energy": "energy", "minerals": "mineral"}


def icio_coverage(world: World, group: str) -> str:
    """What an ICIO profile's figures cover, e.g. "ICIO 2022, all goods and services (50 sectors), basic prices"."""
    sectors = [world.sectors[s] for s in world.sectors_in(group)]
    what = ICIO_COVERAGE.get(group, f"{group} sectors")
    listed = f"{len(sectors)} sectors" if len(sectors) > 6 else ", ".join(sectors)
    return f"ICIO {world.year}, {what} ({listed}), US$ at basic prices"


def baci_coverage(year: int, group: str) -> str:
    """What a BACI profile's figures cover, e.g. "BACI 2023, 74 energy and mineral HS6 products"."""
    catalogue = products()
    n = len(catalogue) if group == "all" else int((catalogue["group"] == group).sum())
    extra = " (coal, crude oil, LNG, pipeline gas; no refined products)" if group == "energy" else ""
    return f"BACI {year}, {n} {BACI_COVERAGE.get(group, group)} HS6 products{extra}, US$ and tonnes"


def _no_icio_year(world: World, country: str, year: int) -> UnknownValueError:
    """No all-goods source covers ``year``: say so, and offer what exists."""
    years = world.baci_years
    if years and year in years:
        offer = (f"for {year} geoshift has {baci_coverage(year, 'all')} (geoshift profile {country} --source baci "
                 f"--year {year}; add --group energy or minerals)")
    elif years:
        offer = f"BACI ({len(products())} energy and mineral HS6 products) covers {years[0]}-{years[-1]}, not {year}"
    else:
        offer = "this World has no BACI data"
    return UnknownValueError(f"no all-goods source covers {year}: the ICIO network (all goods and services) is "
                             f"{world.year} only; {offer}; or drop --year for ICIO {world.year}")


def _icio_profile(world: World, country: str, year: int | None, group: Group, flow: Flow) -> Profile:
    if year is not None and year != world.year:
        raise _no_icio_year(world, country, year)
    sectors = list(world.sectors_in(group))
    T = world.X[:, :, sectors].sum(axis=2) * ICIO_UNIT_USD
    np.fill_diagonal(T, 0.0)
    matrix = pd.DataFrame(T, index=list(world.countries), columns=list(world.countries))
    exports = flow == "exports"
    c = world.countries.index(country)
    labels = list(world.countries)
    flows = T[c, :] if exports else T[:, c]
    partner_totals = T.sum(axis=0) if exports else T.sum(axis=1)
    reverse_share = np.divide(flows, partner_totals, out=np.zeros_like(flows), where=partner_totals > 0)
    values = pd.Series(flows, index=labels)
    partners = _partners_from(values, pd.Series(reverse_share, index=labels), None)
    leads = []
    for s in sectors:
        by_partner = (world.X[c, :, s] if exports else world.X[:, c, s]) * ICIO_UNIT_USD
        by_partner[c] = 0.0
        total = float(by_partner.sum())
        if total > 0:
            best = int(np.argmax(by_partner))
            leads.append(Lead(world.sectors[s], total, world.countries[best], float(by_partner[best]),
                              float(by_partner[best]) / total))
    leads.sort(key=lambda lead: -lead.total_usd)
    top = [p.iso3 for p in partners[:SERIES_PARTNERS]]
    series = tuple([SeriesPoint(world.year, p.iso3, p.value_usd) for p in partners[:SERIES_PARTNERS]]
                   + [SeriesPoint(world.year, "ALL", float(values.sum()))])
    notes = (f"OECD ICIO {world.year}; sectors {', '.join(world.sectors[s] for s in sectors)}; "
             f"final demand by destination: {world.final_rule} rule",)
    return Profile(country, "icio", world.year, group, flow, float(values.sum()), partners,
                   _hhi(np.array([p.share for p in partners])), tuple(leads),
                   _asymmetry(matrix, country, top), series, notes, coverage=icio_coverage(world, group))


def _baci_profile(world: World, country: str, year: int | None, group: Group, flow: Flow) -> Profile:
    years = world.baci_years
    if not years:
        raise UnknownValueError("this World has no BACI data; use --source icio")
    year = years[-1] if year is None else year
    if year not in years:
        raise UnknownValueError(f"year {year} is not in BACI, which covers {years[0]}-{years[-1]}")
    catalogue = products()
    if group != "all":
        catalogue = catalogue[catalogue["group"] == ("energy" if group == "energy" else "minerals")]
    commodity_of = dict(zip(catalogue["hs6"], catalogue["commodity"], strict=True))
    baci = world.baci
    rows = baci[baci["hs6"].isin(list(commodity_of))]
    own_side, other_side = ("exporter", "importer") if flow == "exports" else ("importer", "exporter")
    mine = rows[rows[own_side] == country]
    this_year = rows[rows["year"] == year]
    mine_year = mine[(mine["year"] == year) & (mine[other_side] != country)]
    values = mine_year.groupby(other_side)["value_usd"].sum()
    quantities = mine_year.groupby(other_side)["quantity_t"].sum(min_count=1)
    partner_totals = this_year.groupby(other_side)["value_usd"].sum()
    reverse = (values / partner_totals.reindex(values.index)).fillna(0.0)
    partners = _partners_from(values, reverse, quantities)
    leads = []
    by_commodity = mine_year.assign(commodity=mine_year["hs6"].map(commodity_of))
    for commodity, part in by_commodity.groupby("commodity", sort=True):
        value = part.groupby(other_side)["value_usd"].sum()
        quantity = part.groupby(other_side)["quantity_t"].sum(min_count=1).dropna()
        total = float(value.sum())
        if total <= 0:
            continue
        best_v = str(value.idxmax())
        lead = Lead(str(commodity), total, best_v, float(value[best_v]), float(value[best_v]) / total)
        if len(quantity) and quantity.sum() > 0:
            best_q = str(quantity.idxmax())
            lead = Lead(lead.commodity, total, best_v, lead.by_value_usd, lead.by_value_share, best_q,
                        float(quantity[best_q]), float(quantity[best_q] / quantity.sum()))
        leads.append(lead)
    leads.sort(key=lambda lead: -lead.total_usd)
    foreign = this_year[this_year["exporter"] != this_year["importer"]]
    matrix = foreign.pivot_table(index="exporter", columns="importer", values="value_usd", aggfunc="sum",
                                 fill_value=0.0)
    everyone = sorted(set(matrix.index) | set(matrix.columns))
    matrix = matrix.reindex(index=everyone, columns=everyone, fill_value=0.0)
    top = [p.iso3 for p in partners[:SERIES_PARTNERS]]
    yearly = mine[mine[other_side] != country]
    measures = ["value_usd", "quantity_t"]
    in_top = yearly[yearly[other_side].isin(top)].groupby(["year", other_side])[measures].sum(min_count=1)
    totals = yearly.groupby("year")[measures].sum(min_count=1)

    def point(year: Any, iso3: Any, row: pd.Series) -> SeriesPoint:
        quantity = None if pd.isna(row["quantity_t"]) else float(row["quantity_t"])
        return SeriesPoint(int(year), str(iso3), float(row["value_usd"]), quantity)

    series = [point(key[0], key[1], row) for key, row in in_top.iterrows()]  # type: ignore[index]
    series += [point(y, "ALL", r) for y, r in totals.iterrows()]
    series.sort(key=lambda point: (point.year, point.iso3))
    fuels = _fuel_series(yearly, other_side, top, commodity_of) if group in ("energy", "all") else ()
    notes = (f"BACI HS92 {year}, {len(commodity_of)} HS6 products ({group}); values in US$, quantities in "
             f"tonnes; recent Russian exports are mirror data (importers' reports)",)
    return Profile(country, "baci", year, group, flow, float(values.sum()), partners,
                   _hhi(np.array([p.share for p in partners])), tuple(leads),
                   _asymmetry(matrix, country, top) if country in matrix.index else (), tuple(series), notes,
                   fuels, coverage=baci_coverage(year, group))


def _fuel_series(rows: pd.DataFrame, other_side: str, top: list[str],
                 commodity_of: dict[int, str]) -> tuple[FuelPoint, ...]:
    """Per fuel, year and partner (the top partners and ``ALL``): US$, tonnes, Mt or bcm, and b/d for crude."""
    energy = rows[rows["hs6"].map(commodity_of).isin(FUELS)]
    energy = energy.assign(fuel=energy["hs6"].map(commodity_of))
    points: list[FuelPoint] = []
    for key, part in energy.groupby(["year", "fuel"], sort=True):
        year, fuel = int(str(key[0])), str(key[1])
        by_partner = part[part[other_side].isin(top)].groupby(other_side)[["value_usd", "quantity_t"]].sum(min_count=1)
        totals = part[["value_usd", "quantity_t"]].sum(min_count=1)
        for iso3, row in [*by_partner.iterrows(), ("ALL", totals)]:
            tonnes = None if pd.isna(row["quantity_t"]) else float(row["quantity_t"])
            quantity = None if tonnes is None else tonnes_to_canonical(str(fuel), tonnes)
            bpd = barrels_per_day("crude", tonnes) if fuel == "crude" and tonnes is not None else None
            points.append(FuelPoint(year, fuel, str(iso3), float(row["value_usd"]), tonnes, quantity,
                                    CANONICAL_UNIT[str(fuel)], bpd))
    return tuple(points)


def profile(world: World, country: str, *, source: Source = "icio", year: int | None = None,
            group: Group = "all", flow: Flow = "exports") -> Profile:
    """The dependency profile of ``country`` (ISO3, ISO2 or a name) in ``world``."""
    _check_literal(source, Source, "source")
    _check_literal(group, Group, "group")
    _check_literal(flow, Flow, "flow")
    if source == "icio":
        return _icio_profile(world, resolve_country(country, world.countries), year, group, flow)
    return _baci_profile(world, resolve_country(country, world.baci_countries), year, group, flow)
