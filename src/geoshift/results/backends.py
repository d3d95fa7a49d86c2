"""Where an ensemble's chunks are solved: in this process (``serial``), in a local process pool, or on a Dask
cluster. Every backend maps ``solve_chunk`` over the chunks and returns the results in chunk order, so all give
bit-identical draws; the ``ChunkProblem`` (calibration, shocks, central solution) travels once per worker, never
once per chunk.

    backend_for("local")                                  # process pool, serial for one core or one chunk
    backend_for("dask", "tcp://scheduler:8786")           # or $GEOSHIFT_DASK_SCHEDULER; dask is an extra:
                                                          # pip install 'geoshift[dask]'
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

import numpy as np

from geoshift.errors import InputError
from geoshift.results.codekey import code_key
from geoshift.results.ensemble import CHUNK, Backend, ChunkDone, ChunkProblem, serial, solve_chunk

#: solves one chunk of draws; ``solve_chunk`` unless a test injects faults
ChunkSolver = Callable[[ChunkProblem, np.ndarray], np.ndarray]

BACKENDS = ("local", "serial", "dask")
SCHEDULER_ENV = "GEOSHIFT_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 5.0
DASK_MISSING = "the dask backend needs dask.distributed: pip install 'geoshift[dask]'"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform reports it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# --- local process pool ---------------------------------------------------------------------------------------

_worker_problem: ChunkProblem | None = None
_worker_solve: ChunkSolver = solve_chunk


def _start_worker(problem: ChunkProblem, solve: ChunkSolver) -> None:
    """Pool initializer: the problem arrives once per worker process and stays for every chunk it solves."""
    global _worker_problem, _worker_solve
    _worker_problem, _worker_solve = problem, solve


def _solve_in_worker(values: np.ndarray) -> np.ndarray:
    if _worker_problem is None:  # pragma: no cover - the initializer always runs first
        raise RuntimeError("pool worker started without its ChunkProblem")
    return _worker_solve(_worker_problem, values)


def _pool_context() -> multiprocessing.context.BaseContext:
    """A fork server where the platform has one (workers fork from a clean process that has already imported the
    solver; no threads of this process, e.g. a Dask client's, are copied into them), else spawn."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["geoshift.results.ensemble"])
        return ctx
    return multiprocessing.get_context("spawn")


def _prestart() -> None:
    """Start the fork server now, in the background: its imports (~1 s) overlap the central solve."""
    if _pool_context().get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def process_pool(workers: int | None = None, *, solve: ChunkSolver = solve_chunk, prestart: bool = True) -> Backend:
    """A backend solving the chunks in a pool of ``workers`` processes (default: the available cores, at most one
    per chunk); the problem is passed to each worker once, by the pool's initializer. ``prestart``: start the fork
    server now rather than at the first call."""
    if workers is not None and workers < 1:
        raise InputError(f"workers must be at least 1, got {workers}")
    if prestart:
        _prestart()

    def run(problem: ChunkProblem, chunks: Sequence[np.ndarray], done: ChunkDone | None = None) -> list[np.ndarray]:
        if not chunks:
            return []
        n = min(workers or available_cores(), len(chunks))
        with ProcessPoolExecutor(max_workers=n, mp_context=_pool_context(), initializer=_start_worker,
                                 initargs=(problem, solve)) as pool:
            futures = [pool.submit(_solve_in_worker, chunk) for chunk in chunks]
            if done is not None:
                sizes = {future: len(chunk) for future, chunk in zip(futures, chunks, strict=True)}
                for future in as_completed(futures):
                    future.result()  # a failed chunk fails the run now
                    done(sizes[future])
            return [future.result() for future in futures]

    return run


def local(workers: int | None = None, *, min_chunks: int = 2) -> Backend:
    """The process pool, or ``serial`` where a pool cannot pay for its start (one core, fewer than ``min_chunks``
    chunks of ``CHUNK`` draws). The fork server starts at the first pooled call (~1 s, once per process): a run
    that never needs the pool (a few draws) starts no process."""
    cores = workers or available_cores()
    if cores < 2:
        return serial
    pool = process_pool(cores, prestart=False)

    def run(problem: ChunkProblem, chunks: Sequence[np.ndarray], done: ChunkDone | None = None) -> list[np.ndarray]:
        return serial(problem, chunks, done) if len(chunks) < min_chunks else pool(problem, chunks, done)

    return run


# --- Dask -----------------------------------------------------------------------------------------------------


class DaskBackend:
    """Solves the chunks on a Dask cluster: the problem is scattered to every worker once, one task per chunk
    (``retries=2``: a chunk whose worker died or failed is run again elsewhere), results gathered in order."""

    def __init__(self, client: Any, *, owns_client: bool, solve: ChunkSolver = solve_chunk) -> None:
        self.client = client
        self.owns_client = owns_client
        self.solve = solve

    def __call__(self, problem: ChunkProblem, chunks: Sequence[np.ndarray],
                 done: ChunkDone | None = None) -> list[np.ndarray]:
        if not chunks:
            return []
        shared = self.client.scatter(problem, broadcast=True, hash=False)
        futures = self.client.map(self.solve, [shared] * len(chunks), list(chunks), pure=False, retries=2)
        try:
            if done is not None:
                from distributed import as_completed as finished

                sizes = {future.key: len(chunk) for future, chunk in zip(futures, chunks, strict=True)}
                for future in finished(futures):  # type: ignore[no-untyped-call]
                    future.result()  # a chunk that failed after its retries fails the run now
                    done(sizes[future.key])
            return list(self.client.gather(futures))
        finally:  # a failed run leaves nothing queued on the cluster
            self.client.cancel([*futures, shared])

    def close(self) -> None:
        """Close the client (and the local cluster) if this backend opened it."""
        if self.owns_client:
            self.client.close()

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dask_backend(address: str | None = None, client: Any = None, *, timeout: float | None = None,
                 solve: ChunkSolver = solve_chunk) -> DaskBackend:
    """A backend on the Dask scheduler at ``address`` (default ``$GEOSHIFT_DASK_SCHEDULER``; neither: a local Dask
    cluster, one single-threaded worker process per core), or on an existing ``client``. Connects now, waits up to
    ``timeout`` seconds (default ``CONNECT_TIMEOUT_S``) for the scheduler and a first worker, and checks that the
    workers run this geoshift code."""
    timeout = CONNECT_TIMEOUT_S if timeout is None else timeout
    try:  # an optional dependency, imported by name: typed Any whether or not it is installed
        distributed = importlib.import_module("dask.distributed")
    except ImportError as exc:
        raise InputError(DASK_MISSING) from exc
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    owns = client is None
    where = "the given client"
    if client is None:
        address = address or os.environ.get(SCHEDULER_ENV) or None
        if address is None:
            where = "a local Dask cluster"
            cluster = LocalCluster(n_workers=available_cores(), threads_per_worker=1, processes=True,
                                   dashboard_address=":0")
            client = Client(cluster)
        else:
            where = f"the Dask scheduler at {address}"
            try:
                client = Client(address, timeout=timeout)
            except Exception as exc:  # refused, timed out, a bad address, or something not a scheduler answering
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise InputError(f"cannot reach a dask scheduler at {address} within {timeout:g} s ({reason}); start "
                                 f"one (`dask scheduler`, workers `dask worker {address}`) or pass a running one with "
                                 f"--scheduler tcp://HOST:8786 or ${SCHEDULER_ENV}, or use --backend local") from exc
    try:
        check_workers(client, where, timeout)
    except BaseException:
        if owns:
            client.close()
        raise
    return DaskBackend(client, owns_client=owns, solve=solve)


def check_workers(client: Any, where: str, timeout: float) -> None:
    """At least one worker, and every worker importing the same geoshift code as this process."""
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise InputError(f"{where} has no workers after {timeout:g} s; start some with "
                         f"`dask worker SCHEDULER_ADDRESS` (with geoshift installed)") from exc
    try:
        keys: dict[str, str] = client.run(code_key)
    except ImportError as exc:
        raise InputError(f"workers of {where} cannot import geoshift ({exc}); install geoshift=={code_key()} "
                         f"on every worker") from exc
    other = sorted({k for k in keys.values() if k != code_key()})
    if other:
        raise InputError(f"workers of {where} run geoshift {', '.join(other)}, this process {code_key()}; install "
                         f"the same version on every worker, or their draws would differ")


# --- by name --------------------------------------------------------------------------------------------------


def backend_for(name: str, scheduler: str | None = None, *, workers: int | None = None) -> Backend:
    """The backend named ``local`` (process pool; serial for one core or one chunk), ``serial`` or ``dask``
    (``scheduler``: the scheduler's address, default ``$GEOSHIFT_DASK_SCHEDULER``, else a local Dask cluster)."""
    if name not in BACKENDS:
        raise InputError(f"unknown backend {name!r}; use one of {', '.join(BACKENDS)}")
    if scheduler is not None and name != "dask":
        raise InputError(f"--scheduler is for --backend dask, not {name}")
    if name == "serial":
        return serial
    if name == "local":
        return local(workers)
    return dask_backend(scheduler)


__all__ = ["BACKENDS", "CHUNK", "SCHEDULER_ENV", "ChunkSolver", "DaskBackend", "available_cores", "backend_for",
           "dask_backend", "local", "process_pool"]
