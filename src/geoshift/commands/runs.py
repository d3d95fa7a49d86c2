"""``geoshift run``, ``geoshift ensemble``, ``geoshift runs list | show`` and ``geoshift compare``: scenarios solved
and recorded in the results store, and what the store holds. Each command's payload and tables come from functions
the web API can call too (:func:`run_summary`, :func:`show_payload`, :func:`compare_frame`...)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from html import escape as html_escape
from pathlib import Path
from typing import Any

import pandas as pd
from rich import box
from rich.table import Table

from geoshift.commands import check as check_command
from geoshift.commands.common import (
    check_out_folder,
    err,
    out,
    place_text,
    print_json,
    progress_bar,
    real_income,
    step_callback,
    store,
)
from geoshift.errors import InputError
from geoshift.report.export import ExportTargets, check_export_paths, export
from geoshift.report.html import write_report
from geoshift.results.frames import metrics_frame, place_name, sector_label
from geoshift.results.records import KEY_COUNTRIES, RunRecord
from geoshift.results.run import Results, Runner
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import shipped_claims, shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.scenario.uncertainty import UncertaintySettings
from geoshift.world import World

HEADLINE_METRICS = ("real_income_change_pct", "bilateral_trade_change_pct")
COMPARE_KEYS = ["metric", "country", "partner", "sector"]


def backend_options(name: str, scheduler: str | None) -> dict[str, Any]:
    """Runner keywords for ``--backend`` (the backends module imports Dask only when asked for)."""
    from geoshift.results.backends import backend_for

    return {"backend": backend_for(name, scheduler), "backend_name": name}


def runs_frame(records: Sequence[RunRecord], reused: Sequence[bool] | None = None) -> pd.DataFrame:
    """One row per run: id, scenario, kind, hash, created, solver state and the WORLD real-income change (%)."""
    rows = []
    for n, r in enumerate(records):
        income = real_income(r) if r.kind in ("scenario", "outcome") else {}
        rows.append({"run_id": r.run_id, "scenario": r.name, "kind": r.kind, "scenario_hash": r.scenario_hash,
                     "created": r.created, "reused": None if reused is None else bool(reused[n]),
                     "converged": r.diagnostics.get("converged"), "iterations": r.diagnostics.get("iterations"),
                     "residual": r.diagnostics.get("residual"),
                     "world_real_income_change_pct": income.get("WORLD")})
    return pd.DataFrame(rows)


def records_metrics(records: Sequence[RunRecord], world: World | None = None) -> pd.DataFrame:
    names = dict(zip(world.sectors, world.sector_names, strict=True)) if world is not None else None
    return pd.concat([metrics_frame(r, sector_names=names) for r in records], ignore_index=True)


# -- geoshift run --------------------------------------------------------------------------------------------


def sensitivity(record: RunRecord) -> dict[str, dict[str, float]]:
    """country -> {"SECTOR low|high": real income change %} from a run's sensitivity metrics."""
    found: dict[str, dict[str, float]] = {}
    for bound in ("low", "high"):
        rows = record.metric(f"real_income_change_pct_theta_{bound}")
        for country, sector, value in zip(rows["country"], rows["sector"], rows["value"], strict=True):
            found.setdefault(str(country), {})[f"{sector} {bound}"] = float(value)
    return found


def _sensitivity_line(record: RunRecord, country: str = "RUS") -> str | None:
    values = sensitivity(record).get(country)
    central = real_income(record).get(country)
    if not values or central is None:
        return None
    worst = max(values, key=lambda k: abs(values[k] - central))
    if abs(values[worst] - central) < 5e-4:
        return None
    sector, _, bound = worst.rpartition(" ")
    text = (f"{record.name}: {country} {central:+.3f} %, {min(values.values()):+.3f} to {max(values.values()):+.3f} % "
            f"at the ends of the tested elasticity ranges (largest move: {sector} ({sector_label(sector)}) {bound} "
            f"end, {values[worst]:+.3f} %)")
    low, high = (record.metric(f"real_income_change_pct_{q}").set_index("country")["value"] for q in ("q05", "q95"))
    if country in low.index and country in high.index:
        drivers = record.metric("sensitivity_index_first_order")
        drivers = drivers[drivers["country"] == country].sort_values("value", ascending=False)
        draws = record.diagnostics.get("ensemble", {}).get("draws", "?")
        text += (f"; 5-95 % over {draws} draws of all elasticities: [{low[country]:+.3f}, {high[country]:+.3f}]"
                 + (f", driven by {sector_label(str(drivers['sector'].iloc[0]))} (index "
                    f"{drivers['value'].iloc[0]:.2f})" if len(drivers) else ""))
    return text


def evidence_sections(world: World) -> dict[str, tuple[str, str]]:
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


def latest_strategy_runs(runs: RunStore) -> list[RunRecord]:
    """The latest stored run of each game and bargaining problem, newest first."""
    latest: dict[tuple[str, str], RunRecord] = {}
    for record in sorted(runs.list(), key=lambda r: r.created, reverse=True):
        if record.kind in ("game", "bargain") and (record.kind, record.name) not in latest:
            latest[(record.kind, record.name)] = record
    return list(latest.values())


def run_summary(results: Sequence[Results]) -> list[dict[str, Any]]:
    """``geoshift run --json``'s ``runs`` list."""
    return [{"run_id": r.record.run_id, "name": r.record.name, "scenario_hash": r.record.scenario_hash,
             "reused": r.reused, "diagnostics": r.record.diagnostics,
             "real_income_change_pct": real_income(r.record),
             "real_income_change_pct_by_elasticity": sensitivity(r.record)} for r in results]


def run_main(load: Callable[[], World], files: list[Path] | None, *, out_dir: Path, force: bool,
             store_path: Path | None, report: bool, as_json: bool, draws: int | None, seed: int | None, backend: str,
             scheduler: str | None, claims: bool, targets: ExportTargets) -> None:
    if report:
        check_out_folder(out_dir)
    check_export_paths(targets)
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
    world = load()
    runner = Runner(world, store(store_path), draws=draws, seed=seed, **backend_options(backend, scheduler))
    for scenario in scenarios:
        runner.prepare(scenario)
    results = []
    with progress_bar("Solving scenarios", len(scenarios)) as (bar, task):
        for scenario in scenarios:
            bar.update(task, description=f"Solving {scenario.name}")
            results.append(runner.run(scenario, force=force))
            bar.advance(task)
    records = [r.record for r in results]
    checked: list[Any] = []
    claims_page = None
    if not files and claims:  # the main job: the shipped scenarios, then the shipped claims they bear on
        checked, evidence = check_command.run_check(world, shipped_claims(), draws=draws, store=runner.store,
                                                    out_dir=out_dir if report else None, console=err)
        claims_page = evidence.name if evidence is not None else None
    report_path = None
    if report:
        strategy = latest_strategy_runs(store(store_path))
        pages = {r.run_id: page for r in strategy if (out_dir / (page := f"{r.kind}-{r.name}.html")).is_file()}
        report_path = write_report(records, out_dir / "report.html", world_summary=world.summary(),
                                   title="geoshift: realignment scenarios", strategy=strategy, pages=pages,
                                   claims_page=claims_page, extra=evidence_sections(world))
    export(targets, lambda: {"runs": runs_frame(records, [r.reused for r in results]),
                             "metrics": records_metrics(records, world),
                             **({"claims": check_command.claims_frame(checked)} if checked else {})})
    if as_json:
        print_json({"report": str(report_path) if report_path else None, "runs": run_summary(results),
                    "claims": [c.to_dict() for c in checked], "evidence_page": claims_page})
        return
    table = Table(title="Real income, % change vs the baseline World", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, padding=(0, 1))
    table.add_column("scenario", no_wrap=True, max_width=22, overflow="ellipsis")
    for column in ("WORLD", *KEY_COUNTRIES):
        table.add_column(column, justify="right", no_wrap=True, min_width=6)
    for r in results:
        values = real_income(r.record)
        table.add_row(r.record.name, *[f"{values[c]:+.3f}" if c in values else "–" for c in ("WORLD", *KEY_COUNTRIES)])
    out.print(table)
    out.print("[dim]" + "; ".join(place_text(c) for c in KEY_COUNTRIES) + "[/]")
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


# -- geoshift ensemble ---------------------------------------------------------------------------------------


def ensemble_summary(record: RunRecord) -> dict[str, Any]:
    """Quantiles, sign shares and drivers of a run's ensemble, by headline row."""
    found: dict[str, Any] = {}
    q = {level: dict(zip(rows["country"], rows["value"], strict=True))
         for level in ("q05", "q50", "q95") if len(rows := record.metric(f"real_income_change_pct_{level}"))}
    share = record.metric("real_income_sign_share").set_index("country")["value"]
    drivers = record.metric("sensitivity_index_first_order")
    central = real_income(record)
    for country in q.get("q50", {}):
        mine = drivers[drivers["country"] == country].sort_values("value", ascending=False).head(5)
        found[country] = {"central": central.get(country), "q05": q["q05"][country], "q50": q["q50"][country],
                          "q95": q["q95"][country], "sign_share": float(share[country]),
                          "drivers": dict(zip(mine["sector"], mine["value"].astype(float), strict=True))}
    return found


def headline_frame(summary: dict[str, Any]) -> pd.DataFrame:
    """The ensemble's headline rows, labelled: country, name, central and 5/50/95 % (real income, %)."""
    return pd.DataFrame([{"country": c, "country_name": place_name(c), "metric": "real_income_change_pct",
                          "unit": "%", "central": row["central"], "q05": row["q05"], "q50": row["q50"],
                          "q95": row["q95"], "sign_share": row["sign_share"]} for c, row in summary.items()])


def ensemble_main(load: Callable[[], World], file: Path, *, draws: int | None, seed: int | None, backend: str,
                  scheduler: str | None, default_uncertainty: bool, store_path: Path | None, out_dir: Path,
                  force: bool, as_json: bool, targets: ExportTargets) -> None:
    check_out_folder(out_dir)
    check_export_paths(targets)
    if draws is not None and draws < 2:
        raise InputError(f"--draws {draws}: give at least 2")
    scenario = load_scenario(file)
    if scenario.uncertainty is None:
        if not default_uncertainty:
            raise InputError(f"{file}: the scenario declares no uncertainty; add 'uncertainty: default' (every "
                             f"elasticity over its published range) or pass --default-uncertainty")
        scenario = scenario.model_copy(update={"uncertainty": UncertaintySettings(elasticities={"default": True})})
    world = load()
    n = draws or scenario.uncertainty.draws  # type: ignore[union-attr]
    with progress_bar(f"Solving {n} draws of {scenario.name} ({backend})", None) as (bar, task):
        runner = Runner(world, store(store_path), draws=draws, seed=seed, progress=step_callback(bar, task),
                        **backend_options(backend, scheduler))
        runner.prepare(scenario)
        results = runner.run(scenario, force=force)
    record = results.record
    summary = ensemble_summary(record)
    report = write_report([record], out_dir / f"ensemble-{record.name}.html", world_summary=world.summary(),
                          title=f"geoshift ensemble: {record.name}")
    export(targets, lambda: {"headline": headline_frame(summary), "metrics": records_metrics([record], world)})
    if as_json:
        print_json({"run_id": record.run_id, "name": record.name, "reused": results.reused,
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
    shown = {k.removeprefix("theta.") for row in summary.values() for k in list(row["drivers"])[:3]}
    if shown:
        out.print("[dim]drivers: " + "; ".join(f"{k} = {sector_label(k)}" for k in sorted(shown)) + "[/]",
                  highlight=False)
    out.print(f"[dim]run {record.run_id}{' (from the store)' if results.reused else ''}; {ens.get('seconds', 0):.1f} s "
              f"on backend {ens.get('backend')}; report: {report}[/]")


# -- geoshift runs list | show, geoshift compare -------------------------------------------------------------


def list_payload(records: Sequence[RunRecord]) -> list[dict[str, Any]]:
    return [{"run_id": r.run_id, "kind": r.kind, "name": r.name, "created": r.created,
             "scenario_hash": r.scenario_hash, "code_key": r.code_key, "diagnostics": r.diagnostics}
            for r in records]


def list_main(store_path: Path | None, as_json: bool) -> None:
    runs = store(store_path)
    records = runs.list()
    if as_json:
        print_json(list_payload(records))
        return
    table = Table(title=f"Runs in {runs.path}")
    for column in ("run", "kind", "name", "created", "hash", "code", "converged", "iterations"):
        table.add_column(column)
    for r in records:
        table.add_row(r.run_id, r.kind, r.name, r.created, r.scenario_hash[:12], r.code_key or "–",
                      str(r.diagnostics.get("converged")), str(r.diagnostics.get("iterations")))
    out.print(table)


def show_payload(record: RunRecord) -> dict[str, Any]:
    """``geoshift runs show --json``'s payload."""
    return {"run_id": record.run_id, "name": record.name, "description": record.description,
            "parent": record.parent, "scenario_hash": record.scenario_hash, "created": record.created,
            "data_key": record.data_key, "diagnostics": record.diagnostics, "provenance": record.provenance,
            "spec_yaml": record.spec_yaml, "metrics": record.metrics.to_dict(orient="records")}


def show_main(run_id: str, store_path: Path | None, as_json: bool, targets: ExportTargets) -> None:
    check_export_paths(targets)
    record = store(store_path).get(run_id)
    export(targets, lambda: {"run": runs_frame([record]), "metrics": records_metrics([record])})
    if as_json:
        print_json(show_payload(record))
        return
    out.print(f"[bold]{record.name}[/] run {record.run_id}, {record.created}; hash {record.scenario_hash}")
    out.print(record.description)
    out.print(f"diagnostics: {record.diagnostics}")
    values = real_income(record)
    out.print("real income, % change: " + ", ".join(f"{place_text(c)} {values[c]:+.3f}" for c in ("WORLD",
                                                                                                 *KEY_COUNTRIES)
                                                   if c in values))
    out.print(record.spec_yaml, markup=False, highlight=False)


def compare_frame(a: RunRecord, b: RunRecord, all_metrics: bool = False) -> pd.DataFrame:
    """The metrics of two runs side by side (``value_a``, ``value_b``, ``difference`` = B - A); only the headline
    metrics of the key countries unless ``all_metrics``."""
    merged = a.metrics.merge(b.metrics, on=[*COMPARE_KEYS, "unit"], how="outer", suffixes=("_a", "_b"))
    merged["difference"] = merged["value_b"] - merged["value_a"]
    if not all_metrics:
        headline = merged["metric"].isin(list(HEADLINE_METRICS))
        key = merged["country"].isin(["WORLD", *KEY_COUNTRIES, "EU27"])
        merged = merged[headline & key]
    return merged


def labelled_comparison(a: RunRecord, b: RunRecord, merged: pd.DataFrame) -> pd.DataFrame:
    """The comparison with names next to codes and the runs it compares (the exported table)."""
    frame = merged.reset_index(drop=True)
    names = {
        "country_name": [place_name(c) if isinstance(c, str) else "" for c in frame["country"]],
        "partner_name": [place_name(p) if isinstance(p, str) else "" for p in frame["partner"]],
        "sector_name": [sector_label(s) if isinstance(s, str) else "" for s in frame["sector"]],
    }
    labelled = frame.assign(run_a=a.run_id, scenario_a=a.name, run_b=b.run_id, scenario_b=b.name, **names)
    order = ["run_a", "scenario_a", "run_b", "scenario_b", "metric", "unit", "country", "country_name", "partner",
             "partner_name", "sector", "sector_name", "value_a", "value_b", "difference"]
    return labelled[order + [c for c in labelled.columns if c not in order]]


def compare_main(first: str, second: str, store_path: Path | None, all_metrics: bool, as_json: bool,
                 targets: ExportTargets) -> None:
    check_export_paths(targets)
    runs = store(store_path)
    a, b = runs.get(first), runs.get(second)
    merged = compare_frame(a, b, all_metrics)
    export(targets, lambda: {"comparison": labelled_comparison(a, b, merged)})
    if as_json:
        print_json({"a": {"run_id": a.run_id, "name": a.name}, "b": {"run_id": b.run_id, "name": b.name},
                    "rows": merged.where(merged.notna(), None).to_dict(orient="records")})
        return
    table = Table(title=f"A = {a.name} ({a.run_id})  vs  B = {b.name} ({b.run_id})")
    for column in ("metric", "country", "partner", "sector", "A", "B", "B - A"):
        table.add_column(column, justify="right" if column in ("A", "B", "B - A") else "left",
                         no_wrap=column not in ("country", "partner", "sector"))
    for row in merged.itertuples(index=False):
        table.add_row(str(row.metric), place_text(str(row.country)), place_text(str(row.partner)),
                      _sector_cell(row.sector), f"{row.value_a:+.4f}", f"{row.value_b:+.4f}",
                      f"{row.difference:+.4f}")
    out.print(table)


def _sector_cell(key: Any) -> str:
    from geoshift.commands.common import sector_text

    return sector_text(key) if isinstance(key, str) else str(key)
