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
from geoshift.data.groups import group_members
from geoshift.engines.energy.facts import fiscal
from geoshift.engines.trade_ge import theta_for
from geoshift.report.html import write_report
from geoshift.results.records import RunRecord
from geoshift.results.run import Results, Runner
from geoshift.results.store import RunNotFoundError, RunStore
from geoshift.scenario.shipped import SHIPPED_ORDER, shipped_scenarios
from geoshift.scenario.spec import parse_scenario
from geoshift.world import World

BASELINE_TOL = 1e-10
WELFARE_PP = 1e-7  # real income in %, solve to 1e-10 in log prices; the formula meets it to ~3e-9
AGGREGATE_PP = 1e-10  # a weighted mean or a ratio of stored numbers, in %
REVENUE_RTOL = 1e-12  # sums of BACI values and the fiscal rule
DIRECT_RTOL = 1e-12  # the same tau_hat solved twice
DIRECT_DETENTE = """\
name: direct_detente
shocks:
  - {kind: embargo, exporters: RUS, importers: [CAN, GBR, JPN, NOR, CHE, AUS, NZL, KOR, ISL], sectors: [energy, metals]}
uncertainty: {elasticities: default, draws: 64, seed: 0}  # as inherited from west_embargo_russia: same draws too
"""
SECTIONS = ("summary", "sensitivity", "winners-losers", "bilateral", "sectors", "energy", "centrality", "charts",
            "scenarios", "provenance")

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
def runs(real_world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Results]:
    store = RunStore(tmp_path_factory.mktemp("store") / "runs.duckdb")
    scenarios = [geoshift.load_scenario(p) for p in shipped_scenarios()]
    results = Runner(real_world, store).run_many(scenarios)
    return {r.record.name: r for r in results}


@pytest.fixture(scope="module")
def records(runs: dict[str, Results]) -> dict[str, RunRecord]:
    return {name: r.record for name, r in runs.items()}


def income_weights(world: World) -> pd.Series:
    """Baseline income I_n = VA_n + D_n = sum_j F[n, j] (final expenditure) with fixed deficits."""
    return pd.Series(np.asarray(world.final_demand, dtype=np.float64).sum(axis=1), index=list(world.countries))


def domestic_share_real_income_pct(world: World, X_new: np.ndarray, wage_pct: pd.Series) -> pd.Series:
    """Caliendo & Parro's welfare formula, from the World's arrays, the new flows and the reported wage changes.

    A country buys its own goods at P = c pi_nn^(1/theta) relative to the baseline (price index and trade share of
    the domestic pair, tau_nn = 1), and c = w^gamma_va prod_k P_k^gamma_k, so log P solves the linear system
    (I - gamma^T) log P = gamma_va log w + log(pi'_nn / pi_nn) / theta; real income = I'/I / prod_j P_j^alpha_j.
    Only countries that produce every good they buy (pi_nn > 0 wherever they spend) have the formula."""
    X = np.asarray(world.X, dtype=np.float64)
    F = np.asarray(world.final_demand, dtype=np.float64)
    VA = np.asarray(world.value_added, dtype=np.float64)
    Y, E = X.sum(axis=1), X.sum(axis=0)
    theta = theta_for(world.sectors)
    out = {}
    for n, country in enumerate(world.countries):
        active = E[n] > 0
        if np.any(active & (X[n, n] <= 0)):
            continue
        w_hat = 1.0 + wage_pct[country] / 100.0
        with np.errstate(divide="ignore", invalid="ignore"):  # sectors nobody buys are masked out below
            pi_hat = (X_new[n, n] / X_new[:, n].sum(axis=0)) / (X[n, n] / E[n])
            gamma_va = VA[n] / Y[n]
            gamma = world.use[n] / Y[n][None, :]  # [input k, user j]
            rhs = np.where(active, gamma_va * np.log(w_hat) + np.log(pi_hat) / theta, 0.0)
        system = np.eye(len(world.sectors)) - np.where(active[:, None], gamma.T, 0.0)
        log_P = np.linalg.solve(system, rhs)
        income = (w_hat * VA[n].sum() + F[n].sum() - VA[n].sum()) / F[n].sum()
        out[country] = 100.0 * (income / np.exp(F[n] / F[n].sum() @ log_P) - 1.0)
    return pd.Series(out)


def metric(record: RunRecord, name: str) -> pd.Series:
    rows = record.metric(name)
    return rows.set_index("country")["value"]


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

    @pytest.mark.parametrize("name", ["west_embargo_russia", "us_russia_detente", "russia_pivots_west",
                                      "china_russia_decouple"])
    def test_real_income_follows_the_domestic_share_formula(self, runs: dict[str, Results], real_world: World,
                                                             name: str) -> None:
        run = runs[name]
        assert run.ge is not None
        stored = real_income(run.record)
        expected = domestic_share_real_income_pct(real_world, run.ge.X_new, metric(run.record, "wage_change_pct"))
        assert len(expected) > 50 and {"RUS", "CHN", "USA", "JPN", "IND"} <= set(expected.index)
        np.testing.assert_allclose(stored[expected.index], expected, rtol=0, atol=WELFARE_PP)

    def test_west_embargo_aggregates_and_the_square(self, runs: dict[str, Results], real_world: World) -> None:
        run = runs["west_embargo_russia"]
        assert run.ge is not None
        values = real_income(run.record)
        weights = income_weights(real_world)
        countries = list(real_world.countries)
        assert values["WORLD"] == pytest.approx((values[countries] * weights).sum() / weights.sum(), abs=AGGREGATE_PP)
        eu = [c for c in group_members("EU27", 2024) if c in countries]
        assert values["EU27"] == pytest.approx((values[eu] * weights[eu]).sum() / weights[eu].sum(), abs=AGGREGATE_PP)
        # Russia's sales to the EU: its energy and metals are embargoed (exactly zero), the rest is what is left
        rus, members = countries.index("RUS"), [countries.index(c) for c in eu]
        barred = [s for s, g in enumerate(real_world.sector_group) if g in ("energy", "metals")]
        open_ = [s for s in range(len(real_world.sectors)) if s not in barred]
        assert np.all(run.ge.X_new[rus][np.ix_(members, barred)] == 0.0)
        old = float(np.asarray(real_world.X)[rus][members].sum())
        new = float(run.ge.X_new[rus][np.ix_(members, open_)].sum())
        square = run.record.metric("bilateral_trade_change_pct").set_index(["country", "partner"])["value"]
        baseline = run.record.metric("bilateral_trade_baseline_usd").set_index(["country", "partner"])["value"]
        assert baseline[("RUS", "EU27")] == pytest.approx(old * 1e6, rel=1e-12)
        assert square[("RUS", "EU27")] == pytest.approx(100.0 * (new / old - 1.0), abs=AGGREGATE_PP)

    def test_energy_results_of_the_shipped_set(self, records: dict[str, RunRecord], real_world: World) -> None:
        """Russia's energy exports of the last BACI year, rerouted. Closed forms: Power of Siberia reaches only China,
        so when China stops buying Russian energy exactly China's pipeline gas is shut in and its revenue lost; the
        budget effect follows the tax-take rule, share = (O + O g) / (T + O g) with g the relative change of oil
        & gas export revenue. (No energy shock, no change: test_baseline_changes_nothing.) The baseline revenue is
        BACI plus ICIO C19 products less what the EU embargoes in force in 2024 bar (eu_energy_embargoes.csv): crude
        to EU members other than the Druzhba pipeline buyers CZE, HUN, SVK (BACI 2024: NLD, US$ 0.67 bn),
        coal to EU members (US$ 0.08 bn) and products to EU members (ICIO 2022: US$ 44.94 bn)."""
        year = real_world.baci_years[-1]
        baci = real_world.baci[(real_world.baci["year"] == year) & (real_world.baci["exporter"] == "RUS")
                               & (real_world.baci["importer"] != "RUS")]
        fuel_of = {270900: "crude", 271111: "lng", 271121: "pipeline_gas", 270111: "coal", 270112: "coal",
                   270119: "coal", 270210: "coal", 270220: "coal"}
        baci = baci[baci["hs6"].isin(list(fuel_of))].assign(fuel=lambda f: f["hs6"].map(fuel_of))
        by_buyer = baci.groupby(["fuel", "importer"])["value_usd"].sum()
        kept = by_buyer[by_buyer >= 1e-4 * by_buyer.groupby(level="fuel").transform("sum")]  # reporting noise out
        eu = set(group_members("EU27", year))
        embargoed = {"crude": eu - {"CZE", "HUN", "SVK"}, "coal": eu}
        kept = kept[[buyer not in embargoed.get(fuel, set()) for fuel, buyer in kept.index]]
        rus, c19 = real_world.countries.index("RUS"), real_world.sectors.index("C19")
        outside_eu = [n for n, c in enumerate(real_world.countries) if n != rus and c not in eu]
        revenue = {**kept.groupby(level="fuel").sum().to_dict(),
                   "products": float(np.asarray(real_world.X)[rus, outside_eu, c19].sum()) * 1e6}
        oil_gas = ("crude", "products", "pipeline_gas", "lng")
        fiscal_rows = fiscal()
        fiscal_rows = fiscal_rows[fiscal_rows["year"] == year].set_index("quantity")["value"]
        og, total = float(fiscal_rows["oil_gas_revenue"]), float(fiscal_rows["total_revenue"])

        def energy(name: str) -> pd.Series:
            m = records[name].metrics
            return m[m["metric"].str.startswith("energy")].set_index(["metric", "sector"])["value"]

        for name in ("west_embargo_russia", "russia_pivots_west"):
            e = energy(name)
            assert e[("energy_baseline_revenue_usd", "all")] == pytest.approx(sum(revenue.values()), rel=REVENUE_RTOL)
            changes = {fuel: e[("energy_revenue_change_usd", fuel)] for fuel in revenue}
            assert e[("energy_revenue_change_usd", "all")] == pytest.approx(sum(changes.values()), rel=REVENUE_RTOL)
            g = sum(changes[f] for f in oil_gas) / sum(revenue[f] for f in oil_gas)
            assert e[("energy_budget_share_before_pct", "")] == pytest.approx(100.0 * og / total, rel=REVENUE_RTOL)
            assert e[("energy_budget_share_after_pct", "")] == pytest.approx(
                100.0 * og * (1.0 + g) / (total + og * g), rel=REVENUE_RTOL)
            assert e[("energy_budget_change_rub_trn", "")] == pytest.approx(og * g, rel=REVENUE_RTOL)
        china = baci[(baci["importer"] == "CHN") & (baci["fuel"] == "pipeline_gas")]
        pivot = energy("russia_pivots_west")
        assert pivot[("energy_shut_in", "pipeline_gas")] == pytest.approx(
            china["quantity_t"].sum() / 1e6 * 1.36, rel=REVENUE_RTOL)  # Mt of gas -> bcm
        assert pivot[("energy_revenue_change_usd", "pipeline_gas")] == pytest.approx(-china["value_usd"].sum(),
                                                                                   rel=REVENUE_RTOL)

    def test_detente_is_the_embargo_of_the_rest_of_the_coalition(self, records: dict[str, RunRecord],
                                                                  real_world: World) -> None:
        """Lifting the U.S. and EU embargo leaves the 2022 coalition's other members (G7 without the U.S. and the EU
        members, and NOR, CHE, AUS, NZL, KOR, ISL): the same run as a scenario that embargoes only them."""
        direct = Runner(real_world).run(parse_scenario(DIRECT_DETENTE, "direct_detente.yaml"))
        got = records["us_russia_detente"].metrics
        assert got[["metric", "country", "partner", "sector"]].equals(direct.metrics[["metric", "country", "partner",
                                                                                       "sector"]])
        np.testing.assert_allclose(got["value"], direct.metrics["value"], rtol=DIRECT_RTOL, atol=0)

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
    block = re.search(r"```yaml\n(# my_scenario\.yaml\n.*?)```", readme, flags=re.S)
    assert block is not None
    path = tmp_path / "my_scenario.yaml"
    path.write_text(block.group(1))
    result = geoshift.run(geoshift.load_scenario(path), real_world)
    assert result.diagnostics["converged"]
    assert result.scenario.extends == "west_embargo_russia"
    assert not result.record.metric("tariff_revenue_usd").empty
