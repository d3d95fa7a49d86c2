"""How fast the command line answers: ``geoshift --help`` and ``import geoshift.cli`` as fresh processes, beside
an anchor (``python -c pass``) measured in the same run. Target: ``geoshift --help`` in <= 0.5 s.

    python benchmarks/cli_bench.py [--repeat 7]

The last line is machine-readable: ``cli_bench: help_s=... import_s=... anchor_s=... help_ok=yes|no``."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from timing import timed

HELP_TARGET_S = 0.5


def process(*args: str) -> None:
    subprocess.run([sys.executable, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)


def heavy_modules() -> list[str]:
    """The heavy modules ``import geoshift.cli`` loads (should be none)."""
    code = ("import sys, geoshift.cli; print(' '.join(m for m in ('pandas', 'numpy', 'duckdb', 'plotly', 'scipy', "
            "'fastapi') if m in sys.modules))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          timeout=120).stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    process("-m", "geoshift", "--help")  # warm the file cache and the bytecode
    start = time.perf_counter()
    anchor = timed(lambda: process("-c", "pass"), args.repeat)
    help_s = timed(lambda: process("-m", "geoshift", "--help"), args.repeat)
    import_s = timed(lambda: process("-c", "import geoshift.cli"), args.repeat)
    heavy = heavy_modules()
    print(f"{'measure':<34} {'seconds':>8} {'target':>7}")
    print(f"{'anchor: python -c pass':<34} {anchor:>8.3f}")
    label = 'python -c "import geoshift.cli"'
    print(f"{label:<34} {import_s:>8.3f}")
    print(f"{'geoshift --help':<34} {help_s:>8.3f} {HELP_TARGET_S:>7.1f}")
    print(f"heavy modules loaded by import geoshift.cli: {', '.join(heavy) or 'none'}; "
          f"{time.perf_counter() - start:.1f} s in all, median of {args.repeat}")
    print(f"cli_bench: help_s={help_s:.3f} import_s={import_s:.3f} anchor_s={anchor:.3f} "
          f"help_ok={'yes' if help_s <= HELP_TARGET_S else 'no'} heavy={len(heavy)}")


if __name__ == "__main__":
    main()
