"""Per-country summaries of a multi-sector solve (changes in percent), for the CLI and reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.engines.trade_ge.results import MultiSectorResult


@dataclass(frozen=True)
class CountryChange:
    iso3: str
    real_income_change_pct: float
    wage_change_pct: float
    price_index_change_pct: float
    exports_change_pct: float
    imports_change_pct: float


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    change: np.ndarray = np.divide(100.0 * (new - old), old, out=np.zeros_like(new), where=old > 0)
    return change


def country_changes(cal: Calibration, result: MultiSectorResult) -> list[CountryChange]:
    def trade(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        domestic = np.einsum("iis->i", X)
        return X.sum(axis=(1, 2)) - domestic, X.sum(axis=(0, 2)) - domestic

    exports0, imports0 = trade(cal.X)
    exports1, imports1 = trade(result.X_new)
    ex, im = _pct(exports1, exports0), _pct(imports1, imports0)
    return [
        CountryChange(c, 100.0 * (result.real_income_hat[n] - 1.0), 100.0 * (result.w_hat[n] - 1.0),
                      100.0 * (result.price_index_hat[n] - 1.0), float(ex[n]), float(im[n]))
        for n, c in enumerate(cal.countries)
    ]


def world_real_income_change_pct(cal: Calibration, result: MultiSectorResult) -> float:
    """Income-weighted mean of the real income changes."""
    return group_real_income_change_pct(cal, result, list(range(len(cal.income))))


def group_real_income_change_pct(cal: Calibration, result: MultiSectorResult, members: Sequence[int]) -> float:
    """Income-weighted mean of the real income changes of a group of countries (by index)."""
    index = np.asarray(members, dtype=int)
    weights = cal.income[index] / cal.income[index].sum()
    return float(100.0 * (weights @ result.real_income_hat[index] - 1.0))
