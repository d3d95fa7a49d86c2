"""The Caliendo-Parro equations one pure function at a time, on numbers small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge.multisector import (
    calibrate_arrays,
    counterfactual,
    expenditure,
    log_unit_costs,
    shock_weights,
    wage_damping,
)
from geoshift.errors import InputError

EXACT = 1e-15


def test_unit_costs_combine_wages_and_input_prices() -> None:
    """Country 0, sector 1: value-added share 0.6, inputs 0.1 of sector 0 and 0.3 of sector 1:
    log c = 0.6 log 1.1 + 0.1 log 1.2 + 0.3 log 0.9."""
    gamma_va = np.array([[0.5, 0.6], [0.7, 0.8]])
    gamma = np.zeros((2, 2, 2))  # [country, input k, user j]
    gamma[0, :, 0] = [0.2, 0.3]
    gamma[0, :, 1] = [0.1, 0.3]
    gamma[1, :, 0] = [0.1, 0.2]
    gamma[1, :, 1] = [0.15, 0.05]
    log_w = np.log([1.1, 0.95])
    log_P = np.log([[1.2, 1.0], [0.9, 1.05]])  # [k, i]
    got = log_unit_costs(log_w, log_P, gamma_va, np.transpose(gamma, (0, 2, 1)))  # [j, i]
    assert got[1, 0] == pytest.approx(0.6 * np.log(1.1) + 0.1 * np.log(1.2) + 0.3 * np.log(0.9), abs=EXACT)
    assert got[0, 1] == pytest.approx(0.7 * np.log(0.95) + 0.1 * np.log(1.0) + 0.2 * np.log(1.05), abs=EXACT)


def test_shock_weights_and_embargoes() -> None:
    pi = np.full((2, 2, 1), 0.5)
    tau = np.array([[[1.0], [np.inf]], [[1.25], [1.0]]])
    rate = np.array([[[0.0], [0.0]], [[0.1], [0.0]]])
    w = shock_weights(pi, tau, rate, np.array([4.0]))
    assert w[0, 1, 0] == 0.0  # embargoed: exactly zero
    assert w[1, 0, 0] == pytest.approx(0.5 * (1.25 * 1.1) ** -4.0, rel=EXACT)
    assert w[0, 0, 0] == 0.5 and w[1, 1, 0] == 0.5


def test_wage_damping_by_hand() -> None:
    """Country 0: value added 30 in sector 0 (theta 4) and 10 in sector 1 (theta 8) of output 100:
    theta_n = (30 x 4 + 10 x 8) / 40 = 5, share 0.4, kappa = 1 / (1 + 5 x 0.4) = 1/3."""
    gamma_va = np.array([[0.5, 0.25]])
    Y = np.array([[60.0, 40.0]])
    assert wage_damping(gamma_va, Y, np.array([4.0, 8.0]))[0] == pytest.approx(1.0 / 3.0, rel=EXACT)


def test_expenditure_is_input_use_plus_final_demand() -> None:
    """Two countries, two sectors: E'[j, n] = sum_k gamma[n, j, k] Y'[n, k] + alpha[n, j] I'_n."""
    N, S = 2, 2
    X = np.array([[[8.0, 2.0], [1.0, 1.0]], [[2.0, 1.0], [6.0, 4.0]]])
    use = np.array([[[1.0, 2.0], [0.5, 0.5]], [[1.0, 0.5], [1.0, 1.0]]])
    value_added = X.sum(axis=1) - use.sum(axis=1)
    final = X.sum(axis=0) - use.sum(axis=2)
    cal = calibrate_arrays(X, use, value_added, final)
    cf = counterfactual(cal, np.ones((N, N, S)), np.array([5.0, 5.0]), np.zeros((N, N, S)), cal.D)
    Y_new = np.array([[10.0, 4.0], [3.0, 6.0]])  # [j, i]
    income = np.array([7.0, 9.0])
    got = expenditure(cf, Y_new, income)
    n, j = 1, 0
    want = sum(cal.gamma[n, j, k] * Y_new[k, n] for k in range(S)) + cal.alpha[n, j] * income[n]
    assert got[j, n] == pytest.approx(want, rel=1e-14)


def test_a_buyer_with_no_source_is_refused() -> None:
    X = np.array([[[0.0], [3.0]], [[4.0], [5.0]]])  # country 0 buys only from country 1
    cal = calibrate_arrays(X, np.zeros((2, 1, 1)), X.sum(axis=1), X.sum(axis=0))
    tau = np.ones((2, 2, 1))
    tau[1, 0, 0] = np.inf
    with pytest.raises(InputError, match="leaves 0 with no source of sector 0"):
        counterfactual(cal, tau, np.array([5.0]), np.zeros((2, 2, 1)), cal.D)
