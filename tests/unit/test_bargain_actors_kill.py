"""Actors files: several missing columns are named together in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoshift.engines.bargain.actors import load_actors
from geoshift.errors import InputError


def test_every_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("actor,capability\nA,1\nB,2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_actors(path)
    assert str(exc.value) == (f"{path}: missing column(s) position, salience; the header must have actor, "
                              "capability, position, salience (optional: risk, coded_by, basis, note)")


def test_text_that_looks_like_a_number_is_kept_as_written(tmp_path: Path) -> None:
    path = tmp_path / "actors.csv"
    path.write_text("actor,capability,position,salience,basis\n007,1,2,1,1.50\n010,2,3,1,2024\n", encoding="utf-8")
    actors = load_actors(path)
    assert actors.name == ("007", "010")
    assert actors.basis == ("1.50", "2024")
