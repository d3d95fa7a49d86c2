"""Mixed equilibria of two-player games (support enumeration via ``nashpy``), each one re-checked for best responses
before it is returned, and the repeated-game trust threshold.

Why not pygambit: 16.7.0 ships no binary wheel for this platform (a 9-minute source build), and 17.0.0b2's API
is a moving beta (``Game.from_arrays`` became ``StrategicGame.from_arrays``; profiles are indexed differently);
the exact pure-strategy enumeration of the full normal form lives in ``tree.py``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from geoshift.errors import InputError

BEST_RESPONSE_TOL = 1e-9
MAX_SUPPORT_STRATEGIES = 24  # distinct row + column strategies; support enumeration visits 2^(m + n) pairs


@dataclass(frozen=True)
class MixedEquilibrium:
    row: np.ndarray
    column: np.ndarray
    payoffs: tuple[float, float]
    gap: float  # largest gain from a deviation (<= BEST_RESPONSE_TOL)
    solver: str


def two_player_equilibria(A: np.ndarray, B: np.ndarray) -> list[MixedEquilibrium]:
    """All Nash equilibria of the bimatrix game (A row payoffs, B column payoffs), pure and mixed."""
    A = np.asarray(A, dtype=np.float64)
    B = np.asarray(B, dtype=np.float64)
    if A.shape != B.shape or A.ndim != 2 or min(A.shape) < 1:
        raise InputError(f"payoff matrices must have the same 2-D shape, got {A.shape} and {B.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        raise InputError("payoff matrices must be finite")
    import nashpy

    # the reduced normal form: strategies with identical payoffs for both players (they differ only where play
    # never goes) are merged; the first of each class represents it and carries its probability
    both = np.stack([A, B], axis=-1)
    rows = np.sort(np.unique(both.reshape(A.shape[0], -1), axis=0, return_index=True)[1])
    cols = np.sort(np.unique(both.transpose(1, 0, 2).reshape(A.shape[1], -1), axis=0, return_index=True)[1])
    if len(rows) + len(cols) > MAX_SUPPORT_STRATEGIES:
        raise InputError(f"support enumeration over {len(rows)} x {len(cols)} distinct strategies is too large "
                         f"(at most {MAX_SUPPORT_STRATEGIES} in all); fix more players' strategies first")
    found: list[tuple[np.ndarray, np.ndarray, str]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # degenerate games warn; the best-response check below decides
        for r, c in nashpy.Game(A[np.ix_(rows, cols)], B[np.ix_(rows, cols)]).support_enumeration():
            row, column = np.zeros(A.shape[0]), np.zeros(A.shape[1])
            row[rows], column[cols] = r, c
            found.append((row, column, "nashpy support enumeration"))
    out: list[MixedEquilibrium] = []
    for row, column, solver in found:
        gap = max(float((A @ column).max() - row @ A @ column), float((row @ B).max() - row @ B @ column))
        if gap > BEST_RESPONSE_TOL:
            continue  # not an equilibrium after all: never reported
        if any(np.allclose(row, e.row) and np.allclose(column, e.column) for e in out):
            continue
        out.append(MixedEquilibrium(row, column, (float(row @ A @ column), float(row @ B @ column)), gap, solver))
    return out


def delta_star(T: float, R: float, P: float) -> float | None:
    """Discount-factor threshold of the repeated game: cooperation (R each period) is sustained by grim trigger
    against a one-shot temptation T followed by punishment P forever iff delta >= (T - R) / (T - P).
    0 when cooperating pays even in one period (R >= T); None when punishment is no threat (P >= T)."""
    for name, value in (("T", T), ("R", R), ("P", P)):
        if not np.isfinite(value):
            raise InputError(f"{name} must be a finite payoff, got {value}")
    if R >= T:
        return 0.0
    if P >= T or R <= P:
        return None
    return (T - R) / (T - P)
