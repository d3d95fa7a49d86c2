"""`geoshift run` benchmark: the whole shipped scenario set, end to end, and its phases.

Measures in one run: the CLI as a process (`geoshift run --force` into a fresh store and output folder), and
in-process phases: loading the World from its cache (the anchor), loading and validating the scenario files,
solving them, writing the HTML report. Target (issue 4): the whole set under 30 s on a 2-core machine.

    python benchmarks/run_bench.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geoshift.report.html import write_report
from geoshift.results.run import Runner
from geoshift.scenario.shipped import shipped_scenarios
from geoshift.scenario.spec import load_scenario
from geoshift.world import load_world


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "GEOSHIFT_STORE": str(folder / "runs.duckdb")}
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "geoshift", "run", "--force", "--out", str(folder / "out")],
                              env=env, capture_output=True, text=True, check=False)
        cli = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"geoshift run failed: {done.stderr.strip()}")
        start = time.perf_counter()
        world = load_world()
        world_s = time.perf_counter() - start
        start = time.perf_counter()
        scenarios = [load_scenario(p) for p in shipped_scenarios()]
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        results = Runner(world).run_many(scenarios)
        solve_s = time.perf_counter() - start
        start = time.perf_counter()
        write_report([r.record for r in results], folder / "report.html")
        report_s = time.perf_counter() - start
    print(f"{'phase':<44} {'seconds':>8} {'x world load':>13}")
    for name, seconds in (("anchor: World load from the cache", world_s),
                          (f"load + validate {len(scenarios)} scenario files", load_s),
                          (f"solve {len(scenarios)} scenarios (80 x 50, IO links)", solve_s),
                          ("write the HTML report", report_s),
                          ("geoshift run as a process (target < 30 s)", cli)):
        print(f"{name:<44} {seconds:>8.2f} {seconds / world_s:>13.2f}")
    iterations = sum(int(r.record.diagnostics["iterations"]) for r in results)
    print(f"run_bench: total_s={cli:.2f} solve_s={solve_s:.2f} report_s={report_s:.2f} world_s={world_s:.2f} "
          f"scenarios={len(scenarios)} iterations={iterations}")


if __name__ == "__main__":
    main()
