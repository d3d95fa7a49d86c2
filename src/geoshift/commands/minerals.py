"""``geoshift minerals COUNTRY``: the country's critical-minerals supply risk by the GeoPolRisk method (a table per
material, highest score first) and, with ``--scenario``, the supply risk before and after the scenario's mineral
sourcing shocks (its ``minerals:`` list). Register it with :func:`register`."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from geoshift.errors import GeoshiftError, ScenarioError

if TYPE_CHECKING:  # the engine and the scenario spec load pandas and pydantic: imported when the command runs
    from geoshift.engines.minerals.risk import MineralShockLike, RiskTable, ShockOutcome, SupplyRisk
    from geoshift.world import World

out = Console()

#: the engine's CU_REFERENCE_CF and MISSING_INSTABILITY as the definitions quote them (tests/unit/test_cli_startup.py
#: checks they agree)
CU_REFERENCE_CF = 0.409412948
MISSING_INSTABILITY = 0.5
DEFINITIONS = {
    "hhi": "concentration of world mine production: the sum of the producing countries' squared shares (0-1; "
           "World Mining Data)",
    "import_risk": "imports from each supplier (tonnes) times its political instability, summed, over domestic "
                   "mine production plus imports (0-1)",
    "instability": f"WGI political stability PV rescaled to (2.5 - PV) / 5, clipped to 0 (stable) .. 1; "
                   f"{MISSING_INSTABILITY} where a supplier has no score; 0 for the importer itself",
    "score": "GeoPolRisk score = HHI x import risk (0-1)",
    "characterisation_factor": f"score x price / {CU_REFERENCE_CF} (copper's average factor): kg Cu-eq per kg",
    "price": "the country's average import unit value, US$ per kg (BACI rows reporting tonnes)",
    "russia_production_share": "Russia's share of world mine production (likewise China's)",
    "russia_import_share": "Russia's share of the country's imports, by tonnes (likewise China's)",
    "russia_coverage": "Russia's exports of the material's HS6 codes to all countries over the country's imports, "
                       "capped at 100 %: how much of them Russia alone could supply",
}
UNITS = {"hhi": "0-1", "import_risk": "0-1", "score": "0-1", "characterisation_factor": "kg Cu-eq/kg",
         "price": "US$/kg", "imports_t": "t", "production_t": "t", "shares": "fraction 0-1"}


def load_world(data_dir: Path | None = None, cache_dir: Path | None = None) -> World:
    """The real World (:func:`geoshift.world.load_world`, imported when first called)."""
    from geoshift.world import load_world as load

    return load(data_dir=data_dir, cache_dir=cache_dir)


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")


def _pct(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return "100%" if value >= 0.9995 else f"{100 * value:.1f}%"


def _sig(value: float | None) -> str:
    """Compact: thousands separators from 1,000, four significant digits down to 0.001, then a power of ten."""
    if value is None or math.isnan(value):
        return "–"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 1 or size == 0:
        return f"{value:.4g}"
    return f"{value:.4f}" if size >= 0.001 else f"{value:.1e}"


def _tonnes(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3g}"


def load_mineral_shocks(path: Path) -> tuple[MineralShockLike, ...]:
    """The ``minerals:`` list of a scenario file; errors name the file, the line and the field. Once the scenario
    spec has a ``minerals`` field, the whole file is loaded by it (``extends`` resolved); until then the list is
    read here and the file's other keys are left alone."""
    from pydantic import ValidationError

    from geoshift.scenario.minerals import MineralShock
    from geoshift.scenario.spec import Scenario, load_scenario
    from geoshift.scenario.yamlio import line_of, parse_yaml, path_text, read_text

    source = str(path)
    missing = ScenarioError(f"{source}: no 'minerals:' list; write e.g. minerals: [{{material: graphite, "
                            f"importer: USA, close: [CHN]}}]")
    if "minerals" in Scenario.model_fields:
        found: Sequence[MineralShockLike] = getattr(load_scenario(path), "minerals", ())
        if not found:
            raise missing
        return tuple(found)
    raw, tree = parse_yaml(read_text(path, "scenario"), source)
    if not isinstance(raw, dict) or "minerals" not in raw:
        raise missing
    items = raw["minerals"]
    if not isinstance(items, list) or not items:
        raise ScenarioError(f"{source}:{line_of(tree, ('minerals',))}: minerals: give a list of shocks, e.g. "
                            f"[{{material: palladium, importer: USA, open: {{RUS: 0.3}}}}]")
    shocks: list[MineralShockLike] = []
    for n, item in enumerate(items):
        try:
            shocks.append(MineralShock.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            loc: tuple[int | str, ...] = ("minerals", n, *(k for k in error["loc"] if isinstance(k, str | int)))
            kind = error["type"]
            if kind == "extra_forbidden":
                message = (f"unknown key {str(loc[-1])!r}; allowed: "
                           f"{', '.join(MineralShock.model_fields)}")
            elif kind == "missing":
                message = f"missing required key {str(loc[-1])!r}"
            elif kind == "value_error" and "ctx" in error:
                message = str(error["ctx"]["error"])
            else:
                message = str(error["msg"])
            raise ScenarioError(f"{source}:{line_of(tree, loc)}: {path_text(loc)}: {message}") from None
    return tuple(shocks)


def _risk_row(r: SupplyRisk) -> list[str]:
    return [r.material, f"{r.hhi:.3f}", f"{r.import_risk:.3f}", f"{r.score:.4f}",
            _sig(r.characterisation_factor), _sig(r.price), _tonnes(r.imports_t),
            _pct(r.russia_production_share), _pct(r.china_production_share), _pct(r.russia_import_share),
            _pct(r.china_import_share), _pct(r.russia_coverage)]


def _show_table(table: RiskTable) -> None:
    grid = Table(title=f"{table.country}: critical-minerals supply risk, {table.year} (GeoPolRisk), highest "
                       f"score first", box=box.SIMPLE_HEAD)
    for column in ("material", "HHI", "import\nrisk", "score", "CF kg\nCu-eq/kg", "price\nUS$/kg", "imports\nt",
                   "RUS\nprod", "CHN\nprod", "RUS\nimp", "CHN\nimp", "RUS\ncover"):
        grid.add_column(column, justify="left" if column == "material" else "right", no_wrap=True)
    for r in table.risks:
        grid.add_row(*_risk_row(r))
    out.print(grid)
    for key in ("hhi", "import_risk", "instability", "score", "characterisation_factor", "price",
                "russia_production_share", "russia_import_share", "russia_coverage"):
        out.print(f"[dim]{key}: {escape(DEFINITIONS[key])}[/]", highlight=False)
    for material, why in table.skipped:
        out.print(f"[dim]not computed: {material}: {escape(why)}[/]", highlight=False)


def _arrow(before: str, after: str) -> str:
    return f"{before}→{after}"


def _show_outcomes(outcomes: Sequence[ShockOutcome]) -> None:
    grid = Table(title="Scenario: mineral sourcing shocks (before→after)", box=box.SIMPLE_HEAD)
    for column in ("material", "shock", "moved\nt", "import\nrisk", "score", "CF kg\nCu-eq/kg",
                   "RUS\nimp", "CHN\nimp"):
        grid.add_column(column, justify="left" if column in ("material", "shock") else "right",
                        no_wrap=column != "shock", min_width=14 if column == "shock" else None)
    for o in outcomes:
        b, a, r = o.before, o.after, o.reallocation
        grid.add_row(o.material, escape(o.text.split(": ", 1)[1]), _tonnes(r.moved_t + r.displaced_t),
                     _arrow(f"{b.import_risk:.3f}", f"{a.import_risk:.3f}"),
                     _arrow(f"{b.score:.4f}", f"{a.score:.4f}"),
                     _arrow(_sig(b.characterisation_factor), _sig(a.characterisation_factor)),
                     _arrow(_pct(b.russia_import_share), _pct(a.russia_import_share)),
                     _arrow(_pct(b.china_import_share), _pct(a.china_import_share)))
    out.print(grid)
    for o in outcomes:
        for note in (*o.reallocation.notes, *(n for n in o.after.notes if n not in o.reallocation.notes)):
            out.print(f"[dim]{escape(o.material)}: {escape(note)}[/]", highlight=False)
        if o.reallocation.capped:
            out.print(f"[dim]{escape(o.material)}: at their cap (mine production or world exports): "
                      f"{', '.join(o.reallocation.capped)}[/]", highlight=False)


def _materials(items: Sequence[str] | None) -> list[str] | None:
    if not items:
        return None
    from geoshift.engines.minerals.risk import resolve_material

    names = [part.strip() for item in items for part in item.split(",") if part.strip()]
    return [resolve_material(name).key for name in names]


def minerals(world: World, country: str, materials: Sequence[str] | None, year: int | None,
             scenario_file: Path | None) -> tuple[RiskTable, list[ShockOutcome], list[str]]:
    """The command's work without the printing: the risk table, the scenario's outcomes and notes."""
    from geoshift.data.countries import resolve_country
    from geoshift.engines.minerals.risk import apply_shock, resolve_material, risk_table

    shocks = load_mineral_shocks(scenario_file) if scenario_file is not None else ()
    chosen = _materials(materials)
    table = risk_table(world, country, year, chosen)
    outcomes: list[ShockOutcome] = []
    notes: list[str] = []
    for shock in shocks:
        importer = resolve_country(shock.importer, world.baci_countries, field="importer")
        material = resolve_material(shock.material).key
        if importer != table.country or (chosen and material not in chosen):
            notes.append(f"scenario shock on {importer} {material} is not for this table: skipped")
            continue
        outcomes.append(apply_shock(world, shock, shock.year or table.year))
    if shocks and not outcomes:
        notes.append(f"the scenario has no mineral shock for {table.country}"
                     + (f" and {', '.join(chosen)}" if chosen else ""))
    return table, outcomes, notes


def register(app: typer.Typer, *, load: Callable[[], World] | None = None) -> None:
    """Add ``minerals`` to ``app``; ``load`` gives the World (default: :func:`load_world` on the default folders)."""

    @app.command("minerals")
    def minerals_command(
        country: Annotated[str, typer.Argument(help="Importing country (ISO3, ISO2 or a name), e.g. USA.")],
        material: Annotated[list[str] | None, typer.Option("--material", "-m", help="Material(s), e.g. graphite "
                                                           "or rare_earths (repeat or comma-separate); "
                                                           "default: all.")] = None,
        year: Annotated[int | None, typer.Option(help="Year (2018-2024: mine production and BACI trade; default: "
                                                 "the latest).")] = None,
        scenario_file: Annotated[Path | None, typer.Option("--scenario", help="Scenario YAML with a 'minerals:' "
                                                           "list of sourcing shocks (close / open suppliers).")]
        = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (suppliers included).")] = False,
    ) -> None:
        """Critical-minerals supply risk (GeoPolRisk): HHI, import risk, score and characterisation factor per
        material, Russia's and China's shares, and how much of the imports Russia could cover."""
        try:
            if scenario_file is not None and not scenario_file.is_file():
                raise ScenarioError(f"scenario file {scenario_file} does not exist")
            if material:
                _materials(material)  # an unknown material is an error before the World is loaded
            world = (load or load_world)()
            table, outcomes, notes = minerals(world, country, material, year, scenario_file)
        except GeoshiftError as exc:
            Console(stderr=True).print(f"[red]geoshift: error:[/] {exc}", soft_wrap=True, highlight=False)
            raise typer.Exit(2) from None
        if as_json:
            _print_json({"country": table.country, "year": table.year, "definitions": DEFINITIONS,
                         "units": UNITS, "minerals": [r.to_dict() for r in table.risks],
                         "skipped": [{"material": m, "why": why} for m, why in table.skipped],
                         "scenario": [o.to_dict() for o in outcomes], "notes": notes})
            return
        _show_table(table)
        if outcomes:
            _show_outcomes(outcomes)
        for note in notes:
            out.print(f"[dim]{escape(note)}[/]", highlight=False)
