"""Defects found by the web API's tests (schemathesis, the example World), fixed in the library for every caller."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.analysis.reconcile import energy_export_totals
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import parse_scenario
from geoshift.world import example_world


def test_a_control_character_is_one_line_with_its_line() -> None:
    # PyYAML's reader rejected it before the parser's error handling, so it escaped as a ReaderError traceback
    with pytest.raises(ScenarioError) as caught:
        parse_scenario("name: a\ndescription: b\x1f\nshocks: []\n", source="s.yaml")
    assert str(caught.value) == ("s.yaml:2: YAML error: the text holds the control character U+001F, which YAML "
                                 "does not allow; delete it")


def test_reconciliation_on_a_world_without_the_energy_sectors() -> None:
    # the example World has B06 but neither B05 (coal) nor C19 (refined products): it used to raise ValueError
    world = example_world()
    icio = energy_export_totals(world, "RUS", world.year).totals[0]
    e, s = world.countries.index("RUS"), world.sectors.index("B06")
    X = np.asarray(world.X)
    assert icio.values_usd["coal"] is None and icio.values_usd["refined products"] is None
    assert icio.values_usd["crude and natural gas"] == pytest.approx((X[e, :, s].sum() - X[e, e, s]) * 1e6)
    assert "exports to the other 2 economies" in icio.coverage


def test_an_unknown_elasticity_override_names_the_closest_sectors() -> None:
    from geoshift.engines.trade_ge import theta_for
    from geoshift.errors import InputError

    with pytest.raises(InputError) as caught:
        theta_for(("A01", "B06", "C19", "C20"), {"C91": 3.0})
    assert str(caught.value) == ("elasticity override for unknown sector 'C91'; closest: C19 (Manufacture of coke and "
                                 "refined petroleum products) (ICIO sector codes: geoshift world sectors)")


def test_a_misspelt_code_is_not_taken_for_another_country() -> None:
    # pycountry's fuzzy search finds Cambodia for "USAA" (and the U.S. for "Texas"): an embargo on "USAA" silently
    # hit Cambodia (KHM is one of the ICIO economies); now it is an unknown country with the closest codes
    from geoshift.data.countries import resolve_country
    from geoshift.errors import UnknownCountryError

    known = ["CHN", "KHM", "RUS", "USA", "VNM", "KOR", "IRN"]
    with pytest.raises(UnknownCountryError, match=r"unknown country 'USAA'; closest codes: USA"):
        resolve_country("USAA", known)
    with pytest.raises(UnknownCountryError, match=r"unknown country 'Texas'"):
        resolve_country("Texas", known)
    assert [resolve_country(t, known) for t in ("Russia", "Iran", "Vietnam", "South Korea", "united states")] == \
        ["RUS", "IRN", "VNM", "KOR", "USA"]
