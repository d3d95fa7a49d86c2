"""Ensembles: a scenario's declared uncertainty drawn (Latin hypercube or Sobol), every draw solved, and the
headline real-income changes summarised as 5/50/95 % quantiles, the share of draws that keep the central sign,
and first-order sensitivity indices (which parameter moves each headline most).

Draws are solved in chunks by ``solve_chunk``, a pure function of picklable inputs, so the same chunks run in this
process, in a local process pool, or on a Dask cluster (``geoshift.results.backends``) with identical results:
every draw is warm-started from the central solution, never from another draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from geoshift.data.groups import group_members
from geoshift.engines.energy.baseline import EnergyBaseline
from geoshift.engines.energy.lp import EnergyOptions, reroute
from geoshift.engines.trade_ge import Calibration, sector_elasticities
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.engines.trade_ge.stacked import solve_multisector_stacked
from geoshift.errors import ConvergenceError
from geoshift.results.records import KEY_COUNTRIES, METRIC_COLUMNS, WORLD
from geoshift.scenario.apply import ShockArrays
from geoshift.scenario.spec import Scenario
from geoshift.scenario.uncertainty import UncertainParameter, draw, elasticity_parameters, first_order_indices
from geoshift.world.world import PROFILE_GROUPS, World

QUANTILES = (0.05, 0.5, 0.95)
CHUNK = 100  # draws per task: scheduling stays a small share of the time

#: told the number of draws of each chunk as it is solved (in any order): progress for long ensembles
ChunkDone = Callable[[int], None]


class Backend(Protocol):
    """Maps ``solve_chunk`` over chunks of draws and returns their results in chunk order, calling ``done`` (if
    given) with each chunk's number of draws as it finishes."""

    def __call__(self, problem: ChunkProblem, chunks: Sequence[np.ndarray],
                 done: ChunkDone | None = None) -> list[np.ndarray]: ...


@dataclass(frozen=True, eq=False)
class ChunkProblem:
    """Everything a worker needs to solve draws: shipped (or scattered) once."""

    cal: Calibration
    tau_hat: np.ndarray
    tariff: np.ndarray | None
    theta: np.ndarray  # central elasticities
    sectors: tuple[int, ...]  # the sector each parameter column sets
    x0: np.ndarray  # the central solution
    weights: np.ndarray  # (H, N) income weights of the headline rows
    tol: float
    max_iter: int


def headline_weights(world_countries: tuple[str, ...], income: np.ndarray, group_year: int) -> tuple[list[str],
                                                                                                 np.ndarray]:
    """The headline rows (key countries, WORLD, EU27) as income-weight vectors over countries."""
    names: list[str] = []
    rows: list[np.ndarray] = []
    for c in KEY_COUNTRIES:
        if c in world_countries:
            w = np.zeros(len(world_countries))
            w[world_countries.index(c)] = 1.0
            names.append(c)
            rows.append(w)
    names.append(WORLD)
    rows.append(income / income.sum())
    members = [world_countries.index(c) for c in group_members("EU27", group_year) if c in world_countries]
    if members:
        w = np.zeros(len(world_countries))
        w[members] = income[members] / income[members].sum()
        names.append("EU27")
        rows.append(w)
    return names, np.vstack(rows)


def headline_values(weights: np.ndarray, result: MultiSectorResult) -> np.ndarray:
    """Real-income change (%) of each headline row."""
    values: np.ndarray = 100.0 * (weights @ result.real_income_hat - 1.0)
    return values


def solve_chunk(problem: ChunkProblem, values: np.ndarray) -> np.ndarray:
    """Headline real-income changes (%) for each row of ``values`` (draws x parameters): ``(n, H)``; the draws are
    solved together (``solve_multisector_stacked``), each warm-started from the central solution."""
    thetas = np.repeat(problem.theta[None, :], values.shape[0], axis=0)
    thetas[:, list(problem.sectors)] = values
    solved = solve_multisector_stacked(problem.cal, problem.tau_hat, thetas, tariff=problem.tariff, tol=problem.tol,
                                       max_iter=problem.max_iter, x0=problem.x0, raise_on_failure=False)
    failed = np.flatnonzero(~solved.converged)
    if failed.size:
        d = int(failed[0])
        raise ConvergenceError(f"draw with elasticities {dict(zip(problem.sectors, values[d].tolist(), strict=True))} "
                               f"did not converge (residual {solved.residual[d]:.2e})", solved.result(d))
    out: np.ndarray = 100.0 * (solved.real_income_hat @ problem.weights.T - 1.0)
    return out


def serial(problem: ChunkProblem, chunks: Sequence[np.ndarray], done: ChunkDone | None = None) -> list[np.ndarray]:
    """Solve the chunks one after the other in this process."""
    out = []
    for chunk in chunks:
        out.append(solve_chunk(problem, chunk))
        if done is not None:
            done(len(chunk))
    return out


@dataclass(frozen=True, eq=False)
class EnsembleResult:
    parameters: tuple[UncertainParameter, ...]
    values: np.ndarray  # (n, k) drawn parameter values
    names: tuple[str, ...]  # headline rows
    central: np.ndarray  # (H,)
    draws: np.ndarray  # (n, H) headline real-income changes, %
    sampler: str
    seed: int
    backend: str
    seconds: float
    notes: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        from geoshift.results.frames import ensemble_repr  # frames imports this module

        return ensemble_repr(self)

    def quantiles(self) -> np.ndarray:
        """(len(QUANTILES), H)."""
        q: np.ndarray = np.quantile(self.draws, QUANTILES, axis=0)
        return q

    def sign_share(self) -> np.ndarray:
        """Share of draws whose change has the central value's sign (1 for a zero central value and zero draws)."""
        central = np.sign(np.round(self.central, 12))
        return np.asarray(np.mean(np.sign(np.round(self.draws, 12)) == central[None, :], axis=0))

    def indices(self) -> np.ndarray:
        """(k, H) first-order sensitivity indices."""
        return np.column_stack([first_order_indices(self.values, self.draws[:, h]) for h in range(len(self.names))])

    def metrics(self) -> pd.DataFrame:
        rows: list[tuple[str, str, str, str, float, str]] = []
        q = self.quantiles()
        share = self.sign_share()
        s = self.indices() if self.parameters else np.zeros((0, len(self.names)))
        for h, name in enumerate(self.names):
            for level, values in zip(("q05", "q50", "q95"), q, strict=True):
                rows.append((f"real_income_change_pct_{level}", name, "", "", float(values[h]), "%"))
            rows.append(("real_income_sign_share", name, "", "", float(share[h]), "share"))
            for k, p in enumerate(self.parameters):
                rows.append(("sensitivity_index_first_order", name, "", p.name, float(s[k, h]), "share"))
            for d in range(self.draws.shape[0]):
                rows.append(("ensemble_draw_real_income_change_pct", name, "", str(d), float(self.draws[d, h]), "%"))
        return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))

    def describe(self) -> dict[str, Any]:
        return {"draws": int(self.draws.shape[0]), "sampler": self.sampler, "seed": self.seed,
                "backend": self.backend, "seconds": self.seconds,
                "distributions": [{"parameter": p.name, **p.distribution.model_dump(exclude_none=True),
                                   "source": p.source} for p in self.parameters]}


def uncertain_parameters(world: World, scenario: Scenario) -> list[UncertainParameter]:
    settings = scenario.uncertainty
    if settings is None:
        return []
    table = sector_elasticities()
    ranges = {code: (float(table.at[code, "theta_low"]), float(table.at[code, "theta_high"]))  # type: ignore[arg-type]
              for code in world.sectors}
    groups = {g: list(world.sectors_in(g)) for g in PROFILE_GROUPS if g != "all"}
    return elasticity_parameters(settings, world.sectors, groups, ranges, scenario.source or scenario.name)


def run_ensemble(world: World, scenario: Scenario, cal: Calibration, arrays: ShockArrays, theta: np.ndarray,
                 central: MultiSectorResult, *, draws: int | None = None, seed: int | None = None,
                 backend: Backend = serial, backend_name: str = "serial",
                 progress: Callable[[int, int], None] | None = None) -> EnsembleResult:
    """Draw the scenario's declared uncertainty and solve every draw (warm-started from ``central``);
    ``progress(done, total)`` is told the draws solved so far as chunks finish."""
    start = time.perf_counter()
    settings = scenario.uncertainty
    if settings is None:
        raise ValueError(f"scenario {scenario.name} declares no uncertainty")
    parameters = uncertain_parameters(world, scenario)
    n = draws if draws is not None else settings.draws
    s = seed if seed is not None else settings.seed
    values = draw(parameters, n, settings.sampler, s)
    names, weights = headline_weights(world.countries, cal.income, scenario.data.group_year)
    problem = ChunkProblem(cal=cal, tau_hat=arrays.tau_hat, tariff=arrays.tariff if arrays.has_tariffs else None,
                           theta=theta, sectors=tuple(world.sectors.index(p.name.removeprefix("theta."))
                                                      for p in parameters),
                           x0=np.asarray(central.state), weights=weights, tol=scenario.engine.tol,
                           max_iter=scenario.engine.max_iter)
    if parameters:
        chunks = [values[i:i + CHUNK] for i in range(0, n, CHUNK)]
        solved_draws = [0]

        def done(draws_in_chunk: int) -> None:
            solved_draws[0] += draws_in_chunk
            if progress is not None:
                progress(solved_draws[0], n)

        solved = backend(problem, chunks, done)
        result = np.vstack(solved) if solved else np.zeros((0, len(names)))
    else:  # nothing the GE engine sees is uncertain: every draw is the central solution
        result = np.tile(headline_values(weights, central), (n, 1))
    notes: tuple[str, ...] = ()
    return EnsembleResult(tuple(parameters), values, tuple(names), headline_values(weights, central), result,
                          settings.sampler, s, backend_name, time.perf_counter() - start, notes)


def energy_ensemble(baseline: EnergyBaseline, options: EnergyOptions, scenario: Scenario, *,
                    draws: int | None = None, seed: int | None = None) -> pd.DataFrame:
    """Metric rows for the energy LP's declared uncertainty (``uncertainty.energy``: ``max_supplier_share``,
    ``discount_scale`` multiplying every discount bracket): the exporter's revenue change (%) at each draw, and its
    5/50/95 % quantiles. Drawn with its own design (seed + 1): the LP does not depend on the elasticities."""
    settings = scenario.uncertainty
    if settings is None or not settings.energy:
        return pd.DataFrame(columns=list(METRIC_COLUMNS))
    params = [UncertainParameter(f"energy.{name}", dist, "scenario file") for name, dist in settings.energy.items()]
    n = draws if draws is not None else settings.draws
    values = draw(params, n, settings.sampler, (seed if seed is not None else settings.seed) + 1)
    before = reroute(baseline, EnergyOptions()).revenue_usd
    changes = np.empty(n)
    for d in range(n):
        update: dict[str, Any] = {}
        for k, p in enumerate(params):
            if p.name == "energy.max_supplier_share":
                update["max_supplier_share"] = float(np.clip(values[d, k], 1e-6, 1.0))
            elif p.name == "energy.discount_scale":
                update["discount"] = tuple((upper, float(np.clip(rate * values[d, k], 0.0, 0.99)))
                                           for upper, rate in options.discount)
        after = reroute(baseline, replace(options, **update)).revenue_usd
        changes[d] = 100.0 * (after / before - 1.0)
    e = baseline.exporter
    rows = [(f"energy_revenue_change_pct_{level}", e, "", "all", float(v), "%")
            for level, v in zip(("q05", "q50", "q95"), np.quantile(changes, QUANTILES), strict=True)]
    rows += [("ensemble_draw_energy_revenue_change_pct", e, "", str(d), float(v), "%") for d, v in enumerate(changes)]
    rows += [("sensitivity_index_first_order", e, "energy_revenue", p.name, float(i), "share")
             for p, i in zip(params, first_order_indices(values, changes), strict=True)]
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
