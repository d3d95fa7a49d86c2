"""Alliance Treaty Obligations and Provisions (ATOP v5, Leeds et al. 2002) as directed dyad-years: the parser of
the file a user supplies (``--atop FILE``), e.g. the ``atop_alliance`` table of the R package peacesciencer written
to CSV. Countries are COW codes (``ccode1``, ``ccode2``); each of the five obligation types is a 0/1 flag.

Tidy columns: ``ccode1``, ``ccode2``, ``year`` and the :data:`FLAGS` columns, as integers.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from geoshift.errors import DataError

#: flag column -> the obligation it marks
FLAGS = {"atop_defense": "defense", "atop_offense": "offense", "atop_neutral": "neutrality",
         "atop_nonagg": "non-aggression", "atop_consul": "consultation"}
KEYS = ("ccode1", "ccode2", "year")
COLUMNS = [*KEYS, *FLAGS]
SOURCE = ("ATOP v5 (Leeds, Ritter, Mitchell & Long 2002), directed dyad-years 1815-2018, as in the R package "
          "peacesciencer's atop_alliance table")
FIX = ("pass ATOP directed dyad-years with columns " + ", ".join(COLUMNS)
       + " (e.g. peacesciencer's atop_alliance written to CSV)")


def parse_atop(path: str | os.PathLike[str], *, label: str | None = None) -> pd.DataFrame:
    """ATOP directed dyad-years from a CSV (optionally gzipped); every problem is a one-line ``DataError``."""
    path = Path(path)
    name = label or str(path)
    if not path.is_file():
        raise DataError(f"ATOP file {name} not found; {FIX}")
    try:
        raw = pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        message = str(exc).replace("\n", " ")
        raise DataError(f"ATOP file {name} cannot be read as CSV ({type(exc).__name__}: {message}); {FIX}") from exc
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"ATOP file {name} lacks column {', '.join(map(repr, missing))}; {FIX}")
    tidy = pd.DataFrame(index=raw.index)
    for column in COLUMNS:
        values = pd.to_numeric(raw[column], errors="coerce")
        allowed = values.isin([0, 1]) if column in FLAGS else values.notna() & (values == values.round())
        if not allowed.all():
            row = int(np.flatnonzero(~allowed.to_numpy())[0])
            want = "0 or 1" if column in FLAGS else "a whole number"
            raise DataError(f"ATOP file {name}: column {column!r} row {row + 1} holds {raw[column].iloc[row]!r}, "
                            f"not {want}; {FIX}")
        tidy[column] = values.astype(np.int64)
    return tidy.loc[:, COLUMNS].reset_index(drop=True)
