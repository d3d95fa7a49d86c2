"""``geoshift energy EXPORTER``: energy-export rerouting for one exporter -- revenue, shut-in volume, the budget
effect and the routes' duals -- beside the GE engine's figure on the same scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from rich.table import Table

from geoshift.analysis.reconcile import GROUPS, Reconciliation, energy_export_totals
from geoshift.commands.common import err, out, place_text, print_json
from geoshift.commands.profile import show_totals, totals_dict
from geoshift.report.export import ExportTargets, check_export_paths, export
from geoshift.results.frames import place_name
from geoshift.results.run import Runner
from geoshift.scenario.spec import EnergySettings, Scenario, load_scenario
from geoshift.world import World


def energy_payload(world: World, scenario: Scenario, exporter: str, year: int | None) -> dict[str, Any]:
    """``geoshift energy --json``'s payload: the outcome, the GE engine's energy-export change and the totals by
    source."""
    data, reconciliation = energy_outcome(world, scenario, exporter, year)
    return {**data, "totals_by_source": totals_dict(reconciliation)}


def energy_outcome(world: World, scenario: Scenario, exporter: str,
                   year: int | None) -> tuple[dict[str, Any], Reconciliation]:
    """The outcome as plain data (with the GE engine's energy-export change) and the totals by source."""
    runner = Runner(world)
    settings = (scenario.energy or EnergySettings()).model_copy(
        update={"exporter": exporter.strip().upper(), **({"year": year} if year is not None else {})})
    scenario = scenario.model_copy(update={"energy": settings})
    runner.prepare(scenario)
    results = runner.run(scenario)
    outcome = results.energy
    assert outcome is not None  # a run in this session carries its energy outcome
    data = outcome.to_dict()
    m = results.metrics
    ge_exports = m[(m["metric"] == "sector_exports_change_pct") & (m["country"] == outcome.exporter)
                   & (m["sector"] == "energy")]["value"]
    data["ge_energy_exports_change_pct"] = float(ge_exports.iloc[0]) if len(ge_exports) else None
    return data, energy_export_totals(world, outcome.exporter, outcome.year)


def energy_tables(data: dict[str, Any], scenario_name: str) -> dict[str, pd.DataFrame]:
    """The outcome as labelled tables: buyers, routes, shut-in volumes, the revenue summary, totals by source."""
    exporter = data["exporter"]
    buyers = pd.DataFrame(data["buyers"], columns=["buyer", "fuel", "unit", "baseline_volume", "volume",
                                                   "baseline_revenue_usd", "revenue_usd", "revenue_change_usd",
                                                   "closed"])
    buyers.insert(1, "buyer_name", [place_name(str(b)) for b in buyers["buyer"]])
    buyers.insert(0, "exporter", exporter)
    routes = pd.DataFrame(data["duals"], columns=["route", "fuel", "capacity", "used", "unit", "value_usd_per_unit"])
    shut_in = pd.DataFrame([{"exporter": exporter, "fuel": fuel, "volume": v["volume"], "unit": v["unit"]}
                            for fuel, v in data["shut_in"].items()])
    summary = pd.DataFrame([{"exporter": exporter, "exporter_name": place_name(exporter), "scenario": scenario_name,
                             "year": data["year"], "quantity": q, "value": data[q], "unit": unit}
                            for q, unit in (("baseline_revenue_usd", "USD"), ("scenario_revenue_usd", "USD"),
                                            ("revenue_change_usd", "USD"), ("revenue_change_pct", "%"),
                                            ("ge_energy_exports_change_pct", "%"))])
    totals = pd.DataFrame([{"source": t["source"], "year": t["year"], "group": g, "value": t["values_usd"][g],
                            "unit": "USD", "coverage": t["coverage"]}
                           for t in data["totals_by_source"]["totals"] for g in GROUPS])
    return {"summary": summary, "buyers": buyers, "routes": routes, "shut_in": shut_in, "totals_by_source": totals}


def energy_main(load: Callable[[], World], exporter: str, *, scenario_file: Path | None, year: int | None, top: int,
                as_json: bool, targets: ExportTargets) -> None:
    check_export_paths(targets)
    scenario = load_scenario(scenario_file) if scenario_file is not None else Scenario(name="no_shock")
    world = load()
    with err.status("Solving the scenario (GE engine and rerouting LP)...", spinner="dots"):  # the CLI's only
        outcome, reconciliation = energy_outcome(world, scenario, exporter, year)
    data = {**outcome, "totals_by_source": totals_dict(reconciliation)}
    export(targets, lambda: energy_tables(data, scenario.name))
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]{place_text(data['exporter'])}[/] energy exports, {data['year']} ({scenario.name}): revenue US$ "
              f"{data['baseline_revenue_usd'] / 1e9:,.2f} bn -> {data['scenario_revenue_usd'] / 1e9:,.2f} bn "
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
        table.add_row(place_text(b["buyer"]), b["fuel"], f"{b['baseline_volume']:.2f}", f"{b['volume']:.2f}",
                      b["unit"], f"{b['revenue_change_usd'] / 1e9:+.2f}", "yes" if b["closed"] else "")
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
    show_totals(reconciliation)
