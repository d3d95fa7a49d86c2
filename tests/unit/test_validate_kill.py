"""``geoshift validate`` in more detail: buyers by group in the row's year, tiny and partly imputed tonnes, several
sources in the order of their names, rounding of US$ bn and Mt, mineral names with a parenthesis, and every
table error in full."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from geoshift.analysis.validate import Context, Validation, compute_row, read_table, render_html
from geoshift.errors import InputError
from geoshift.scenario.shipped import shipped_scenarios
from geoshift.world import World, example_world
from tests.unit.test_energy_baseline_units import HS, world_of
from tests.unit.test_validate_table import GOOD, NOT_COMPUTABLE, write_table
from tests.unit.test_validate_units import checks, figure, run, world_with


def mt(world: World, tmp: Path, buyers: str, year: str, fuels: str = "crude") -> float:
    value = run(world, tmp, f"energy_exports exporter=RUS buyers={buyers} fuels={fuels}", "Mt", year=year).value
    assert value is not None
    return value


def test_groups_are_taken_in_the_rows_year(tmp_path: Path) -> None:
    rows = [(2019, "RUS", b, HS["crude"], t * 500.0, t) for b, t in (("GBR", 1e6), ("DEU", 2e6), ("TUR", 4e6))]
    rows += [(2012, "RUS", b, HS["crude"], t * 500.0, t) for b, t in (("HRV", 1e6), ("DEU", 2e6), ("TUR", 4e6))]
    world = world_with(rows)
    assert mt(world, tmp_path, "EU27", "2019") == pytest.approx(3.0)  # the United Kingdom left in 2020
    assert mt(world, tmp_path, "TUR+EU27", "2019") == pytest.approx(7.0)
    assert mt(world, tmp_path, "EUROPE", "2012") == pytest.approx(2.0)  # Croatia joined in 2013
    assert mt(world, tmp_path, "TUR+EUROPE", "2012") == pytest.approx(6.0)


def test_tonnes_under_one_tonne_and_a_third_imputed(tmp_path: Path) -> None:
    # crude: CHN 200 US$ for 0.4 t ($500/t), USA 100 US$ without tonnes -> 0.2 t imputed: a third of 0.6 t
    world = world_with([(2023, "RUS", "CHN", HS["crude"], 200.0, 0.4), (2023, "RUS", "USA", HS["crude"], 100.0, None)])
    check = run(world, tmp_path, "energy_exports exporter=RUS buyers=ALL fuels=crude", "Mt")
    assert check.detail == ("energy LP baseline 2023: RUS→ALL crude 0.00 Mt, US$ 0.0 bn; from BACI 2023 0.0 Mt; 33 % "
                            "of the tonnes imputed from values (crude)")


@pytest.mark.parametrize(("reported", "imputed", "text"), [(99.0, 1.0, "1"), (98.5, 1.5, "2")])
def test_one_percent_imputed_is_not_under_one(tmp_path: Path, reported: float, imputed: float, text: str) -> None:
    world = world_with([(2023, "RUS", "CHN", HS["crude"], reported * 500.0, reported),
                        (2023, "RUS", "USA", HS["crude"], imputed * 500.0, None)])
    check = run(world, tmp_path, "energy_exports exporter=RUS buyers=ALL fuels=crude", "Mt")
    assert check.detail.endswith(f"; {text} % of the tonnes imputed from values (crude)")


def test_rounding_of_billions_and_megatonnes(tmp_path: Path) -> None:
    world = world_with([(2023, "RUS", "CHN", HS["crude"], 1.35e9, 1.35e6)])
    check = run(world, tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=crude", "Mt")
    assert check.detail == "energy LP baseline 2023: RUS→CHN crude 1.35 Mt, US$ 1.4 bn; from BACI 2023 1.4 Mt"


def test_sources_are_listed_in_the_order_of_their_names(tmp_path: Path) -> None:
    """Russia's 2019 refined products: the EU members from Comext, China from ICIO C19 (US$ 5 bn, the largest
    flow, so it comes first among the flows but after Eurostat in the list)."""
    world = world_of({("RUS", "CHN", "C19"): 5000.0}, [(2019, "RUS", "CHN", HS["crude"], 20e9, 40e6)])
    check = compute_row(Context(world), figure("energy_exports exporter=RUS buyers=ALL fuels=products", "Mt",
                                               year="2019", tmp=tmp_path))
    assert "; from Eurostat Comext 2019 " in check.detail
    assert check.detail.index("Eurostat Comext 2019") < check.detail.index(", ICIO 2022 C19 10.0 Mt")


def test_minerals_by_whole_name_or_by_the_name_before_the_parenthesis(tmp_path: Path) -> None:
    mining = pd.DataFrame({"mineral": ["Rare Earths (REO)", "Titanium (ilmenite)"], "iso3": ["CHN", "CHN"],
                           "year": [2023, 2023], "production": [10.0, 5.0], "unit": ["metr. t"] * 2,
                           "share": [1.0, 1.0]})
    world = dataclasses.replace(example_world(), mining=mining)
    ctx = Context(world)  # names with spaces: the row's arguments as the table parser hands them over
    for name, expected in (("rare earths", "Rare Earths (REO)"), ("Titanium (Ilmenite)", "Titanium (ilmenite)")):
        f = figure("mine_share country=CHN mineral=x", "%", tolerance="share ±3 points", tmp=tmp_path)
        check = compute_row(ctx, dataclasses.replace(f, args={"country": "CHN", "mineral": name}))
        assert check.detail.startswith(f"World Mining Data 2023, {expected}: CHN rank 1 of 1")


def bad(tmp: Path, **changes: str) -> str:
    with pytest.raises(InputError) as exc:
        read_table(write_table(tmp / "t.csv", [{**GOOD, **changes}]))
    return str(exc.value)


def test_compute_argument_errors_in_full(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    assert bad(tmp_path, compute="no_such x=1") == (
        f"{path}:2: field 'compute': unknown computation 'no_such'; known: crude_unit_value, energy_export_share, "
        "energy_exports, energy_import_share, ge_real_income, group_import_share, icio_goods_trade, mine_share")
    assert bad(tmp_path, compute="crude_unit_value x=a=b", unit="USD/bbl") == (
        f"{path}:2: field 'compute': crude_unit_value takes no arguments; unknown x")
    assert bad(tmp_path, compute="energy_exports =RUS buyers=CHN fuels=crude") == (
        f"{path}:2: field 'compute': argument '=RUS' must look like name=value")
    assert bad(tmp_path, compute="energy_exports exporter=RUS exporter=USA buyers=CHN fuels=crude") == (
        f"{path}:2: field 'compute': argument 'exporter' given twice")
    assert bad(tmp_path, compute="energy_exports exporter=RUS buyers=CHN") == (
        f"{path}:2: field 'compute': energy_exports takes exporter=... buyers=... fuels=...; missing fuels")
    assert bad(tmp_path, compute="energy_exports exporter=RUS buyers=CHN fuels=crude colour=red") == (
        f"{path}:2: field 'compute': energy_exports takes exporter=... buyers=... fuels=...; unknown colour")


def test_row_errors_in_full(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    assert bad(tmp_path, quantity="") == f"{path}:2: field 'quantity': is empty"
    assert bad(tmp_path, reason="because") == (
        f"{path}:2: field 'reason': must read 'KIND: text' with KIND one of coverage, definition, year, period, "
        "model scope, input, not a statistic, definition and coverage")
    assert bad(tmp_path, figure="n/a") == f"{path}:2: field 'figure': a computable row needs a number or a range"
    assert bad(tmp_path, tolerance="") == (
        f"{path}:2: field 'tolerance': a computable row needs 'level ±N %' or 'share ±N points'")
    (same,) = read_table(write_table(tmp_path / "ok.csv", [{**GOOD, "figure": "5 to 5"}]))
    assert (same.low, same.high) == (5.0, 5.0)
    (plain,) = read_table(write_table(tmp_path / "nc.csv", [NOT_COMPUTABLE]))
    assert plain.args == {} and plain.key is None and plain.tolerance is None


def test_header_errors_in_full(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    header = ("id", "quantity", "figure", "unit", "year", "source", "verified", "compute", "colour", "reason")
    write_table(path, [GOOD], header=header)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert str(exc.value) == (f"{path}:1: the header must be id,quantity,figure,unit,year,source,verified,compute,"
                              "tolerance,reason; missing tolerance; unknown colour")
    only_extra = ("id", "quantity", "figure", "unit", "year", "source", "verified", "compute", "tolerance", "reason",
                  "colour", "size")
    write_table(path, [GOOD], header=only_extra)
    with pytest.raises(InputError) as exc:
        read_table(path)
    assert str(exc.value) == (f"{path}:1: the header must be id,quantity,figure,unit,year,source,verified,compute,"
                              "tolerance,reason; unknown colour, size")


def test_unknown_scenario_lists_every_shipped_one() -> None:
    with pytest.raises(InputError) as exc:
        Context(example_world()).real_income("no_such")
    names = ", ".join(p.stem for p in shipped_scenarios())
    assert str(exc.value) == f"no shipped scenario 'no_such'; shipped: {names}"


def test_page_header_and_sections_joined(tmp_path: Path) -> None:
    hit, miss, not_computable = checks(tmp_path)
    page = render_html(Validation((hit, miss, not_computable), table="figures.csv"))
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">\n' in page
    assert ("<h1>geoshift against published figures</h1>\n<p class=\"note\">Each row of figures.csv recomputed from "
            "the data (the World, profiles, the energy LP's baseline, the GE engine) and compared with its "
            "tolerance: level ±10 % of the nearest end of the published range, or share ±3 percentage points. No "
            "model parameter is tuned to hit a row; a miss is explained (coverage, definition, year, model "
            "scope).</p>\n") in page
    assert page.count("</section><section>") == 2
