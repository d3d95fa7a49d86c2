"""The metrics registry: every stored metric's name, unit, keys and meaning, in one place. The metrics builders
take units from here, the report and the JSON read descriptions from here, and a test checks that every metric a
run produces is registered (and that the README's list matches)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    keys: str  # what the country / partner / sector columns hold
    description: str


METRICS: tuple[Metric, ...] = (
    Metric("real_income_change_pct", "%", "country (ISO3; WORLD and EU27 income-weighted)",
           "change of real income (income deflated by the consumer price index), GE engine"),
    Metric("real_income_change_pct_theta_low", "%", "country (key countries, WORLD, EU27), sector = ICIO code",
           "the same with that sector's trade elasticity at the low end of its published range"),
    Metric("real_income_change_pct_theta_high", "%", "country (key countries, WORLD, EU27), sector = ICIO code",
           "the same with that sector's trade elasticity at the high end of its published range"),
    Metric("trade_elasticity", "", "sector = ICIO code",
           "the trade elasticity theta the run used (Caliendo-Parro by default, or the scenario's override)"),
    Metric("trade_elasticity_low", "", "sector = ICIO code (the sectors tested for sensitivity)",
           "the low end of the sector's published elasticity range"),
    Metric("trade_elasticity_high", "", "sector = ICIO code (the sectors tested for sensitivity)",
           "the high end of the sector's published elasticity range"),
    Metric("real_income_change_pct_q05", "%", "country (key countries, WORLD, EU27)",
           "5 % quantile of the real-income change over the ensemble's draws of the declared uncertainty"),
    Metric("real_income_change_pct_q50", "%", "country (key countries, WORLD, EU27)",
           "median of the real-income change over the ensemble's draws"),
    Metric("real_income_change_pct_q95", "%", "country (key countries, WORLD, EU27)",
           "95 % quantile of the real-income change over the ensemble's draws"),
    Metric("real_income_sign_share", "share", "country (key countries, WORLD, EU27)",
           "share of draws whose real-income change has the central run's sign"),
    Metric("sensitivity_index_first_order", "share", "country, sector = parameter (e.g. theta.C19)",
           "first-order sensitivity index: the share of the headline's variance over the draws that the parameter "
           "explains alone"),
    Metric("energy_revenue_change_pct_q05", "%", "country = exporter, sector = all",
           "5 % quantile of the energy revenue change over draws of the LP's declared uncertainty"),
    Metric("energy_revenue_change_pct_q50", "%", "country = exporter, sector = all",
           "median of the energy revenue change over the LP's draws"),
    Metric("energy_revenue_change_pct_q95", "%", "country = exporter, sector = all",
           "95 % quantile of the energy revenue change over the LP's draws"),
    Metric("ensemble_draw_energy_revenue_change_pct", "%", "country = exporter, sector = draw number",
           "the energy revenue change of one draw of the LP's parameters"),
    Metric("ensemble_draw_real_income_change_pct", "%", "country, sector = draw number",
           "the real-income change of one draw"),
    Metric("wage_change_pct", "%", "country", "change of the wage (value added per unit of labour), GE engine"),
    Metric("price_index_change_pct", "%", "country", "change of the consumer price index, GE engine"),
    Metric("exports_change_pct", "%", "country", "change of foreign sales, all sectors, GE engine"),
    Metric("imports_change_pct", "%", "country", "change of purchases from abroad, all sectors, GE engine"),
    Metric("bilateral_trade_change_pct", "%", "country = exporter, partner = importer (USA, RUS, CHN, EU27)",
           "change of trade within the U.S.-Russia-China-EU square (EU27 summed, intra-EU left out)"),
    Metric("bilateral_trade_baseline_usd", "USD", "country = exporter, partner = importer",
           "baseline trade within the square, ICIO 2022"),
    Metric("sector_output_change_pct", "%", "country, sector = ICIO code (energy and metals)",
           "change of gross output by sector, GE engine"),
    Metric("sector_exports_change_pct", "%", "country, sector = energy or metals",
           "change of foreign sales of the sector group, GE engine"),
    Metric("tariff_revenue_usd", "USD", "country (only with tariffs)", "tariff revenue collected by the importer"),
    Metric("energy_baseline_revenue_usd", "USD", "country = exporter, sector = all",
           "energy export revenue of the BACI year (products from ICIO C19), rerouting LP"),
    Metric("energy_revenue_change_usd", "USD", "country = exporter, sector = fuel or all",
           "change of energy export revenue, rerouting LP"),
    Metric("energy_revenue_change_pct", "%", "country = exporter, sector = all",
           "change of energy export revenue, rerouting LP"),
    Metric("energy_shut_in", "Mt or bcm", "country = exporter, sector = fuel", "unsold supply, rerouting LP"),
    Metric("energy_budget_share_before_pct", "%", "country = exporter",
           "oil & gas share of federal budget revenue, baseline"),
    Metric("energy_budget_share_after_pct", "%", "country = exporter",
           "oil & gas share of federal budget revenue after the rerouting"),
    Metric("energy_budget_change_rub_trn", "RUB trn", "country = exporter", "change of oil & gas budget revenue"),
    Metric("energy_buyer_revenue_change_usd", "USD", "country = exporter, partner = buyer, sector = fuel",
           "change of revenue from one buyer, the largest changes"),
    Metric("centrality_pagerank", "share", "country, partner = baseline or scenario",
           "PageRank (damping 0.85) of the gross-trade network, edges exporter -> importer weighted by trade "
           "(centrality as a market); sums to 1 over the countries"),
    Metric("centrality_eigenvector", "share", "country, partner = baseline or scenario",
           "eigenvector centrality of two-way gross trade; sums to 1 over the countries"),
    Metric("centrality_hubs", "share", "country, partner = baseline or scenario",
           "HITS hub score of the gross-trade network (centrality as a supplier); sums to 1"),
    Metric("centrality_authorities", "share", "country, partner = baseline or scenario",
           "HITS authority score of the gross-trade network (centrality as a market); sums to 1"),
    Metric("centrality_va_exports_usd", "USD", "country, partner = baseline or scenario",
           "domestic value added embodied in foreign final demand (TiVA-style, Leontief inverse)"),
    Metric("centrality_va_imports_usd", "USD", "country, partner = baseline or scenario",
           "foreign value added embodied in the country's final demand (TiVA-style, Leontief inverse)"),
    Metric("centrality_gvc_backward", "%", "country, partner = baseline or scenario",
           "GVC backward participation: foreign value added in the country's gross exports, % of them"),
    Metric("centrality_gvc_forward", "%", "country, partner = baseline or scenario",
           "GVC forward participation: the country's value added in partners' gross exports, % of its own"),
    Metric("centrality_upstreamness", "stages", "country, partner = baseline or scenario",
           "Antras-Chor upstreamness (Ghosh inverse), gross-output-weighted: 1 = sells only to final demand"),
    Metric("game_payoff", "% real income", "country = player, sector = outcome", "payoff in the alignment game"),
    Metric("bargain_forecast", "issue scale", "country = median or mean", "bargaining forecast"),
    Metric("bargain_position", "issue scale", "country = actor, sector = start or final",
           "an actor's position at the start and at the end of the bargaining"),
)

REGISTRY: dict[str, Metric] = {m.name: m for m in METRICS}


def unit_of(name: str) -> str:
    """The registered unit of metric ``name`` (a KeyError names the missing metric: register it first)."""
    if name not in REGISTRY:
        raise KeyError(f"metric {name!r} is not in geoshift.results.registry.METRICS; register it there")
    return REGISTRY[name].unit
