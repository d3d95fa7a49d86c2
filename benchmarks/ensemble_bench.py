"""Ensemble benchmark: elasticity draws of the Russia–West embargo on the real World (80 x 50, IO links).

Measures in one run:

(a) ``draws`` (default 1,000) draws end to end through ``Runner(world, draws=..., backend=local process pool)``
    (central solve, sensitivity, energy LP and every draw), and the ensemble part alone;
(b) the anchor: the same draws solved one by one in this process with ``solve_multisector`` cold (no warm start,
    no pool); ``--anchor N`` times a random subset of N draws and scales to all of them (said in the output);
(c) one ICIO counterfactual (the scenario's central solve, cold: no warm start): median of 50 (the machine may be
    shared; the calibration is the one (a) and (b) used, so its cached arrays already exist);
(d) peak memory: the largest total resident set of this process and all its descendants (pool workers and the
    fork server), sampled every 20 ms from /proc (an upper bound: pages a worker shares with its fork server count
    twice); where /proc is missing, getrusage maxrss of this process plus its largest waited-for child.

``--scale`` adds local runs of 100, 1,000 and 10,000 draws (the ensemble only, the problem built once; 10,000 only
if projected from 1,000 under 5 minutes); (a) also reports the CPU seconds this process and its workers got (on a
shared machine, less than cores x wall).
``--dask`` the costs on a Dask LocalCluster (one single-threaded worker process per core): starting it, scattering
the problem, a task that does nothing (scheduling overhead), and a draw (400 draws timed).
Targets (2 cores): (a) <= 30 s, (b)/(a) >= 2, (c) <= 20 ms, (d) <= 2 GB.

    python benchmarks/ensemble_bench.py [--draws 1000] [--anchor 200] [--scale] [--dask]
"""

from __future__ import annotations

import argparse
import importlib
import os
import pickle
import resource
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from geoshift.engines.trade_ge import solve_multisector
from geoshift.results.backends import available_cores, local, process_pool
from geoshift.results.ensemble import CHUNK, ChunkDone, ChunkProblem, headline_values, serial
from geoshift.results.run import Runner
from geoshift.scenario.spec import Scenario, load_scenario
from geoshift.scenario.uncertainty import UncertaintySettings
from geoshift.world import World, load_world

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "west_embargo_russia.yaml"
SEED = 0


class TreeMonitor:
    """Peak total RSS (bytes) of this process and its descendants, and the CPU seconds they used, sampled in a
    background thread (Linux /proc; elsewhere getrusage of this process and its waited-for children)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval = interval
        self.peak = 0
        self.proc = Path("/proc/self/stat").exists()
        self._cpu: dict[int, float] = {}
        self._cpu0: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def how(self) -> str:
        return "sampled /proc RSS, self + descendants" if self.proc else "getrusage maxrss self + largest child"

    @property
    def cpu_seconds(self) -> float:
        return sum(cpu - self._cpu0.get(pid, 0.0) for pid, cpu in self._cpu.items())

    def _take(self) -> None:
        rss, cpu = tree_usage(os.getpid())
        self.peak = max(self.peak, rss)
        for pid, seconds in cpu.items():
            self._cpu[pid] = max(self._cpu.get(pid, 0.0), seconds)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._take()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMonitor:
        if self.proc:
            self._cpu0 = tree_usage(os.getpid())[1]
            self._thread.start()
        else:
            self._cpu0 = {0: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                                 for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))}
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc:
            self._stop.set()
            self._thread.join()
            self._take()
        else:
            self._cpu = {0: sum(resource.getrusage(w).ru_utime + resource.getrusage(w).ru_stime
                                for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))}
            scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
            self.peak = scale * (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                 + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def tree_usage(root: int) -> tuple[int, dict[int, float]]:
    """Resident bytes of ``root`` and every process descended from it, and each one's CPU seconds (/proc)."""
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):  # gone meanwhile
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, fields in stats.items() if int(fields[1]) == pid and p not in tree]
        tree.update(children)
        frontier.extend(children)
    page, tick = os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_CLK_TCK")
    total, cpu = 0, {}
    for pid in tree:
        fields = stats.get(pid)
        if fields is None:
            continue
        cpu[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime (fields 14, 15 of stat)
        total += int(fields[21]) * page  # rss in pages (field 24)
    return total, cpu


class Capture:
    """A backend that records the problem and chunks it is given (and solves nothing)."""

    problem: ChunkProblem
    values: np.ndarray

    def __call__(self, problem: ChunkProblem, chunks: Sequence[np.ndarray],
                 done: ChunkDone | None = None) -> list[np.ndarray]:
        self.problem, self.values = problem, np.vstack(chunks)
        return [np.zeros((len(c), problem.weights.shape[0])) for c in chunks]


def scenario() -> Scenario:
    """The shipped Russia–West embargo with ``uncertainty: default`` (every sector's elasticity drawn)."""
    default = UncertaintySettings(elasticities={"default": True})
    return load_scenario(SCENARIO).model_copy(update={"uncertainty": default})


def chunks_of(values: np.ndarray) -> list[np.ndarray]:
    return [values[i:i + CHUNK] for i in range(0, len(values), CHUNK)]


def solve_cold(problem: ChunkProblem, row: np.ndarray) -> np.ndarray:
    theta = problem.theta.copy()
    theta[list(problem.sectors)] = row
    result = solve_multisector(problem.cal, problem.tau_hat, theta, tariff=problem.tariff, tol=problem.tol,
                               max_iter=problem.max_iter)
    return headline_values(problem.weights, result)


def anchor(problem: ChunkProblem, values: np.ndarray, draws: np.ndarray, subset: int) -> tuple[float, int, float]:
    """Seconds to solve all draws one by one cold (scaled from ``subset`` random draws if 0 < subset < n), the
    number solved, and the largest difference (pp) from the ensemble's warm-started draws."""
    n = len(values)
    rows = np.arange(n) if not 0 < subset < n else np.sort(np.random.default_rng(1).choice(n, subset, False))
    start = time.perf_counter()
    solved = np.vstack([solve_cold(problem, values[d]) for d in rows])
    seconds = (time.perf_counter() - start) * n / len(rows)
    return seconds, len(rows), float(np.max(np.abs(solved - draws[rows])))


def single_ms(problem: ChunkProblem, repeat: int = 50) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = solve_multisector(problem.cal, problem.tau_hat, problem.theta, tariff=problem.tariff,
                                   tol=problem.tol, max_iter=problem.max_iter)
        times.append(time.perf_counter() - start)
        assert result.converged
    return 1000.0 * statistics.median(times)


def run_draws(world: World, sc: Scenario, draws: int, workers: int) -> tuple[float, float, np.ndarray]:
    """Runner end to end with the local pool: total seconds, ensemble seconds, the draws (n, H)."""
    start = time.perf_counter()
    record = Runner(world, draws=draws, seed=SEED, backend=local(workers), backend_name="local").run(sc).record
    total = time.perf_counter() - start
    rows = record.metrics[record.metrics["metric"] == "ensemble_draw_real_income_change_pct"]
    names = list(dict.fromkeys(rows["country"]))
    values = np.column_stack([rows[rows["country"] == name]["value"].to_numpy() for name in names])
    ensemble: Any = record.diagnostics["ensemble"]
    return total, float(ensemble["seconds"]), values


def scale_table(world: World, sc: Scenario, workers: int, sizes: Sequence[int],
                limit_s: float = 300.0) -> list[tuple[int, float, float]]:
    """Ensemble-only seconds with the local pool (and serially in this process up to 100 draws), for each size
    whose time, projected linearly from the previous one, stays within ``limit_s``."""
    out: list[tuple[int, float, float]] = []
    for n in sizes:
        if out and out[-1][1] * n / out[-1][0] > limit_s:
            print(f"  {n} draws skipped: projected {out[-1][1] * n / out[-1][0]:.0f} s > {limit_s:.0f} s")
            continue
        capture = Capture()
        Runner(world, draws=n, seed=SEED, backend=capture).run(sc)
        chunks = chunks_of(capture.values)
        start = time.perf_counter()
        process_pool(workers)(capture.problem, chunks)
        pooled = time.perf_counter() - start
        single = float("nan")
        if n <= 100:
            start = time.perf_counter()
            serial(capture.problem, chunks)
            single = time.perf_counter() - start
        out.append((n, pooled, single))
        print(f"  local pool ({workers} workers), {n:>6} draws: {pooled:8.2f} s  ({1000 * pooled / n:.1f} ms/draw)"
              + (f"; serial {single:.2f} s ({1000 * single / n:.1f} ms/draw)" if n <= 100 else ""), flush=True)
    return out


def nothing(problem: ChunkProblem, values: np.ndarray) -> np.ndarray:
    """A task that does no work (``solve_chunk`` on no draws still builds its solver's arrays)."""
    return values


def dask_costs(problem: ChunkProblem, values: np.ndarray, workers: int) -> dict[str, float]:
    """On a LocalCluster: seconds to start it, to scatter the problem to every worker, per no-op task (the
    scheduling overhead) and per draw (``len(values)`` draws in chunks of CHUNK): wall x workers / draws, and the
    CPU seconds the workers spent per draw (what a draw costs a worker that has its core to itself)."""
    distributed: Any = importlib.import_module("dask.distributed")
    from geoshift.results.backends import DaskBackend

    start = time.perf_counter()
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
        cluster_s = time.perf_counter() - start
        backend = DaskBackend(client, owns_client=False)  # no code check: this tree may change while it runs
        start = time.perf_counter()
        shared = client.scatter(problem, broadcast=True, hash=False)
        client.gather(client.submit(lambda p: 0, shared, pure=False))
        scatter_s = time.perf_counter() - start
        tasks = 400
        empty = [values[:0]] * tasks
        start = time.perf_counter()
        client.gather(client.map(nothing, [shared] * tasks, empty, pure=False, retries=2))
        task_s = (time.perf_counter() - start) / tasks
        client.cancel([shared])
        backend(problem, [values[i:i + 1] for i in range(workers)])  # warm the workers' imports and caches
        cpu0: dict[str, float] = client.run(time.process_time)
        start = time.perf_counter()
        backend(problem, chunks_of(values))
        wall = time.perf_counter() - start
        cpu1: dict[str, float] = client.run(time.process_time)
    cpu = sum(cpu1[w] - cpu0.get(w, 0.0) for w in cpu1)
    return {"cluster_s": cluster_s, "scatter_s": scatter_s, "task_ms": 1000 * task_s, "wall_s": wall,
            "draw_ms": 1000 * wall * workers / len(values), "cpu_draw_ms": 1000 * cpu / len(values),
            "draws": float(len(values))}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--anchor", type=int, default=200,
                        help="time this many random draws one by one and scale (0: all of them)")
    parser.add_argument("--workers", type=int, default=None, help="pool processes (default: available cores)")
    parser.add_argument("--scale", action="store_true", help="also 100, 1,000 and 10,000 draws locally")
    parser.add_argument("--dask", action="store_true", help="also per-draw and scheduling costs on Dask")
    args = parser.parse_args(argv)
    workers = args.workers or available_cores()
    world = load_world()
    sc = scenario()
    capture = Capture()
    Runner(world, draws=args.draws, seed=SEED, backend=capture).run(sc)
    problem, values = capture.problem, capture.values
    problem_mb = len(pickle.dumps(problem)) / 1e6

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    with TreeMonitor() as memory:
        seconds, ensemble_s, draws = run_draws(world, sc, args.draws, workers)
    one_by_one, solved, diff = anchor(problem, values, draws, args.anchor)
    single = single_ms(problem)
    ratio = one_by_one / seconds
    peak_mb = memory.peak / 2**20

    scaled = "" if solved == args.draws else f" ({solved} random draws timed, scaled to {args.draws})"
    print(f"ensemble_bench: {len(world.countries)} countries x {len(world.sectors)} sectors, "
          f"{len(problem.sectors)} elasticities drawn, {workers} workers, problem {problem_mb:.1f} MB pickled")
    print(f"machine: {available_cores()} cores, load average {load:.2f} before (a); during (a) this process and "
          f"its workers got {memory.cpu_seconds:.1f} CPU s in {seconds:.1f} s = {memory.cpu_seconds / seconds:.2f} "
          f"cores")
    print(f"{'measure':<62} {'value':>10} {'target':>10}")
    for name, value, target in (
            (f"(a) {args.draws} draws end to end, local pool, s", seconds, "<= 30"),
            ("    of which the ensemble (draws only), s", ensemble_s, ""),
            (f"(b) same draws one by one, cold, one process, s{scaled}", one_by_one, ""),
            ("    ratio (b) / (a)", ratio, ">= 2"),
            ("    largest |cold - warm| draw difference, pp", diff, ""),
            ("(c) single ICIO counterfactual (cold), median of 50, ms", single, "<= 20"),
            (f"(d) peak memory, MB ({memory.how})", peak_mb, "<= 2048")):
        print(f"{name:<62} {value:>10.4g} {target:>10}")
    sys.stdout.flush()

    if args.scale:
        print("scale (ensemble only, the problem built once):")
        sizes = [100, 1000, 10000]
        table = scale_table(world, sc, workers, sizes)
        print("  draws  pooled_s  ms/draw")
        for n, pooled, _ in table:
            print(f"  {n:>6}  {pooled:8.2f}  {1000 * pooled / n:7.2f}")
    if args.dask:
        costs = dask_costs(problem, values[:400], workers)
        print(f"dask LocalCluster ({workers} workers x 1 thread): start {costs['cluster_s']:.2f} s, scatter "
              f"{problem_mb:.1f} MB to all {costs['scatter_s']:.2f} s, no-op task {costs['task_ms']:.2f} ms, "
              f"{costs['draws']:.0f} draws {costs['wall_s']:.2f} s = {costs['draw_ms']:.1f} ms per draw per worker "
              f"(CPU {costs['cpu_draw_ms']:.1f} ms per draw)")

    print(f"ensemble_bench: draws={args.draws} seconds={seconds:.2f} one_by_one_seconds={one_by_one:.2f} "
          f"ratio={ratio:.2f} single_ms={single:.2f} peak_mb={peak_mb:.0f}")


if __name__ == "__main__":
    main()
