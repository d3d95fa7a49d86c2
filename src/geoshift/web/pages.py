"""The web app's pages, rendered on the server with Jinja2 (templates in ``web/templates``, CSS and the small
script in ``web/static``). They read the same library objects the HTTP API serves — the World, the results store,
the jobs — and long work goes through the API's jobs: a page's script starts a job (``POST /api/v1/...``), polls it
and then asks for the result as an HTML fragment (``/fragments/...``) rendered here.

Written for readers who are not modellers: country and sector names next to their codes, a unit on every number,
the headline first. Every text that comes from a user (scenario YAML, names, search words) is escaped by the
templates' autoescaping; figures are plain plotly JSON (``data`` + ``layout``) drawn by ``/static/geoshift.js``
with the plotly.js that ships inside the plotly wheel (``/static/plotly.min.js``) and the country outlines packaged
with the data files (``/static/topojson/world_110m.json``) — no page loads anything from outside the app. Game
results are worded by ``geoshift.report.game`` and run maps drawn by ``geoshift.report.figures``, as in the HTML
reports.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from plotly.colors import get_colorscale  # type: ignore[import-untyped]

from geoshift.analysis.profile import Profile, profile
from geoshift.data.countries import country_name
from geoshift.engines.strategy.alignment import GameSpec, parse_game
from geoshift.errors import GeoshiftError, UnknownCountryError
from geoshift.report.figures import TOPOJSON
from geoshift.report.figures import income_map as report_income_map
from geoshift.report.game import (
    MOVE_COLOURS,
    MOVES,
    PAYOFF_UNIT,
    actor,
    describe_mixed,
    describe_outcome,
    describe_strategy,
    describe_tie,
    outcome_shares,
)
from geoshift.results.frames import (
    HEADLINE_PLACES,
    has_draws,
    headline_frame,
    metrics_frame,
    place_name,
    solver_text,
)
from geoshift.results.records import WORLD, RunRecord
from geoshift.results.store import RunNotFoundError, RunStore
from geoshift.scenario.shipped import shipped_folder, shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.version import __version__
from geoshift.web.scenarios import public_message
from geoshift.world import World

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
NAV = (("/world", "World"), ("/scenarios", "Scenarios"), ("/runs", "Runs"), ("/games", "Games"),
       ("/claims", "Claims"))
INCOME = "real_income_change_pct"
NEW_SCENARIO = """\
# A scenario in a few lines: who, on what, how much. Edit it; it is checked as you type.
name: my_scenario
description: The U.S. levies 25 % on machinery (C28) from China; China does not retaliate.
shocks:
  - {kind: tariff, exporters: CHN, importers: USA, sectors: [C28], percent: 25}
"""

router = APIRouter(include_in_schema=False)


# --- formatting: every number with its unit ---------------------------------------------------------------------

def _finite(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _signed(number: float, digits: int) -> str:
    """A signed number with ``digits`` decimals, or two significant digits where it is smaller than that shows
    (0.000047, not 0.00 or 4.7e-05); below a millionth it is zero for any reader."""
    if number != 0 and 5e-7 <= abs(number) < 0.5 * 10.0 ** -digits:
        digits = min(1 - math.floor(math.log10(abs(number))), 7)
    return f"{number + 0.0:+.{digits}f}"


def pct(value: Any, digits: int = 2) -> str:
    """A percentage change with its sign: ``+0.51 %``; a dash where there is none."""
    number = _finite(value)
    return "–" if number is None else f"{_signed(number, digits)} %"


def points(value: Any, digits: int = 2) -> str:
    """A difference of two percentages, in percentage points: ``+0.12 pp``."""
    number = _finite(value)
    return "–" if number is None else f"{_signed(number, digits)} pp"


def share(value: Any, digits: int = 1) -> str:
    """A share (0..1) as a percentage: ``46.5 %``."""
    number = _finite(value)
    return "–" if number is None else f"{100 * number:.{digits}f} %"


def billions(value_usd: Any) -> str:
    number = _finite(value_usd)
    return "–" if number is None else f"{number / 1e9:,.2f}"


def trillions(value_usd: Any) -> str:
    number = _finite(value_usd)
    return "–" if number is None else f"{number / 1e12:,.2f}"


def megatonnes(tonnes: Any) -> str:
    number = _finite(tonnes)
    return "–" if number is None else f"{number / 1e6:,.2f}"


def amount(value: Any, digits: int = 2) -> str:
    number = _finite(value)
    return "–" if number is None else f"{number:,.{digits}f}"


def when(timestamp: str) -> str:
    """An ISO 8601 UTC timestamp as ``2026-11-29 13:55 UTC``."""
    match = re.match(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)", timestamp)
    return f"{match.group(1)} {match.group(2)} UTC" if match else timestamp


def sign_class(value: Any) -> str:
    number = _finite(value)
    return "" if number is None or abs(number) < 5e-5 else ("pos" if number > 0 else "neg")


@jinja2.pass_context
def _sector_filter(context: Any, code: str) -> str:
    names: Mapping[str, str] = context.get("sector_names") or {}
    return f"{code} ({names[code]})" if code in names else code


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=False)
    env.filters.update(pct=pct, points=points, share=share, bn=billions, trn=trillions, mt=megatonnes, amount=amount,
                       signclass=sign_class, when=when, place=place_name, sector=_sector_filter)
    return env


TEMPLATES = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: Mapping[str, Any], *, status_code: int = 200) -> HTMLResponse:
    base = {"version": __version__, "nav": NAV, "section": "", "page": name.removesuffix(".html"), "plots": False,
            "sector_names": {}}
    return TEMPLATES.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def error_page(request: Request, status: int, title: str, message: str, *, hint: str = "",
               links: Sequence[tuple[str, str]] = ()) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": public_message(message), "hint": hint,
                                          "links": list(links)}, status_code=status)


# --- the app's state (set by ``create_app``) ---------------------------------------------------------------------

def _world(request: Request) -> World:
    loader: Callable[[], World] = request.app.state.world
    return loader()


def _store(request: Request) -> RunStore:
    store: RunStore = request.app.state.store
    return store


def _sector_names(world: World) -> dict[str, str]:
    return dict(zip(world.sectors, world.sector_names, strict=True))


# --- static: plotly.js from the plotly wheel ---------------------------------------------------------------------

def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the plotly wheel (the same file ``plotly.offline`` inlines)."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@router.get("/static/plotly.min.js")
def plotly_js() -> FileResponse:
    return FileResponse(plotly_js_path(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/static/topojson/world_110m.json")
def world_outlines() -> FileResponse:
    """The country outlines plotly.js draws the maps on (``config.topojsonURL``), packaged with the data files."""
    return FileResponse(Path(str(resources.files("geoshift").joinpath(*TOPOJSON))), media_type="application/json",
                        headers={"Cache-Control": "public, max-age=86400"})


# --- figures: plain plotly JSON ------------------------------------------------------------------------------------

def run_map(record: RunRecord) -> dict[str, Any]:
    """The run's world map of real-income change, as the HTML report draws it (``report.figures.income_map``)."""
    figure: dict[str, Any] = json.loads(report_income_map([record]).to_json())
    figure["layout"].pop("template", None)  # plotly.js's default look; keeps the page small
    return figure


def difference_map(values: Mapping[str, float], *, label: str = "B − A, real income", unit: str = "pp",
                   height: int = 460) -> dict[str, Any]:
    """A choropleth of a per-country difference (ISO-3 locations; WORLD and EU27 left out), centred on zero, in
    the report's map colours (losses red, gains blue)."""
    codes = [c for c in values if len(c) == 3 and c != WORLD and _finite(values[c]) is not None]
    z = [float(values[c]) for c in codes]
    top = max([abs(v) for v in z] + [1e-6])
    return {
        "data": [{
            "type": "choropleth", "locationmode": "ISO-3", "locations": codes, "z": z,
            "text": [html.escape(place_name(c)) for c in codes], "zmin": -top, "zmax": top, "zmid": 0.0,
            "colorscale": get_colorscale("RdBu"), "marker": {"line": {"color": "#ffffff", "width": 0.5}},
            "colorbar": {"title": {"text": html.escape(label)}, "ticksuffix": f" {unit}"},
            "hovertemplate": "%{text} (%{location})<br>" + html.escape(label) + f": %{{z:+.3f}} {unit}<extra></extra>",
        }],
        "layout": {
            "height": height, "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
            "geo": {"projection": {"type": "natural earth"}, "showframe": False, "showcoastlines": False,
                    "showland": True, "landcolor": "#e4e7eb", "showcountries": True, "countrycolor": "#ffffff",
                    "lataxis": {"range": [-58, 85]}},
        },
    }


def unmapped(values: Mapping[str, float]) -> list[str]:
    """Economies with a value that the 1:110m outlines cannot show (too small), named."""
    return [f"{place_name(c)} ({c})" for c in sorted(values) if c in SMALL_ECONOMIES]


#: economies of the ICIO list without an outline at the map's 1:110m scale
SMALL_ECONOMIES = frozenset({"BRN", "HKG", "LUX", "MLT", "SGP"})


def bar_figure(labels: Sequence[str], values: Sequence[float], *, title: str, axis: str) -> dict[str, Any]:
    """A horizontal bar chart, the largest value on top."""
    return {
        "data": [{"type": "bar", "orientation": "h", "y": [html.escape(x) for x in reversed(labels)],
                  "x": list(reversed(values)), "marker": {"color": "#0b5cad"},
                  "hovertemplate": "%{y}: %{x:,.2f} " + html.escape(axis) + "<extra></extra>"}],
        "layout": {"title": {"text": html.escape(title)}, "height": max(260, 28 * len(labels) + 90),
                   "margin": {"l": 10, "r": 20, "t": 40, "b": 40}, "xaxis": {"title": {"text": html.escape(axis)}},
                   "yaxis": {"automargin": True},
                   "template": "plotly_white"},
    }


# --- pages -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScenarioEntry:
    name: str
    description: str
    extends: str
    shocks: int
    path: Path


def shipped_entries() -> list[ScenarioEntry]:
    out = []
    for path in shipped_scenarios():
        spec = load_scenario(path)
        out.append(ScenarioEntry(spec.name, spec.description, spec.extends or "", len(spec.shocks), path))
    return out


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    runs = len(_store(request).summary())
    return render(request, "home.html", {"title": "geoshift", "scenarios": shipped_entries(), "runs": runs})


@router.get("/world", response_class=HTMLResponse)
def world_page(request: Request, q: str = "") -> HTMLResponse:
    world = _world(request)
    usd = 1e6  # the ICIO tables are in US$ million
    exports = world.exports.sum(axis=1) * usd
    total_exports = float(exports.sum())
    countries = [{"code": c, "name": country_name(c), "value_added": float(world.income[n]) * usd,
                  "exports": float(exports[n]), "imports": float(world.imports[n].sum()) * usd,
                  "export_share": float(exports[n]) / total_exports if total_exports > 0 else None}
                 for n, c in enumerate(world.countries)]
    output = world.gross_output.sum(axis=0) * usd
    sector_exports = world.exports.sum(axis=0) * usd
    sectors = [{"code": s, "name": name, "group": group, "output": float(output[k]),
                "exports": float(sector_exports[k])}
               for k, (s, name, group) in enumerate(zip(world.sectors, world.sector_names, world.sector_group,
                                                        strict=True))]
    words = q.strip().lower()
    if words:
        countries = [c for c in countries if words in f"{c['code']} {c['name']}".lower()]
        sectors = [s for s in sectors if words in f"{s['code']} {s['name']} {s['group']}".lower()]
    info = world.summary()
    for key in ("world_gross_output", "world_value_added", "world_trade", "world_trade_energy"):
        info[key] = float(info[key]) * usd
    return render(request, "world.html", {"title": "The World", "section": "/world", "info": info, "q": q.strip(),
                                          "countries": countries, "sectors": sectors,
                                          "provenance": list(world.provenance)})


PROFILE_OPTIONS = {"source": ("icio", "baci"), "group": ("all", "energy", "minerals"), "flow": ("exports", "imports")}


@router.get("/world/{code}", response_class=HTMLResponse)
def profile_page(request: Request, code: str, source: str = "icio", group: str = "all", flow: str = "exports",
                 year: str = "", top: int = 15) -> HTMLResponse:
    world = _world(request)
    links = [("/world", "all countries")]
    year_value: int | None = None
    if year.strip():
        try:
            year_value = int(year)
        except ValueError:
            return error_page(request, 422, "Not a year", f"year {year!r} is not a year; give e.g. 2023 "
                              f"(ICIO: {world.year}; BACI: {world.baci_years[0]}-{world.baci_years[-1]})"
                              if world.baci_years else f"year {year!r} is not a year; give {world.year}",
                              links=links)
        if source == "icio" and year_value == world.year:
            year_value = None
    try:
        result = profile(world, code, source=source, year=year_value, group=group, flow=flow)  # type: ignore[arg-type]
    except UnknownCountryError as exc:
        return error_page(request, 404, "No such country", str(exc), links=links)
    except GeoshiftError as exc:
        return error_page(request, 422, "This profile cannot be drawn", str(exc),
                          links=[(f"/world/{quote(code)}", "the default profile"), *links])
    top = min(max(top, 1), 100)
    shown = result.partners[:top]
    partners_figure = bar_figure([place_name(p.iso3) for p in shown[:12]], [p.value_usd / 1e9 for p in shown[:12]],
                                 title=f"{result.flow} by partner, {result.year}", axis="US$ bn")
    query = f"?source={result.source}&group={result.group}&flow={result.flow}" + (
        f"&year={result.year}" if result.source == "baci" else "")
    fuels = [f for f in result.fuel_series if f.year == result.year]
    return render(request, "profile.html", {
        "title": f"{country_name(result.country)}: dependency profile", "section": "/world", "plots": True,
        "p": result, "name": country_name(result.country), "top": top, "partners_figure": partners_figure,
        "series_figure": series_figure(result), "fuels": fuels, "sector_names": _sector_names(world),
        "json_url": f"/api/v1/profile/{result.country}{query}"})


def series_figure(result: Profile) -> dict[str, Any] | None:
    """US$ bn by year for the largest partners and the total (BACI profiles span years; ICIO is one year)."""
    years = sorted({p.year for p in result.series})
    if len(years) < 2:
        return None
    lines = []
    for iso3 in [*dict.fromkeys(p.iso3 for p in result.series if p.iso3 != "ALL"), "ALL"]:
        points = sorted((p.year, p.value_usd / 1e9) for p in result.series if p.iso3 == iso3)
        name = "all partners" if iso3 == "ALL" else place_name(iso3)
        lines.append({"type": "scatter", "mode": "lines+markers", "name": html.escape(name),
                      "x": [y for y, _ in points], "y": [v for _, v in points],
                      "line": {"dash": "dot"} if iso3 == "ALL" else {},
                      "hovertemplate": f"{html.escape(name)} %{{x}}: US$ %{{y:,.2f}} bn<extra></extra>"})
    return {"data": lines, "layout": {"title": {"text": f"{result.flow}, US$ bn by year"}, "height": 380,
                                      "template": "plotly_white", "yaxis": {"title": {"text": "US$ bn"}},
                                      "margin": {"l": 60, "r": 20, "t": 40, "b": 40}}}


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request) -> HTMLResponse:
    return render(request, "scenarios.html", {"title": "Scenarios", "section": "/scenarios",
                                              "scenarios": shipped_entries()})


@router.get("/scenarios/new", response_class=HTMLResponse)
def new_scenario(request: Request) -> HTMLResponse:
    return render(request, "editor.html", {"title": "New scenario", "section": "/scenarios", "plots": True,
                                           "heading": "A new scenario", "description": "", "yaml_text": NEW_SCENARIO,
                                           "draws": 0})


@router.get("/scenarios/{name}", response_class=HTMLResponse)
def edit_scenario(request: Request, name: str) -> HTMLResponse:
    entries = {e.name: e for e in shipped_entries()}
    if name not in entries:
        return error_page(request, 404, "No such scenario", f"no shipped scenario {name!r}; shipped: "
                          f"{', '.join(entries)}", links=[(f"/scenarios/{n}", n) for n in entries])
    entry = entries[name]
    return render(request, "editor.html", {
        "title": f"Scenario {name}", "section": "/scenarios", "plots": True, "heading": f"Scenario {name}",
        "description": entry.description, "yaml_text": entry.path.read_text(encoding="utf-8"), "draws": 0})


# --- runs ----------------------------------------------------------------------------------------------------------

def _income(record: RunRecord) -> dict[str, float]:
    rows = record.metric(INCOME)
    out: dict[str, float] = {}
    for country, value in zip(rows["country"], rows["value"], strict=True):
        number = _finite(value)
        if number is not None:
            out[str(country)] = number
    return out


def _draws(record: RunRecord) -> int:
    ensemble = record.diagnostics.get("ensemble")
    if isinstance(ensemble, Mapping) and isinstance(ensemble.get("draws"), int):
        return int(ensemble["draws"])
    return 0


ENERGY_ROWS = (("energy_revenue_change_pct", "all", "energy export revenue, change"),
               ("energy_revenue_change_usd", "all", "energy export revenue, change"),
               ("energy_budget_share_before_pct", "", "oil & gas share of the federal budget, before"),
               ("energy_budget_share_after_pct", "", "oil & gas share of the federal budget, after"))


def run_view(record: RunRecord, *, winners: int = 8) -> dict[str, Any]:
    """What a run page shows: the headline (with 5-95 % bands when the run has draws), the map, winners and
    losers among the countries, the energy exporter's revenue, the spec and the solver."""
    income = _income(record)
    bands = has_draws(record)
    head = headline_frame(record) if income else None
    headline = [] if head is None else [
        {"code": str(r["country"]), "name": str(r["country_name"]), "value": r["value"],
         "q05": r["q05"], "q95": r["q95"], "aggregate": str(r["country"]) in (WORLD, "EU27")}
        for r in head.to_dict("records")]
    countries = sorted(((c, v) for c, v in income.items() if c not in (WORLD, "EU27")), key=lambda kv: -kv[1])

    def row(code: str, value: float) -> dict[str, Any]:
        return {"code": code, "name": place_name(code), "value": value}

    winners = min(winners, len(countries) // 2)  # a small World: winners and losers do not overlap
    energy = []
    for metric, sector, label in ENERGY_ROWS:
        rows = record.metric(metric)
        for country, key, value, unit in zip(rows["country"], rows["sector"], rows["value"], rows["unit"],
                                             strict=True):
            if str(key or "") == sector:
                energy.append({"code": str(country), "name": place_name(str(country)), "label": label,
                               "value": value / 1e9 if unit == "USD" else value,
                               "unit": "US$ bn" if unit == "USD" else str(unit)})
    return {
        "run_id": record.run_id, "name": record.name, "description": record.description, "created": record.created,
        "kind": record.kind, "draws": _draws(record), "bands": bands, "headline": headline,
        "map": run_map(record) if countries else None, "unmapped": unmapped(income),
        "winners": [row(c, v) for c, v in countries[:winners]] if winners else [],
        "losers": [row(c, v) for c, v in reversed(countries[-winners:])] if winners else [],
        "energy": energy, "spec_yaml": record.spec_yaml, "solver": solver_text(record.diagnostics),
        "rows": [] if record.kind in ("scenario", "outcome") else metric_table(record),
    }


def metric_table(record: RunRecord, limit: int = 400) -> list[dict[str, Any]]:
    """A game's or a bargaining run's metrics as labelled rows (what, who, which, value, unit)."""
    frame = metrics_frame(record).head(limit)
    return [{"label": str(r["metric_label"]), "country": str(r["country"]), "country_name": str(r["country_name"]),
             "sector": str(r["sector_name"] or r["sector"]), "value": r["value"], "unit": str(r["unit"])}
            for r in frame.to_dict("records")]


def _get_run(request: Request, run_id: str) -> RunRecord | HTMLResponse:
    try:
        return _store(request).get(run_id)
    except RunNotFoundError as exc:
        return error_page(request, 404, "No such run", str(exc),
                          links=[("/runs", "all stored runs")])


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request) -> HTMLResponse:
    records = _store(request).list()
    places = [c for c in HEADLINE_PLACES if c in ("EU27", WORLD, "USA", "CHN", "RUS")]
    rows = [{"run_id": r.run_id, "name": r.name, "kind": r.kind, "description": r.description,
             "created": r.created, "income": _income(r), "draws": _draws(r)} for r in records]
    scenario_runs = [r for r in rows if r["kind"] in ("scenario", "outcome")]
    return render(request, "runs.html", {"title": "Runs", "section": "/runs", "runs": rows, "places": places,
                                         "comparable": scenario_runs})


@router.get("/runs/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: str = "", b: str = "") -> HTMLResponse:
    if not a or not b:
        return runs_page(request) if not (a or b) else error_page(
            request, 422, "Two runs to compare", "give two runs: /runs/compare?a=RUN_ID&b=RUN_ID",
            links=[("/runs", "choose them in the list of runs")])
    first = _get_run(request, a)
    if isinstance(first, HTMLResponse):
        return first
    second = _get_run(request, b)
    if isinstance(second, HTMLResponse):
        return second
    va, vb = _income(first), _income(second)
    codes = [c for c in HEADLINE_PLACES if c in va or c in vb]
    codes += sorted((c for c in {*va, *vb} if c not in codes), key=lambda c: -abs(vb.get(c, 0.0) - va.get(c, 0.0)))
    rows = [{"code": c, "name": place_name(c), "a": va.get(c), "b": vb.get(c),
             "difference": None if c not in va or c not in vb else vb[c] - va[c],
             "aggregate": c in (WORLD, "EU27")} for c in codes]
    difference = {c: vb[c] - va[c] for c in va if c in vb}
    return render(request, "compare.html", {
        "title": f"{first.name} against {second.name}", "section": "/runs", "plots": True, "a": run_view(first),
        "b": run_view(second), "rows": rows,
        "difference_map": difference_map(difference)
        if difference else None})


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    record = _get_run(request, run_id)
    if isinstance(record, HTMLResponse):
        return record
    return render(request, "run.html", {"title": f"Run {record.name}", "section": "/runs", "plots": True,
                                        "run": run_view(record)})


@router.get("/fragments/runs/{run_id}", response_class=HTMLResponse)
def run_fragment(request: Request, run_id: str) -> HTMLResponse:
    record = _get_run(request, run_id)
    if isinstance(record, HTMLResponse):
        return record
    return render(request, "_run.html", {"run": run_view(record)})


# --- games ---------------------------------------------------------------------------------------------------------

def shipped_games() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_folder("games").glob("*.yaml"))}


def game_spec(path: Path) -> GameSpec:
    return parse_game(path.read_text(encoding="utf-8"), f"games/{path.name}")


@router.get("/games", response_class=HTMLResponse)
def games_page(request: Request, game: str = "detente", x: str = "rho", y: str = "package",
               n: int = 12) -> HTMLResponse:
    games = shipped_games()
    if game not in games:
        return error_page(request, 404, "No such game", f"no shipped game {game!r}; shipped: {', '.join(games)}",
                          links=[(f"/games?game={g}", g) for g in games])
    spec = game_spec(games[game])
    names = list(spec.parameters)
    if x not in names or y not in names or x == y:
        return error_page(request, 422, "Not two parameters of this game",
                          f"map axes x={x!r}, y={y!r}: give two different parameters of {game}: {', '.join(names)}",
                          links=[(f"/games?game={game}", f"{game} with its default map (rho x package)")])
    n = min(max(n, 2), 40)
    parameters = [{"name": k, "value": p.value, "min": p.min, "max": p.max, "unit": p.unit, "source": p.source,
                   "step": _step(p.min, p.max)} for k, p in spec.parameters.items()]
    return render(request, "games.html", {
        "title": f"Game {spec.name}", "section": "/games", "plots": True, "game": spec.name, "games": list(games),
        "description": spec.description, "players": [{"code": p, "name": place_name(p)} for p in spec.players],
        "parameters": parameters, "x": x, "y": y, "n": n})


def _step(low: float, high: float) -> float:
    span = high - low
    return 10 ** math.floor(math.log10(span / 100)) if span > 0 else 0.01


# --- a game's result in words (the report's own wording: geoshift.report.game) --------------------------------------

def payoff_words(payoffs: Mapping[str, float]) -> str:
    return ", ".join(f"{actor(p)} {pct(v, 3)}" for p, v in payoffs.items())


def threshold_words(delta: float | None) -> str:
    """A trust threshold of the repeated game (the discount factor above which cooperation lasts) in words."""
    if delta is None:
        return "never: breaking the promise or hedging pays more than cooperating, whatever the future is worth"
    if delta == 0:
        return "always: cooperating pays even in a single round"
    return f"if one round ahead is worth at least {delta:.2f} of this one (discount factor δ ≥ {delta:.2f})"


def pivot_map(grid: Mapping[str, Any], point: Mapping[str, float], default: Mapping[str, float] | None = None
              ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The game's pivot map (Russia's reply to a deal on the x-y grid, its three outcomes as the report's three
    colours, the game file's default point and the solved parameters marked) and the share of cells per outcome."""
    shares = outcome_shares(grid)
    legend = [{"key": key, "words": words, "colour": colour, "colour_name": name, "share": shares[words]}
              for key, words, (name, colour) in zip(("china", "hedge", "west"), MOVES, MOVE_COLOURS, strict=True)]
    scale: list[list[Any]] = []
    for k, (_, colour) in enumerate(MOVE_COLOURS):
        scale += [[k / len(MOVE_COLOURS), colour], [(k + 1) / len(MOVE_COLOURS), colour]]
    text = [[html.escape(describe_outcome(str(path))) for path in row] for row in grid["outcomes"]]
    x, y = html.escape(str(grid["x"])), html.escape(str(grid["y"]))
    data: list[dict[str, Any]] = [{
        "type": "heatmap", "x": grid["x_values"], "y": grid["y_values"], "z": grid["russia_moves"], "zmin": -0.5,
        "zmax": 2.5, "colorscale": scale, "showscale": False, "text": text,
        "hovertemplate": f"{x} = %{{x:.3g}}, {y} = %{{y:.3g}}<br>%{{text}}<extra></extra>"}]
    marks = [("the game file's values", default or {}, "circle-open"), ("the parameters solved", point, "x")]
    for label, where, symbol in marks:
        if grid["x"] in where and grid["y"] in where:
            data.append({"type": "scatter", "mode": "markers+text", "x": [where[grid["x"]]], "y": [where[grid["y"]]],
                         "text": [label], "textposition": "top center" if symbol == "x" else "bottom center",
                         "showlegend": False, "hovertemplate": f"{label}<extra></extra>",
                         "marker": {"symbol": symbol, "size": 14, "color": "#1f2933", "line": {"width": 2}}})
    figure = {"data": data, "layout": {
        "title": {"text": "Russia's reply to a U.S. deal, in the subgame-perfect equilibrium"}, "height": 480,
        "xaxis": {"title": {"text": x}}, "yaxis": {"title": {"text": y}}, "showlegend": False,
        "margin": {"l": 70, "r": 20, "t": 50, "b": 60}, "template": "plotly_white"}}
    return figure, legend


def game_view(result: Mapping[str, Any], default: Mapping[str, float] | None = None) -> dict[str, Any]:
    """What the game page shows of a solved game (``result_dict``, the CLI's JSON): equilibria and strategies as
    sentences, payoffs in % of real income, trust thresholds, the pivot map and its shares."""
    players = list(result.get("players", ["USA", "RUS", "CHN"]))
    spe = [{"path": describe_outcome(str(e["outcome"])), "payoffs": payoff_words(e["payoffs"]),
            "strategies": [describe_strategy(p, e["strategies"][p]) for p in players if p in e["strategies"]],
            "ties": [describe_tie(str(t), players) for t in e.get("ties", [])]}
           for e in result.get("spe", [])]
    mixed = [{"detail": str(e.get("detail", "")), "payoffs": payoff_words(e["payoffs"]),
              "lines": [describe_mixed(p, mix) for p, mix in e["strategies"].items()]}
             for e in result.get("mixed", [])]
    grid = result.get("map")
    figure, legend = pivot_map(grid, result.get("parameters", {}), default) if grid else (None, [])
    return {"name": result.get("game", ""), "unit": PAYOFF_UNIT,
            "players": [{"code": p, "name": actor(p)} for p in players], "spe": spe, "mixed": mixed,
            "nash": len(result.get("nash", [])),
            "outcomes": [{"path": describe_outcome(k), "payoffs": v} for k, v in result.get("payoffs", {}).items()],
            "delta": threshold_words(result.get("delta_star")),
            "deltas": [{"who": actor(p)[:1].upper() + actor(p)[1:], "words": threshold_words(d)}
                       for p, d in result.get("delta_star_by_player", {}).items()],
            "map": figure, "legend": legend, "grid": grid, "run_id": result.get("run_id"),
            "solves": result.get("engine_solves")}


# --- claims ---------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimEntry:
    id: str
    claim: str
    source: str
    file: str


def shipped_claim_entries() -> list[ClaimEntry]:
    from geoshift.claims import load_claims
    from geoshift.scenario.shipped import shipped_claims

    out = []
    for path in shipped_claims():
        claim_file = load_claims(path)
        for c in claim_file.claims:
            source = claim_file.sources.get(c.source)
            said = " — ".join(x for x in (source.title, source.outlet) if x) if source is not None else ""
            out.append(ClaimEntry(c.id, c.claim, said, f"claims/{path.name}"))
    return out


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, draws: str = "") -> HTMLResponse:
    choice = draws.strip()
    if choice and (not choice.isdigit() or int(choice) == 1):
        return error_page(request, 422, "Not a number of draws", f"draws {draws!r}: give 0 (central values only) "
                          "or at least 2, or leave it out for the claim files' own draws",
                          links=[("/claims", "the claims with their files' draws")])
    return render(request, "claims.html", {"title": "Claims", "section": "/claims", "claims": shipped_claim_entries(),
                                           "draws": choice})


# --- fragments: a finished job's result as HTML ------------------------------------------------------------------

def fragment_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "_fragment_error.html", {"message": public_message(message)}, status_code=status)


@router.get("/fragments/jobs/{job_id}", response_class=HTMLResponse)
def job_fragment(request: Request, job_id: str) -> HTMLResponse:
    """A finished job's result, rendered for the page that started it."""
    from geoshift.web.jobs import JobManager

    jobs: JobManager = request.app.state.jobs
    try:
        job = jobs.get(job_id)
    except GeoshiftError as exc:
        return fragment_error(request, 404, str(exc))
    if job["status"] != "done":
        return fragment_error(request, 409, f"job {job_id} is {job['status']}" + (
            f": {job['error']}" if job.get("error") else ""))
    result: Mapping[str, Any] = job.get("result") or {}
    kind = job["kind"]
    if kind in ("run", "ensemble") and result.get("run_id"):
        return run_fragment(request, str(result["run_id"]))
    if kind == "game":
        games = shipped_games()
        name = str(result.get("game", ""))
        default = ({k: p.value for k, p in game_spec(games[name]).parameters.items()} if name in games else None)
        return render(request, "_game.html", {"g": game_view(result, default)})
    if kind == "check":
        return render(request, "_claims.html", {"rows": result.get("claims", []),
                                                "evidence": result.get("evidence_page", "")})
    return render(request, "_json.html", {"kind": kind, "result": result})
