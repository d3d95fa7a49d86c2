"""Country groups (EU, NATO, G7, BRICS, SCO, EAEU, CSTO, Quad, AUKUS) with joining and leaving years, from
the packaged ``country_groups.csv``; every row keeps its source and its ``verified`` flag."""

from __future__ import annotations

import difflib
from functools import cache

import pandas as pd

from geoshift.data.resources import read_packaged_csv
from geoshift.errors import UnknownValueError

#: accepted spellings -> group name in the file
ALIASES = {"EU27": "EU", "EUROPEAN UNION": "EU"}


@cache
def country_groups() -> pd.DataFrame:
    frame = read_packaged_csv("country_groups.csv")
    frame["left_year"] = pd.to_numeric(frame["left_year"], errors="coerce")
    return frame


def group_names() -> list[str]:
    return sorted(set(country_groups()["group"]))


def group_members(name: str, year: int = 2024) -> tuple[str, ...]:
    """ISO3 members of group ``name`` in ``year`` (joined by then and not yet left)."""
    key = ALIASES.get(name.strip().upper(), name.strip())
    frame = country_groups()
    rows = frame[frame["group"].str.upper() == key.upper()]
    if rows.empty:
        hint = ", ".join(difflib.get_close_matches(name, group_names(), n=3, cutoff=0.3)) or ", ".join(group_names())
        raise UnknownValueError(f"unknown country group {name!r}; closest: {hint}")
    active = rows[(rows["joined_year"] <= year) & ~(rows["left_year"] <= year)]
    return tuple(sorted(active["iso3"]))
