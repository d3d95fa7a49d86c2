from __future__ import annotations

from pathlib import Path

import pytest

from geoshift.errors import ScenarioError
from geoshift.scenario.spec import Embargo, SanctionsRelief, load_scenario, parse_scenario

EMBARGO = """\
name: parent
description: an embargo
elasticities: {B06: 5}
shocks:
  - kind: embargo
    exporters: RUS
    importers: [USA, CHN]
    sectors: energy
"""


def test_valid_scenario_and_content_hash() -> None:
    a = parse_scenario(EMBARGO)
    assert isinstance(a.shocks[0], Embargo) and a.shocks[0].both_ways
    assert a.content_hash() == parse_scenario(EMBARGO + "\n# a comment changes nothing\n").content_hash()
    documented = parse_scenario("# what it means\n" + EMBARGO)
    assert documented.content_hash() == a.content_hash()
    assert documented.to_yaml().startswith("# what it means\nname: parent")
    assert a.content_hash() != parse_scenario(EMBARGO.replace("energy", "metals")).content_hash()
    assert len(a.content_hash()) == 64


def test_extends_merges_shocks_settings_and_elasticities(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text(EMBARGO)
    child = tmp_path / "child.yaml"
    child.write_text("name: child\nextends: parent\nelasticities: {C19: 10}\nengine: {deficits: removed}\n"
                     "shocks:\n  - kind: sanctions_relief\n    exporters: RUS\n    importers: USA\n")
    s = load_scenario(child)
    assert s.extends == "parent" and s.description == "an embargo"
    assert [type(x) for x in s.all_shocks] == [Embargo, SanctionsRelief]
    assert len(s.inherited_shocks) == 1 and len(s.shocks) == 1
    assert s.elasticities == {"B06": 5.0, "C19": 10.0}
    assert s.engine.deficits == "removed"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nshocks: [\n  - a\n", r"f\.yaml:3:3: YAML syntax error"),
        ("name: x\nfoo: 1\n", r"f\.yaml:2: foo: unknown key 'foo'; allowed: name, description"),
        ("name: x\nshocks:\n  - kind: embago\n    exporters: RUS\n    importers: USA\n",
         r"f\.yaml:3: shocks\[0\]\.kind: unknown shock kind 'embago' \(did you mean 'embargo'\?\)"),
        ("name: x\nshocks:\n  - kind: embargo\n    exporter: RUS\n    importers: USA\n",
         r"f\.yaml:4: shocks\[0\]\.exporter: unknown key 'exporter' \(did you mean 'exporters'\?\)"),
        ("name: x\nshocks:\n  - kind: trade_cost\n    exporters: RUS\n    importers: USA\n    percent: -150\n",
         r"f\.yaml:6: shocks\[0\]\.percent: -150 is out of range"),
        ("name: x\nshocks:\n  - kind: tariff\n    exporters: RUS\n    importers: USA\n    percent: -5\n",
         r"shocks\[0\]\.percent: -5 is out of range"),
        ("name: x\nshocks:\n  - kind: embargo\n    importers: USA\n", r"missing required key 'exporters'"),
        ("name: x\nengine: {deficits: sometimes}\n", r"engine\.deficits"),
        ("- just\n- a list\n", "a scenario is a YAML mapping"),
        ("name: bad name!\n", r"f\.yaml:1: name"),
        ("name: x\nelasticities: {C19: 0}\n", r"elasticities\.C19: 0 is out of range"),
    ],
)
def test_bad_files_give_one_line_errors_with_location(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=message) as caught:
        parse_scenario(text, "f.yaml")
    assert "\n" not in str(caught.value)


def test_extends_errors(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nextends: b\n")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")
    (tmp_path / "c.yaml").write_text("name: c\nextends: nowhere\n")
    with pytest.raises(ScenarioError, match="extends 'nowhere'"):
        load_scenario(tmp_path / "c.yaml")
    with pytest.raises(ScenarioError, match="cannot be read"):
        load_scenario(tmp_path / "missing.yaml")
