"""Frozen results of the trade GE engine; every one carries its solver diagnostics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geoshift.engines.diagnostics import Diagnostics


@dataclass(frozen=True, eq=False, kw_only=True)
class _Diagnosed:
    """The diagnostics and warm-start fields shared by solver results (keyword-only, so that each result's own
    fields come first)."""

    converged: bool
    iterations: int
    residual: float
    seconds: float
    state: np.ndarray | None = None  # the solver's unknowns, for warm starts
    tariff_revenue: np.ndarray | None = None  # (N,) tariff revenue collected, baseline units

    @property
    def diagnostics(self) -> Diagnostics:
        return Diagnostics(self.converged, self.iterations, self.residual, self.seconds, engine="trade_ge",
                           status="converged" if self.converged else "not converged")


@dataclass(frozen=True, eq=False)
class GravityResult(_Diagnosed):
    """One-sector exact hat algebra. Hats are new / baseline; levels are in baseline units (numéraire:
    world output unchanged)."""

    w_hat: np.ndarray  # (N,) factory-gate price / income change
    P_hat: np.ndarray  # (N,) price index change
    real_income_hat: np.ndarray  # (N,) real expenditure change (= w_hat / P_hat under balanced trade)
    X_new: np.ndarray  # (N, N) new flows
    pi_new: np.ndarray  # (N, N) new expenditure shares
    E_new: np.ndarray  # (N,) new expenditure


@dataclass(frozen=True, eq=False)
class MultiSectorResult(_Diagnosed):
    """Caliendo–Parro in hat form. Arrays indexed [country] or [country, sector]; ``X_new[exporter, importer,
    sector]`` in baseline units (numéraire: world value added unchanged)."""

    w_hat: np.ndarray  # (N,) wage (value added per unit of factor) change
    P_hat: np.ndarray  # (N, S) sector price index changes
    price_index_hat: np.ndarray  # (N,) consumer price index change (Cobb–Douglas over sectors)
    income_hat: np.ndarray  # (N,) nominal income change (value added + fixed deficit)
    real_income_hat: np.ndarray  # (N,) real income change = income_hat / price_index_hat
    X_new: np.ndarray  # (N, N, S)
    gross_output_hat: np.ndarray  # (N, S)
    value_added_hat: np.ndarray  # (N, S)
    gross_output_new: np.ndarray  # (N, S)
    value_added_new: np.ndarray  # (N, S)

