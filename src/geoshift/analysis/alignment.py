"""How stable are alignments? Pure functions over UNGA ideal points (``geoshift.data.unga``) and, where given, ATOP
alliance dyad-years (``geoshift.data.atop``); no file is read here.

Definitions (over a window of years, both ends included):

* **distance** in a year: ``|ideal point of A - ideal point of B|``, in the ideal-point scale (one latent
  dimension; higher = closer to the US-led Western bloc). 0 means the two voted alike.
* **trend**: the ordinary-least-squares slope of the distance on the year, times 10 (ideal-point units per decade),
  over the years of the window with both countries present. Positive = drifting apart.
* **volatility**: the standard deviation (sample, n - 1) of the year-on-year changes of the distance,
  ``d[t] - d[t-1]``, for consecutive years that are both inside the window (a missing year breaks the chain).
* **alliance ties**: the ATOP obligations in force between the two in a year, in either direction of the
  directed dyad; years after the ATOP file's last year are "not covered".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from geoshift.data.atop import FLAGS
from geoshift.data.countries import resolve_country
from geoshift.data.unga import ALIASES, DEFAULT_MEASURE
from geoshift.errors import InputError, UnknownValueError

#: the window starts here unless given (the first UNGA session of the 21st century); it ends at the latest year
DEFAULT_START = 2000
REFERENCE_PAIRS: tuple[tuple[str, str], ...] = (("USA", "RUS"), ("CHN", "RUS"), ("USA", "CHN"))
#: the fewest years a window must hold: two year-on-year changes for a standard deviation
MIN_YEARS = 3
NOT_COVERED = "not covered"


@dataclass(frozen=True)
class Window:
    """Years ``start``..``end``, both included; ``None`` = open (the first or latest year with data)."""

    start: int | None = DEFAULT_START
    end: int | None = None

    def label(self) -> str:
        return f"{'' if self.start is None else self.start}:{'' if self.end is None else self.end}"


def parse_window(text: str | None) -> Window:
    """``"2000:2024"``, ``"2000:"`` (to the latest year), ``":1991"`` (from the first) or ``None`` (the default,
    :data:`DEFAULT_START` to the latest year)."""
    if text is None:
        return Window()
    parts = text.strip().split(":")
    if len(parts) != 2:
        raise InputError(f"--window {text!r} is not START:END; give years such as 2000:2024, 2000: or :1991")
    bounds: list[int | None] = []
    for part in parts:
        part = part.strip()
        if not part:
            bounds.append(None)
        elif part.isdigit() and len(part) == 4:
            bounds.append(int(part))
        else:
            raise InputError(f"--window {text!r}: {part!r} is not a four-digit year; give years such as 2000:2024")
    start, end = bounds
    if start is not None and end is not None and start > end:
        raise InputError(f"--window {text!r} starts after it ends; give START:END with START <= END")
    return Window(start, end)


def resolve_code(points: pd.DataFrame, text: str, *, field: str = "country") -> str:
    """The ISO3 code the ideal points use for ``text`` (ISO3, ISO2 or a name; see ``unga.ALIASES``), or an
    ``UnknownCountryError`` naming the closest codes."""
    key = text.strip().upper()
    return resolve_country(ALIASES.get(key, text), sorted(set(points["iso3"])), field=field)


def distance_table(points: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Years (index) with ideal points of both ISO3 codes ``a`` and ``b``: ``ideal_a``, ``ideal_b``, ``ccode_a``,
    ``ccode_b``, ``distance`` and ``change`` (from the year before; NaN where that year is missing)."""
    by = points.set_index("year")
    left = by[by["iso3"] == a]
    right = by[by["iso3"] == b]
    table = pd.DataFrame({"ideal_a": left["ideal_point"], "ccode_a": left["ccode"]}).join(
        pd.DataFrame({"ideal_b": right["ideal_point"], "ccode_b": right["ccode"]}), how="inner").sort_index()
    table.index = table.index.astype(np.int64)
    table.index.name = "year"
    table["distance"] = (table["ideal_a"] - table["ideal_b"]).abs()
    table["change"] = year_on_year(table["distance"])
    return table.loc[:, ["ideal_a", "ideal_b", "ccode_a", "ccode_b", "distance", "change"]]


def year_on_year(series: pd.Series) -> pd.Series:
    """``x[t] - x[t-1]`` by year (the index); NaN where year ``t - 1`` is absent."""
    previous = series.copy()
    previous.index = previous.index + 1
    return (series - previous.reindex(series.index)).astype(float)


def in_window(series: pd.Series, window: Window) -> pd.Series:
    """The part of a by-year series (NaNs dropped) inside ``window``."""
    series = series.dropna()
    years = series.index
    keep = np.ones(len(series), dtype=bool)
    if window.start is not None:
        keep &= years >= window.start
    if window.end is not None:
        keep &= years <= window.end
    return series[keep]


def trend_per_decade(series: pd.Series) -> float:
    """OLS slope of the values on their years (the index), times 10; needs two years or more."""
    series = series.dropna()
    if len(series) < 2:
        raise InputError(f"a trend needs at least 2 years of data, got {len(series)}")
    x = series.index.to_numpy(dtype=float)
    y = series.to_numpy(dtype=float)
    dx = x - x.mean()
    return float(10.0 * (dx @ (y - y.mean())) / (dx @ dx))


def volatility(series: pd.Series) -> float:
    """Sample standard deviation (n - 1) of the year-on-year changes between consecutive years of the series."""
    changes = year_on_year(series.dropna()).dropna()
    if len(changes) < 2:
        raise InputError(f"a volatility needs at least 2 year-on-year changes, got {len(changes)}")
    return float(changes.std(ddof=1))


def alliance_ties(atop: pd.DataFrame, ccode_a: pd.Series, ccode_b: pd.Series) -> pd.DataFrame:
    """ATOP obligations between two countries by year: ``ccode_a`` and ``ccode_b`` give each one's COW code by year
    (the index). One column per obligation (``FLAGS`` values; 1 in force in either direction, 0 not, NA after the
    ATOP file's last year) and ``ties``: the obligations in words, ``none`` or ``not covered``."""
    codes = pd.DataFrame({"a": ccode_a, "b": ccode_b}).dropna()
    names = list(FLAGS.values())
    both = set(codes["a"].astype(int)) | set(codes["b"].astype(int))
    frame = atop[atop["ccode1"].isin(both) & atop["ccode2"].isin(both)].rename(columns=FLAGS)
    covered_to = int(atop["year"].max()) if len(atop) else -1
    rows = []
    for year, a, b in zip(codes.index.tolist(), codes["a"].astype(int).tolist(), codes["b"].astype(int).tolist(),
                          strict=True):
        if year > covered_to:
            rows.append({"year": year, **dict.fromkeys(names, pd.NA), "ties": NOT_COVERED})
            continue
        pair = frame[(frame["year"] == year) & (((frame["ccode1"] == a) & (frame["ccode2"] == b))
                                                | ((frame["ccode1"] == b) & (frame["ccode2"] == a)))]
        flags = {n: int(pair[n].max()) if len(pair) else 0 for n in names}
        rows.append({"year": year, **flags, "ties": ", ".join(n for n in names if flags[n]) or "none"})
    table = pd.DataFrame(rows, columns=["year", *names, "ties"]).set_index("year")
    for name in names:
        table[name] = table[name].astype("Int64")
    return table


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA:
        return None
    return value


@dataclass(frozen=True)
class PairAlignment:
    """One pair over one window: the by-year table (all years with both countries) and the window's statistics."""

    a: str
    b: str
    name_a: str
    name_b: str
    measure: str
    start: int
    end: int
    years: int
    last_year: int
    last_distance: float
    trend_per_decade: float
    volatility: float
    mean_distance: float
    history: pd.DataFrame
    ties_in_window: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.a}–{self.b}"

    def window_rows(self) -> pd.DataFrame:
        return self.history.loc[(self.history.index >= self.start) & (self.history.index <= self.end)]

    def to_dict(self) -> dict[str, Any]:
        rows = []
        for year, row in self.history.iterrows():
            item = {"year": int(str(year)), **{k: _finite(v) for k, v in row.items()}}
            for key in ("ccode_a", "ccode_b"):
                if item.get(key) is not None:
                    item[key] = int(item[key])
            rows.append(item)
        return {"pair": self.label, "a": self.a, "b": self.b, "name_a": self.name_a, "name_b": self.name_b,
                "measure": self.measure, "window": {"start": self.start, "end": self.end, "years": self.years},
                "last_year": self.last_year, "last_distance": self.last_distance,
                "trend_per_decade": self.trend_per_decade, "volatility": self.volatility,
                "mean_distance": self.mean_distance, "ties_in_window": list(self.ties_in_window),
                "series": rows}


def pair_alignment(points: pd.DataFrame, a: str, b: str, window: Window | None = None, *,
                   measure: str = DEFAULT_MEASURE, atop: pd.DataFrame | None = None) -> PairAlignment:
    """Distance, trend and volatility of ``a``-``b`` (ISO3 codes or names) over ``window``; ``points`` is the tidy
    frame of ``unga.parse_unga`` and ``atop`` that of ``atop.parse_atop`` (optional)."""
    window = window or Window()
    a, b = resolve_code(points, a, field="country A"), resolve_code(points, b, field="country B")
    if a == b:
        raise InputError(f"countries A and B are both {a}; give two different countries")
    table = distance_table(points, a, b)
    if table.empty:
        raise UnknownValueError(f"{a} and {b} never both have an ideal point (--measure {measure}); "
                                f"choose another pair")
    inside = in_window(table["distance"], window)
    first, last = int(table.index.min()), int(table.index.max())
    if len(inside) < MIN_YEARS:
        raise UnknownValueError(f"--window {window.label()} holds {len(inside)} year(s) with ideal points of both "
                                f"{a} and {b} (--measure {measure}), need {MIN_YEARS}; the pair has data for "
                                f"{first}-{last}, so choose a window within it")
    ties: tuple[str, ...] = ()
    if atop is not None:
        table = table.join(alliance_ties(atop, table["ccode_a"], table["ccode_b"]))
        in_range = table.loc[inside.index, "ties"]
        ties = tuple(dict.fromkeys(t for cell in in_range if cell not in ("none", NOT_COVERED)
                                   for t in str(cell).split(", ")))
    names = points.drop_duplicates("iso3", keep="last").set_index("iso3")["country"]
    start, end = int(inside.index.min()), int(inside.index.max())
    return PairAlignment(a=a, b=b, name_a=str(names[a]), name_b=str(names[b]), measure=measure, start=start,
                         end=end, years=len(inside), last_year=end, last_distance=float(inside.iloc[-1]),
                         trend_per_decade=trend_per_decade(inside), volatility=volatility(inside),
                         mean_distance=float(inside.mean()), history=table, ties_in_window=ties)


def reference_alignments(points: pd.DataFrame, window: Window | None = None, *, measure: str = DEFAULT_MEASURE,
                         atop: pd.DataFrame | None = None,
                         pairs: Iterable[tuple[str, str]] = REFERENCE_PAIRS) -> list[PairAlignment]:
    """:func:`pair_alignment` of each of ``pairs`` (by default USA-RUS, CHN-RUS, USA-CHN)."""
    return [pair_alignment(points, a, b, window, measure=measure, atop=atop) for a, b in pairs]


def distance_series(alignments: Sequence[PairAlignment]) -> dict[str, pd.Series]:
    """``{"USA–RUS": distance by year, ...}``: the input of ``report.alignment.render_alignment_section``."""
    return {p.label: p.history["distance"].rename(p.label) for p in alignments}
