from __future__ import annotations

import numpy as np
import pytest

from geoshift.errors import ScenarioError
from geoshift.scenario.apply import shock_arrays
from geoshift.scenario.spec import Scenario, parse_scenario
from geoshift.world import World

CHN, RUS, USA = 0, 1, 2


def scenario(shocks: str, **extra: str) -> Scenario:
    head = "".join(f"{k}: {v}\n" for k, v in extra.items())
    return parse_scenario(f"name: t\n{head}shocks:\n{shocks}")


def test_embargo_both_ways_and_one_way(small_world: World) -> None:
    both = shock_arrays(small_world, scenario("  - {kind: embargo, exporters: RUS, importers: USA, sectors: energy}\n"))
    assert np.isinf(both.tau_hat[RUS, USA, 0]) and np.isinf(both.tau_hat[USA, RUS, 0])
    assert np.count_nonzero(np.isinf(both.tau_hat)) == 2
    one = shock_arrays(small_world, scenario(
        "  - {kind: embargo, exporters: RUS, importers: [USA, CHN], sectors: all, both_ways: false}\n"))
    assert np.isinf(one.tau_hat[RUS, [USA, CHN], :]).all() and not np.isinf(one.tau_hat[USA, RUS, :]).any()
    assert not np.isinf(np.einsum("iis->is", one.tau_hat)).any()


def test_trade_cost_bloc_tariff_and_relief(small_world: World) -> None:
    arrays = shock_arrays(small_world, scenario(
        "  - {kind: trade_cost, exporters: CHN, importers: USA, sectors: [C24A], percent: 20}\n"
        "  - {kind: bloc, blocs: {west: USA, east: [CHN, RUS]}, sectors: all, percent: 10}\n"
        "  - {kind: tariff, exporters: CHN, importers: USA, sectors: services, percent: 25}\n"))
    assert arrays.tau_hat[CHN, USA, 1] == pytest.approx(1.2 * 1.1)
    assert arrays.tau_hat[USA, CHN, 1] == pytest.approx(1.2 * 1.1)
    assert arrays.tau_hat[CHN, RUS, 1] == 1.0  # same bloc
    assert arrays.tau_hat[RUS, USA, 0] == pytest.approx(1.1)
    assert arrays.tariff[CHN, USA, 2] == 0.25 and arrays.tariff[USA, CHN, 2] == 0.0  # tariffs one way by default
    assert arrays.has_tariffs


def test_relief_undoes_inherited_barriers(small_world: World) -> None:
    parent = scenario("  - {kind: embargo, exporters: RUS, importers: [USA, CHN], sectors: all}\n")
    child = Scenario(name="c", extends="t", inherited_shocks=parent.shocks, shocks=parse_scenario(
        "name: x\nshocks:\n  - {kind: sanctions_relief, exporters: RUS, importers: USA, sectors: energy}\n").shocks)
    arrays = shock_arrays(small_world, child)
    assert arrays.tau_hat[RUS, USA, 0] == 1.0 and arrays.tau_hat[USA, RUS, 0] == 1.0
    assert np.isinf(arrays.tau_hat[RUS, USA, 1]) and np.isinf(arrays.tau_hat[RUS, CHN, 0])


@pytest.mark.parametrize(
    ("shocks", "message"),
    [
        ("  - {kind: embargo, exporters: RUS, importers: USA}\n"
         "  - {kind: sanctions_relief, exporters: RUS, importers: USA, sectors: energy}\n",
         r"shocks\[0\] \(embargo\) and shocks\[1\] \(sanctions_relief\) contradict on RUS->USA in B06"),
        ("  - {kind: tariff, exporters: CHN, importers: USA, percent: 10}\n"
         "  - {kind: tariff, exporters: CHN, importers: USA, sectors: energy, percent: 20}\n",
         r"two tariff rates \(10 % and 20 %\)"),
        ("  - {kind: embargo, exporters: RUS, importers: USA}\n"
         "  - {kind: tariff, exporters: RUS, importers: USA, percent: 20}\n", "a tariff on trade that is embargoed"),
        ("  - {kind: embargo, exporters: RUX, importers: USA}\n",
         r"shocks\[0\]\.exporters: unknown country or group 'RUX'; closest: RUS"),
        ("  - {kind: embargo, exporters: RUS, importers: NAT0}\n", r"closest: .*NATO"),
        ("  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B6]}\n",
         r"shocks\[0\]\.sectors: unknown sector 'B6'; closest: B06"),
        ("  - {kind: embargo, exporters: RUS, importers: EU27}\n",
         r"group 'EU27' has no member among the World's economies"),
        ("  - {kind: embargo, exporters: RUS, importers: RUS}\n", "touches no trade"),
    ],
)
def test_bad_selectors_and_contradictions(small_world: World, shocks: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        shock_arrays(small_world, scenario(shocks))


def test_a_broad_cost_rise_plus_a_targeted_embargo_is_not_a_contradiction(small_world: World) -> None:
    arrays = shock_arrays(small_world, scenario(
        "  - {kind: trade_cost, exporters: RUS, importers: USA, percent: 30}\n"
        "  - {kind: embargo, exporters: RUS, importers: USA, sectors: energy}\n"))
    assert np.isinf(arrays.tau_hat[RUS, USA, 0]) and arrays.tau_hat[RUS, USA, 1] == pytest.approx(1.3)
