"""Apply a scenario to a World: selectors resolved to positions, shocks to ``tau_hat`` and tariff arrays.

Pure functions; every error names the shock (``shocks[2].importers``) and suggests the allowed values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import assert_never

import numpy as np

from geoshift.data.countries import closest_codes, resolve_country
from geoshift.data.groups import ALIASES, group_members, group_names
from geoshift.errors import GeoshiftError, ScenarioError
from geoshift.scenario.spec import Bloc, Embargo, SanctionsRelief, Scenario, Selector, Shock, Tariff, TradeCost
from geoshift.world.world import PROFILE_GROUPS, World


@dataclass(frozen=True, eq=False)
class ShockArrays:
    """Engine inputs of a scenario: ``tau_hat[i, n, s]`` (inf = embargo) and ad valorem ``tariff[i, n, s]``."""

    tau_hat: np.ndarray
    tariff: np.ndarray

    @property
    def has_tariffs(self) -> bool:
        return bool(np.any(self.tariff > 0))


def _items(selector: Selector) -> list[str]:
    raw = selector.split(",") if isinstance(selector, str) else list(selector)
    return [item.strip() for item in raw if str(item).strip()]


def resolve_countries(world: World, selector: Selector, field: str, year: int) -> list[int]:
    """Positions in the World of the countries named by ``selector``."""
    codes = resolve_countries_any(world.countries, selector, field, year, where="the World's economies")
    return [world.countries.index(c) for c in codes]


def resolve_countries_any(known: tuple[str, ...], selector: Selector, field: str, year: int, *,
                          where: str = "the data") -> list[str]:
    """ISO3 codes named by ``selector`` (ISO3 codes, names, groups) among ``known`` (e.g. every BACI country)."""
    groups = {g.upper(): g for g in group_names()} | {alias: alias for alias in ALIASES}
    picked: list[str] = []
    for item in _items(selector):
        if item.upper() in groups:
            members = [c for c in group_members(item, year) if c in known]
            if not members:
                raise ScenarioError(f"{field}: group {item!r} has no member among {where} in {year}")
            picked += members
            continue
        try:
            picked.append(resolve_country(item, known, field=field))
        except GeoshiftError:
            hint = closest_codes(item, known) + difflib.get_close_matches(item.upper(), list(groups), n=2)
            raise ScenarioError(f"{field}: unknown country or group {item!r}; closest: {', '.join(hint) or 'none'} "
                                f"(ISO3 codes or groups: {', '.join(sorted(groups))})") from None
    if not picked:
        raise ScenarioError(f"{field}: names no country")
    return sorted(set(picked))


SECTOR_MATCH_CUTOFF = 0.6  # difflib ratio below which a sector is not offered as a "closest" match


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def closest_sectors(world: World, item: str, n: int = 3) -> list[str]:
    """The sectors (``CODE (name)``) and groups closest to ``item``, by code and by the words of their names
    (``electronics`` finds C26, computer, electronic and optical equipment)."""
    word = item.strip().lower()
    scored: list[tuple[float, str]] = []
    for code, name in zip(world.sectors, world.sector_names, strict=True):
        words = [w for w in name.lower().replace(",", " ").split() if len(w) > 2]
        by_name = max([_similarity(word, w) for w in words] + [_similarity(word, name.lower())])
        scored.append((max(_similarity(word.upper(), code), by_name), f"{code} ({name})"))
    scored += [(_similarity(word, group), f"{group} (group)") for group in PROFILE_GROUPS]
    scored.sort(key=lambda pair: -pair[0])
    return [label for score, label in scored[:n] if score >= SECTOR_MATCH_CUTOFF]


def resolve_sectors(world: World, selector: Selector, field: str) -> list[int]:
    picked: list[int] = []
    for item in _items(selector):
        if item in PROFILE_GROUPS:
            picked += list(world.sectors_in(item))
        elif item in world.sectors:
            picked.append(world.sectors.index(item))
        else:
            hint = closest_sectors(world, item)
            raise ScenarioError(f"{field}: unknown sector {item!r}; closest: {'; '.join(hint) or 'none'} "
                                f"(ICIO codes, or groups {', '.join(PROFILE_GROUPS)})")
    if not picked:
        raise ScenarioError(f"{field}: names no sector")
    return sorted(set(picked))


def _cells(world: World, origin: list[int], destination: list[int], sectors: list[int],
           both_ways: bool) -> np.ndarray:
    """Boolean mask [i, n, s] of the cells a pair shock touches (never a country's trade with itself)."""
    C, S = len(world.countries), len(world.sectors)
    pairs = np.zeros((C, C), dtype=bool)
    pairs[np.ix_(origin, destination)] = True
    if both_ways:
        pairs[np.ix_(destination, origin)] = True
    np.fill_diagonal(pairs, False)
    in_sectors = np.zeros(S, dtype=bool)
    in_sectors[sectors] = True
    return pairs[:, :, None] & in_sectors[None, None, :]


def shock_cells(world: World, shock: Shock, field: str, year: int) -> np.ndarray:
    sectors = resolve_sectors(world, shock.sectors, f"{field}.sectors")
    if isinstance(shock, Bloc):
        members = {name: resolve_countries(world, sel, f"{field}.blocs.{name}", year)
                   for name, sel in shock.blocs.items()}
        mask = np.zeros((len(world.countries),) * 2 + (len(world.sectors),), dtype=bool)
        names = list(members)
        for a in names:
            for b in names:
                if a != b:
                    mask |= _cells(world, members[a], members[b], sectors, both_ways=False)
        return mask
    origin = resolve_countries(world, shock.exporters, f"{field}.exporters", year)
    destination = resolve_countries(world, shock.importers, f"{field}.importers", year)
    mask = _cells(world, origin, destination, sectors, shock.both_ways)
    if not mask.any():
        raise ScenarioError(f"{field}: exporters and importers are the same countries; the shock touches no trade")
    return mask


_BARRIERS = (Embargo, TradeCost, Tariff, Bloc)


def _contradiction(a: Shock, b: Shock) -> str | None:
    """Why shock ``b`` cannot follow ``a`` in the same file on overlapping cells (None: it can)."""
    if isinstance(a, SanctionsRelief) and isinstance(b, TradeCost) and b.percent < 0:
        return None  # relief, then a cost cut on the same trade: an energy deal
    if isinstance(b, SanctionsRelief) and isinstance(a, TradeCost) and a.percent < 0:
        return "the relief would undo the cost cut before it; list the sanctions_relief first"
    if isinstance(a, SanctionsRelief) != isinstance(b, SanctionsRelief):
        return "relief and a barrier in the same file; put the relief in a scenario that extends this one"
    if (isinstance(a, Embargo) and isinstance(b, Tariff)) or (isinstance(b, Embargo) and isinstance(a, Tariff)):
        return "a tariff on trade that is embargoed"
    if isinstance(a, Tariff) and isinstance(b, Tariff) and a.percent != b.percent:
        return f"two tariff rates ({a.percent:g} % and {b.percent:g} %)"
    return None


def _describe_cell(world: World, mask: np.ndarray) -> str:
    i, n, s = (int(v) for v in np.argwhere(mask)[0])
    more = int(mask.sum()) - 1
    return f"{world.countries[i]}->{world.countries[n]} in {world.sectors[s]}" + (f" (and {more} more)" if more else "")


def shock_arrays(world: World, scenario: Scenario) -> ShockArrays:
    """Engine inputs for ``scenario`` on ``world``; inherited shocks apply first, then the scenario's own."""
    C, S = len(world.countries), len(world.sectors)
    tau = np.ones((C, C, S))
    tariff = np.zeros((C, C, S))
    year = scenario.data.group_year
    inherited = len(scenario.inherited_shocks)
    own_masks: list[tuple[int, Shock, np.ndarray]] = []
    for position, shock in enumerate(scenario.all_shocks):
        own = position >= inherited
        field = f"shocks[{position - inherited}]" if own else f"{scenario.extends}: shocks[{position}]"
        where = scenario.origin(position)
        try:
            mask = shock_cells(world, shock, field, year)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        if own:
            for other_position, other, other_mask in own_masks:
                overlap = mask & other_mask
                reason = _contradiction(other, shock) if overlap.any() else None
                if reason:
                    raise ScenarioError(
                        f"{where}: {scenario.name}: shocks[{other_position}] ({other.kind}) and {field} "
                        f"({shock.kind}) contradict on {_describe_cell(world, overlap)}: {reason}")
            own_masks.append((position - inherited, shock, mask))
        blocked = mask & np.isinf(tau)
        if isinstance(shock, Tariff) and blocked.any():
            raise ScenarioError(f"{where}: {field} (tariff) taxes trade that an earlier shock embargoes, on "
                                f"{_describe_cell(world, blocked)}; it would do nothing there: add a "
                                f"sanctions_relief first or narrow the tariff")
        if isinstance(shock, TradeCost) and blocked.any() and not (mask & ~blocked).any():
            raise ScenarioError(f"{where}: {field} (trade_cost) changes only embargoed trade "
                                f"({_describe_cell(world, blocked)}), so it would do nothing; add a sanctions_relief "
                                f"first or drop it")
        match shock:
            case Embargo():
                tau[mask] = np.inf
            case TradeCost() | Bloc():
                tau[mask] *= 1.0 + shock.percent / 100.0
            case Tariff():
                tariff[mask] = shock.percent / 100.0
            case SanctionsRelief():
                tau[mask] = 1.0
                tariff[mask] = 0.0
            case _:
                assert_never(shock)
    return ShockArrays(tau, tariff)
