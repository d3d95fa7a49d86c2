"""``geoshift alignment A B``: how stable is the alignment of two countries? The distance between their UNGA ideal
points by year, its trend and volatility over a window, the reference pairs USA-RUS, CHN-RUS and USA-CHN over the
same window, and ATOP alliance ties where an ATOP file is given. Register it with :func:`register`."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from geoshift.errors import GeoshiftError, InputError

if TYPE_CHECKING:  # the analysis and data modules load pandas: imported when the command runs, not with the CLI
    import pandas as pd

    from geoshift.analysis.alignment import PairAlignment, Window

#: the defaults as the help shows them (the data module's; tests/unit/test_cli_startup.py checks they agree)
UNGA_ENV_VAR = "GEOSHIFT_UNGA"
DEFAULT_MEASURE = "fp"

out = Console()

DEFINITIONS = {
    "distance": "|ideal point of A - ideal point of B| in a year (UNGA session); 0 = they voted alike",
    "trend_per_decade": "OLS slope of the distance on the year over the window, x 10; > 0 = drifting apart",
    "volatility": "sample standard deviation of the year-on-year changes of the distance within the window",
    "ties": "ATOP obligations in force between the two in a year, in either direction",
}


def _print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")


def _num(value: Any, fmt: str = "{:.3f}") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt.format(value)


def _summary(pair: PairAlignment) -> dict[str, Any]:
    return {k: v for k, v in pair.to_dict().items() if k != "series"}


def _show_pair(pair: PairAlignment, with_ties: bool) -> None:
    title = (f"{pair.label} ({escape(pair.name_a)} – {escape(pair.name_b)}): UNGA ideal points, "
             f"--measure {pair.measure}, {pair.start}-{pair.end}")
    table = Table(title=title)
    for column in ("year", pair.a, pair.b, "distance", "change"):
        table.add_column(column, justify="right")
    if with_ties:
        table.add_column("alliance ties (ATOP)")
    for year, row in pair.window_rows().iterrows():
        cells = [str(year), _num(row["ideal_a"]), _num(row["ideal_b"]), _num(row["distance"]),
                 _num(row["change"], "{:+.3f}")]
        if with_ties:
            cells.append(str(row["ties"]))
        table.add_row(*cells)
    out.print(table)
    out.print(f"[bold]distance in {pair.last_year}:[/] {pair.last_distance:.3f}   "
              f"[bold]trend:[/] {pair.trend_per_decade:+.3f} per decade   "
              f"[bold]volatility:[/] {pair.volatility:.3f}   "
              f"[bold]mean:[/] {pair.mean_distance:.3f}   ({pair.years} years, {pair.start}-{pair.end})",
              highlight=False)


def _show_reference(pairs: list[PairAlignment], notes: list[str], with_ties: bool, window: Window) -> None:
    table = Table(title=f"Reference pairs, --window {window.label() or ':'} (same measure)")
    for column in ("pair", "years", "last year", "distance", "trend / decade", "volatility", "mean"):
        table.add_column(column, justify="left" if column == "pair" else "right")
    if with_ties:
        table.add_column("ties in window (ATOP)")
    for p in pairs:
        cells = [p.label, f"{p.start}-{p.end}", str(p.last_year), f"{p.last_distance:.3f}",
                 f"{p.trend_per_decade:+.3f}", f"{p.volatility:.3f}", f"{p.mean_distance:.3f}"]
        if with_ties:
            cells.append(", ".join(p.ties_in_window) or "none")
        table.add_row(*cells)
    out.print(table)
    for note in notes:
        out.print(f"[dim]{escape(note)}[/]", highlight=False)


def alignment_command(
    a: Annotated[str, typer.Argument(metavar="A", help="ISO3 code (or ISO2, or a name), e.g. USA.")],
    b: Annotated[str, typer.Argument(metavar="B", help="ISO3 code (or ISO2, or a name), e.g. RUS.")],
    unga_file: Annotated[Path | None, typer.Option(
        "--unga", metavar="FILE", help=f"UNGA ideal-points file (.dta or CSV; default: ${UNGA_ENV_VAR}, then "
        "Idealpoints*.dta in geoshift's user data folder, under unga/).")] = None,
    atop_file: Annotated[Path | None, typer.Option(
        "--atop", metavar="FILE", help="ATOP directed dyad-years CSV (optional): adds alliance ties.")] = None,
    window_text: Annotated[str | None, typer.Option(
        "--window", metavar="START:END",
        help="Years for trend and volatility, both included (default 2000: = 2000 to the latest year).")] = None,
    measure: Annotated[str, typer.Option(
        help="Ideal points from: fp (final-passage votes; default) | all (all votes) | legacy.")] =
        DEFAULT_MEASURE,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (every year).")] = False,
) -> None:
    """How stable is an alignment? The distance between two countries' UNGA ideal points by year, its trend and
    volatility over a window, beside USA-RUS, CHN-RUS and USA-CHN; alliance ties from ATOP if given."""
    try:
        _alignment(a, b, unga_file, atop_file, window_text, measure, as_json)
    except GeoshiftError as exc:
        Console(stderr=True).print(f"[red]geoshift: error:[/] {escape(str(exc))}", soft_wrap=True, highlight=False)
        raise typer.Exit(2) from exc


def _alignment(a: str, b: str, unga_file: Path | None, atop_file: Path | None, window_text: str | None,
               measure: str, as_json: bool) -> None:
    from geoshift.analysis.alignment import pair_alignment, parse_window
    from geoshift.data import atop as atop_data
    from geoshift.data import unga

    if measure not in unga.MEASURES:
        raise InputError(f"--measure {measure!r} is not one of {', '.join(unga.MEASURES)}")
    window = parse_window(window_text)
    points = unga.parse_unga(unga.find_unga_file(unga_file), measure=measure)
    alliances = atop_data.parse_atop(atop_file) if atop_file is not None else None
    pair = pair_alignment(points, a, b, window, measure=measure, atop=alliances)
    references, notes = _references(points, window, measure, alliances)
    sources = [unga.SOURCE] + ([atop_data.SOURCE] if alliances is not None else [])
    if as_json:
        _print_json({"pair": pair.to_dict(), "reference_pairs": [_summary(p) for p in references],
                     "notes": notes, "definitions": DEFINITIONS, "window": window.label(), "sources": sources})
        return
    _show_pair(pair, alliances is not None)
    _show_reference(references, notes, alliances is not None, window)
    out.print("[dim]distance = |ideal point A - ideal point B| (one latent dimension; higher ideal points = closer to "
              "the US-led Western bloc); trend = OLS slope x 10, per decade, > 0 drifting apart; volatility = "
              "standard deviation (n-1) of year-on-year changes inside the window[/]", highlight=False)
    if alliances is not None:
        from geoshift.analysis.alignment import NOT_COVERED

        out.print(f"[dim]alliance ties: either direction of the ATOP dyad; '{NOT_COVERED}' = after the file's last "
                  "year[/]", highlight=False)
    for source in sources:
        out.print(f"[dim]{escape(source)}[/]", highlight=False)


def _references(points: pd.DataFrame, window: Window, measure: str,
                alliances: pd.DataFrame | None) -> tuple[list[PairAlignment], list[str]]:
    """The reference pairs over ``window``; a pair without enough years there becomes a note, not an error."""
    from geoshift.analysis.alignment import REFERENCE_PAIRS, reference_alignments

    found: list[PairAlignment] = []
    notes: list[str] = []
    for a, b in REFERENCE_PAIRS:
        try:
            found += reference_alignments(points, window, measure=measure, atop=alliances, pairs=[(a, b)])
        except GeoshiftError as exc:
            notes.append(f"{a}–{b} left out: {exc}")
    return found, notes


def register(app: typer.Typer) -> None:
    """Add ``alignment`` to ``app`` (the ``geoshift`` command line, or a local ``typer.Typer()`` in tests)."""
    app.command("alignment")(alignment_command)
