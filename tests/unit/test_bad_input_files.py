"""Bad input files give one line naming the file, line, field and the fix; never a traceback, nothing written.
Each case here used to crash or pass silently (RecursionError, FileExistsError, UnicodeDecodeError, duplicate
keys with the last one winning, '25%' as a float error, a misspelt ``extends`` without a suggestion)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from geoshift.engines.strategy.alignment import load_game
from geoshift.errors import ScenarioError
from geoshift.scenario.spec import load_scenario, parse_scenario

GAMES = Path(__file__).resolve().parents[2] / "games"
DEEP = "name: deep\nshocks: " + "[" * 5000 + "]" * 5000 + "\n"
DUPLICATE = """\
name: dup
shocks:
  - kind: trade_cost
    exporters: RUS
    importers: CHN
    percent: 10
    percent: 20
"""
PERCENT_SIGN = """\
name: pct
shocks:
  - {kind: tariff, exporters: CHN, importers: USA, percent: 25%}
"""


def test_deeply_nested_yaml_is_one_error() -> None:
    with pytest.raises(ScenarioError, match=r"deep.yaml:2: the YAML nests deeper than 32 levels"):
        parse_scenario(DEEP, "deep.yaml")


def test_a_key_given_twice_names_both_lines() -> None:
    with pytest.raises(ScenarioError, match=r"dup.yaml:7:\d+: YAML error: key 'percent' is given twice "
                                            r"\(lines 6 and 7\); keep one"):
        parse_scenario(DUPLICATE, "dup.yaml")


def test_percent_with_a_percent_sign_says_write_the_number() -> None:
    with pytest.raises(ScenarioError, match=r"pct.yaml:3: shocks\[0\].percent: '25%' is not a number: write 25"):
        parse_scenario(PERCENT_SIGN, "pct.yaml")


def test_misspelt_extends_suggests_the_closest(tmp_path: Path) -> None:
    path = tmp_path / "child.yaml"
    path.write_text("name: child\nextends: west_embargo_rusia\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"extends 'west_embargo_rusia': .* \(did you mean 'west_embargo_russia'"):
        load_scenario(path)


@pytest.mark.parametrize("loader", [load_scenario, load_game])
def test_a_binary_file_is_not_read_as_yaml(tmp_path: Path, loader: object) -> None:
    path = tmp_path / "photo.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    with pytest.raises(ScenarioError, match=r"photo.yaml: not a text file \(byte 0 is not UTF-8\)"):
        loader(path)  # type: ignore[operator]


def test_duplicate_keys_in_a_game_file(tmp_path: Path) -> None:
    text = (GAMES / "detente.yaml").read_text(encoding="utf-8").replace("name: detente\n", "name: detente\nname: x\n")
    path = tmp_path / "game.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"key 'name' is given twice"):
        load_game(path)


def geoshift(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geoshift", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, check=False)


@pytest.mark.parametrize(("args", "message"), [
    (("run", "deep.yaml"), "deep.yaml:2: the YAML nests deeper than 32 levels"),
    (("run", "dup.yaml"), "key 'percent' is given twice (lines 6 and 7)"),
    (("game", "binary.yaml"), "binary.yaml: not a text file"),
    (("run", "--out", "taken"), "--out taken is an existing file; give a folder"),
    (("game", str(GAMES / "detente.yaml"), "--out", "taken"), "--out taken is an existing file"),
    (("bargain", str(GAMES / "ec_emissions_actors.csv"), "--out", "taken/sub"), "taken is a file"),
])
def test_cli_bad_files_are_one_line_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    (tmp_path / "deep.yaml").write_text(DEEP, encoding="utf-8")
    (tmp_path / "dup.yaml").write_text(DUPLICATE, encoding="utf-8")
    (tmp_path / "binary.yaml").write_bytes(b"\x00\xff\xfe binary")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = geoshift(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file, not a folder"
