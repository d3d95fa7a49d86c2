"""Baseline and scenario reroutings of one exporter, compared: revenue, shut-in volume, fiscal effect, duals."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from geoshift.engines.energy.baseline import EnergyBaseline
from geoshift.engines.energy.fiscal import FiscalEffect, fiscal_effect
from geoshift.engines.energy.lp import EnergyOptions, RerouteResult, RouteUse, reroute
from geoshift.engines.energy.units import CANONICAL_UNIT, OIL_AND_GAS


@dataclass(frozen=True, eq=False)
class EnergyOutcome:
    exporter: str
    year: int
    baseline: RerouteResult = field(repr=False)
    scenario: RerouteResult = field(repr=False)
    fiscal: FiscalEffect | None
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def revenue_change_usd(self) -> float:
        return self.scenario.revenue_usd - self.baseline.revenue_usd

    def buyers(self) -> pd.DataFrame:
        merged = self.scenario.buyers.merge(
            self.baseline.buyers.loc[:, ["buyer", "fuel", "volume", "revenue_usd"]].rename(
                columns={"volume": "baseline_lp_volume", "revenue_usd": "baseline_revenue_usd"}),
            on=["buyer", "fuel"], how="outer")
        merged = merged.fillna({"volume": 0.0, "revenue_usd": 0.0, "baseline_revenue_usd": 0.0,
                                "baseline_volume": 0.0, "baseline_lp_volume": 0.0, "closed": False})
        merged["unit"] = merged["fuel"].map(CANONICAL_UNIT)
        merged["revenue_change_usd"] = merged["revenue_usd"] - merged["baseline_revenue_usd"]
        return merged.sort_values("revenue_change_usd", kind="stable").reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        buyers = self.buyers()
        moved = buyers[(buyers["volume"] - buyers["baseline_volume"]).abs() > 1e-9]
        return {
            "exporter": self.exporter,
            "year": self.year,
            "baseline_revenue_usd": self.baseline.revenue_usd,
            "scenario_revenue_usd": self.scenario.revenue_usd,
            "revenue_change_usd": self.revenue_change_usd,
            "revenue_change_pct": 100.0 * self.revenue_change_usd / self.baseline.revenue_usd,
            "shut_in": {f: {"volume": v, "unit": CANONICAL_UNIT[f]} for f, v in self.scenario.shut_in.items()},
            "fiscal": None if self.fiscal is None else asdict(self.fiscal),
            "buyers": [
                {"buyer": r.buyer, "fuel": r.fuel, "unit": r.unit, "baseline_volume": r.baseline_volume,
                 "volume": r.volume, "baseline_revenue_usd": r.baseline_revenue_usd, "revenue_usd": r.revenue_usd,
                 "revenue_change_usd": r.revenue_change_usd, "closed": bool(r.closed)}
                for r in moved.itertuples(index=False)
            ],
            "duals": [_dual(u) for u in self.scenario.routes],
            "diagnostics": {"status": self.scenario.status, "seconds": self.seconds,
                            "baseline_solve_seconds": self.baseline.seconds,
                            "scenario_solve_seconds": self.scenario.seconds},
            "notes": list(self.notes),
        }


def _dual(use: RouteUse) -> dict[str, Any]:
    return {"route": use.route, "fuel": use.fuel, "capacity": use.capacity, "used": use.used, "unit": use.unit,
            "value_usd_per_unit": use.dual_usd}


def energy_outcome(baseline: EnergyBaseline, options: EnergyOptions) -> EnergyOutcome:
    start = time.perf_counter()
    before = reroute(baseline, EnergyOptions())
    after = reroute(baseline, options)
    og_before = sum(float(before.buyers.loc[before.buyers["fuel"] == f, "revenue_usd"].sum()) for f in OIL_AND_GAS)
    og_after = sum(float(after.buyers.loc[after.buyers["fuel"] == f, "revenue_usd"].sum()) for f in OIL_AND_GAS)
    fiscal = fiscal_effect(baseline.exporter, baseline.year, og_before, og_after - og_before)
    notes = options.notes + baseline.notes + (() if fiscal is None else (fiscal.assumption,))
    return EnergyOutcome(baseline.exporter, baseline.year, before, after, fiscal, time.perf_counter() - start, notes)
