"""Which shock sequences contradict each other, and the exact words of the error: the reason, the first cell of the
overlap and how many more; the sectors offered for an unknown name."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.errors import ScenarioError
from geoshift.scenario.apply import closest_sectors, shock_arrays
from geoshift.scenario.spec import Scenario, parse_scenario
from geoshift.world import World

RELIEF = "  - {kind: sanctions_relief, exporters: RUS, importers: USA}\n"
BARRIER = "relief and a barrier in the same file; put the relief in a scenario that extends this one"


def scenario(shocks: str) -> Scenario:
    return parse_scenario(f"name: t\nshocks:\n{shocks}")


def cost(percent: float) -> str:
    return f"  - {{kind: trade_cost, exporters: RUS, importers: USA, percent: {percent}}}\n"


@pytest.mark.parametrize(
    ("shocks", "message"),
    [
        # the overlap is RUS<->USA in the three sectors: six cells
        (cost(-10) + RELIEF, r"shocks\[0\] \(trade_cost\) and shocks\[1\] \(sanctions_relief\) contradict on "
                             r"RUS->USA in B06 \(and 5 more\): the relief would undo the cost cut before it; list the "
                             r"sanctions_relief first$"),
        (cost(0) + RELIEF, f"on RUS->USA in B06 \\(and 5 more\\): {BARRIER}$"),  # no change is not a cut
        (RELIEF + cost(0), f"on RUS->USA in B06 \\(and 5 more\\): {BARRIER}$"),
        (RELIEF + cost(0.5), f"on RUS->USA in B06 \\(and 5 more\\): {BARRIER}$"),
        (RELIEF + "  - {kind: embargo, exporters: RUS, importers: USA, sectors: energy}\n",
         r"shocks\[0\] \(sanctions_relief\) and shocks\[1\] \(embargo\) contradict on RUS->USA in B06 \(and 1 more\): "
         + BARRIER + "$"),
        ("  - {kind: embargo, exporters: RUS, importers: USA, both_ways: false}\n"
         "  - {kind: tariff, exporters: RUS, importers: USA, percent: 5}\n",
         r"contradict on RUS->USA in B06 \(and 2 more\): a tariff on trade that is embargoed$"),
        ("  - {kind: embargo, exporters: RUS, importers: USA, sectors: [C24A], both_ways: false}\n"
         "  - {kind: tariff, exporters: RUS, importers: USA, percent: 5}\n",
         r"\(embargo\) and shocks\[1\] \(tariff\) contradict on RUS->USA in C24A: a tariff on trade that is "
         r"embargoed$"),
    ],
)
def test_contradictions_and_their_reasons(small_world: World, shocks: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        shock_arrays(small_world, scenario(shocks))


def test_relief_then_a_cost_cut_is_an_energy_deal(small_world: World) -> None:
    arrays = shock_arrays(small_world, scenario(RELIEF + cost(-20)))
    assert arrays.tau_hat[1, 2, 0] == pytest.approx(0.8) and arrays.tau_hat[2, 1, 2] == pytest.approx(0.8)
    assert np.count_nonzero(arrays.tau_hat != 1.0) == 6


@pytest.mark.parametrize(
    ("item", "closest"),
    [
        # names are matched word by word (words of three letters or more), in lower case
        ("and", ["B06 (Crude petroleum and natural gas)", "C24A (Basic iron and steel)"]),
        ("STEAL", ["C24A (Basic iron and steel)"]),
        ("Petrol", ["B06 (Crude petroleum and natural gas)"]),
        ("Trade", ["G (Trade)", "B06 (Crude petroleum and natural gas)"]),
        ("ENERGY", ["energy (group)"]),
        ("xyz", []),
    ],
)
def test_closest_sectors_by_code_name_words_and_group(small_world: World, item: str, closest: list[str]) -> None:
    assert closest_sectors(small_world, item) == closest


def test_an_unknown_sector_offers_the_closest(small_world: World) -> None:
    with pytest.raises(ScenarioError, match=r"shocks\[0\]\.sectors: unknown sector 'steal'; closest: C24A \(Basic iron "
                                            r"and steel\) \(ICIO codes, or groups energy, minerals, metals, "):
        shock_arrays(small_world, scenario("  - {kind: embargo, exporters: RUS, importers: USA, sectors: [steal]}\n"))
    with pytest.raises(ScenarioError, match=r"unknown sector 'xyz'; closest: none \("):
        shock_arrays(small_world, scenario("  - {kind: embargo, exporters: RUS, importers: USA, sectors: [xyz]}\n"))
