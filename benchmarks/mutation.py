"""Mutation testing of the numerical core with mutmut (issue 16).

Runs ``mutmut run --max-children 2`` on the core configured in ``[tool.mutmut]`` of ``pyproject.toml``
(``src/geoshift/engines/``, ``src/geoshift/analysis/``, ``src/geoshift/scenario/apply.py``) against the fast,
in-process tests (tests/unit and tests/reference without real data; the config says what is left out and why), or
on a subset given with ``--paths``, then reads mutmut's verdicts
(``mutmut results --all true``) and prints one row per module, a line for ``engines/trade_ge`` alone when it is
in scope, the wall time of the run, and as its last line::

    mutation: mutants=N killed=K survived=S timeout=T score=0.XXX

What counts: ``mutants`` is every mutant mutmut generated in the selected files. ``killed`` is a mutant that
made a test fail. ``score = killed / (mutants - skipped - not checked)``: mutants mutmut never ran (``not
checked``, e.g. an interrupted run) or was told to skip are left out of the denominator; everything else stays in
it without counting as killed -- ``survived``, ``timeout`` (the mutant made a test run past mutmut's CPU limit),
``no tests`` (no selected test executes the mutated function) and mutmut's ``suspicious`` / ``segfault``
verdicts (shown together as ``other``). A timeout is usually a mutant that broke an iteration, but it is not
counted as a kill here.

mutmut keeps its verdicts in ``mutants/``; naming paths re-runs every mutant in them. ``--resume`` instead runs
only the mutants of the whole core that have no verdict yet (an interrupted run), ``--survivors`` re-runs only the
mutants of the paths that were not killed (after adding tests), and ``--report`` only prints the stored verdicts.
``--clean`` deletes ``mutants/`` first (mutmut does not remove copies of files deleted from ``src/``). The record of
which tests run which function is always rebuilt before a run.

    python benchmarks/mutation.py [--paths src/geoshift/engines/trade_ge ...] [--resume | --survivors | --report]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = ("src/geoshift/engines", "src/geoshift/analysis", "src/geoshift/scenario/apply.py")
TRADE_GE = "engines/trade_ge"
LOG = Path("mutants") / "mutation-run.log"
STATS = Path("mutants") / "mutmut-stats.json"
MAX_CHILDREN = 2


@dataclass(frozen=True)
class Tally:
    mutants: int
    killed: int
    survived: int
    timeout: int
    no_tests: int
    excluded: int  # skipped or not checked: left out of the score
    other: int  # suspicious, segfault, interrupted, caught by a type check

    @property
    def checked(self) -> int:
        return self.mutants - self.excluded

    @property
    def score(self) -> float:
        return self.killed / self.checked if self.checked else 0.0


def tally(statuses: Iterable[str]) -> Tally:
    counts = Counter(statuses)
    known = {"killed", "survived", "timeout", "no tests", "skipped", "not checked"}
    return Tally(
        mutants=sum(counts.values()), killed=counts["killed"], survived=counts["survived"],
        timeout=counts["timeout"], no_tests=counts["no tests"], excluded=counts["skipped"] + counts["not checked"],
        other=sum(n for status, n in counts.items() if status not in known),
    )


def module_prefix(path: str) -> str:
    """``src/geoshift/engines/trade_ge`` -> ``geoshift.engines.trade_ge.`` (the start of its mutant names)."""
    p = Path(path)
    parts = p.with_suffix("").parts if p.suffix == ".py" else p.parts
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) + "."


def module_of(key: str) -> str:
    """The module of a mutant name (``geoshift.engines.trade_ge.gravity.x_solve_gravity__mutmut_3``), as a
    path below ``geoshift/`` (``engines/trade_ge/gravity``)."""
    parts = key.split(".")
    for i in range(len(parts) - 1, -1, -1):
        if parts[i].startswith(("x_", "xǁ")):
            parts = parts[:i]
            break
    return "/".join(parts[1:] if parts[0] == "geoshift" else parts)


def mutmut_command() -> str:
    local = Path(sys.executable).parent / "mutmut"
    found = str(local) if local.exists() else shutil.which("mutmut")
    if found is None:
        raise SystemExit("mutmut is not installed (pip install mutmut)")
    return found


def run_mutmut(names: Sequence[str]) -> float:
    """``mutmut run`` on the mutants matching ``names`` (all unchecked ones when empty); its output goes to
    ``mutants/mutation-run.log``. Returns the wall time in seconds."""
    (ROOT / LOG).parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    with (ROOT / LOG).open("w") as log:
        done = subprocess.run([mutmut_command(), "run", "--max-children", str(MAX_CHILDREN), *names],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        tail = (ROOT / LOG).read_text(errors="replace").replace("\r", "\n").strip().splitlines()[-15:]
        raise SystemExit("mutmut run failed (exit {}); the end of {}:\n{}".format(
            done.returncode, LOG, "\n".join(tail)))
    return elapsed


def stored_results() -> dict[str, str]:
    """Mutant name -> mutmut's verdict for every mutant of the configured core (``mutmut results --all true``)."""
    done = subprocess.run([mutmut_command(), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"mutmut results failed: {done.stderr.strip()}")
    results: dict[str, str] = {}
    for line in done.stdout.splitlines():
        key, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in key:
            results[key] = status
    return results


def fmt(t: Tally) -> str:
    return f"mutants={t.mutants} killed={t.killed} survived={t.survived} timeout={t.timeout} score={t.score:.3f}"


def report(results: dict[str, str], prefixes: Sequence[str]) -> Tally:
    selected = {k: v for k, v in results.items() if k.startswith(tuple(prefixes))}
    by_module: dict[str, list[str]] = {}
    for key, status in selected.items():
        by_module.setdefault(module_of(key), []).append(status)
    header = (f"{'module':<34} {'mutants':>7} {'killed':>7} {'survived':>8} {'timeout':>7} {'no tests':>8} "
              f"{'other':>5} {'not run':>7} {'score':>6}")
    print(header)
    print("-" * len(header))
    for module in sorted(by_module):
        t = tally(by_module[module])
        print(f"{module:<34} {t.mutants:>7} {t.killed:>7} {t.survived:>8} {t.timeout:>7} {t.no_tests:>8} "
              f"{t.other:>5} {t.excluded:>7} {t.score:>6.3f}")
    print("-" * len(header))
    trade_ge = [s for m, statuses in by_module.items() if m.startswith(TRADE_GE + "/") for s in statuses]
    if trade_ge:
        print(f"mutation[{TRADE_GE}]: {fmt(tally(trade_ge))}")
    return tally(selected.values())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--paths", nargs="+", default=list(CORE), metavar="PATH",
                        help="source files or folders of the core to mutate (default: the whole core)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--resume", action="store_true",
                      help="run only the mutants of the core that have no verdict yet, then report on --paths")
    mode.add_argument("--survivors", action="store_true",
                      help="re-run only the mutants of --paths that were not killed in an earlier run")
    mode.add_argument("--report", action="store_true", help="do not run mutmut; report the stored verdicts")
    parser.add_argument("--clean", action="store_true", help="delete mutants/ (every stored verdict) first")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not (ROOT / path).exists():
            parser.error(f"no such path: {path}")
        if not any((ROOT / path).resolve().is_relative_to((ROOT / core).resolve()) for core in CORE):
            parser.error(f"{path} is outside the mutated core {CORE} (see [tool.mutmut] in pyproject.toml)")
    prefixes = [module_prefix(p) for p in args.paths]
    if args.clean:
        if args.resume or args.survivors or args.report:
            parser.error("--clean deletes the verdicts that --resume, --survivors and --report read")
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    names = [p + "*" for p in prefixes]
    if args.survivors:
        names = [key for key, status in stored_results().items()
                 if key.startswith(tuple(prefixes)) and status != "killed"]
        if not names:
            print("no surviving mutants to re-run")
    elapsed = None
    if not args.report and (names or args.resume):
        # mutmut 3.8 keeps the tests it recorded for a function even after the function or the tests changed (a
        # refactored function then has "no tests"): always record them afresh (a test run, ~1 min).
        (ROOT / STATS).unlink(missing_ok=True)
        elapsed = run_mutmut([] if args.resume else names)
    total = report(stored_results(), prefixes)
    if total.mutants == 0:
        raise SystemExit("no mutants found: run without --report first")
    if elapsed is not None:
        what = "unchecked mutants" if args.resume else f"{len(names)} mutant(s)" if args.survivors else \
            f"{len(prefixes)} path(s)"
        print(f"elapsed: {elapsed:.0f} s (mutmut run --max-children {MAX_CHILDREN}, {what})")
    print(f"mutation: {fmt(total)}")


if __name__ == "__main__":
    main()
