"""From YAML to stored runs to the HTML report, on the example World and on the real World."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geoshift
from geoshift.report.html import write_report
from geoshift.results.records import RunRecord
from geoshift.results.run import Runner
from geoshift.results.store import RunNotFoundError, RunStore
from geoshift.scenario.shipped import SHIPPED_ORDER, shipped_scenarios
from geoshift.world import World

BASELINE_TOL = 1e-10
SECTIONS = ("summary", "winners-losers", "bilateral", "sectors", "energy", "charts", "scenarios", "provenance")

EXAMPLE = """\
# a small scenario for the example World
name: example_embargo
description: Russia's energy trade with the U.S. stops; China taxes U.S. steel.
shocks:
  - kind: embargo
    exporters: RUS
    importers: USA
    sectors: energy
  - kind: tariff
    exporters: USA
    importers: CHN
    sectors: [C24A]
    percent: 25
"""


def real_income(record: RunRecord) -> pd.Series:
    rows = record.metric("real_income_change_pct")
    return rows.set_index("country")["value"]


def test_example_world_from_yaml_to_report(tmp_path: Path, small_world: World) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(EXAMPLE)
    scenario = geoshift.load_scenario(path)
    store = RunStore(tmp_path / "runs.duckdb")
    result = geoshift.run(scenario, small_world, store=store)
    assert isinstance(result.metrics, pd.DataFrame) and result.diagnostics["converged"]
    values = real_income(result.record)
    assert values["RUS"] < 0 and set(values.index) == {"CHN", "RUS", "USA", "WORLD"}
    assert result.record.metric("tariff_revenue_usd")["country"].tolist() == ["CHN"]
    again = geoshift.run(scenario, small_world, store=store)
    assert again.reused and again.record.run_id == result.record.run_id
    pd.testing.assert_frame_equal(again.metrics, result.metrics, check_dtype=False)
    forced = geoshift.run(scenario, small_world, store=store, force=True)
    assert not forced.reused and forced.record.run_id != result.record.run_id
    report = write_report([result.record], tmp_path / "out" / "report.html")
    html = report.read_text()
    for section in SECTIONS:
        assert f'<section id="{section}"' in html
    assert "example_embargo" in html and result.record.scenario_hash in html


def test_store_writes_are_transactional(tmp_path: Path, small_world: World) -> None:
    path = tmp_path / "example.yaml"
    path.write_text(EXAMPLE)
    store = RunStore(tmp_path / "runs.duckdb")
    good = geoshift.run(geoshift.load_scenario(path), small_world, store=store)
    broken = RunRecord(run_id="broken", name="x", description="", spec_yaml="", scenario_hash="h", created="now",
                       metrics=good.metrics.drop(columns="value"))  # the metrics insert fails half-way
    with pytest.raises(Exception):  # noqa: B017 - whatever DuckDB raises, the run row must be rolled back
        store.save(broken)
    assert [r.run_id for r in store.list()] == [good.record.run_id]
    with pytest.raises(RunNotFoundError, match="stored: example_embargo"):
        store.get("nope")
    assert store.get("example_embargo").run_id == good.record.run_id
    assert store.get(good.record.run_id[:6]).run_id == good.record.run_id


@pytest.fixture(scope="module")
def records(real_world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, RunRecord]:
    store = RunStore(tmp_path_factory.mktemp("store") / "runs.duckdb")
    scenarios = [geoshift.load_scenario(p) for p in shipped_scenarios()]
    results = Runner(real_world, store).run_many(scenarios)
    return {r.record.name: r.record for r in results}


@pytest.mark.realdata
class TestShippedSet:
    def test_all_shipped_scenarios_run_and_converge(self, records: dict[str, RunRecord]) -> None:
        assert list(records) == list(SHIPPED_ORDER)
        for record in records.values():
            assert record.diagnostics["converged"] and record.diagnostics["residual"] <= 1e-10

    def test_baseline_changes_nothing(self, records: dict[str, RunRecord]) -> None:
        metrics = records["baseline"].metrics
        changes = metrics[metrics["metric"].str.endswith("_change_pct")]["value"].to_numpy()
        assert np.max(np.abs(changes)) < BASELINE_TOL
        energy = metrics[metrics["metric"].isin(["energy_revenue_change_usd", "energy_shut_in"])]["value"]
        baseline_revenue = float(metrics[metrics["metric"] == "energy_baseline_revenue_usd"]["value"].iloc[0])
        assert np.max(np.abs(energy.to_numpy())) < 1e-9 * baseline_revenue

    def test_west_embargo_hurts_russia_and_costs_the_world_a_little(self, records: dict[str, RunRecord]) -> None:
        values = real_income(records["west_embargo_russia"])
        assert values["RUS"] < 0.0
        assert "RUS" in values.drop("WORLD").nsmallest(5).index  # among the five biggest losers
        assert -1.0 < values["WORLD"] < 0.0  # a loss, and well under one percent of world real income
        square = records["west_embargo_russia"].metric("bilateral_trade_change_pct").set_index(["country", "partner"])
        assert square.loc[("RUS", "EU27"), "value"] < -10.0  # energy and metals were most of it

    def test_energy_results_of_the_shipped_set(self, records: dict[str, RunRecord]) -> None:
        def energy(name: str) -> pd.Series:
            m = records[name].metrics
            return m[m["metric"].str.startswith("energy")].set_index(["metric", "sector"])["value"]

        embargo, pivot = energy("west_embargo_russia"), energy("russia_pivots_west")
        assert embargo[("energy_revenue_change_usd", "all")] < 0
        assert pivot[("energy_shut_in", "pipeline_gas")] > 0  # Power of Siberia gas has no buyer but China
        assert pivot[("energy_budget_share_after_pct", "")] < pivot[("energy_budget_share_before_pct", "")]
        assert energy("china_russia_decouple")[("energy_revenue_change_usd", "all")] == pytest.approx(0.0, abs=1.0)

    def test_detente_undoes_part_of_the_embargo(self, records: dict[str, RunRecord]) -> None:
        embargo, detente = real_income(records["west_embargo_russia"]), real_income(records["us_russia_detente"])
        assert embargo["RUS"] < detente["RUS"] < 0.0

    def test_report_of_the_shipped_set(self, records: dict[str, RunRecord], tmp_path: Path) -> None:
        html = write_report(list(records.values()), tmp_path / "report.html").read_text()
        assert all(f'<section id="{s}"' in html for s in SECTIONS)
        assert all(name in html for name in SHIPPED_ORDER)
        assert html.count("plotly.js v") == 1
        energy = html[html.index('<section id="energy"'):html.index('<section id="charts"')]
        pivot = records["russia_pivots_west"].metrics.set_index(["metric", "sector"])["value"]
        assert f"{pivot[('energy_revenue_change_usd', 'all')] / 1e9:+,.2f}" in energy
        assert f"{pivot[('energy_budget_share_after_pct', '')]:.1f}" in energy
        assert not re.search(r'<script[^>]+src=', html)


def geoshift_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geoshift", *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


@pytest.mark.realdata
def test_cli_run_runs_show_compare(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    out = tmp_path / "out"
    files = [str(p) for p in shipped_scenarios()[:2]]
    result = geoshift_cli("run", *files, "--out", str(out), "--json", env=env)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert [r["name"] for r in payload["runs"]] == ["baseline", "west_embargo_russia"]
    assert (out / "report.html").is_file()
    again = json.loads(geoshift_cli("run", *files, "--out", str(out), "--json", env=env).stdout)
    assert all(r["reused"] for r in again["runs"])
    listed = json.loads(geoshift_cli("runs", "list", "--json", env=env).stdout)
    assert {r["name"] for r in listed} == {"baseline", "west_embargo_russia"}
    shown = json.loads(geoshift_cli("runs", "show", "west_embargo_russia", "--json", env=env).stdout)
    assert shown["scenario_hash"] == payload["runs"][1]["scenario_hash"] and shown["metrics"]
    compared = json.loads(geoshift_cli("compare", "baseline", "west_embargo_russia", "--json", env=env).stdout)
    rus = next(r for r in compared["rows"] if r["metric"] == "real_income_change_pct" and r["country"] == "RUS")
    assert rus["value_a"] == pytest.approx(0.0, abs=BASELINE_TOL) and rus["difference"] < 0


BAD = [
    ("name: x\nshocks: [\n", "YAML syntax error"),
    ("name: x\nshockz: []\n", "unknown key 'shockz' (did you mean 'shocks'?)"),
    ("name: x\nshocks:\n  - {kind: embargo, exporters: RUX, importers: USA}\n", "closest: RUS"),
    ("name: x\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B6]}\n", "closest: B06"),
    ("name: x\nshocks:\n  - {kind: trade_cost, exporters: RUS, importers: USA, percent: -150}\n", "out of range"),
    ("name: x\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA}\n"
     "  - {kind: sanctions_relief, exporters: RUS, importers: USA}\n", "contradict"),
]


@pytest.mark.realdata
@pytest.mark.parametrize(("text", "message"), BAD)
def test_cli_bad_scenarios_write_nothing(cli_env: dict[str, str], tmp_path: Path, text: str, message: str) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: good\nshocks: []\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    store = tmp_path / "runs.duckdb"
    out = tmp_path / "out"
    result = geoshift_cli("run", str(good), str(bad), "--out", str(out), env={**cli_env, "GEOSHIFT_STORE": str(store)})
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and not store.exists()


@pytest.mark.realdata
def test_the_readme_example_scenario_runs(real_world: World, tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", readme, flags=re.S)
    assert block is not None
    path = tmp_path / "my_scenario.yaml"
    path.write_text(block.group(1))
    result = geoshift.run(geoshift.load_scenario(path), real_world)
    assert result.diagnostics["converged"]
    assert result.scenario.extends == "west_embargo_russia"
    assert not result.record.metric("tariff_revenue_usd").empty
