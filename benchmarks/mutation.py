"""Mutation testing of the numerical core with mutmut (issue 16).

Runs ``mutmut run --max-children N`` (default 2 worker processes) on the core configured in ``[tool.mutmut]`` of
``pyproject.toml`` (``src/geoshift/engines/``, ``src/geoshift/analysis/``, ``src/geoshift/scenario/apply.py``)
against the fast, in-process tests (tests/unit and tests/reference without real data; the config says what is left
out and why), or on a subset given with ``--paths``, then reads mutmut's verdicts (``mutmut results --all true``)
and prints one row per module, a line for ``engines/trade_ge`` alone when it is in scope, the wall time of the run,
and as its last line::

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
mutants of the paths that were not killed (after adding tests; with ``--resume`` as well, the unchecked mutants of the
whole core join them in one pass), and ``--report`` only prints the stored verdicts. ``--write-survivors`` then
rewrites ``benchmarks/mutation_survivors.md`` from the stored verdicts: every mutant not killed, by module, with the
line it changes and its reason (a reason written there earlier is kept while the mutant changes the same line the
same way; a new survivor is "open"). ``--clean`` deletes ``mutants/`` first (mutmut does not remove copies of files
deleted from ``src/``). The record of which tests run which function is always rebuilt before a run, and the copies
in ``mutants/src`` of the files that are not mutated are refreshed from ``src/`` (mutmut 3.8 copies a file there only
once, so a module changed since the first run would otherwise be tested in its old version).

On a shared machine run it at the lowest priority, so that it uses only idle time::

    nice -n 19 python benchmarks/mutation.py --resume --max-children 2

    python benchmarks/mutation.py [--paths src/geoshift/engines/trade_ge ...] [--resume] [--survivors] [--report]
                                  [--write-survivors] [--max-children N] [--clean]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import io
import re
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
MUTATED = ("src/geoshift/engines/", "src/geoshift/analysis/", "src/geoshift/scenario/apply.py")  # [tool.mutmut]


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


def refresh_unmutated(root: Path = ROOT) -> list[str]:
    """Copy into ``mutants/src`` every file of ``src/`` that mutmut does not mutate (anything but the core's
    ``.py`` files) and whose copy there is missing
    or differs (mutmut 3.8 copies such a file only when it has no copy yet). Returns the refreshed paths."""
    target_root = root / "mutants"
    if not target_root.is_dir():
        return []
    refreshed = []
    for source in sorted((root / "src").rglob("*")):
        rel = source.relative_to(root).as_posix()
        if not source.is_file() or "__pycache__" in rel or (rel.endswith(".py") and rel.startswith(MUTATED)):
            continue
        target = target_root / rel
        if target.is_file() and target.read_bytes() == source.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        refreshed.append(rel)
    return refreshed


def run_mutmut(names: Sequence[str], max_children: int = MAX_CHILDREN) -> float:
    """``mutmut run`` on the mutants matching ``names`` (all unchecked ones when empty) with ``max_children``
    worker processes; its output goes to ``mutants/mutation-run.log``. Returns the wall time in seconds."""
    (ROOT / LOG).parent.mkdir(exist_ok=True)
    refresh_unmutated()
    start = time.perf_counter()
    with (ROOT / LOG).open("w") as log:
        done = subprocess.run([mutmut_command(), "run", "--max-children", str(max_children), *names],
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


# -- the list of surviving mutants ------------------------------------------------------------------------------

SURVIVORS = Path("benchmarks") / "mutation_survivors.md"
VERDICTS_HEADING = "## Stored verdicts when this file was written"
NOT_ANALYSED = "open: not analysed in this pass"
NO_TESTS = "open: no test in the mutation suite runs this function (covered, if at all, by real-data tests)"
NOT_LISTED = ("killed", "skipped", "not checked")
ENTRY = re.compile(r"^- `(?P<key>[^`]+)` \((?P<status>[^)]+)\): (?P<change>.*) — "
                   r"(?P<reason>(?:equivalent|accepted|open)\b.*)$")
SHOWN = 90  # characters of a changed line shown


def mutated_file(key: str, root: Path = ROOT) -> Path:
    """The file in ``mutants/src`` that holds the mutant ``key`` (e.g. ``geoshift.engines.energy.lp.x_x__mutmut_3``)."""
    module = module_of(key)
    base = root / "mutants" / "src" / "geoshift" / module
    plain = base.with_suffix(".py")
    return plain if plain.is_file() else base / "__init__.py"


def function_lines(path: Path) -> dict[str, list[str]]:
    """The source lines of every function and method of a mutated file, by name."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: dict[str, list[str]] = {}
    for node in ast.parse(text).body:
        members = node.body if isinstance(node, ast.ClassDef) else [node]
        for member in members:
            if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef)) and member.end_lineno is not None:
                found[member.name] = lines[member.lineno - 1:member.end_lineno]
    return found


def change_of(key: str, functions: dict[str, list[str]]) -> str:
    """```original line` → `mutated line``` for the first line the mutant changes (function names aside)."""
    name = key.rpartition(".")[2]
    stem = name.rpartition("__mutmut_")[0]
    original, mutant = functions.get(stem + "__mutmut_orig"), functions.get(name)
    if original is None or mutant is None:
        return "(source not found in mutants/)"
    plain = stem.split("ǁ")[-1] if "ǁ" in stem else stem.removeprefix("x_")  # the function's own name
    original = [line.replace(stem + "__mutmut_orig", plain) for line in original]
    mutant = [line.replace(name, plain) for line in mutant]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=original, b=mutant, autojunk=False).get_opcodes():
        if tag != "equal":
            before = original[i1].strip() if i1 < i2 else ""
            after = mutant[j1].strip() if j1 < j2 else ""
            return f"`{before[:SHOWN]}` → `{after[:SHOWN]}`"
    return "(no textual change)"


def old_reasons(text: str) -> dict[str, tuple[str, str]]:
    """Mutant -> (change, reason) of every entry of an earlier list whose reason is not "open"."""
    reasons: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        match = ENTRY.match(line)
        if match and not match["reason"].startswith("open"):
            reasons[match["key"]] = (match["change"], match["reason"])
    return reasons


def write_survivors(results: dict[str, str], prefixes: Sequence[str], path: Path = ROOT / SURVIVORS) -> int:
    """Rewrite the list of surviving mutants from the stored verdicts: the text above :data:`VERDICTS_HEADING` is
    kept, the verdict table is the report's, and every mutant that was not killed (and has a verdict) is listed by
    module with its change and reason. A reason given earlier (equivalent, accepted) is kept while the mutant
    changes the same line in the same way; a new survivor is "open"; the reasons of mutants that have no verdict
    now (a changed function, a stopped pass) are kept at the end. Returns the number listed."""
    text = path.read_text(encoding="utf-8") if path.is_file() else "# Surviving mutants\n\n"
    head = text.split(VERDICTS_HEADING)[0].rstrip() + "\n\n\n"
    reasons = old_reasons(text)
    table = io.StringIO()
    with contextlib.redirect_stdout(table):
        total = report(results, prefixes)
        print(f"mutation: {fmt(total)}")
    selected = {k: v for k, v in results.items() if k.startswith(tuple(prefixes))}
    listed = {k: v for k, v in selected.items() if v not in NOT_LISTED}
    by_module: dict[str, list[str]] = {}
    for key in listed:
        by_module.setdefault(module_of(key), []).append(key)
    sources: dict[Path, dict[str, list[str]]] = {}
    parts = [head, VERDICTS_HEADING, "\n\n```\n", table.getvalue(), "```\n\n"]
    if total.excluded:
        parts.append(f'"not run": {total.excluded} mutants have no verdict yet (a pass stopped part-way, or their '
                     "function changed after its last pass); they are left out of the score.\n\n")
    for module in sorted(by_module):
        keys = sorted(by_module[module], key=lambda k: (k.rpartition("__mutmut_")[0], int(k.rpartition("_")[2])))
        parts.append(f"## {module} ({len(keys)})\n\n")
        for key in keys:
            file = mutated_file(key)
            if file not in sources:
                sources[file] = function_lines(file) if file.is_file() else {}
            change = change_of(key, sources[file])
            status = listed[key]
            old = reasons.get(key.removeprefix("geoshift."))
            reason = old[1] if old and old[0] == change else NO_TESTS if status == "no tests" else NOT_ANALYSED
            parts.append(f"- `{key.removeprefix('geoshift.')}` ({status}): {change} — {reason}\n")
        parts.append("\n")
    waiting = sorted(k for k in reasons if f"geoshift.{k}" not in listed
                     and selected.get(f"geoshift.{k}", "not checked") in ("not checked", "skipped"))
    if waiting:
        parts.append(f"## Reasons given earlier, for mutants without a verdict now ({len(waiting)})\n\n"
                     "Kept so that the next regeneration finds them (a reason applies while the mutant changes the "
                     "same line in the same way).\n\n")
        parts += [f"- `{k}` (not run): {reasons[k][0]} — {reasons[k][1]}\n" for k in waiting]
    path.write_text("".join(parts).rstrip() + "\n", encoding="utf-8")
    return len(listed)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--paths", nargs="+", default=list(CORE), metavar="PATH",
                        help="source files or folders of the core to mutate (default: the whole core)")
    parser.add_argument("--resume", action="store_true",
                        help="run only the mutants of the core that have no verdict yet, then report on --paths")
    parser.add_argument("--survivors", action="store_true",
                        help="re-run only the mutants of --paths that were not killed in an earlier run (with "
                             "--resume: and every mutant of the core without a verdict, in one pass)")
    parser.add_argument("--report", action="store_true", help="do not run mutmut; report the stored verdicts")
    parser.add_argument("--clean", action="store_true", help="delete mutants/ (every stored verdict) first")
    parser.add_argument("--write-survivors", action="store_true",
                        help=f"rewrite {SURVIVORS} from the stored verdicts (keeps the reasons given before)")
    parser.add_argument("--max-children", type=int, default=MAX_CHILDREN, metavar="N",
                        help=f"mutmut worker processes (default {MAX_CHILDREN}; at least 1)")
    args = parser.parse_args(argv)
    if args.report and (args.resume or args.survivors):
        parser.error("--report runs nothing; it cannot go with --resume or --survivors")
    if args.max_children < 1:
        parser.error(f"--max-children must be at least 1, got {args.max_children}")
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
        stored = stored_results()
        names = [key for key, status in stored.items() if key.startswith(tuple(prefixes)) and status != "killed"]
        if args.resume:
            chosen = set(names)
            names += [key for key, status in stored.items() if status == "not checked" and key not in chosen]
        if not names:
            print("no surviving mutants to re-run")
    elapsed = None
    if not args.report and (names or args.resume):
        # mutmut 3.8 keeps the tests it recorded for a function even after the function or the tests changed (a
        # refactored function then has "no tests"): always record them afresh (a test run, ~1 min).
        (ROOT / STATS).unlink(missing_ok=True)
        elapsed = run_mutmut([] if args.resume and not args.survivors else names, args.max_children)
    total = report(stored_results(), prefixes)
    if total.mutants == 0:
        raise SystemExit("no mutants found: run without --report first")
    if elapsed is not None:
        what = f"{len(names)} mutant(s)" if args.survivors else "unchecked mutants" if args.resume else \
            f"{len(prefixes)} path(s)"
        print(f"elapsed: {elapsed:.0f} s (mutmut run --max-children {args.max_children}, {what})")
    print(f"mutation: {fmt(total)}")
    if args.write_survivors:
        count = write_survivors(stored_results(), [module_prefix(p) for p in CORE])
        print(f"wrote {SURVIVORS}: {count} mutants not killed, by module")


if __name__ == "__main__":
    main()
