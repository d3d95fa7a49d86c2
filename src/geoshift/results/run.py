"""Run scenarios: World + scenario -> engines -> named metrics -> a record in the results store.

A scenario already run on the same data by the same code (same content hash, same World, same package version
and source) is taken from the store unless ``force``; a new run is stored in one transaction, and only after it
converged.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from geoshift.engines.energy.baseline import EnergyBaseline, energy_baseline
from geoshift.engines.energy.from_scenario import energy_options
from geoshift.engines.energy.lp import EnergyOptions
from geoshift.engines.energy.outcome import EnergyOutcome, energy_outcome
from geoshift.engines.network.centrality import centrality_metrics
from geoshift.engines.trade_ge import Calibration, calibrate, remove_deficits, solve_multisector, theta_for
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.results.codekey import code_key
from geoshift.results.ensemble import Backend, energy_ensemble, run_ensemble, serial
from geoshift.results.frames import metrics_frame, record_repr, record_repr_html
from geoshift.results.metrics import compute_metrics, energy_metrics
from geoshift.results.records import RunRecord
from geoshift.results.sensitivity import elasticity_rows, elasticity_sensitivity
from geoshift.results.store import RunStore, default_store_path
from geoshift.scenario.apply import ShockArrays, shock_arrays
from geoshift.scenario.spec import EnergySettings, Scenario
from geoshift.world.world import World


@dataclass(frozen=True, eq=False)
class Results:
    """One scenario's outcome: its record (spec, hash, provenance, diagnostics, metrics) and, when computed in
    this session, the engine result itself."""

    scenario: Scenario
    record: RunRecord
    ge: MultiSectorResult | None = field(default=None, repr=False)
    energy: EnergyOutcome | None = field(default=None, repr=False)
    reused: bool = False

    @property
    def metrics(self) -> pd.DataFrame:
        return self.record.metrics

    @property
    def diagnostics(self) -> dict[str, object]:
        return self.record.diagnostics

    def to_frame(self) -> pd.DataFrame:
        """The run's metrics as a labelled long table: metric meanings and units, country and sector names next to
        their codes, and the ensemble's 5/50/95 % quantiles beside the central value (see
        :func:`geoshift.results.frames.metrics_frame`)."""
        return metrics_frame(self.record)

    def _note(self) -> str:
        return ", reused from the store" if self.reused else ""

    def __repr__(self) -> str:
        return record_repr(self.record, what="Results", note=self._note())

    def _repr_html_(self) -> str:
        return record_repr_html(self.record, what="Results", note=self._note())


class Runner:
    """Runs scenarios on one World, reusing calibrations (and the deficit-free baseline) between them."""

    def __init__(self, world: World, store: RunStore | None = None, *, draws: int | None = None,
                 seed: int | None = None, backend: Backend = serial, backend_name: str = "serial",
                 kind: str = "scenario", progress: Callable[[int, int], None] | None = None) -> None:
        """``draws``/``seed`` override those a scenario's ``uncertainty:`` declares (``draws=0``: no ensemble);
        ``backend`` solves the draws' chunks (serial, a process pool or Dask: identical results); ``kind``
        ``outcome`` (a game's outcome scenarios) skips the evidence metrics (elasticity sensitivity, centrality)
        that only headline scenario runs report, and keys the store on it; ``progress(done, total)`` is told the
        ensemble draws solved so far."""
        if kind not in ("scenario", "outcome"):
            raise ValueError(f"a Runner solves scenario or outcome runs, not {kind!r}")
        self.world = world
        self.store = store
        self.kind = kind
        self.progress = progress
        self.draws, self.seed = draws, seed
        self.backend, self.backend_name = backend, backend_name
        self._calibrations: dict[tuple[str, bytes], Calibration] = {}
        self._energy_baselines: dict[tuple[str, int], EnergyBaseline] = {}

    def energy_year(self, settings: EnergySettings) -> int:
        return settings.year if settings.year is not None else self.world.baci_years[-1]

    def energy_baseline(self, settings: EnergySettings) -> EnergyBaseline:
        key = (settings.exporter, self.energy_year(settings))
        if key not in self._energy_baselines:
            self._energy_baselines[key] = energy_baseline(self.world, *key)
        return self._energy_baselines[key]

    def energy_options(self, scenario: Scenario, arrays: ShockArrays) -> tuple[EnergySettings, EnergyOptions]:
        settings = scenario.energy or EnergySettings()
        return settings, energy_options(self.world, settings, arrays, group_year=scenario.data.group_year)

    def calibration(self, scenario: Scenario, theta: np.ndarray) -> Calibration:
        key = (scenario.engine.deficits, theta.tobytes() if scenario.engine.deficits == "removed" else b"")
        if key not in self._calibrations:
            cal = calibrate(self.world)
            if scenario.engine.deficits == "removed":
                cal = remove_deficits(cal, theta, tol=scenario.engine.tol, max_iter=scenario.engine.max_iter)
            self._calibrations[key] = cal
        return self._calibrations[key]

    def prepare(self, scenario: Scenario) -> None:
        """Check that ``scenario`` applies to the World (selectors, contradictions) without solving it."""
        arrays = shock_arrays(self.world, scenario)
        theta_for(self.world.sectors, scenario.elasticities)
        settings, options = self.energy_options(scenario, arrays)
        from geoshift.engines.energy.lp import check_options

        check_options(options, settings.exporter, self.energy_year(settings))

    def with_overrides(self, scenario: Scenario) -> Scenario:
        """The scenario as this runner solves it: its declared draws and seed, or the runner's overrides."""
        if scenario.uncertainty is None:
            return scenario
        if self.draws == 0:
            return scenario.model_copy(update={"uncertainty": None})
        update = {k: v for k, v in (("draws", self.draws), ("seed", self.seed)) if v is not None}
        return scenario.model_copy(update={"uncertainty": scenario.uncertainty.model_copy(update=update)})

    def run(self, scenario: Scenario, *, force: bool = False) -> Results:
        scenario = self.with_overrides(scenario)
        scenario_hash = scenario.content_hash()
        data_key = self.world.data_key
        if self.store is not None and not force:
            stored = self.store.find(scenario_hash, data_key, code_key(), self.kind)
            if stored is not None:
                return Results(scenario, stored, None, reused=True)
        arrays = shock_arrays(self.world, scenario)
        theta = theta_for(self.world.sectors, scenario.elasticities)
        cal = self.calibration(scenario, theta)
        result = solve_multisector(cal, arrays.tau_hat, theta, tariff=arrays.tariff if arrays.has_tariffs else None,
                                   tol=scenario.engine.tol, max_iter=scenario.engine.max_iter)
        metrics = compute_metrics(self.world, cal, result, group_year=scenario.data.group_year)
        metrics = pd.concat([metrics, elasticity_rows(cal.sectors, theta)], ignore_index=True)
        if self.kind == "scenario":
            sensitivity = elasticity_sensitivity(cal, arrays, theta, result, group_year=scenario.data.group_year,
                                                 tol=scenario.engine.tol, max_iter=scenario.engine.max_iter)
            metrics = pd.concat([metrics, sensitivity, centrality_metrics(self.world, result.X_new)],
                                ignore_index=True)
        ensemble = None
        if scenario.uncertainty is not None:
            ensemble = run_ensemble(self.world, scenario, cal, arrays, theta, result, backend=self.backend,
                                    backend_name=self.backend_name, progress=self.progress)
            metrics = pd.concat([metrics, ensemble.metrics()], ignore_index=True)
        settings, options = self.energy_options(scenario, arrays)
        energy = energy_outcome(self.energy_baseline(settings), options)
        metrics = pd.concat([metrics, energy_metrics(energy)], ignore_index=True)
        if scenario.uncertainty is not None and scenario.uncertainty.energy:
            metrics = pd.concat([metrics, energy_ensemble(self.energy_baseline(settings), options, scenario)],
                                ignore_index=True)
        diagnostics = {**result.diagnostics.to_dict(), "model": scenario.engine.model,
                       "deficits": scenario.engine.deficits,
                       "energy": {**energy.scenario.diagnostics.to_dict(), "lp_seconds": energy.scenario.lp_seconds,
                                  "lp_size": list(energy.scenario.lp_size)},
                       **({"ensemble": ensemble.describe()} if ensemble is not None else {})}
        record = RunRecord(
            run_id=uuid.uuid4().hex[:12], name=scenario.name, description=scenario.description,
            spec_yaml=scenario.to_yaml(), scenario_hash=scenario_hash,
            created=datetime.now(UTC).isoformat(timespec="seconds"), metrics=metrics, diagnostics=diagnostics,
            provenance=[asdict(p) for p in self.world.provenance], parent=scenario.extends, data_key=data_key,
            kind=self.kind, code_key=code_key())
        if self.store is not None:
            self.store.save(record)
        return Results(scenario, record, result, energy)

    def run_many(self, scenarios: Sequence[Scenario], *, force: bool = False,
                 progress: Callable[[Scenario], None] | None = None) -> list[Results]:
        for scenario in scenarios:  # every scenario must apply before any is solved or stored
            self.prepare(scenario)
        out = []
        for scenario in scenarios:
            out.append(self.run(scenario, force=force))
            if progress is not None:
                progress(scenario)
        return out


def configured_store() -> RunStore | None:
    """The results store the environment configures: ``$GEOSHIFT_STORE`` (the CLI's default store, see
    :func:`geoshift.results.store.default_store_path`) when it is set, else None."""
    return RunStore(default_store_path()) if os.environ.get("GEOSHIFT_STORE") else None


def run(scenario: Scenario, world: World | None = None, *, store: RunStore | None = None,
        force: bool = False) -> Results:
    """Run one scenario on ``world`` (default: the real World).

    The run is recorded in ``store`` when given, else in the store ``$GEOSHIFT_STORE`` names when that variable is
    set (the same store ``geoshift run`` writes to), else nowhere. With a store, a run of the same scenario on the
    same World by the same code is taken from it (``force=True`` solves again); such a reused result has
    ``reused=True`` and no engine result (``ge``, ``energy`` are None)."""
    from geoshift.world import load_world

    return Runner(world if world is not None else load_world(), store if store is not None else configured_store()
                  ).run(scenario, force=force)
