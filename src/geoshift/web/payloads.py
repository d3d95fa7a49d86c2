"""Stored runs and library results as the API's JSON: metrics as labelled rows (codes with country and sector
names, units), the real-income headline and its 5/50/95 % bands, two runs side by side."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from geoshift.commands.common import real_income as cli_real_income
from geoshift.commands.runs import compare_frame, labelled_comparison
from geoshift.results.frames import metrics_frame
from geoshift.results.records import KEY_COUNTRIES, WORLD, RunRecord
from geoshift.results.registry import REGISTRY
from geoshift.world import World

HEADLINE = (WORLD, *KEY_COUNTRIES, "EU27")
BANDS = ("q05", "q50", "q95")
ROW_COLUMNS = ("metric", "unit", "country", "country_name", "partner", "partner_name", "sector",
               "sector_name", "value", *BANDS)
COMPARE_COLUMNS = ("metric", "unit", "country", "country_name", "partner", "partner_name", "sector", "sector_name",
                   "value_a", "value_b", "difference")


def sector_names(world: World) -> dict[str, str]:
    return dict(zip(world.sectors, world.sector_names, strict=True))


def _number(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _rows(frame: pd.DataFrame, columns: tuple[str, ...], numbers: tuple[str, ...]) -> list[dict[str, Any]]:
    data = {c: frame[c].tolist() for c in columns}
    cleaned = {c: [_number(v) for v in data[c]] if c in numbers else [str(v) for v in data[c]] for c in columns}
    return [dict(zip(columns, values, strict=True)) for values in zip(*cleaned.values(), strict=True)]


def real_income(record: RunRecord) -> dict[str, float]:
    """Real income, % change, by country code, from a run's metrics (the CLI's reading, finite values only: JSON
    has no NaN)."""
    return {str(c): float(v) for c, v in cli_real_income(record).items() if math.isfinite(v)}


def real_income_level(record: RunRecord, level: str) -> dict[str, float]:
    rows = record.metric(f"real_income_change_pct_{level}")
    return {str(c): float(v) for c, v in zip(rows["country"], rows["value"], strict=True)}


def real_income_bands(record: RunRecord) -> dict[str, dict[str, float]]:
    """5/50/95 % of the real-income change over the run's draws, by country ({} without draws)."""
    levels = {q: real_income_level(record, q) for q in BANDS}
    return {c: {q: levels[q][c] for q in BANDS} for c in levels["q05"] if all(c in levels[q] for q in BANDS)}


def metric_rows(record: RunRecord, sectors: Mapping[str, str]) -> list[dict[str, Any]]:
    """Every metric as a labelled row (the table ``geoshift runs show --csv`` exports): codes with names, the
    unit, the value and, where the run drew its uncertainty, the 5/50/95 % of the same metric."""
    return _rows(metrics_frame(record, sector_names=sectors), ROW_COLUMNS, ("value", *BANDS))


def run_summary(record: RunRecord) -> dict[str, Any]:
    income = real_income(record)
    return {"run_id": record.run_id, "kind": record.kind, "name": record.name, "description": record.description,
            "created": record.created, "scenario_hash": record.scenario_hash,
            "real_income_change_pct": {c: income[c] for c in HEADLINE if c in income}}


def run_detail(record: RunRecord, sectors: Mapping[str, str]) -> dict[str, Any]:
    return {"run_id": record.run_id, "kind": record.kind, "name": record.name, "description": record.description,
            "parent": record.parent, "created": record.created, "scenario_hash": record.scenario_hash,
            "data_key": record.data_key, "code_key": record.code_key, "spec_yaml": record.spec_yaml,
            "diagnostics": record.diagnostics, "real_income_change_pct": real_income(record),
            "real_income_change_pct_bands": real_income_bands(record), "metrics": metric_rows(record, sectors),
            "metric_labels": {name: REGISTRY[name].description for name in sorted(set(record.metrics["metric"]))
                              if name in REGISTRY}}


def comparison(a: RunRecord, b: RunRecord, *, all_metrics: bool) -> dict[str, Any]:
    """B minus A, metric by metric, as ``geoshift compare A B`` (the headline metrics of the key countries
    unless ``all_metrics``), labelled."""
    frame = labelled_comparison(a, b, compare_frame(a, b, all_metrics)).fillna({"country": "", "partner": "",
                                                                               "sector": "", "unit": ""})
    return {"a": {"run_id": a.run_id, "name": a.name}, "b": {"run_id": b.run_id, "name": b.name},
            "rows": _rows(frame, COMPARE_COLUMNS, ("value_a", "value_b", "difference"))}
