"""The table of published figures (``geoshift validate``): its columns are checked row by row (a bad row is one
error naming the file, line and field), the computations give hand-computed values on the example World, and the
comparison (tolerance, within / outside, the summary line) follows its stated rules. Also: profiles name the
source, year and coverage of their figures, and an ICIO year that does not exist is refused in plain words."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from geoshift.analysis import profile
from geoshift.analysis.validate import (
    COLUMNS,
    REGISTRY,
    Check,
    Context,
    Tolerance,
    compute_row,
    read_table,
    render_html,
    validate,
)
from geoshift.errors import InputError, UnknownValueError
from geoshift.world import World

REL = 1e-9
GOOD = {"id": "chn_crude_from_rus", "quantity": "China's crude imports from Russia", "figure": "2.14",
        "unit": "mb/d", "year": "2023", "source": "GAC via MEES", "verified": "found",
        "compute": "energy_exports exporter=RUS buyers=CHN fuels=crude", "tolerance": "level ±10 %",
        "reason": "definition: tonnes at 7.33 bbl/t"}
NOT_COMPUTABLE = {**GOOD, "id": "refined_ree", "compute": "", "tolerance": "", "unit": "%", "figure": "92",
                  "reason": "coverage: no refining data"}


def write_table(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = COLUMNS) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(header), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# -- the packaged table ----------------------------------------------------------------------------------------


def test_the_packaged_table_parses_with_computable_and_not_computable_rows() -> None:
    rows = read_table()
    assert len({r.id for r in rows}) == len(rows)
    computable = [r for r in rows if r.computable]
    assert len(computable) >= 30 and len(rows) - len(computable) >= 30
    for r in rows:
        assert r.verified in ("found", "derived", "memory")
        assert r.reason, r.id
        if r.computable:
            assert r.key in REGISTRY and r.unit in REGISTRY[r.key].units
            assert r.tolerance is not None and r.low is not None and r.high is not None
            assert (r.tolerance.kind, r.tolerance.amount) in (("level", 10.0), ("share", 3.0))
            assert r.tolerance.kind == "share" or r.unit != "%" or r.key == "ge_real_income"
        else:
            assert r.tolerance is None
    # every computation in the registry is used by at least one row (the real-data test runs them all)
    assert {r.key for r in computable} == set(REGISTRY)


def test_derived_rows_state_their_arithmetic() -> None:
    rows = {r.id: r for r in read_table()}
    assert rows["rus_chn_trade_2022"].low == pytest.approx(240.11 / 1.263, abs=0.005)
    assert rows["chn_crude_from_rus_2022"].low == pytest.approx(2.14 - 0.417)
    assert rows["rus_lng_europe_2023"].low == pytest.approx(17.8 - 2)
    assert all(r.verified == "derived" for r in rows.values() if "derived from" in r.source)


# -- bad rows: one error naming the file, the line and the field ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"verified": "guess"}, "verified", "not one of found, derived, memory"),
        ({"figure": "about 2"}, "figure", "not a number, a range 'A to B' or n/a"),
        ({"figure": "5 to 4"}, "figure", "runs downwards"),
        ({"figure": "n/a"}, "figure", "needs a number or a range"),
        ({"compute": "crude_volume exporter=RUS"}, "compute", "unknown computation 'crude_volume'"),
        ({"compute": "energy_exports exporter=RUS buyers=CHN"}, "compute", "missing fuels"),
        ({"compute": "energy_exports exporter=RUS buyers=CHN fuels=crude colour=red"}, "compute", "unknown colour"),
        ({"compute": "energy_exports exporter=RUS buyers CHN fuels=crude"}, "compute", "must look like name=value"),
        ({"unit": "kb/d"}, "unit", "energy_exports gives mb/d, Mt, bcm"),
        ({"tolerance": "level 10%"}, "tolerance", "'level ±N %' or 'share ±N points'"),
        ({"tolerance": ""}, "tolerance", "a computable row needs"),
        ({"year": "2023-24"}, "year", "needs one year"),
        ({"reason": "tonnes at 7.33 bbl/t"}, "reason", "must read 'KIND: text'"),
        ({"reason": "luck: it happens"}, "reason", "must read 'KIND: text'"),
        ({"source": ""}, "source", "is empty"),
        ({"id": "Crude Row"}, "id", "lower-case letters"),
    ],
)
def test_a_bad_row_is_one_error_naming_file_line_and_field(tmp_path: Path, change: dict[str, str], field: str,
                                                           message: str) -> None:
    path = write_table(tmp_path / "figures.csv", [NOT_COMPUTABLE, {**GOOD, **change}])
    with pytest.raises(InputError) as info:
        read_table(path)
    text = str(info.value)
    assert text.startswith(f"{path}:3: field '{field}'"), text
    assert message in text and "\n" not in text


def test_table_level_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"figures.csv:3: field 'id': 'chn_crude_from_rus' appears twice"):
        read_table(write_table(tmp_path / "figures.csv", [GOOD, GOOD]))
    with pytest.raises(InputError, match=r"figures.csv:2: field 'tolerance': given for a row with no computation"):
        read_table(write_table(tmp_path / "figures.csv", [{**NOT_COMPUTABLE, "tolerance": "share ±3 points"}]))
    with pytest.raises(InputError, match=r"figures.csv:1: the header must be .*; missing reason"):
        read_table(write_table(tmp_path / "figures.csv", [GOOD], header=COLUMNS[:-1]))
    (tmp_path / "extra.csv").write_text(",".join(COLUMNS) + "\n" + ",".join(GOOD.values()) + ",surplus\n",
                                        encoding="utf-8")
    with pytest.raises(InputError, match=r"extra.csv:2: field 'reason': the row has more cells"):
        read_table(tmp_path / "extra.csv")
    with pytest.raises(InputError, match="has no rows"):
        read_table(write_table(tmp_path / "empty.csv", []))
    with pytest.raises(InputError, match="cannot read"):
        read_table(tmp_path / "absent.csv")


# -- the comparison --------------------------------------------------------------------------------------------


def test_tolerances_are_relative_to_the_nearest_end_of_the_range() -> None:
    level = Tolerance("level", 10.0)
    assert level.bounds(4.7, 5.0) == pytest.approx((4.23, 5.5))
    assert level.bounds(-1.5, -1.0) == pytest.approx((-1.65, -0.9))
    assert level.deviation(4.29, 4.7, 5.0) == pytest.approx(100 * (4.29 - 4.7) / 4.7)
    assert level.deviation(4.8, 4.7, 5.0) == 0.0
    assert level.deviation(-0.5, -1.5, -1.0) == pytest.approx(50.0)
    share = Tolerance("share", 3.0)
    assert share.bounds(18, 19) == (15, 22)
    assert share.deviation(27.5, 4, 5) == pytest.approx(22.5)
    assert (level.text, share.text) == ("level ±10 %", "share ±3 points")


def test_within_and_outside_at_the_edges(tmp_path: Path) -> None:
    figure = read_table(write_table(tmp_path / "f.csv", [GOOD]))[0]  # 2.14 mb/d, level ±10 %
    assert Check(figure, 2.14 * 1.1).within and Check(figure, 2.14 * 0.9).within
    assert not Check(figure, 2.14 * 1.1001).within and not Check(figure, 2.14 * 0.8999).within
    assert Check(figure, 1.0).status == "outside" and Check(figure, 1.0).reason == "definition: tonnes at 7.33 bbl/t"
    assert Check(figure, 2.0).status == "within" and Check(figure, 2.0).reason is None
    assert Check(figure).status == "not computable"


# -- the computations on the example World, by hand ------------------------------------------------------------


def computed(world: World, tmp_path: Path, compute: str, unit: str, year: str = "2023") -> Check:
    row = {**GOOD, "compute": compute, "unit": unit, "year": year,
           "tolerance": "share ±3 points" if unit == "%" else "level ±10 %"}
    figure = read_table(write_table(tmp_path / "one.csv", [row]))[0]
    return compute_row(Context(world), figure)


def test_icio_goods_trade(small_world: World, tmp_path: Path) -> None:
    X = small_world.X  # goods sectors of the example World: B06 (energy) and C24A (metals); G is a service
    expected = (X[1, 0, :2].sum() + X[0, 1, :2].sum()) * 1e6 / 1e9
    check = computed(small_world, tmp_path, "icio_goods_trade a=RUS b=CHN", "USD bn", "2022")
    assert check.value == pytest.approx(expected, rel=REL)
    with pytest.raises(InputError, match=r"line 2 \(chn_crude_from_rus\): field 'compute'.*ICIO network is 2022 only"):
        computed(small_world, tmp_path, "icio_goods_trade a=RUS b=CHN", "USD bn", "2023")


def test_energy_exports_in_barrels_tonnes_and_cubic_metres(small_world: World, tmp_path: Path) -> None:
    crude = computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=crude", "mb/d")
    assert crude.value == pytest.approx(107e6 * 7.33 / 365 / 1e6, rel=REL)
    gas = computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=pipeline_gas", "bcm")
    assert gas.value == pytest.approx(17e6 / 1e6 * 1.36, rel=REL)
    everyone = computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=ALL fuels=crude+lng", "Mt")
    assert everyone.value == pytest.approx(108.0, rel=REL)
    group = computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=CHN+USA fuels=lng", "Mt")
    assert group.value == pytest.approx(1.0, rel=REL)
    with pytest.raises(InputError, match="bcm applies to pipeline_gas and lng"):
        computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=crude", "bcm")
    with pytest.raises(InputError, match="unknown fuel 'oil'"):
        computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=CHN fuels=oil", "Mt")
    with pytest.raises(InputError, match="'china' is neither an ISO3 code"):
        computed(small_world, tmp_path, "energy_exports exporter=RUS buyers=china fuels=crude", "Mt")


def test_energy_shares(small_world: World, tmp_path: Path) -> None:
    export_share = computed(small_world, tmp_path, "energy_export_share exporter=RUS buyers=CHN fuels=crude+lng", "%")
    assert export_share.value == pytest.approx(100 * 107 / 108, rel=REL)
    import_share = computed(small_world, tmp_path, "energy_import_share exporter=RUS importer=CHN fuel=crude", "%")
    assert import_share.value == pytest.approx(100 * 107 / (107 + 6), rel=REL)


def test_group_import_share_counts_only_imports_from_outside_the_group(small_world: World, tmp_path: Path) -> None:
    baci = pd.DataFrame([(2023, "RUS", "DEU", 271121, 10e9, 30e6), (2023, "NOR", "DEU", 271121, 9e9, 50e6),
                         (2023, "USA", "FRA", 271111, 3e9, 20e6), (2023, "NLD", "DEU", 271121, 8e9, 40e6)],
                        columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    world = dataclasses.replace(small_world, baci=baci)
    check = computed(world, tmp_path, "group_import_share exporter=RUS group=EU27 fuels=pipeline_gas+lng", "%")
    assert check.value == pytest.approx(100 * 30 / (30 + 50 + 20), rel=REL)  # NLD -> DEU is intra-EU


def test_crude_unit_value(small_world: World, tmp_path: Path) -> None:
    check = computed(small_world, tmp_path, "crude_unit_value", "USD/bbl")
    assert check.value == pytest.approx((61e9 + 4e9) / (107e6 + 6e6) / 7.33, rel=REL)


def test_mine_share(small_world: World, tmp_path: Path) -> None:
    check = computed(small_world, tmp_path, "mine_share country=CHN mineral=cobalt", "%")
    assert check.value == pytest.approx(75.0, rel=REL)
    assert "rank 1 of 2" in check.detail
    with pytest.raises(InputError, match="no mineral 'unobtainium'"):
        computed(small_world, tmp_path, "mine_share country=CHN mineral=unobtainium", "%")


def test_every_registered_computation_has_a_unit_and_arguments_it_names() -> None:
    for key, computation in REGISTRY.items():
        assert computation.key == key and computation.units and computation.summary
    assert REGISTRY["ge_real_income"].params == ("scenario", "country")
    assert REGISTRY["crude_unit_value"].params == ()


# -- a whole validation on the example World -------------------------------------------------------------------


def test_validation_summary_json_and_html(small_world: World, tmp_path: Path) -> None:
    rows = [{**GOOD, "id": "hit"}, {**GOOD, "id": "miss", "figure": "5 to 6"}, NOT_COMPUTABLE,
            {**NOT_COMPUTABLE, "id": "escaped", "quantity": "<script>alert(1)</script>"}]
    validation = validate(small_world, write_table(tmp_path / "t.csv", rows))
    assert validation.line() == "validate: rows=4 computable=2 within=1 outside=1 rate=0.500"
    assert re.fullmatch(r"validate: rows=\d+ computable=\d+ within=\d+ outside=\d+ rate=\d\.\d{3}", validation.line())
    data = json.loads(json.dumps(validation.to_dict()))
    assert [r["id"] for r in data["rows"]] == ["miss", "hit", "refined_ree", "escaped"]  # misses first
    for r in data["rows"]:
        assert {"value", "published", "unit", "within", "reason"} <= set(r)
    miss = data["rows"][0]
    assert miss["within"] is False and miss["published_range"] == [5.0, 6.0] and miss["reason"].startswith("definition")
    assert data["rows"][1]["within"] is True and data["rows"][1]["reason"] is None
    assert data["rows"][2]["value"] is None and data["rows"][2]["reason"] == "coverage: no refining data"
    page = render_html(validation)
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "http://" not in page and "https://" not in page.replace(GOOD["source"], "")
    assert validation.line() in page


# -- profiles name their source, year and coverage -------------------------------------------------------------


def test_profiles_name_source_year_and_coverage(small_world: World) -> None:
    icio = profile(small_world, "RUS", source="icio", group="all")
    assert icio.coverage == "ICIO 2022, all goods and services (B06, C24A, G), US$ at basic prices"
    assert icio.to_dict()["coverage"] == icio.coverage
    energy = profile(small_world, "RUS", source="baci", group="energy", year=2023)
    assert energy.coverage.startswith("BACI 2023, 8 energy HS6 products (coal, crude oil, LNG, pipeline gas; no "
                                      "refined products)")
    everything = profile(small_world, "CHN", source="baci", group="all", flow="imports", year=2022)
    assert everything.coverage.startswith("BACI 2022, 74 energy and mineral HS6 products")


def test_an_icio_year_that_does_not_exist_is_refused_in_plain_words(small_world: World) -> None:
    with pytest.raises(UnknownValueError) as info:
        profile(small_world, "RUS", year=2023)
    text = str(info.value)
    assert text.startswith("no all-goods source covers 2023: the ICIO network (all goods and services) is 2022 only")
    assert "BACI 2023, 74 energy and mineral HS6 products" in text
    assert "geoshift profile RUS --source baci --year 2023" in text
    with pytest.raises(UnknownValueError, match=r"no all-goods source covers 1990.*BACI \(74 energy and mineral HS6 "
                                                r"products\) covers 2022-2023, not 1990"):
        profile(small_world, "RUS", year=1990)
