"""Reading an actors file: metadata comments (with continuation lines), a byte-order mark, quoted text with commas,
text columns kept as written, and errors that name the file, the line and the column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geoshift.engines.bargain.actors import load_actors
from geoshift.errors import InputError

FILE = (
    "#    a free comment before any key\n"
    "# Issue: alignment with the West\n"
    "#    (0 = with China, 100 = with the West)\n"
    "# note without a colon\n"
    "#    not a continuation, the key was reset\n"
    "# Scale: 0-100\n"
    "actor, capability, position, salience, risk, coded_by, basis\n"
    'Kremlin, 60, 20, 0.9, , 007, "speech, 2024"\n'
    "Army, 30, 40, 0.5, 1.5, 007, budget\n"
    "Oligarchs, 10, 80, 0.25, , ab, press\n"
)


def write(tmp_path: Path, text: str, name: str = "actors.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_a_full_file_by_hand(tmp_path: Path) -> None:
    path = write(tmp_path, FILE, bom=True)
    actors = load_actors(path)
    assert actors.name == ("Kremlin", "Army", "Oligarchs")
    np.testing.assert_array_equal(actors.capability, [60.0, 30.0, 10.0])
    np.testing.assert_array_equal(actors.position, [20.0, 40.0, 80.0])
    np.testing.assert_array_equal(actors.salience, [0.9, 0.5, 0.25])
    np.testing.assert_array_equal(actors.risk, [np.nan, 1.5, np.nan])
    assert actors.coded_by == ("007", "007", "ab")  # text as written, not read as a number
    assert actors.basis == ("speech, 2024", "budget", "press")
    assert dict(actors.meta) == {"issue": "alignment with the West (0 = with China, 100 = with the West)",
                                 "scale": "0-100"}
    assert actors.source == str(path) and actors.text == FILE  # the byte-order mark is not part of the text


def test_without_optional_columns(tmp_path: Path) -> None:
    actors = load_actors(write(tmp_path, "actor,capability,position,salience\nA,1,0,1\nB,2,10,0.5\n"))
    assert actors.coded_by == () and actors.basis == () and dict(actors.meta) == {}
    assert np.isnan(actors.risk).all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# only comments\n", r"actors\.csv: no header row; expected the columns actor, capability, position, "
                              r"salience$"),
        ("actor,capability,position\nA,1,2\nB,1,3\n",
         r"actors\.csv: missing column\(s\) salience; the header must have actor, capability, position, salience "
         r"\(optional: risk, coded_by, basis, note\)$"),
        ("actor,capability,position,salience,colour,size\nA,1,2,1,red,1\nB,1,3,1,blue,2\n",
         r"actors\.csv: unknown column\(s\) 'colour', 'size'; allowed: actor, capability, position, salience, risk, "
         r"coded_by, basis, note$"),
        ("# k: v\nactor,capability,position,salience\nA,1,2,1\nB,x,3,1\n",
         r"actors\.csv line 4 \(B\): capability 'x' is not a number$"),
        ("# k: v\nactor,capability,position,salience\nA,1,2,1\nB,1,inf,1\n",
         r"actors\.csv line 4 \(B\): position 'inf' must be a finite number$"),
        ('actor,capability,position,salience\nA,1,2,1\n"B,1,3,1\n', r"actors\.csv: not a valid CSV \(.+\)$"),
    ],
)
def test_errors_name_the_file_line_and_column(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_actors(write(tmp_path, text))


def test_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match=r"folder: cannot read the actors file \(.+\)$"):
        load_actors(tmp_path / "folder")


def test_changing_one_value_and_naming_an_unknown_actor(tmp_path: Path) -> None:
    actors = load_actors(write(tmp_path, FILE))
    assert actors.with_value("army", "capability", 35.0).capability.tolist() == [60.0, 35.0, 10.0]
    assert actors.with_value("Army", "position", 50.0).position.tolist() == [20.0, 50.0, 80.0]
    assert actors.with_value("Army", "salience", 0.75).salience.tolist() == [0.9, 0.75, 0.25]
    assert actors.with_value("Kremlin", "risk", 2.0).risk[0] == 2.0
    with pytest.raises(InputError, match=r"'weight' is not an actor value; use capability, position, salience or "
                                         r"risk$"):
        actors.with_value("Army", "weight", 1.0)
    with pytest.raises(InputError, match=r"actors\.csv: no actor named 'Navy'; actors: Kremlin, Army, Oligarchs$"):
        actors.index("Navy")
