"""``geoshift game FILE``: the alignment game (payoffs from the GE and energy engines) -- equilibria, trust
thresholds, a parameter map and draws -- and ``geoshift bargain FILE``: a bargaining forecast. Both record a run in
the store and write an HTML report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from rich import box
from rich.table import Table

from geoshift.commands.common import (
    check_out_folder,
    err,
    out,
    place_text,
    print_json,
    progress_bar,
    step_callback,
    store,
)
from geoshift.commands.ge import assignments
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
from geoshift.errors import InputError
from geoshift.report.bargain import write_bargain_report
from geoshift.report.export import ExportTargets, check_export_paths, export
from geoshift.report.game import write_game_report
from geoshift.results.frames import place_name
from geoshift.results.registry import unit_of
from geoshift.results.run import Runner
from geoshift.results.strategy import bargain_record, game_record
from geoshift.scenario.yamlio import read_text
from geoshift.world import World

PAYOFF_UNIT = unit_of("game_payoff")  # the unit the metric registry gives the stored payoffs


def _threshold(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def game_tables(result: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The game's result as labelled tables: payoffs by outcome and player, the equilibria, the map's cells and the
    draws' outcome shares (where asked for)."""
    tables = {
        "payoffs": pd.DataFrame([{"outcome": outcome, "player": p, "player_name": place_name(p), "value": v,
                                  "unit": PAYOFF_UNIT} for outcome, values in result["payoffs"].items()
                                 for p, v in values.items()]),
        "equilibria": pd.DataFrame([{"concept": e.get("concept", ""), "outcome": e.get("outcome", ""),
                                     "player": p, "player_name": place_name(p), "payoff": v, "unit": PAYOFF_UNIT,
                                     "strategy": str(e.get("strategies", {}).get(p, ""))}
                                    for e in result["equilibria"] for p, v in e.get("payoffs", {}).items()]),
        "parameters": pd.DataFrame([{"parameter": k, **{f: v.get(f) for f in ("value", "min", "max",
                                                                               "description")}}
                                    for k, v in result["parameter_table"].items()]),
    }
    grid = result.get("map")
    if grid is not None:
        moves = ("china", "hedge", "west")
        tables["map"] = pd.DataFrame([{"x_parameter": grid["x"], "x": xv, "y_parameter": grid["y"], "y": yv,
                                       "outcome": grid["outcomes"][a][b],
                                       "russia_move_after_deal": moves[grid["russia_moves"][a][b]]}
                                      for a, yv in enumerate(grid["y_values"])
                                      for b, xv in enumerate(grid["x_values"])])
    ensemble = result.get("ensemble")
    if ensemble is not None:
        tables["outcome_shares"] = pd.DataFrame([{"outcome": k, "share": v, "unit": "fraction of draws",
                                                  "draws": ensemble["draws"]}
                                                 for k, v in ensemble["outcome_shares"].items()])
    return tables


def game_main(load: Callable[[], World], file: Path, *, set_values: list[str], map_axes: str | None, n: int,
              draws: int, seed: int, out_dir: Path, store_path: Path | None, as_json: bool,
              targets: ExportTargets) -> None:
    check_out_folder(out_dir)
    check_export_paths(targets)
    spec_text = read_text(file, "game")
    spec = parse_game(spec_text, str(file))
    overrides = assignments(set_values, "--set", "rho=0.3")
    for name in overrides:
        if name not in spec.parameters:
            raise InputError(f"--set {name!r}: not a parameter of {spec.name}; "
                             f"parameters: {', '.join(spec.parameters)}")
    axes = None
    if map_axes is not None:
        axes = [a.strip() for a in map_axes.split(",")]
        if len(axes) != 2:
            raise InputError(f"--map {map_axes!r} must name two parameters, e.g. rho,package")
    world = load()
    game = build_game(spec, economic_payoffs_from(Runner(world, kind="outcome")), file.parent)
    with err.status("Solving the game (each distinct outcome scenario once)...", spinner="dots"):
        solution = solve_game(game, overrides)
    grid = ensemble = None
    if axes:
        with progress_bar(f"Map {axes[0]} x {axes[1]} ({n} x {n} cells)", n * n) as (bar, task):
            grid = game_map(game, axes[0], axes[1], n, overrides, progress=step_callback(bar, task))
    if draws:
        with progress_bar(f"Solving the game at {draws} draws", draws) as (bar, task):
            ensemble = game_ensemble(game, draws, seed=seed, overrides=overrides, progress=step_callback(bar, task))
    result = result_dict(game, solution, grid, ensemble)
    report = write_game_report(result, spec_text, out_dir / f"game-{spec.name}.html")
    record = game_record(world, spec, spec_text, result,
                         request={"set": overrides, "map": axes, "n": n, "draws": draws, "seed": seed})
    store(store_path).save(record)
    export(targets, lambda: game_tables(result))
    if as_json:
        print_json({**result, "report": str(report), "run_id": record.run_id})
        return
    for e in result["spe"]:
        values = ", ".join(f"{place_text(p)} {v:+.3f}" for p, v in e["payoffs"].items())
        ties = f"  [dim](ties at {', '.join(e['ties'])})[/]" if e["ties"] else ""
        out.print(f"[bold]SPE[/]: {e['outcome']}  payoffs ({PAYOFF_UNIT}) {values}{ties}")
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
    for name, value in assignments(items, "--set", "Kremlin.salience=0.8").items():
        actor, dot, column = name.rpartition(".")
        if not dot or not actor.strip():
            raise InputError(f"--set {name}={value:g} must look like ACTOR.FIELD=VALUE, e.g. Kremlin.salience=0.8")
        parsed.append((actor.strip(), column.strip(), value))
    return parsed


def bargain_main(file: Path, *, set_values: list[str], rounds: int | None, perturb: float, draws: int, seed: int,
                 out_dir: Path, store_path: Path | None, as_json: bool) -> None:
    check_out_folder(out_dir)
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
    record = bargain_record(file.stem, actors.meta.get("issue", ""), actors_text, result, payload,
                            request={"set": set_values, "rounds": rounds})
    store(store_path).save(record)
    if as_json:
        print_json({**payload, "report": str(report), "run_id": record.run_id})
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
