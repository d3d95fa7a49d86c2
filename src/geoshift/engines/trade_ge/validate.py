"""Argument checks at the engine boundary: clear InputErrors instead of numpy tracebacks or NaNs."""

from __future__ import annotations

import numpy as np

from geoshift.errors import InputError


def flows(X: object, name: str = "X", ndim: int = 2) -> np.ndarray:
    try:
        array = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a numeric array ({exc})") from exc
    if array.ndim != ndim or array.shape[0] != array.shape[1] or array.shape[0] < 2:
        expected = "(N, N)" if ndim == 2 else "(N, N, S)"
        raise InputError(f"{name} must have shape {expected} with N >= 2, got {array.shape}")
    bad = ~np.isfinite(array)
    if bad.any():
        raise InputError(f"{name} has a non-finite entry (NaN or inf) at {tuple(int(v) for v in np.argwhere(bad)[0])}")
    if (array < 0).any():
        where = tuple(int(v) for v in np.argwhere(array < 0)[0])
        raise InputError(f"{name} has a negative flow {array[where]:.6g} at {where}; flows must be >= 0")
    return array


def tau_hat(tau: object, shape: tuple[int, ...], name: str = "tau_hat") -> np.ndarray:
    try:
        array = np.asarray(tau, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a numeric array ({exc})") from exc
    if array.shape != shape:
        raise InputError(f"{name} must have shape {shape} (like the flows), got {array.shape}")
    if np.isnan(array).any():
        raise InputError(f"{name} has a NaN at {tuple(int(v) for v in np.argwhere(np.isnan(array))[0])}")
    if (array <= 0).any():
        where = tuple(int(v) for v in np.argwhere(array <= 0)[0])
        raise InputError(f"{name} must be > 0 (1 = no change, inf = embargo), got {array[where]:.6g} at {where}")
    diagonal = np.einsum("ii...->i...", array)
    if np.isinf(diagonal).any():
        where = tuple(int(v) for v in np.argwhere(np.isinf(diagonal))[0])
        raise InputError(f"{name} is inf on the diagonal at {where}: a country cannot embargo itself")
    return array


def theta(value: object, sectors: int | None = None, name: str = "theta") -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be a positive number ({exc})") from exc
    if sectors is None:
        if array.ndim != 0:
            raise InputError(f"{name} must be a scalar trade elasticity, got shape {array.shape}")
    elif array.shape != (sectors,):
        raise InputError(f"{name} must have one value per sector, shape ({sectors},), got {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array <= 0):
        raise InputError(f"{name} must be finite and > 0 (a trade elasticity, typically 2-15), got {array}")
    return array


BALANCED = 1e-12  # |D| below this share of a country's value added counts as balanced trade


def trade_balance_feasible(open_exports: np.ndarray, open_imports: np.ndarray, D: np.ndarray, scale: np.ndarray,
                           labels: tuple[str, ...] | None = None) -> None:
    """With deficits ``D`` (imports - exports) held fixed, a country cut off from every foreign buyer must import
    exactly D, and one cut off from every supplier must export exactly -D. Where that cannot hold (a positive
    amount through no open route, or zero through open routes that CES demand always uses) there is no
    equilibrium: raise instead of letting the solver chase a wage of zero."""
    for n in range(len(D)):
        name = labels[n] if labels is not None else str(n)
        d = float(D[n])
        balanced = abs(d) <= BALANCED * float(scale[n])
        if not open_exports[n]:
            if open_imports[n] and (balanced or d < 0):
                raise InputError(f"tau_hat cuts {name} off from every foreign buyer while it can still import, with a "
                                 f"fixed deficit of {d:.6g} (<= 0): no equilibrium exists (its wage would have to fall "
                                 f"to zero); embargo its imports too, keep one export market open, or set D_new")
            if not open_imports[n] and not balanced:
                raise InputError(f"tau_hat closes all of {name}'s foreign trade but its fixed deficit is {d:.6g}, not "
                                 f"0: no equilibrium exists; keep some trade open or set D_new")
        elif not open_imports[n] and (balanced or d > 0):
            raise InputError(f"tau_hat cuts {name} off from every foreign supplier while it can still export, with a "
                             f"fixed deficit of {d:.6g} (>= 0): no equilibrium exists; embargo its exports too, keep "
                             f"one supplier open, or set D_new")
