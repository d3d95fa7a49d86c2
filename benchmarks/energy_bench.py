"""Energy rerouting benchmark: one solve, and a sweep of 1,000 capacity values, against anchors from the same run.

Case: Russia 2024, China closes all its energy purchases. Anchors: the time HiGHS itself spends on the same LP
(so the ratio shows the model-building overhead) and the baseline solve. The sweep varies the capacity of
Power of Siberia 1 from 0 to 60 bcm a year while China still buys gas (its crude, products, LNG and coal
closed), and reports the value of that capacity (the dual) along the way.
Targets (issue 5, 2-core machine): one solve <= 50 ms; 1,000 cap values <= 20 s.

    python benchmarks/energy_bench.py [--sweep N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from geoshift.engines.energy.baseline import energy_baseline
from geoshift.engines.energy.lp import EnergyOptions, capacity_sweep, reroute
from geoshift.engines.energy.units import FUELS
from geoshift.world import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sweep", type=int, default=1000, help="capacity values in the sweep")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    world = load_world()
    start = time.perf_counter()
    base = energy_baseline(world, "RUS", 2024)
    baseline_build = time.perf_counter() - start
    closed = EnergyOptions(closures={f: frozenset({"CHN"}) for f in FUELS})
    reroute(base, closed)
    runs = [reroute(base, closed) for _ in range(args.repeat)]
    solve = statistics.median(r.seconds for r in runs)
    highs = statistics.median(r.lp_seconds for r in runs)
    baseline_solve = statistics.median(reroute(base).seconds for _ in range(args.repeat))
    partial = {f: frozenset({"CHN"}) for f in FUELS if f != "pipeline_gas"}
    capacities = np.linspace(0.0, 60.0, args.sweep)
    start = time.perf_counter()
    sweep = capacity_sweep(base, EnergyOptions(closures=partial), "Power of Siberia 1", [float(c) for c in capacities])
    sweep_s = time.perf_counter() - start
    start = time.perf_counter()
    rebuilt = [reroute(base, EnergyOptions(closures=partial, route_capacity={"Power of Siberia 1": float(c)}))
               for c in capacities[:: max(len(capacities) // 50, 1)]]
    rebuild_each = (time.perf_counter() - start) / len(rebuilt)
    duals = [next(u.dual_usd for u in r.routes if u.route == "Power of Siberia 1") for r in sweep]
    n, m, nnz = runs[0].lp_size
    print(f"LP: {n} variables, {m} constraints, {nnz} non-zeros")
    print(f"{'measure':<52} {'ms':>9} {'ratio':>8}")
    print(f"{'anchor: HiGHS inside linprog, China closure':<52} {1000 * highs:>9.1f} {1.0:>8.2f}")
    print(f"{'one rerouting solve, China closure (target 50 ms)':<52} {1000 * solve:>9.1f} {solve / highs:>8.2f}")
    print(f"{'baseline solve (no closure)':<52} {1000 * baseline_solve:>9.1f} {baseline_solve / highs:>8.2f}")
    print(f"{'energy baseline build (BACI + ICIO), once':<52} {1000 * baseline_build:>9.1f}")
    print(f"sweep of {args.sweep} Power of Siberia 1 capacities (target 20 s): {sweep_s:.2f} s "
          f"({1000 * sweep_s / args.sweep:.1f} ms each; rebuilding the LP each time: {1000 * rebuild_each:.1f} ms)")
    for c in (0.0, 20.0, 30.0, 40.0, 60.0):
        k = int(np.argmin(np.abs(capacities - c)))
        print(f"  capacity {capacities[k]:5.1f} bcm: revenue US$ {sweep[k].revenue_usd / 1e9:7.2f} bn, "
              f"value of one more bcm US$ {duals[k] / 1e6:6.1f} m")
    print(f"energy_bench: solve_ms={1000 * solve:.1f} highs_ms={1000 * highs:.1f} sweep_s={sweep_s:.2f} "
          f"sweep_n={args.sweep}")


if __name__ == "__main__":
    main()
