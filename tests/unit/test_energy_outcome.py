"""Comparing a baseline and a scenario rerouting: the buyer table and the JSON of an energy outcome, from hand-made
LP results (no solve), so that every number can be traced by hand."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from geoshift.engines.energy.fiscal import FiscalEffect
from geoshift.engines.energy.lp import RerouteResult, RouteUse
from geoshift.engines.energy.outcome import EnergyOutcome

COLUMNS = ["buyer", "fuel", "unit", "baseline_volume", "volume", "revenue_usd", "closed"]


def lp_result(rows: list[tuple[object, ...]], revenue: float, *, routes: tuple[RouteUse, ...] = (),
              shut_in: dict[str, float] | None = None, seconds: float = 0.5, status: str = "optimal") -> RerouteResult:
    return RerouteResult("RUS", 2023, status, revenue, pd.DataFrame(rows, columns=COLUMNS), routes, shut_in or {},
                         {}, seconds)


BASELINE = lp_result([
    ("DEU", "crude", "Mt", 10.0, 10.0, 100.0, False),
    ("CHN", "crude", "Mt", 5.0, 5.0, 50.0, False),
    ("DEU", "pipeline_gas", "bcm", 20.0, 20.0, 200.0, False),
    ("TUR", "coal", "Mt", 1.0, 1.0, 5.0, False),  # not in the scenario's table
    ("POL", "crude", "Mt", 2.0, 2.0, 20.0, False),
], 375.0, seconds=0.25)
PIPE = RouteUse("Druzhba", "crude", 50.0, 12.0, "Mt", 0.0)
SEA = RouteUse("Baltic ports", "crude", 15.0, 15.0, "Mt", 7.5)
SCENARIO = lp_result([
    ("DEU", "crude", "Mt", 10.0, 0.0, 0.0, True),
    ("CHN", "crude", "Mt", 5.0, 12.0, 108.0, False),
    ("DEU", "pipeline_gas", "bcm", 20.0, 0.0, 0.0, True),
    ("IND", "crude", "Mt", 0.0, 3.0, 27.0, False),  # a new buyer
    ("POL", "crude", "Mt", 2.0, 2.0, 20.0, False),  # unchanged
], 155.0, routes=(PIPE, SEA), shut_in={"crude": 1.0, "pipeline_gas": 20.0}, seconds=0.75)
FISCAL = FiscalEffect(2023, 8.8, 29.1, 85.0, 0.5, -1.2, 0.3, 0.26, "tax take of one half", {"source": "minfin"})


def outcome(fiscal: FiscalEffect | None = FISCAL) -> EnergyOutcome:
    return EnergyOutcome("RUS", 2023, BASELINE, SCENARIO, fiscal, 1.5, ("note one", "note two"))


def test_buyers_merge_both_runs_and_sort_by_the_change() -> None:
    table = outcome().buyers()
    assert list(zip(table["buyer"], table["fuel"], strict=True)) == [
        ("DEU", "pipeline_gas"), ("DEU", "crude"), ("TUR", "coal"), ("POL", "crude"), ("IND", "crude"),
        ("CHN", "crude")]
    assert table["revenue_change_usd"].tolist() == [-200.0, -100.0, -5.0, 0.0, 27.0, 58.0]
    assert table["baseline_revenue_usd"].tolist() == [200.0, 100.0, 5.0, 20.0, 0.0, 50.0]
    assert table["baseline_lp_volume"].tolist() == [20.0, 10.0, 1.0, 2.0, 0.0, 5.0]
    tur = table.iloc[2]  # only in the baseline: zeros, open, its unit from the fuel
    assert (tur["volume"], tur["revenue_usd"], tur["baseline_volume"], tur["closed"], tur["unit"]) == (
        0.0, 0.0, 0.0, False, "Mt")
    assert table["unit"].tolist() == ["bcm", "Mt", "Mt", "Mt", "Mt", "Mt"]
    assert outcome().revenue_change_usd == -220.0


def test_to_dict_by_hand() -> None:
    out = outcome().to_dict()
    assert out["exporter"] == "RUS" and out["year"] == 2023
    assert (out["baseline_revenue_usd"], out["scenario_revenue_usd"], out["revenue_change_usd"]) == (
        375.0, 155.0, -220.0)
    assert out["revenue_change_pct"] == pytest.approx(-220.0 / 3.75)
    assert out["shut_in"] == {"crude": {"volume": 1.0, "unit": "Mt"}, "pipeline_gas": {"volume": 20.0, "unit": "bcm"}}
    assert out["fiscal"] == dataclasses.asdict(FISCAL) and out["fiscal"]["change_rub_trn"] == -1.2
    # only buyers whose volume moved: not POL (2 -> 2) nor TUR (no scenario volume to compare)
    assert out["buyers"] == [
        {"buyer": "DEU", "fuel": "pipeline_gas", "unit": "bcm", "baseline_volume": 20.0, "volume": 0.0,
         "baseline_revenue_usd": 200.0, "revenue_usd": 0.0, "revenue_change_usd": -200.0, "closed": True},
        {"buyer": "DEU", "fuel": "crude", "unit": "Mt", "baseline_volume": 10.0, "volume": 0.0,
         "baseline_revenue_usd": 100.0, "revenue_usd": 0.0, "revenue_change_usd": -100.0, "closed": True},
        {"buyer": "IND", "fuel": "crude", "unit": "Mt", "baseline_volume": 0.0, "volume": 3.0,
         "baseline_revenue_usd": 0.0, "revenue_usd": 27.0, "revenue_change_usd": 27.0, "closed": False},
        {"buyer": "CHN", "fuel": "crude", "unit": "Mt", "baseline_volume": 5.0, "volume": 12.0,
         "baseline_revenue_usd": 50.0, "revenue_usd": 108.0, "revenue_change_usd": 58.0, "closed": False},
    ]
    assert all(type(b["closed"]) is bool for b in out["buyers"])
    assert out["duals"] == [
        {"route": "Druzhba", "fuel": "crude", "capacity": 50.0, "used": 12.0, "unit": "Mt", "value_usd_per_unit": 0.0},
        {"route": "Baltic ports", "fuel": "crude", "capacity": 15.0, "used": 15.0, "unit": "Mt",
         "value_usd_per_unit": 7.5},
    ]
    assert out["diagnostics"] == {"status": "optimal", "seconds": 1.5, "baseline_solve_seconds": 0.25,
                                  "scenario_solve_seconds": 0.75}
    assert out["notes"] == ["note one", "note two"]


def test_to_dict_without_a_fiscal_estimate() -> None:
    assert outcome(None).to_dict()["fiscal"] is None
