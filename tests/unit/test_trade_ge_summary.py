"""Per-country summaries of a multi-sector result and the sector elasticity lookup, on numbers small enough to
check by hand (the real-data tests exercise them only on the full World)."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import MultiSectorResult, calibrate_arrays, sector_elasticities, theta_for
from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.engines.trade_ge.summary import (
    _pct,
    country_changes,
    group_real_income_change_pct,
    world_real_income_change_pct,
)
from geoshift.errors import InputError

# X[i, n, s] for 3 countries and 2 sectors: exporter i, importer n.
X0 = np.array([
    [[10.0, 4.0], [2.0, 1.0], [3.0, 0.0]],
    [[1.0, 2.0], [20.0, 6.0], [0.0, 5.0]],
    [[4.0, 0.0], [1.0, 1.0], [30.0, 8.0]],
])
# exports (row sums without the diagonal): A 2+1+3 = 6, B 1+2+5 = 8, C 4+1+1 = 6
# imports (column sums without the diagonal): A 1+2+4 = 7, B 2+1+1+1 = 5, C 3+5 = 8


def calibration() -> Calibration:
    N, S = 3, 2
    Y = X0.sum(axis=1)  # gross output [i, s]
    E = X0.sum(axis=0)  # expenditure [n, s]
    # no input-output links: value added = gross output; final demand = expenditure
    return calibrate_arrays(X0, np.zeros((N, S, S)), Y, E, countries=["AAA", "BBB", "CCC"], sectors=["S1", "S2"])


def result(X_new: np.ndarray, real_income_hat: list[float], w_hat: list[float],
           price_index_hat: list[float]) -> MultiSectorResult:
    ones = np.ones((3, 2))
    return MultiSectorResult(
        w_hat=np.array(w_hat), P_hat=ones, price_index_hat=np.array(price_index_hat), income_hat=np.ones(3),
        real_income_hat=np.array(real_income_hat), X_new=X_new, gross_output_hat=ones, value_added_hat=ones,
        gross_output_new=ones, value_added_new=ones, converged=True, iterations=0, residual=0.0, seconds=0.0,
    )


def test_country_changes_by_hand() -> None:
    cal = calibration()
    X_new = X0.copy()
    X_new[0, 1, 0] = 5.0  # A->B sector 1: 2 -> 5, so A exports 9 (was 6) and B imports 8 (was 5)
    X_new[2, 2, 1] = 100.0  # domestic sales change neither exports nor imports
    changes = country_changes(cal, result(X_new, [1.02, 0.99, 1.0], [1.1, 0.95, 1.0], [1.05, 0.98, 1.0]))
    assert [c.iso3 for c in changes] == ["AAA", "BBB", "CCC"]
    a, b, c = changes
    assert a.exports_change_pct == pytest.approx(50.0)  # 6 -> 9
    assert b.imports_change_pct == pytest.approx(60.0)  # 5 -> 8
    assert a.imports_change_pct == 0.0 and b.exports_change_pct == 0.0
    assert c.exports_change_pct == 0.0 and c.imports_change_pct == 0.0
    assert a.real_income_change_pct == pytest.approx(2.0)
    assert b.real_income_change_pct == pytest.approx(-1.0)
    assert a.wage_change_pct == pytest.approx(10.0)
    assert b.wage_change_pct == pytest.approx(-5.0)
    assert a.price_index_change_pct == pytest.approx(5.0)
    assert b.price_index_change_pct == pytest.approx(-2.0)


def test_pct_is_zero_where_the_baseline_is_zero_and_exact_below_one() -> None:
    new = np.array([3.0, 0.75, 5.0])
    old = np.array([2.0, 0.5, 0.0])
    np.testing.assert_array_equal(_pct(new, old), [50.0, 50.0, 0.0])


def test_world_and_group_changes_are_income_weighted() -> None:
    cal = calibration()
    income = cal.income  # = value added + deficit = expenditure (no IO links)
    np.testing.assert_allclose(income, [21.0, 31.0, 46.0])  # column sums of X0
    r = result(X0, [1.10, 0.90, 1.00], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0])
    world = (21 * 10.0 + 31 * -10.0 + 46 * 0.0) / (21 + 31 + 46)
    assert world_real_income_change_pct(cal, r) == pytest.approx(world, rel=1e-12)
    group = (21 * 10.0 + 46 * 0.0) / (21 + 46)
    assert group_real_income_change_pct(cal, r, [0, 2]) == pytest.approx(group, rel=1e-12)
    assert group_real_income_change_pct(cal, r, [1]) == pytest.approx(-10.0, rel=1e-12)


def test_theta_for_reads_the_table_and_applies_overrides() -> None:
    table = sector_elasticities()
    sectors = ["A01", "C19", "B05"]
    np.testing.assert_array_equal(theta_for(sectors), table.loc[sectors, "theta"].to_numpy())
    np.testing.assert_array_equal(theta_for(sectors, bound="theta_high"), table.loc[sectors, "theta_high"].to_numpy())
    values = theta_for(sectors, {"C19": 0.5, "B05": 7.25})  # an elasticity below one is allowed
    assert values.dtype == np.float64
    np.testing.assert_array_equal(values, [table.loc["A01", "theta"], 0.5, 7.25])


@pytest.mark.parametrize(
    ("sectors", "overrides", "message"),
    [
        (["A01", "ZZZ"], None, r"no trade elasticity for sectors \['ZZZ'\]; pass them as overrides"),
        (["A01"], {"C19": 4.0}, "elasticity override for unknown sector 'C19'"),
        (["A01"], {"A01": 0.0}, "elasticity override A01=0.0 must be > 0"),
        (["A01"], {"A01": -2.0}, "elasticity override A01=-2.0 must be > 0"),
    ],
)
def test_theta_for_rejects_bad_sectors_and_overrides(sectors: list[str], overrides: dict[str, float] | None,
                                                     message: str) -> None:
    with pytest.raises(InputError, match=message):
        theta_for(sectors, overrides)
