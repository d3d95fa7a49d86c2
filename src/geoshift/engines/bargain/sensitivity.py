"""How much the forecast depends on the coded values: the model re-run on randomly perturbed inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoshift.engines.bargain.actors import Actors
from geoshift.engines.bargain.model import run_bargaining
from geoshift.errors import InputError


@dataclass(frozen=True, eq=False)
class Sensitivity:
    """Forecasts over ``draws`` perturbed copies of the actors (seeded, reproducible)."""

    spread: float
    draws: int
    seed: int
    median: np.ndarray  # forecast (median voter) per draw
    mean: np.ndarray
    converged: np.ndarray  # bool per draw

    def quantiles(self, q: tuple[float, ...] = (0.05, 0.5, 0.95)) -> dict[str, list[float]]:
        return {"median": [float(v) for v in np.quantile(self.median, q)],
                "mean": [float(v) for v in np.quantile(self.mean, q)]}

    def share_above(self, threshold: float) -> float:
        """Share of draws whose forecast (median voter) lies above ``threshold``."""
        return float((self.median > threshold).mean())


def perturb(actors: Actors, spread: float, rng: np.random.Generator) -> Actors:
    """Capabilities and saliences scaled by U(1 - spread, 1 + spread) (saliences capped at 1), positions moved by
    U(-spread, spread) x span within the original range; fixed risk exponents kept."""
    n = actors.n
    lo, hi = float(actors.position.min()), float(actors.position.max())
    capability = actors.capability * rng.uniform(1 - spread, 1 + spread, n)
    salience = np.clip(actors.salience * rng.uniform(1 - spread, 1 + spread, n), 0.0, 1.0)
    position = np.clip(actors.position + rng.uniform(-spread, spread, n) * (hi - lo), lo, hi)
    if position.max() == position.min():  # vanishingly rare; keep the draw meaningful
        position = np.array(actors.position, dtype=float)
    return actors.with_values(capability=capability, salience=salience, position=position)


def perturbed_forecasts(actors: Actors, *, spread: float = 0.1, draws: int = 200, seed: int = 0,
                        max_rounds: int = 1000, tol: float = 1e-6) -> Sensitivity:
    """Run the model on ``draws`` perturbed copies; non-settling draws are kept (their last round) and counted."""
    if not 0 < spread < 1:
        raise InputError(f"spread={spread}: give a relative perturbation in (0, 1), e.g. 0.1 for +/-10 %")
    if draws < 1:
        raise InputError(f"draws={draws}: give at least 1 draw")
    rng = np.random.default_rng(seed)
    median, mean, converged = np.empty(draws), np.empty(draws), np.empty(draws, dtype=bool)
    for k in range(draws):
        result = run_bargaining(perturb(actors, spread, rng), max_rounds=max_rounds, tol=tol,
                                raise_on_failure=False)
        median[k], mean[k], converged[k] = result.median, result.mean, result.converged
    return Sensitivity(spread, draws, seed, median, mean, converged)
