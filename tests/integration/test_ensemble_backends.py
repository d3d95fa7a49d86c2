"""Ensemble backends with real processes: a local process pool and a Dask LocalCluster (two worker processes)
give the serial draws bit for bit; a worker killed mid-run is replaced and its chunk solved again; a run whose
backend fails for good leaves no record in the store."""

from __future__ import annotations

import functools
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import geoshift
from geoshift.errors import InputError
from geoshift.results import backends
from geoshift.results.backends import SCHEDULER_ENV, backend_for, check_workers, dask_backend, process_pool
from geoshift.results.ensemble import Backend, ChunkProblem, solve_chunk
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.world import World

distributed = pytest.importorskip("dask.distributed", reason="the dask extra: pip install 'geoshift[dask]'")
cloudpickle = pytest.importorskip("cloudpickle")

SCENARIO = geoshift.parse_scenario(
    "name: t\nuncertainty:\n  elasticities:\n    B06: {dist: uniform, low: 3, high: 12}\n"
    "    C24A: {dist: uniform, low: 3, high: 9}\nshocks:\n  - {kind: embargo, exporters: RUS, importers: USA}\n")
DRAWS = 250  # three chunks: 100, 100, 50
SEED = 3
DRAW_METRIC = "ensemble_draw_real_income_change_pct"

# the fault-injecting chunk functions below travel to the Dask workers by value, not as a module to import there
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def kill_once(marker: str, problem: ChunkProblem, values: np.ndarray) -> np.ndarray:
    """Kills the worker process that first runs it (the marker file says it happened), then solves normally."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return solve_chunk(problem, values)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def fail_once(marker: str, problem: ChunkProblem, values: np.ndarray) -> np.ndarray:
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return solve_chunk(problem, values)
    raise RuntimeError("a transient failure")


def always_fail(problem: ChunkProblem, values: np.ndarray) -> np.ndarray:
    raise RuntimeError("this chunk never solves")


def draws_of(world: World, backend: Backend, *, draws: int = DRAWS, seed: int = SEED,
             store: RunStore | None = None) -> np.ndarray:
    """(draws, headline rows) real-income changes of one run, from its stored metric rows."""
    record = Runner(world, store, draws=draws, seed=seed, backend=backend).run(SCENARIO).record
    rows = record.metrics[record.metrics["metric"] == DRAW_METRIC]
    names = list(dict.fromkeys(rows["country"]))
    assert len(rows) == draws * len(names)
    return np.column_stack([rows[rows["country"] == n]["value"].to_numpy() for n in names])


@pytest.fixture(scope="module")
def world() -> World:
    return geoshift.example_world()


@pytest.fixture(scope="module")
def reference(world: World) -> np.ndarray:
    return draws_of(world, backends.serial)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cl, \
            distributed.Client(cl) as c:
        yield c


def test_dask_equals_serial_draw_by_draw(world: World, reference: np.ndarray, client: Any) -> None:
    backend = dask_backend(client=client)
    result = draws_of(world, backend)
    assert result.shape == reference.shape == (DRAWS, 4)
    for d in range(DRAWS):
        assert np.array_equal(result[d], reference[d]), d
    backend.close()  # not its client: still usable
    assert client.status == "running"
    assert len(client.scheduler_info()["workers"]) == 2


def test_process_pool_equals_serial(world: World, reference: np.ndarray) -> None:
    assert np.array_equal(draws_of(world, process_pool(2)), reference)
    assert np.array_equal(draws_of(world, backend_for("local", workers=2)), reference)


def test_seeds_reproduce_and_differ(world: World, reference: np.ndarray, client: Any) -> None:
    assert np.array_equal(draws_of(world, backends.serial), reference)
    other = draws_of(world, dask_backend(client=client), seed=SEED + 1)
    assert not np.array_equal(other, reference)
    assert np.array_equal(other, draws_of(world, backends.serial, seed=SEED + 1))


def test_a_failing_chunk_is_retried(world: World, reference: np.ndarray, client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "failed"
    backend = dask_backend(client=client, solve=functools.partial(fail_once, str(marker)))
    assert np.array_equal(draws_of(world, backend), reference)
    assert marker.exists()


def test_a_failing_backend_leaves_no_record(world: World, reference: np.ndarray, client: Any,
                                            tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    with pytest.raises(RuntimeError, match="never solves"):
        draws_of(world, dask_backend(client=client, solve=always_fail), store=store)
    with pytest.raises(RuntimeError, match="never solves"):
        draws_of(world, process_pool(2, solve=always_fail), store=store)
    assert store.list() == []
    assert np.array_equal(draws_of(world, dask_backend(client=client), store=store), reference)
    (record,) = store.list()  # complete: every draw of every headline row
    assert (record.metrics["metric"] == DRAW_METRIC).sum() == reference.size
    assert record.diagnostics["ensemble"]["draws"] == DRAWS  # type: ignore[index]


def test_a_killed_worker_is_replaced_and_its_chunk_solved_again(world: World, reference: np.ndarray, client: Any,
                                                                 tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    before = set(client.scheduler_info()["workers"])
    backend = dask_backend(client=client, solve=functools.partial(kill_once, str(marker)))
    assert np.array_equal(draws_of(world, backend), reference)
    assert marker.exists()  # a worker process did die mid-run
    client.wait_for_workers(2, timeout=30)  # its nanny started a new one
    assert set(client.scheduler_info()["workers"]) != before


def test_backend_names_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert backend_for("serial") is backends.serial
    with pytest.raises(InputError, match="unknown backend 'gpu'; use one of local, serial, dask"):
        backend_for("gpu")
    with pytest.raises(InputError, match="--scheduler is for --backend dask"):
        backend_for("local", "tcp://127.0.0.1:8786")
    monkeypatch.setattr(backends, "CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(InputError, match=r"tcp://127\.0\.0\.1:1 within 0\.5 s .*--scheduler tcp://HOST:8786"):
        backend_for("dask", "tcp://127.0.0.1:1")
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://127.0.0.1:2")
    with pytest.raises(InputError, match=r"dask scheduler at tcp://127\.0\.0\.1:2 "):
        backend_for("dask")
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # as if the extra were not installed
    with pytest.raises(InputError, match=r"pip install 'geoshift\[dask\]'"):
        backend_for("dask", "tcp://127.0.0.1:8786")


class FakeClient:
    def __init__(self, keys: dict[str, str] | None, workers: bool = True) -> None:
        self.keys, self.workers = keys, workers

    def wait_for_workers(self, n: int, timeout: float) -> None:
        if not self.workers:
            raise TimeoutError("no workers")

    def run(self, fn: Any) -> dict[str, str]:
        return self.keys or {}


def test_workers_must_exist_and_run_the_same_code() -> None:
    from geoshift.results.codekey import code_key

    check_workers(FakeClient({"tcp://w1": code_key()}), "here", 1.0)
    with pytest.raises(InputError, match="has no workers after 1 s; start some with `dask worker"):
        check_workers(FakeClient(None, workers=False), "here", 1.0)
    with pytest.raises(InputError, match=r"run geoshift 0\.0\.1\+old, this process"):
        check_workers(FakeClient({"tcp://w1": code_key(), "tcp://w2": "0.0.1+old"}), "here", 1.0)


@pytest.mark.parametrize("name", ["serial", "pool", "dask"])
def test_every_backend_reports_progress_by_chunk(world: World, reference: np.ndarray, client: Any,
                                                 name: str) -> None:
    backend: Backend = {"serial": backends.serial, "pool": process_pool(2),
                        "dask": dask_backend(client=client)}[name]
    seen: list[tuple[int, int]] = []
    record = Runner(world, draws=DRAWS, seed=SEED, backend=backend,
                    progress=lambda done, total: seen.append((done, total))).run(SCENARIO).record
    # one report per chunk of 100 draws (100, 100, 50 in whatever order they finish), ending at every draw
    assert len(seen) == 3 and {total for _, total in seen} == {DRAWS}
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and seen[-1][0] == DRAWS
    assert {b - a for a, b in zip([0] + [d for d, _ in seen], [d for d, _ in seen], strict=False)} <= {100, 50}
    rows = record.metrics[record.metrics["metric"] == DRAW_METRIC]
    assert len(rows) == DRAWS * reference.shape[1]  # progress changes nothing about the draws
    assert np.array_equal(draws_of(world, backend), reference)
