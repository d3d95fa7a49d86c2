"""``energy_export_totals`` on small hand-made Worlds: each source's figure by fuel group (ICIO B05/B06/C19 in
US$ million, BACI rows, the LP baseline) and the explanation lines, worked out by hand."""

from __future__ import annotations

import pytest

from geoshift.analysis.reconcile import GROUPS, Reconciliation, SourceTotal, energy_export_totals
from geoshift.world import example_world
from tests.unit.test_energy_baseline_units import HS, RUS_2023, RUS_2023_ICIO, USA_BACI, USA_ICIO, world_of

REL = 1e-12
ICIO_COVERAGE = "sectors B05, B06, C19; exports to the other 4 economies incl. the rest of the world; basic prices"
BACI_COVERAGE = ("HS 2701/2702, 2709, 271111, 271121 (the data pack's extract has no HS 2710: no refined products); "
                 "FOB, reconciled mirror flows; noise under 0.01 % dropped")
WHY_GAP = ("ICIO values at basic prices and balances trade to national accounts, BACI reconciles customs reports of "
           "both sides; the gap is reported, not resolved here.")
# USA's ICIO exports of coal (B05) and crude and gas (B06), US$ million; its own purchases do not count
ICIO = {**USA_ICIO, ("USA", "CHN", "B05"): 2000.0, ("USA", "DEU", "B06"): 5000.0, ("USA", "CHN", "B06"): 1500.0,
        ("USA", "USA", "B06"): 700.0}
BACI = [*USA_BACI, (2022, "NOR", "DEU", HS["crude"], 7e9, 9e6)]


def values(total: SourceTotal) -> dict[str, float | None]:
    return dict(total.values_usd)


def close(got: dict[str, float | None], expected: dict[str, float | None]) -> None:
    assert list(got) == list(expected)
    for key, value in expected.items():
        assert got[key] == (None if value is None else pytest.approx(value, rel=REL)), key


def test_groups_and_the_same_year_by_hand() -> None:
    r = energy_export_totals(world_of(ICIO, BACI), "USA", 2022)
    assert isinstance(r, Reconciliation) and r.exporter == "USA"
    icio, baci, lp = r.totals
    assert (icio.source, icio.year, icio.coverage) == ("OECD ICIO 2022", 2022, ICIO_COVERAGE)
    close(values(icio), {"coal": 2e9, "crude and natural gas": 6.5e9, "refined products": 20e6})
    assert icio.total_usd == pytest.approx(8.52e9, rel=REL)
    assert (baci.source, baci.year, baci.coverage) == ("BACI 2022", 2022, BACI_COVERAGE)
    close(values(baci), {"coal": 3.6e9, "crude and natural gas": 10e9, "refined products": None})
    assert baci.total_usd == pytest.approx(13.6e9, rel=REL)
    assert (lp.source, lp.year) == ("energy LP baseline 2022", 2022)
    assert lp.coverage == ("BACI 2022 plus refined products from ICIO 2022 C19 (what `geoshift energy` and the budget "
                           "effect use)")
    close(values(lp), {"coal": 3.6e9, "crude and natural gas": 10e9, "refined products": 20e6})
    assert r.explanations == (
        "The energy LP's US$ 13.6 bn = BACI 2022 US$ 13.6 bn + ICIO 2022 C19 US$ 0.0 bn; BACI 2022 counts US$ 13.6 "
        "bn of coal, crude and gas and no refined products (its extract lacks HS 2710), which come from ICIO 2022 "
        "C19 where no other source covers the year.",
        "For the same year 2022, ICIO counts crude and natural gas at US$ 6.5 bn and BACI at US$ 10.0 bn (-3.5 bn): "
        + WHY_GAP,
    )


def test_another_year_adds_the_same_year_baci_and_a_missing_group_is_zero() -> None:
    r = energy_export_totals(world_of(ICIO, BACI), "USA", 2023)
    assert [t.source for t in r.totals] == ["OECD ICIO 2022", "BACI 2022", "BACI 2023", "energy LP baseline 2023"]
    close(values(r.totals[1]), {"coal": 3.6e9, "crude and natural gas": 10e9, "refined products": None})
    close(values(r.totals[2]), {"coal": 0.0, "crude and natural gas": 4e9, "refined products": None})
    close(values(r.totals[3]), {"coal": 0.0, "crude and natural gas": 4e9, "refined products": 20e6})
    assert r.explanations[0] == (
        "The energy LP's US$ 4.0 bn = BACI 2023 US$ 4.0 bn + ICIO 2022 C19 US$ 0.0 bn; BACI 2023 counts US$ 4.0 bn "
        "of coal, crude and gas and no refined products (its extract lacks HS 2710), which come from ICIO 2022 C19 "
        "where no other source covers the year.")
    assert r.explanations[1].startswith("For the same year 2022, ICIO counts crude and natural gas at US$ 6.5 bn and "
                                        "BACI at US$ 10.0 bn (-3.5 bn): ")
    assert r.explanations[2] == "BACI 2022 vs 2023: the same source in two years (prices and sanctions moved)."
    assert len(r.explanations) == 3


def test_exporter_outside_the_icio_has_no_icio_figure() -> None:
    r = energy_export_totals(world_of(ICIO, BACI), "NOR", 2023)
    assert [t.source for t in r.totals] == ["BACI 2022", "BACI 2023", "energy LP baseline 2023"]
    close(values(r.totals[0]), {"coal": 0.0, "crude and natural gas": 7e9, "refined products": None})
    close(values(r.totals[2]), {"coal": 0.0, "crude and natural gas": 8e9, "refined products": 0.0})
    assert r.explanations == (
        "The energy LP's US$ 8.0 bn = BACI 2023 US$ 8.0 bn; BACI 2023 counts US$ 8.0 bn of coal, crude and gas and "
        "no refined products (its extract lacks HS 2710), which come from ICIO 2022 C19 where no other source covers "
        "the year.",
        "BACI 2022 vs 2023: the same source in two years (prices and sanctions moved).",
    )


def test_embargoed_flows_count_in_baci_but_not_in_the_lp_baseline() -> None:
    r = energy_export_totals(world_of(RUS_2023_ICIO, RUS_2023), "RUS", 2023)
    icio, baci, lp = r.totals
    close(values(icio), {"coal": 0.0, "crude and natural gas": 0.0, "refined products": 65e6})
    # BACI: every coal, crude and gas row, the German ones the embargoes remove included
    close(values(baci), {"coal": 4e9, "crude and natural gas": 68e9 + 19.5e9 + 7e9, "refined products": None})
    close(values(lp), {"coal": 3e9, "crude and natural gas": 63e9 + 19.5e9 + 7e9, "refined products": 40e6})
    assert r.explanations == (
        "The energy LP's US$ 92.5 bn = BACI 2023 US$ 92.5 bn + ICIO 2022 C19 US$ 0.0 bn, after removing US$ 6.0 bn "
        "that the embargoes in force in 2023 stop (not reallocated); BACI 2023 counts US$ 98.5 bn of coal, crude and "
        "gas and no refined products (its extract lacks HS 2710), which come from ICIO 2022 C19 where no other source "
        "covers the year.",
        "BACI 2022 vs 2023: the same source in two years (prices and sanctions moved).",
    )


def test_fuel_groups_are_the_three_shared_ones() -> None:
    assert GROUPS == ("coal", "crude and natural gas", "refined products")
    assert SourceTotal("x", 2022, {"coal": 1.5, "refined products": None}, "").total_usd == 1.5


def test_a_world_without_coal_or_refined_products_sectors_says_so() -> None:
    """The example World has B06 but neither B05 nor C19: ICIO cannot say what coal or products are (None)."""
    world = example_world()
    r = energy_export_totals(world, "RUS", 2023)
    icio = r.totals[0]
    X = world.X[1, :, 0]  # RUS's B06 sales, US$ million
    close(values(icio), {"coal": None, "crude and natural gas": float(X.sum() - X[1]) * 1e6,
                         "refined products": None})
    assert icio.coverage == ("sectors B05, B06, C19; exports to the other 2 economies incl. the rest of the world; "
                             "basic prices")
    assert icio.total_usd == pytest.approx(float(X.sum() - X[1]) * 1e6)
