"""One registry of metric names, units and meanings: every metric a run produces is registered with the unit it
carries, and the README's metric list names only registered metrics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import geoshift
from geoshift.results.metrics import _rows
from geoshift.results.registry import REGISTRY, unit_of
from geoshift.world import World

README = Path(__file__).resolve().parents[2] / "README.md"
SCENARIO = """\
name: registry
shocks:
  - {kind: embargo, exporters: RUS, importers: USA, sectors: [B06]}
  - {kind: tariff, exporters: CHN, importers: USA, sectors: [C24A], percent: 25}
"""


def test_every_metric_of_a_run_is_registered_with_its_unit(small_world: World) -> None:
    metrics = geoshift.run(geoshift.parse_scenario(SCENARIO), small_world).metrics
    assert set(metrics["metric"]) <= set(REGISTRY)
    for name, unit in set(zip(metrics["metric"], metrics["unit"], strict=True)):
        if name != "energy_shut_in":
            assert unit == unit_of(name), name
    expected = {"real_income_change_pct", "trade_elasticity", "real_income_change_pct_theta_low",
                "real_income_change_pct_theta_high", "tariff_revenue_usd", "energy_revenue_change_pct"}
    assert expected <= set(metrics["metric"])


def test_an_unregistered_metric_or_a_wrong_unit_is_refused() -> None:
    with pytest.raises(KeyError, match=r"metric 'real_incme' is not in geoshift\.results\.registry\.METRICS"):
        _rows("real_incme", "%", [])
    with pytest.raises(ValueError, match="registered in '%', not 'USD'"):
        _rows("real_income_change_pct", "USD", [])


def test_the_readme_names_only_registered_metrics() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("**Metrics**"):text.index("## Energy rerouting")]
    named = set(re.findall(r"`([a-z]+(?:_[a-z0-9]+)+)`", section))
    assert len(named) >= 15
    assert named - {"west_embargo_russia"} <= set(REGISTRY), named - set(REGISTRY)  # a scenario named in passing
