"""Energy-export rerouting: a linear programme over routes and buyers (HiGHS via ``scipy.optimize.linprog``).

For one exporter and year, per fuel: supply ``S`` (default: the baseline export volume), buyers ``b`` with baseline
volumes ``q0_b`` at observed unit values ``p0_b`` (BACI), and routes ``r`` with capacities ``K_r`` that reach
named buyers (or any buyer, ``world``). Variables: volume ``x[r, b]`` on each route to each buyer, and each
buyer's purchases split into tiers: up to ``q0_b`` at ``p0_b``; beyond it, volume that displaces the buyer's other
suppliers at ``p_floor (1 - d_k)``, where ``p_floor`` is the lowest baseline price among the exporter's buyers
with at least ``MIN_BUYER_SHARE`` (1 %) of its baseline volume of the fuel (among all its buyers if none has
that much), and the discount ``d_k`` deepens piecewise-linearly with the buyer's share of the exporter's
baseline sales (brackets ``discount``). Constraints: route capacities, supply, each buyer's absorption limit
``max(q0_b, max_supplier_share x import demand_b)`` (0 when the buyer is closed), contract floors. Maximise
revenue, with one proviso: a buyer too small to set ``p_floor`` that paid less than it counts at ``p_floor`` for
its baseline volume in the objective (its revenue is still reported at its own price), so the exporter does not
drop it for discounted new volume on the strength of a noisy unit value. Unsold supply is shut in.

A buyer with a positive contract floor is always in the model; a floor that cannot be met (unknown buyer, fuel
not exported, buyer closed or out of every open route's reach, floors above the capacities or limits) is an
error, never dropped.

Routes named in the options must be the exporter's own; an opening takes effect from its start year, so one that
starts after the exporter's year (which would open nothing) is an error too.

Calibration: baseline volumes that no listed route can carry (unlisted pipelines, small ports, rail) travel on
a calibrated residual route per fuel whose capacity is exactly that shortfall; for pipeline gas it reaches only
the buyers it served, for seaborne fuels any buyer. With this, the baseline allocation is the unique optimum
when no constraint binds. Duals: the revenue value of one more unit of each route's capacity (in the objective's
valuation, which differs from revenue only where the marginal unit is such a small buyer's baseline volume).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from geoshift.data.groups import group_members
from geoshift.engines.diagnostics import Diagnostics
from geoshift.engines.energy.baseline import EnergyBaseline
from geoshift.engines.energy.facts import import_demand, routes
from geoshift.engines.energy.units import CANONICAL_UNIT, FUELS, check_fuel
from geoshift.errors import GeoshiftError, InputError

DEFAULT_DISCOUNT: tuple[tuple[float, float], ...] = ((0.10, 0.02), (0.25, 0.05), (0.50, 0.10), (1.00, 0.20))
SEABORNE = ("crude", "products", "lng", "coal")
MIN_BUYER_SHARE = 0.01  # buyers below this share of the exporter's volume do not set the floor price
RESIDUAL = "unlisted routes (calibrated)"


class InfeasibleError(GeoshiftError, ValueError):
    """The rerouting constraints cannot all hold (e.g. contract floors above the route capacity)."""


@dataclass(frozen=True)
class EnergyOptions:
    """What a scenario changes. Volumes in canonical units (Mt, bcm) per year."""

    closures: Mapping[str, frozenset[str]] = field(default_factory=dict)  # fuel -> closed buyers
    caps: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (buyer, fuel) -> max volume
    floors: Mapping[tuple[str, str], float] = field(default_factory=dict)  # (buyer, fuel) -> min volume
    route_capacity: Mapping[str, float] = field(default_factory=dict)  # route -> capacity override
    open_routes: Mapping[str, int] = field(default_factory=dict)  # route -> start year (planned, sanctioned)
    close_routes: frozenset[str] = frozenset()
    price_change_pct: Mapping[str, float] = field(default_factory=dict)  # fuel -> % change of all prices
    supply_change_pct: Mapping[str, float] = field(default_factory=dict)
    max_supplier_share: float = 0.5
    discount: tuple[tuple[float, float], ...] = DEFAULT_DISCOUNT
    #: (buyer, fuel) -> factor on the prices the exporter receives from that buyer (its netback), e.g.
    #: 1 / (trade-cost factor x (1 + tariff)) when delivered prices in the buyer's market hold
    netback: Mapping[tuple[str, str], float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # how the scenario's shocks reached these options, in words


@dataclass(frozen=True)
class RouteUse:
    route: str
    fuel: str
    capacity: float
    used: float
    unit: str
    dual_usd: float  # revenue gained per extra unit of capacity per year


@dataclass(frozen=True, eq=False)
class RerouteResult:
    exporter: str
    year: int
    status: str  # optimal | infeasible
    revenue_usd: float
    buyers: pd.DataFrame = field(repr=False)  # buyer, fuel, unit, baseline_volume, volume, revenue_usd, closed
    routes: tuple[RouteUse, ...]
    shut_in: Mapping[str, float]
    supply: Mapping[str, float]
    seconds: float
    message: str = ""
    lp_size: tuple[int, int, int] = (0, 0, 0)  # variables, constraints, non-zeros
    lp_seconds: float = 0.0  # time inside HiGHS
    lp_iterations: int = 0  # HiGHS simplex / IPM iterations

    @property
    def diagnostics(self) -> Diagnostics:
        return Diagnostics(self.status == "optimal", self.lp_iterations, 0.0, self.seconds, self.message,
                           engine="energy_lp", status=self.status)


def _expand(buyers: str, year: int) -> set[str]:
    out: set[str] = set()
    for item in str(buyers).split(";"):
        item = item.strip()
        out |= set(group_members("EU27", year)) if item == "EU27" else {item}
    return out


@dataclass
class _BuyerVars:
    buyer: str
    fuel: str
    baseline_volume: float
    closed: bool
    xs: list[int]
    tiers: list[int]


def _available_routes(exporter: str, year: int, options: EnergyOptions,
                      table: pd.DataFrame | None = None) -> pd.DataFrame:
    import difflib

    table = routes() if table is None else table
    known = set(table["route"])
    own = sorted(set(table.loc[table["exporter"] == exporter, "route"]))
    for name in (*options.route_capacity, *options.open_routes, *options.close_routes):
        if name not in known:
            hint = difflib.get_close_matches(name, own or sorted(known), n=2, cutoff=0.3)
            raise InputError(f"unknown route {name!r}; closest: {', '.join(hint) or 'none'}")
        if name not in own:
            owners = ", ".join(sorted(set(table.loc[table["route"] == name, "exporter"])))
            hint = difflib.get_close_matches(name, own, n=3, cutoff=0.3)
            mine_text = f"{exporter}'s routes, closest: {', '.join(hint) or 'none'}" if own else \
                f"{exporter} has no listed routes"
            raise InputError(f"route {name!r} is {owners}'s, not {exporter}'s; {mine_text}")
    for name, start in options.open_routes.items():
        if start > year:
            raise InputError(f"opening of route {name!r} starts in {start}, after {exporter}'s year {year}: it would "
                             f"open nothing; give a start_year of {year} or earlier (or none)")
    for name, value in options.route_capacity.items():
        if not value >= 0:
            raise InputError(f"capacity of route {name!r} must be >= 0, got {value}")
    mine = table[table["exporter"] == exporter].copy()
    opened = mine["route"].isin(list(options.open_routes))
    on_time = mine["start_year"].isna() | (mine["start_year"] <= year)
    mine = mine[((mine["available"] == "yes") & on_time) | opened]
    mine = mine[~mine["route"].isin(list(options.close_routes))]
    mine["capacity"] = [float(options.route_capacity.get(r, c)) for r, c in zip(mine["route"], mine["capacity"],
                                                                                  strict=True)]
    return mine.reset_index(drop=True)


def _segments(q0: float, total: float, discount: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """(width, discount) of the volume a buyer can add beyond its baseline, by share bracket."""
    out, lower = [], q0 / total if total > 0 else 0.0
    previous = 0.0
    for upper, rate in discount:
        start = max(previous, lower)
        if upper > start:
            out.append(((upper - start) * total, rate))
        previous = upper
    return out


def check_options(options: EnergyOptions, exporter: str, year: int,
                  route_table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Validate ``options`` (fuels, routes, bounds, shares); return the routes available to the exporter."""
    if not 0 < options.max_supplier_share <= 1:
        raise InputError(f"max_supplier_share must be in (0, 1], got {options.max_supplier_share}")
    for fuel in (*options.closures, *options.price_change_pct, *options.supply_change_pct):
        check_fuel(fuel)
    for fuel, pct in options.supply_change_pct.items():
        if not pct >= -100:
            raise InputError(f"supply_change_pct for {fuel} must be >= -100 (all of it shut in), got {pct:g}")
    for fuel, pct in options.price_change_pct.items():
        if not pct > -100:
            raise InputError(f"price_change_pct for {fuel} must be > -100, got {pct:g}")
    for (buyer, fuel), factor in options.netback.items():
        check_fuel(fuel)
        if not (0.0 < factor < np.inf):
            raise InputError(f"netback factor for {buyer}/{fuel} must be finite and > 0 (an embargo is a closure), "
                             f"got {factor}")
    for (buyer, fuel), value in (*options.caps.items(), *options.floors.items()):
        check_fuel(fuel)
        if not value >= 0:
            raise InputError(f"cap or floor for {buyer}/{fuel} must be >= 0, got {value}")
    uppers = [upper for upper, _ in options.discount]
    rates = [rate for _, rate in options.discount]
    if uppers != sorted(uppers) or rates != sorted(rates) or not all(0 <= r < 1 for r in rates):
        raise InputError("discount brackets must rise in share and in discount (each discount in [0, 1))")
    return _available_routes(exporter, year, options, route_table)


@dataclass(eq=False)
class _Model:
    exporter: str
    year: int
    options: EnergyOptions
    cost: np.ndarray  # minus the objective value of a unit of each variable
    price: np.ndarray  # the revenue of a unit of each variable (differs from the objective value only in tier 1 of
    # small buyers that paid less than p_floor)
    bounds: list[tuple[float, float]]
    A_ub: coo_matrix
    b_ub: np.ndarray
    A_eq: coo_matrix
    ub_rows: list[tuple[list[tuple[int, float]], float, tuple[str, ...]]]
    route_rows: dict[str, list[tuple[int, float]]]
    route_meta: dict[str, tuple[str, float]]
    route_names: list[str]
    buyer_rows: list[_BuyerVars]
    supply: dict[str, float]


def reroute(baseline: EnergyBaseline, options: EnergyOptions | None = None, *,
            route_table: pd.DataFrame | None = None) -> RerouteResult:
    """Maximise the exporter's energy revenue under ``options``; see the module docstring. ``route_table``
    replaces the packaged routes (same columns as ``facts.routes()``)."""
    start = time.perf_counter()
    return _solve(_build(baseline, options or EnergyOptions(), route_table), start)


def capacity_sweep(baseline: EnergyBaseline, options: EnergyOptions, route: str, capacities: Sequence[float], *,
                   route_table: pd.DataFrame | None = None) -> list[RerouteResult]:
    """Re-solve one LP for many capacities of ``route`` (built once; only the capacity changes)."""
    start = time.perf_counter()
    model = _build(baseline, options, route_table)
    rows = [k for k, (_, _, meta) in enumerate(model.ub_rows) if meta == ("route", route)]
    if not rows:
        raise InputError(f"route {route!r} is not available to {baseline.exporter} in {baseline.year}; "
                         f"open it in the options first")
    out = []
    for value in capacities:
        if not value >= 0:
            raise InputError(f"capacity of route {route!r} must be >= 0, got {value}")
        model.b_ub[rows[0]] = value
        model.route_meta[route] = (model.route_meta[route][0], float(value))
        out.append(_solve(model, start))
        start = time.perf_counter()
    return out


def _build(baseline: EnergyBaseline, options: EnergyOptions, route_table: pd.DataFrame | None) -> _Model:
    year, exporter = baseline.year, baseline.exporter
    available = check_options(options, exporter, year, route_table)
    baseline_network = _available_routes(exporter, year, EnergyOptions(), route_table)
    flows = baseline.flows
    _check_floor_buyers(baseline, options)
    cols: list[tuple[str, ...]] = []  # variable descriptors
    lower: list[float] = []
    upper: list[float] = []
    cost: list[float] = []  # minus the objective value of a unit
    price: list[float] = []  # the revenue of a unit
    eq_rows: list[list[tuple[int, float]]] = []
    ub_rows: list[tuple[list[tuple[int, float]], float, tuple[str, ...]]] = []

    def var(kind: tuple[str, ...], lo: float, hi: float, revenue: float, value: float | None = None) -> int:
        cols.append(kind)
        lower.append(lo)
        upper.append(hi)
        price.append(revenue)
        cost.append(-(revenue if value is None else value))
        return len(cols) - 1

    buyer_rows: list[_BuyerVars] = []
    supply: dict[str, float] = {}
    route_rows: dict[str, list[tuple[int, float]]] = {}
    route_meta: dict[str, tuple[str, float]] = {}
    for fuel in FUELS:
        mine = flows[flows["fuel"] == fuel]
        q0_total = float(mine["quantity"].sum())
        if q0_total <= 0:
            continue
        price_factor = 1.0 + options.price_change_pct.get(fuel, 0.0) / 100.0
        supply[fuel] = q0_total * (1.0 + options.supply_change_pct.get(fuel, 0.0) / 100.0)
        q0 = dict(zip(mine["buyer"], mine["quantity"], strict=True))
        p0 = dict(zip(mine["buyer"], mine["price_usd"], strict=True))
        # the lowest price the exporter accepts from a current buyer of some size (all buyers if none is)
        setters = [p0[b] for b in q0 if q0[b] >= MIN_BUYER_SHARE * q0_total] or list(p0.values())
        p_floor = min(setters)
        imports = baseline.imports[baseline.imports["fuel"] == fuel]
        demand = dict(zip(imports["buyer"], imports["quantity"], strict=True))
        candidates = set(q0) | {b for b, d in demand.items() if d * options.max_supplier_share >= MIN_BUYER_SHARE
                                * q0_total and b != exporter}
        candidates |= {b for (b, f), v in options.floors.items() if f == fuel and v > 0}  # contracted buyers
        embargoed = baseline.closed.get(fuel, frozenset())  # closed by law in the baseline year
        closed = options.closures.get(fuel, frozenset()) | embargoed
        fuel_routes = available[available["fuel"] == fuel]
        reach = {str(r): _expand(str(b), year) for r, b in zip(fuel_routes["route"], fuel_routes["buyers"],
                                                                strict=True)}
        capacity = {str(r): float(c) for r, c in zip(fuel_routes["route"], fuel_routes["capacity"], strict=True)}
        basin_of = {str(r): str(b) for r, b in zip(fuel_routes["route"], fuel_routes["basin"], strict=True)}
        # calibration on the baseline network (no scenario overrides): the residual route carries the baseline
        # volume no listed route can carry, and each basin supplies what its routes carried
        base_routes = baseline_network[baseline_network["fuel"] == fuel]
        base_reach = {str(r): _expand(str(b), year) for r, b in zip(base_routes["route"], base_routes["buyers"],
                                                                    strict=True)}
        base_capacity = {str(r): float(c) for r, c in zip(base_routes["route"], base_routes["capacity"], strict=True)}
        base_basin = {str(r): str(b) for r, b in zip(base_routes["route"], base_routes["basin"], strict=True)}
        shortfall, carried = _shortfall_cached(
            tuple(q0.items()), tuple((r, frozenset(v)) for r, v in base_reach.items()),
            tuple(base_capacity.items()))
        shortfall, carried = dict(shortfall), dict(carried)
        if sum(shortfall.values()) > 1e-9 * q0_total:
            name = f"{RESIDUAL}: {fuel}"
            capacity[name] = sum(shortfall.values())
            reach[name] = {"world"} if fuel in SEABORNE else {b for b, s in shortfall.items() if s > 0}
            basin_of[name] = base_basin[name] = fuel if fuel in SEABORNE else name
            carried[name] = capacity[name]
        scale = 1.0 + options.supply_change_pct.get(fuel, 0.0) / 100.0
        basins: dict[str, float] = {}
        for r, used in carried.items():
            basins[base_basin[r]] = basins.get(base_basin[r], 0.0) + used * scale
        if fuel in SEABORNE:
            basins = {fuel: supply[fuel]}
            basin_of = dict.fromkeys(basin_of, fuel)
        supply_rows: dict[str, list[tuple[int, float]]] = {basin: [] for basin in basins}
        for buyer in sorted(candidates):
            base = float(q0.get(buyer, 0.0))
            facts_demand = import_demand(buyer, fuel, year)
            total_demand = facts_demand if facts_demand is not None else float(demand.get(buyer, base))
            limit = 0.0 if buyer in closed else max(base, options.max_supplier_share * total_demand)
            if (buyer, fuel) in options.caps:
                limit = min(limit, float(options.caps[(buyer, fuel)]))
            routes_here = [r for r in reach if "world" in reach[r] or buyer in reach[r]]
            floor = float(options.floors.get((buyer, fuel), 0.0))
            if floor > 0 and (buyer in closed or not routes_here):
                why = (f"{buyer} is closed to {fuel} by an embargo in force in {year}; drop the floor"
                       if buyer in embargoed else
                       f"{buyer} is closed to {fuel} in this scenario; drop the floor or the closure"
                       if buyer in closed else
                       f"no open {fuel} route of {exporter} reaches {buyer}; open one (energy.openings) or drop "
                       f"the floor")
                raise InfeasibleError(f"{_floor_text(buyer, fuel, floor)} cannot be met: {why} ({exporter}, {year})")
            if not routes_here or (limit <= 0 and (buyer, fuel) not in options.floors):
                buyer_rows.append(_BuyerVars(buyer, fuel, base, buyer in closed, [], []))
                continue
            xs = []
            for r in routes_here:
                j = var(("x", r, buyer, fuel), 0.0, np.inf, 0.0)
                xs.append(j)
                route_rows.setdefault(r, []).append((j, 1.0))
                route_meta[r] = (fuel, capacity[r])
                supply_rows.setdefault(basin_of[r], []).append((j, 1.0))
            # tier 1 earns the buyer's own price; a buyer too small to set p_floor that paid less is valued at
            # p_floor in the objective, so its baseline volume is not traded for discounted new volume
            p_own = p0.get(buyer, p_floor)
            factor = price_factor * options.netback.get((buyer, fuel), 1.0)  # trade costs, tariffs on this sale
            tiers = [var(("tier1", buyer, fuel), 0.0, base, p_own * factor, max(p_own, p_floor) * factor)
                     ] if base > 0 else []
            for width, rate in _segments(base, q0_total, options.discount):
                tiers.append(var(("tier2", buyer, fuel, str(rate)), 0.0, width, p_floor * (1.0 - rate) * factor))
            eq_rows.append([(j, 1.0) for j in xs] + [(t, -1.0) for t in tiers])
            ub_rows.append(([(j, 1.0) for j in xs], limit, ("absorption", buyer, fuel)))
            if (buyer, fuel) in options.floors:
                ub_rows.append(([(j, -1.0) for j in xs], -float(options.floors[(buyer, fuel)]), ("floor", buyer, fuel)))
            buyer_rows.append(_BuyerVars(buyer, fuel, base, buyer in closed, xs, tiers))
        for basin, row in supply_rows.items():
            ub_rows.append((row, basins.get(basin, 0.0), ("supply", fuel, basin)))
    route_names = sorted(route_rows)
    for r in route_names:
        ub_rows.append((route_rows[r], route_meta[r][1], ("route", r)))
    n = len(cols)
    return _Model(exporter, year, options, np.array(cost), np.array(price), list(zip(lower, upper, strict=True)),
                  _matrix([row for row, _, _ in ub_rows], n), np.array([rhs for _, rhs, _ in ub_rows]),
                  _matrix(eq_rows, n), ub_rows, route_rows, route_meta, route_names, buyer_rows, supply)


def _floor_text(buyer: str, fuel: str, floor: float) -> str:
    return f"floor {buyer}/{fuel} = {floor:g} {CANONICAL_UNIT[fuel]}"


def _check_floor_buyers(baseline: EnergyBaseline, options: EnergyOptions) -> None:
    """Floors on buyers the baseline does not know, or on fuels the exporter does not export, are errors."""
    import difflib

    exporter, year = baseline.exporter, baseline.year
    known = set(baseline.flows["buyer"]) | set(baseline.imports["buyer"])
    exported = set(baseline.flows.loc[baseline.flows["quantity"] > 0, "fuel"])
    for (buyer, fuel), floor in options.floors.items():
        if buyer == exporter:
            raise InputError(f"floor for {buyer} ({fuel}): {buyer} is the exporter itself; drop the floor")
        if buyer not in known:
            hint = difflib.get_close_matches(buyer, sorted(known), n=2, cutoff=0.3)
            raise InputError(f"floor for unknown buyer {buyer!r} ({fuel}): {exporter}'s baseline has no such buyer or "
                             f"importer; closest: {', '.join(hint) or 'none'}")
        if floor > 0 and fuel not in exported:
            raise InfeasibleError(f"{_floor_text(buyer, fuel, floor)} cannot be met: {exporter} exported no {fuel} in "
                                  f"{year}; drop the floor ({exporter}, {year})")


def _solve(model: _Model, start: float) -> RerouteResult:
    exporter, year, options = model.exporter, model.year, model.options
    ub_rows, route_rows, route_meta, route_names = model.ub_rows, model.route_rows, model.route_meta, model.route_names
    cost, supply, A_ub, A_eq = model.cost, model.supply, model.A_ub, model.A_eq
    n = len(cost)
    lp_start = time.perf_counter()
    solution = linprog(cost, A_ub=A_ub, b_ub=model.b_ub, A_eq=A_eq, b_eq=np.zeros(A_eq.shape[0]),
                       bounds=model.bounds, method="highs")
    lp_seconds = time.perf_counter() - lp_start
    if solution.status == 2:
        raise InfeasibleError(_explain_infeasible(ub_rows, route_rows, route_meta, options) + f" ({exporter}, {year})")
    if solution.status != 0:
        raise GeoshiftError(f"the rerouting LP stopped: {solution.message}")
    x = solution.x
    marginals = solution.ineqlin.marginals
    route_duals = {meta[1]: -float(m) for (_, _, meta), m in zip(ub_rows, marginals, strict=True)
                   if meta[0] == "route"}
    uses = tuple(RouteUse(r, route_meta[r][0], route_meta[r][1], float(sum(x[j] for j, _ in route_rows[r])),
                          CANONICAL_UNIT[route_meta[r][0]], route_duals[r]) for r in route_names)
    table = []
    for entry in model.buyer_rows:
        volume = float(sum(x[j] for j in entry.xs))
        revenue = float(sum(model.price[t] * x[t] for t in entry.tiers))
        table.append({"buyer": entry.buyer, "fuel": entry.fuel, "unit": CANONICAL_UNIT[entry.fuel],
                      "baseline_volume": entry.baseline_volume, "volume": volume, "revenue_usd": revenue,
                      "closed": entry.closed})
    buyers = pd.DataFrame(table)
    sold = buyers.groupby("fuel")["volume"].sum() if len(buyers) else pd.Series(dtype=float)
    shut_in = {f: max(0.0, supply[f] - float(sold.get(f, 0.0))) for f in supply}
    size = (n, A_ub.shape[0] + A_eq.shape[0], int(A_ub.nnz + A_eq.nnz))
    return RerouteResult(exporter, year, "optimal", float(model.price @ x), buyers, uses, shut_in, supply,
                         time.perf_counter() - start, str(solution.message), size, lp_seconds, int(solution.nit))


def _matrix(rows: Sequence[Sequence[tuple[int, float]]], n: int) -> coo_matrix:
    r = [i for i, row in enumerate(rows) for _ in row]
    c = [j for row in rows for j, _ in row]
    v = [value for row in rows for _, value in row]
    return coo_matrix((v, (r, c)), shape=(len(rows), n))


@lru_cache(maxsize=256)
def _shortfall_cached(q0: tuple[tuple[str, float], ...], reach: tuple[tuple[str, frozenset[str]], ...],
                      capacity: tuple[tuple[str, float], ...]) -> tuple[dict[str, float], dict[str, float]]:
    return _shortfall(dict(q0), {r: set(v) for r, v in reach}, dict(capacity))


def _shortfall(q0: Mapping[str, float], reach: Mapping[str, set[str]],
               capacity: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """Baseline volume per buyer that the listed routes cannot carry, and what each route carries (max flow)."""
    pairs = [(r, b) for r in reach for b in q0 if "world" in reach[r] or b in reach[r]]
    if not pairs:
        return dict(q0), dict.fromkeys(reach, 0.0)
    n = len(pairs)
    rows_b = [[k for k, (_, b) in enumerate(pairs) if b == buyer] for buyer in q0]
    rows_r = [[k for k, (r, _) in enumerate(pairs) if r == route] for route in reach]
    A = _matrix([[(k, 1.0) for k in row] for row in rows_b + rows_r], n)
    b = np.array([*q0.values(), *(capacity[r] for r in reach)])
    solution = linprog(-np.ones(n), A_ub=A, b_ub=b, bounds=(0, None), method="highs")
    carried = {buyer: float(sum(solution.x[k] for k in row)) for buyer, row in zip(q0, rows_b, strict=True)}
    by_route = {route: float(sum(solution.x[k] for k in row)) for route, row in zip(reach, rows_r, strict=True)}
    return {buyer: max(0.0, q0[buyer] - carried[buyer]) for buyer in q0}, by_route


def _explain_infeasible(ub_rows: Sequence[tuple[list[tuple[int, float]], float, tuple[str, ...]]],
                        route_rows: Mapping[str, list[tuple[int, float]]],
                        route_meta: Mapping[str, tuple[str, float]], options: EnergyOptions) -> str:
    problems = []
    for (buyer, fuel), floor in options.floors.items():
        reachable = sum(meta[1] for r, meta in route_meta.items() if meta[0] == fuel
                        and any(j in {k for k, _ in route_rows[r]} for row, _, m in ub_rows
                                if m == ("absorption", buyer, fuel) for j, _ in row))
        cap = next((rhs for _, rhs, m in ub_rows if m == ("absorption", buyer, fuel)), 0.0)
        if floor > min(reachable, cap) + 1e-9:
            problems.append(f"{_floor_text(buyer, fuel, floor)} exceeds what can reach it "
                            f"(routes {reachable:g}, absorption limit {cap:g})")
    if not problems:
        problems.append("the contract floors together exceed the route capacities or the supply")
    return "infeasible rerouting: " + "; ".join(problems)
