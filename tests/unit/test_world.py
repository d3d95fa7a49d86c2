from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest

from geoshift.errors import ConsistencyError, UnknownCountryError, UnknownValueError
from geoshift.world import World, WorldConsistencyWarning, check_world
from geoshift.world.checks import enforce


def test_example_world_is_consistent(small_world: World) -> None:
    assert check_world(small_world) == []
    w = small_world
    np.testing.assert_allclose(w.X.sum(axis=1), w.gross_output, rtol=1e-12)
    # income = expenditure at world level; deficits = imports - exports per country
    assert abs(w.deficit.sum()) < 1e-9
    np.testing.assert_allclose(w.deficit, w.imports.sum(axis=1) - w.exports.sum(axis=1), atol=1e-9)


def test_world_arrays_are_read_only(small_world: World) -> None:
    with pytest.raises(ValueError, match="read-only"):
        small_world.intermediate[0, 0, 0] = 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        small_world.year = 2000  # type: ignore[misc]


def _broken(world: World) -> World:
    final = world.final.copy()
    final[1, 0, 0] += 5.0  # RUS sells B06 to CHN beyond its output
    return dataclasses.replace(world, final=final)


def test_checks_name_the_offending_labels(small_world: World) -> None:
    findings = check_world(_broken(small_world))
    messages = " ".join(f.message for f in findings)
    assert "RUS/B06" in messages


def test_strict_mode_raises_and_lenient_mode_warns(small_world: World) -> None:
    broken = _broken(small_world)
    with pytest.raises(ConsistencyError, match="RUS/B06"):
        enforce(broken, strict=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        enforce(broken, strict=False)
    assert any(issubclass(w.category, WorldConsistencyWarning) for w in caught)


def test_negative_flows_are_found(small_world: World) -> None:
    intermediate = small_world.intermediate.copy()
    intermediate[2, 0, 1] = -1.0
    findings = check_world(dataclasses.replace(small_world, intermediate=intermediate))
    assert any(f.check == "non-negative" and "USA" in f.message for f in findings)


def test_labels(small_world: World) -> None:
    assert small_world.country_index("Russia") == 1
    assert small_world.country_index("us") == 2
    with pytest.raises(UnknownCountryError, match="closest"):
        small_world.country_index("RUX")
    with pytest.raises(UnknownValueError, match="closest ICIO codes"):
        small_world.sector_index("B6")
    assert small_world.sectors_in("energy") == (0,)
    with pytest.raises(UnknownValueError, match="energy"):
        small_world.sectors_in("oil")
