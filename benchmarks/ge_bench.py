"""Trade GE benchmark: geoshift against anchors measured in the same run.

* One sector: geoshift's ``solve_gravity`` vs the USITC ``gegravity`` package (``OneSectorGE``: baseline,
  experiment, simulate; estimation excluded, cost coefficients given) on the same noise-free 40- and 80-country
  worlds and bloc shock (200 countries with ``--full``; gegravity takes ~40 s there).
* Multi-sector ICIO (80 economies x 50 sectors, IO links): a Russia-West energy embargo, against the same
  solver without Anderson acceleration (plain fixed-point iteration) as anchor; and a batch of 100 shocks.

Targets (2-core machine): one-sector N=200 <= 10 ms; >= 1,000x faster than gegravity at N=40; ICIO <= 50 ms per
counterfactual (0.5 s at the very most); 100 ICIO shocks <= 5 s. The last line is machine-readable.

    python benchmarks/ge_bench.py [--full] [--repeat N]
"""

from __future__ import annotations

import argparse
import time
import warnings
from functools import partial

import numpy as np
import pandas as pd

from geoshift.engines.trade_ge import calibrate, solve_gravity, solve_multisector, solve_multisector_batch, theta_for
from geoshift.scenario import shocks
from geoshift.world import load_world
from geoshift.world.synthetic import GravityWorld, bloc_matrix, gravity_world
from timing import timed

SIGMA = 5.0
B_DIST, B_BLOC = -1.0, -0.5


def synthetic(N: int) -> tuple[GravityWorld, np.ndarray]:
    tenth = max(N // 4, 1)
    world = gravity_world(N, seed=1, b_dist=B_DIST, b_bloc=B_BLOC,
                          bloc=bloc_matrix(N, range(2 * tenth, 3 * tenth), range(3 * tenth, N)))
    new_bloc = np.maximum(world.bloc, bloc_matrix(N, range(0, tenth), range(tenth, 2 * tenth)))
    return world, new_bloc


def gegravity_seconds(world: GravityWorld, new_bloc: np.ndarray) -> float | None:
    try:
        import gegravity as ge  # type: ignore[import-untyped]
    except ImportError:
        return None
    N = len(world.labels)
    labels = np.array(world.labels)
    i, j = np.meshgrid(np.arange(N), np.arange(N), indexing="ij")
    data = pd.DataFrame({
        "exporter": labels[i.ravel()], "importer": labels[j.ravel()], "year": "2020", "trade": world.X.ravel(),
        "lndist": np.log(world.distance).ravel(), "bloc": world.bloc.ravel(),
        "Y": world.X.sum(axis=1)[i.ravel()], "E": world.X.sum(axis=0)[j.ravel()],
    })
    coefficients = pd.DataFrame({"var": ["lndist", "bloc"], "coeff": [B_DIST, B_BLOC], "ste": [0.0, 0.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline = ge.BaselineData(data, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
                                   trade_var_name="trade", expend_var_name="E", output_var_name="Y")
        costs = ge.CostCoeffs(estimates=coefficients, identifier_col="var", coeff_col="coeff", stderr_col="ste")
        start = time.perf_counter()
        model = ge.OneSectorGE(baseline, year="2020", reference_importer="C000", sigma=SIGMA,
                               expend_var_name="E", output_var_name="Y", cost_variables=["lndist", "bloc"],
                               cost_coeff_values=costs, quiet=True)
        model.build_baseline(omr_rescale=1, mr_method="hybr", mr_tolerance=1e-10, mr_max_iter=100_000)
        experiment = model.baseline_data.copy()
        index = {c: n for n, c in enumerate(world.labels)}
        experiment["bloc"] = [new_bloc[index[a], index[b]]
                              for a, b in zip(experiment["exporter"], experiment["importer"], strict=True)]
        model.define_experiment(experiment)
        model.simulate(ge_method="hybr", ge_tolerance=1e-10, ge_max_iter=100_000)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="also time gegravity at N=200 (~40 s)")
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of each geoshift timing")
    args = parser.parse_args()

    print(f"{'one-sector gravity':<28} {'geoshift ms':>12} {'gegravity s':>12} {'ratio':>10} {'iters':>6}")
    one_sector: dict[int, tuple[float, float | None]] = {}
    for N in (40, 80, 200):
        gravity, new_bloc = synthetic(N)
        tau = np.exp(B_BLOC * (new_bloc - gravity.bloc) / (1.0 - SIGMA))
        result = solve_gravity(gravity.X, tau, SIGMA - 1.0)
        ours = timed(partial(solve_gravity, gravity.X, tau, SIGMA - 1.0), args.repeat)
        theirs = gegravity_seconds(gravity, new_bloc) if (N < 200 or args.full) else None
        one_sector[N] = (ours, theirs)
        ratio = f"{theirs / ours:,.0f}x" if theirs else "-"
        print(f"{'N = ' + str(N):<28} {1000 * ours:>12.3f} {theirs if theirs else float('nan'):>12.2f} "
              f"{ratio:>10} {result.iterations:>6}")

    world = load_world()
    cal = calibrate(world)
    theta = theta_for(world.sectors)
    embargo = shocks.apply_cost_change(shocks.no_change(world), shocks.countries(world, "RUS"),
                                       shocks.countries(world, "USA,EU27,GBR,JPN,CAN"),
                                       shocks.sectors(world, "B05,B06,C19"), np.inf)
    accelerated = solve_multisector(cal, embargo, theta)
    icio = timed(lambda: solve_multisector(cal, embargo, theta), max(args.repeat // 4, 3))
    plain = solve_multisector(cal, embargo, theta, anderson_memory=0, raise_on_failure=False, max_iter=20_000)
    every = shocks.sectors(world, "all")
    chn, usa = shocks.countries(world, "CHN"), shocks.countries(world, "USA")
    batch = [shocks.apply_cost_change(shocks.no_change(world), chn, usa, every, f) for f in np.linspace(1.01, 2.0, 100)]
    start = time.perf_counter()
    results = solve_multisector_batch(cal, batch, theta)
    batch_s = time.perf_counter() - start
    print()
    print(f"{'ICIO 80 x 50, IO links':<40} {'ms':>9} {'iterations':>11} {'residual':>10}")
    print(f"{'RUS-West energy embargo (Anderson)':<40} {1000 * icio:>9.1f} {accelerated.iterations:>11} "
          f"{accelerated.residual:>10.1e}")
    print(f"{'anchor: same solve, plain iteration':<40} {1000 * plain.seconds:>9.1f} {plain.iterations:>11} "
          f"{plain.residual:>10.1e}   ratio {plain.seconds / icio:.1f}x")
    print(f"{'batch of 100 CHN-USA cost shocks (s)':<40} {batch_s:>9.2f} "
          f"{sum(r.iterations for r in results) / len(results):>11.1f} {max(r.residual for r in results):>10.1e}")
    ratio40 = one_sector[40][1] / one_sector[40][0] if one_sector[40][1] else float("nan")
    print(f"ge_bench: n40_ratio={ratio40:.0f} n200_ms={1000 * one_sector[200][0]:.3f} icio_ms={1000 * icio:.1f} "
          f"icio_plain_ratio={plain.seconds / icio:.1f} batch100_s={batch_s:.2f}")


if __name__ == "__main__":
    main()
