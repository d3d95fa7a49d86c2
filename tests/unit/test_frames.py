"""metrics_frame: a run's metrics as a labelled long table (names next to codes, registry meanings, units, the
ensemble's quantiles beside the central value)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import geoshift
from geoshift.results.frames import FRAME_COLUMNS, metrics_frame, place_name, sector_label
from geoshift.results.records import METRIC_COLUMNS, RunRecord
from geoshift.results.registry import REGISTRY
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World

ROWS = [
    ("real_income_change_pct", "RUS", "", "", -1.25, "%"),
    ("real_income_change_pct", "EU27", "", "", 0.5, "%"),
    ("real_income_change_pct", "WORLD", "", "", 0.1, "%"),
    ("real_income_change_pct_q05", "RUS", "", "", -2.0, "%"),
    ("real_income_change_pct_q50", "RUS", "", "", -1.3, "%"),
    ("real_income_change_pct_q95", "RUS", "", "", -0.5, "%"),
    ("bilateral_trade_change_pct", "USA", "CHN", "", -40.0, "%"),
    ("sector_output_change_pct", "DEU", "", "C19", 2.0, "%"),
    ("sensitivity_index_first_order", "RUS", "", "theta.C19", 0.7, "share"),
    ("ensemble_draw_real_income_change_pct", "RUS", "", "3", -1.1, "%"),
    ("energy_shut_in", "RUS", "", "pipeline_gas", 12.5, "bcm"),
    ("energy_revenue_change_pct", "RUS", "", "all", -8.0, "%"),
    ("energy_revenue_change_pct_q05", "RUS", "", "all", -12.0, "%"),
    ("energy_revenue_change_pct_q50", "RUS", "", "all", -8.5, "%"),
    ("energy_revenue_change_pct_q95", "RUS", "", "all", -4.0, "%"),
    ("some_old_metric", "XXY", None, None, 1.0, None),  # a store row from before the registry knew it
]


def record(rows: list[tuple[object, ...]]) -> RunRecord:
    return RunRecord(run_id="abc123def456", name="detente", description="", spec_yaml="", scenario_hash="h",
                     created="2026-01-01T00:00:00+00:00", metrics=pd.DataFrame(rows, columns=list(METRIC_COLUMNS)))


def test_every_row_is_labelled_field_by_field() -> None:
    frame = metrics_frame(record(ROWS))
    assert tuple(frame.columns) == FRAME_COLUMNS and len(frame) == len(ROWS)
    assert set(frame["run_id"]) == {"abc123def456"} and set(frame["scenario"]) == {"detente"}
    assert set(frame["kind"]) == {"scenario"}
    rus = frame.iloc[0]
    assert (rus["metric"], rus["country"], rus["country_name"], rus["unit"]) == (
        "real_income_change_pct", "RUS", "Russian Federation", "%")
    assert rus["metric_label"] == REGISTRY["real_income_change_pct"].description
    assert (rus["partner"], rus["partner_name"], rus["sector"], rus["sector_name"]) == ("", "", "", "")
    assert rus["value"] == -1.25
    assert (rus["q05"], rus["q50"], rus["q95"]) == (-2.0, -1.3, -0.5)
    assert frame.iloc[1]["country_name"] == "European Union (27 members)"
    assert frame.iloc[2]["country_name"] == "World"
    assert math.isnan(frame.iloc[1]["q05"])  # EU27 has no quantile rows in this record
    trade = frame.iloc[6]
    assert (trade["country_name"], trade["partner"], trade["partner_name"]) == ("United States", "CHN", "China")
    output = frame.iloc[7]
    assert (output["sector"], output["sector_name"]) == ("C19", "Manufacture of coke and refined petroleum products")
    assert frame.iloc[8]["sector_name"] == "trade elasticity of Manufacture of coke and refined petroleum products"
    assert frame.iloc[8]["unit"] == "share"
    assert frame.iloc[9]["sector_name"] == "draw 3"
    assert (frame.iloc[10]["unit"], frame.iloc[10]["sector_name"]) == ("bcm", "pipeline gas")
    energy = frame.iloc[11]
    assert (energy["sector_name"], energy["q05"], energy["q50"], energy["q95"]) == (
        "all sectors (or all fuels)", -12.0, -8.5, -4.0)
    old = frame.iloc[15]
    assert (old["metric_label"], old["unit"], old["country_name"], old["partner"], old["sector"]) == (
        "some_old_metric", "", "XXY", "", "")


def test_quantile_rows_stay_and_carry_no_quantiles_of_their_own() -> None:
    frame = metrics_frame(record(ROWS))
    q = frame[frame["metric"] == "real_income_change_pct_q05"]
    assert len(q) == 1 and q["value"].iloc[0] == -2.0 and q[["q05", "q50", "q95"]].isna().all(axis=None)


def test_a_world_s_own_sector_names_take_precedence(small_world: World) -> None:
    frame = metrics_frame(record(ROWS), sector_names=dict(zip(small_world.sectors, small_world.sector_names,
                                                              strict=True)) | {"C19": "Refined oil"})
    assert frame.iloc[7]["sector_name"] == "Refined oil"
    assert frame.iloc[8]["sector_name"] == "trade elasticity of Refined oil"


def test_an_empty_record_gives_an_empty_frame_with_the_columns() -> None:
    frame = metrics_frame(record([]))
    assert frame.empty and tuple(frame.columns) == FRAME_COLUMNS


def test_the_frame_of_a_real_run_with_draws(small_world: World) -> None:
    text = """name: frames
uncertainty:
  elasticities:
    B06: {dist: uniform, low: 3, high: 12}
  draws: 16
  seed: 2
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
"""
    results = geoshift.run(parse_scenario(text), small_world)
    frame = results.to_frame()
    assert len(frame) == len(results.metrics)
    rows = frame[frame["metric"] == "real_income_change_pct"].set_index("country")
    assert set(rows.index) == {"CHN", "RUS", "USA", "WORLD"}
    m = results.metrics
    for country in ("RUS", "WORLD"):
        for level in ("q05", "q50", "q95"):
            stored = m[(m["metric"] == f"real_income_change_pct_{level}") & (m["country"] == country)]["value"]
            assert rows.at[country, level] == float(stored.iloc[0])
        assert rows.at[country, "q05"] <= rows.at[country, "q50"] <= rows.at[country, "q95"]
    assert rows.at["RUS", "country_name"] == "Russian Federation"
    assert np.all(frame["unit"] != "") or set(frame.loc[frame["unit"] == "", "metric"]) <= {"trade_elasticity",
                                                                                            "trade_elasticity_low",
                                                                                            "trade_elasticity_high"}


@pytest.mark.parametrize(("code", "name"), [("CHN", "China"), ("EU27", "European Union (27 members)"),
                                            ("median", "median"), ("", "")])
def test_place_names(code: str, name: str) -> None:
    assert place_name(code) == name


def test_sector_labels() -> None:
    assert sector_label("B06") == "Extraction of crude petroleum and natural gas"
    assert sector_label("energy") == "energy (sector group)"
    assert sector_label("outcome w/w/n") == "outcome w/w/n"
