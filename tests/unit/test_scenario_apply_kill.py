"""Scenario selectors: closest-sector hints on a hand-made sector list (at most three, whole names count, commas
separate words, two-letter words do not count); countries by comma lists and groups in the scenario's year; and the
errors, naming the shock's field, in full."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geoshift.errors import ScenarioError
from geoshift.scenario.apply import closest_sectors, resolve_countries_any, shock_arrays
from geoshift.scenario.spec import parse_scenario
from geoshift.world import example_world
from geoshift.world.world import World


def world_with_sectors(sectors: list[tuple[str, str]]) -> World:
    C, S = 2, len(sectors)
    gross = np.ones((C, S))
    return World(countries=("AAA", "BBB"), sectors=tuple(c for c, _ in sectors),
                 sector_names=tuple(n for _, n in sectors), sector_group=("manufacturing",) * S,
                 intermediate=np.zeros((C, C, S)), final=np.zeros((C, C, S)), use=np.zeros((C, S, S)),
                 gross_output=gross, value_added=gross.copy(), year=2022, final_rule="exact",
                 baci=pd.DataFrame(columns=["year", "exporter", "importer", "hs6", "value_usd", "quantity_t"]),
                 mining=pd.DataFrame(columns=["mineral", "iso3", "year", "share"]),
                 governance=pd.DataFrame(columns=["iso3", "year", "estimate"]))


def test_at_most_three_hints() -> None:
    world = world_with_sectors([("C20", "Chemicals"), ("C21", "Pharmaceuticals"), ("C22", "Rubber"),
                                ("C23", "Other minerals")])
    assert closest_sectors(world, "c2x") == ["C20 (Chemicals)", "C21 (Pharmaceuticals)", "C22 (Rubber)"]
    assert len(closest_sectors(world, "c2x", n=4)) == 4


def test_words_split_at_commas_and_whole_names_count() -> None:
    world = world_with_sectors([("G47", "Petroleums trade"), ("C19", "Coke,petroleum"), ("H49", "Metals trade"),
                                ("C24", "Basic metals")])
    # "petroleum" is a whole word of C19's name (1.0) and close to G47's "petroleums" (0.95)
    assert closest_sectors(world, "petroleum") == ["C19 (Coke,petroleum)", "G47 (Petroleums trade)"]
    # "basic metals" is C24's whole name (1.0); H49 shares only the word "metals" (0.67)
    assert closest_sectors(world, "Basic Metals")[:2] == ["C24 (Basic metals)", "H49 (Metals trade)"]


def test_two_letter_words_do_not_match() -> None:
    world = world_with_sectors([("B07", "Mining of ores")])
    assert closest_sectors(world, "of") == []


GROUPS = ("AUKUS, BRICS, BRICS_INVITED_UNCONFIRMED, CSTO, EAEU, EU, EU27, EUROPEAN UNION, G7, NATO, QUAD, SCO")


def test_countries_by_comma_list_group_and_order() -> None:
    known = ("CHN", "RUS", "USA")
    assert resolve_countries_any(known, "USA,CHN", "f", 2023) == ["CHN", "USA"]
    assert resolve_countries_any(known, "RUS, ", "f", 2023) == ["RUS"]  # an empty item is no item
    assert resolve_countries_any(known, "USA, BRICS", "f", 2023) == ["CHN", "RUS", "USA"]
    assert resolve_countries_any(known, ["BRICS", "USA"], "f", 2023) == ["CHN", "RUS", "USA"]
    with pytest.raises(ScenarioError) as exc:
        resolve_countries_any(known, "SCO", "f", 1999)  # founded in 2001
    assert str(exc.value) == "f: group 'SCO' has no member among the data in 1999"
    with pytest.raises(ScenarioError) as exc:
        resolve_countries_any(known, "BRIX", "f", 2023)
    assert str(exc.value) == f"f: unknown country or group 'BRIX'; closest: BRICS (ISO3 codes or groups: {GROUPS})"
    with pytest.raises(ScenarioError) as exc:
        resolve_countries_any(known, " , ", "f", 2023)
    assert str(exc.value) == "f: names no country"


def test_groups_in_shocks_are_taken_in_the_scenarios_year() -> None:
    world = example_world()
    text = ("name: t\ndata: {group_year: 2023}\nshocks:\n"
            "  - {kind: trade_cost, exporters: BRICS, importers: USA, sectors: [B06], percent: 10, both_ways: false}\n"
            "  - {kind: bloc, blocs: {east: BRICS, west: USA}, sectors: [C24A], percent: 20}\n")
    arrays = shock_arrays(world, parse_scenario(text))
    chn, rus, usa = (world.countries.index(c) for c in ("CHN", "RUS", "USA"))
    assert arrays.tau_hat[chn, usa, 0] == pytest.approx(1.1) and arrays.tau_hat[rus, usa, 0] == pytest.approx(1.1)
    assert arrays.tau_hat[usa, chn, 0] == 1.0  # one way
    assert arrays.tau_hat[usa, rus, 1] == pytest.approx(1.2) and arrays.tau_hat[chn, usa, 1] == pytest.approx(1.2)
    assert arrays.tau_hat[chn, rus, 1] == 1.0  # inside the eastern bloc
    assert np.count_nonzero(arrays.tau_hat[:, :, 2] != 1.0) == 0  # the bloc's sector only


def test_shock_errors_name_the_field() -> None:
    world = example_world()
    bloc = "name: t\nshocks:\n  - {kind: bloc, blocs: {west: [USA, Atlantis], east: CHN}, percent: 10}\n"
    with pytest.raises(ScenarioError) as exc:
        shock_arrays(world, parse_scenario(bloc))
    assert str(exc.value) == ("<scenario>:3: shocks[0].blocs.west: unknown country or group 'Atlantis'; closest: none "
                              f"(ISO3 codes or groups: {GROUPS})")
    sectors = "name: t\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA, sectors: [%s]}\n"
    with pytest.raises(ScenarioError) as exc:
        shock_arrays(world, parse_scenario(sectors % "XYZ"))
    assert str(exc.value) == ("<scenario>:3: shocks[0].sectors: unknown sector 'XYZ'; closest: none (ICIO codes, or "
                              "groups energy, minerals, metals, agriculture, manufacturing, services, all)")
    with pytest.raises(ScenarioError) as exc:
        shock_arrays(world, parse_scenario(sectors % ""))
    assert str(exc.value) == "<scenario>:3: shocks[0].sectors: names no sector"
    both = shock_arrays(world, parse_scenario(sectors % "C24A, energy"))
    assert np.isinf(both.tau_hat[1, 2, :2]).all() and both.tau_hat[1, 2, 2] == 1.0
