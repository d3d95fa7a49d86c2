"""How much a headline rests on one imprecise number: real-income changes re-solved with one sector's trade
elasticity at the low and at the high end of its published range (``sector_elasticities.csv``), for the sectors
that carry most of the shocked trade and always for petroleum (C19, whose Caliendo-Parro value of 64.85 is
imprecise). Each re-solve starts from the central solution."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geoshift.data.groups import group_members
from geoshift.engines.trade_ge import Calibration, sector_elasticities, solve_multisector
from geoshift.engines.trade_ge.results import MultiSectorResult
from geoshift.engines.trade_ge.summary import group_real_income_change_pct
from geoshift.results.records import KEY_COUNTRIES, METRIC_COLUMNS, WORLD
from geoshift.scenario.apply import ShockArrays

ALWAYS = ("C19",)  # sectors always tested
TOP = 3  # plus the sectors with the most shocked baseline trade
BOUNDS = {"theta_low": "real_income_change_pct_theta_low", "theta_high": "real_income_change_pct_theta_high"}


def sensitivity_sectors(cal: Calibration, arrays: ShockArrays, top: int = TOP) -> list[int]:
    """The sectors tested: the ``top`` with the most baseline trade on shocked cells, then ``ALWAYS``."""
    shocked = (arrays.tau_hat != 1.0) | (arrays.tariff != 0.0)
    at_stake = np.where(shocked, cal.X, 0.0).sum(axis=(0, 1))
    ranked = [int(s) for s in np.argsort(-at_stake, kind="stable")[:top] if at_stake[s] > 0]
    always = [cal.sectors.index(code) for code in ALWAYS if code in cal.sectors]
    return ranked + [s for s in always if s not in ranked]


def headline(cal: Calibration, result: MultiSectorResult, group_year: int) -> dict[str, float]:
    """Real-income change (%) of the key countries, the world and the EU27."""
    out = {c: 100.0 * (float(result.real_income_hat[cal.countries.index(c)]) - 1.0)
           for c in KEY_COUNTRIES if c in cal.countries}
    out[WORLD] = group_real_income_change_pct(cal, result, list(range(len(cal.countries))))
    members = [cal.countries.index(c) for c in group_members("EU27", group_year) if c in cal.countries]
    if members:
        out["EU27"] = group_real_income_change_pct(cal, result, members)
    return out


def elasticity_sensitivity(cal: Calibration, arrays: ShockArrays, theta: np.ndarray, result: MultiSectorResult, *,
                           group_year: int, tol: float, max_iter: int) -> pd.DataFrame:
    """Metric rows: the headline real-income changes at each tested sector's low and high elasticity."""
    table = sector_elasticities()
    ranges = {bound: dict(zip(table.index, table[bound].to_numpy(dtype=np.float64), strict=True)) for bound in BOUNDS}
    central = headline(cal, result, group_year)
    shocked = bool(((arrays.tau_hat != 1.0) | (arrays.tariff != 0.0)).any())
    rows = []
    for s in sensitivity_sectors(cal, arrays):
        code = cal.sectors[s]
        for bound, metric in BOUNDS.items():
            value = float(ranges[bound][code])
            if not shocked or value == theta[s]:
                values = central
            else:
                moved = theta.copy()
                moved[s] = value
                solved = solve_multisector(cal, arrays.tau_hat, moved, tariff=arrays.tariff if arrays.has_tariffs
                                           else None, tol=tol, max_iter=max_iter, x0=result.state)
                values = headline(cal, solved, group_year)
            rows += [(metric, country, "", code, v, "%") for country, v in values.items()]
            rows.append((f"trade_elasticity_{bound.removeprefix('theta_')}", "", "", code, value, ""))
    return pd.DataFrame(rows, columns=list(METRIC_COLUMNS))


def elasticity_rows(sectors: tuple[str, ...], theta: np.ndarray) -> pd.DataFrame:
    """Metric rows: the trade elasticity used for every sector."""
    return pd.DataFrame([("trade_elasticity", "", "", code, float(t), "") for code, t in zip(sectors, theta,
                                                                                           strict=True)],
                        columns=list(METRIC_COLUMNS))
