"""Scenario rules that used to be wrong: a relief plus a trade-cost cut (an energy deal) was rejected as "relief and
a barrier"; a tariff on trade that an ``extends`` parent embargoes was accepted and did nothing; errors from
resolving names carried no file and line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geoshift.errors import ScenarioError
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.spec import load_scenario
from geoshift.world import World

CHN, RUS, USA = 0, 1, 2
PARENT = """\
name: parent
shocks:
  - {kind: embargo, exporters: RUS, importers: [USA, CHN], sectors: all}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_relief_then_a_cost_cut_is_an_energy_deal(small_world: World, tmp_path: Path) -> None:
    write(tmp_path, "parent", PARENT)
    child = write(tmp_path, "deal", "name: deal\nextends: parent\nshocks:\n"
                  "  - {kind: sanctions_relief, exporters: RUS, importers: USA, sectors: energy}\n"
                  "  - {kind: trade_cost, exporters: RUS, importers: USA, sectors: energy, percent: -20}\n")
    arrays = shock_arrays(small_world, load_scenario(child))
    assert arrays.tau_hat[RUS, USA, 0] == pytest.approx(0.8, rel=1e-15)
    assert arrays.tau_hat[USA, RUS, 0] == pytest.approx(0.8, rel=1e-15)
    assert np.isinf(arrays.tau_hat[RUS, USA, 1]) and np.isinf(arrays.tau_hat[RUS, CHN, 0])


def test_a_cut_before_the_relief_would_be_lost(small_world: World, tmp_path: Path) -> None:
    child = write(tmp_path, "deal", "name: deal\nshocks:\n"
                  "  - {kind: trade_cost, exporters: RUS, importers: USA, sectors: energy, percent: -20}\n"
                  "  - {kind: sanctions_relief, exporters: RUS, importers: USA, sectors: energy}\n")
    with pytest.raises(ScenarioError, match=r"deal.yaml:4: .*list the sanctions_relief first"):
        shock_arrays(small_world, load_scenario(child))


def test_a_tariff_on_trade_the_parent_embargoes_is_an_error(small_world: World, tmp_path: Path) -> None:
    write(tmp_path, "parent", PARENT)
    child = write(tmp_path, "tax", "name: tax\nextends: parent\nshocks:\n"
                  "  - {kind: tariff, exporters: USA, importers: CHN, percent: 10}\n"
                  "  - {kind: tariff, exporters: RUS, importers: USA, sectors: energy, percent: 10}\n")
    with pytest.raises(ScenarioError, match=r"tax.yaml:5: shocks\[1\] \(tariff\) taxes trade that an earlier shock "
                                            r"embargoes, on RUS->USA in B06"):
        shock_arrays(small_world, load_scenario(child))


def test_a_cost_change_on_embargoed_trade_only_is_an_error(small_world: World, tmp_path: Path) -> None:
    write(tmp_path, "parent", PARENT)
    child = write(tmp_path, "cost", "name: cost\nextends: parent\nshocks:\n"
                  "  - {kind: trade_cost, exporters: RUS, importers: USA, percent: 10}\n")
    with pytest.raises(ScenarioError, match=r"cost.yaml:4: shocks\[0\] \(trade_cost\) changes only embargoed trade"):
        shock_arrays(small_world, load_scenario(child))


def test_name_errors_carry_the_file_and_line_of_the_shock(small_world: World, tmp_path: Path) -> None:
    write(tmp_path, "parent", PARENT.replace("[USA, CHN]", "[USA, CHX]"))
    child = write(tmp_path, "child", "name: child\nextends: parent\nshocks:\n"
                  "  - {kind: trade_cost, exporters: CHN, importers: USA, percent: 10}\n"
                  "  - {kind: embargo, exporters: RUS, importers: USA, sectors: [electronix]}\n")
    with pytest.raises(ScenarioError, match=r"parent.yaml:3: parent: shocks\[0\].importers: unknown country or group "
                                            r"'CHX'; closest: CHN"):
        shock_arrays(small_world, load_scenario(child))
    write(tmp_path, "parent", PARENT)
    with pytest.raises(ScenarioError, match=r"child.yaml:5: shocks\[1\].sectors: unknown sector 'electronix'"):
        shock_arrays(small_world, load_scenario(child))
