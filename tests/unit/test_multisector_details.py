"""The Caliendo–Parro solver in detail: its update written out with scalar loops from the module docstring, a world
with idle and non-producing sectors, units below one, deficits, tariffs given per pair, warm starts, and the
errors that name an argument, a country or a sector."""

from __future__ import annotations

import math

import numpy as np
import pytest

from geoshift.engines.trade_ge import (
    MultiSectorResult,
    calibrate,
    calibrate_arrays,
    remove_deficits,
    solve_multisector,
    solve_multisector_batch,
)
from geoshift.engines.trade_ge.multisector import Calibration
from geoshift.errors import ConvergenceError, InputError
from geoshift.world import World

THETA = [4.0, 8.0]
Vector = list[float]


def io_arrays(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Input use, value added and final demand consistent with ``X``: each country spends 30 % of what it buys of
    every sector on intermediate inputs, spread over its sectors in proportion to their output."""
    N, _, S = X.shape
    Y, E = X.sum(axis=1), X.sum(axis=0)
    use = np.zeros((N, S, S))
    for n in range(N):
        for k in range(S):
            for j in range(S):
                use[n, k, j] = 0.3 * E[n, k] * Y[n, j] / Y[n].sum()
    return use, Y - use.sum(axis=1), E - use.sum(axis=2)


# two countries, two sectors, IO links; AAA sells more than it buys (deficits -2 and +2)
X2 = np.array([[[8.0, 3.0], [4.0, 1.0]], [[1.0, 2.0], [6.0, 5.0]]])
# three countries: nobody buys sector S2 in AAA (an idle cell), CCC does not produce S2
X3 = np.array([
    [[10.0, 0.0], [2.0, 1.5], [3.0, 0.8]],
    [[1.0, 0.0], [20.0, 6.0], [0.5, 5.0]],
    [[4.0, 0.0], [1.0, 0.0], [30.0, 0.0]],
])


def cal2() -> Calibration:
    return calibrate_arrays(X2, *io_arrays(X2), countries=["AAA", "BBB"], sectors=["S1", "S2"])


def cal3(scale: float = 1.0) -> Calibration:
    use, va, fd = io_arrays(X3)
    return calibrate_arrays(X3 * scale, use * scale, va * scale, fd * scale, countries=["AAA", "BBB", "CCC"],
                            sectors=["S1", "S2"])


def shock2() -> tuple[np.ndarray, np.ndarray]:
    tau = np.ones((2, 2, 2))
    tau[0, 1, 0], tau[1, 0, 1] = 1.3, 1.2
    tariff = np.zeros((2, 2, 2))
    tariff[1, 0, 0] = 0.1
    return tau, tariff


def hand_step(cal: Calibration, tau: np.ndarray, theta: Vector, tariff: np.ndarray, D: Vector,
              x: Vector) -> tuple[Vector, tuple[float, float, float]]:
    """One update of the fixed-point map from the module docstring, with scalar loops; ``x`` is (log w, log P[j, n],
    E'/E[j, n]). Returns the next point and the three parts of the residual (wages, prices, spending)."""
    N, S = len(cal.countries), len(cal.sectors)
    E, Y, VA = cal.E, cal.Y, cal.VA
    log_w = x[:N]
    log_P = [[x[N + j * N + n] for n in range(N)] for j in range(S)]
    e_hat = [[x[N + S * N + j * N + n] for n in range(N)] for j in range(S)]
    w = [math.exp(v) for v in log_w]

    def weight(i: int, n: int, j: int) -> float:
        if math.isinf(tau[i, n, j]):
            return 0.0
        return float(cal.pi[i, n, j] * (tau[i, n, j] * (1.0 + tariff[i, n, j])) ** -theta[j])

    # unit cost c[j][i] = w_i^gamma_va * prod_k P[k, i]^gamma[i, k, j]; A = c^-theta
    A = [[math.exp(-theta[j] * (cal.gamma_va[i, j] * log_w[i]
                                + sum(cal.gamma[i, k, j] * log_P[k][i] for k in range(S)))) for i in range(N)]
         for j in range(S)]
    Phi = [[sum(weight(i, n, j) * A[j][i] for i in range(N)) for n in range(N)] for j in range(S)]
    spend = [[e_hat[j][n] * E[n, j] for n in range(N)] for j in range(S)]

    def bought(i: int, n: int, j: int) -> float:  # pi' E' at the importer's prices, tariff included
        return weight(i, n, j) * A[j][i] / Phi[j][n] * spend[j][n]

    sales = [[sum(bought(i, n, j) / (1.0 + tariff[i, n, j]) for n in range(N)) for i in range(N)] for j in range(S)]
    revenue = [sum(bought(i, n, j) * tariff[i, n, j] / (1.0 + tariff[i, n, j]) for i in range(N) for j in range(S))
               for n in range(N)]
    income = [w[n] * VA[n] + D[n] + revenue[n] for n in range(N)]
    spend_new = [[sum(cal.gamma[n, j, k] * sales[k][n] for k in range(S)) + cal.alpha[n, j] * income[n]
                  for n in range(N)] for j in range(S)]
    excess = [sum(cal.gamma_va[n, j] * sales[j][n] for j in range(S)) / (w[n] * VA[n]) for n in range(N)]
    # wage step: the value-added-weighted elasticity times the value-added share of gross output
    new_w = []
    for n in range(N):
        va_weights = [cal.gamma_va[n, j] * Y[n, j] for j in range(S)]
        theta_n = sum(v * t for v, t in zip(va_weights, theta, strict=True)) / sum(va_weights)
        va_share = sum(va_weights) / sum(Y[n, j] for j in range(S))
        new_w.append(log_w[n] + math.log(excess[n]) / (1.0 + theta_n * va_share))
    shift = math.log(sum(math.exp(v) * VA[n] for n, v in enumerate(new_w)) / sum(VA))
    new_w = [v - shift for v in new_w]
    new_P = [[-math.log(Phi[j][n]) / theta[j] if E[n, j] > 0 else 0.0 for n in range(N)] for j in range(S)]
    new_e = [[spend_new[j][n] / E[n, j] if E[n, j] > 0 else 0.0 for n in range(N)] for j in range(S)]
    parts = (max(abs(v - 1.0) for v in excess),
             max(abs(new_P[j][n] - log_P[j][n]) for j in range(S) for n in range(N)),
             max(abs(new_e[j][n] - e_hat[j][n]) for j in range(S) for n in range(N)))
    return new_w + [v for row in new_P for v in row] + [v for row in new_e for v in row], parts


START2 = [0.0] * 6 + [1.0] * 4  # w = P = 1, E'/E = 1


@pytest.mark.parametrize("scale", [1.0, 0.001])  # at 0.001 every total is below one
def test_first_iterate_is_the_documented_update(scale: float) -> None:
    use, va, fd = io_arrays(X2)
    cal = calibrate_arrays(X2 * scale, use * scale, va * scale, fd * scale, countries=["AAA", "BBB"],
                           sectors=["S1", "S2"])
    tau, tariff = shock2()
    expected, _ = hand_step(cal, tau, THETA, tariff, cal.D.tolist(), START2)
    r = solve_multisector(cal, tau, THETA, tariff=tariff, max_iter=1, raise_on_failure=False)
    assert r.state is not None and r.iterations == 1 and not r.converged
    np.testing.assert_allclose(r.state, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(r.w_hat, np.exp(expected[:2]), rtol=1e-12)
    np.testing.assert_allclose(r.P_hat, np.exp(np.array(expected[2:6]).reshape(2, 2).T), rtol=1e-12)


def test_plain_iteration_follows_the_update_twice() -> None:
    cal = cal2()
    tau, tariff = shock2()
    first, _ = hand_step(cal, tau, THETA, tariff, cal.D.tolist(), START2)
    second, _ = hand_step(cal, tau, THETA, tariff, cal.D.tolist(), first)
    r = solve_multisector(cal, tau, THETA, tariff=tariff, max_iter=2, anderson_memory=0, raise_on_failure=False)
    np.testing.assert_allclose(r.state, second, rtol=1e-12, atol=1e-15)


def test_the_residual_is_the_largest_of_wages_prices_and_spending() -> None:
    cal = cal2()
    tau, tariff = shock2()
    _, parts = hand_step(cal, tau, THETA, tariff, cal.D.tolist(), START2)
    assert parts[1] > max(parts[0], parts[2])  # a price shock moves prices most at the start
    r = solve_multisector(cal, tau, THETA, tariff=tariff, max_iter=0, raise_on_failure=False)
    assert r.residual == pytest.approx(parts[1], rel=1e-12)
    # removing the deficits moves only spending at the start: E'/E of AAA's sectors rises by 2 / 14
    _, parts = hand_step(cal, np.ones((2, 2, 2)), THETA, np.zeros((2, 2, 2)), [0.0, 0.0], START2)
    assert parts[0] == 0.0 and parts[1] == 0.0 and parts[2] == pytest.approx(2.0 / 14.0, rel=1e-12)
    r = solve_multisector(cal, np.ones((2, 2, 2)), THETA, D_new=np.zeros(2), max_iter=0, raise_on_failure=False)
    assert r.residual == pytest.approx(2.0 / 14.0, rel=1e-12)


def test_the_equilibrium_is_a_fixed_point_of_the_update() -> None:
    cal = cal2()
    tau, tariff = shock2()
    r = solve_multisector(cal, tau, THETA, tariff=tariff, tol=1e-13)
    assert r.state is not None
    again, parts = hand_step(cal, tau, THETA, tariff, cal.D.tolist(), r.state.tolist())
    assert max(parts) <= 1e-12
    np.testing.assert_allclose(again, r.state, rtol=1e-11, atol=1e-12)
    assert 0.0 <= r.seconds < 60.0
    # the results carry the state's levels: value added moves with gross output (fixed value-added shares)
    np.testing.assert_allclose(r.value_added_new, cal.gamma_va * r.gross_output_new, rtol=1e-12)
    np.testing.assert_allclose(r.value_added_hat, r.gross_output_hat, rtol=1e-12)
    np.testing.assert_allclose(r.gross_output_hat, r.gross_output_new / cal.Y, rtol=1e-12)


def test_idle_and_non_producing_cells_are_calibrated_neutrally() -> None:
    cal = cal3()
    assert cal.E[0, 1] == 0.0 and cal.Y[2, 1] == 0.0
    assert cal.pi[0, 0, 1] == 1.0 and cal.pi[1, 0, 1] == 0.0 and cal.pi[2, 0, 1] == 0.0  # domestic share one
    assert cal.gamma_va[2, 1] == 1.0 and np.all(cal.gamma[2, :, 1] == 0.0)  # nothing produced: all value added
    assert cal.alpha[0, 1] == 0.0 and cal.alpha[0, 0] == 1.0
    np.testing.assert_allclose(cal.D, [-2.3, -2.0, 4.3], rtol=1e-12)  # expenditure minus output, by hand


def test_zero_shock_on_a_sparse_world_changes_nothing_at_iteration_zero() -> None:
    cal = cal3()
    r = solve_multisector(cal, np.ones((3, 3, 2)), THETA)
    assert r.converged and r.iterations == 0
    for hat in (r.w_hat, r.P_hat, r.price_index_hat, r.real_income_hat, r.gross_output_hat):
        np.testing.assert_allclose(hat, 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(r.X_new, X3, rtol=1e-12, atol=1e-12)
    assert r.gross_output_hat[2, 1] == 1.0 and r.P_hat[0, 1] == 1.0


def test_units_below_one_give_the_same_hats() -> None:
    tau = np.ones((3, 3, 2))
    tau[0, 1, :] = tau[1, 0, :] = 1.4
    big = solve_multisector(cal3(1000.0), tau, THETA, tol=1e-12)
    small = solve_multisector(cal3(0.001), tau, THETA, tol=1e-12)  # every flow and total below one
    for a, b in ((small.w_hat, big.w_hat), (small.P_hat, big.P_hat), (small.real_income_hat, big.real_income_hat),
                 (small.gross_output_hat, big.gross_output_hat)):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    np.testing.assert_allclose(small.X_new * 1e6, big.X_new, rtol=1e-9)
    assert small.gross_output_hat[2, 1] == 1.0 and small.P_hat[0, 1] == 1.0  # the idle cells stay neutral


def test_new_deficits_replace_the_old_ones() -> None:
    cal = cal3()
    r = solve_multisector(cal, np.ones((3, 3, 2)), THETA, D_new=np.zeros(3))
    domestic = np.einsum("iis->i", r.X_new)
    imports = r.X_new.sum(axis=(0, 2)) - domestic
    exports = r.X_new.sum(axis=(1, 2)) - domestic
    np.testing.assert_allclose(imports, exports, rtol=1e-9)  # balanced trade
    np.testing.assert_allclose(r.income_hat * cal.income, r.w_hat * cal.VA, rtol=1e-9)  # income = value added
    for bad in (np.zeros(2), np.array([0.0, np.nan, 0.0])):
        with pytest.raises(InputError, match=r"D_new must be a finite array of shape \(3,\), got"):
            solve_multisector(cal, np.ones((3, 3, 2)), THETA, D_new=bad)


def test_removing_deficits_keeps_technology_labels_and_options() -> None:
    cal = cal3()
    balanced = remove_deficits(cal, THETA)
    assert balanced.countries == cal.countries and balanced.sectors == cal.sectors
    np.testing.assert_allclose(balanced.D, 0.0, atol=1e-9)
    domestic = np.einsum("iis->i", balanced.X)
    np.testing.assert_allclose(balanced.X.sum(axis=(0, 2)) - domestic, balanced.X.sum(axis=(1, 2)) - domestic,
                               rtol=1e-9)  # its flows are balanced too, not only its declared deficits
    producing = cal.Y > 0
    np.testing.assert_allclose(balanced.gamma_va[producing], cal.gamma_va[producing], rtol=1e-9)
    np.testing.assert_allclose(balanced.gamma, cal.gamma, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(balanced.alpha, cal.alpha, rtol=1e-9, atol=1e-12)
    with pytest.raises(ConvergenceError):
        remove_deficits(cal, THETA, max_iter=1)


def test_a_failed_solve_keeps_the_raw_result() -> None:
    cal = cal2()
    tau, tariff = shock2()
    with pytest.raises(ConvergenceError, match=r"solve_multisector did not converge: residual .* after 1 iterations"
                       ) as caught:
        solve_multisector(cal, tau, THETA, tariff=tariff, max_iter=1)
    raw = caught.value.result
    assert isinstance(raw, MultiSectorResult) and raw.iterations == 1 and not raw.converged


def test_warm_starts_from_a_state_and_in_a_batch() -> None:
    cal = cal2()
    tau, tariff = shock2()
    r = solve_multisector(cal, tau, THETA, tariff=tariff)
    again = solve_multisector(cal, tau, THETA, tariff=tariff, x0=r.state)
    assert again.iterations == 0 and again.converged
    batch = solve_multisector_batch(cal, [tau, tau], THETA, tariff=tariff)
    assert batch[0].iterations == r.iterations and batch[1].iterations == 0
    np.testing.assert_array_equal(batch[1].w_hat, batch[0].w_hat)
    raw = solve_multisector_batch(cal, [tau], THETA, max_iter=1, raise_on_failure=False)
    assert raw[0].iterations == 1 and not raw[0].converged


def test_a_world_is_calibrated_on_the_way_in(small_world: World) -> None:
    theta = np.array([10.0, 4.0, 6.0])
    tau = np.ones(small_world.X.shape)
    tau[0, 1, :] = 1.3
    direct = solve_multisector(small_world, tau, theta)
    via = solve_multisector(calibrate(small_world), tau, theta)
    np.testing.assert_array_equal(direct.w_hat, via.w_hat)
    batch = solve_multisector_batch(small_world, [tau], theta)
    np.testing.assert_array_equal(batch[0].w_hat, via.w_hat)


def test_a_tariff_per_pair_applies_to_every_sector() -> None:
    cal = cal2()
    pair = np.array([[0.0, 0.2], [0.05, 0.0]])
    by_pair = solve_multisector(cal, np.ones((2, 2)), THETA, tariff=pair)
    by_cell = solve_multisector(cal, np.ones((2, 2, 2)), THETA, tariff=np.repeat(pair[:, :, None], 2, axis=2))
    np.testing.assert_array_equal(by_pair.w_hat, by_cell.w_hat)
    assert by_pair.tariff_revenue is not None and by_pair.tariff_revenue[1] > 0.0


@pytest.mark.parametrize(
    ("tariff", "message"),
    [
        (np.zeros((2, 3)), r"^tariff must have shape \(2, 2, 2\) or \(2, 2\), got \(2, 3\)$"),
        (np.array([[0.0, -0.1], [0.0, 0.0]]), r"^tariff rates must be finite and >= 0 \(0\.25 = 25 %\)$"),
        (np.array([[0.0, np.inf], [0.0, 0.0]]), r"^tariff rates must be finite and >= 0"),
        (np.array([[0.1, 0.0], [0.0, 0.0]]),
         r"^tariff must be zero on the diagonal: a country does not tax its own goods$"),
    ],
)
def test_bad_tariffs(tariff: np.ndarray, message: str) -> None:
    with pytest.raises(InputError, match=message):
        solve_multisector(cal2(), np.ones((2, 2)), THETA, tariff=tariff)


def test_a_country_left_without_any_source_of_a_sector_is_named() -> None:
    cal = cal3(0.1)  # CCC buys its 0.58 of S2 from AAA (0.08) and BBB (0.5)
    tau = np.ones((3, 3, 2))
    tau[0, 2, 1] = tau[1, 2, 1] = np.inf
    with pytest.raises(InputError, match=r"^tau_hat leaves CCC with no source of sector S2 \(every supplier, "
                                         r"domestic included, is embargoed\)$"):
        solve_multisector(cal, tau, THETA)


def test_calibration_accepts_integers_and_labels_by_position() -> None:
    X = np.array([[[4, 1], [1, 0]], [[1, 1], [5, 2]]])
    use = np.zeros((2, 2, 2), dtype=int)
    cal = calibrate_arrays(X, use, X.sum(axis=1), X.sum(axis=0))
    assert cal.countries == ("0", "1") and cal.sectors == ("0", "1")
    assert cal.gamma.dtype == np.float64 and cal.gamma_va.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    np.testing.assert_allclose(cal.alpha, [[5 / 7, 2 / 7], [6 / 8, 2 / 8]], rtol=1e-12)  # final demand = E


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.ones((2, 2)), np.zeros((2, 1, 1)), np.ones((2, 1)), np.ones((2, 1))),
         r"^X must have shape \(N, N, S\) with N >= 2, got \(2, 2\)$"),
        ((np.ones((2, 2, 1)), np.zeros((2, 2, 1)), np.ones((2, 1)), np.ones((2, 1))),
         r"^use must have shape \(2, 1, 1\), got \(2, 2, 1\)$"),
        ((np.ones((2, 2, 1)), np.zeros((2, 1, 1)), np.ones(2), np.ones((2, 1))),
         r"^value_added must have shape \(2, 1\), got \(2,\)$"),
        ((np.ones((2, 2, 1)), np.zeros((2, 1, 1)), np.ones((2, 1)), np.ones((1, 1))),
         r"^final_demand must have shape \(2, 1\), got \(1, 1\)$"),
        ((np.ones((2, 2, 1)), np.full((2, 1, 1), np.nan), np.ones((2, 1)), np.ones((2, 1))),
         r"^use has non-finite entries$"),
        ((np.ones((2, 2, 1)), np.zeros((2, 1, 1)), np.array([[0.5], [0.0]]), np.ones((2, 1))),
         r"^value_added: country 1 has no value added$"),
    ],
)
def test_bad_calibration_input(args: tuple[np.ndarray, ...], message: str) -> None:
    with pytest.raises(InputError, match=message):
        calibrate_arrays(*args)


def test_final_demand_shares_with_zero_and_unit_totals() -> None:
    # AAA sells 0.4 more than it buys and spends everything on inputs (no final demand); BBB's final demand is 1 of S1
    X = np.array([[[4.0, 1.0], [1.4, 1.0]], [[1.0, 1.0], [5.0, 2.0]]])
    use = np.array([[[3.6, 1.4], [1.5, 0.5]], [[3.6, 1.8], [2.0, 1.0]]])  # rows: what is bought, less final demand
    value_added = np.array([[0.3, 0.1], [0.4, 0.2]])  # gross output less the inputs (columns of use)
    final = np.array([[0.0, 0.0], [1.0, 0.0]])
    cal = calibrate_arrays(X, use, value_added, final)
    np.testing.assert_allclose(use.sum(axis=2) + final, cal.E, rtol=1e-12)  # the adding-up identities hold
    np.testing.assert_allclose(use.sum(axis=1) + value_added, cal.Y, rtol=1e-12)
    np.testing.assert_array_equal(cal.alpha, [[0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(cal.D, [-0.4, 0.4], rtol=1e-12)
