"""The World: a frozen, labelled baseline of the world economy.

Arrays are indexed by position in ``countries`` (i exporter, j importer) and ``sectors`` (s, k):

* ``intermediate[i, j, s]``, ``final[i, j, s]``: sector-s goods from i used as inputs / by final demand in j;
  ``X = intermediate + final`` are the bilateral flows by sector, domestic sales on the diagonal.
* ``use[j, k, s]``: sector-k inputs (all origins) bought by sector s of country j.
* ``gross_output[i, s]``, ``value_added[i, s]``.

ICIO values are US$ million. ``baci`` (tidy BACI rows, US$ and tonnes), ``mining`` (mine production and
shares) and ``governance`` (WGI) are pandas tables. Arrays are read-only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from geoshift.data.countries import country_name, resolve_country
from geoshift.data.store import Provenance
from geoshift.errors import UnknownValueError

#: the labelled tables :meth:`World.to_frame` gives
FRAME_KINDS = ("countries", "sectors", "output", "trade")
SECTOR_GROUPS = ("agriculture", "energy", "metals", "manufacturing", "services")
#: profile group names -> ICIO sector groups
PROFILE_GROUPS: Mapping[str, tuple[str, ...]] = {
    "energy": ("energy",),
    "minerals": ("metals",),
    "metals": ("metals",),
    "agriculture": ("agriculture",),
    "manufacturing": ("manufacturing",),
    "services": ("services",),
    "all": SECTOR_GROUPS,
}


def _frozen(array: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(array, dtype=np.float64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class World:
    countries: tuple[str, ...]
    sectors: tuple[str, ...]
    sector_names: tuple[str, ...]
    sector_group: tuple[str, ...]
    intermediate: np.ndarray
    final: np.ndarray
    use: np.ndarray
    gross_output: np.ndarray
    value_added: np.ndarray
    year: int
    final_rule: str
    baci: pd.DataFrame = field(repr=False)
    mining: pd.DataFrame = field(repr=False)
    governance: pd.DataFrame = field(repr=False)
    provenance: tuple[Provenance, ...] = ()
    source_totals: Mapping[str, float] = field(default_factory=dict)
    unit: str = "USD million"

    def __post_init__(self) -> None:
        C, S = len(self.countries), len(self.sectors)
        for name, shape in (("intermediate", (C, C, S)), ("final", (C, C, S)), ("use", (C, S, S)),
                            ("gross_output", (C, S)), ("value_added", (C, S))):
            array = getattr(self, name)
            if array.shape != shape:
                raise ValueError(f"World.{name} has shape {array.shape}, expected {shape}")
            object.__setattr__(self, name, _frozen(array))
        if len(self.sector_names) != S or len(self.sector_group) != S:
            raise ValueError("World.sector_names and sector_group must have one entry per sector")

    # --- derived quantities -------------------------------------------------------------------------
    @cached_property
    def X(self) -> np.ndarray:
        """Bilateral flows by sector ``X[exporter, importer, sector]`` (intermediate + final)."""
        return _frozen(self.intermediate + self.final)

    @cached_property
    def final_demand(self) -> np.ndarray:
        """Final expenditure ``[importer, sector]`` on goods of each sector (all origins)."""
        return _frozen(self.final.sum(axis=0))

    @cached_property
    def expenditure(self) -> np.ndarray:
        """Final expenditure (absorption) per country."""
        return _frozen(self.final.sum(axis=(0, 2)))

    @cached_property
    def income(self) -> np.ndarray:
        """Value added (GDP at basic prices plus net taxes on intermediates) per country."""
        return _frozen(self.value_added.sum(axis=1))

    @cached_property
    def deficit(self) -> np.ndarray:
        """Trade deficit per country: expenditure minus income (= imports minus exports)."""
        return _frozen(self.expenditure - self.income)

    @cached_property
    def exports(self) -> np.ndarray:
        """Exports ``[country, sector]`` (foreign sales)."""
        X = self.X
        return _frozen(X.sum(axis=1) - np.einsum("iis->is", X))

    @cached_property
    def imports(self) -> np.ndarray:
        """Imports ``[country, sector]`` (foreign purchases)."""
        X = self.X
        return _frozen(X.sum(axis=0) - np.einsum("jjs->js", X))

    # --- labels -------------------------------------------------------------------------------------
    def country_index(self, country: str) -> int:
        return self.countries.index(resolve_country(country, self.countries))

    def sector_index(self, sector: str) -> int:
        if sector not in self.sectors:
            import difflib

            hint = ", ".join(difflib.get_close_matches(sector, self.sectors, n=3, cutoff=0.3))
            raise UnknownValueError(f"unknown sector {sector!r}; closest ICIO codes: {hint or 'none'}")
        return self.sectors.index(sector)

    def sectors_in(self, group: str) -> tuple[int, ...]:
        """Positions of the sectors in a profile group (energy, minerals, ..., all)."""
        if group not in PROFILE_GROUPS:
            raise UnknownValueError(f"unknown sector group {group!r}; use one of {', '.join(PROFILE_GROUPS)}")
        wanted = PROFILE_GROUPS[group]
        return tuple(n for n, g in enumerate(self.sector_group) if g in wanted)

    @cached_property
    def data_key(self) -> str:
        """Identifies the data this World was built from (sources' checksums, year, final-demand rule)."""
        parts = [*sorted(f"{p.source}:{p.sha256}" for p in self.provenance), str(self.year), self.final_rule]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    @cached_property
    def baci_years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.baci["year"].unique()))

    @cached_property
    def baci_countries(self) -> tuple[str, ...]:
        """ISO3 codes that appear in BACI as exporter or importer."""
        codes = np.union1d(self.baci["exporter"].unique(), self.baci["importer"].unique())
        return tuple(str(c) for c in codes)

    # --- summaries ----------------------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        X = self.X
        trade = float(X.sum() - np.einsum("iis->", X))
        return {
            "year": self.year,
            "countries": len(self.countries),
            "sectors": len(self.sectors),
            "unit": self.unit,
            "final_demand_rule": self.final_rule,
            "world_gross_output": float(self.gross_output.sum()),
            "world_value_added": float(self.value_added.sum()),
            "world_trade": trade,
            "world_trade_energy": float(self.exports[:, list(self.sectors_in("energy"))].sum()),
            "baci_rows": len(self.baci),
            "baci_years": [min(self.baci_years), max(self.baci_years)] if self.baci_years else [],
            "mining_minerals": int(self.mining["mineral"].nunique()) if len(self.mining) else 0,
            "governance_countries": int(self.governance["iso3"].nunique()) if len(self.governance) else 0,
        }

    # --- notebooks ----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        s = self.summary()
        years = s["baci_years"]
        money = self._money
        return (f"<World {self.year} (ICIO, {self.unit}): {s['countries']} countries x {s['sectors']} sectors, "
                f"final demand rule {self.final_rule!r}\n"
                f"  world gross output {money(s['world_gross_output'])}, value added "
                f"{money(s['world_value_added'])}, trade {money(s['world_trade'])} "
                f"(energy {money(s['world_trade_energy'])})\n"
                f"  BACI {s['baci_rows']:,} rows" + (f", {years[0]}-{years[1]}" if years else "") +
                f"; mining {s['mining_minerals']} minerals; governance {s['governance_countries']} countries\n"
                f"  data key {self.data_key}; .to_frame(kind) for {', '.join(FRAME_KINDS)}>")

    def _money(self, value: float) -> str:
        """A value in :attr:`unit` in words (US$ bn or trn where the unit is US$ million)."""
        if self.unit != "USD million":
            return f"{value:,.6g} {self.unit}"
        for scale, word in ((1e6, "trn"), (1e3, "bn")):
            if abs(value) >= scale:
                return f"US$ {value / scale:,.1f} {word}"
        return f"US$ {value:,.1f} mn"

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(f"<tr><th style=\"text-align:left\">{escape(str(k))}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in self.summary().items())
        return (f"<div><table><caption>World {self.year} ({escape(self.unit)}), data key {self.data_key}</caption>"
                f"<tbody>{rows}</tbody></table><p>.to_frame(kind): {', '.join(FRAME_KINDS)}</p></div>")

    def to_frame(self, kind: str = "countries") -> pd.DataFrame:
        """The baseline as a labelled table (values in :attr:`unit`):

        * ``countries``: ``country``, ``country_name``, ``gross_output``, ``value_added`` (income), ``expenditure``,
          ``exports``, ``imports``, ``deficit``;
        * ``sectors``: ``sector``, ``sector_name``, ``group``, ``gross_output``, ``value_added``, ``exports``;
        * ``output``: by country x sector: ``country``, ``country_name``, ``sector``, ``sector_name``, ``group``,
          ``gross_output``, ``value_added``, ``exports``, ``imports``;
        * ``trade``: bilateral trade by sector, foreign flows only (domestic sales are in ``output``):
          ``exporter``, ``exporter_name``, ``importer``, ``importer_name``, ``sector``, ``sector_name``, ``group``,
          ``intermediate``, ``final``, ``value``; rows with no trade left out.
        """
        names = [country_name(c) for c in self.countries]
        C, S = len(self.countries), len(self.sectors)
        if kind == "countries":
            return pd.DataFrame({
                "country": self.countries, "country_name": names,
                "gross_output": self.gross_output.sum(axis=1), "value_added": self.income,
                "expenditure": self.expenditure, "exports": self.exports.sum(axis=1),
                "imports": self.imports.sum(axis=1), "deficit": self.deficit})
        if kind == "sectors":
            return pd.DataFrame({
                "sector": self.sectors, "sector_name": self.sector_names, "group": self.sector_group,
                "gross_output": self.gross_output.sum(axis=0), "value_added": self.value_added.sum(axis=0),
                "exports": self.exports.sum(axis=0)})
        if kind == "output":
            return pd.DataFrame({
                "country": np.repeat(self.countries, S), "country_name": np.repeat(names, S),
                "sector": np.tile(self.sectors, C), "sector_name": np.tile(self.sector_names, C),
                "group": np.tile(self.sector_group, C),
                "gross_output": self.gross_output.ravel(), "value_added": self.value_added.ravel(),
                "exports": self.exports.ravel(), "imports": self.imports.ravel()})
        if kind == "trade":
            i, j, s = np.nonzero(self.X * (1.0 - np.eye(C))[:, :, None])
            codes, labels = np.array(self.countries), np.array(names)
            return pd.DataFrame({
                "exporter": codes[i], "exporter_name": labels[i], "importer": codes[j], "importer_name": labels[j],
                "sector": np.array(self.sectors)[s], "sector_name": np.array(self.sector_names)[s],
                "group": np.array(self.sector_group)[s],
                "intermediate": self.intermediate[i, j, s], "final": self.final[i, j, s], "value": self.X[i, j, s]})
        raise UnknownValueError(f"unknown World table {kind!r}; use one of {', '.join(FRAME_KINDS)}")
