"""The work of each background job, through the same library calls as the CLI commands: scenarios and ensembles
through the ``Runner`` and the ``RunStore``; energy through the Runner's energy outcome; games through
``build_game``/``solve_game``/``game_map``/``game_ensemble``; bargaining through ``run_bargaining`` and
``perturbed_forecasts``; claims through ``check_claims``. Requests are checked (and refused with one line) in the
API before a job is queued; a job's work only solves and, at its end, stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from geoshift.claims import check_claims, load_claims
from geoshift.claims.check import ClaimResult
from geoshift.commands.energy import energy_payload
from geoshift.commands.runs import ensemble_summary
from geoshift.engines.bargain import perturbed_forecasts, run_bargaining
from geoshift.engines.bargain.actors import Actors
from geoshift.engines.bargain.summary import result_dict as bargain_result_dict
from geoshift.engines.strategy.alignment import (
    GameSpec,
    build_game,
    economic_payoffs_from,
    game_ensemble,
    game_map,
    result_dict,
    solve_game,
)
from geoshift.report.claims import render_evidence_page
from geoshift.results.codekey import code_key
from geoshift.results.records import RunRecord
from geoshift.results.run import Results, Runner
from geoshift.results.store import RunStore
from geoshift.results.strategy import bargain_record, game_record
from geoshift.scenario.shipped import shipped_claims
from geoshift.scenario.spec import Scenario
from geoshift.web.cache import Cache
from geoshift.web.jobs import JobContext
from geoshift.web.payloads import real_income, real_income_bands
from geoshift.web.scenarios import public_message
from geoshift.world import World

Work = Callable[[JobContext], dict[str, Any]]


class StagedRunner(Runner):
    """The Runner, reusing stored runs, but holding new records until the job commits them (so that a cancelled
    or failed job writes nothing)."""

    def __init__(self, world: World, archive: RunStore, **options: Any) -> None:
        super().__init__(world, None, **options)
        self.archive = archive
        self.pending: list[RunRecord] = []
        self.reused: list[str] = []

    def run(self, scenario: Scenario, *, force: bool = False) -> Results:
        resolved = self.with_overrides(scenario)
        if not force:
            stored = self.archive.find(resolved.content_hash(), self.world.data_key, code_key(), self.kind)
            if stored is not None:
                self.reused.append(stored.run_id)
                return Results(resolved, stored, None, reused=True)
        results = super().run(scenario, force=force)
        self.pending.append(results.record)
        return results

    def commit(self, context: JobContext) -> None:
        """Store every new record in one step, unless the job was cancelled; the job lists every run it used."""
        def save() -> None:
            for record in self.pending:
                self.archive.save(record)

        context.commit(save, [*self.reused, *(r.run_id for r in self.pending)])


def scenario_work(world: World, store: RunStore, scenario: Scenario, *, draws: int | None,
                  seed: int | None) -> Work:
    def work(context: JobContext) -> dict[str, Any]:
        runner = StagedRunner(world, store, draws=draws, seed=seed,
                              progress=steps(context, 0.2, 0.9, f"draws of {scenario.name}", "draws"))
        what = runner.with_overrides(scenario)
        n = what.uncertainty.draws if what.uncertainty is not None else 0
        context.progress(0.1, f"solving {scenario.name}: GE engine, elasticity sensitivity, energy LP"
                         + (f", {n} draws" if n else ""))
        results = runner.run(scenario)
        context.progress(0.95, "storing the run")
        runner.commit(context)
        record = results.record
        return {"run_id": record.run_id, "name": record.name, "reused": results.reused,
                "real_income_change_pct": real_income(record),
                "real_income_change_pct_bands": real_income_bands(record)}

    return work


def ensemble_work(world: World, store: RunStore, scenario: Scenario, *, draws: int | None,
                  seed: int | None) -> Work:
    def work(context: JobContext) -> dict[str, Any]:
        runner = StagedRunner(world, store, draws=draws, seed=seed,
                              progress=steps(context, 0.2, 0.9, f"draws of {scenario.name}", "draws"))
        declared = runner.with_overrides(scenario).uncertainty
        n = declared.draws if declared is not None else 0
        context.progress(0.1, f"solving {n} draws of {scenario.name} (in chunks of 100, in the server's worker)")
        results = runner.run(scenario)
        context.progress(0.95, "storing the run")
        runner.commit(context)
        record = results.record
        return {"run_id": record.run_id, "name": record.name, "reused": results.reused,
                "ensemble": record.diagnostics.get("ensemble"), "headline": ensemble_summary(record)}

    return work


def energy_work(world: World, scenario: Scenario, exporter: str, year: int | None) -> Work:
    """As ``geoshift energy --json`` (the same payload function): the scenario solved by the GE engine and the
    rerouting LP; nothing stored."""
    def work(context: JobContext) -> dict[str, Any]:
        context.progress(0.1, "solving the scenario (GE engine and rerouting LP)")
        return energy_payload(world, scenario, exporter, year)

    return work


def steps(context: JobContext, start: float, end: float, what: str, unit: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback for the engines' loops: the job's progress from ``start`` to ``end``,
    and a cancel checkpoint at every step."""
    def report(done: int, total: int) -> None:
        context.progress(start + (end - start) * done / max(total, 1), f"{what}: {done:,} of {total:,} {unit}")

    return report


def game_work(world: World, store: RunStore, spec: GameSpec, spec_text: str, folder: Path, *,
              overrides: dict[str, float], axes: list[str] | None, n: int, draws: int, seed: int) -> Work:
    def work(context: JobContext) -> dict[str, Any]:
        context.progress(0.05, "building the game: each distinct outcome scenario solved once")
        game = build_game(spec, economic_payoffs_from(Runner(world, kind="outcome")), folder)
        context.progress(0.2, "solving the game: equilibria and trust thresholds")
        solution = solve_game(game, overrides)
        grid = None
        if axes is not None:
            what = f"the pivot map over {axes[0]} x {axes[1]}"
            grid = game_map(game, axes[0], axes[1], n, overrides,
                            progress=steps(context, 0.3, 0.7 if draws else 0.95, what, "cells"))
        ensemble = None
        if draws:
            ensemble = game_ensemble(game, draws, seed=seed, overrides=overrides,
                                     progress=steps(context, 0.7 if axes else 0.3, 0.95,
                                                    "draws of the game's parameters", "draws"))
        result = result_dict(game, solution, grid, ensemble)
        record = game_record(world, spec, spec_text, result, request={"set": overrides, "map": axes, "n": n,
                                                                       "draws": draws, "seed": seed})
        context.progress(0.95, "storing the game")
        context.commit(lambda: store.save(record), [record.run_id])
        return {**result, "run_id": record.run_id}

    return work


def bargain_work(store: RunStore, actors: Actors, name: str, *, overrides: list[str], rounds: int | None,
                 perturb: float, draws: int, seed: int) -> Work:
    def work(context: JobContext) -> dict[str, Any]:
        context.progress(0.1, "playing the bargaining rounds")
        result = run_bargaining(actors, max_rounds=rounds or 1000, raise_on_failure=rounds is None)
        sensitivity = None
        if perturb:
            context.progress(0.4, f"{draws} perturbed runs (±{100 * perturb:.0f} %)")
            sensitivity = perturbed_forecasts(actors, spread=perturb, draws=draws, seed=seed,
                                              max_rounds=rounds or 1000)
        payload = bargain_result_dict(result, sensitivity)
        payload["file"] = f"games/{name}.csv"  # the shipped file, not the server's folder
        record = bargain_record(name, actors.meta.get("issue", ""), actors.text, result, payload,
                                request={"set": overrides, "rounds": rounds})
        context.progress(0.95, "storing the run")
        context.commit(lambda: store.save(record), [record.run_id])
        return {**payload, "run_id": record.run_id}

    return work


def verdict_row(r: ClaimResult) -> dict[str, Any]:
    number = "–" if r.value is None else f"{r.value:.4g} {r.unit} ({r.compare} {r.threshold:.4g})"
    return {"id": r.id, "claim": r.claim, "verdict": r.verdict, "likelihood": r.likelihood or "–", "number": number,
            "flip": public_message(r.flip or r.reason), "value": r.value, "unit": r.unit, "compare": r.compare,
            "threshold": r.threshold, "share": r.share, "draws": r.draws, "where": public_message(r.where),
            "runs": list(r.runs)}


def check_work(world: World, store: RunStore, evidence: Cache, *, draws: int | None) -> Work:
    """As ``geoshift check`` on the shipped claims; the evidence page is kept in memory, served by the API."""
    def work(context: JobContext) -> dict[str, Any]:
        files = [load_claims(path) for path in shipped_claims()]
        total = max(sum(len(f.claims) for f in files), 1)
        runner = StagedRunner(world, store, draws=draws)
        done = [0]

        def progress(what: str) -> None:
            context.progress(0.05 + 0.9 * done[0] / total, f"checking {what}")
            done[0] += 1

        results = check_claims(world, files, runner=runner, draws=draws, progress=progress)
        runner.commit(context)
        page = render_evidence_page(results, title=f"geoshift check: {', '.join(f.name for f in files)}")
        evidence.put(context.job_id, page.encode())
        return {"claims": [verdict_row(r) for r in results],
                "evidence_page": f"/api/v1/jobs/{context.job_id}/evidence"}

    return work
