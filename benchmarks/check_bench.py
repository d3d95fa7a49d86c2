"""`geoshift check` benchmark: the shipped claim files on the real World, through ``run_check`` (what the CLI runs
after loading the World), each into a fresh results store in a temporary folder, evidence page included.

Measures in one run:

(a) cold, central values only (``draws=0``): every scenario the claims name is solved and stored, plus the flip
    searches;
(b) warm, ``draws=0`` again on the same store: the stored runs are reused (the flip searches still solve);
(c) cold with ``draws=200`` on a fresh store: every scenario's ensemble as well.

The anchor is loading the World from its cache. Targets (2 cores): (b) <= 30 s, (c) <= 120 s. The verdicts of (a)
and (b) must agree; a claim whose number differs is reported. The last line is the summary for the logs.

    python benchmarks/check_bench.py
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console

from geoshift.claims.check import ClaimResult
from geoshift.commands.check import run_check
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import shipped_claims
from geoshift.world import World, load_world

WARM_TARGET_S = 30.0
DRAWS = 200
DRAWS_TARGET_S = 120.0


def timed_check(world: World, files: list[Path], folder: Path, draws: int) -> tuple[float, list[ClaimResult]]:
    """Seconds for one ``geoshift check`` of ``files`` with the store and evidence page in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    results, page = run_check(world, files, draws=draws, store=RunStore(folder / "runs.duckdb"),
                              out_dir=folder / "out", console=Console(quiet=True))
    seconds = time.perf_counter() - start
    if page is None or not page.is_file():
        raise SystemExit(f"no evidence page written into {folder / 'out'}")
    return seconds, results


def differences(a: list[ClaimResult], b: list[ClaimResult]) -> list[str]:
    """Claims whose verdict or number differs between two checks of the same files."""
    out = []
    for x, y in zip(a, b, strict=True):
        same_value = (x.value is None and y.value is None) or (
            x.value is not None and y.value is not None and abs(x.value - y.value) <= 1e-9 * max(1.0, abs(x.value)))
        if x.verdict != y.verdict or not same_value:
            out.append(f"{x.id}: {x.verdict} {x.value} vs {y.verdict} {y.value}")
    return out


def main() -> None:
    files = shipped_claims()
    if not files:
        raise SystemExit("no shipped claim files found")
    start = time.perf_counter()
    world = load_world()
    world_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="check_bench-") as tmp:
        folder = Path(tmp)
        cold_s, cold = timed_check(world, files, folder / "central", 0)
        warm_s, warm = timed_check(world, files, folder / "central", 0)
        draws_s, drawn = timed_check(world, files, folder / "draws", DRAWS)

    print(f"{'phase':<52} {'seconds':>8} {'target':>8} {'x world load':>13}")
    for name, seconds, target in (("anchor: World load from the cache", world_s, None),
                                  ("(a) check, central values, cold store", cold_s, None),
                                  ("(b) check, central values, warm store", warm_s, WARM_TARGET_S),
                                  (f"(c) check, {DRAWS} draws, cold store", draws_s, DRAWS_TARGET_S)):
        mark = "–" if target is None else f"{'<=' if seconds <= target else '>'} {target:.0f}"
        print(f"{name:<52} {seconds:>8.2f} {mark:>8} {seconds / world_s:>13.2f}")
    for label, results in (("central", cold), (f"{DRAWS} draws", drawn)):
        counts = Counter(r.verdict for r in results)
        print(f"verdicts ({label}): " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    changed = differences(cold, warm)
    print("cold and warm agree" if not changed else "cold and warm DIFFER: " + "; ".join(changed))
    print(f"check_bench: claims={len(cold)} cold_s={cold_s:.2f} warm_s={warm_s:.2f} draws200_s={draws_s:.2f}")


if __name__ == "__main__":
    main()
