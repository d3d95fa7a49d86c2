"""Anderson-accelerated fixed-point iteration with safeguards.

Solves ``x = g(x)`` for a map that also reports the residual of its argument (the quantity that must be
zero at the solution, in the caller's natural units). Type-II Anderson mixing over the last ``memory``
differences of iterates, kept in a ring buffer (the least-squares problem does not depend on their order).
With ``kept_gram`` their Gram matrix is kept too: a new difference adds one row (its products with the stored
ones) instead of the whole matrix being formed again each iteration (a fifth of a solve of the 80 x 50 ICIO);
the matrix is the same up to rounding, so the iterates agree to rounding, not bit for bit. An accelerated
step that is non-finite or too long is replaced by the plain step and the history restarts; a map that leaves
its domain (non-finite residual) sends the iteration back to the best point seen.
``memory=0`` is plain fixed-point iteration.
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
    kept_gram: bool = False,
) -> FixedPointOutcome:
    x = np.array(x0, dtype=np.float64)
    n = x.size
    dF = np.empty((max(memory, 1), n))
    dG = np.empty((max(memory, 1), n))
    products = np.zeros((max(memory, 1), max(memory, 1)))  # dF[a] . dF[b] of the stored differences
    stored = 0  # differences held in the ring buffer
    slot = 0
    f_prev: np.ndarray | None = None
    g_prev: np.ndarray | None = None
    best_x, best_res = x, np.inf
    for iteration in range(max_iter + 1):
        gx, res = g(x)
        if not np.isfinite(res):
            if f_prev is None:
                return FixedPointOutcome(best_x, False, iteration, float(best_res))
            stored, slot, f_prev, g_prev, x = 0, 0, None, None, best_x
            continue
        if res < best_res:
            best_x, best_res = x, res
        if res <= tol:
            return FixedPointOutcome(x, True, iteration, float(res))
        if iteration == max_iter:
            break
        f = gx - x
        x_next = gx
        if memory > 0 and f_prev is not None and g_prev is not None:
            newest = slot
            np.subtract(f, f_prev, out=dF[newest])
            np.subtract(gx, g_prev, out=dG[newest])
            slot = (slot + 1) % memory
            stored = min(stored + 1, memory)
            F, G = dF[:stored], dG[:stored]
            if kept_gram:
                products[newest, :stored] = products[:stored, newest] = F @ dF[newest]
                gram = products[:stored, :stored].copy()
            else:
                gram = F @ F.T
            gram.flat[::stored + 1] += regularisation * max(float(np.trace(gram)), 1e-300)  # the diagonal
            try:
                weights = np.linalg.solve(gram, F @ f)
            except np.linalg.LinAlgError:
                weights = None
            if weights is not None:
                candidate = gx - weights @ G
                # one pass: a candidate that is not finite has a NaN or infinite step from x, which fails the test
                if float(np.max(np.abs(candidate - x))) <= max_step:
                    x_next = candidate
                else:  # restart the history: the ring refills from its first slot
                    stored, slot = 0, 0
        f_prev, g_prev = f, gx
        x = x_next
    return FixedPointOutcome(best_x, False, max_iter, float(best_res))
