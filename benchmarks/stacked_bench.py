"""Stacked multi-sector solver benchmark: many elasticity draws of one shock solved together
(``solve_multisector_stacked``) against the same draws solved one by one (``solve_multisector``), both warm-started
from the central solution, in the same run.

Real World (ICIO 80 economies x 50 sectors), the Russia-West energy embargo of ``ge_bench.py``; elasticities drawn
uniformly over each sector's published range (``sector_elasticities()`` columns theta_low / theta_high). Each
method runs ``--rounds`` times, interleaved, and the fastest round counts (the machine is shared; CPU time is
shown too, being less sensitive to other jobs). The stacked
solve is timed for several block sizes; the last line reports the library default block.

OpenBLAS runs one thread (``OPENBLAS_NUM_THREADS=1`` unless set): measured best on the 2-core machine, where two
BLAS threads on the small batched products lost far more to synchronisation (and to other jobs) than they gained.
Target: the stacked solve >= 2x faster than one by one. The last line is machine-readable.

    python benchmarks/stacked_bench.py [--draws 200] [--blocks 16,25,50,100] [--rounds 2]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import time

import numpy as np

from geoshift.engines.trade_ge import calibrate, sector_elasticities, solve_multisector, theta_for
from geoshift.engines.trade_ge.stacked import DEFAULT_BLOCK, StackedResult, solve_multisector_stacked
from geoshift.scenario import shocks
from geoshift.world import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--blocks", default="16,25,50,100", help="block sizes to time (the default is added)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved repetitions; the fastest counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    blocks = sorted({int(b) for b in args.blocks.split(",")} | {DEFAULT_BLOCK})

    world = load_world()
    cal = calibrate(world)
    embargo = shocks.apply_cost_change(shocks.no_change(world), shocks.countries(world, "RUS"),
                                       shocks.countries(world, "USA,EU27,GBR,JPN,CAN"),
                                       shocks.sectors(world, "B05,B06,C19"), np.inf)
    central = solve_multisector(cal, embargo, theta_for(world.sectors))
    table = sector_elasticities().loc[list(world.sectors)]
    low = table["theta_low"].to_numpy(dtype=np.float64)
    high = table["theta_high"].to_numpy(dtype=np.float64)
    thetas = np.random.default_rng(args.seed).uniform(low, high, size=(args.draws, len(low)))
    solve_multisector_stacked(cal, embargo, thetas[:4], x0=central.state)  # warm-up (imports, caches)

    one_s = one_cpu = np.inf
    stacked_s = dict.fromkeys(blocks, np.inf)
    stacked_cpu = dict.fromkeys(blocks, np.inf)
    stacked: dict[int, StackedResult] = {}
    one_income = np.empty((args.draws, len(cal.countries)))
    one_iterations = np.empty(args.draws)
    one_residual = np.empty(args.draws)
    for _ in range(args.rounds):
        start, cpu = time.perf_counter(), time.process_time()
        for d, theta in enumerate(thetas):
            r = solve_multisector(cal, embargo, theta, x0=central.state)
            one_income[d], one_iterations[d], one_residual[d] = r.real_income_hat, r.iterations, r.residual
        one_s, one_cpu = min(one_s, time.perf_counter() - start), min(one_cpu, time.process_time() - cpu)
        for b in blocks:
            start, cpu = time.perf_counter(), time.process_time()
            stacked[b] = solve_multisector_stacked(cal, embargo, thetas, x0=central.state, block=b)
            stacked_s[b] = min(stacked_s[b], time.perf_counter() - start)
            stacked_cpu[b] = min(stacked_cpu[b], time.process_time() - cpu)

    print(f"ICIO {len(cal.countries)} x {len(cal.sectors)}, RUS-West energy embargo, {args.draws} elasticity draws "
          f"(uniform over published ranges), warm start = central solution, tol 1e-10, "
          f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, best of {args.rounds} rounds")
    print(f"{'method':<26} {'block':>6} {'wall s':>8} {'ms/draw':>8} {'ratio':>7} {'cpu s':>7} {'cpu ratio':>9} "
          f"{'mean it':>8} {'max it':>7} {'max resid':>10} {'max rel diff':>13}")
    print(f"{'one by one (warm)':<26} {'-':>6} {one_s:>8.2f} {1000 * one_s / args.draws:>8.2f} {1.0:>7.2f} "
          f"{one_cpu:>7.2f} {1.0:>9.2f} {one_iterations.mean():>8.1f} {int(one_iterations.max()):>7} "
          f"{one_residual.max():>10.1e} {'-':>13}")
    for b in blocks:
        s = stacked[b]
        diff = float(np.max(np.abs(s.real_income_hat / one_income - 1.0)))
        label = "stacked" + (" (default)" if b == DEFAULT_BLOCK else "")
        print(f"{label:<26} {b:>6} {stacked_s[b]:>8.2f} {1000 * stacked_s[b] / args.draws:>8.2f} "
              f"{one_s / stacked_s[b]:>7.2f} {stacked_cpu[b]:>7.2f} {one_cpu / stacked_cpu[b]:>9.2f} "
              f"{s.iterations.mean():>8.1f} {int(s.iterations.max()):>7} "
              f"{s.residual.max():>10.1e} {diff:>13.1e}")
    best = stacked_s[DEFAULT_BLOCK]
    print(f"stacked_bench: draws={args.draws} stacked_s={best:.2f} one_by_one_s={one_s:.2f} ratio={one_s / best:.2f} "
          f"block={DEFAULT_BLOCK}")


if __name__ == "__main__":
    main()
