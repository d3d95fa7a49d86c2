"""One exporter's energy exports as each source counts them, side by side, so that two figures for the same thing
are never shown without each other: the OECD ICIO (basic prices, its year), BACI (reconciled mirror trade, any
year, no refined products in the extract) and the energy LP's baseline (BACI of its year plus ICIO refined
products)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geoshift.engines.energy.baseline import ICIO_UNIT_USD, energy_baseline
from geoshift.world.world import World

#: fuel groups the sources share, and what each source counts in them
GROUPS = ("coal", "crude and natural gas", "refined products")
ICIO_SECTOR = {"coal": "B05", "crude and natural gas": "B06", "refined products": "C19"}
GROUP_OF_FUEL = {"coal": "coal", "crude": "crude and natural gas", "lng": "crude and natural gas",
                 "pipeline_gas": "crude and natural gas", "products": "refined products"}


@dataclass(frozen=True)
class SourceTotal:
    source: str
    year: int
    values_usd: dict[str, float | None]  # fuel group -> US$ (None: the source does not count it)
    coverage: str

    @property
    def total_usd(self) -> float:
        return float(sum(v for v in self.values_usd.values() if v is not None))


@dataclass(frozen=True)
class Reconciliation:
    exporter: str
    totals: tuple[SourceTotal, ...]
    explanations: tuple[str, ...]


def _icio(world: World, exporter: str) -> SourceTotal:
    e = world.countries.index(exporter)
    X = np.asarray(world.X)
    values: dict[str, float | None] = {}
    for group, code in ICIO_SECTOR.items():
        if code not in world.sectors:  # a World without that sector (e.g. a small example World) cannot say
            values[group] = None
            continue
        s = world.sectors.index(code)
        values[group] = float(X[e, :, s].sum() - X[e, e, s]) * ICIO_UNIT_USD
    return SourceTotal(f"OECD ICIO {world.year}", world.year, values,
                       f"sectors {', '.join(ICIO_SECTOR.values())}; exports to the other {len(world.countries) - 1} "
                       "economies incl. the rest of the world; basic prices")


def _baci(world: World, exporter: str, year: int) -> SourceTotal:
    """What BACI itself counts: the baseline's BACI rows, including those the year's embargoes remove."""
    baseline = energy_baseline(world, exporter, year)
    rows = pd.concat([baseline.flows, baseline.removed], ignore_index=True)
    rows = rows[rows["source"].astype(str).str.startswith("BACI") & (rows["fuel"] != "products")]
    by_group = rows.groupby(rows["fuel"].map(GROUP_OF_FUEL))["value_usd"].sum()
    values: dict[str, float | None] = {g: float(by_group.get(g, 0.0)) for g in GROUPS[:2]}
    values["refined products"] = None
    return SourceTotal(f"BACI {year}", year, values, "HS 2701/2702, 2709, 271111, 271121 (the data pack's extract has "
                       "no HS 2710: no refined products); FOB, reconciled mirror flows; noise under 0.01 % dropped")


def _lp(world: World, exporter: str, year: int) -> SourceTotal:
    flows = energy_baseline(world, exporter, year).flows
    by_group = flows.groupby(flows["fuel"].map(GROUP_OF_FUEL))["value_usd"].sum()
    return SourceTotal(f"energy LP baseline {year}", year, {g: float(by_group.get(g, 0.0)) for g in GROUPS},
                       f"BACI {year} plus refined products from ICIO {world.year} C19 (what `geoshift energy` and the "
                       f"budget effect use)")


def energy_export_totals(world: World, exporter: str, year: int) -> Reconciliation:
    """The exporter's energy exports by source, and why the figures differ."""
    icio = _icio(world, exporter) if exporter in world.countries else None
    same_year = _baci(world, exporter, world.year) if world.year in world.baci_years else None
    baci = _baci(world, exporter, year)
    lp = _lp(world, exporter, year)
    totals = tuple(t for t in (icio, same_year if year != world.year else None, baci, lp) if t is not None)
    bn = 1e9
    baseline = energy_baseline(world, exporter, year)
    by_source = baseline.flows.groupby("source")["value_usd"].sum()
    removed = float(baseline.removed["value_usd"].sum()) if len(baseline.removed) else 0.0
    parts = [f"{source} US$ {value / bn:,.1f} bn" for source, value in by_source.items()]
    notes = [f"The energy LP's US$ {lp.total_usd / bn:,.1f} bn = " + " + ".join(parts)
             + (f", after removing US$ {removed / bn:,.1f} bn that the embargoes in force in {year} stop (not "
                f"reallocated)" if removed else "")
             + f"; BACI {year} counts US$ {baci.total_usd / bn:,.1f} bn of coal, crude and gas and no refined "
               f"products (its extract lacks HS 2710), which come from ICIO {world.year} C19 where no other source "
               f"covers the year."]
    if icio is not None and same_year is not None:
        gap = ((icio.values_usd["crude and natural gas"] or 0.0) - (same_year.values_usd["crude and natural gas"]
                                                                    or 0.0)) / bn
        notes.append(f"For the same year {world.year}, ICIO counts crude and natural gas at US$ "
                     f"{(icio.values_usd['crude and natural gas'] or 0.0) / bn:,.1f} bn and BACI at US$ "
                     f"{(same_year.values_usd['crude and natural gas'] or 0.0) / bn:,.1f} bn ({gap:+,.1f} bn): ICIO "
                     f"values at basic prices and balances trade to national accounts, BACI reconciles customs "
                     f"reports of both sides; the gap is reported, not resolved here.")
    if year != world.year:
        notes.append(f"BACI {world.year} vs {year}: the same source in two years (prices and sanctions moved).")
    return Reconciliation(exporter, totals, tuple(notes))
