"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten): the parser of the file a user supplies.

The file is not shipped with geoshift (its licence is unverified): users download the ideal-points file of
Erik Voeten's Harvard Dataverse dataset (doi:10.7910/DVN/LEJUQZ; ``IdealpointsJuly2025.dta`` in the release of
28 July 2025) and pass it with ``--unga FILE``, set ``$GEOSHIFT_UNGA`` or save it in :func:`default_folder`.
Both the original Stata file and a CSV written from it are read.

Country codes: the file carries COW codes (``ccode``) and ISO3 codes (``iso3c``); geoshift keys countries by the
file's ``iso3c``, which is ISO 3166-1 alpha-3 except for states that no longer exist (``DDR``, ``CSK``, ``YUG``).
Two stated corrections: COW 680 (South Yemen, 1967-1989), coded ``YAR`` like North Yemen in the file, becomes
``YMD`` (its former ISO 3166 code), and Serbia, which COW and the file carry as Yugoslavia's continuation
(COW 345, ``YUG``) through today, is also found as ``SRB`` (:data:`ALIASES`). Russia (COW 365, ``RUS``) includes
the Soviet Union's sessions before 1992. Rows without an ISO3 code (17 in the July 2025 file, each with only a
legacy estimate) are left out. ``year`` is the year the UNGA session opened (session 1 = 1946).

Tidy columns: ``iso3``, ``ccode``, ``country``, ``year``, ``ideal_point`` (the chosen :data:`MEASURES` column).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import platformdirs

from geoshift.config import APP_NAME
from geoshift.errors import DataError

#: measure name -> column: final-passage votes only (through 2024 in the July 2025 file), all votes including
#: amendments and paragraph votes (through 2023) and the legacy estimate of earlier releases (through 2023)
MEASURES = {"fp": "idealpointfp", "all": "idealpointall", "legacy": "idealpointlegacy"}
DEFAULT_MEASURE = "fp"
REQUIRED = ("ccode", "iso3c", "year")
COLUMNS = ["iso3", "ccode", "country", "year", "ideal_point"]
ENV_VAR = "GEOSHIFT_UNGA"
FILE_NAME = "IdealpointsJuly2025.dta"
#: COW code -> ISO3 where the file's ``iso3c`` is wrong for geoshift's purpose (see the module docstring)
ISO3_BY_CCODE = {680: "YMD"}
#: ISO3 a user may type -> the code the file uses for that country
ALIASES = {"SRB": "YUG"}
CITATION = ('Bailey, Strezhnev & Voeten, "Estimating Dynamic State Preferences from UN Voting Data" '
            "(J. Conflict Resolution 61(2), 2017), Harvard Dataverse doi:10.7910/DVN/LEJUQZ")
SOURCE = f"UNGA ideal points: {CITATION}, file {FILE_NAME} (version of 28 July 2025) or later"


def default_folder() -> Path:
    """Where geoshift looks for the file when neither ``--unga`` nor ``$GEOSHIFT_UNGA`` names one."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "unga"


def how_to_get() -> str:
    """One line: which file to download, from where, and where to put it."""
    return (f"download the ideal-points file ({FILE_NAME}, or a later Idealpoints*.dta) of {CITATION} "
            f"(https://doi.org/10.7910/DVN/LEJUQZ) and save it in {default_folder()}, pass it with --unga FILE, "
            f"or set ${ENV_VAR}=FILE; geoshift does not ship it")


def find_unga_file(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The ideal-points file: ``explicit``, else ``$GEOSHIFT_UNGA``, else the newest ``Idealpoints*.dta`` (then
    ``*.csv``) in :func:`default_folder`. Raises ``DataError`` saying what to get when there is none."""
    if explicit is not None:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    folder = default_folder()
    if folder.is_dir():
        for pattern in ("*.dta", "*.csv", "*.csv.gz"):
            found = sorted(p for p in folder.glob(pattern) if p.name.lower().startswith("idealpoints"))
            if found:
                return found[-1]
    raise DataError(f"no UNGA ideal-points file given (--unga, ${ENV_VAR}) or found in {folder}; {how_to_get()}")


def _read(path: Path, name: str) -> pd.DataFrame:
    suffixes = "".join(path.suffixes[-2:]).lower()
    try:
        if path.suffix.lower() == ".dta":
            return pd.read_stata(path, convert_categoricals=False)
        if path.suffix.lower() == ".csv" or suffixes == ".csv.gz":
            return pd.read_csv(path, low_memory=False)
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError, EOFError) as exc:
        message = str(exc).replace("\n", " ")
        raise DataError(f"UNGA ideal-points file {name} cannot be read ({type(exc).__name__}: {message}); "
                        f"{how_to_get()}") from exc
    raise DataError(f"UNGA ideal-points file {name} is neither .dta nor .csv; pass the original Stata file "
                    f"({FILE_NAME}) or a CSV written from it")


def _numeric(raw: pd.DataFrame, column: str, name: str) -> pd.Series:
    values = pd.to_numeric(raw[column], errors="coerce")
    bad = values.isna() & raw[column].notna() & (raw[column].astype(str).str.strip() != "")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"UNGA ideal-points file {name}: column {column!r} row {row + 1} holds "
                        f"{raw[column].iloc[row]!r}, not a number; pass the unchanged Dataverse file")
    return values.astype(float)


def parse_unga(path: str | os.PathLike[str], *, measure: str = DEFAULT_MEASURE,
               label: str | None = None) -> pd.DataFrame:
    """The ideal points of ``measure`` (a key of :data:`MEASURES`) by country and year, from the original ``.dta``
    or a CSV of it; rows without a value of the measure are dropped. Every problem is a one-line ``DataError``."""
    if measure not in MEASURES:
        raise DataError(f"unknown UNGA measure {measure!r}; choose one of {', '.join(MEASURES)}")
    path = Path(path)
    name = label or str(path)
    if not path.is_file():
        raise DataError(f"UNGA ideal-points file {name} not found; {how_to_get()}")
    raw = _read(path, name)
    column = MEASURES[measure]
    missing = [c for c in (*REQUIRED, column) if c not in raw.columns]
    if missing:
        others = [m for m, c in MEASURES.items() if c in raw.columns and m != measure]
        if missing == [column] and others:
            fix = f"use --measure {others[0]}, which the file has"
        else:
            fix = f"pass the ideal-points file itself; {how_to_get()}"
        raise DataError(f"UNGA ideal-points file {name} lacks column {', '.join(map(repr, missing))} "
                        f"(needs {', '.join(REQUIRED)} and {column} for --measure {measure}); {fix}")
    year = _numeric(raw, "year", name)
    if year.isna().any() or (year != year.round()).any():
        row = int(np.flatnonzero((year.isna() | (year != year.round())).to_numpy())[0])
        raise DataError(f"UNGA ideal-points file {name}: column 'year' row {row + 1} holds "
                        f"{raw['year'].iloc[row]!r}, not a whole year; pass the unchanged Dataverse file")
    ccode = _numeric(raw, "ccode", name)
    iso3 = raw["iso3c"].fillna("").astype(str).str.strip().str.upper()
    tidy = pd.DataFrame({"iso3": iso3, "ccode": ccode, "country": raw.get("countryname", iso3),
                         "year": year.astype(np.int64), "ideal_point": _numeric(raw, column, name)})
    tidy["country"] = tidy["country"].fillna("").astype(str).str.strip()
    for code, iso in ISO3_BY_CCODE.items():
        tidy.loc[tidy["ccode"] == code, "iso3"] = iso
    tidy = tidy[(tidy["iso3"] != "") & tidy["ideal_point"].notna()]
    if tidy.empty:
        raise DataError(f"UNGA ideal-points file {name} has no rows with an ISO3 code (iso3c) and a value in "
                        f"{column}; pass the unchanged Dataverse file or choose another --measure")
    twice = tidy.duplicated(["iso3", "year"], keep=False)
    if twice.any():
        first = tidy[twice].iloc[0]
        codes = sorted(tidy.loc[twice & (tidy["iso3"] == first["iso3"]), "ccode"].dropna().astype(int).unique())
        raise DataError(f"UNGA ideal-points file {name}: column 'iso3c' has {first['iso3']} twice in "
                        f"{first['year']} (COW codes {', '.join(map(str, codes))}); pass the unchanged Dataverse file")
    tidy["ccode"] = tidy["ccode"].astype("Int64")
    tidy.loc[tidy["country"] == "", "country"] = tidy["iso3"]
    return tidy.sort_values(["iso3", "year"]).loc[:, COLUMNS].reset_index(drop=True)
