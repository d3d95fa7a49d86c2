"""``geoshift centrality``: who is central in world trade, and who moves under a scenario. Every country's score and
rank on network measures of gross trade (PageRank, eigenvector, HITS hubs and authorities) and on value-added
measures through the Leontief inverse (value-added exports and imports, GVC participation, upstreamness); with
``--scenario FILE`` the same on the counterfactual flows of the GE engine, and the change of rank, largest movers
first. Register it with :func:`register`; ``python -m geoshift.commands.centrality centrality ...`` runs it alone."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from geoshift.errors import GeoshiftError, InputError

if TYPE_CHECKING:  # the engine loads numpy, pandas and scipy: imported when the command runs, not with the CLI
    import pandas as pd

    from geoshift.engines.network.centrality import CentralityScores, Measure
    from geoshift.scenario.spec import Scenario
    from geoshift.world import World

out = Console()
err = Console(stderr=True)  # spinners: stdout stays the table or the JSON
ALL = "all"
#: the engine's measure keys (``MEASURE_BY_KEY``), spelled out for the help; tests/unit/test_cli_startup.py checks them
MEASURE_KEYS = ("pagerank", "eigenvector", "hubs", "authorities", "va_exports", "va_imports", "gvc_backward",
                "gvc_forward", "upstreamness")
CHOICES = (*MEASURE_KEYS, ALL)
#: how each unit is shown in the table (factor applied to the stored unit, and the column's unit)
SHOWN = {"share": (100.0, "% of world"), "USD": (1e-9, "US$ bn"), "%": (1.0, "%"), "stages": (1.0, "stages")}
NOTES = ("rank 1 = the highest score; rank change > 0 = the country moved up. Network measures use gross trade "
         "between countries (ICIO 2022, all sectors, intermediate + final, domestic sales left out); value-added "
         "measures derive node-to-node input flows by import proportionality (each sector of a country buys an "
         "input from the origins in the country's proportions).")
SCENARIO_NOTE = ("scenario: the GE engine's counterfactual flows (no ensemble). Input coefficients stay as calibrated "
                 "(Cobb-Douglas); each buyer's intermediate origin shares move with its trade shares; final demand is "
                 "the rest of each flow. Value-added measures are in the counterfactual's units (world value added "
                 "unchanged).")


def load_world(data_dir: Path | None = None, cache_dir: Path | None = None) -> World:
    """The real World (:func:`geoshift.world.load_world`, imported when first called)."""
    from geoshift.world import load_world as load

    return load(data_dir=data_dir, cache_dir=cache_dir)


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")


def _world(ctx: typer.Context, load: Callable[[], World] | None) -> World:
    """The World from ``load`` (the CLI's loader), else the real World with the root command's ``--data-dir`` /
    ``--cache-dir`` where it has them."""
    if load is not None:
        return load()
    params = ctx.find_root().params
    with err.status("Loading the World (first use fetches and parses the data packs)...", spinner="dots"):
        return load_world(data_dir=params.get("data_dir"), cache_dir=params.get("cache_dir"))


def _country(code: str) -> str:
    """``DEU (Germany)``: the code and its name."""
    from geoshift.data.countries import country_name

    name = country_name(code)
    return code if name == code else f"{code} ({escape(name)})"


def _measures(measure: str) -> list[Measure]:
    from geoshift.engines.network.centrality import MEASURE_BY_KEY, MEASURES

    if measure == ALL:
        return list(MEASURES)
    if measure not in MEASURE_BY_KEY:
        raise InputError(f"--measure {measure!r} is not a centrality measure; use one of {' | '.join(CHOICES)}")
    return [MEASURE_BY_KEY[measure]]


def _stored_unit(measure: Measure) -> float:
    """Factor from the engine's values to the measure's unit (US$ million -> US$ for the value-added measures)."""
    from geoshift.engines.network.centrality import ICIO_UNIT_USD

    return ICIO_UNIT_USD if measure.unit == "USD" else 1.0


def _frame(measure: Measure, before: CentralityScores, after: CentralityScores | None) -> pd.DataFrame:
    from geoshift.engines.network.centrality import comparison

    factor = _stored_unit(measure)
    return comparison(before.countries, before.scores[measure.key] * factor,
                      None if after is None else after.scores[measure.key] * factor)


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for record in frame.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for key, value in record.items():
            name = str(key)
            row[name] = int(value) if name.startswith("rank") else str(value) if name == "country" else float(value)
        rows.append(row)
    return rows


def _show(measure: Measure, frame: pd.DataFrame, top: int, scenario: Scenario | None) -> None:
    factor, unit = SHOWN[measure.unit]
    digits = 3 if measure.unit in ("stages", "share") else 2 if measure.unit == "%" else 1
    order = "largest movers first" if scenario is not None else "by rank"
    table = Table(title=f"{measure.label} ({unit}), {order}" + (f": {escape(scenario.name)}" if scenario else ""))
    table.add_column("#", justify="right")
    table.add_column("country")
    table.add_column("baseline", justify="right")
    table.add_column("rank", justify="right")
    if scenario is not None:
        for column in ("scenario", "rank", "rank change", "score change %"):
            table.add_column(column, justify="right")
    for n, row in enumerate(frame.head(top).to_dict(orient="records"), start=1):
        cells = [str(n), _country(str(row["country"])), f"{float(row['score_before']) * factor:,.{digits}f}",
                 str(row["rank_before"])]
        if scenario is not None:
            change = int(row["rank_change"])
            cells += [f"{float(row['score_after']) * factor:,.{digits}f}", str(row["rank_after"]),
                      f"{change:+d}" if change else "0", f"{float(row['score_change_pct']):+.3f}"]
        table.add_row(*cells)
    out.print(table)
    out.print(f"[dim]{escape(measure.definition[0].upper() + measure.definition[1:])}.[/]", highlight=False)


def _solve(world: World, scenario: Scenario) -> CentralityScores:
    from geoshift.engines.network.centrality import scenario_centrality
    from geoshift.results.run import Runner

    with err.status(f"Solving {scenario.name} (GE engine, no ensemble)...", spinner="dots"):
        results = Runner(world, draws=0).run(scenario)
    if results.ge is None:  # a runner without a store always solves; kept for type narrowing
        raise InputError(f"{scenario.name}: the run returned no GE result")
    return scenario_centrality(world, results.ge.X_new)


def _command(load: Callable[[], World] | None) -> Callable[..., None]:
    def centrality_command(
        ctx: typer.Context,
        scenario_file: Annotated[Path | None, typer.Option(
            "--scenario", metavar="FILE", help="Scenario YAML: scores before and after it (solved by the GE engine, "
            "its uncertainty section ignored), largest movers first.")] = None,
        measure: Annotated[str, typer.Option(help=" | ".join(CHOICES))] = ALL,
        top: Annotated[int, typer.Option(help="Countries shown per measure (the JSON lists every country).")] = 10,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every country, values in the stored "
                                                             "units).")] = False,
    ) -> None:
        """Who is central in world trade: score and rank of every country on network measures of gross trade
        (PageRank, eigenvector, HITS hubs and authorities) and on value added through the Leontief inverse
        (value-added exports and imports, GVC participation, upstreamness), before and after a scenario."""
        try:
            _centrality(ctx, load, scenario_file, measure, top, as_json)
        except GeoshiftError as exc:
            Console(stderr=True).print(f"[red]geoshift: error:[/] {escape(str(exc))}", soft_wrap=True,
                                       highlight=False)
            raise typer.Exit(2) from exc

    return centrality_command


def _centrality(ctx: typer.Context, load: Callable[[], World] | None, scenario_file: Path | None, measure: str,
                top: int, as_json: bool) -> None:
    from geoshift.engines.network.centrality import baseline_centrality
    from geoshift.scenario.spec import load_scenario

    measures = _measures(measure)
    if top < 1:
        raise InputError(f"--top {top}: give at least 1")
    scenario = load_scenario(scenario_file) if scenario_file is not None else None  # checked before the World loads
    world = _world(ctx, load)
    before = baseline_centrality(world)
    after = _solve(world, scenario) if scenario is not None else None
    frames = {m.key: _frame(m, before, after) for m in measures}
    if as_json:
        _print_json({
            "scenario": None if scenario is None else scenario.name, "year": world.year,
            "order": "largest movers first" if scenario is not None else "rank",
            "measures": [{"measure": m.key, "metric": m.metric, "unit": m.unit, "label": m.label,
                          "definition": m.definition, "rows": _rows(frames[m.key])} for m in measures],
            "leontief": {"iterations": before.value_added.iterations, "residual": before.value_added.residual,
                         "scenario_residual": None if after is None else after.value_added.residual},
            "notes": [NOTES, *([SCENARIO_NOTE] if scenario is not None else [])],
        })
        return
    for m in measures:
        _show(m, frames[m.key], top, scenario)
    out.print(f"[dim]{escape(NOTES)}[/]", highlight=False)
    if scenario is not None:
        out.print(f"[dim]{escape(SCENARIO_NOTE)}[/]", highlight=False)


def register(app: typer.Typer, *, load: Callable[[], World] | None = None) -> None:
    """Add the ``centrality`` command to ``app``; ``load`` gives the World (the CLI's loader, with its progress;
    default: :func:`load_world` with the root command's ``--data-dir`` / ``--cache-dir`` if it has them)."""
    app.command("centrality")(_command(load))


def main() -> None:
    """Run the command alone (as ``python -m geoshift.commands.centrality centrality ...``)."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        """geoshift commands."""

    register(app)
    app()


if __name__ == "__main__":
    main()
