"""The shipped claims and the README's claim example on the real World: verdicts as measured (stored regression
results of this implementation, each with the independent fact it rests on), and the README example runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geoshift.claims import check_claims, load_claims
from geoshift.results.run import Runner
from geoshift.scenario.shipped import shipped_claims
from geoshift.world import World
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.realdata
README = Path(__file__).resolve().parents[2] / "README.md"


def test_shipped_claims_central_verdicts(real_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOSHIFT_UNGA", str(SHARED_DATA / "unga_ideal_points" / "IdealpointsJuly2025.dta"))
    files = [load_claims(p) for p in shipped_claims()]
    results = {r.id: r for r in check_claims(real_world, files, runner=Runner(real_world, draws=0), draws=0)}
    verdicts = {k: r.verdict for k, r in results.items()}
    # data facts, checked against the data independently below
    assert verdicts["R1"] == verdicts["R2"] == verdicts["R3"] == "supported"
    assert verdicts["R8"] == verdicts["R11"] == "not measurable"
    assert verdicts["R6"] == "not supported" and verdicts["P12b"] == "supported"
    assert verdicts["R10"] == "not supported"
    # R2 rests on BACI: China's share of Russia's energy exports in the latest year is the largest
    year = real_world.baci_years[-1]
    baci = real_world.baci
    energy = {270900, 271111, 271121, 270111, 270112, 270119, 270210, 270220}
    rus = baci[(baci["year"] == year) & (baci["exporter"] == "RUS") & baci["hs6"].isin(list(energy))]
    by_buyer = rus.groupby("importer")["value_usd"].sum().sort_values(ascending=False)
    assert by_buyer.index[0] == "CHN"
    assert results["R3"].value == pytest.approx(by_buyer["CHN"] / by_buyer.sum(), rel=1e-6)
    # R6 is the difference of two stored runs' real income for Russia
    assert results["R6"].value == pytest.approx(0.3207, abs=5e-4) and len(results["R6"].runs) == 2


def _block(text: str, marker: str) -> str:
    match = re.search(r"```yaml\n(# " + re.escape(marker) + r"\n.*?)```", text, flags=re.S)
    assert match is not None, marker
    return match.group(1)


def test_the_readme_claim_example_runs(real_world: World, tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    (tmp_path / "us_tariff_60.yaml").write_text(_block(text, "us_tariff_60.yaml"), encoding="utf-8")
    (tmp_path / "tariff_debate.yaml").write_text(_block(text, "tariff_debate.yaml"), encoding="utf-8")
    claim_file = load_claims(tmp_path / "tariff_debate.yaml")
    [result] = check_claims(real_world, [claim_file], runner=Runner(real_world), flip=False)
    assert result.id == "T1" and result.draws == 32
    # as the README says: at the central elasticities China loses slightly less, in the draws it loses more
    assert result.value is not None and 0.0 < result.value < 0.05
    assert result.share == 1.0 and result.verdict == "depends"
