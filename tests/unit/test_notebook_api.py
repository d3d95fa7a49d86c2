"""The notebook API: labelled frames of a run and of the World, short reprs (never a whole array), and geoshift.run()
recording in the store $GEOSHIFT_STORE names."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import geoshift
from geoshift.data.countries import country_name
from geoshift.errors import UnknownValueError
from geoshift.results.ensemble import run_ensemble
from geoshift.results.frames import ensemble_repr, record_repr, record_repr_html
from geoshift.results.run import Runner, configured_store
from geoshift.results.store import RunStore
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World

ENSEMBLE = """name: notebook
uncertainty:
  elasticities:
    B06: {dist: uniform, low: 3, high: 12}
  draws: 12
  seed: 5
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
"""
PLAIN = "name: plain\nshocks:\n  - {kind: trade_cost, exporters: CHN, importers: USA, percent: 10}\n"


@pytest.fixture(autouse=True)
def no_configured_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEOSHIFT_STORE", raising=False)


def short(text: str, max_lines: int = 12) -> None:
    lines = text.splitlines()
    assert 1 <= len(lines) <= max_lines, text
    assert all(len(line) <= 160 for line in lines), text
    assert "array(" not in text and "DataFrame" not in text and "spec_yaml" not in text


def test_results_repr_is_short_and_says_what_the_run_found(small_world: World) -> None:
    results = geoshift.run(parse_scenario(ENSEMBLE), small_world)
    text = repr(results)
    short(text)
    rus = results.to_frame().query("metric == 'real_income_change_pct' and country == 'RUS'").iloc[0]
    assert text.startswith(f"<Results notebook (scenario), run {results.record.run_id}")
    assert f"RUS {rus['value']:+.3f} % (5–95 %: {rus['q05']:+.3f} to {rus['q95']:+.3f})" in text
    assert "12 lhs draws" in text and "converged" in text and "iterations" in text
    html = results._repr_html_()
    assert "<table>" in html and "Russian Federation" in html and "5–95 %" in html and len(html) < 4000


def test_repr_without_draws_and_of_a_reused_run(small_world: World, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    first = geoshift.run(parse_scenario(PLAIN), small_world, store=store)
    short(repr(first))
    assert "5–95" not in repr(first) and "reused" not in repr(first)
    again = geoshift.run(parse_scenario(PLAIN), small_world, store=store)
    assert again.reused and "reused from the store" in repr(again)
    text = record_repr(again.record)
    short(text)
    assert text.startswith("<RunRecord plain (scenario)") and "WORLD" in text
    assert "<caption>RunRecord <b>plain</b>" in record_repr_html(again.record)
    assert repr(again.record) == text and again.record._repr_html_() == record_repr_html(again.record)


def test_ensemble_repr_is_short(small_world: World) -> None:
    scenario = parse_scenario(ENSEMBLE)
    runner = Runner(small_world)
    arrays = shock_arrays(small_world, scenario)
    from geoshift.engines.trade_ge import solve_multisector, theta_for

    theta = theta_for(small_world.sectors, scenario.elasticities)
    cal = runner.calibration(scenario, theta)
    central = solve_multisector(cal, arrays.tau_hat, theta)
    ensemble = run_ensemble(small_world, scenario, cal, arrays, theta, central)
    text = ensemble_repr(ensemble)
    short(text)
    q = ensemble.quantiles()
    rus = ensemble.names.index("RUS")
    assert text.startswith("<EnsembleResult 12 lhs draws (seed 5, serial") and repr(ensemble) == text
    assert f"RUS: real income {ensemble.central[rus]:+.3f} % (5/50/95 %: {q[0, rus]:+.3f} / {q[1, rus]:+.3f} / " \
           f"{q[2, rus]:+.3f})" in text


def test_world_repr_and_frames(small_world: World) -> None:
    short(repr(small_world))
    assert repr(small_world).startswith("<World 2022 (ICIO, USD million): 3 countries x 3 sectors")
    assert "<table>" in small_world._repr_html_()
    countries = small_world.to_frame("countries")
    assert list(countries["country_name"]) == ["China", "Russian Federation", "United States"]
    np.testing.assert_allclose(countries["value_added"], small_world.income)
    np.testing.assert_allclose(countries["exports"] - countries["imports"], -small_world.deficit)
    sectors = small_world.to_frame("sectors")
    assert list(sectors[["sector", "sector_name", "group"]].itertuples(index=False, name=None)) == [
        ("B06", "Crude petroleum and natural gas", "energy"), ("C24A", "Basic iron and steel", "metals"),
        ("G", "Trade", "services")]
    output = small_world.to_frame("output")
    assert len(output) == 9
    row = output[(output["country"] == "RUS") & (output["sector"] == "C24A")].iloc[0]
    assert row["country_name"] == "Russian Federation" and row["sector_name"] == "Basic iron and steel"
    assert row["gross_output"] == small_world.gross_output[1, 1]
    trade = small_world.to_frame("trade")
    assert len(trade) == 3 * 2 * 3 and not (trade["exporter"] == trade["importer"]).any()
    oil = trade[(trade["exporter"] == "RUS") & (trade["importer"] == "USA") & (trade["sector"] == "B06")].iloc[0]
    assert (oil["exporter_name"], oil["importer_name"]) == ("Russian Federation", "United States")
    assert oil["intermediate"] == 1.0 and oil["value"] == oil["intermediate"] + oil["final"]
    assert trade["value"].sum() == pytest.approx(small_world.summary()["world_trade"])


def test_an_unknown_world_table_is_one_clear_line(small_world: World) -> None:
    with pytest.raises(UnknownValueError, match=r"^unknown World table 'trades'; use one of countries, sectors, "
                                                r"output, trade$"):
        small_world.to_frame("trades")


def test_run_records_in_the_store_geoshift_store_names(small_world: World, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_store() is None
    assert geoshift.run(parse_scenario(PLAIN), small_world).record.run_id  # no store: nothing written
    path = tmp_path / "env" / "runs.duckdb"
    assert not path.exists()
    monkeypatch.setenv("GEOSHIFT_STORE", str(path))
    store = configured_store()
    assert store is not None and store.path == path
    first = geoshift.run(parse_scenario(PLAIN), small_world)
    assert not first.reused and path.is_file()
    stored = RunStore(path).get(first.record.run_id)
    assert stored.name == "plain" and len(stored.metrics) == len(first.metrics)
    again = geoshift.run(parse_scenario(PLAIN), small_world)
    assert again.reused and again.record.run_id == first.record.run_id
    other = tmp_path / "explicit.duckdb"  # an explicit store= wins over the environment
    explicit = geoshift.run(parse_scenario(PLAIN), small_world, store=RunStore(other))
    assert not explicit.reused and other.is_file() and len(RunStore(path).list()) == 1


@pytest.mark.realdata
def test_the_real_world_as_labelled_frames(real_world: World) -> None:
    countries = real_world.to_frame("countries")
    assert len(countries) == len(real_world.countries)
    unnamed = set(countries.loc[countries["country"] == countries["country_name"], "country"])
    assert unnamed <= {"ROW"}, unnamed  # every ISO3 code has a name
    assert countries.set_index("country").at["RUS", "country_name"] == country_name("RUS") == "Russian Federation"
    sectors = real_world.to_frame("sectors")
    assert (sectors["sector"] != sectors["sector_name"]).all() and set(sectors["group"]) <= {
        "agriculture", "energy", "metals", "manufacturing", "services"}
    trade = real_world.to_frame("trade")
    assert trade["value"].sum() == pytest.approx(real_world.summary()["world_trade"], rel=1e-12)
    short(repr(real_world))
