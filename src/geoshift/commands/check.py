"""``geoshift check``: claims in, verdicts out, with the numbers, the likelihood and what flips each."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from geoshift.claims import check_claims, load_claims
from geoshift.claims.check import ClaimResult
from geoshift.errors import InputError
from geoshift.report.claims import claim_review, write_evidence_page
from geoshift.results.run import Runner
from geoshift.results.store import RunStore
from geoshift.scenario.shipped import shipped_claims
from geoshift.world import World


def verdict_table(results: list[ClaimResult], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("claim", "verdict", "likelihood", "number vs threshold", "what flips it / why not tested"):
        table.add_column(column, overflow="fold")
    for r in results:
        number = "–" if r.value is None else f"{r.value:.4g} {r.unit} ({r.compare} {r.threshold:.4g})"
        table.add_row(f"{r.id} {r.claim}", r.verdict, r.likelihood or "–", number, r.flip or r.reason)
    return table


def run_check(world: World, files: list[Path], *, draws: int | None, store: RunStore | None, out_dir: Path | None,
              console: Console, claimreview: bool = False) -> tuple[list[ClaimResult], Path | None]:
    """Check the files; write the evidence page (and ClaimReview JSON-LD) into ``out_dir``."""
    if draws is not None and draws != 0 and draws < 2:
        raise InputError(f"--draws {draws}: give 0 (central values only) or at least 2")
    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir} is an existing file; give a folder")
    claim_files = [load_claims(f) for f in files]  # every file validates before anything is solved or written
    runner = Runner(world, store, draws=draws)
    with console.status("Checking claims...", spinner="dots") as status:
        results = check_claims(world, claim_files, runner=runner, draws=draws,
                               progress=lambda what: status.update(f"Checking {what}..."))
    page = None
    if out_dir is not None:
        name = "-".join(f.name for f in claim_files) if len(claim_files) <= 2 else "claims"
        page = write_evidence_page(results, out_dir / f"check-{name}.html",
                                   title=f"geoshift check: {', '.join(f.name for f in claim_files)}")
        if claimreview:
            (out_dir / f"check-{name}.claimreview.json").write_text(
                json.dumps([claim_review(r) for r in results], indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results, page


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
    ) -> None:
        """Check written claims: each proposition measured, a verdict, its likelihood and what would flip it."""
        paths = list(files) if files else shipped_claims()
        for path in paths:
            load_claims(path)
        world = world_loader()
        console = Console(stderr=as_json)
        results, page = run_check(world, paths, draws=draws, store=RunStore(store),
                                  out_dir=out_dir, console=console, claimreview=claimreview)
        if as_json:
            sys.stdout.write(json.dumps({"claims": [r.to_dict() for r in results],
                                         "evidence_page": str(page) if page else None}, indent=2,
                                        default=float) + "\n")
            return
        console.print(verdict_table(results, "Claims and what the evidence says"))
        counts = {v: sum(r.verdict == v for r in results) for v in dict.fromkeys(r.verdict for r in results)}
        console.print(", ".join(f"{n} {v}" for v, n in counts.items()) + (f"; evidence: {page}" if page else ""))
