"""Noise-free structural-gravity worlds, for cross-checks against other implementations and benchmarks.

Countries sit at fixed random points on a plane. Trade costs ``T_ij = t_ij^(1-sigma) = exp(b_dist ln d_ij +
b_bloc bloc_ij)``; outputs ``Y_i`` are drawn once; trade is balanced (``E = Y``); the flows

    X_ij = T_ij Y_i E_j / (Y Pi_i P_j),   P_j = sum_i T_ij (Y_i / Y) / Pi_i,   Pi_i = sum_j T_ij (E_j / Y) / P_j

are exact gravity, so a PPML regression with exporter and importer effects recovers ``b_dist`` and ``b_bloc``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MR_TOL = 1e-14


@dataclass(frozen=True, eq=False)
class GravityWorld:
    labels: tuple[str, ...]
    X: np.ndarray  # (N, N) flows, domestic on the diagonal
    distance: np.ndarray  # (N, N)
    bloc: np.ndarray  # (N, N) 0/1 baseline bloc dummy
    b_dist: float
    b_bloc: float


def bloc_matrix(N: int, side_a: range, side_b: range) -> np.ndarray:
    """A symmetric 0/1 matrix marking pairs between ``side_a`` and ``side_b``."""
    bloc = np.zeros((N, N))
    for a in side_a:
        for b in side_b:
            bloc[a, b] = bloc[b, a] = 1.0
    return bloc


def gravity_world(N: int, *, seed: int = 0, b_dist: float = -1.0, b_bloc: float = -0.5,
                  bloc: np.ndarray | None = None) -> GravityWorld:
    rng = np.random.default_rng(seed)
    points = rng.uniform(0.0, 100.0, size=(N, 2))
    distance = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    distance[np.diag_indices(N)] = 1.0  # internal distance
    distance = np.maximum(distance, 1.0)
    bloc = np.zeros((N, N)) if bloc is None else np.asarray(bloc, dtype=np.float64)
    T = np.exp(b_dist * np.log(distance) + b_bloc * bloc)
    Y = rng.uniform(10.0, 1000.0, size=N)
    share = Y / Y.sum()
    P = np.ones(N)
    Pi = np.ones(N)
    for _ in range(100_000):
        Pi_new = T @ (share / P)
        P_new = T.T @ (share / Pi_new)
        P_new /= P_new[0]
        gap = max(np.max(np.abs(P_new / P - 1.0)), np.max(np.abs(Pi_new / Pi - 1.0)))
        P, Pi = P_new, Pi_new
        if gap < MR_TOL:
            break
    X = T * np.outer(Y, Y) / (Y.sum() * np.outer(Pi, P))
    labels = tuple(f"C{n:03d}" for n in range(N))
    return GravityWorld(labels, X, distance, bloc, b_dist, b_bloc)
