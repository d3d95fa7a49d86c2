"""The energy engine on the real data: baseline against BACI, the shipped scenarios, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from geoshift.engines.energy.baseline import energy_baseline
from geoshift.engines.energy.lp import EnergyOptions, reroute
from geoshift.engines.energy.units import FUELS
from geoshift.world import World

pytestmark = pytest.mark.realdata
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_baseline_against_baci_and_the_lp(real_world: World) -> None:
    base = energy_baseline(real_world, "RUS", 2023)
    baci = real_world.baci
    rows = baci[(baci["year"] == 2023) & (baci["exporter"] == "RUS") & (baci["importer"] == "CHN")
                & (baci["hs6"] == 270900)]
    crude = base.flows.set_index(["buyer", "fuel"]).loc[("CHN", "crude")]
    assert crude["quantity"] == pytest.approx(rows["quantity_t"].sum() / 1e6, rel=1e-12)
    assert crude["value_usd"] == pytest.approx(rows["value_usd"].sum(), rel=1e-12)
    result = reroute(base)
    assert result.revenue_usd == pytest.approx(base.flows["value_usd"].sum(), rel=1e-9)
    merged = result.buyers.merge(base.flows, on=["buyer", "fuel"], how="left").fillna({"quantity": 0.0})
    assert (merged["volume"] - merged["quantity"]).abs().max() < 1e-6


def test_china_closes_its_energy_purchases(real_world: World) -> None:
    base = energy_baseline(real_world, "RUS", 2024)
    before = reroute(base)
    china = EnergyOptions(closures={f: frozenset({"CHN"}) for f in FUELS})
    after = reroute(base, china)
    assert after.revenue_usd < before.revenue_usd
    chn_gas = base.flows.set_index(["buyer", "fuel"]).loc[("CHN", "pipeline_gas"), "quantity"]
    assert after.shut_in["pipeline_gas"] == pytest.approx(chn_gas, rel=1e-9)  # Power of Siberia has no other buyer
    # crude finds other buyers, at a discount, as far as the open routes reach: the EU's crude embargo (in the
    # baseline's closures from 2023) closes Druzhba north to DEU and POL, so every seaborne route fills and the rest
    # is shut in; without the embargo closures all of it would go (mostly to DEU), the answer before them
    crude = [r for r in after.routes if r.fuel == "crude"]
    assert after.shut_in["crude"] == pytest.approx(after.supply["crude"] - sum(r.used for r in crude), abs=1e-6)
    assert after.shut_in["crude"] > 0
    assert all(r.used == pytest.approx(r.capacity) for r in crude if not r.route.startswith("Druzhba"))
    assert reroute(replace(base, closed={}), china).shut_in["crude"] == pytest.approx(0.0, abs=1e-6)


def test_cli_energy_json(cli_env: dict[str, str]) -> None:
    result = subprocess.run([sys.executable, "-m", "geoshift", "energy", "RUS", "--scenario",
                             str(SCENARIOS / "russia_pivots_west.yaml"), "--year", "2024", "--json"],
                            capture_output=True, text=True, env=cli_env, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"exporter", "year", "baseline_revenue_usd", "scenario_revenue_usd", "revenue_change_usd", "shut_in",
            "fiscal", "buyers", "duals"} <= set(data)
    assert data["exporter"] == "RUS" and data["year"] == 2024
    assert data["revenue_change_usd"] < 0
    assert data["fiscal"]["budget_share_after"] < data["fiscal"]["budget_share_before"]
    assert any(b["buyer"] == "CHN" and b["closed"] for b in data["buyers"])
    assert data["shut_in"]["pipeline_gas"]["volume"] > 0


@pytest.mark.parametrize(
    ("energy", "message"),
    [
        ("  openings: [{route: Power of Siberia 3}]\n",
         "unknown route 'Power of Siberia 3'; closest: Power of Siberia"),
        ("  route_capacity: {Power of Siberia 1: -5}\n", "out of range"),
        ("  closures: [{buyers: CHN, fuels: [diesel]}]\n", "energy.closures[0].fuels[0]"),
        ("  bounds: [{buyers: CHN, fuel: pipeline_gas, min: 100}]\n", "floor CHN/pipeline_gas = 100 bcm exceeds"),
    ],
)
def test_cli_energy_bad_input(cli_env: dict[str, str], tmp_path: Path, energy: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nenergy:\n" + energy)
    result = subprocess.run([sys.executable, "-m", "geoshift", "energy", "RUS", "--scenario", str(path)],
                            capture_output=True, text=True, env=cli_env, timeout=300, check=False)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr and "Traceback" not in result.stderr
