"""An energy outcome and its fiscal effect in detail: the fiscal effect field by field for Russia in 2024 (the
shipped fiscal facts), where export revenue is nil or tiny; the outcome's labels, notes and timing; the buyer table's
clean index; and a buyer whose volume moves by under one unit."""

from __future__ import annotations

import pytest

from geoshift.engines.energy import outcome
from geoshift.engines.energy.baseline import EnergyBaseline
from geoshift.engines.energy.facts import fiscal_value
from geoshift.engines.energy.fiscal import FiscalEffect, fiscal_effect
from geoshift.engines.energy.lp import EnergyOptions, reroute
from tests.unit.test_energy_lp import baseline, routes
from tests.unit.test_energy_outcome import BASELINE, lp_result


def test_fiscal_effect_of_russia_2024_field_by_field() -> None:
    og, _, og_flag = fiscal_value(2024, "oil_gas_revenue")  # 11.13 trn RUB
    total, _, total_flag = fiscal_value(2024, "total_revenue")  # 36.7 trn RUB
    rate, _, rate_flag = fiscal_value(2024, "rub_per_usd_avg")  # 92.6 RUB per US$
    effect = fiscal_effect("RUS", 2024, og_export_revenue_usd=200e9, og_revenue_change_usd=-20e9)
    assert effect is not None
    exports = 200e9 * rate / 1e12  # 18.52 trn RUB of oil & gas exports
    tax = og / exports
    change = tax * -20e9 * rate / 1e12  # a tenth of the exports lost: a tenth of the budget's oil & gas revenue
    assert effect == FiscalEffect(
        year=2024, oil_gas_revenue_rub_trn=og, total_revenue_rub_trn=total, rub_per_usd=rate,
        tax_take=pytest.approx(tax, rel=1e-14), change_rub_trn=pytest.approx(change, rel=1e-14),
        budget_share_before=pytest.approx(og / total, rel=1e-14),
        budget_share_after=pytest.approx((og + change) / (total + change), rel=1e-14),
        assumption=("oil & gas budget revenue moves with oil & gas export revenue; tax take 0.60 (RUB 11.13 trn of "
                    "budget revenue per RUB 18.52 trn of exports in 2024)"),
        verified={"oil_gas_revenue": og_flag, "total_revenue": total_flag, "rub_per_usd": rate_flag},
    )
    assert effect.change_rub_trn == pytest.approx(-og / 10, rel=1e-12)


def test_fiscal_effect_needs_export_revenue() -> None:
    assert fiscal_effect("RUS", 2024, 0.0, -1.0) is None
    tiny = fiscal_effect("RUS", 2024, 0.5, -0.1)  # half a dollar of exports is still revenue
    assert tiny is not None and tiny.change_rub_trn == pytest.approx(tiny.oil_gas_revenue_rub_trn * -0.2)


def relabelled(exporter: str) -> EnergyBaseline:
    base = baseline()
    return EnergyBaseline(exporter, 2024, base.flows, base.imports, notes=("baseline note",))


def test_outcome_labels_notes_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcome, "reroute", lambda b, o: reroute(b, o, route_table=routes().assign(exporter="RUS")))
    options = EnergyOptions(closures={"crude": frozenset({"B2"})}, notes=("options note",))
    rus = outcome.energy_outcome(relabelled("RUS"), options)
    assert (rus.exporter, rus.year) == ("RUS", 2024)
    assert rus.fiscal is not None
    assert rus.notes == ("options note", "baseline note", rus.fiscal.assumption)
    assert rus.baseline.revenue_usd == pytest.approx(800 + 1200 + 1000 + 600, rel=1e-9)  # no option: the baseline
    assert 0.0 <= rus.seconds < 60.0
    monkeypatch.setattr(outcome, "reroute", lambda b, o: reroute(b, o, route_table=routes()))
    other = outcome.energy_outcome(relabelled("AAA"), options)
    assert other.fiscal is None and other.notes == ("options note", "baseline note")


def test_buyer_table_index_and_small_moves() -> None:
    scenario = lp_result([
        ("DEU", "crude", "Mt", 10.0, 9.5, 95.0, False),  # half a tonne less
        ("CHN", "crude", "Mt", 5.0, 5.0, 50.0, False),
        ("DEU", "pipeline_gas", "bcm", 20.0, 20.0, 200.0, False),
        ("TUR", "coal", "Mt", 1.0, 1.0, 5.0, False),
        ("POL", "crude", "Mt", 2.0, 2.0, 20.0, False),
    ], 370.0)
    result = outcome.EnergyOutcome("RUS", 2023, BASELINE, scenario, None, 1.0)
    table = result.buyers()
    assert list(table.index) == list(range(5)) and "index" not in table.columns
    assert table.loc[0, "buyer"] == "DEU" and table.loc[0, "revenue_change_usd"] == -5.0
    moved = result.to_dict()["buyers"]
    assert [(b["buyer"], b["fuel"], b["volume"]) for b in moved] == [("DEU", "crude", 9.5)]
