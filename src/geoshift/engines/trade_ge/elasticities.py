"""Sector trade elasticities: cited defaults and ranges from the packaged ``sector_elasticities.csv``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from functools import cache

import numpy as np
import pandas as pd

from geoshift.data.resources import read_packaged_csv
from geoshift.errors import InputError


@cache
def sector_elasticities() -> pd.DataFrame:
    """One row per ICIO sector: ``theta`` (default), ``theta_low``, ``theta_high``, source and flag."""
    return read_packaged_csv("sector_elasticities.csv").set_index("icio_code")


def closest_codes(text: str, sectors: Sequence[str], n: int = 3) -> str:
    """The sector codes closest to ``text``, each with its name (``C19 (Manufacture of coke ...)``), or none."""
    names: dict[str, str] = dict(read_packaged_csv("icio_sectors.csv").loc[:, ["code", "name"]].itertuples(index=False))
    near = difflib.get_close_matches(text.strip().upper(), list(sectors), n=n, cutoff=0.5)
    return "; ".join(f"{code} ({names[code]})" if code in names else code for code in near) or "none"


def theta_for(sectors: Sequence[str], overrides: Mapping[str, float] | None = None,
              *, bound: str = "theta") -> np.ndarray:
    """Elasticities for ``sectors`` (``bound``: theta | theta_low | theta_high), with per-sector overrides."""
    table = sector_elasticities()
    missing = [s for s in sectors if s not in table.index]
    if missing:
        raise InputError(f"no trade elasticity for sectors {missing}; pass them as overrides")
    values = table.loc[list(sectors), bound].to_numpy(dtype=np.float64).copy()
    for sector, value in (overrides or {}).items():
        if sector not in sectors:
            raise InputError(f"elasticity override for unknown sector {sector!r}; closest: "
                             f"{closest_codes(sector, sectors)} (ICIO sector codes: geoshift world sectors)")
        if not value > 0:
            raise InputError(f"elasticity override {sector}={value} must be > 0")
        values[list(sectors).index(sector)] = value
    return values
