"""One question, one answer: the same shock asked through ``geoshift ge``, a scenario file run by ``geoshift run``
(read back from the store), the scenario that ``ge --print-scenario`` writes, and the Python API gives identical
metrics. ``ge`` used to resolve groups at 2022 membership on its own path (Finland +0.004 % under an embargo on
NATO, -0.48 % from a scenario file)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoshift.engines.energy.baseline import energy_baseline
from geoshift.results.run import Runner
from geoshift.scenario.spec import load_scenario
from geoshift.world import World

pytestmark = pytest.mark.realdata

SAME_NUMBER = 1e-12  # one solve, one set of metrics: paths may differ only in float formatting through JSON

SCENARIO = """\
name: nato_embargo
description: Russia and NATO stop trading.
shocks:
  - {kind: embargo, exporters: RUS, importers: NATO, sectors: all}
"""


def geoshift(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geoshift", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300, check=False)


def frame(records: list[dict[str, object]]) -> pd.Series:
    metrics = pd.DataFrame(records)
    metrics = metrics[~metrics["metric"].str.startswith("energy_")]  # the LP's baseline year is the same too,
    return metrics.set_index(["metric", "country", "partner", "sector"])["value"].sort_index()


def test_ge_flags_scenario_file_printed_scenario_and_api_agree(cli_env: dict[str, str], tmp_path: Path,
                                                               real_world: World) -> None:
    env = {**cli_env, "GEOSHIFT_STORE": str(tmp_path / "runs.duckdb")}
    quick = geoshift("ge", "--embargo", "RUS:NATO", "--json", env=env, cwd=tmp_path)
    assert quick.returncode == 0, quick.stderr
    from_ge = json.loads(quick.stdout)
    assert from_ge["group_year"] == 2024
    printed = geoshift("ge", "--embargo", "RUS:NATO", "--print-scenario", env=env, cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    (tmp_path / "printed.yaml").write_text(printed.stdout, encoding="utf-8")
    (tmp_path / "nato_embargo.yaml").write_text(SCENARIO, encoding="utf-8")
    run = geoshift("run", "nato_embargo.yaml", "printed.yaml", "--no-report", "--json", env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    stored = {}
    for name in ("nato_embargo", "ge_quick"):
        shown = geoshift("runs", "show", name, "--json", env=env, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        stored[name] = frame(json.loads(shown.stdout)["metrics"])
    api = Runner(real_world).run(load_scenario(tmp_path / "nato_embargo.yaml")).metrics
    reference = frame(from_ge["metrics"])
    assert len(reference) > 400
    for name, other in (("file via geoshift run", stored["nato_embargo"]),
                        ("--print-scenario via geoshift run", stored["ge_quick"]),
                        ("Python API", frame(api.to_dict(orient="records")))):
        pd.testing.assert_index_equal(other.index, reference.index)
        assert (other - reference).abs().max() <= SAME_NUMBER, name
    finland = from_ge["metrics"]
    fin = next(m for m in finland if m["metric"] == "real_income_change_pct" and m["country"] == "FIN")
    assert fin["value"] < -0.1  # Finland, a NATO member since 2023, is cut off from Russia


def test_energy_command_and_run_give_one_answer_and_reconcile_the_totals(cli_env: dict[str, str], tmp_path: Path,
                                                                          real_world: World) -> None:
    """`geoshift energy --scenario F` and `geoshift run F` are one run; the three figures for Russia's energy exports
    (ICIO, BACI, the LP's baseline) are shown together and add up as stated."""
    shipped = Path(__file__).resolve().parents[2] / "scenarios" / "two_blocs.yaml"
    shown = geoshift("energy", "RUS", "--scenario", str(shipped), "--json", env=cli_env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    data = json.loads(shown.stdout)
    m = Runner(real_world).run(load_scenario(shipped)).metrics.set_index(["metric", "country", "sector"])["value"]
    assert data["revenue_change_usd"] == pytest.approx(m[("energy_revenue_change_usd", "RUS", "all")], rel=1e-12)
    assert data["ge_energy_exports_change_pct"] == pytest.approx(m[("sector_exports_change_pct", "RUS", "energy")],
                                                                 rel=1e-12)
    totals = {t["source"]: t for t in data["totals_by_source"]["totals"]}
    year = real_world.baci_years[-1]
    lp, baci = totals[f"energy LP baseline {year}"], totals[f"BACI {year}"]
    assert lp["total_usd"] == pytest.approx(data["baseline_revenue_usd"], rel=1e-12)
    icio = totals[f"OECD ICIO {real_world.year}"]
    # the LP's baseline = BACI's coal, crude and gas + ICIO's refined products, less what the year's embargoes stop
    baseline = energy_baseline(real_world, "RUS", year)
    removed = baseline.removed.groupby("fuel")["value_usd"].sum()
    assert lp["total_usd"] == pytest.approx(baci["total_usd"] + icio["values_usd"]["refined products"]
                                            - float(removed.sum()), rel=1e-12)
    assert lp["values_usd"]["refined products"] == pytest.approx(
        icio["values_usd"]["refined products"] - float(removed.get("products", 0.0)), rel=1e-12)
    assert baci["values_usd"]["refined products"] is None
    rus, X = real_world.countries.index("RUS"), np.asarray(real_world.X)
    for group, code in (("coal", "B05"), ("crude and natural gas", "B06"), ("refined products", "C19")):
        s = real_world.sectors.index(code)
        assert icio["values_usd"][group] == pytest.approx((X[rus, :, s].sum() - X[rus, rus, s]) * 1e6, rel=1e-12)
    profile = geoshift("profile", "RUS", "--group", "energy", "--source", "baci", "--json", env=cli_env, cwd=tmp_path)
    assert profile.returncode == 0, profile.stderr
    pdata = json.loads(profile.stdout)
    assert pdata["totals_by_source"] == data["totals_by_source"]
    assert any("its extract lacks HS 2710" in line for line in pdata["totals_by_source"]["explanations"])
    # the profile's BACI total is the same source and year; only the LP's noise filter (flows under 0.01 % of a
    # fuel's value) separates them
    assert pdata["total_usd"] == pytest.approx(baci["total_usd"], rel=1e-3)
