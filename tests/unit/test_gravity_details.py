"""The one-sector solver in detail: its documented update step computed by hand on a 2x2 world, warm starts, units,
and which country an input error names."""

from __future__ import annotations

import numpy as np
import pytest

from geoshift.engines.trade_ge import solve_gravity, solve_gravity_batch
from geoshift.errors import ConvergenceError, InputError

X2 = np.array([[6.0, 2.0], [1.0, 3.0]])  # exporter i, importer j
THETA = 4.0
TAU2 = np.array([[1.0, 1.5], [1.5, 1.0]])


def plain_step(w: list[float], X: list[list[float]], tau: list[list[float]], theta: float) -> list[float]:
    """One update of the module docstring, written out for two countries with scalars:
    ``w_i <- w_i (demand_i / supply_i)^(1 / (1 + theta))``, then rescaled so that world output is unchanged."""
    Y = [X[0][0] + X[0][1], X[1][0] + X[1][1]]
    E = [X[0][0] + X[1][0], X[0][1] + X[1][1]]
    D = [E[0] - Y[0], E[1] - Y[1]]
    B = [[X[i][j] / E[j] * tau[i][j] ** -theta for j in range(2)] for i in range(2)]
    A = [w[0] ** -theta, w[1] ** -theta]
    Phi = [A[0] * B[0][j] + A[1] * B[1][j] for j in range(2)]
    E_new = [w[j] * Y[j] + D[j] for j in range(2)]
    demand = [A[i] * sum(B[i][j] * E_new[j] / Phi[j] for j in range(2)) for i in range(2)]
    raw = [w[i] * (demand[i] / (w[i] * Y[i])) ** (1.0 / (1.0 + theta)) for i in range(2)]
    scale = (raw[0] * Y[0] + raw[1] * Y[1]) / (Y[0] + Y[1])
    return [raw[0] / scale, raw[1] / scale]


def test_first_iterate_is_the_documented_damped_step() -> None:
    # max_iter=1 returns the first iterate (its residual is below the start's)
    r = solve_gravity(X2, TAU2, THETA, max_iter=1, raise_on_failure=False)
    expected = plain_step([1.0, 1.0], X2.tolist(), TAU2.tolist(), THETA)
    np.testing.assert_allclose(r.w_hat, expected, rtol=1e-12)
    assert not r.converged and r.iterations == 1
    # the start's residual, by hand: max |demand / supply - 1| at w = 1
    pi_01, pi_10 = 2.0 / 5.0, 1.0 / 7.0
    phi = [6.0 / 7.0 + pi_10 * 1.5**-THETA, pi_01 * 1.5**-THETA + 3.0 / 5.0]
    demand_1 = pi_10 * 1.5**-THETA * 7.0 / phi[0] + 3.0 / 5.0 * 5.0 / phi[1]
    start = solve_gravity(X2, TAU2, THETA, max_iter=0, raise_on_failure=False)
    assert start.residual == pytest.approx(abs(demand_1 / 4.0 - 1.0), rel=1e-12)
    assert start.iterations == 0 and np.all(start.w_hat == 1.0)


def test_plain_iteration_without_acceleration() -> None:
    # with anderson_memory=0 every iterate is a plain step: the second one is two steps by hand
    r = solve_gravity(X2, TAU2, THETA, max_iter=2, anderson_memory=0, raise_on_failure=False)
    expected = plain_step(plain_step([1.0, 1.0], X2.tolist(), TAU2.tolist(), THETA), X2.tolist(), TAU2.tolist(),
                          THETA)
    np.testing.assert_allclose(r.w_hat, expected, rtol=1e-12)
    # and plain iteration reaches the same equilibrium as the accelerated one
    plain = solve_gravity(X2, TAU2, THETA, anderson_memory=0, tol=1e-12)
    fast = solve_gravity(X2, TAU2, THETA, tol=1e-12)
    np.testing.assert_allclose(plain.w_hat, fast.w_hat, rtol=1e-10)
    assert fast.iterations < plain.iterations


def test_equilibrium_is_a_fixed_point_of_the_step() -> None:
    r = solve_gravity(X2, TAU2, THETA, tol=1e-13)
    np.testing.assert_allclose(plain_step(r.w_hat.tolist(), X2.tolist(), TAU2.tolist(), THETA), r.w_hat, rtol=1e-12)
    assert 0.0 <= r.seconds < 60.0


def test_warm_start_at_the_solution_needs_no_iteration() -> None:
    r = solve_gravity(X2, TAU2, THETA)
    again = solve_gravity(X2, TAU2, THETA, w0=r.w_hat)
    assert again.iterations == 0 and again.converged
    np.testing.assert_array_equal(again.w_hat, r.w_hat)


def test_batch_warm_starts_each_solve_and_passes_options_on() -> None:
    batch = solve_gravity_batch(X2, [TAU2, TAU2], THETA)
    assert batch[0].iterations > 0 and batch[1].iterations == 0
    np.testing.assert_array_equal(batch[1].w_hat, batch[0].w_hat)
    raw = solve_gravity_batch(X2, [TAU2], THETA, max_iter=1, raise_on_failure=False)
    assert raw[0].iterations == 1 and not raw[0].converged


def test_hats_do_not_depend_on_units_even_below_one() -> None:
    X = np.array([[6.0, 2.0, 1.0], [1.0, 3.0, 2.0], [2.0, 1.0, 5.0]])
    tau = np.array([[1.0, 1.3, 1.0], [1.3, 1.0, 1.1], [1.0, 1.1, 1.0]])
    big = solve_gravity(X * 1000.0, tau, THETA, tol=1e-12)
    small = solve_gravity(X / 1000.0, tau, THETA, tol=1e-12)  # every total below one
    np.testing.assert_allclose(small.w_hat, big.w_hat, rtol=1e-9)
    np.testing.assert_allclose(small.X_new * 1e6, big.X_new, rtol=1e-9)


@pytest.mark.parametrize(
    ("X", "message"),
    [
        (np.array([[0.5, 0.0], [0.2, 0.0]]), r"X: country 1 has zero expenditure \(column sums\)"),
        (np.array([[0.5, 0.4], [0.0, 0.0]]), r"X: country 1 has zero output \(row sums\)"),
    ],
)
def test_zero_totals_name_the_country(X: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve_gravity(X, np.ones((2, 2)), THETA)


def test_an_importer_left_without_any_source_is_named() -> None:
    # importer 2 buys only from country 0 (no domestic sales); embargoing 0 -> 2 leaves it nothing
    X = np.array([[5.0, 1.0, 3.0], [1.0, 5.0, 0.0], [1.0, 1.0, 0.0]])
    tau = np.ones((3, 3))
    tau[0, 2] = np.inf
    with pytest.raises(InputError, match="tau_hat leaves importer 2 with no source at all"):
        solve_gravity(X, tau, THETA)
    tau[0, 2] = 2.0  # a cost increase leaves a source
    assert solve_gravity(X, tau, THETA).converged


def test_a_failed_solve_keeps_the_raw_result() -> None:
    with pytest.raises(ConvergenceError, match=r"residual .* > tol 1\.0e-10 after 1 iterations") as caught:
        solve_gravity(X2, TAU2, THETA, max_iter=1)
    np.testing.assert_allclose(caught.value.result.w_hat, plain_step([1.0, 1.0], X2.tolist(), TAU2.tolist(), THETA),
                               rtol=1e-12)


def test_a_country_cut_off_from_every_buyer_has_no_equilibrium() -> None:
    # balanced trade (symmetric flows); country 0's exports embargoed, its imports open: its wage would fall to zero
    X = np.array([[6.0, 2.0, 1.0], [2.0, 5.0, 3.0], [1.0, 3.0, 4.0]])
    tau = np.ones((3, 3))
    tau[0, 1] = tau[0, 2] = np.inf
    with pytest.raises(InputError, match=r"^tau_hat cuts 0 off from every foreign buyer while it can still import, "
                                         r"with a fixed deficit of 0 \(<= 0\): no equilibrium exists"):
        solve_gravity(X, tau, THETA)
    tau[1, 0] = tau[2, 0] = np.inf  # autarky for country 0 is consistent with its zero deficit
    assert solve_gravity(X, tau, THETA).converged
