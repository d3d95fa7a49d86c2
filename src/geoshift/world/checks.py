"""Consistency checks of a World: each finding names the labels at fault; they warn, or raise in strict mode."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from geoshift.errors import ConsistencyError
from geoshift.world.world import World

#: relative tolerance of the accounting identities
ADDING_UP_RTOL = 1e-9


class WorldConsistencyWarning(UserWarning):
    """A World fails a consistency check (raised as ConsistencyError in strict mode)."""


@dataclass(frozen=True)
class Finding:
    check: str
    message: str


def _worst(gap: np.ndarray, scale: np.ndarray) -> tuple[tuple[int, ...], float]:
    rel = np.abs(gap) / np.maximum(np.abs(scale), 1.0)
    idx = np.unravel_index(int(np.argmax(rel)), rel.shape)
    return tuple(int(i) for i in idx), float(rel[idx])


def check_world(world: World) -> list[Finding]:
    C, S = world.countries, world.sectors
    findings: list[Finding] = []
    for name in ("intermediate", "use", "gross_output", "value_added"):
        array = getattr(world, name)
        if not np.all(np.isfinite(array)):
            idx = np.argwhere(~np.isfinite(array))[0]
            findings.append(Finding("finite", f"{name} has a non-finite entry at {idx.tolist()}"))
        elif np.any(array < 0):
            idx = tuple(int(v) for v in np.argwhere(array < 0)[0])
            labels = f"{C[idx[0]]}/{S[idx[-1]]}"
            findings.append(Finding("non-negative", f"{name} is negative at {labels}: {array[idx]:.6g}"))
    if np.any(world.X < 0):
        i, j, s = (int(v) for v in np.argwhere(world.X < 0)[0])
        findings.append(Finding("non-negative", f"flow {C[i]}->{C[j]} in {S[s]} is negative: "
                                                f"{world.X[i, j, s]:.6g}"))
    # rows: output = intermediate sales + final sales
    sales = world.X.sum(axis=1)
    (i, s), rel = _worst(world.gross_output - sales, world.gross_output)
    if rel > ADDING_UP_RTOL:
        findings.append(Finding("adding-up", f"output of {C[i]}/{S[s]} is {world.gross_output[i, s]:.6g} but its "
                                             f"sales add to {sales[i, s]:.6g} (relative gap {rel:.2e})"))
    # columns: inputs bought by importer j of sector k (by origin) = inputs used by j's sectors
    bought = world.intermediate.sum(axis=0)  # [j, k]
    used = world.use.sum(axis=2)  # [j, k]
    (j, k), rel = _worst(bought - used, bought)
    if rel > ADDING_UP_RTOL:
        findings.append(Finding("adding-up", f"{C[j]} buys {bought[j, k]:.6g} of {S[k]} inputs but its sectors "
                                             f"use {used[j, k]:.6g} (relative gap {rel:.2e})"))
    # world income = world final expenditure
    gap = float(world.deficit.sum())
    if abs(gap) > ADDING_UP_RTOL * max(float(world.expenditure.sum()), 1.0):
        findings.append(Finding("adding-up", f"world deficits add to {gap:.6g}, not 0"))
    # totals vs source
    totals = {"gross_output": float(world.gross_output.sum()), "intermediate": float(world.intermediate.sum()),
              "final": float(world.final.sum())}
    for key, value in totals.items():
        source = world.source_totals.get(key)
        if source is not None and abs(value - source) > ADDING_UP_RTOL * max(abs(source), 1.0):
            findings.append(Finding("source-totals", f"world {key} is {value:.10g} but the source says {source:.10g}"))
    return findings


def enforce(world: World, *, strict: bool = False) -> World:
    """Warn about (or, in strict mode, raise on) every finding of :func:`check_world`."""
    findings = check_world(world)
    if findings and strict:
        raise ConsistencyError("World fails consistency checks: " + "; ".join(f.message for f in findings))
    for finding in findings:
        warnings.warn(f"[{finding.check}] {finding.message}", WorldConsistencyWarning, stacklevel=2)
    return world
