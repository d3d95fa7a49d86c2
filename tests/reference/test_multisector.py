"""Multi-sector Caliendo–Parro against the one-sector model, identities and the real World."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import (
    MultiSectorResult,
    calibrate,
    calibrate_arrays,
    remove_deficits,
    solve_gravity,
    solve_multisector,
    solve_multisector_batch,
    theta_for,
)
from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.errors import ConvergenceError, InputError
from geoshift.scenario import shocks
from geoshift.world import World
from tests.reference.test_gravity import bloc_shock, random_world

ZERO_SHOCK_TOL = 1e-12
ONE_SECTOR_TOL = 1e-9  # multi-sector with one sector and no IO links vs the one-sector model
IDENTITY_RTOL = 1e-8
IO_SOLVE_TOL = 1e-12
IO_TOL = 1e-10  # log price identities on a solve to 1e-12


def one_sector_calibration(X: np.ndarray) -> Calibration:
    N = X.shape[0]
    return calibrate_arrays(X[:, :, None], np.zeros((N, 1, 1)), X.sum(axis=1)[:, None], X.sum(axis=0)[:, None])


def assert_identities(cal: Calibration, r: MultiSectorResult) -> None:
    Y_new = r.X_new.sum(axis=1)
    E_new = r.X_new.sum(axis=0)
    np.testing.assert_allclose(Y_new, r.gross_output_new, rtol=IDENTITY_RTOL)
    income = r.w_hat * cal.VA + cal.D
    expected = np.einsum("njk,nk->nj", cal.gamma, Y_new) + cal.alpha * income[:, None]
    scale = cal.E.max()
    np.testing.assert_allclose(E_new, expected, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    np.testing.assert_allclose((cal.gamma_va * Y_new).sum(axis=1), r.w_hat * cal.VA, rtol=IDENTITY_RTOL)
    # trade balance: imports - exports = the fixed deficit
    domestic = np.einsum("iis->i", r.X_new)
    balance = (r.X_new.sum(axis=(0, 2)) - domestic) - (r.X_new.sum(axis=(1, 2)) - domestic)
    np.testing.assert_allclose(balance, cal.D, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * scale)
    assert r.w_hat @ cal.VA == pytest.approx(cal.VA.sum(), rel=IDENTITY_RTOL)


def test_one_sector_without_io_equals_the_gravity_model() -> None:
    X = random_world(25, seed=11)
    tau = bloc_shock(25, 1.35)
    tau[2, 3] = np.inf
    one = solve_gravity(X, tau, 4.5, tol=1e-12)
    multi = solve_multisector(one_sector_calibration(X), tau, [4.5], tol=1e-12)
    np.testing.assert_allclose(multi.w_hat, one.w_hat, rtol=ONE_SECTOR_TOL)
    np.testing.assert_allclose(multi.real_income_hat, one.real_income_hat, rtol=ONE_SECTOR_TOL)
    np.testing.assert_allclose(multi.X_new[:, :, 0], one.X_new, rtol=ONE_SECTOR_TOL, atol=1e-9)


def test_removing_deficits_gives_a_balanced_baseline_where_acr_holds() -> None:
    X = random_world(15, seed=21)  # unbalanced
    cal = one_sector_calibration(X)
    assert np.abs(cal.D).max() > 1.0
    balanced = remove_deficits(cal, [5.0])
    np.testing.assert_allclose(balanced.D, 0.0, atol=1e-8 * balanced.E.max())
    r = solve_multisector(balanced, bloc_shock(15, 1.3), [5.0])
    acr = (np.diag(r.X_new[:, :, 0] / r.X_new[:, :, 0].sum(axis=0)) / balanced.pi[np.arange(15), np.arange(15), 0])
    np.testing.assert_allclose(r.real_income_hat, acr ** (-1.0 / 5.0), rtol=1e-8)


def test_example_world_zero_shock_and_identities(small_world: World) -> None:
    cal = calibrate(small_world)
    theta = np.array([10.0, 4.0, 6.0])
    zero = solve_multisector(cal, np.ones(small_world.X.shape), theta)
    for hat in (zero.w_hat, zero.P_hat, zero.real_income_hat, zero.gross_output_hat):
        np.testing.assert_allclose(hat, 1.0, rtol=0, atol=ZERO_SHOCK_TOL)
    tau = shocks.apply_cost_change(shocks.no_change(small_world), [1], [0, 2], [0], np.inf)
    r = solve_multisector(cal, tau, theta)
    assert r.X_new[1, 0, 0] == 0.0 and r.X_new[1, 2, 0] == 0.0 and r.X_new[0, 1, 0] == 0.0
    assert r.real_income_hat[1] < 1.0
    assert_identities(cal, r)


def test_io_links_transmit_shocks(small_world: World) -> None:
    """Russia's energy embargo on China and the U.S., with China's steel market closed to imports: China's steel is
    then bought only from China, so by the price-index and trade-share formulas its price change is its unit-cost
    change times the ACR term, P = c pi_CC^(-1/theta) with pi_CC China's baseline domestic steel share, and
    c = w^gamma_va prod_k P_k^gamma_k carries the input prices (energy's among them). Without input-output links
    (every input share moved to value added) the same shock moves the steel price by the wage term alone."""
    X = np.asarray(small_world.X, dtype=np.float64)
    theta = np.array([10.0, 4.0, 6.0])
    chn, steel = 0, 1
    tau = shocks.apply_cost_change(shocks.no_change(small_world), [1], [0, 2], [0], np.inf)
    tau[[1, 2], chn, steel] = np.inf
    acr = -np.log(X[chn, chn, steel] / X[:, chn, steel].sum()) / theta[steel]
    # shares by hand from the World's arrays: gamma_va = VA / Y, gamma[k] = use[k] / Y
    Y = X.sum(axis=1)
    gamma_va = small_world.value_added[chn, steel] / Y[chn, steel]
    gamma = small_world.use[chn, :, steel] / Y[chn, steel]
    r = solve_multisector(calibrate(small_world), tau, theta, tol=IO_SOLVE_TOL)
    log_P = np.log(r.P_hat[chn])
    wage_term = gamma_va * np.log(r.w_hat[chn])
    assert np.log(r.P_hat[chn, steel]) == pytest.approx(wage_term + gamma @ log_P + acr, abs=IO_TOL)
    energy_term = gamma[0] * log_P[0]  # the embargo reaches steel through China's energy price
    assert energy_term > 1e3 * IO_TOL
    no_io = calibrate_arrays(X, np.zeros_like(small_world.use), Y, X.sum(axis=0))
    r0 = solve_multisector(no_io, tau, theta, tol=IO_SOLVE_TOL)
    assert np.log(r0.P_hat[chn, steel]) == pytest.approx(np.log(r0.w_hat[chn]) + acr, abs=IO_TOL)


def test_symmetric_multisector_world() -> None:
    N, S = 6, 2
    X = np.full((N, N, S), 2.0)
    X[np.arange(N), np.arange(N), :] = 20.0
    Y = X.sum(axis=1)
    use = np.zeros((N, S, S))
    use[:, :, :] = 0.2 * Y[:, None, :] / S  # 20 % of output spent on inputs, split evenly
    value_added = Y - use.sum(axis=1)
    final = X.sum(axis=0) - use.sum(axis=2)
    cal = calibrate_arrays(X, use, value_added, final)
    tau = np.ones((N, N, S))
    tau[:3, 3:, 0] = tau[3:, :3, 0] = 1.3
    r = solve_multisector(cal, tau, [5.0, 8.0])
    np.testing.assert_allclose(r.real_income_hat, r.real_income_hat[0], rtol=1e-12)
    assert_identities(cal, r)


def test_zero_tariff_is_no_tariff_and_revenue_adds_up(small_world: World) -> None:
    cal = calibrate(small_world)
    theta = np.array([10.0, 4.0, 6.0])
    tau = shocks.apply_cost_change(shocks.no_change(small_world), [0], [2], [1], 1.2)
    plain = solve_multisector(cal, tau, theta)
    zero = solve_multisector(cal, tau, theta, tariff=np.zeros(small_world.X.shape))
    np.testing.assert_allclose(zero.real_income_hat, plain.real_income_hat, rtol=1e-12)
    rate = np.zeros(small_world.X.shape)
    rate[0, 2, :] = 0.25  # the U.S. taxes imports from China
    r = solve_multisector(cal, np.ones(small_world.X.shape), theta, tariff=rate)
    assert r.tariff_revenue is not None
    gross = r.X_new * (1.0 + rate)  # buyers pay the tariff on top of the price at cost
    np.testing.assert_allclose(r.tariff_revenue[2], (r.X_new * rate)[:, 2, :].sum(), rtol=1e-10)
    assert r.tariff_revenue[0] == 0.0 and r.tariff_revenue[1] == 0.0
    E_new = gross.sum(axis=0)
    income = r.w_hat * cal.VA + cal.D + r.tariff_revenue
    expected = np.einsum("njk,nk->nj", cal.gamma, r.X_new.sum(axis=1)) + cal.alpha * income[:, None]
    np.testing.assert_allclose(E_new, expected, rtol=1e-8)
    assert r.X_new[0, 2, :].sum() < small_world.X[0, 2, :].sum()


def test_small_tariff_by_a_large_country_raises_its_welfare() -> None:
    """The terms-of-trade gain of a small tariff (revenue rebated) exceeds its efficiency cost."""
    N = 6
    X = np.full((N, N), 2.0)
    np.fill_diagonal(X, 20.0)
    X[0, :] *= 5.0
    X[:, 0] *= 5.0  # country 0 is large
    cal = one_sector_calibration(X)
    rate = np.zeros((N, N, 1))
    rate[1:, 0, 0] = 0.05
    r = solve_multisector(cal, np.ones((N, N, 1)), [5.0], tariff=rate)
    assert r.real_income_hat[0] > 1.0
    assert np.all(r.real_income_hat[1:] < 1.0)


def test_bad_input_multisector(small_world: World) -> None:
    cal = calibrate(small_world)
    ones = np.ones(small_world.X.shape)
    with pytest.raises(InputError, match=r"theta must have one value per sector, shape \(3,\)"):
        solve_multisector(cal, ones, [5.0, 5.0])
    with pytest.raises(InputError, match="tau_hat must have shape"):
        solve_multisector(cal, np.ones((3, 3, 2)), [5.0] * 3)
    with pytest.raises(InputError, match="cannot embargo itself"):
        bad = ones.copy()
        bad[1, 1, 0] = np.inf
        solve_multisector(cal, bad, [5.0] * 3)
    with pytest.raises(InputError, match="tariff rates must be finite and >= 0"):
        solve_multisector(cal, ones, [5.0] * 3, tariff=-0.1 * ones)
    with pytest.raises(ConvergenceError):
        solve_multisector(cal, shocks.apply_cost_change(ones, [1], [0], [0], 3.0), [5.0] * 3, max_iter=2)


@pytest.fixture(scope="module")
def cal(real_world: World) -> Calibration:
    return calibrate(real_world)


@pytest.mark.realdata
class TestRealWorld:
    def test_zero_shock(self, real_world: World, cal: Calibration) -> None:
        theta = theta_for(real_world.sectors)
        r = solve_multisector(cal, np.ones(real_world.X.shape), theta)
        for hat in (r.w_hat, r.P_hat, r.real_income_hat, r.gross_output_hat):
            np.testing.assert_allclose(hat, 1.0, rtol=0, atol=ZERO_SHOCK_TOL)

    def test_energy_embargo_on_russia(self, real_world: World, cal: Calibration) -> None:
        theta = theta_for(real_world.sectors)
        rus = shocks.countries(real_world, "RUS")
        west = shocks.countries(real_world, "USA,EU27")
        energy = shocks.sectors(real_world, "B05,B06,C19")
        tau = shocks.apply_cost_change(shocks.no_change(real_world), rus, west, energy, np.inf)
        r = solve_multisector(cal, tau, theta)
        assert r.converged and r.residual <= 1e-10
        assert np.all(r.X_new[np.ix_(rus, west, energy)] == 0.0)
        assert np.all(r.X_new[np.ix_(west, rus, energy)] == 0.0)
        assert r.real_income_hat[rus[0]] < 1.0
        assert r.real_income_hat[rus[0]] < np.median(r.real_income_hat[west])
        assert_identities(cal, r)

    def test_batch_warm_starts_agree(self, real_world: World, cal: Calibration) -> None:
        theta = theta_for(real_world.sectors)
        chn, usa = shocks.countries(real_world, "CHN"), shocks.countries(real_world, "USA")
        every = shocks.sectors(real_world, "all")
        taus = [shocks.apply_cost_change(shocks.no_change(real_world), chn, usa, every, f) for f in (1.1, 1.2)]
        batch = solve_multisector_batch(cal, taus, theta)
        single = solve_multisector(cal, taus[1], theta)
        np.testing.assert_allclose(batch[1].real_income_hat, single.real_income_hat, rtol=1e-8)
        assert batch[1].iterations <= single.iterations
