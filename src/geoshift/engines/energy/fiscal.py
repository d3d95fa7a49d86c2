"""The fiscal effect of an energy-revenue change on the exporter's federal budget (Russia's, from the packaged
fiscal facts).

Tax-take assumption: oil & gas budget revenue moves in proportion to oil & gas export revenue. The tax take
``tau = O / (R x e)`` (budget oil & gas revenue over export revenue of crude, products, pipeline gas and LNG in
roubles, at the year's average rate) is calibrated on the baseline year, and a change ``dR`` in export revenue
changes the budget by ``tau x dR x e``. Coal is not part of oil & gas revenue. Total revenue changes one for one.
"""

from __future__ import annotations

from dataclasses import dataclass

from geoshift.engines.energy.facts import fiscal_value
from geoshift.errors import InputError

FISCAL_EXPORTERS = ("RUS",)


@dataclass(frozen=True)
class FiscalEffect:
    year: int
    oil_gas_revenue_rub_trn: float
    total_revenue_rub_trn: float
    rub_per_usd: float
    tax_take: float
    change_rub_trn: float
    budget_share_before: float
    budget_share_after: float
    assumption: str
    verified: dict[str, str]


def fiscal_effect(exporter: str, year: int, og_export_revenue_usd: float,
                  og_revenue_change_usd: float) -> FiscalEffect | None:
    """None when there are no fiscal facts for this exporter and year."""
    if exporter not in FISCAL_EXPORTERS:
        return None
    try:
        og, _, og_flag = fiscal_value(year, "oil_gas_revenue")
        total, _, total_flag = fiscal_value(year, "total_revenue")
        rate, _, rate_flag = fiscal_value(year, "rub_per_usd_avg")
    except InputError:
        return None
    if og_export_revenue_usd <= 0:
        return None
    export_rub_trn = og_export_revenue_usd * rate / 1e12
    tax_take = og / export_rub_trn
    change = tax_take * og_revenue_change_usd * rate / 1e12
    return FiscalEffect(
        year=year, oil_gas_revenue_rub_trn=og, total_revenue_rub_trn=total, rub_per_usd=rate, tax_take=tax_take,
        change_rub_trn=change, budget_share_before=og / total, budget_share_after=(og + change) / (total + change),
        assumption=(f"oil & gas budget revenue moves with oil & gas export revenue; tax take {tax_take:.2f} "
                    f"(RUB {og:g} trn of budget revenue per RUB {export_rub_trn:.2f} trn of exports in {year})"),
        verified={"oil_gas_revenue": og_flag, "total_revenue": total_flag, "rub_per_usd": rate_flag},
    )
