"""Strategic-layer benchmark: a 40 x 40 map (rho x package) of the default game, cold — every outcome scenario
solved by the GE and energy engines inside the run — against an anchor measured in the same run: one scenario
run (GE + energy). Target (issue 6, 2-core machine): the 40 x 40 map <= 60 s including the engine solves.

    python benchmarks/game_bench.py [--n 40]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from geoshift.engines.strategy.alignment import build_game, economic_payoffs_from, game_map, load_game, solve_game
from geoshift.results.run import Runner
from geoshift.scenario.shipped import shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.world import load_world

GAMES = Path(__file__).resolve().parents[1] / "games"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    world = load_world()
    anchor_runner = Runner(world, draws=0, kind="outcome")  # what each cell's engine solve is
    scenario = load_scenario(shipped_scenarios()[1])
    anchor_runner.run(scenario)  # calibration and energy baseline, built once in any session
    start = time.perf_counter()
    anchor_runner.run(scenario, force=True)
    anchor = time.perf_counter() - start
    start = time.perf_counter()
    game = build_game(load_game(GAMES / "detente.yaml"), economic_payoffs_from(Runner(world, kind="outcome")), GAMES)
    solution = solve_game(game)
    grid = game_map(game, "rho", "package", n=args.n)
    total = time.perf_counter() - start
    cells = args.n * args.n
    print(f"{'measure':<58} {'seconds':>8} {'x anchor':>9}")
    print(f"{'anchor: one scenario run (GE 80 x 50 + energy LP)':<58} {anchor:>8.3f} {1.0:>9.1f}")
    print(f"{f'{args.n} x {args.n} map, cold ({game.solves} engine solves)':<58} {total:>8.2f} {total / anchor:>9.1f}")
    print(f"{'  of which solving and mapping the game itself':<58} "
          f"{total - game.solves * anchor:>8.2f}   (estimated)")
    print(f"SPE at the defaults: {', '.join(e['outcome'] for e in solution.spe)}; Russia aligns west after a deal "
          f"in {100 * (grid.russia_moves == 2).mean():.0f} % of the cells, hedges in "
          f"{100 * (grid.russia_moves == 1).mean():.0f} %")
    print(f"game_bench: map_s={total:.2f} cells={cells} engine_solves={game.solves} anchor_s={anchor:.3f}")


if __name__ == "__main__":
    main()
