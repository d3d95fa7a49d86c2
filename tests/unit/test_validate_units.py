"""``geoshift validate`` in detail on the example World and hand-made BACI rows: what a computation says it counted
(sources, imputed tonnes), how buyers are named (groups, EUROPE, ALL), number formats, the JSON and HTML of a
validation, and the scenario-based real-income row, each against values worked out by hand."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pandas as pd
import pytest

from geoshift.analysis.validate import (
    Check,
    Context,
    Figure,
    Tolerance,
    Validation,
    compute_row,
    deviation_text,
    number,
    published_text,
    read_table,
    render_html,
    validate,
    value_text,
    write_validation_html,
)
from geoshift.data.groups import group_members
from geoshift.errors import InputError
from geoshift.world import World, example_world
from tests.unit.test_validate_table import GOOD, NOT_COMPUTABLE, write_table

REL = 1e-12


def world_with(rows: list[tuple[object, ...]]) -> World:
    baci = pd.DataFrame(rows, columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    baci["quantity_t"] = baci["quantity_t"].astype(float)
    return dataclasses.replace(example_world(), baci=baci)


def figure(compute: str, unit: str, *, figure: str = "1", year: str = "2023", tolerance: str = "level ±10 %",
           tmp: Path) -> Figure:
    row = {**GOOD, "compute": compute, "unit": unit, "figure": figure, "year": year, "tolerance": tolerance}
    return read_table(write_table(tmp / "one.csv", [row]))[0]


def run(world: World, tmp: Path, compute: str, unit: str, **kw: str) -> Check:
    return compute_row(Context(world), figure(compute, unit, tmp=tmp, **kw))


# crude: CHN 100e6 t reported at $600/t, USA 20e9 US$ without tonnes (imputed at $600/t: 33.33e6 t);
# coal: CHN 10e6 t at $100/t, USA 0.5e9 US$ without tonnes (imputed at $100/t: 5e6 t)
IMPUTED = [(2023, "RUS", "CHN", 270900, 60e9, 100e6), (2023, "RUS", "USA", 270900, 20e9, None),
           (2023, "RUS", "CHN", 270112, 1e9, 10e6), (2023, "RUS", "USA", 270112, 0.5e9, None),
           (2022, "RUS", "CHN", 270900, 1e9, 1e6)]


def test_energy_exports_detail_names_sources_and_imputed_share(tmp_path: Path) -> None:
    check = run(world_with(IMPUTED), tmp_path, "energy_exports exporter=RUS buyers=ALL fuels=crude+coal", "Mt")
    tonnes = 100e6 + 20e9 / 600 + 10e6 + 5e6
    assert check.value == pytest.approx(tonnes / 1e6, rel=REL)
    share = 100 * (20e9 / 600 + 5e6) / tonnes  # 25.8 %
    assert check.detail == (f"energy LP baseline 2023: RUS→ALL crude+coal {tonnes / 1e6:,.2f} Mt, US$ 81.5 bn; from "
                            f"BACI 2023 {tonnes / 1e6:,.1f} Mt; {share:.0f} % of the tonnes imputed from values "
                            "(coal, crude)")
    assert f"{share:.0f}" == "26"


def test_a_small_imputed_share_reads_under_one_percent(tmp_path: Path) -> None:
    rows = [(2023, "RUS", "CHN", 270900, 60e9, 100e6), (2023, "RUS", "USA", 270900, 0.3e9, None)]
    check = run(world_with(rows), tmp_path, "energy_exports exporter=RUS buyers=CHN+USA fuels=crude", "Mt")
    assert check.value == pytest.approx(100.5, rel=REL)  # 0.3e9 US$ at $600/t = 0.5e6 t
    assert check.detail == ("energy LP baseline 2023: RUS→CHN+USA crude 100.50 Mt, US$ 60.3 bn; from BACI 2023 "
                            "100.5 Mt; under 1 % of the tonnes imputed from values (crude)")


def test_no_tonnes_no_source_list(tmp_path: Path) -> None:
    check = run(world_with(IMPUTED), tmp_path, "energy_exports exporter=RUS buyers=DEU fuels=crude", "Mt")
    assert check.value == 0.0
    assert check.detail == "energy LP baseline 2023: RUS→DEU crude 0.00 Mt, US$ 0.0 bn"
    reported = run(world_with(IMPUTED), tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=crude", "Mt")
    assert reported.detail == "energy LP baseline 2023: RUS→CHN crude 100.00 Mt, US$ 60.0 bn; from BACI 2023 100.0 Mt"


def test_buyers_by_group_alias_europe_and_all(tmp_path: Path) -> None:
    buyers = {"DEU": 1e6, "FRA": 2e6, "GBR": 4e6, "NOR": 8e6, "CHE": 16e6, "TUR": 32e6, "JPN": 64e6, "IND": 128e6}
    rows = [(2021, "RUS", b, 270900, t * 500.0, t) for b, t in buyers.items()]  # before the EU embargo
    world = world_with(rows)

    def mt(spec: str) -> float:
        value = run(world, tmp_path, f"energy_exports exporter=RUS buyers={spec} fuels=crude", "Mt",
                    year="2021").value
        assert value is not None
        return value

    assert mt("EU27") == pytest.approx(3.0) and mt("eu27") == pytest.approx(3.0)
    assert mt("EUROPE") == pytest.approx(31.0) and mt("europe") == pytest.approx(31.0)
    assert mt("Quad") == pytest.approx(192.0) and mt("quad") == pytest.approx(192.0)  # USA, JPN, IND (and AUS)
    assert mt("all") == pytest.approx(255.0) and mt("TUR+all") == pytest.approx(255.0)
    assert mt("TUR+DEU") == pytest.approx(33.0)
    assert set(group_members("Quad", 2021)) >= {"JPN", "IND"}
    with pytest.raises(InputError, match=r"'Tur' is neither an ISO3 code, a country group, EUROPE nor ALL"):
        mt("Tur")


def test_mineral_by_short_name_and_the_minerals_listed(tmp_path: Path) -> None:
    world = example_world()
    mining = pd.DataFrame({"mineral": ["Titanium (ilmenite)", "Titanium (ilmenite)", "Cobalt"],
                           "iso3": ["CHN", "RUS", "CHN"], "year": [2023, 2023, 2023],
                           "production": [30.0, 10.0, 5.0], "unit": ["metr. t"] * 3, "share": [0.75, 0.25, 1.0]})
    world = dataclasses.replace(world, mining=mining)
    check = run(world, tmp_path, "mine_share country=RUS mineral=titanium", "%", tolerance="share ±3 points")
    assert check.value == pytest.approx(25.0)
    assert check.detail == "World Mining Data 2023, Titanium (ilmenite): RUS rank 2 of 2, world 40 metr. t"
    exact = run(world, tmp_path, "mine_share country=USA mineral=COBALT", "%", tolerance="share ±3 points")
    assert exact.value == 0.0 and exact.detail == "World Mining Data 2023, Cobalt: USA no production listed, world 5 " \
                                                  "metr. t"
    with pytest.raises(InputError) as exc:
        run(world, tmp_path, "mine_share country=RUS mineral=ilmenite", "%", tolerance="share ±3 points")
    assert str(exc.value).endswith("no mineral 'ilmenite' in World Mining Data; minerals: Cobalt, Titanium "
                                   "(ilmenite)")


def test_context_computes_each_baseline_once() -> None:
    ctx = Context(example_world())
    assert ctx.world is not None and ctx.runner is not None
    first = ctx.baseline("RUS", 2023)
    assert ctx.baseline("RUS", 2023) is first
    assert ctx.baseline("RUS", 2022) is not first and ctx.baseline("RUS", 2022).year == 2022


def test_real_income_of_a_shipped_scenario_is_solved_once(tmp_path: Path) -> None:
    ctx = Context(example_world())
    income = ctx.real_income("baseline")  # no shock: every change is zero
    assert set(income.index) >= {"CHN", "RUS", "USA"}
    assert income.dtype == float and all(abs(v) < 1e-9 for v in income)
    assert ctx.real_income("baseline") is income
    with pytest.raises(InputError) as exc:
        ctx.real_income("no_such")
    assert str(exc.value).startswith("no shipped scenario 'no_such'; shipped: ")
    assert "baseline" in str(exc.value) and "two_blocs" in str(exc.value)
    check = compute_row(ctx, figure("ge_real_income scenario=baseline country=RUS", "%", figure="0",
                                    tolerance="share ±3 points", tmp=tmp_path))
    assert check.value == pytest.approx(0.0, abs=1e-9) and check.status == "within"
    assert check.detail.startswith("shipped scenario baseline, multi-sector GE on ICIO 2022 (static): RUS real "
                                   "income ")
    with pytest.raises(InputError, match=r"scenario baseline has no real income for 'DEU'"):
        compute_row(ctx, figure("ge_real_income scenario=baseline country=DEU", "%", tolerance="share ±3 points",
                                tmp=tmp_path))


def test_number_precision_follows_the_size() -> None:
    assert number(1234.56) == "1,235"
    assert number(1000.0) == "1,000"
    assert number(999.96) == "1,000.0"
    assert number(100.0) == "100.0"
    assert number(99.996) == "100.00"
    assert number(1.0) == "1.00"
    assert number(0.99951) == "1.000"
    assert number(-2500.4) == "-2,500"
    assert number(-5.678) == "-5.68"
    assert number(0.0) == "0.000"


def test_deviation_of_a_value_inside_a_range_is_zero_and_outside_is_to_the_nearest_end() -> None:
    level = Tolerance("level", 10.0)
    assert level.deviation(5.0, 4.0, 6.0) == 0.0
    assert level.deviation(3.0, 4.0, 6.0) == pytest.approx(-25.0)
    assert level.deviation(9.0, 4.0, 6.0) == pytest.approx(50.0)
    assert level.deviation(1.0, 0.0, 0.0) == 0.0  # a published zero: no percentage
    share = Tolerance("share", 3.0)
    assert share.deviation(3.0, 4.0, 6.0) == -1.0 and share.deviation(5.0, 4.0, 6.0) == 0.0


def checks(tmp: Path) -> tuple[Check, Check, Check]:
    hit = Check(figure("energy_exports exporter=RUS buyers=CHN fuels=crude", "Mt", figure="100 to 110", tmp=tmp),
                104.0, "counted <this>")
    miss = Check(figure("energy_export_share exporter=RUS buyers=CHN fuels=crude", "%", figure="40",
                        tolerance="share ±3 points", tmp=tmp), 50.0, "")
    table = read_table(write_table(tmp / "nc.csv", [NOT_COMPUTABLE]))
    return hit, miss, Check(table[0])


def test_check_json_field_by_field(tmp_path: Path) -> None:
    hit, miss, not_computable = checks(tmp_path)
    assert hit.to_dict() == {
        "id": "chn_crude_from_rus", "quantity": "China's crude imports from Russia", "figure": "100 to 110",
        "published": 105.0, "published_range": [100.0, 110.0], "unit": "Mt", "year": "2023",
        "source": "GAC via MEES", "verified": "found", "compute": "energy_exports exporter=RUS buyers=CHN fuels=crude",
        "tolerance": "level ±10 %", "computable": True, "value": 104.0, "within": True, "status": "within",
        "deviation": 0.0, "deviation_unit": "%", "reason": None, "reason_kind": "definition",
        "known_difference": "definition: tonnes at 7.33 bbl/t", "detail": "counted <this>",
    }
    data = miss.to_dict()
    assert (data["published"], data["published_range"], data["status"], data["within"]) == (40.0, [40.0, 40.0],
                                                                                             "outside", False)
    assert (data["deviation"], data["deviation_unit"], data["tolerance"]) == (10.0, "points", "share ±3 points")
    assert data["reason"] == "definition: tonnes at 7.33 bbl/t" and data["detail"] is None
    nc = not_computable.to_dict()
    assert (nc["published"], nc["published_range"], nc["compute"], nc["tolerance"], nc["computable"]) == \
        (92.0, [92.0, 92.0], None, None, False)
    assert (nc["value"], nc["within"], nc["status"], nc["deviation"], nc["deviation_unit"]) == \
        (None, None, "not computable", None, None)
    assert nc["reason"] == nc["known_difference"] == "coverage: no refining data" and nc["reason_kind"] == "coverage"
    na = Check(dataclasses.replace(not_computable.figure, figure="n/a", low=None, high=None)).to_dict()
    assert na["published"] is None and na["published_range"] is None


def test_validation_json_in_full(tmp_path: Path) -> None:
    hit, miss, not_computable = checks(tmp_path)
    validation = Validation((hit, not_computable, miss), seconds=1.5, table="t.csv")
    assert validation.counts == {"outside": 1, "within": 1, "not computable": 1}
    assert (validation.rows, validation.computable, validation.rate) == (3, 2, 0.5)
    assert validation.to_dict() == {
        "summary": {"rows": 3, "computable": 2, "within": 1, "outside": 1, "not_computable": 1, "rate": 0.5,
                    "seconds": 1.5, "table": "t.csv"},
        "rows": [miss.to_dict(), hit.to_dict(), not_computable.to_dict()],
        "line": "validate: rows=3 computable=2 within=1 outside=1 rate=0.500",
    }
    assert Validation(()).rate == 0.0 and Validation((not_computable,)).rate == 0.0


def test_cell_texts(tmp_path: Path) -> None:
    hit, miss, not_computable = checks(tmp_path)
    assert published_text(hit) == "100 to 110 Mt" and published_text(miss) == "40 %"
    assert value_text(hit) == "104.0 Mt" and value_text(miss) == "50.00 %" and value_text(not_computable) == ""
    assert deviation_text(hit) == "+0.0 %" and deviation_text(miss) == "+10.0 points"
    assert deviation_text(not_computable) == ""
    low = Check(hit.figure, 90.0)
    assert deviation_text(low) == "-10.0 %"
    na = Check(dataclasses.replace(not_computable.figure, figure="n/a", low=None, high=None))
    assert published_text(na) == "n/a"


def test_html_page_sections_cells_and_summary(tmp_path: Path) -> None:
    hit, miss, not_computable = checks(tmp_path)
    page = render_html(Validation((hit, miss, not_computable), table=str(tmp_path / "figures.csv")))
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n')
    assert "<title>geoshift validate</title>" in page and "<h1>geoshift against published figures</h1>" in page
    assert '<p class="note">Each row of figures.csv recomputed from the data' in page
    assert str(tmp_path) not in page
    assert "<p><strong>validate: rows=3 computable=2 within=1 outside=1 rate=0.500</strong></p>" in page
    assert "<h2>Outside the tolerance, with the reason (1)</h2>" in page
    assert "<h2>Within the tolerance (1)</h2>" in page
    assert "<h2>Not computable, and why (1)</h2>" in page
    outside_head = "".join(f"<th>{h}</th>" for h in ("id", "quantity", "year", "published", "geoshift", "off by",
                                                      "tolerance", "why", "what geoshift counted", "source"))
    within_head = outside_head.replace("<th>why</th>", "")
    nc_head = "".join(f"<th>{h}</th>" for h in ("id", "quantity", "year", "published", "why", "source"))
    assert outside_head in page and within_head in page and nc_head in page
    cell = '<td class="txt">{}</td>'.format
    within_row = "".join(cell(c) for c in ("chn_crude_from_rus", "China&#x27;s crude imports from Russia", "2023",
                                            "100 to 110 Mt", "104.0 Mt", "+0.0 %", "level ±10 %",
                                            "counted &lt;this&gt;", "GAC via MEES (found)"))
    assert f"<tr>{within_row}</tr>" in page
    outside_row = "".join(cell(c) for c in ("chn_crude_from_rus", "China&#x27;s crude imports from Russia", "2023",
                                             "40 %", "50.00 %", "+10.0 points", "share ±3 points",
                                             "definition: tonnes at 7.33 bbl/t", "", "GAC via MEES (found)"))
    assert f"<tr>{outside_row}</tr>" in page
    nc_row = "".join(cell(c) for c in ("refined_ree", "China&#x27;s crude imports from Russia", "2023", "92 %",
                                        "coverage: no refining data", "GAC via MEES (found)"))
    assert f"<tr>{nc_row}</tr>" in page
    assert page.index("Outside the tolerance") < page.index("Within the tolerance") < page.index("Not computable")
    empty = render_html(Validation((hit,), table="t.csv"))
    assert '<h2>Outside the tolerance, with the reason (0)</h2>\n<p class="note">none</p>' in empty
    assert page.endswith("</main>\n</body>\n</html>\n")


def test_write_validation_html_writes_the_page(tmp_path: Path) -> None:
    hit, miss, _ = checks(tmp_path)
    validation = Validation((hit, miss), table="t.csv")
    path = write_validation_html(validation, tmp_path / "out")
    assert path == tmp_path / "out" / "validate.html"
    assert path.read_text(encoding="utf-8") == render_html(validation)


def test_validate_times_itself_and_names_its_table(tmp_path: Path) -> None:
    table = write_table(tmp_path / "t.csv", [NOT_COMPUTABLE])
    validation = validate(example_world(), table)
    assert validation.table == str(table)
    assert 0.0 < validation.seconds < 60.0 and math.isfinite(validation.seconds)
    assert validation.line() == "validate: rows=1 computable=0 within=0 outside=0 rate=0.000"
