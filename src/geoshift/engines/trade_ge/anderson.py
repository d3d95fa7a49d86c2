"""Anderson-accelerated fixed-point iteration with safeguards.

Solves ``x = g(x)`` for a map that also reports the residual of its argument (the quantity that must be
zero at the solution, in the caller's natural units). Type-II Anderson mixing over the last ``memory``
iterates; an accelerated step that is non-finite, too long, or followed by a residual much larger than the
best seen so far is dropped in favour of the plain step, and the history restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

FixedPointMap = Callable[[np.ndarray], tuple[np.ndarray, float]]


@dataclass(frozen=True)
class FixedPointOutcome:
    x: np.ndarray
    converged: bool
    iterations: int
    residual: float


def anderson(
    g: FixedPointMap,
    x0: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    memory: int = 6,
    max_step: float = 1.0,
    regularisation: float = 1e-12,
) -> FixedPointOutcome:
    x = np.array(x0, dtype=np.float64)
    g_hist: list[np.ndarray] = []
    f_hist: list[np.ndarray] = []
    best_x, best_res = x, np.inf
    res = np.inf
    for iteration in range(max_iter + 1):
        gx, res = g(x)
        if not np.isfinite(res):
            if not g_hist:
                return FixedPointOutcome(best_x, False, iteration, float(res))
            # the accelerated step left the domain: go back to the best point, plain iteration from there
            g_hist.clear()
            f_hist.clear()
            x = best_x
            continue
        if res < best_res:
            best_x, best_res = x, res
        if res <= tol:
            return FixedPointOutcome(x, True, iteration, float(res))
        if iteration == max_iter:
            break
        if res > 1e3 * best_res and g_hist:
            g_hist.clear()
            f_hist.clear()
        f = gx - x
        g_hist.append(gx)
        f_hist.append(f)
        if len(g_hist) > memory + 1:
            g_hist.pop(0)
            f_hist.pop(0)
        x_next = gx
        if len(f_hist) > 1:
            dF = np.diff(np.asarray(f_hist), axis=0)  # (m, n)
            dG = np.diff(np.asarray(g_hist), axis=0)
            gram = dF @ dF.T
            gram[np.diag_indices_from(gram)] += regularisation * max(float(np.trace(gram)), 1e-300)
            try:
                weights = np.linalg.solve(gram, dF @ f)
            except np.linalg.LinAlgError:
                weights = None
            if weights is not None:
                candidate = gx - weights @ dG
                step = float(np.max(np.abs(candidate - x))) if candidate.size else 0.0
                if np.all(np.isfinite(candidate)) and step <= max_step:
                    x_next = candidate
                else:
                    g_hist[:] = g_hist[-1:]
                    f_hist[:] = f_hist[-1:]
        x = x_next
    return FixedPointOutcome(best_x, False, max_iter, float(best_res))
