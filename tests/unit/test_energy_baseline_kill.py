"""More edges of the energy baseline, by hand: when a measure is in force for more than half of the year (a
made-up embargo table), LNG-only Russian exports in a Eurostat year, the published EU total of all gas, the Energy
Institute override with a buyer BACI reports at zero or under one bcm, a small EU base, several EU and residual
areas, and tiny ICIO flows of refined products."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest

from geoshift.analysis.reconcile import energy_export_totals
from geoshift.data.eurostat import gas_from_russia
from geoshift.engines.energy import baseline as baseline_module
from geoshift.engines.energy.baseline import embargo_closures, energy_baseline, published_eu_gas
from tests.unit.test_energy_baseline_units import (
    BCM_PER_T,
    HS,
    RUS_2019,
    RUS_ICIO,
    by_key,
    check_flow,
    ei_table,
    world_of,
)


@pytest.fixture(autouse=True)
def fresh_tables() -> Iterator[None]:
    baseline_module.embargoes.cache_clear()
    published_eu_gas.cache_clear()
    yield


def test_a_measure_is_in_force_when_it_covers_more_than_half_of_the_year(monkeypatch: pytest.MonkeyPatch) -> None:
    """2023 has 365 days: a ban from 3 July covers 182 (not in force), one ending 2 July covers 183 (in force)."""
    table = pd.DataFrame([
        ("late ban", "NOR", "crude", "DEU", "ban", "2023-07-03", "", "s", "found", ""),
        ("early ban", "NOR", "coal", "FRA", "ban", "2022-01-01", "2023-07-02", "s", "found", ""),
        ("short ban", "NOR", "lng", "ITA", "ban", "2022-01-01", "2023-07-01", "s", "found", ""),
    ], columns=["measure", "exporter", "fuel", "buyers", "effect", "start", "end", "source", "verified", "note"])
    monkeypatch.setattr(baseline_module, "embargoes", lambda: table)
    closed, lines = embargo_closures("NOR", 2023)
    assert closed == {"coal": frozenset({"FRA"})}
    assert lines == ["early ban (coal, FRA, from 2022-01-01 to 2023-07-02)"]


def test_lng_only_exports_in_a_eurostat_year_still_take_eurostats_lng() -> None:
    rows = [(2019, "RUS", "FRA", HS["lng"], 1e9, 1e6), (2019, "RUS", "CHN", HS["coal"], 1e9, 1e7)]
    base = energy_baseline(world_of({}, rows), "RUS", 2019)
    assert base.notes[1] == ("pipeline_gas 2019: BACI has no pipeline_gas exports of RUS to value Eurostat's volumes "
                             "at; Eurostat not used")
    gas = gas_from_russia()
    lng = gas[(gas["year"] == 2019) & (gas["fuel"] == "lng") & (gas["bcm"] > 1.36)]
    assert len(lng) >= 1
    flows = by_key(base.flows)
    for buyer, bcm in zip(lng["importer"], lng["bcm"], strict=True):
        assert flows[("lng", buyer)]["quantity"] == pytest.approx(bcm)
        assert flows[("lng", buyer)]["source"] == "Eurostat nrg_ti_gas 2019"


def test_the_published_total_of_all_gas_is_compared_with_both_fuels() -> None:
    rows = [(2024, "RUS", "DEU", HS["pipeline_gas"], 4e9, 10e6), (2024, "RUS", "FRA", HS["lng"], 1e9, 2e6)]
    note = energy_baseline(world_of({}, rows), "RUS", 2024).notes[1]
    assert note.startswith("EU pipeline gas 2024: no trustworthy bilateral source")
    assert "; baseline to EU members: all 16.3 bcm vs 52.0 published (" in note  # 13.6 + 2.72 bcm
    assert note.endswith("gap -35.7 bcm); not corrected")


def ei_rows(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    table = ei_table().iloc[0:0]
    areas = {"EU", "Other EU", "Other CIS", "Other Europe"}
    return pd.DataFrame({
        "fuel": [r[0] for r in rows], "exporter": "Russian Federation",
        "importer": [r[1] if r[1] in areas else f"name of {r[1]}" for r in rows],
        "value": [r[2] for r in rows], "unit": "bcm", "year": 2023, "exporter_iso3": "RUS",
        "importer_iso3": pd.Series([None if r[1] in areas else r[1] for r in rows], dtype=object),
    })[list(table.columns)]


def test_energy_institute_buyers_reported_at_zero_or_under_one_bcm() -> None:
    """BACI: CHN 27.2 bcm for US$ 10 bn, ARM 0.68 bcm for US$ 0.2 bn, SRB 0 t for US$ 1 bn (no volume), DEU 0.68
    bcm for US$ 0.1 bn (the only EU member), BLR 1.36 bcm. EI names ARM and SRB; splits 2 bcm of "EU" and 1 bcm of
    "Other EU" over DEU; two residual areas."""
    gas = HS["pipeline_gas"]
    rows = [(2023, "RUS", "CHN", gas, 10e9, 20e6), (2023, "RUS", "ARM", gas, 0.2e9, 0.5e6),
            (2023, "RUS", "SRB", gas, 1e9, 0.0), (2023, "RUS", "DEU", gas, 0.1e9, 0.5e6),
            (2023, "RUS", "BLR", gas, 0.5e9, 1e6), (2023, "RUS", "CHN", HS["crude"], 1e9, 1e6)]
    ei = ei_rows([("pipeline_gas", "ARM", 2.0), ("pipeline_gas", "SRB", 3.0), ("pipeline_gas", "EU", 2.0),
                  ("pipeline_gas", "Other EU", 1.0), ("pipeline_gas", "Other CIS", 5.0),
                  ("pipeline_gas", "Other Europe", 1.5)])
    base = energy_baseline(world_of({}, rows), "RUS", 2023, ei=ei)
    flows = by_key(base.flows)
    average = (10e9 + 0.2e9 + 0.1e9 + 0.5e9) / (27.2 + 0.68 + 0.68 + 1.36)  # over rows with a volume
    label = "EI Statistical Review (2023)"
    check_flow(flows[("pipeline_gas", "ARM")], value=2.0 * 0.2e9 / 0.68, quantity=2.0, tonnes=2.0 / BCM_PER_T,
               imputed=False, source=label)
    check_flow(flows[("pipeline_gas", "SRB")], value=3.0 * average, quantity=3.0, tonnes=3.0 / BCM_PER_T,
               imputed=True, source=label)
    factor = 3.0 / 0.68
    check_flow(flows[("pipeline_gas", "DEU")], value=0.1e9 * factor, quantity=0.68 * factor, tonnes=0.5e6 * factor,
               imputed=False, source=f"{label}, EU total split as BACI")
    assert base.notes[1].endswith(
        "; EI's EU + Other EU total of 3.0 bcm split over the EU members BACI reports in proportion to BACI's "
        "volumes (0.7 bcm); EI's residual areas (Other CIS, Other Europe: 6.5 bcm) keep BACI's 28.6 bcm for the "
        "buyers EI does not name")


def test_tiny_icio_flows_of_refined_products_count() -> None:
    icio = {("USA", "CHN", "C19"): 5e-7, ("USA", "DEU", "C19"): 2.0}  # US$ 0.5 and US$ 2 million
    base = energy_baseline(world_of(icio, [(2022, "USA", "CHN", HS["crude"], 7e9, 10e6)]), "USA", 2022)
    products = base.flows[base.flows["fuel"] == "products"]
    assert sorted(zip(products["buyer"], products["value_usd"], strict=True)) == [
        ("CHN", pytest.approx(0.5)), ("DEU", pytest.approx(2e6))]


def test_baci_as_the_reconciliation_counts_it_leaves_eurostat_volumes_out() -> None:
    rows = [*RUS_2019, (2022, "RUS", "CHN", HS["crude"], 1e9, 2e6)]
    r = energy_export_totals(world_of(RUS_ICIO, rows), "RUS", 2019)
    baci = next(t for t in r.totals if t.source == "BACI 2019")
    # the rows that stay BACI's in the baseline: crude 30 bn, pipeline gas to TUR 2 bn and CHN 1 bn (DEU's, ITA's
    # and FRA's LNG rows carry Eurostat's volumes now and are left out)
    assert baci.values_usd["crude and natural gas"] == pytest.approx(33e9)
    assert baci.values_usd["coal"] == 0.0 and baci.values_usd["refined products"] is None
