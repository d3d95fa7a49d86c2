"""``geoshift check``: claims in, verdicts out, with the numbers, the likelihood and what flips each.

The claims, engines and reports load when the command runs (``geoshift --help`` does not import them)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from geoshift.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

    from geoshift.claims.check import ClaimResult
    from geoshift.results.store import RunStore
    from geoshift.world import World

#: the columns of the verdict table as exported (``--csv`` / ``--parquet`` / ``--xlsx``), in order
CLAIM_COLUMNS = ("file", "id", "claim", "where", "verdict", "likelihood", "share", "draws", "value", "unit",
                 "compare", "threshold", "flip", "flip_parameter", "flip_at", "reason")


def verdict_table(results: list[ClaimResult], title: str) -> Table:
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in ("claim", "verdict", "likelihood", "number vs threshold", "what flips it / why not tested"):
        table.add_column(column, overflow="fold")
    for r in results:
        number = "–" if r.value is None else f"{r.value:.4g} {r.unit} ({r.compare} {r.threshold:.4g})"
        table.add_row(f"{r.id} {r.claim}", r.verdict, r.likelihood or "–", number, r.flip or r.reason)
    return table


def claims_frame(results: list[ClaimResult]) -> pd.DataFrame:
    """The verdict table as one row per claim (:data:`CLAIM_COLUMNS`), the numbers in their ``unit``."""
    import pandas as pd

    rows = [{column: getattr(r, column) for column in CLAIM_COLUMNS} for r in results]
    return pd.DataFrame(rows, columns=list(CLAIM_COLUMNS))


def run_check(world: World, files: list[Path], *, draws: int | None, store: RunStore | None, out_dir: Path | None,
              console: Console, claimreview: bool = False) -> tuple[list[ClaimResult], Path | None]:
    """Check the files; write the evidence page (and ClaimReview JSON-LD) into ``out_dir``. A progress bar (claim by
    claim) goes to stderr."""
    from geoshift.claims import check_claims, load_claims
    from geoshift.commands.common import progress_bar
    from geoshift.report.claims import claim_review, write_evidence_page
    from geoshift.results.run import Runner

    if draws is not None and draws != 0 and draws < 2:
        raise InputError(f"--draws {draws}: give 0 (central values only) or at least 2")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is an existing file; give a folder")
    claim_files = [load_claims(f) for f in files]  # every file validates before anything is solved or written
    runner = Runner(world, store, draws=draws)
    total = sum(len(f.claims) for f in claim_files)
    with progress_bar("Checking claims", total, console if console.stderr else None) as (bar, task):
        results = check_claims(world, claim_files, runner=runner, draws=draws, progress=_counter(bar, task))
    page = None
    if out_dir is not None:
        name = "-".join(f.name for f in claim_files) if len(claim_files) <= 2 else "claims"
        page = write_evidence_page(results, out_dir / f"check-{name}.html",
                                   title=f"geoshift check: {', '.join(f.name for f in claim_files)}")
        if claimreview:
            (out_dir / f"check-{name}.claimreview.json").write_text(
                json.dumps([claim_review(r) for r in results], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results, page


def _counter(bar: Any, task: Any) -> Callable[[str], None]:
    """``check_claims``' progress(what) is called as each claim starts: the bar counts the claims begun before it."""
    started = [0]

    def step(what: str) -> None:
        bar.update(task, description=f"Checking {what}", completed=started[0])
        started[0] += 1

    return step


def check_main(world_loader: Callable[[], World], files: list[Path] | None, *, draws: int | None, out_dir: Path,
               store: Path | None, claimreview: bool, as_json: bool, csv_dir: Path | None = None,
               parquet: Path | None = None, xlsx: Path | None = None) -> None:
    """The command's work: check, print the verdicts (or JSON), export the verdict table where asked."""
    from geoshift.claims import load_claims
    from geoshift.report.export import ExportTargets, check_export_paths, export
    from geoshift.results.store import RunStore
    from geoshift.scenario.shipped import shipped_claims

    targets = ExportTargets(csv_dir, parquet, xlsx)
    check_export_paths(targets)
    paths = list(files) if files else shipped_claims()
    for path in paths:
        load_claims(path)
    world = world_loader()
    console = Console(stderr=as_json)
    results, page = run_check(world, paths, draws=draws, store=RunStore(store), out_dir=out_dir, console=console,
                              claimreview=claimreview)
    export(targets, lambda: {"claims": claims_frame(results)})
    if as_json:
        sys.stdout.write(json.dumps({"claims": [r.to_dict() for r in results],
                                     "evidence_page": str(page) if page else None}, indent=2, default=float) + "\n")
        return
    console.print(verdict_table(results, "Claims and what the evidence says"))
    counts = {v: sum(r.verdict == v for r in results) for v in dict.fromkeys(r.verdict for r in results)}
    console.print(", ".join(f"{n} {v}" for v, n in counts.items()) + (f"; evidence: {page}" if page else ""))


def register(app: typer.Typer, world_loader: Callable[[], World]) -> None:
    """Add ``geoshift check`` to ``app``; ``world_loader`` loads the World (the CLI's, with its progress)."""

    @app.command("check")
    def check_command(
        files: Annotated[list[Path] | None, typer.Argument(help="Claim files (default: the shipped claims).")] = None,
        draws: Annotated[int | None, typer.Option(help="Ensemble draws per scenario (default: the scenario files'; "
                                                  "0 = central values only).")] = None,
        out_dir: Annotated[Path, typer.Option("--out", help="Folder for the evidence page.")] = Path("geoshift-out"),
        store: Annotated[Path | None, typer.Option(help="Results database.")] = None,
        claimreview: Annotated[bool, typer.Option("--claimreview", help="Also write schema.org ClaimReview "
                                                  "JSON-LD for every claim.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        csv_dir: Annotated[Path | None, typer.Option("--csv", metavar="DIR", help="Also write the verdict table "
                                                     "as DIR/claims.csv.")] = None,
        parquet: Annotated[Path | None, typer.Option("--parquet", metavar="FILE", help="Also write the verdict "
                                                     "table as Parquet (a 'table' column names it).")] = None,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", metavar="FILE", help="Also write the verdict table "
                                                  "as an Excel sheet.")] = None,
    ) -> None:
        """Check written claims: each proposition measured, a verdict, its likelihood and what would flip it."""
        check_main(world_loader, files, draws=draws, out_dir=out_dir, store=store, claimreview=claimreview,
                   as_json=as_json, csv_dir=csv_dir, parquet=parquet, xlsx=xlsx)
