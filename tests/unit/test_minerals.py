"""Critical-minerals supply risk (GeoPolRisk) on a toy World with hand-computed values; reallocation by hand with
caps; the scenario model; the ``minerals`` command through a local Typer app; bad input."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from geoshift.commands.minerals import load_mineral_shocks, register
from geoshift.engines.minerals import (
    CU_REFERENCE_CF,
    MineralShock,
    Tonnes,
    apply_shock,
    materials,
    parse_opening,
    reallocate,
    resolve_material,
    risk_table,
    supply_risk,
)
from geoshift.engines.minerals.risk import concentration, import_risk, instability
from geoshift.errors import DataError, InputError, ScenarioError, UnknownCountryError, UnknownValueError
from geoshift.report.minerals import render_minerals_section
from geoshift.world import World, example_world

# Toy cobalt market, 2023 (HS 282200 and 810510 are cobalt's codes in the catalogue):
#   mine production (t): COD 70, AUS 20, RUS 10          -> HHI = 0.49 + 0.04 + 0.01 = 0.54
#   WGI estimates: COD -1.5, AUS 1.0, RUS -1.0, USA 0.5   -> instability 0.8, 0.3, 0.7 (USA 0.4)
#   USA imports (t, US$): COD 30 t $1.5m, AUS 50 t $2.0m (two rows), RUS 20 t $1.0m; one row without tonnes
#   other exports: COD -> CHN 270 t, RUS -> CHN 80 t      -> world exports COD 300 t, RUS 100 t, AUS 50 t
HHI = 0.54
IMPORT_RISK = (30 * 0.8 + 50 * 0.3 + 20 * 0.7) / 100  # 0.53
PRICE = 4.5e6 / 100 / 1000  # US$ 45 per kg


def toy_world() -> World:
    baci = pd.DataFrame(
        [
            (2023, "COD", "USA", 282200, 1.5e6, 30.0),
            (2023, "AUS", "USA", 282200, 1.2e6, 30.0),
            (2023, "AUS", "USA", 810510, 0.8e6, 20.0),
            (2023, "RUS", "USA", 810510, 1.0e6, 20.0),
            (2023, "JPN", "USA", 810510, 0.3e6, float("nan")),  # no tonnes: out of the price and the risk
            (2023, "COD", "CHN", 282200, 9.0e6, 270.0),
            (2023, "RUS", "CHN", 810510, 3.0e6, 80.0),
            (2023, "CHN", "USA", 280530, 0.2e6, 10.0),  # rare earths: another material
            (2022, "COD", "USA", 282200, 1.0e6, 25.0),  # another year
        ],
        columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"],
    )
    mining = pd.DataFrame({
        "mineral": ["Cobalt"] * 3 + ["Palladium"] * 2,
        "iso3": ["COD", "AUS", "RUS", "RUS", "ZAF"],
        "year": [2023] * 5,
        "production": [70.0, 20.0, 10.0, 80_000.0, 120_000.0],
        "unit": ["metr. t"] * 3 + ["kg"] * 2,
        "share": [0.7, 0.2, 0.1, 0.4, 0.6],
    })
    governance = pd.DataFrame({"iso3": ["COD", "AUS", "RUS", "USA", "CHN"], "year": [2023] * 5,
                               "estimate": [-1.5, 1.0, -1.0, 0.5, -0.5]})
    return replace(example_world(), baci=baci, mining=mining, governance=governance)


@pytest.fixture()
def toy() -> World:
    return toy_world()


# --- the method ------------------------------------------------------------------------------------------------

def test_instability_rescaling_clips_and_defaults() -> None:
    assert instability(0.0) == pytest.approx(0.5)
    assert instability(-1.0) == pytest.approx(0.7)
    assert instability(2.5) == 0.0 and instability(3.1) == 0.0
    assert instability(-2.5) == 1.0 and instability(-3.3) == 1.0
    assert instability(None) == 0.5 and instability(float("nan")) == 0.5


def test_concentration_and_import_risk_by_hand() -> None:
    assert concentration([70, 20, 10, 0]) == pytest.approx(HHI)
    assert import_risk({"A": 30, "B": 70}, {"A": 1.0, "B": 0.0}, 50.0) == pytest.approx(30 / 150)
    assert import_risk({"A": 10}, {}, 0.0) == pytest.approx(0.5)  # no score: 0.5
    assert import_risk({}, {}, 0.0) == 0.0
    with pytest.raises(InputError):
        concentration([0, 0])
    with pytest.raises(InputError):
        import_risk({"A": -1}, {}, 0.0)


def test_supply_risk_by_hand(toy: World) -> None:
    r = supply_risk(toy, "USA", "cobalt", 2023)
    assert r.hhi == pytest.approx(HHI, rel=1e-12)
    assert r.import_risk == pytest.approx(IMPORT_RISK, rel=1e-12)
    assert r.score == pytest.approx(HHI * IMPORT_RISK, rel=1e-12)
    assert r.price == pytest.approx(PRICE, rel=1e-12)
    assert r.characterisation_factor == pytest.approx(HHI * IMPORT_RISK * PRICE / CU_REFERENCE_CF, rel=1e-12)
    assert r.score_price == pytest.approx(HHI * IMPORT_RISK * PRICE, rel=1e-12)
    assert (r.imports_t, r.production_t, r.world_production_t) == (100.0, 0.0, 100.0)
    assert r.unpriced_value_usd == pytest.approx(0.3e6)
    assert [s.iso3 for s in r.suppliers] == ["AUS", "COD", "RUS"]
    assert [s.share for s in r.suppliers] == pytest.approx([0.5, 0.3, 0.2])
    assert sum(s.contribution for s in r.suppliers) == pytest.approx(r.import_risk)
    assert r.russia_production_share == pytest.approx(0.1) and r.china_production_share == 0.0
    assert r.russia_import_share == pytest.approx(0.2) and r.china_import_share == 0.0
    assert r.russia_exports_t == pytest.approx(100.0)
    assert r.russia_coverage == 1.0  # Russia exports 100 t, the U.S. imports 100 t
    assert r.hs6 == (282200, 810510) and r.missing_wgi == ()
    assert json.dumps(r.to_dict())  # plain data


def test_domestic_production_dilutes_the_import_risk(toy: World) -> None:
    r = supply_risk(toy, "RUS", "cobalt", 2023)  # Russia imports nothing, produces 10 t
    assert (r.imports_t, r.production_t, r.import_risk, r.score, r.price) == (0.0, 10.0, 0.0, 0.0, None)
    assert r.characterisation_factor == 0.0 and r.russia_coverage is None


def test_closing_a_supplier_raises_the_score_by_the_hand_computed_amount(toy: World) -> None:
    # Australia (instability 0.3) closes: its 50 t go to COD and RUS in proportion to their world exports
    # (300 : 100), within their caps (max of mine production and exports: 300 t and 100 t): COD 67.5 t, RUS 32.5 t
    outcome = apply_shock(toy, MineralShock(material="cobalt", importer="USA", close=["AUS"]))
    after_risk = (67.5 * 0.8 + 32.5 * 0.7) / 100  # 0.7675
    assert outcome.year == 2023
    assert dict(outcome.reallocation.after) == pytest.approx({"COD": 67.5, "AUS": 0.0, "RUS": 32.5})
    assert outcome.after.import_risk == pytest.approx(after_risk)
    assert outcome.after.score - outcome.before.score == pytest.approx(HHI * (after_risk - IMPORT_RISK))
    assert outcome.after.score - outcome.before.score == pytest.approx(0.12825)
    assert outcome.after.hhi == outcome.before.hhi  # world production does not move
    assert outcome.after.imports_t == pytest.approx(100.0)
    assert outcome.after.russia_import_share == pytest.approx(0.325)
    # values follow each supplier's own unit value: COD $50/kg, RUS $50/kg
    assert outcome.after.price == pytest.approx(50.0)
    assert outcome.to_dict()["score_change"] == pytest.approx(0.12825)
    html = render_minerals_section(risk_table(toy, "USA", 2023), [outcome])
    assert "close AUS" in html and "0.2862 → 0.414" in html and "Sourcing shocks" in html


def test_opening_a_supplier_takes_its_share(toy: World) -> None:
    outcome = apply_shock(toy, MineralShock(material="cobalt", importer="USA", open={"RUS": 0.6}))
    after = outcome.reallocation.after
    assert after["RUS"] == pytest.approx(60.0)  # 60 % of 100 t; RUS cap max(10, 100) = 100 t
    assert after["AUS"] == pytest.approx(50 * 40 / 80) and after["COD"] == pytest.approx(30 * 40 / 80)
    assert outcome.after.russia_import_share == pytest.approx(0.6)
    capped = apply_shock(toy, MineralShock(material="cobalt", importer="USA", open={"RUS": "150 t"}))
    assert capped.reallocation.after["RUS"] == pytest.approx(100.0) and capped.reallocation.capped == ("RUS",)


# --- reallocation by hand ----------------------------------------------------------------------------------------

def test_reallocate_closure_in_proportion_to_exports_with_caps() -> None:
    before = {"A": 50.0, "B": 30.0, "C": 20.0}
    # C would get 3/4 of 50 t = 37.5 t but can ship 30 t in all (10 more); B takes the other 40 t
    r = reallocate(before, closed=["A"], production_caps={"B": 100.0, "C": 30.0},
                   export_weights={"B": 1.0, "C": 3.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 70.0, "C": 30.0})
    assert (r.moved_t, r.shortfall_t, r.capped) == (50.0, 0.0, ("C",))
    tight = reallocate(before, closed=["A"], production_caps={"B": 50.0, "C": 30.0},
                       export_weights={"B": 1.0, "C": 3.0})
    assert dict(tight.after) == pytest.approx({"A": 0.0, "B": 50.0, "C": 30.0})
    assert tight.shortfall_t == pytest.approx(20.0) and set(tight.capped) == {"B", "C"}
    plain = reallocate(before, closed=["A"])  # default weights: current tonnes (30 : 20), no caps
    assert dict(plain.after) == pytest.approx({"A": 0.0, "B": 60.0, "C": 40.0})
    nobody = reallocate({"A": 10.0}, closed=["A"])
    assert nobody.shortfall_t == 10.0
    absent = reallocate(before, closed=["Z"])
    assert dict(absent.after)["B"] == 30.0 and "nothing to close" in absent.notes[0]


def test_reallocate_openings_by_share_and_tonnes() -> None:
    before = {"A": 60.0, "B": 40.0}
    share = reallocate(before, opened={"R": 0.25})
    assert dict(share.after) == pytest.approx({"A": 45.0, "B": 30.0, "R": 25.0})
    assert share.displaced_t == pytest.approx(25.0) and sum(share.after.values()) == pytest.approx(100.0)
    tonnes = reallocate(before, opened={"R": Tonnes(10.0)})
    assert dict(tonnes.after) == pytest.approx({"A": 54.0, "B": 36.0, "R": 10.0})
    capped = reallocate(before, opened={"R": 0.5}, production_caps={"R": 5.0})
    assert capped.after["R"] == 5.0 and capped.capped == ("R",)
    already = reallocate(before, opened={"A": 0.5})
    assert dict(already.after) == before and already.opened_t["A"] == 0.0
    # a closure nobody can absorb leaves a shortfall that an opening fills first, without displacing anyone
    both = reallocate({"A": 60.0, "B": 40.0}, closed=["A"], opened={"R": 0.5}, production_caps={"B": 40.0})
    assert dict(both.after) == pytest.approx({"A": 0.0, "B": 40.0, "R": 50.0})
    assert both.shortfall_t == pytest.approx(10.0) and both.displaced_t == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"imports_by_supplier": {"A": -1.0}}, "non-negative"),
    ({"imports_by_supplier": {"A": 1.0}, "closed": ["A"], "opened": {"A": 0.5}}, "both closed and opened"),
    ({"imports_by_supplier": {"A": 1.0}, "opened": {"B": 0.7, "C": 0.6}}, "more than the whole"),
    ({"imports_by_supplier": {"A": 1.0}, "opened": {"B": 1.5}}, "not a share"),
    ({"imports_by_supplier": {"A": 1.0}, "production_caps": {"A": -2.0}}, "caps"),
])
def test_reallocate_rejects_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        reallocate(**kwargs)  # type: ignore[arg-type]


def test_parse_opening() -> None:
    assert parse_opening(0.3) == 0.3 and parse_opening("30%") == pytest.approx(0.3)
    assert parse_opening("5,000 t") == Tonnes(5000.0) and parse_opening("2 kt") == Tonnes(2000.0)
    for bad in (0, 30, "lots", True, Tonnes(-1.0)):
        with pytest.raises(InputError):
            parse_opening(bad)  # type: ignore[arg-type]


# --- materials, years, countries -------------------------------------------------------------------------------

def test_material_names() -> None:
    assert resolve_material("Rare Earths (REO)").key == "rare_earths"
    assert resolve_material("rare earth").key == "rare_earths"
    assert resolve_material("Chromite").key == "chromium"
    assert resolve_material("iron").key == "iron_ore"
    assert resolve_material("Lithium (Li2O)").hs6 == (282520, 283691)
    keys = {m.key for m in materials()}
    assert {"graphite", "nickel", "palladium", "gallium", "germanium"} <= keys
    assert "precious_metal_scrap" not in keys  # no mine production, no HHI
    with pytest.raises(UnknownValueError, match="closest: nickel"):
        resolve_material("nickle")


def test_bad_input_is_one_clear_error(toy: World) -> None:
    with pytest.raises(UnknownValueError, match="covers 2022-2023"):
        supply_risk(toy, "USA", "cobalt", 2030)
    with pytest.raises(DataError, match="no mine production of cobalt in 2022"):
        supply_risk(toy, "USA", "cobalt", 2022)
    with pytest.raises(DataError, match=r"gallium has mine production .* no HS6 trade code"):
        supply_risk(toy, "USA", "gallium", 2023)
    with pytest.raises(DataError, match="no trade in tonnes of palladium"):
        supply_risk(toy, "USA", "palladium", 2023)
    with pytest.raises(UnknownCountryError):
        supply_risk(toy, "ATLANTIS", "cobalt", 2023)
    with pytest.raises(UnknownValueError, match="no mine production"):
        risk_table(toy, "USA", 2022)


def test_risk_table_sorts_and_says_what_it_left_out(toy: World) -> None:
    table = risk_table(toy, "USA", 2023)
    assert [r.material for r in table.risks] == ["cobalt"]
    skipped = dict(table.skipped)
    assert "gallium" in skipped and "palladium" in skipped and "nickel" in skipped
    html = render_minerals_section(table)
    assert "cobalt" in html and "kg Cu-eq" in html and "<table>" in html


# --- scenario files --------------------------------------------------------------------------------------------

def test_mineral_shock_model() -> None:
    shock = MineralShock(material="gallium", importer="usa", close="chn")  # type: ignore[arg-type]
    assert shock.close == ["CHN"]
    assert MineralShock(material="palladium", importer="USA", open={"rus": "30%"}).open == {"RUS": "30%"}
    with pytest.raises(ValueError, match="needs 'close"):
        MineralShock(material="nickel", importer="USA")
    with pytest.raises(ValueError, match="RUS: 30"):
        MineralShock(material="nickel", importer="USA", open={"RUS": 30})


def test_scenario_file_errors_name_the_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: m\nminerals:\n  - {material: cobalt, importer: USA, close: [AUS]}\n"
                    "  - {material: palladium, importer: USA, open: {RUS: 0.3}}\n", encoding="utf-8")
    assert [s.material for s in load_mineral_shocks(good)] == ["cobalt", "palladium"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: m\nminerals:\n  - material: cobalt\n    importer: USA\n    clse: [AUS]\n",
                   encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad.yaml:5: minerals\[0\].clse: unknown key 'clse'"):
        load_mineral_shocks(bad)
    none = tmp_path / "none.yaml"
    none.write_text("name: m\nshocks: []\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="no 'minerals:' list"):
        load_mineral_shocks(none)


# --- the command -----------------------------------------------------------------------------------------------

def _app(world: World) -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:  # a group, so that ``minerals`` is a subcommand as under ``geoshift``
        pass

    register(app, load=lambda: world)
    return app


def test_command_json_and_table(toy: World, tmp_path: Path) -> None:
    runner = CliRunner(env={"COLUMNS": "120"})
    app = _app(toy)
    result = runner.invoke(app, ["minerals", "USA", "--year", "2023", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["country"] == "USA" and data["year"] == 2023
    assert data["minerals"][0]["score"] == pytest.approx(HHI * IMPORT_RISK)
    assert data["units"]["characterisation_factor"] == "kg Cu-eq/kg" and "score" in data["definitions"]
    text = runner.invoke(app, ["minerals", "USA", "--year", "2023", "--material", "cobalt"])
    assert text.exit_code == 0 and "cobalt" in text.stdout and "kg Cu-eq" in text.stdout
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\nminerals:\n  - {material: cobalt, importer: USA, close: [AUS]}\n"
                        "  - {material: cobalt, importer: CHN, close: [RUS]}\n", encoding="utf-8")
    shocked = runner.invoke(app, ["minerals", "USA", "--year", "2023", "--scenario", str(scenario), "--json"])
    assert shocked.exit_code == 0, shocked.output
    payload = json.loads(shocked.stdout)
    assert payload["scenario"][0]["score_change"] == pytest.approx(0.12825)
    assert "not for this table" in payload["notes"][0]
    shown = runner.invoke(app, ["minerals", "USA", "--year", "2023", "--scenario", str(scenario)])
    assert shown.exit_code == 0 and "close AUS" in shown.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["--material", "nickle"], "unknown material 'nickle'; closest: nickel"),
    (["--year", "2030"], "year 2030 has no BACI trade"),
    (["--year", "2022"], "year 2022 has no mine production"),
    (["--material", "gallium"], "no HS6 trade code"),
    (["--scenario", "missing.yaml"], "does not exist"),
])
def test_command_errors_are_one_line_exit_2(toy: World, args: list[str], message: str) -> None:
    result = CliRunner().invoke(_app(toy), ["minerals", "USA", *args])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith("geoshift: error:")
