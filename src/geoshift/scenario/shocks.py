"""Pure functions from shocks to trade-cost changes ``tau_hat[exporter, importer, sector]``.

Selectors name countries by ISO3 code (or name) or by group (EU27, NATO, G7, BRICS, SCO, ...), and sectors by
ICIO code or sector group (energy, metals, minerals, agriculture, manufacturing, services, all).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from geoshift.errors import InputError
from geoshift.scenario.apply import resolve_countries
from geoshift.scenario.spec import DEFAULT_GROUP_YEAR
from geoshift.world.world import PROFILE_GROUPS, World


def countries(world: World, selector: str | Iterable[str], *, year: int | None = None) -> list[int]:
    """Positions of the countries named by ``selector`` (comma-separated ISO3 codes, names or groups; groups at
    their ``year`` membership, by default the one scenario files use, ``DEFAULT_GROUP_YEAR``)."""
    items = selector if isinstance(selector, str) else list(selector)
    return resolve_countries(world, items, "countries", year or DEFAULT_GROUP_YEAR)


def sectors(world: World, selector: str | Iterable[str]) -> list[int]:
    """Positions of the sectors named by ``selector`` (ICIO codes or sector groups; 'all' for every one)."""
    items = selector.split(",") if isinstance(selector, str) else list(selector)
    picked: list[int] = []
    for raw in items:
        item = raw.strip()
        if item in PROFILE_GROUPS:
            picked += list(world.sectors_in(item))
        elif item:
            picked.append(world.sector_index(item))
    if not picked:
        raise InputError(f"sector selector {selector!r} names no sector")
    return sorted(set(picked))


def no_change(world: World) -> np.ndarray:
    C, S = len(world.countries), len(world.sectors)
    return np.ones((C, C, S))


def apply_cost_change(tau: np.ndarray, exporters: list[int], importers: list[int], sector_idx: list[int],
                      factor: float, *, both_ways: bool = True) -> np.ndarray:
    """Multiply iceberg costs between ``exporters`` and ``importers`` (never within a country) by ``factor``
    (inf = embargo). Returns a new array."""
    if not (factor > 0):
        raise InputError(f"trade-cost factor must be > 0 (inf for an embargo), got {factor}")
    out = tau.copy()
    pairs = [(exporters, importers)] + ([(importers, exporters)] if both_ways else [])
    for origin, destination in pairs:
        block = np.ix_(origin, destination, sector_idx)
        mask = ~np.equal.outer(np.array(origin), np.array(destination))[:, :, None]
        out[block] = np.where(mask, out[block] * factor, out[block])
    return out


def parse_pair(text: str) -> tuple[str, str]:
    """``'RUS:USA,EU27'`` -> (``'RUS'``, ``'USA,EU27'``)."""
    if text.count(":") != 1 or not all(part.strip() for part in text.split(":")):
        raise InputError(f"pair {text!r} must look like SIDE_A:SIDE_B, e.g. RUS:USA,EU27")
    a, b = text.split(":")
    return a.strip(), b.strip()
