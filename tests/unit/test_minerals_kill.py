"""Sourcing shocks on the critical-minerals supply risk, at the edges the broader tests in test_minerals.py do not
reach: zero tonnes and zero caps, a supplier exactly at its cap, an opening exactly met, several closures and
openings, fall-back weights; and ``apply_shock`` on a toy cobalt market worked out by hand (caps from production
and exports, the unit value of a new supplier, the shortfall note, the JSON of the outcome)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from geoshift.engines.minerals import MineralShock, Tonnes, apply_shock, reallocate
from geoshift.errors import InputError, UnknownCountryError
from geoshift.world import World, example_world

# --- reallocate ------------------------------------------------------------------------------------------------


def test_zero_tonnes_and_zero_caps_are_valid_and_errors_read_in_full() -> None:
    r = reallocate({"A": 0.0, "B": 5.0}, production_caps={"A": 0.0})
    assert dict(r.after) == {"A": 0.0, "B": 5.0}
    with pytest.raises(InputError) as exc:
        reallocate({"A": -1.0})
    assert str(exc.value) == "reallocate: supplier tonnes must be finite and non-negative"
    with pytest.raises(InputError) as exc:
        reallocate({"A": float("inf")})
    assert str(exc.value) == "reallocate: supplier tonnes must be finite and non-negative"
    with pytest.raises(InputError) as exc:
        reallocate({"A": 1.0}, production_caps={"A": -0.5})
    assert str(exc.value) == "reallocate: production caps must be non-negative"
    with pytest.raises(InputError) as exc:
        reallocate({"A": 1.0, "B": 1.0}, closed=["B", "A"], opened={"A": 0.1, "B": 0.1})
    assert str(exc.value) == "reallocate: A, B cannot be both closed and opened"
    with pytest.raises(InputError) as exc:
        reallocate({"A": 1.0}, opened={"B": 0.6, "C": 0.5})
    assert str(exc.value) == "reallocate: the opened shares add up to 1.1, more than the whole"


def test_opened_shares_may_add_up_to_exactly_the_whole() -> None:
    r = reallocate({"A": 60.0, "B": 40.0}, opened={"R": 0.75, "S": 0.25})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 0.0, "R": 75.0, "S": 25.0})


def test_several_closures_add_up_and_small_suppliers_count() -> None:
    r = reallocate({"A": 1.0, "B": 0.5, "C": 0.5, "D": 2.0}, closed=["A", "D"])
    assert r.moved_t == 3.0
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 2.0, "C": 2.0, "D": 0.0})
    assert r.notes == ()
    small = reallocate({"A": 0.5, "B": 1.0}, closed=["A"])
    assert small.notes == () and small.after["B"] == pytest.approx(1.5)
    absent = reallocate({"A": 1.0}, closed=["Z"])
    assert absent.notes == ("Z does not supply this importer: nothing to close",)


def test_a_supplier_with_no_tonnes_takes_nothing_even_with_exports() -> None:
    r = reallocate({"A": 10.0, "B": 10.0, "Z": 0.0}, closed=["A"], export_weights={"B": 1.0, "Z": 1.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 20.0, "Z": 0.0})


def test_a_supplier_missing_from_the_export_weights_weighs_its_tonnes() -> None:
    r = reallocate({"A": 40.0, "B": 20.0, "C": 10.0}, closed=["A"], export_weights={"B": 30.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 50.0, "C": 20.0})  # 30 : 10


def test_small_export_weights_are_weights_and_all_zero_falls_back_on_tonnes() -> None:
    small = reallocate({"A": 30.0, "B": 20.0, "C": 10.0}, closed=["A"], export_weights={"B": 0.25, "C": 0.25})
    assert dict(small.after) == pytest.approx({"A": 0.0, "B": 35.0, "C": 25.0})  # 1 : 1
    zero = reallocate({"A": 30.0, "B": 20.0, "C": 10.0}, closed=["A"], export_weights={"B": 0.0, "C": 0.0})
    assert dict(zero.after) == pytest.approx({"A": 0.0, "B": 40.0, "C": 20.0})  # 2 : 1, their tonnes
    assert zero.shortfall_t == 0.0


def test_a_supplier_without_exports_takes_nothing_when_the_others_are_capped() -> None:
    r = reallocate({"A": 10.0, "B": 5.0, "C": 5.0}, closed=["A"], production_caps={"C": 8.0},
                   export_weights={"B": 0.0, "C": 1.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 5.0, "C": 8.0})
    assert r.shortfall_t == pytest.approx(7.0) and r.capped == ("C",)


def test_headroom_below_one_tonne_is_used_and_no_headroom_is_not_a_cap_reached() -> None:
    r = reallocate({"A": 10.0, "B": 5.0, "C": 5.0, "D": 5.0}, closed=["A"],
                   production_caps={"B": 5.5, "D": 5.0}, export_weights={"B": 1.0, "C": 1.0, "D": 1.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 5.5, "C": 14.5, "D": 5.0})
    assert r.capped == ("B",)  # D had no room to begin with


def test_a_share_exactly_equal_to_the_headroom_reaches_the_cap() -> None:
    r = reallocate({"A": 10.0, "B": 5.0, "C": 5.0}, closed=["A"], production_caps={"B": 10.0},
                   export_weights={"B": 1.0, "C": 1.0})
    assert dict(r.after) == pytest.approx({"A": 0.0, "B": 10.0, "C": 10.0})
    assert r.capped == ("B",)


def test_an_opening_exactly_at_its_cap_is_not_capped() -> None:
    r = reallocate({"A": 100.0}, opened={"R": Tonnes(5.0)}, production_caps={"R": 5.0})
    assert r.capped == () and r.after["R"] == 5.0


def test_an_opening_already_met_is_noted_and_the_next_one_still_opens() -> None:
    r = reallocate({"A": 60.0, "B": 40.0}, opened={"A": 0.5, "R": 0.2})
    assert r.notes == ("A already ships 60 t, at least the 50 t opened",)
    assert dict(r.after) == pytest.approx({"A": 60.0, "B": 20.0, "R": 20.0})  # R displaces B only (A is opened)
    assert dict(r.opened_t) == pytest.approx({"A": 0.0, "R": 20.0})
    exact = reallocate({"A": 50.0, "R": 50.0}, opened={"R": 0.5})
    assert exact.notes == ("R already ships 50 t, at least the 50 t opened",)
    small = reallocate({"A": 50.5, "R": 49.5}, opened={"R": 0.5})
    assert small.notes == () and dict(small.after) == pytest.approx({"A": 50.0, "R": 50.0})
    assert small.opened_t["R"] == pytest.approx(0.5)


def test_small_suppliers_are_displaced_too_and_displacement_adds_up() -> None:
    r = reallocate({"A": 0.5, "B": 1.5}, opened={"R": 0.5})
    assert dict(r.after) == pytest.approx({"A": 0.25, "B": 0.75, "R": 1.0})
    tiny = reallocate({"A": 0.5}, opened={"R": Tonnes(0.25)})
    assert dict(tiny.after) == pytest.approx({"A": 0.25, "R": 0.25}) and tiny.displaced_t == pytest.approx(0.25)
    two = reallocate({"A": 100.0}, opened={"R": 0.1, "S": 0.1})
    assert dict(two.after) == pytest.approx({"A": 80.0, "R": 10.0, "S": 10.0})
    assert two.displaced_t == pytest.approx(20.0)


# --- apply_shock on a toy cobalt market ------------------------------------------------------------------------
# USA's cobalt imports 2023: COD 60 t for US$ 3.0m (US$ 50,000/t), AUS 40 t for US$ 1.0m (US$ 25,000/t), JPN US$
# 0.3m without tonnes. Exports to all: COD 300 t, AUS 99.5 t, CHN none. Mine production 2023: COD 700 t, AUS 20 t,
# CHN 30 t. Caps = max(production, exports): COD 700, AUS 99.5, CHN 30. Palladium is mined in 2024 and BACI has a
# 2024 row, so 2024 is the latest year of any mineral but not of cobalt.


def cobalt_world() -> World:
    baci = pd.DataFrame([
        (2023, "COD", "USA", 282200, 3.0e6, 60.0), (2023, "AUS", "USA", 810510, 1.0e6, 40.0),
        (2023, "JPN", "USA", 810510, 0.3e6, float("nan")), (2023, "COD", "CHN", 282200, 9.0e6, 240.0),
        (2023, "AUS", "CHN", 810510, 1.0e6, 59.5), (2022, "COD", "USA", 282200, 1.0e6, 20.0),
        (2022, "AUS", "USA", 810510, 1.0e6, 20.0), (2024, "ZAF", "USA", 711021, 1.0e6, 1.0),
    ], columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"])
    mining = pd.DataFrame({"mineral": ["Cobalt"] * 5 + ["Palladium"],
                           "iso3": ["COD", "AUS", "CHN", "COD", "AUS", "ZAF"],
                           "year": [2023, 2023, 2023, 2022, 2022, 2024],
                           "production": [700.0, 20.0, 30.0, 600.0, 10.0, 50.0], "unit": ["metr. t"] * 6,
                           "share": [0.0] * 6})
    governance = pd.DataFrame({"iso3": ["COD", "AUS", "CHN", "USA"], "year": [2023] * 4,
                               "estimate": [-1.5, 1.0, -0.5, 0.5]})
    return replace(example_world(), baci=baci, mining=mining, governance=governance)


def test_opening_a_new_supplier_values_it_at_the_importers_average() -> None:
    outcome = apply_shock(cobalt_world(), MineralShock(material="cobalt", importer="usa", open={"chn": 0.2}))
    assert (outcome.importer, outcome.year, outcome.material) == ("USA", 2023, "cobalt")
    assert dict(outcome.caps_t) == {"AUS": 99.5, "CHN": 30.0, "COD": 700.0}
    assert dict(outcome.reallocation.after) == pytest.approx({"COD": 48.0, "AUS": 32.0, "CHN": 20.0})
    # values: COD 48 t x 50,000 + AUS 32 t x 25,000 + CHN 20 t x 40,000 (the average) = US$ 4.0m for 100 t
    assert outcome.after.price == pytest.approx(40.0)
    values = {s.iso3: s.value_usd for s in outcome.after.suppliers}
    assert values == pytest.approx({"COD": 2.4e6, "AUS": 0.8e6, "CHN": 0.8e6})
    assert outcome.before.unpriced_value_usd == 0.3e6 and outcome.after.unpriced_value_usd == 0.3e6
    assert outcome.after.notes == () and outcome.opened == {"CHN": 0.2}


def test_a_new_supplier_without_production_or_exports_is_capped_at_zero() -> None:
    outcome = apply_shock(cobalt_world(), MineralShock(material="cobalt", importer="USA", open={"JPN": "10 t"}))
    assert dict(outcome.caps_t) == {"AUS": 99.5, "COD": 700.0, "JPN": 0.0}
    assert outcome.reallocation.capped == ("JPN",)
    assert "JPN" not in outcome.reallocation.after
    assert outcome.reallocation.notes == ("JPN already ships 0 t, at least the 0 t opened",)


def test_closing_the_largest_supplier_leaves_a_shortfall_with_a_note() -> None:
    outcome = apply_shock(cobalt_world(), MineralShock(material="cobalt", importer="USA", close=["COD"]))
    r = outcome.reallocation
    assert dict(r.after) == pytest.approx({"COD": 0.0, "AUS": 99.5})
    assert r.shortfall_t == pytest.approx(0.5) and r.moved_t == 60.0
    assert outcome.after.notes == ("0.5 t could not be replaced within the suppliers' caps",)
    assert outcome.after.imports_t == pytest.approx(99.5)
    assert outcome.after.price == pytest.approx(25.0)  # AUS's own unit value


def test_the_year_given_to_apply_shock_is_used_and_the_default_is_cobalts() -> None:
    shock = MineralShock(material="cobalt", importer="USA", close=["AUS"])
    assert apply_shock(cobalt_world(), shock, year=2022).year == 2022
    assert apply_shock(cobalt_world(), shock).year == 2023
    assert apply_shock(cobalt_world(), shock.model_copy(update={"year": 2022}), year=2023).year == 2022


def test_unknown_countries_name_the_field() -> None:
    world = cobalt_world()
    for shock, field in ((MineralShock(material="cobalt", importer="Atlantis", close=["COD"]), "importer"),
                         (MineralShock(material="cobalt", importer="USA", close=["Atlantis"]), "close"),
                         (MineralShock(material="cobalt", importer="USA", open={"Atlantis": 0.1}), "open")):
        with pytest.raises(UnknownCountryError) as exc:
            apply_shock(world, shock)
        assert str(exc.value).lower().startswith(f"unknown {field} 'atlantis'")


def test_outcome_json_in_full() -> None:
    outcome = apply_shock(cobalt_world(), MineralShock(material="cobalt", importer="USA", close=["COD"],
                                                       open={"CHN": 0.1}))
    data = outcome.to_dict()
    r = outcome.reallocation
    assert data == {
        "material": "cobalt", "importer": "USA", "year": 2023, "shock": "USA cobalt 2023: close COD; open CHN 10%",
        "closed": ["COD"], "opened": {"CHN": 0.1},
        "before": outcome.before.to_dict(), "after": outcome.after.to_dict(),
        "reallocation": {"before_t": {"COD": 60.0, "AUS": 40.0}, "after_t": dict(r.after), "moved_t": 60.0,
                         "shortfall_t": r.shortfall_t, "opened_t": {"CHN": 10.0}, "displaced_t": 9.5,
                         "capped": ["AUS"], "notes": []},
        "caps_t": {"AUS": 99.5, "CHN": 30.0, "COD": 700.0},
        "score_change": outcome.after.score - outcome.before.score,
    }
    # COD's 60 t: AUS takes 59.5 (its cap), CHN's opening of 10 t fills the 0.5 t left and adds 9.5 t
    assert dict(r.after) == pytest.approx({"COD": 0.0, "AUS": 99.5 - 9.5 * 1.0, "CHN": 10.0})
    assert r.shortfall_t == 0.0
