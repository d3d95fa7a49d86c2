"""Actors files: the shipped ones, and bad input named by file, line, actor and column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geoshift.engines.bargain import load_actors, run_bargaining
from geoshift.errors import InputError

GAMES = Path(__file__).resolve().parents[2] / "games"
HEADER = "actor,capability,position,salience\n"


def test_russia_alignment_file_is_complete_and_labelled_subjective():
    actors = load_actors(GAMES / "russia_alignment_actors.csv")
    assert actors.n == 11 and {"Kremlin", "China", "United States", "European Union"} <= set(actors.name)
    assert {"issue", "low", "high", "values"} <= set(actors.meta)
    assert "SUBJECTIVE" in actors.meta["values"] and "2026-11-26" in actors.meta["values"]
    assert all("subjective" in who for who in actors.coded_by)
    assert all(len(why) > 20 for why in actors.basis)
    assert actors.position.min() >= 0 and actors.position.max() <= 100
    assert np.isnan(actors.risk).all()  # exponents computed by the model


def test_ec_emissions_example_and_its_regression_values():
    actors = load_actors(GAMES / "ec_emissions_actors.csv")
    assert actors.n == 10 and actors.span == 6.0
    assert "Scholz" in actors.meta["source"]
    result = run_bargaining(actors)
    first = result.rounds[0]
    # closed forms at the start: weighted median of the positions (weights c s) and the weighted mean
    assert first.median == 7.0
    assert first.mean == pytest.approx(5.003 / 0.677, abs=1e-12)
    # regression values of this implementation (2026-11-26), not values published by Scholz et al.
    assert result.converged and result.iterations == 107
    assert result.median == pytest.approx(6.47457084, abs=1e-6)
    np.testing.assert_allclose(first.risk, [1.117181, 1.004407, 0.5, 1.117181, 1.017582, 1.017582, 2.0, 0.648264,
                                            1.453712, 1.556875], atol=1e-6)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "actors.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_metadata_comments_and_optional_columns(tmp_path: Path):
    path = _write(tmp_path, "# issue: a test\n# low: 0 = no\n#   really no\n# a plain comment\n"
                            "Actor,Capability,Position,Salience,Risk,note\nA,1,0,0.5,,x\nB,2,10,1,1.5,y\n")
    actors = load_actors(path)
    assert actors.meta == {"issue": "a test", "low": "0 = no really no"}
    assert np.isnan(actors.risk[0]) and actors.risk[1] == 1.5


@pytest.mark.parametrize(("text", "message"), [
    ("actor,capability,position\nA,1,0\n", "missing column(s) salience"),
    (HEADER.replace("\n", ",salince\n") + "A,1,0,1,x\nB,1,1,1,y\n", "unknown column(s) 'salince'"),
    (HEADER + "A,lots,0,1\nB,1,1,1\n", "line 2 (A): capability 'lots' is not a number"),
    (HEADER + "A,1,0,80\nB,1,1,1\n", "salience 80 is outside [0, 1]; on a 0-100 scale? divide by 100"),
    (HEADER + "A,-1,0,1\nB,1,1,1\n", "(A): capability -1 is negative"),
    (HEADER.replace("\n", ",risk\n") + "A,1,0,1,3\nB,1,1,1,\n", "(A): risk 3 is outside [0.5, 2]"),
    (HEADER + "A,1,0,1\na,1,1,1\n", "actor 'a' appears twice"),
    (HEADER + "A,1,0,1\n", "at least two actors (got 1)"),
    (HEADER + "A,1,5,1\nB,1,5,1\n", "every actor holds the same position 5"),
    (HEADER + "A,0,0,1\nB,1,1,0\n", "nobody votes"),
    (HEADER + ",1,0,1\nB,1,1,1\n", "line 2: empty actor name"),
    (HEADER + "A,1,,1\nB,1,1,1\n", "line 2 (A): position '' is not a number"),
    (HEADER + "A,1,inf,1\nB,1,1,1\n", "position 'inf' must be a finite number"),
    ("# only comments\n", "no header row"),
])
def test_bad_actors_files_are_named(tmp_path: Path, text: str, message: str):
    with pytest.raises(InputError) as info:
        load_actors(_write(tmp_path, text))
    assert message in str(info.value)
    assert "actors.csv" in str(info.value)


def test_missing_file_and_overrides(tmp_path: Path):
    with pytest.raises(InputError, match="no such actors file"):
        load_actors(tmp_path / "nope.csv")
    actors = load_actors(GAMES / "russia_alignment_actors.csv")
    changed = actors.with_value("kremlin", "salience", 0.5)
    assert changed.salience[actors.index("Kremlin")] == 0.5 and actors.salience[0] == 0.9
    with pytest.raises(InputError, match="no actor named 'Nobody'; actors: Kremlin"):
        actors.with_value("Nobody", "salience", 0.5)
    with pytest.raises(InputError, match="'clout' is not an actor value"):
        actors.with_value("Kremlin", "clout", 0.5)
    with pytest.raises(InputError, match=r"salience 1\.5 is outside"):
        actors.with_value("Kremlin", "salience", 1.5)
