"""The record of one run, as stored and as reported: named metrics in a tidy table.

Metrics table columns: ``metric``, ``country``, ``partner``, ``sector``, ``value``, ``unit`` (empty strings where a
key does not apply). The metric names, their units, keys and meanings are registered in
``geoshift.results.registry.METRICS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

METRIC_COLUMNS = ("metric", "country", "partner", "sector", "value", "unit")
KEY_COUNTRIES = ("USA", "RUS", "CHN", "DEU", "IND", "UKR")
SQUARE = ("USA", "RUS", "CHN", "EU27")
#: what a stored run answers: a scenario (with its evidence: elasticity sensitivity, centrality), a game's outcome
#: scenario (headline metrics only: payoffs need no more), a game, a bargaining problem
RUN_KINDS = ("scenario", "outcome", "game", "bargain")
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

    def __repr__(self) -> str:
        from geoshift.results.frames import record_repr  # frames imports this module

        return record_repr(self)

    def _repr_html_(self) -> str:
        from geoshift.results.frames import record_repr_html

        return record_repr_html(self)

    def metric(self, name: str) -> pd.DataFrame:
        return self.metrics[self.metrics["metric"] == name]
