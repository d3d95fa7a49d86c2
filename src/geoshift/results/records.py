"""The record of one scenario run, as stored and as reported: named metrics in a tidy table.

Metrics table columns: ``metric``, ``country``, ``partner``, ``sector``, ``value``, ``unit`` (empty strings where a
key does not apply). Metric names:

=============================== ========================================================== =======
metric                          keys                                                       unit
=============================== ========================================================== =======
real_income_change_pct          country (ISO3; ``WORLD`` and ``EU27``: income-weighted)    %
wage_change_pct                 country                                                    %
price_index_change_pct          country                                                    %
exports_change_pct              country (foreign sales, all sectors)                       %
imports_change_pct              country                                                    %
bilateral_trade_change_pct      country = exporter, partner = importer; the square USA,    %
                                RUS, CHN, EU27 (EU27 = its members summed, intra-EU out)
bilateral_trade_baseline_usd    same keys                                                  USD
sector_output_change_pct        country, sector = ICIO code (energy and metals sectors)    %
sector_exports_change_pct       country, sector = ``energy`` or ``metals`` (group totals)  %
tariff_revenue_usd              country (only when the scenario has tariffs)               USD
energy_baseline_revenue_usd     country = exporter, sector = ``all``                       USD
energy_revenue_change_usd       country = exporter, sector = fuel or ``all``               USD
energy_revenue_change_pct       country = exporter, sector = ``all``                       %
energy_shut_in                  country = exporter, sector = fuel (unsold supply)          Mt, bcm
energy_budget_share_before_pct  country = exporter (oil & gas share of federal revenue)    %
energy_budget_share_after_pct   country = exporter                                         %
energy_budget_change_rub_trn    country = exporter                                         RUB trn
energy_buyer_revenue_change_usd country = exporter, partner = buyer, sector = fuel         USD
game_payoff                     country = player, sector = outcome (``geoshift game``)      % real income
bargain_forecast                country = ``median`` or ``mean`` (``geoshift bargain``)    issue scale
bargain_position                country = actor, sector = ``start`` or ``final``           issue scale
=============================== ========================================================== =======
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

METRIC_COLUMNS = ("metric", "country", "partner", "sector", "value", "unit")
KEY_COUNTRIES = ("USA", "RUS", "CHN", "DEU", "IND", "UKR")
SQUARE = ("USA", "RUS", "CHN", "EU27")
RUN_KINDS = ("scenario", "game", "bargain")  # what a stored run answers: a scenario, a game, a bargaining problem
WORLD = "WORLD"


@dataclass(frozen=True, eq=False)
class RunRecord:
    run_id: str
    name: str
    description: str
    spec_yaml: str  # the resolved scenario (after ``extends``), as YAML text
    scenario_hash: str
    created: str  # ISO 8601 timestamp (UTC)
    metrics: pd.DataFrame = field(repr=False)
    diagnostics: dict[str, Any] = field(default_factory=dict)  # converged, iterations, residual, seconds
    provenance: list[dict[str, str]] = field(default_factory=list)
    parent: str | None = None  # the scenario it extends, if any
    data_key: str = ""  # identifies the World the run used
    kind: str = "scenario"  # one of RUN_KINDS
    code_key: str = ""  # the code that computed it (results.codekey); empty for runs stored before it was kept

    def __post_init__(self) -> None:
        if self.kind not in RUN_KINDS:
            raise ValueError(f"run kind {self.kind!r} is not one of {', '.join(RUN_KINDS)}")

    def metric(self, name: str) -> pd.DataFrame:
        return self.metrics[self.metrics["metric"] == name]
