"""Small data files shipped inside the package (code lists, product and country groups)."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def read_packaged_csv(name: str, **kwargs: object) -> pd.DataFrame:
    with resources.files("geoshift.data.files").joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle, **kwargs)  # type: ignore[call-overload, no-any-return]
