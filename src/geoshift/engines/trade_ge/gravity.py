"""One-sector structural gravity: exact hat algebra (Dekle, Eaton & Kortum 2008; Yotov et al. 2016).

Baseline flows ``X[i, j]`` (exporter i, importer j, domestic sales on the diagonal), output ``Y_i = sum_j X_ij``,
expenditure ``E_j = sum_i X_ij``, deficits ``D_j = E_j - Y_j`` held fixed, shares ``pi_ij = X_ij / E_j``.
For trade-cost changes ``tau_hat`` (inf = embargo) the new equilibrium solves

    pi'_ij = pi_ij (w_i tau_ij)^-theta / Phi_j,   Phi_j = sum_k pi_kj (w_k tau_kj)^-theta,
    w_i Y_i = sum_j pi'_ij E'_j,                  E'_j = w_j Y_j + D_j,

with world output as numéraire (sum_i w_i Y_i = sum_i Y_i). Price index ``P_j = Phi_j^(-1/theta)``; real income
is real expenditure ``(E'_j / E_j) / P_j`` (= ``w_j / P_j`` under balanced trade).

The solver iterates ``w_i <- w_i (demand_i / supply_i)^(1 / (1 + theta))`` -- the exact solution for ``w_i``
holding every other price fixed -- with Anderson acceleration on ``log w``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from geoshift.engines.trade_ge import validate
from geoshift.engines.trade_ge.anderson import anderson
from geoshift.engines.trade_ge.results import GravityResult
from geoshift.errors import ConvergenceError, InputError

DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 2_000


def _shock_weights(pi: np.ndarray, tau: np.ndarray, theta: float) -> np.ndarray:
    """``pi * tau^-theta`` with embargoes (``tau = inf``) giving exact zeros."""
    with np.errstate(divide="ignore", over="ignore"):
        weights = pi * np.where(np.isinf(tau), 0.0, tau ** (-theta))
    return np.where(np.isinf(tau), 0.0, weights)


def solve_gravity(
    X: np.ndarray,
    tau_hat: np.ndarray,
    theta: float,
    *,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    w0: np.ndarray | None = None,
    raise_on_failure: bool = True,
    anderson_memory: int = 6,
) -> GravityResult:
    """Counterfactual equilibrium of the one-sector gravity model; see the module docstring.

    ``w0``: warm start for ``w_hat``; ``anderson_memory``: iterates mixed by the accelerator (0 = plain
    iteration). With ``raise_on_failure`` (default) a solve that misses ``tol`` raises
    :class:`ConvergenceError` (its ``result`` attribute holds the raw result).
    """
    start = time.perf_counter()
    X = validate.flows(X)
    N = X.shape[0]
    tau = validate.tau_hat(tau_hat, (N, N))
    th = float(validate.theta(theta))
    Y = X.sum(axis=1)
    E = X.sum(axis=0)
    for name, totals in (("output (row sums)", Y), ("expenditure (column sums)", E)):
        if np.any(totals <= 0):
            raise InputError(f"X: country {int(np.argmax(totals <= 0))} has zero {name}; every country needs both")
    D = E - Y
    pi = X / E[None, :]
    B = _shock_weights(pi, tau, th)
    no_source = B.sum(axis=0) <= 0
    if no_source.any():
        raise InputError(f"tau_hat leaves importer {int(np.argmax(no_source))} with no source at all")
    foreign = B * (1.0 - np.eye(N))
    validate.trade_balance_feasible(foreign.sum(axis=1) > 0, foreign.sum(axis=0) > 0, D, Y)
    world_output = Y.sum()

    def prices(log_w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        A = np.exp(-th * log_w)
        Phi = A @ B  # Phi_j = sum_k B_kj A_k
        return A, Phi

    def g(log_w: np.ndarray) -> tuple[np.ndarray, float]:
        w = np.exp(log_w)
        A, Phi = prices(log_w)
        E_new = w * Y + D
        if np.any(E_new <= 0) or np.any(Phi <= 0):
            return log_w, np.inf
        demand = A * (B @ (E_new / Phi))
        excess = demand / (w * Y)
        step = np.log(excess) / (1.0 + th)
        log_new = log_w + step
        log_new -= np.log(np.exp(log_new) @ Y / world_output)
        return log_new, float(np.max(np.abs(excess - 1.0)))

    x0 = np.zeros(N) if w0 is None else np.log(np.asarray(w0, dtype=np.float64))
    outcome = anderson(g, x0, tol=tol, max_iter=max_iter, max_step=2.0,
                       memory=anderson_memory)
    # the accelerator returns a mixed iterate; under balanced trade the residual cannot see the price level, so
    # put it back on the numéraire (world output unchanged) exactly
    log_w = outcome.x - np.log(np.exp(outcome.x) @ Y / world_output)
    w = np.exp(log_w)
    A, Phi = prices(log_w)
    E_new = w * Y + D
    pi_new = B * A[:, None] / Phi[None, :]
    P_hat = Phi ** (-1.0 / th)
    result = GravityResult(
        w_hat=w, P_hat=P_hat, real_income_hat=(E_new / E) / P_hat, X_new=pi_new * E_new[None, :],
        pi_new=pi_new, E_new=E_new, converged=outcome.converged, iterations=outcome.iterations,
        residual=outcome.residual, seconds=time.perf_counter() - start,
    )
    if raise_on_failure and not result.converged:
        raise ConvergenceError(
            f"solve_gravity did not converge: residual {result.residual:.3e} > tol {tol:.1e} after "
            f"{result.iterations} iterations (a very large shock with large fixed deficits can make a country's "
            f"expenditure negative); pass raise_on_failure=False for the raw result", result)
    return result


def solve_gravity_batch(
    X: np.ndarray, tau_hats: Sequence[np.ndarray] | np.ndarray, theta: float, **options: object
) -> list[GravityResult]:
    """Solve several shocks on the same baseline, each warm-started from the previous solution."""
    results: list[GravityResult] = []
    for tau in tau_hats:
        w0 = results[-1].w_hat if results and results[-1].converged else None
        results.append(solve_gravity(X, tau, theta, w0=w0, **options))  # type: ignore[arg-type]
    return results
