"""What every command shares: the consoles, JSON output, the World loaded with a progress line on stderr, output
paths checked before any work, number formats and sector and country labels (names next to codes).

Imported only from inside command functions (``geoshift --help`` stays fast); heavy modules load on first use."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from geoshift.errors import InputError

if TYPE_CHECKING:
    from rich.progress import Progress

    from geoshift.results.records import RunRecord
    from geoshift.results.store import RunStore
    from geoshift.world import World

out = Console()
#: progress bars and spinners go to stderr, so ``--json`` output on stdout stays clean
err = Console(stderr=True)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=float) + "\n")


def load_world(data_dir: Path | None = None, cache_dir: Path | None = None) -> World:
    """The baseline World, with a transient spinner on stderr while it loads (the first use builds the cache)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from geoshift.world import load_world as load

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task("Loading the World", total=None)

        def step(done: int, total: int, what: str) -> None:  # only a first load (no cache yet) reports steps
            bar.update(task, completed=done, total=total, description=f"Building the World: {what}")

        return load(data_dir=data_dir, cache_dir=cache_dir, progress=step)


def check_out_folder(folder: Path) -> None:
    """``--out`` must be a folder (made if missing), not an existing file; checked before any work is done."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"--out {folder} is an existing file; give a folder for the HTML report")
    for parent in folder.parents:
        if parent.exists() and not parent.is_dir():
            raise InputError(f"--out {folder}: {parent} is a file, so the folder cannot be made; give another path")


def store(path: Path | None) -> RunStore:
    from geoshift.results.store import RunStore

    return RunStore(path)


def usd_bn(value: float) -> str:
    return f"{value / 1e9:,.2f}"


def pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}%"


def sector_names(world: World | None = None) -> dict[str, str]:
    """ICIO sector code -> name (the World's when given, else the packaged list the World is built from)."""
    if world is not None:
        return dict(zip(world.sectors, world.sector_names, strict=True))
    from geoshift.results.frames import icio_sector_names

    return icio_sector_names()


def sector_text(key: str, names: dict[str, str] | None = None) -> str:
    """``C19 (Coke and refined petroleum products)``; a key without a name (a group, a game outcome) as it is."""
    from geoshift.results.frames import sector_label

    label = sector_label(key, names)
    return key if not label or label == key else f"{key} ({label})"


def place_text(code: str) -> str:
    """``RUS (Russian Federation)``; an unknown code as it is."""
    from geoshift.results.frames import place_name

    name = place_name(code) if code else ""
    return code if not name or name == code else f"{code} ({name})"


def real_income(record: RunRecord) -> dict[str, float]:
    rows = record.metric("real_income_change_pct")
    return dict(zip(rows["country"], rows["value"], strict=True))


@contextmanager
def progress_bar(description: str, total: float | None,
                 console: Console | None = None) -> Iterator[tuple[Progress, Any]]:
    """A transient rich progress bar (on stderr unless ``console`` says otherwise):
    ``with progress_bar("Solving", 6) as (bar, task): ...``."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console or err, transient=True) as bar:
        yield bar, bar.add_task(description, total=total)


def step_callback(bar: Progress, task: Any) -> Callable[[int, int], None]:
    """``callback(done, total)`` for a library loop that reports its steps."""
    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)
    return update
