"""From a scenario to the energy engine's options: closures (written, and derived from embargoes on the
exporter's energy sectors), caps, floors, route openings, prices. Pure functions."""

from __future__ import annotations

import numpy as np

from geoshift.engines.energy.lp import DEFAULT_DISCOUNT, EnergyOptions
from geoshift.engines.energy.units import FUELS
from geoshift.errors import ScenarioError
from geoshift.scenario.apply import ShockArrays, resolve_countries_any
from geoshift.scenario.spec import EnergySettings
from geoshift.world.world import World

#: the ICIO sector whose embargo closes each fuel
FUEL_SECTOR = {"crude": "B06", "pipeline_gas": "B06", "lng": "B06", "coal": "B05", "products": "C19"}


def closures_from_shocks(world: World, arrays: ShockArrays, exporter: str) -> dict[str, set[str]]:
    """Buyers whose imports of each fuel from ``exporter`` are embargoed in the trade shocks (ICIO economies)."""
    out: dict[str, set[str]] = {f: set() for f in FUELS}
    if exporter not in world.countries:
        return out
    e = world.countries.index(exporter)
    for fuel, sector in FUEL_SECTOR.items():
        if sector not in world.sectors:
            continue
        s = world.sectors.index(sector)
        closed = np.isinf(arrays.tau_hat[e, :, s])
        out[fuel] = {world.countries[j] for j in np.flatnonzero(closed)}
    return out


def energy_options(world: World, settings: EnergySettings, arrays: ShockArrays | None, *,
                   group_year: int) -> EnergyOptions:
    known = tuple(sorted(set(world.baci_countries)))
    closures = closures_from_shocks(world, arrays, settings.exporter) if (arrays is not None and
                                                                          settings.from_trade_shocks) else {}
    closures = {f: set(closures.get(f, set())) for f in FUELS}
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
    )
