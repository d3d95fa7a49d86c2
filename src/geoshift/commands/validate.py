"""``geoshift validate``: geoshift against published figures, each row recomputed from the data and compared with
its tolerance; misses first, each with its reason. The last line is the summary."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.table import Table

from geoshift.analysis.validate import (
    Status,
    Validation,
    deviation_text,
    published_text,
    validate,
    value_text,
    write_validation_html,
)
from geoshift.commands.common import check_out_folder, err, out, print_json
from geoshift.world import World


def _validation_table(validation: Validation, status: Status, title: str, columns: tuple[str, ...]) -> Table | None:
    checks = validation.ordered(status)
    if not checks:
        return None
    table = Table(title=f"{title} ({len(checks)})", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
    for column in columns:
        number = column in ("published", "geoshift", "off by", "tolerance")
        table.add_column(column, justify="right" if number else "left", no_wrap=number,
                         ratio=None if number else (3 if column == "quantity" else 5), overflow="fold")
    for c in checks:
        f = c.figure
        why = escape(c.reason or "") + (f"\n[dim]geoshift counted: {escape(c.detail)}[/]" if c.detail else "")
        cells = {"quantity": f"{escape(f.quantity)}, {escape(f.year)}\n[dim]{f.id}[/]",
                 "published": escape(published_text(c)), "geoshift": escape(value_text(c)),
                 "off by": deviation_text(c), "tolerance": f.tolerance.text if f.tolerance else "", "why": why}
        table.add_row(*[cells[column] for column in columns])
    return table


def validate_main(load: Callable[[], World], out_dir: Path | None, as_json: bool) -> None:
    if out_dir is not None:
        check_out_folder(out_dir)
    world = load()
    with err.status("Recomputing the published figures (profiles, energy baselines, GE scenarios)...",
                    spinner="dots"):
        validation = validate(world)
    page = write_validation_html(validation, out_dir) if out_dir is not None else None
    if as_json:
        print_json({**validation.to_dict(), "html": str(page) if page else None})
        return
    sections: tuple[tuple[Status, str, tuple[str, ...]], ...] = (
        ("outside", "Outside the tolerance, with the reason", ("quantity", "published", "geoshift", "off by", "why")),
        ("within", "Within the tolerance", ("quantity", "published", "geoshift", "off by", "tolerance")),
        ("not computable", "Not computable, and why", ("quantity", "published", "why")),
    )
    for status, title, columns in sections:
        table = _validation_table(validation, status, title, columns)
        if table is not None:
            out.print(table)
    out.print(f"[dim]tolerances: level ±10 % of the nearest end of the published range, share ±3 percentage points; "
              f"'off by' is measured from that end; table {validation.table}; {validation.seconds:.1f} s[/]")
    if page is not None:
        out.print(f"report: {page}")
    sys.stdout.flush()
    sys.stdout.write(validation.line() + "\n")
