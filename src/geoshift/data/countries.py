"""Country codes at the edges: ISO3 inside, ISO2 and names accepted from users (via ``pycountry``), and
unknown input answered with the closest known codes."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pycountry

from geoshift.errors import UnknownCountryError

FUZZY_NAME_RATIO = 0.75  # how close a misspelt name must be to a country's name to be taken for it


def _lookup_iso3(text: str) -> str | None:
    try:
        return str(pycountry.countries.lookup(text).alpha_3)
    except LookupError:
        pass
    if len(text) <= 3:
        return None
    try:  # common short names ("Russia", "Iran") are found by the fuzzy search
        matches = pycountry.countries.search_fuzzy(text)
    except LookupError:
        return None
    # the fuzzy search also matches subdivisions and stray letters ("USAA" finds Cambodia, "Texas" the U.S.): keep a
    # match only where the text is part of the country's own name or spelled much like it
    plausible = [m for m in matches if _names_match(text, m)]
    return str(plausible[0].alpha_3) if plausible else None


def _names_match(text: str, country: object) -> bool:
    key = text.strip().casefold()
    names = [str(getattr(country, attr, "") or "").casefold() for attr in ("name", "common_name", "official_name")]
    return any(key in name or difflib.SequenceMatcher(None, key, name).ratio() >= FUZZY_NAME_RATIO
               for name in names if name)


def country_name(iso3: str) -> str:
    found = pycountry.countries.get(alpha_3=iso3)
    return str(found.name) if found is not None else iso3


def closest_codes(text: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Known ISO3 codes closest to ``text`` by spelling of the code or of the country name."""
    known = list(known)
    key = text.strip().upper()
    by_code = difflib.get_close_matches(key, known, n=n, cutoff=0.3)
    names = {country_name(code).upper(): code for code in known}
    by_name = [names[m] for m in difflib.get_close_matches(key, list(names), n=n, cutoff=0.6)]
    return list(dict.fromkeys(by_name + by_code))[:n]


def resolve_country(text: str, known: Iterable[str], *, field: str = "country") -> str:
    """ISO3 code for ``text`` (ISO3, ISO2 or a name) if it is among ``known``; else a clear error."""
    known = tuple(known)
    key = text.strip().upper()
    if key in known:
        return key
    iso3 = _lookup_iso3(text.strip())
    if iso3 is not None and iso3 in known:
        return iso3
    hint = ", ".join(closest_codes(text, known)) or "none"
    where = f"{len(known)} economies in the data"
    if iso3 is not None:
        raise UnknownCountryError(f"{field} {text!r} ({iso3}) is not among the {where}; closest: {hint}")
    raise UnknownCountryError(f"unknown {field} {text!r}; closest codes: {hint} (use ISO3 codes)")
