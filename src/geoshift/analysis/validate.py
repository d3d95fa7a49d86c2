"""geoshift's record against published figures (``geoshift validate``).

The table ``geoshift/data/files/published_figures.csv`` holds published figures, each with its source, how it was
verified (``found`` in retrieved source text, ``derived`` by stated arithmetic from other rows, or from ``memory``),
and either how geoshift computes the same quantity (a key of :data:`REGISTRY` with its arguments) and the tolerance
of the comparison, or why geoshift cannot compute it. Every computable row is recomputed from the data through the
public API (the World, profiles, the energy LP's baseline, the scenario runner) and reported within or outside its
tolerance; for a miss, the row's stated reason says why (coverage, definition, year, model scope). No model
parameter is ever tuned to hit a row.

Columns: ``id, quantity, figure, unit, year, source, verified, compute, tolerance, reason``.

* ``figure``: a number, a range ``A to B``, or ``n/a`` (only where not computable);
* ``compute``: ``KEY name=value ...`` (empty: not computable); values of list arguments are joined with ``+``;
* ``tolerance``: ``level ±10 %`` (relative to the nearest end of the published range) or ``share ±3 points``
  (percentage points); empty where not computable;
* ``reason``: ``KIND: text`` with KIND one of :data:`REASON_KINDS`: for a computable row, the known difference that
  explains a miss; otherwise why geoshift cannot compute the figure.
"""

from __future__ import annotations

import csv
import inspect
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from geoshift.analysis.profile import ICIO_UNIT_USD
from geoshift.data.baci import products
from geoshift.data.groups import ALIASES, group_members, group_names
from geoshift.engines.energy.baseline import EnergyBaseline, energy_baseline
from geoshift.engines.energy.units import BARRELS_PER_TONNE, barrels_per_day, check_fuel, tonnes_to_canonical
from geoshift.errors import GeoshiftError, InputError
from geoshift.report.html import CSS, text_table, write_html
from geoshift.results.run import Runner
from geoshift.scenario.shipped import shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.world.world import World

TABLE = "published_figures.csv"
COLUMNS = ("id", "quantity", "figure", "unit", "year", "source", "verified", "compute", "tolerance", "reason")
VERIFIED = ("found", "derived", "memory")
REASON_KINDS = ("coverage", "definition", "year", "period", "model scope", "input", "not a statistic",
                "definition and coverage")
#: "Europe" in the table's rows: the EU27 of the row's year plus these
EUROPE_EXTRA = ("GBR", "NOR", "CHE")
#: ICIO sector groups that hold goods (B09, mining support services, is counted with energy)
GOODS_GROUPS = ("agriculture", "energy", "minerals", "manufacturing")
GAS_FUELS = ("pipeline_gas", "lng")
Status = Literal["outside", "within", "not computable"]
STATUS_ORDER: tuple[Status, ...] = ("outside", "within", "not computable")

_ID = re.compile(r"[a-z0-9_]+")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"({_NUMBER})\s+to\s+({_NUMBER})")
_TOLERANCE = re.compile(rf"(level) ±({_NUMBER}) %|(share) ±({_NUMBER}) points")


# -- the registry of computations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Computed:
    """What geoshift computes for a row: the value (in the row's unit) and what it counted, in words."""

    value: float
    detail: str


class Context:
    """One World and what the computations share on it: energy baselines and scenario runs, each computed once."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.runner = Runner(world)
        self._baselines: dict[tuple[str, int], EnergyBaseline] = {}
        self._incomes: dict[str, pd.Series] = {}

    def baseline(self, exporter: str, year: int) -> EnergyBaseline:
        key = (exporter, year)
        if key not in self._baselines:
            self._baselines[key] = energy_baseline(self.world, exporter, year)
        return self._baselines[key]

    def real_income(self, scenario: str) -> pd.Series:
        """Real income change (%) by country (and WORLD) in a shipped scenario, solved once per validation."""
        if scenario not in self._incomes:
            paths = {p.stem: p for p in shipped_scenarios()}
            if scenario not in paths:
                raise InputError(f"no shipped scenario {scenario!r}; shipped: {', '.join(paths)}")
            metrics = self.runner.run(load_scenario(paths[scenario])).metrics
            rows = metrics[metrics["metric"] == "real_income_change_pct"]
            self._incomes[scenario] = pd.Series(rows["value"].to_numpy(dtype=float),
                                                index=rows["country"].astype(str))
        return self._incomes[scenario]


ComputeFn = Callable[..., Computed]


@dataclass(frozen=True)
class Computation:
    key: str
    func: ComputeFn
    params: tuple[str, ...]
    units: tuple[str, ...]
    summary: str


REGISTRY: dict[str, Computation] = {}


def _register(key: str, units: tuple[str, ...], summary: str) -> Callable[[ComputeFn], ComputeFn]:
    """Register ``func(ctx, year, unit, **params)``; its keyword-only parameters are the row's arguments."""

    def wrap(func: ComputeFn) -> ComputeFn:
        params = tuple(name for name, p in inspect.signature(func).parameters.items()
                       if p.kind is inspect.Parameter.KEYWORD_ONLY)
        REGISTRY[key] = Computation(key, func, params, units, summary)
        return func

    return wrap


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("+") if part.strip())


def _is_group(name: str) -> bool:
    return name.upper() in ALIASES or name.upper() in {g.upper() for g in group_names()}


def _countries(spec: str, year: int) -> tuple[str, ...] | None:
    """``CHN``, ``CHN+IND``, a country group (``EU27``), ``EUROPE`` (EU27 + GBR, NOR, CHE) or ``ALL`` (None)."""
    out: list[str] = []
    for part in _list(spec):
        if part.upper() == "ALL":
            return None
        if part.upper() == "EUROPE":
            out += [*group_members("EU27", year), *EUROPE_EXTRA]
        elif _is_group(part):
            out += group_members(part, year)
        elif re.fullmatch(r"[A-Z]{3}", part):
            out.append(part)
        else:
            raise InputError(f"{part!r} is neither an ISO3 code, a country group, EUROPE nor ALL")
    return tuple(dict.fromkeys(out))


def _fuels(spec: str) -> tuple[str, ...]:
    return tuple(check_fuel(f) for f in _list(spec))


def _bn(value: float) -> str:
    return f"{value / 1e9:,.1f}"


@_register("icio_goods_trade", ("USD bn",), "two-way goods trade of two economies in the ICIO network")
def _icio_goods_trade(ctx: Context, year: int, unit: str, *, a: str, b: str) -> Computed:
    world = ctx.world
    if year != world.year:
        raise InputError(f"the ICIO network is {world.year} only, not {year}")
    sectors = [s for group in GOODS_GROUPS for s in world.sectors_in(group)]
    i, j = world.country_index(a), world.country_index(b)
    a_to_b = float(world.X[i, j, sectors].sum()) * ICIO_UNIT_USD
    b_to_a = float(world.X[j, i, sectors].sum()) * ICIO_UNIT_USD
    return Computed((a_to_b + b_to_a) / 1e9,
                    f"ICIO {year}, {len(sectors)} goods sectors (agriculture, energy, metals & minerals, "
                    f"manufacturing), basic prices: {a}→{b} US$ {_bn(a_to_b)} bn + {b}→{a} US$ {_bn(b_to_a)} bn")


def _flows(ctx: Context, exporter: str, year: int, fuels: tuple[str, ...]) -> pd.DataFrame:
    flows = ctx.baseline(exporter, year).flows
    return flows[flows["fuel"].isin(fuels)]


def _by_buyer(flows: pd.DataFrame, buyers: tuple[str, ...] | None) -> pd.DataFrame:
    return flows if buyers is None else flows[flows["buyer"].isin(buyers)]


def _imputed(flows: pd.DataFrame) -> str:
    """Which sources the counted tonnes come from (where the baseline says), and how much of them is imputed."""
    text = ""
    if "source" in flows.columns and flows["tonnes"].sum() > 0:
        by_source = flows.groupby("source", sort=True)["tonnes"].sum()
        if len(by_source):
            text = "; from " + ", ".join(f"{src} {t / 1e6:,.1f} Mt" for src, t in by_source.items())
    imputed = flows[flows["imputed"]]
    if imputed.empty or flows["tonnes"].sum() <= 0:
        return text
    share = 100 * imputed["tonnes"].sum() / flows["tonnes"].sum()
    return (f"{text}; {'under 1' if share < 1 else f'{share:.0f}'} % of the tonnes imputed from values "
            f"({', '.join(sorted(set(imputed['fuel'])))})")


@_register("energy_exports", ("mb/d", "Mt", "bcm"),
           "an exporter's energy exports to some buyers in the energy LP's baseline of a year (BACI; refined "
           "products from ICIO), as mb/d (oil), Mt or bcm (gas)")
def _energy_exports(ctx: Context, year: int, unit: str, *, exporter: str, buyers: str, fuels: str) -> Computed:
    fuel_list = _fuels(fuels)
    rows = _by_buyer(_flows(ctx, exporter, year, fuel_list), _countries(buyers, year))
    tonnes = {f: float(rows[rows["fuel"] == f]["tonnes"].sum()) for f in fuel_list}
    if unit == "mb/d":
        if any(f not in BARRELS_PER_TONNE for f in fuel_list):
            raise InputError(f"mb/d applies to crude and products, not {fuels}")
        value = sum(barrels_per_day(f, t) for f, t in tonnes.items()) / 1e6
    elif unit == "bcm":
        if any(f not in GAS_FUELS for f in fuel_list):
            raise InputError(f"bcm applies to pipeline_gas and lng, not {fuels}")
        value = sum(tonnes_to_canonical(f, t) for f, t in tonnes.items())
    else:
        value = sum(tonnes.values()) / 1e6
    usd = float(rows["value_usd"].sum())
    return Computed(value, f"energy LP baseline {year}: {exporter}→{buyers} {fuels} "
                           f"{sum(tonnes.values()) / 1e6:,.2f} Mt, US$ {_bn(usd)} bn{_imputed(rows)}")


@_register("energy_export_share", ("%",),
           "the share of some buyers in an exporter's energy exports (tonnes) in the energy LP's baseline of a year")
def _energy_export_share(ctx: Context, year: int, unit: str, *, exporter: str, buyers: str, fuels: str) -> Computed:
    rows = _flows(ctx, exporter, year, _fuels(fuels))
    total = float(rows["tonnes"].sum())
    if total <= 0:
        raise InputError(f"{exporter} has no {fuels} exports in {year}")
    part = _by_buyer(rows, _countries(buyers, year))
    by_value = float(part["value_usd"].sum()) / float(rows["value_usd"].sum())
    return Computed(100 * float(part["tonnes"].sum()) / total,
                    f"energy LP baseline {year}: {buyers} {part['tonnes'].sum() / 1e6:,.1f} of {total / 1e6:,.1f} Mt "
                    f"of {exporter}'s {fuels} exports (by value {100 * by_value:.1f} %){_imputed(rows)}")


@_register("energy_import_share", ("%",),
           "an exporter's share of an importer's imports of one fuel (tonnes) in the energy LP's baseline of a year")
def _energy_import_share(ctx: Context, year: int, unit: str, *, exporter: str, importer: str, fuel: str) -> Computed:
    (fuel,) = _fuels(fuel)
    base = ctx.baseline(exporter, year)
    mine = base.flows[(base.flows["buyer"] == importer) & (base.flows["fuel"] == fuel)]["quantity"].sum()
    imports = base.imports[(base.imports["buyer"] == importer) & (base.imports["fuel"] == fuel)]["quantity"].sum()
    if imports <= 0:
        raise InputError(f"{importer} has no {fuel} imports in {year}")
    return Computed(100 * float(mine) / float(imports),
                    f"energy LP baseline {year}: {exporter}→{importer} {fuel} {mine:,.1f} of {importer}'s "
                    f"{imports:,.1f} Mt of imports from every exporter")


@_register("group_import_share", ("%",),
           "an exporter's share of a country group's imports of some fuels from outside the group (BACI tonnes)")
def _group_import_share(ctx: Context, year: int, unit: str, *, exporter: str, group: str, fuels: str) -> Computed:
    fuel_list = _fuels(fuels)
    catalogue = products()
    codes = catalogue[catalogue["commodity"].isin(fuel_list)]["hs6"].tolist()
    members = group_members(group, year)
    baci = ctx.world.baci
    rows = baci[(baci["year"] == year) & baci["hs6"].isin(codes) & baci["importer"].isin(members)
                & ~baci["exporter"].isin(members)]
    total = float(rows["quantity_t"].sum())
    if total <= 0:
        raise InputError(f"{group} has no {fuels} imports with quantities in BACI {year}")
    mine = rows[rows["exporter"] == exporter]
    by_value = float(mine["value_usd"].sum()) / float(rows["value_usd"].sum())
    no_quantity = float(rows[rows["quantity_t"].isna()]["value_usd"].sum()) / float(rows["value_usd"].sum())
    return Computed(100 * float(mine["quantity_t"].sum()) / total,
                    f"BACI {year}: {group} ({len(members)} members) imports of {fuels} from outside the group, "
                    f"{exporter} {mine['quantity_t'].sum() / 1e6:,.1f} of {total / 1e6:,.1f} Mt (by value "
                    f"{100 * by_value:.1f} %; {100 * no_quantity:.1f} % of the value has no quantity)")


@_register("crude_unit_value", ("USD/bbl",),
           "the world average unit value of crude oil trade (BACI US$ over tonnes, at 7.33 barrels per tonne)")
def _crude_unit_value(ctx: Context, year: int, unit: str) -> Computed:
    codes = products()
    hs6 = codes[codes["commodity"] == "crude"]["hs6"].tolist()
    baci = ctx.world.baci
    rows = baci[(baci["year"] == year) & baci["hs6"].isin(hs6) & (baci["exporter"] != baci["importer"])]
    rows = rows.dropna(subset=["quantity_t"])
    rows = rows[rows["quantity_t"] > 0]
    value, tonnes = float(rows["value_usd"].sum()), float(rows["quantity_t"].sum())
    if tonnes <= 0:
        raise InputError(f"BACI {year} has no crude trade with quantities")
    return Computed(value / tonnes / BARRELS_PER_TONNE["crude"],
                    f"BACI {year}: world crude trade US$ {_bn(value)} bn for {tonnes / 1e6:,.0f} Mt "
                    f"(US$ {value / tonnes:,.0f}/t)")


def _mineral(mining: pd.DataFrame, name: str) -> str:
    """A World Mining Data mineral by its name without the parenthesis, case-insensitive (``titanium``)."""
    names = sorted(set(mining["mineral"].astype(str)))
    wanted = name.strip().lower()
    for candidate in names:
        if candidate.lower() == wanted or candidate.split(" (")[0].lower() == wanted:
            return candidate
    raise InputError(f"no mineral {name!r} in World Mining Data; minerals: {', '.join(names)}")


@_register("mine_share", ("%",), "a country's share of world mine production of a mineral (World Mining Data)")
def _mine_share(ctx: Context, year: int, unit: str, *, country: str, mineral: str) -> Computed:
    mining = ctx.world.mining
    name = _mineral(mining, mineral)
    rows = mining[(mining["mineral"] == name) & (mining["year"] == year)]
    if rows.empty:
        raise InputError(f"World Mining Data has no {name} production in {year}")
    ranked = rows.sort_values("production", ascending=False, kind="stable")["iso3"].tolist()
    share = float(rows[rows["iso3"] == country]["share"].sum())
    rank = f"rank {ranked.index(country) + 1} of {len(ranked)}" if country in ranked else "no production listed"
    total = float(rows["production"].sum())
    return Computed(100 * share, f"World Mining Data {year}, {name}: {country} {rank}, world {total:,.0f} "
                                 f"{rows['unit'].iloc[0]}")


@_register("ge_real_income", ("%",),
           "real income change (%) of a country or WORLD in a shipped scenario, solved by the GE engine")
def _ge_real_income(ctx: Context, year: int, unit: str, *, scenario: str, country: str) -> Computed:
    income = ctx.real_income(scenario)
    if country not in income.index:
        raise InputError(f"scenario {scenario} has no real income for {country!r}")
    return Computed(float(income[country]),
                    f"shipped scenario {scenario}, multi-sector GE on ICIO {ctx.world.year} (static): {country} real "
                    f"income {float(income[country]):+.3f} %")


# -- the table ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    kind: Literal["level", "share"]
    amount: float  # percent of the figure (level) or percentage points (share)

    @property
    def text(self) -> str:
        return f"level ±{self.amount:g} %" if self.kind == "level" else f"share ±{self.amount:g} points"

    def bounds(self, low: float, high: float) -> tuple[float, float]:
        if self.kind == "level":
            return low - abs(low) * self.amount / 100, high + abs(high) * self.amount / 100
        return low - self.amount, high + self.amount

    def deviation(self, value: float, low: float, high: float) -> float:
        """How far ``value`` lies outside the published range: % of its nearest end (level) or points (share)."""
        nearest = min(max(value, low), high)
        if self.kind == "share":
            return value - nearest
        return 0.0 if nearest == 0 else 100 * (value - nearest) / abs(nearest)


@dataclass(frozen=True)
class Figure:
    """One row of the table of published figures."""

    line: int
    id: str
    quantity: str
    figure: str
    low: float | None
    high: float | None
    unit: str
    year: str
    source: str
    verified: str
    compute: str
    key: str | None
    args: Mapping[str, str]
    tolerance: Tolerance | None
    reason_kind: str
    reason: str

    @property
    def computable(self) -> bool:
        return self.key is not None


def _row_error(path: str, line: int, column: str, message: str) -> InputError:
    return InputError(f"{path}:{line}: field {column!r}: {message}")


def _parse_figure(text: str) -> tuple[float | None, float | None]:
    text = text.strip()
    if text == "n/a":
        return None, None
    if re.fullmatch(_NUMBER, text):
        return float(text), float(text)
    match = _RANGE.fullmatch(text)
    if match:
        low, high = float(match.group(1)), float(match.group(2))
        if low > high:
            raise ValueError(f"range {text!r} runs downwards; write the lower end first")
        return low, high
    raise ValueError(f"{text!r} is not a number, a range 'A to B' or n/a")


def _parse_compute(text: str) -> tuple[str, dict[str, str]]:
    key, *items = text.split()
    if key not in REGISTRY:
        raise ValueError(f"unknown computation {key!r}; known: {', '.join(sorted(REGISTRY))}")
    args: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            raise ValueError(f"argument {item!r} must look like name=value")
        if name in args:
            raise ValueError(f"argument {name!r} given twice")
        args[name] = value
    params = REGISTRY[key].params
    missing = [p for p in params if p not in args]
    unknown = [a for a in args if a not in params]
    if missing or unknown:
        raise ValueError(f"{key} takes {' '.join(f'{p}=...' for p in params) or 'no arguments'}"
                         + (f"; missing {', '.join(missing)}" if missing else "")
                         + (f"; unknown {', '.join(unknown)}" if unknown else ""))
    return key, args


def _parse_tolerance(text: str) -> Tolerance:
    match = _TOLERANCE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} must be 'level ±N %' or 'share ±N points'")
    if match.group(1):
        return Tolerance("level", float(match.group(2)))
    return Tolerance("share", float(match.group(4)))


def _parse_row(path: str, line: int, row: Mapping[str, str | None], seen: set[str]) -> Figure:
    cells = {c: (row.get(c) or "").strip() for c in COLUMNS}

    def fail(column: str, message: str) -> InputError:
        return _row_error(path, line, column, message)

    for column in ("id", "quantity", "figure", "unit", "year", "source", "verified", "reason"):
        if not cells[column]:
            raise fail(column, "is empty")
    if not _ID.fullmatch(cells["id"]):
        raise fail("id", f"{cells['id']!r} must be lower-case letters, digits and underscores")
    if cells["id"] in seen:
        raise fail("id", f"{cells['id']!r} appears twice")
    if cells["verified"] not in VERIFIED:
        raise fail("verified", f"{cells['verified']!r} is not one of {', '.join(VERIFIED)}")
    try:
        low, high = _parse_figure(cells["figure"])
    except ValueError as exc:
        raise fail("figure", str(exc)) from None
    kind, sep, reason = cells["reason"].partition(": ")
    if not sep or kind not in REASON_KINDS or not reason.strip():
        raise fail("reason", f"must read 'KIND: text' with KIND one of {', '.join(REASON_KINDS)}")
    key: str | None = None
    args: dict[str, str] = {}
    tolerance: Tolerance | None = None
    if cells["compute"]:
        try:
            key, args = _parse_compute(cells["compute"])
        except ValueError as exc:
            raise fail("compute", str(exc)) from None
        if cells["unit"] not in REGISTRY[key].units:
            raise fail("unit", f"{cells['unit']!r}: {key} gives {', '.join(REGISTRY[key].units)}")
        if low is None:
            raise fail("figure", "a computable row needs a number or a range")
        if not re.fullmatch(r"\d{4}", cells["year"]):
            raise fail("year", f"{cells['year']!r}: a computable row needs one year, e.g. 2023")
        if not cells["tolerance"]:
            raise fail("tolerance", "a computable row needs 'level ±N %' or 'share ±N points'")
        try:
            tolerance = _parse_tolerance(cells["tolerance"])
        except ValueError as exc:
            raise fail("tolerance", str(exc)) from None
    elif cells["tolerance"]:
        raise fail("tolerance", "given for a row with no computation; leave it empty")
    seen.add(cells["id"])
    return Figure(line, cells["id"], cells["quantity"], cells["figure"], low, high, cells["unit"], cells["year"],
                  cells["source"], cells["verified"], cells["compute"], key, args, tolerance, kind, reason.strip())


def default_table() -> Path:
    return Path(str(resources.files("geoshift.data.files").joinpath(TABLE)))


def read_table(path: str | Path | None = None) -> tuple[Figure, ...]:
    """The table of published figures, every row checked; a bad row raises one ``InputError`` naming the file,
    line and field."""
    path = default_table() if path is None else Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{name}: cannot read the table of published figures ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = tuple(reader.fieldnames or ())
    if header != COLUMNS:
        missing = [c for c in COLUMNS if c not in header]
        extra = [c for c in header if c not in COLUMNS]
        raise InputError(f"{name}:1: the header must be {','.join(COLUMNS)}"
                         + (f"; missing {', '.join(missing)}" if missing else "")
                         + (f"; unknown {', '.join(extra)}" if extra else ""))
    seen: set[str] = set()
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise _row_error(name, line, "reason", "the row has more cells than the header (a comma not in quotes?)")
        rows.append(_parse_row(name, line, row, seen))
    if not rows:
        raise InputError(f"{name}: the table has no rows")
    return tuple(rows)


# -- checking --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    figure: Figure
    value: float | None = None
    detail: str = ""

    @property
    def within(self) -> bool | None:
        f = self.figure
        if self.value is None or f.tolerance is None or f.low is None or f.high is None:
            return None
        lo, hi = f.tolerance.bounds(f.low, f.high)
        return bool(lo - 1e-12 <= self.value <= hi + 1e-12)

    @property
    def status(self) -> Status:
        within = self.within
        return "not computable" if within is None else "within" if within else "outside"

    @property
    def deviation(self) -> float | None:
        f = self.figure
        if self.value is None or f.tolerance is None or f.low is None or f.high is None:
            return None
        return f.tolerance.deviation(self.value, f.low, f.high)

    @property
    def deviation_unit(self) -> str | None:
        t = self.figure.tolerance
        return None if t is None or self.value is None else ("%" if t.kind == "level" else "points")

    @property
    def reason(self) -> str | None:
        """Why the row misses or cannot be computed (None for a hit)."""
        return None if self.status == "within" else f"{self.figure.reason_kind}: {self.figure.reason}"

    def to_dict(self) -> dict[str, Any]:
        f = self.figure
        published = None if f.low is None or f.high is None else (f.low + f.high) / 2
        return {
            "id": f.id, "quantity": f.quantity, "figure": f.figure, "published": published,
            "published_range": None if f.low is None else [f.low, f.high], "unit": f.unit, "year": f.year,
            "source": f.source, "verified": f.verified, "compute": f.compute or None,
            "tolerance": None if f.tolerance is None else f.tolerance.text, "computable": f.computable,
            "value": self.value, "within": self.within, "status": self.status, "deviation": self.deviation,
            "deviation_unit": self.deviation_unit, "reason": self.reason, "reason_kind": f.reason_kind,
            "known_difference": f"{f.reason_kind}: {f.reason}", "detail": self.detail or None,
        }


@dataclass(frozen=True)
class Validation:
    checks: tuple[Check, ...]
    seconds: float = 0.0
    table: str = ""
    counts: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        counts = {s: sum(1 for c in self.checks if c.status == s) for s in STATUS_ORDER}
        object.__setattr__(self, "counts", counts)

    @property
    def rows(self) -> int:
        return len(self.checks)

    @property
    def computable(self) -> int:
        return self.counts["within"] + self.counts["outside"]

    @property
    def rate(self) -> float:
        return self.counts["within"] / self.computable if self.computable else 0.0

    def line(self) -> str:
        return (f"validate: rows={self.rows} computable={self.computable} within={self.counts['within']} "
                f"outside={self.counts['outside']} rate={self.rate:.3f}")

    def ordered(self, status: Status) -> list[Check]:
        """The rows of one status, in table order (grouped by topic)."""
        return [c for c in self.checks if c.status == status]

    def to_dict(self) -> dict[str, Any]:
        return {"summary": {"rows": self.rows, "computable": self.computable, "within": self.counts["within"],
                            "outside": self.counts["outside"], "not_computable": self.counts["not computable"],
                            "rate": self.rate, "seconds": self.seconds, "table": self.table},
                "rows": [c.to_dict() for s in STATUS_ORDER for c in self.ordered(s)], "line": self.line()}


def compute_row(ctx: Context, figure: Figure) -> Check:
    """Recompute one row; a computation that fails names the row's file line and id."""
    if figure.key is None:
        return Check(figure)
    computation = REGISTRY[figure.key]
    try:
        result = computation.func(ctx, int(figure.year), figure.unit, **figure.args)
    except GeoshiftError as exc:
        raise InputError(f"line {figure.line} ({figure.id}): field 'compute': {figure.compute}: {exc}") from None
    if not math.isfinite(result.value):
        raise InputError(f"line {figure.line} ({figure.id}): field 'compute': {figure.compute} gave {result.value}")
    return Check(figure, float(result.value), result.detail)


def validate(world: World, path: str | Path | None = None) -> Validation:
    """Every row of the table (default: the packaged one) recomputed on ``world`` and compared."""
    start = time.perf_counter()
    table = default_table() if path is None else Path(path)
    figures = read_table(table)
    ctx = Context(world)
    checks = tuple(compute_row(ctx, f) for f in figures)
    return Validation(checks, time.perf_counter() - start, str(table))


# -- formatting ------------------------------------------------------------------------------------------------


def number(value: float) -> str:
    """A value with a precision that suits its size."""
    size = abs(value)
    digits = 0 if size >= 1000 else 1 if size >= 100 else 2 if size >= 1 else 3
    return f"{value:,.{digits}f}"


def with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}"


def published_text(check: Check) -> str:
    f = check.figure
    return with_unit(f.figure, f.unit) if f.low is not None else f.figure


def value_text(check: Check) -> str:
    return "" if check.value is None else with_unit(number(check.value), check.figure.unit)


def deviation_text(check: Check) -> str:
    d = check.deviation
    if d is None:
        return ""
    if check.deviation_unit == "points":
        return f"{d:+.1f} points"
    return f"{d:+.1f} %"


def _cells(checks: Iterable[Check], columns: tuple[str, ...]) -> list[list[str]]:
    getters: dict[str, Callable[[Check], str]] = {
        "id": lambda c: c.figure.id, "quantity": lambda c: c.figure.quantity, "year": lambda c: c.figure.year,
        "published": published_text, "geoshift": value_text, "off by": deviation_text,
        "tolerance": lambda c: "" if c.figure.tolerance is None else c.figure.tolerance.text,
        "why": lambda c: c.reason or "", "what geoshift counted": lambda c: c.detail,
        "source": lambda c: f"{c.figure.source} ({c.figure.verified})",
    }
    return [[getters[column](c) for column in columns] for c in checks]


HTML_SECTIONS: tuple[tuple[Status, str, tuple[str, ...]], ...] = (
    ("outside", "Outside the tolerance, with the reason",
     ("id", "quantity", "year", "published", "geoshift", "off by", "tolerance", "why", "what geoshift counted",
      "source")),
    ("within", "Within the tolerance",
     ("id", "quantity", "year", "published", "geoshift", "off by", "tolerance", "what geoshift counted", "source")),
    ("not computable", "Not computable, and why", ("id", "quantity", "year", "published", "why", "source")),
)


def render_html(validation: Validation) -> str:
    """A self-contained page of the record (inline CSS, no script, no external URL); every cell is escaped."""
    parts = []
    for status, heading, columns in HTML_SECTIONS:
        rows = [[escape(cell) for cell in row] for row in _cells(validation.ordered(status), columns)]
        body = text_table(columns, rows) if rows else '<p class="note">none</p>'
        parts.append(f"<section>\n<h2>{escape(heading)} ({len(rows)})</h2>\n{body}\n</section>")
    summary = escape(validation.line())
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>geoshift validate</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n"
        "<h1>geoshift against published figures</h1>\n"
        f'<p class="note">Each row of {escape(Path(validation.table).name)} recomputed from the data (the World, '
        "profiles, the energy LP's baseline, the GE engine) and compared with its tolerance: level ±10 % of the "
        "nearest end of the published range, or share ±3 percentage points. No model parameter is tuned to hit a "
        "row; a miss is explained (coverage, definition, year, model scope).</p>\n"
        f"<p><strong>{summary}</strong></p>\n</header>\n<main>\n{''.join(parts)}\n</main>\n</body>\n</html>\n"
    )


def write_validation_html(validation: Validation, folder: Path) -> Path:
    return write_html(render_html(validation), Path(folder) / "validate.html")


__all__ = ["REGISTRY", "Check", "Computation", "Computed", "Context", "Figure", "Status", "Tolerance", "Validation",
           "compute_row", "read_table", "render_html", "validate", "write_validation_html"]
