"""`geoshift serve` load benchmark, loopback only: the real server (``geoshift serve``) in a subprocess on a free
127.0.0.1 port, over a temporary results store holding one stored run of a shipped scenario (solved once on
the real World before the clock starts, with the draws its file declares).

Then ``--clients`` concurrent clients (asyncio, one keep-alive connection each; default 50) for ``--seconds``
(default 60), each alternating ``GET /api/v1/runs/{id}`` (the stored run: every metric as a labelled row, the
real-income bands) and ``GET /api/v1/profile/RUS``. The anchor is ``GET /api/v1/health`` (no work at all), probed
every 20 ms in the same run, so the ratios say how much the endpoints cost beyond the server and the clients
sharing the machine.
Before the load, the cost of one uncached stored-run answer (store read + labelled rows + JSON) is measured
in-process: it is why the server keeps the encoded answer per run id.

Targets: 0 errors; p95 of the stored run ≤ 100 ms. The last line is machine-readable.

The clients are light keep-alive HTTP/1.1 connections on asyncio streams by default (``--client httpx`` uses
httpx.AsyncClient, whose own CPU cost dominates on two cores); every answer is checked for status 200 and its full
body read, and the answers are decoded and checked once before the clock starts. The server's and the clients'
CPU per request are printed, with the machine's load average (the numbers depend on what else runs).

    python benchmarks/serve_bench.py [--seconds 60] [--clients 50] [--scenario west_embargo_russia] [--client raw]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np

from geoshift.results.backends import backend_for
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import shipped_dir
from geoshift.scenario.spec import load_scenario
from geoshift.web.api import encode
from geoshift.web.payloads import run_detail, sector_names
from geoshift.world import load_world

P95_TARGET_MS = 100.0


@dataclass
class Latencies:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, name: str, value: float) -> None:
        self.seconds.setdefault(name, []).append(value)

    def ms(self, name: str, q: float) -> float:
        values = self.seconds.get(name, [])
        return float(np.quantile(values, q)) * 1000 if values else float("nan")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stored_run(store: RunStore, name: str) -> tuple[str, float]:
    """Solve the shipped scenario once into ``store``; its run id and the uncached answer's cost (ms)."""
    world = load_world()
    scenario = load_scenario(shipped_dir() / f"{name}.yaml")
    start = time.perf_counter()
    record = Runner(world, store, backend=backend_for("local"), backend_name="local").run(scenario).record
    print(f"stored run {record.run_id} of {name}: {len(record.metrics):,} metric rows, solved in "
          f"{time.perf_counter() - start:.1f} s")
    sectors = sector_names(world)
    costs = []
    for _ in range(5):
        start = time.perf_counter()
        body = encode(run_detail(store.get(record.run_id), sectors))
        costs.append(time.perf_counter() - start)
    uncached = float(np.median(costs)) * 1000
    print(f"one uncached stored-run answer (store read, labelled rows, JSON; {len(body) / 1024:,.0f} KiB): "
          f"{uncached:.1f} ms on one thread")
    return record.run_id, uncached


def wait_for(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the server at {base} did not answer within {seconds:.0f} s")


Fetch = Callable[[str], Awaitable[int]]


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: a client that costs little CPU (httpx.AsyncClient
    spends ~2.3 ms of CPU per request here, three times what the server spends), so that on a small machine the
    latencies measure the server rather than the clients. Answers must carry a Content-Length (uvicorn's do)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept-Encoding: gzip\r\n\r\n".encode())
            await writer.drain()
            head = (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n")
            length = next(int(v) for k, _, v in (line.partition(b":") for line in head[1:])
                          if k.strip().lower() == b"content-length")
            await reader.readexactly(length)
            return int(head[0].split()[1])
        except BaseException:
            writer.close()
            self.streams = None
            raise

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()


async def timed(fetch: Fetch, name: str, path: str, out: Latencies) -> None:
    start = time.perf_counter()
    try:
        status = await fetch(path)
    except (OSError, ValueError, StopIteration, asyncio.IncompleteReadError, httpx.HTTPError) as exc:
        out.errors.append(f"{name}: {type(exc).__name__}")
        return
    if status != 200:
        out.errors.append(f"{name}: HTTP {status}")
        return
    out.add(name, time.perf_counter() - start)


async def client(fetch: Fetch, paths: list[tuple[str, str]], end: float, out: Latencies, offset: int) -> None:
    k = offset
    while time.monotonic() < end:
        name, path = paths[k % len(paths)]
        k += 1
        await timed(fetch, name, path, out)


async def probe(fetch: Fetch, end: float, out: Latencies) -> None:
    """The anchor: GET /api/v1/health every 20 ms on its own connection."""
    while time.monotonic() < end:
        await timed(fetch, "health", "/api/v1/health", out)
        await asyncio.sleep(0.02)


async def check_answers(base: str, run_id: str, paths: list[tuple[str, str]]) -> None:
    """Warm the server (it loads the World and fills its caches) and check the answers once, decoded."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        for _, path in paths:
            response = await http.get(path)
            response.raise_for_status()
            body = response.json()
            if path.startswith("/api/v1/runs/") and body["run_id"] != run_id:
                raise SystemExit(f"GET {path} answered run {body['run_id']}")


async def load(base: str, port: int, run_id: str, clients: int, seconds: float,
               kind: str) -> tuple[Latencies, float]:
    out = Latencies()
    paths = [("run", f"/api/v1/runs/{run_id}"), ("profile", "/api/v1/profile/RUS")]
    await check_answers(base, run_id, paths)
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1)
    connections = [Connection("127.0.0.1", port) for _ in range(clients + 1)]
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        async def by_httpx(path: str) -> int:
            response = await http.get(path)
            await response.aread()
            return response.status_code

        fetchers: list[Fetch] = ([c.get for c in connections] if kind == "raw" else [by_httpx] * (clients + 1))
        start = time.monotonic()
        end = start + seconds
        await asyncio.gather(probe(fetchers[-1], end, out),
                             *(client(fetchers[k], paths, end, out, k) for k in range(clients)))
        elapsed = time.monotonic() - start
    for connection in connections:
        connection.close()
    return out, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--scenario", default="west_embargo_russia", help="A shipped scenario to store and serve.")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: keep-alive HTTP/1.1 on asyncio streams (light); httpx: httpx.AsyncClient.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="geoshift-serve-bench-") as folder:
        store = RunStore(Path(folder) / "runs.duckdb")
        run_id, uncached_ms = stored_run(store, args.scenario)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if k != "GEOSHIFT_TOKEN"}
        server = subprocess.Popen([sys.executable, "-m", "geoshift", "serve", "--port", str(port), "--store",
                                   str(store.path)], env=env)
        try:
            wait_for(base, server)
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            out, elapsed = asyncio.run(load(base, port, run_id, args.clients, args.seconds, args.client))
            server_cpu = None if server_cpu is None else (cpu_seconds(server.pid) or 0.0) - server_cpu
            client_cpu = time.process_time() - client_cpu
        finally:
            server.terminate()
            server.wait(10)
    requests = sum(len(v) for v in out.seconds.values()) + len(out.errors)
    health95 = out.ms("health", 0.95)
    for name in ("run", "profile", "health"):
        print(f"{name:8s} n={len(out.seconds.get(name, [])):6d}  p50 {out.ms(name, 0.5):7.1f} ms  p95 "
              f"{out.ms(name, 0.95):7.1f} ms  p99 {out.ms(name, 0.99):7.1f} ms  p95 / health p95 "
              f"{out.ms(name, 0.95) / health95:5.2f}")
    if out.errors:
        kinds = sorted(set(out.errors))
        print(f"errors: {len(out.errors)} ({', '.join(kinds[:5])})")
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"CPU per request: server {'n/a' if server_cpu is None else f'{1000 * server_cpu / requests:.2f} ms'}, "
          f"clients {1000 * client_cpu / requests:.2f} ms (warm-up included); {os.cpu_count()} cores, load average "
          f"{load_avg:.1f} at the end")
    run95 = out.ms("run", 0.95)
    verdict = "met" if not out.errors and run95 <= P95_TARGET_MS else "MISSED"
    print(f"targets (0 errors, stored-run p95 ≤ {P95_TARGET_MS:.0f} ms): {verdict}; an uncached stored-run answer "
          f"alone costs {uncached_ms:.1f} ms ({uncached_ms / max(out.ms('run', 0.5), 1e-9):.0f}x the served p50)")
    print(f"serve_bench: clients={args.clients} seconds={args.seconds:g} requests={requests} errors={len(out.errors)} "
          f"p50_ms={out.ms('run', 0.5):.1f} p95_ms={run95:.1f} p99_ms={out.ms('run', 0.99):.1f} "
          f"health_p95_ms={health95:.1f} rps={requests / elapsed:.0f}")


if __name__ == "__main__":
    main()
