"""Named metrics of a multi-sector solve, as a tidy table (see ``records.py`` for the names and keys)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geoshift.data.groups import group_members
from geoshift.engines.bargain.model import BargainResult
from geoshift.engines.energy.outcome import EnergyOutcome
from geoshift.engines.energy.units import CANONICAL_UNIT
from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.engines.trade_ge.summary import (
    country_changes,
    group_real_income_change_pct,
    world_real_income_change_pct,
)
from geoshift.results.records import KEY_COUNTRIES, METRIC_COLUMNS, SQUARE, WORLD
from geoshift.results.registry import unit_of
from geoshift.world.world import World

ICIO_UNIT_USD = 1e6


Row = tuple[str, str, str, str, float, str]


def _rows(metric: str, unit: str, items: list[tuple[str, str, str, float]]) -> list[Row]:
    registered = unit_of(metric)
    if unit != registered and metric != "energy_shut_in":  # shut-in volumes carry each fuel's own unit
        raise ValueError(f"metric {metric!r} is registered in {registered!r}, not {unit!r}")
    return [(metric, country, partner, sector, float(value), unit) for country, partner, sector, value in items]


def _pct(new: float, old: float) -> float:
    return 100.0 * (new / old - 1.0) if old > 0 else 0.0


def _square_members(world: World, name: str, year: int) -> list[int]:
    if name == "EU27":
        return [world.countries.index(c) for c in group_members("EU27", year) if c in world.countries]
    return [world.countries.index(name)] if name in world.countries else []


def energy_metrics(outcome: EnergyOutcome, top: int = 12) -> pd.DataFrame:
    """Energy-rerouting metrics of one exporter (see ``records.py``)."""
    rows: list[Row] = []
    e = outcome.exporter
    before, after = outcome.baseline, outcome.scenario
    rows += _rows("energy_baseline_revenue_usd", "USD", [(e, "", "all", before.revenue_usd)])
    rows += _rows("energy_revenue_change_usd", "USD", [(e, "", "all", outcome.revenue_change_usd)])
    rows += _rows("energy_revenue_change_pct", "%", [(e, "", "all", _pct(after.revenue_usd, before.revenue_usd))])
    for fuel in before.supply:
        old = float(before.buyers.loc[before.buyers["fuel"] == fuel, "revenue_usd"].sum())
        new = float(after.buyers.loc[after.buyers["fuel"] == fuel, "revenue_usd"].sum())
        rows += _rows("energy_revenue_change_usd", "USD", [(e, "", fuel, new - old)])
        rows += _rows("energy_shut_in", CANONICAL_UNIT[fuel], [(e, "", fuel, after.shut_in.get(fuel, 0.0))])
    if outcome.fiscal is not None:
        rows += _rows("energy_budget_share_before_pct", "%", [(e, "", "", 100.0 * outcome.fiscal.budget_share_before)])
        rows += _rows("energy_budget_share_after_pct", "%", [(e, "", "", 100.0 * outcome.fiscal.budget_share_after)])
        rows += _rows("energy_budget_change_rub_trn", "RUB trn", [(e, "", "", outcome.fiscal.change_rub_trn)])
    buyers = outcome.buyers()
    changed = buyers.reindex(buyers["revenue_change_usd"].abs().sort_values(ascending=False).index).head(top)
    rows += _rows("energy_buyer_revenue_change_usd", "USD",
                  [(e, str(b), str(f), float(v)) for b, f, v in zip(changed["buyer"], changed["fuel"],
                                                                    changed["revenue_change_usd"], strict=True)
                   if abs(float(v)) > 0])
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def compute_metrics(world: World, cal: Calibration, result: MultiSectorResult, *,
                    group_year: int = 2024) -> pd.DataFrame:
    rows: list[Row] = []
    changes = country_changes(cal, result)
    rows += _rows("real_income_change_pct", "%", [(c.iso3, "", "", c.real_income_change_pct) for c in changes])
    rows += _rows("real_income_change_pct", "%", [(WORLD, "", "", world_real_income_change_pct(cal, result))])
    eu_members = _square_members(world, "EU27", group_year)
    if eu_members:
        rows += _rows("real_income_change_pct", "%",
                      [("EU27", "", "", group_real_income_change_pct(cal, result, eu_members))])
    rows += _rows("wage_change_pct", "%", [(c.iso3, "", "", c.wage_change_pct) for c in changes])
    rows += _rows("price_index_change_pct", "%", [(c.iso3, "", "", c.price_index_change_pct) for c in changes])
    rows += _rows("exports_change_pct", "%", [(c.iso3, "", "", c.exports_change_pct) for c in changes])
    rows += _rows("imports_change_pct", "%", [(c.iso3, "", "", c.imports_change_pct) for c in changes])
    # the U.S.-Russia-China-EU square (EU27 summed over members, trade among members left out)
    members = {name: _square_members(world, name, group_year) for name in SQUARE}
    for a in SQUARE:
        for b in SQUARE:
            if a == b or not members[a] or not members[b]:
                continue
            block = np.ix_(np.array(members[a]), np.array(members[b]))
            old = float(cal.X.sum(axis=2)[block].sum())
            new = float(result.X_new.sum(axis=2)[block].sum())
            rows += _rows("bilateral_trade_change_pct", "%", [(a, b, "", _pct(new, old))])
            rows += _rows("bilateral_trade_baseline_usd", "USD", [(a, b, "", old * ICIO_UNIT_USD)])
    energy_metals = [s for s, g in enumerate(world.sector_group) if g in ("energy", "metals")]
    for name in KEY_COUNTRIES:
        if name not in world.countries:
            continue
        n = world.countries.index(name)
        rows += _rows("sector_output_change_pct", "%",
                      [(name, "", world.sectors[s], _pct(result.gross_output_new[n, s], cal.Y[n, s]))
                       for s in energy_metals if cal.Y[n, s] > 0])
        for group in ("energy", "metals"):
            idx = [s for s, g in enumerate(world.sector_group) if g == group]
            foreign = np.ones(len(world.countries), dtype=bool)
            foreign[n] = False
            old = float(cal.X[n][np.ix_(foreign, np.array(idx))].sum())
            new = float(result.X_new[n][np.ix_(foreign, np.array(idx))].sum())
            rows += _rows("sector_exports_change_pct", "%", [(name, "", group, _pct(new, old))])
    if result.tariff_revenue is not None and np.any(result.tariff_revenue > 0):
        rows += _rows("tariff_revenue_usd", "USD",
                      [(c, "", "", result.tariff_revenue[n] * ICIO_UNIT_USD)
                       for n, c in enumerate(world.countries) if result.tariff_revenue[n] > 0])
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def bargain_metrics(result: BargainResult) -> pd.DataFrame:
    """Stored metrics of a bargaining run: ``bargain_forecast`` (country = median | mean) and
    ``bargain_position`` per actor (sector = start | final), in the units of the issue scale."""
    rows = [("bargain_forecast", "median", "", "", result.median, "issue scale"),
            ("bargain_forecast", "mean", "", "", result.mean, "issue scale")]
    for i, name in enumerate(result.actors.name):
        rows.append(("bargain_position", name, "", "start", float(result.actors.position[i]), "issue scale"))
        rows.append(("bargain_position", name, "", "final", float(result.positions[i]), "issue scale"))
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def game_metrics(payoffs: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Stored metrics of a game run: ``game_payoff`` per outcome (sector) and player (country), in % of real
    income; ``payoffs`` as in the game's result (outcome -> player -> payoff)."""
    rows = _rows("game_payoff", "% real income", [(player, "", outcome, value) for outcome, values in payoffs.items()
                                                  for player, value in values.items()])
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
