"""From a scenario to the energy engine's options (an engine-side module: engines read scenarios, never the
reverse): closures (written, and derived from embargoes on the
exporter's energy sectors), caps, floors, route openings, prices. Pure functions."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from geoshift.engines.energy.lp import DEFAULT_DISCOUNT, EnergyOptions
from geoshift.engines.energy.units import FUELS
from geoshift.errors import ScenarioError
from geoshift.scenario.apply import ShockArrays, resolve_countries_any
from geoshift.scenario.spec import EnergySettings
from geoshift.world.world import World

#: the ICIO sector whose embargo closes each fuel
FUEL_SECTOR = {"crude": "B06", "pipeline_gas": "B06", "lng": "B06", "coal": "B05", "products": "C19"}


def _fuel_sales(world: World, arrays: ShockArrays, exporter: str) -> Iterator[tuple[str, int, np.ndarray]]:
    """(fuel, exporter index, the cost factor tau (1 + t) of its sales to every buyer) for each fuel whose ICIO
    sector the World has; nothing when the exporter is not an ICIO economy."""
    if exporter not in world.countries:
        return
    e = world.countries.index(exporter)
    for fuel, sector in FUEL_SECTOR.items():
        if sector in world.sectors:
            s = world.sectors.index(sector)
            yield fuel, e, arrays.tau_hat[e, :, s] * (1.0 + arrays.tariff[e, :, s])


def closures_from_shocks(world: World, arrays: ShockArrays, exporter: str) -> dict[str, set[str]]:
    """Buyers whose imports of each fuel from ``exporter`` are embargoed in the trade shocks (ICIO economies)."""
    out: dict[str, set[str]] = {f: set() for f in FUELS}
    for fuel, _, factor in _fuel_sales(world, arrays, exporter):
        out[fuel] = {world.countries[j] for j in np.flatnonzero(np.isinf(factor))}
    return out


def netback_from_shocks(world: World, arrays: ShockArrays, exporter: str) -> dict[tuple[str, str], float]:
    """Factor on the exporter's netback from each buyer and fuel under the trade shocks: delivered prices in the
    buyer's market hold, so a trade-cost factor ``tau`` and an importer's tariff ``t`` on the fuel's ICIO sector
    leave the exporter ``1 / (tau (1 + t))`` of the price (embargoes are closures; ICIO economies only)."""
    out: dict[tuple[str, str], float] = {}
    for fuel, e, factor in _fuel_sales(world, arrays, exporter):
        for j in np.flatnonzero(np.isfinite(factor) & (factor != 1.0)):
            if j != e:
                out[(world.countries[j], fuel)] = float(1.0 / factor[j])
    return out


def shock_coverage_notes(world: World, arrays: ShockArrays, exporter: str,
                         netback: dict[tuple[str, str], float], closures: dict[str, set[str]]) -> tuple[str, ...]:
    """What of the trade shocks the rerouting LP sees, and what reaches the GE engine only, in words."""
    notes: list[str] = []
    closed = sorted({b for buyers in closures.values() for b in buyers})
    if closed:
        notes.append(f"Embargoes on {exporter}'s energy sales close {len(closed)} buyer(s) in the LP "
                     f"({', '.join(closed[:8])}{', ...' if len(closed) > 8 else ''}).")
    if netback:
        buyers = sorted({b for b, _ in netback})
        low, high = min(netback.values()), max(netback.values())
        notes.append(f"Trade-cost and tariff changes on {exporter}'s energy sales reach the LP as netbacks for "
                     f"{len(buyers)} buyer(s) ({', '.join(buyers[:8])}{', ...' if len(buyers) > 8 else ''}): "
                     f"delivered prices are held and {exporter} absorbs the cost, so it keeps "
                     f"{100 * low:.0f}-{100 * high:.0f} % of the price (an assumption).")
    changed = (arrays.tau_hat != 1.0) | (arrays.tariff != 0.0)
    if exporter in world.countries:
        e = world.countries.index(exporter)
        energy = [world.sectors.index(s) for s in set(FUEL_SECTOR.values()) if s in world.sectors]
        seen = np.zeros_like(changed)
        seen[e][:, energy] = True
        unseen = changed & ~seen
    else:
        unseen = changed
    if unseen.any():
        notes.append(f"{int(unseen.sum()):,} shocked trade cells are not {exporter}'s energy sales (other sectors "
                     f"or other exporters): they reach the GE engine only, not the energy LP.")
    if not changed.any():
        notes.append("The scenario has no trade shock; the LP changes only by its energy: settings.")
    return tuple(notes)


def energy_options(world: World, settings: EnergySettings, arrays: ShockArrays | None, *,
                   group_year: int) -> EnergyOptions:
    known = tuple(sorted(set(world.baci_countries)))
    from_shocks = arrays is not None and settings.from_trade_shocks
    closures = closures_from_shocks(world, arrays, settings.exporter) if from_shocks and arrays is not None else {}
    closures = {f: set(closures.get(f, set())) for f in FUELS}
    netback = netback_from_shocks(world, arrays, settings.exporter) if from_shocks and arrays is not None else {}
    notes = (shock_coverage_notes(world, arrays, settings.exporter, netback, closures)
             if from_shocks and arrays is not None else ())
    for n, closure in enumerate(settings.closures):
        buyers = resolve_countries_any(known, closure.buyers, f"energy.closures[{n}].buyers", group_year)
        for fuel in FUELS if closure.fuels == "all" else closure.fuels:
            closures[fuel] |= set(buyers)
    caps: dict[tuple[str, str], float] = {}
    floors: dict[tuple[str, str], float] = {}
    for n, bound in enumerate(settings.bounds):
        if bound.max is None and bound.min is None:
            raise ScenarioError(f"energy.bounds[{n}]: give max, min or both")
        if bound.max is not None and bound.min is not None and bound.min > bound.max:
            raise ScenarioError(f"energy.bounds[{n}]: min {bound.min} is above max {bound.max}")
        for buyer in resolve_countries_any(known, bound.buyers, f"energy.bounds[{n}].buyers", group_year):
            if bound.max is not None:
                caps[(buyer, bound.fuel)] = bound.max
            if bound.min is not None:
                floors[(buyer, bound.fuel)] = bound.min
    route_capacity = dict(settings.route_capacity)
    open_routes = {}
    for opening in settings.openings:
        open_routes[opening.route] = opening.start_year or settings.year or 0
        if opening.capacity is not None:
            route_capacity[opening.route] = opening.capacity
    return EnergyOptions(
        closures={f: frozenset(b) for f, b in closures.items() if b},
        caps=caps, floors=floors, route_capacity=route_capacity, open_routes=open_routes,
        close_routes=frozenset(settings.close_routes),
        price_change_pct={str(k): v for k, v in settings.price_change_pct.items()},
        supply_change_pct={str(k): v for k, v in settings.supply_change_pct.items()},
        max_supplier_share=settings.max_supplier_share,
        discount=(tuple((float(upper), float(rate)) for upper, rate in settings.discount)
                  if settings.discount else DEFAULT_DISCOUNT),
        netback=netback, notes=notes,
    )
