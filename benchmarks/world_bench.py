"""World build and profile benchmark.

Measures, in one run: the cold World build (no cache: parse every source and write the DuckDB cache), the warm
build (read the cache), and profile queries; and, as anchors measured in the same run on the same machine, a
raw read of the sources (unzip + ``np.load`` of the ICIO arrays, ``SELECT *`` of BACI through sqlite3) and
the sha256 of both wheels. Prints ratios against the anchors and the targets of issue 2 (warm <= 2 s,
cold <= 20 s, a profile <= 0.5 s on a 2-core machine).

    python benchmarks/world_bench.py [--repeat N]
"""

from __future__ import annotations

import argparse
import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from geoshift.analysis import profile
from geoshift.data import packs
from geoshift.world import World, load_world
from timing import timed


def raw_read(icio: Path, geopolrisk: Path, workdir: Path) -> None:
    with zipfile.ZipFile(icio) as archive:
        data = np.load(io.BytesIO(archive.read(packs.ICIO_PACK.members[0])), allow_pickle=False)
        _ = [data[k] for k in data.files]
    with zipfile.ZipFile(geopolrisk) as archive:
        db = Path(archive.extract("geopolrisk/lib/baci.db", workdir))
    con = sqlite3.connect(db)
    con.execute("SELECT * FROM baci_trade").fetchall()
    con.close()
    db.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the warm and profile timings")
    args = parser.parse_args()
    icio = packs.ensure(packs.ICIO_PACK)
    geopolrisk = packs.ensure(packs.GEOPOLRISK_PACK)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        anchor_raw = timed(lambda: raw_read(icio, geopolrisk, work), 1)
        anchor_sha = timed(lambda: (packs.sha256_of(icio), packs.sha256_of(geopolrisk)), 1)
        cache = work / "cache"
        cold = timed(lambda: load_world(cache_dir=cache, rebuild=True), 1)
        holder: list[World] = []
        warm = timed(lambda: holder.append(load_world(cache_dir=cache)), args.repeat)
        world = holder[-1]
        profile(world, "RUS", source="baci", group="energy")  # first call builds lazy caches
        p_icio = timed(lambda: profile(world, "RUS", source="icio", group="all"), args.repeat)
        p_baci = timed(lambda: profile(world, "RUS", source="baci", group="energy"), args.repeat)
        p_baci_all = timed(lambda: profile(world, "CHN", source="baci", group="all", flow="imports"), args.repeat)
    rows = [
        ("anchor: raw read of the sources", anchor_raw, None, None),
        ("anchor: sha256 of both wheels", anchor_sha, None, None),
        ("cold World build (parse + cache)", cold, 20.0, cold / anchor_raw),
        ("warm World build (cache)", warm, 2.0, warm / anchor_raw),
        ("profile RUS icio all", p_icio, 0.5, p_icio / anchor_raw),
        ("profile RUS baci energy", p_baci, 0.5, p_baci / anchor_raw),
        ("profile CHN baci all imports", p_baci_all, 0.5, p_baci_all / anchor_raw),
    ]
    print(f"{'measure':<36} {'seconds':>9} {'target':>8} {'x raw read':>11}  ok")
    for name, seconds, target, ratio in rows:
        ok = "" if target is None else ("yes" if seconds <= target else "NO")
        print(f"{name:<36} {seconds:>9.3f} {'' if target is None else f'{target:.1f}':>8} "
              f"{'' if ratio is None else f'{ratio:.2f}':>11}  {ok}")
    worst_profile = max(p_icio, p_baci, p_baci_all)
    print(f"world_bench: cold_s={cold:.2f} warm_s={warm:.3f} profile_ms={1000 * worst_profile:.1f} "
          f"raw_read_s={anchor_raw:.2f} cold_ratio={cold / anchor_raw:.2f} warm_ratio={warm / anchor_raw:.3f}")


if __name__ == "__main__":
    main()
