"""Critical-minerals benchmark: ``geoshift minerals USA`` warm (the World cache built), end to end in a fresh process
(interpreter start, imports, reading the World from the cache, every material's GeoPolRisk supply risk, printing),
and its parts in this process: the warm World load, the table of every material, one material, one sourcing shock.
Target (issue 13, 2-core machine): the command <= 5 s warm.

    python benchmarks/minerals_bench.py [--country USA] [--year 2022] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import typer

from geoshift.commands.minerals import register
from geoshift.engines.minerals import MineralShock, apply_shock, risk_table, supply_risk
from geoshift.world import load_world
from timing import timed


def command(argv: list[str]) -> None:
    """Run ``minerals`` with ``argv`` as the registered command would run under ``geoshift``."""
    app = typer.Typer(add_completion=False)

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    app(["minerals", *argv], standalone_mode=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--country", default="USA")
    parser.add_argument("--year", type=int, default=None, help="default: the latest with trade and production")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        command(args.child)
        return
    load_world()  # make sure the cache exists: the target is the warm command
    year = [] if args.year is None else ["--year", str(args.year)]
    ends = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--child", args.country, *year], check=True,
                       stdout=subprocess.DEVNULL)
        ends.append(time.perf_counter() - start)
    end_to_end = statistics.median(ends)
    load = timed(load_world, args.repeat)
    world = load_world()
    table = risk_table(world, args.country, args.year)
    table_s = timed(lambda: risk_table(world, args.country, args.year), args.repeat)
    one = timed(lambda: supply_risk(world, args.country, "graphite", table.year), args.repeat)
    shock = MineralShock(material="graphite", importer=args.country, close=["CHN"])
    shock_s = timed(lambda: apply_shock(world, shock, table.year), args.repeat)
    print(f"{'measure (median of ' + str(args.repeat) + ')':<60} {'s':>8}")
    print(f"{'geoshift minerals ' + args.country + ', fresh process, warm cache (target 5 s)':<60} {end_to_end:>8.3f}")
    print(f"{'  World load from the cache, in process':<60} {load:>8.3f}")
    print(f"{'  supply-risk table, ' + str(len(table.risks)) + ' materials, ' + str(table.year):<60} {table_s:>8.3f}")
    print(f"{'  one material (graphite)':<60} {one:>8.3f}")
    print(f"{'  one sourcing shock (graphite, China closed)':<60} {shock_s:>8.3f}")
    print(f"minerals_bench: seconds={end_to_end:.2f} minerals={len(table.risks)}")


if __name__ == "__main__":
    main()
