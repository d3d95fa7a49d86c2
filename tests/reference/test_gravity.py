"""One-sector exact hat algebra against closed forms and identities, with named tolerances."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import GravityResult, solve_gravity, solve_gravity_batch
from geoshift.errors import ConvergenceError, InputError

ZERO_SHOCK_TOL = 1e-12  # all hats equal one
ACR_TOL = 1e-8  # real income vs the ACR closed form under balanced trade
IDENTITY_RTOL = 1e-9  # adding-up and trade balance after a solve


def random_world(N: int, seed: int = 0, balanced: bool = False) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, size=(N, N))
    if balanced:
        X = X + X.T  # symmetric: output = expenditure for every country
    X[np.diag_indices(N)] *= 15.0
    return X


def bloc_shock(N: int, factor: float) -> np.ndarray:
    tau = np.ones((N, N))
    a, b = slice(0, N // 3), slice(N // 3, 2 * N // 3)
    tau[a, b] = factor
    tau[b, a] = factor
    return tau


def assert_identities(X: np.ndarray, r: GravityResult) -> None:
    Y, E = X.sum(axis=1), X.sum(axis=0)
    D = E - Y
    np.testing.assert_allclose(r.X_new.sum(axis=1), r.w_hat * Y, rtol=IDENTITY_RTOL)  # output = sales
    np.testing.assert_allclose(r.X_new.sum(axis=0), r.E_new, rtol=IDENTITY_RTOL)  # spending = purchases
    np.testing.assert_allclose(r.E_new - r.w_hat * Y, D, rtol=IDENTITY_RTOL, atol=IDENTITY_RTOL * E.max())
    np.testing.assert_allclose(r.pi_new.sum(axis=0), 1.0, rtol=IDENTITY_RTOL)
    assert r.w_hat @ Y == pytest.approx(Y.sum(), rel=IDENTITY_RTOL)  # numéraire: world output


def test_zero_shock_changes_nothing() -> None:
    X = random_world(25)
    r = solve_gravity(X, np.ones_like(X), 5.0)
    for hat in (r.w_hat, r.P_hat, r.real_income_hat):
        np.testing.assert_allclose(hat, 1.0, rtol=0, atol=ZERO_SHOCK_TOL)
    np.testing.assert_allclose(r.X_new, X, rtol=ZERO_SHOCK_TOL)
    assert r.converged and r.iterations == 0


@pytest.mark.parametrize("theta", [2.0, 4.0, 8.0])
def test_welfare_equals_the_acr_closed_form_under_balanced_trade(theta: float) -> None:
    X = random_world(30, seed=3, balanced=True)
    r = solve_gravity(X, bloc_shock(30, 1.4), theta)
    pi = X / X.sum(axis=0)
    acr = (np.diag(r.pi_new) / np.diag(pi)) ** (-1.0 / theta)
    np.testing.assert_allclose(r.real_income_hat, acr, rtol=0, atol=ACR_TOL)
    np.testing.assert_allclose(r.real_income_hat, r.w_hat / r.P_hat, rtol=1e-12)
    assert_identities(X, r)


def test_full_autarky() -> None:
    X = random_world(12, seed=5, balanced=True)
    tau = np.full_like(X, np.inf)
    np.fill_diagonal(tau, 1.0)
    r = solve_gravity(X, tau, 4.0)
    np.testing.assert_array_equal(np.diag(r.pi_new), 1.0)
    assert np.count_nonzero(r.X_new - np.diag(np.diag(r.X_new))) == 0
    pi = X / X.sum(axis=0)
    np.testing.assert_allclose(r.real_income_hat, np.diag(pi) ** (1.0 / 4.0), rtol=ACR_TOL)


def test_symmetric_world_gives_symmetric_answers() -> None:
    N = 8
    X = np.full((N, N), 2.0)
    np.fill_diagonal(X, 30.0)
    tau = np.ones((N, N))
    tau[:4, 4:] = 1.5
    tau[4:, :4] = 1.5
    r = solve_gravity(X, tau, 5.0)
    np.testing.assert_allclose(r.real_income_hat, r.real_income_hat[0], rtol=1e-12)
    np.testing.assert_allclose(r.X_new, r.X_new.T, rtol=1e-12)
    assert r.real_income_hat[0] < 1.0


def test_embargo_gives_exact_zeros_and_identities_hold_with_deficits() -> None:
    X = random_world(20, seed=9)  # unbalanced: deficits held fixed
    tau = bloc_shock(20, 1.2)
    tau[0, 1] = tau[1, 0] = np.inf
    r = solve_gravity(X, tau, 5.0)
    assert r.X_new[0, 1] == 0.0 and r.X_new[1, 0] == 0.0
    assert r.real_income_hat[0] < 1.0
    assert_identities(X, r)


def test_batch_matches_single_solves() -> None:
    X = random_world(20, seed=2)
    taus = [bloc_shock(20, f) for f in (1.1, 1.2, 1.3)]
    batch = solve_gravity_batch(X, taus, 5.0)
    for tau, r in zip(taus, batch, strict=True):
        np.testing.assert_allclose(r.w_hat, solve_gravity(X, tau, 5.0).w_hat, rtol=1e-9)


def test_non_convergence_is_loud() -> None:
    X = random_world(20, seed=4)
    with pytest.raises(ConvergenceError, match="did not converge") as caught:
        solve_gravity(X, bloc_shock(20, 2.0), 5.0, max_iter=1)
    raw = caught.value.result
    assert isinstance(raw, GravityResult) and not raw.converged and raw.residual > 1e-10
    quiet = solve_gravity(X, bloc_shock(20, 2.0), 5.0, max_iter=1, raise_on_failure=False)
    assert not quiet.converged and quiet.iterations == 1


@pytest.mark.parametrize(
    ("X", "tau", "theta", "message"),
    [
        (np.ones((3, 4)), np.ones((3, 4)), 5.0, r"X must have shape \(N, N\)"),
        (np.array([[1.0, np.nan], [1.0, 1.0]]), np.ones((2, 2)), 5.0, "X has a non-finite entry"),
        (np.array([[1.0, -1.0], [1.0, 1.0]]), np.ones((2, 2)), 5.0, "X has a negative flow"),
        (np.ones((2, 2)), np.ones((3, 3)), 5.0, r"tau_hat must have shape \(2, 2\)"),
        (np.ones((2, 2)), np.array([[1.0, -0.5], [1.0, 1.0]]), 5.0, "tau_hat must be > 0"),
        (np.ones((2, 2)), np.array([[np.inf, 1.0], [1.0, 1.0]]), 5.0, "cannot embargo itself"),
        (np.ones((2, 2)), np.ones((2, 2)), 0.0, "theta must be finite and > 0"),
        (np.ones((2, 2)), np.ones((2, 2)), -3.0, "theta must be finite and > 0"),
        (np.array([[1.0, 0.0], [0.0, 0.0]]), np.ones((2, 2)), 5.0, "zero output"),
    ],
)
def test_bad_input_is_a_clear_value_error(X: np.ndarray, tau: np.ndarray, theta: float, message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve_gravity(X, tau, theta)
    assert issubclass(InputError, ValueError)
