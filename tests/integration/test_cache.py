"""The DuckDB cache: built once, atomically, keyed by source checksums; a warm build never re-parses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geoshift.data import store
from geoshift.errors import DataError
from geoshift.world import World, build, load_world

pytestmark = pytest.mark.realdata


def test_warm_build_reads_the_cache_without_parsing(world_cache: Path, real_world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parse() -> None:
        raise AssertionError("a warm build re-parsed the sources")

    monkeypatch.setattr(build, "on_parse", no_parse)
    steps: list[tuple[int, int, str]] = []
    warm = load_world(cache_dir=world_cache, progress=lambda *step: steps.append(step))
    assert steps == []  # a load from the cache has no steps to report
    np.testing.assert_array_equal(warm.X, real_world.X)
    pd.testing.assert_frame_equal(warm.baci, real_world.baci)
    assert len(list(world_cache.glob("world-*.duckdb"))) == 1


def test_failed_build_leaves_no_partial_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: object, *, label: str | None = None) -> pd.DataFrame:
        raise DataError("wgi.db is corrupted (simulated)")

    monkeypatch.setattr(build, "parse_wgi_sqlite", broken)
    steps: list[tuple[int, int, str]] = []
    with pytest.raises(DataError, match="simulated"):
        load_world(cache_dir=tmp_path, progress=lambda *step: steps.append(step))
    assert [p.name for p in tmp_path.iterdir()] == []
    # a first load reports its steps as it goes (the packs are present: no fetch step), up to the one that failed
    assert steps == [(i, 7, build.BUILD_STEPS[i]) for i in (1, 2, 3, 4)]
    assert build.BUILD_STEPS[4] == "parsing governance (WGI)"


def test_interrupted_cache_write_leaves_nothing(tmp_path: Path) -> None:
    # the meta value cannot be serialised: the write fails after the DuckDB file was created
    frames = {"good": pd.DataFrame({"a": [1, 2]})}
    with pytest.raises(TypeError):
        store.write_cache(tmp_path / "world-x.duckdb", frames, {"schema_version": object()})
    assert list(tmp_path.iterdir()) == []


def test_damaged_cache_is_rebuilt_with_a_warning(world_cache: Path, tmp_path: Path, real_world: World) -> None:
    source = next(world_cache.glob("world-*.duckdb"))
    damaged = tmp_path / source.name
    damaged.write_bytes(source.read_bytes()[:4096])
    with pytest.warns(UserWarning, match="rebuilding"):
        rebuilt = load_world(cache_dir=tmp_path)
    np.testing.assert_array_equal(rebuilt.gross_output, real_world.gross_output)
    assert store.read_cache(damaged, ["countries"]).meta["schema_version"] == store.SCHEMA_VERSION


def test_cache_key_follows_the_sources() -> None:
    a = store.Provenance("src", "1", "-", "a" * 64, "x")
    b = store.Provenance("src", "1", "-", "b" * 64, "x")
    assert store.cache_key([a], {}) != store.cache_key([b], {})
    assert store.cache_key([a], {"icio_year": 2022}) != store.cache_key([a], {"icio_year": 2021})
    assert store.cache_key([a], {}) == store.cache_key([a], {})
